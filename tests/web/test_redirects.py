"""An old address answers as its content does: 301 to the new one while that is live, 404 otherwise."""

from __future__ import annotations

from datetime import timedelta

import pytest

from cms import create_app
from cms.core import clock
from cms.core.clock import now
from cms.core.workflow import Status
from cms.extensions import db
from cms.models import Page, Tag, User
from cms.services import articles, pages, tags
from tests.web.test_page_cache import counted_queries


@pytest.fixture
def renamed(app, make):
    """A live article renamed from `old-name` to `new-name`; call it to change its status (or rename it again)."""
    make.article("Boundaries", slug="old-name", body_source="Saying no kindly.")
    editor_id = make.user("editor")

    def change(**fields):
        with app.app_context():
            article = articles.find_by_slug(fields.pop("slug", None) or "new-name")
            editor = db.session.get(User, editor_id)
            if "status" in fields:
                articles.change_status(article, fields.pop("status"), by=editor, now=now(), **fields)
            else:
                data = articles.ArticleInput(title=article.title, body_source=article.body_source, slug="new-name")
                articles.update(article, data, by=editor, now=now())
            db.session.commit()

    change(slug="old-name")
    return change


def test_an_old_slug_answers_404_while_its_article_is_back_in_draft(client, renamed):
    assert client.get("/articles/old-name").location == "/articles/new-name"
    renamed(status=Status.DRAFT)
    response = client.get("/articles/old-name")
    assert response.status_code == 404 and "new-name" not in response.get_data(as_text=True)
    assert "Location" not in response.headers


def test_an_old_slug_answers_404_while_its_article_is_archived_and_301_once_published_again(client, renamed):
    renamed(status=Status.ARCHIVED)
    assert client.get("/articles/old-name").status_code == 404
    renamed(status=Status.PUBLISHED)
    response = client.get("/articles/old-name")
    assert response.status_code == 301 and response.location == "/articles/new-name"


def test_an_old_slug_answers_404_until_a_rescheduled_article_goes_live(client, renamed, monkeypatch):
    renamed(status=Status.DRAFT)
    go_live = now() + timedelta(days=2)
    renamed(status=Status.SCHEDULED, publish_at=go_live)
    assert client.get("/articles/old-name").status_code == 404
    monkeypatch.setattr(clock, "now", lambda: go_live)
    assert client.get("/articles/old-name").location == "/articles/new-name"


def test_an_old_page_address_answers_404_while_the_page_is_unpublished(app, client, make):
    page_id = make.page("Fees", body_source="Sliding scale.", slug="fees")
    with app.app_context():
        pages.save(db.session.get(Page, page_id), title="Fees", body_source="Sliding scale.", slug="prices")
        db.session.commit()
    assert client.get("/fees").location == "/prices"
    with app.app_context():
        pages.save(db.session.get(Page, page_id), title="Fees", body_source="Sliding scale.", slug="prices",
                   is_published=False)
        db.session.commit()
    assert client.get("/fees").status_code == 404


def test_a_merged_tag_address_answers_404_once_no_live_article_carries_the_tag(app, client, make):
    make.article("Grief at work", slug="grief-at-work", tags=("mourning",))
    make.article("A draft", slug="a-draft", status=Status.DRAFT, tags=("grief",))
    with app.app_context():
        tags.merge(db.session.scalar(db.select(Tag).filter_by(slug="mourning")),
                   db.session.scalar(db.select(Tag).filter_by(slug="grief")))
        db.session.commit()
    assert client.get("/tags/mourning/feed.atom").location == "/tags/grief/feed.atom"
    editor_id = make.user("editor")
    with app.app_context():
        articles.change_status(articles.find_by_slug("grief-at-work"), Status.DRAFT,
                               by=db.session.get(User, editor_id), now=now())
        db.session.commit()
    assert client.get("/tags/mourning").status_code == 404
    assert client.get("/tags/mourning/feed.atom").status_code == 404


def test_a_redirect_leads_under_site_url_path(app, app_config, renamed):
    client = create_app({**app_config, "SITE_URL": "https://therapy.example/blog"}).test_client()
    assert client.get("/articles/old-name").location == "/blog/articles/new-name"


def test_an_old_address_with_a_slash_leads_on_and_a_missing_one_is_looked_up_once(app, client, renamed):
    assert client.get("/articles/old-name/").location == "/articles/new-name"
    with counted_queries(app) as statements:
        assert client.get("/articles/never-was").status_code == 404
    assert sum("FROM redirects" in statement for statement in statements) == 1

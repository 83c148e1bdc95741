"""The back office lists and dashboard: who sees what, and changes that go through services."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from cms.core import clock
from cms.core.workflow import Status
from cms.extensions import db
from cms.models import Article, Page, Redirect, SiteSettings, Tag, User
from tests.conftest import csrf_token


def text(response) -> str:
    return response.get_data(as_text=True)


def listed_titles(page: str) -> list[str]:
    return re.findall(r'<a href="/admin/articles/\d+/edit">([^<]+)</a>', page)


def test_dashboard_shows_drafts_review_next_scheduled_and_the_month(client, auth, make, monkeypatch):
    monkeypatch.setattr(clock, "now", lambda: datetime(2030, 2, 1, 12, tzinfo=UTC))
    make.article("A draft", status=Status.DRAFT)
    make.article("Waiting", status=Status.REVIEW)
    make.article("Tuesday piece", status=Status.SCHEDULED, publish_at=datetime(2030, 2, 12, 14, tzinfo=UTC))
    make.article("Late at night", status=Status.SCHEDULED, publish_at=datetime(2030, 2, 14, 4, 30, tzinfo=UTC))
    auth.login("editor")
    page = text(client.get("/admin/"))
    assert '<a class="btn btn-primary" href="/admin/articles/write">New article</a>' in page
    drafts, review, upcoming = (re.search(rf'id="{name}-heading".*?</section>', page, re.DOTALL).group(0)
                                for name in ("drafts", "review", "upcoming"))
    assert "A draft" in drafts and "Waiting" in review
    assert re.search(r"Tuesday piece</a>\s*<span class=\"when\">12 February 2030, 09:00 EST", upcoming)
    assert "Editorial calendar: February 2030" in page
    cells = dict(re.findall(r'<span class="day-number">(\d+)</span>(.*?)</td>', page, re.DOTALL))
    assert "Tuesday piece" in cells["12"] and "09:00" in cells["12"]
    assert "Late at night" in cells["13"]  # 04:30 UTC on the 14th is 23:30 on the 13th in New York
    march = text(client.get("/admin/?month=2030-03"))
    assert "Editorial calendar: March 2030" in march and "Tuesday piece" not in march.split("calendar-grid")[1]


def test_authors_see_only_their_own_work(client, auth, make):
    make.article("Mine", status=Status.DRAFT)
    make.article("Someone else's", status=Status.DRAFT, author_email="other@example.com")
    auth.login("author")
    assert listed_titles(text(client.get("/admin/articles/"))) == ["Mine"]
    dashboard = text(client.get("/admin/"))
    assert "Mine" in dashboard and "Someone else" not in dashboard


def test_article_list_filters_by_status_tag_and_series(client, auth, make):
    series_id = make.series("Grief")
    make.article("Draft on grief", status=Status.DRAFT, tags=("grief",), series_id=series_id)
    make.article("Published on anxiety", status=Status.PUBLISHED, tags=("anxiety",))
    auth.login("editor")
    assert listed_titles(text(client.get("/admin/articles/?flt0_status_equals=draft"))) == ["Draft on grief"]
    assert listed_titles(text(client.get("/admin/articles/?flt0_tag_equals=anxiety"))) == ["Published on anxiety"]
    assert listed_titles(text(client.get("/admin/articles/?flt0_series_equals=Grief"))) == ["Draft on grief"]
    assert len(listed_titles(text(client.get("/admin/articles/?flt0_status_equals=nonsense")))) == 2


def test_article_list_sorts_by_publish_date(client, auth, make):
    make.article("Older", publish_at=datetime(2024, 1, 1, tzinfo=UTC))
    make.article("Newer", publish_at=datetime(2024, 6, 1, tzinfo=UTC))
    auth.login("editor")
    page = text(client.get("/admin/articles/"))
    sort = re.search(r'href="([^"]*sort=(\d+)[^"]*)"[^>]*>\s*Publish at', page).group(2)
    assert listed_titles(text(client.get(f"/admin/articles/?sort={sort}"))) == ["Older", "Newer"]
    assert listed_titles(text(client.get(f"/admin/articles/?sort={sort}&desc=1"))) == ["Newer", "Older"]


def test_article_list_has_no_form_that_could_skip_the_workflow(client, auth, make):
    make.article("A draft", status=Status.DRAFT)
    auth.login("admin")
    assert client.get("/admin/articles/new/").status_code == 302
    assert client.get("/admin/articles/edit/?id=1").status_code == 302


@pytest.mark.parametrize("url", ["/admin/series/", "/admin/tags/", "/admin/pages/"])
def test_authors_cannot_manage_series_tags_or_pages(client, auth, url):
    auth.login("author")
    assert client.get(url).status_code == 403


@pytest.mark.parametrize("url", ["/admin/users/", "/admin/settings/"])
def test_only_admins_manage_users_and_settings(client, auth, make, url):
    auth.login("editor")
    assert client.get(url).status_code == 403
    client.post("/logout", data={"csrf_token": csrf_token(client, "/logout")})
    auth.login("admin")
    assert client.get(url, follow_redirects=True).status_code == 200


def test_series_parts_are_renumbered_in_one_go(client, auth, make):
    series_id = make.series("Mother–Daughter Relationships")
    first = make.article("Life Stages", status=Status.DRAFT, series_id=series_id, series_part=1)
    second = make.article("Ambivalence", status=Status.DRAFT, series_id=series_id, series_part=2)
    auth.login("editor")
    url = f"/admin/series/{series_id}/parts"
    assert re.findall(r'name="part-(\d+)" value="(\d+)"', text(client.get(url))) == [(str(first), "1"),
                                                                                     (str(second), "2")]
    response = client.post(url, data={f"part-{first}": "2", f"part-{second}": "1",
                                      "csrf_token": csrf_token(client, url)})
    assert response.status_code == 302
    assert (make.get(Article, first).series_part, make.get(Article, second).series_part) == (2, 1)
    refused = client.post(url, data={f"part-{first}": "1", f"part-{second}": "1",
                                     "csrf_token": csrf_token(client, url)})
    assert "Two parts cannot have the same number." in text(refused)
    assert make.get(Article, first).series_part == 2


def test_renaming_a_tag_redirects_its_old_addresses(app, client, auth, make):
    make.article("On grief", tags=("grief",))
    auth.login("editor")
    with app.app_context():
        tag_id = db.session.scalar(select(Tag.id))
    url = f"/admin/tags/edit/?id={tag_id}"
    response = client.post(url, data={"name": "Grief and loss", "csrf_token": csrf_token(client, url)})
    assert response.status_code == 302
    tag = make.get(Tag, tag_id)
    assert (tag.name, tag.slug) == ("Grief and loss", "grief-and-loss")
    with app.app_context():
        moved = dict(db.session.execute(select(Redirect.old_path, Redirect.new_path)).all())
    assert moved == {"/tags/grief": "/tags/grief-and-loss", "/tags/grief/feed.xml": "/tags/grief-and-loss/feed.xml",
                     "/tags/grief/feed.atom": "/tags/grief-and-loss/feed.atom"}
    response = client.post(url, data={"name": "grief AND loss", "csrf_token": csrf_token(client, url)})
    assert response.status_code == 302 and make.get(Tag, tag_id).name == "grief AND loss"  # the same slug


def test_merging_tags_moves_their_articles(app, client, auth, make):
    make.article("One", tags=("grief",))
    make.article("Two", tags=("grief", "loss"))
    make.article("Three", tags=("loss",))
    auth.login("editor")
    with app.app_context():
        ids = dict(db.session.execute(select(Tag.name, Tag.id)).all())
    response = client.post("/admin/tags/merge", data={"source": ids["loss"], "target": ids["grief"],
                                                      "csrf_token": csrf_token(client, "/admin/tags/merge")})
    assert response.status_code == 302
    with app.app_context():
        assert db.session.scalars(select(Tag.name)).all() == ["grief"]
        assert sorted(a.title for a in db.session.get(Tag, ids["grief"]).articles) == ["One", "Three", "Two"]
    assert client.get("/tags/loss").location.endswith("/tags/grief")


def test_pages_are_saved_through_the_page_rules(app, client, auth):
    auth.login("editor")
    assert client.get("/admin/pages/new/").location.endswith("/admin/pages/write")  # the writing screen
    url = "/admin/pages/write"
    data = {"title": "Fees", "slug": "admin", "body_source": "**Sliding scale.**", "is_published": "y",
            "menu_order": "2", "csrf_token": csrf_token(client, url)}
    refused = client.post(url, data=data)
    assert "The slug &#39;admin&#39; cannot be used for a page" in text(refused)
    client.post(url, data={**data, "slug": ""})
    with app.app_context():
        page = db.session.scalars(select(Page)).one()
        assert (page.slug, page.body_html, page.menu_order) == ("fees", "<p><strong>Sliding scale.</strong></p>", 2)


def test_admin_adds_a_user_with_a_checked_password(app, client, auth):
    auth.login("admin")
    url = "/admin/users/new/"
    assert "keep the current one" not in text(client.get(url))  # a new account has no password to keep
    data = {"email": "Editor@Example.com", "name": "Ed", "role": "editor", "is_active": "y",
            "password": "short", "csrf_token": csrf_token(client, url)}
    assert "at least 10 characters" in text(client.post(url, data=data))
    client.post(url, data={**data, "password": "a long enough password"})
    with app.app_context():
        user = db.session.scalar(select(User).where(User.email == "editor@example.com"))
        assert user.role == "editor" and user.check_password("a long enough password")


def test_admin_cannot_demote_themselves(app, client, auth):
    auth.login("admin")
    with app.app_context():
        admin_id = db.session.scalar(select(User.id))
    url = f"/admin/users/edit/?id={admin_id}"
    assert "leave it empty to keep the current one" in text(client.get(url))
    response = client.post(url, data={"email": "admin@example.com", "name": "Admin", "role": "author",
                                      "is_active": "y", "password": "", "csrf_token": csrf_token(client, url)})
    assert "You cannot take away your own admin role" in text(response)
    assert make_role(app, admin_id) == "admin"


def make_role(app, user_id: int) -> str:
    with app.app_context():
        return db.session.get(User, user_id).role


def test_site_settings_show_the_time_zone_and_lead_to_changing_it(app, client, auth):
    auth.login("admin")
    response = client.get("/admin/settings/")
    assert response.status_code == 302 and "/admin/settings/edit/" in response.location
    page = text(client.get(response.location))
    assert "Time zone: <strong>New York (America/New_York, UTC" in page
    assert 'href="/admin/settings/time-zone"' in page and 'name="timezone"' not in page


def test_a_settings_form_posted_without_its_fields_changes_nothing(app, client, auth):
    auth.login("admin")
    with app.app_context():
        from cms.services import site

        site.settings().title = "Maya Ellison Therapy"
        db.session.commit()
    url = client.get("/admin/settings/").location
    response = client.post(url, data={"csrf_token": csrf_token(client, url)})
    assert response.status_code == 200 and "The site needs a title." in text(response)
    with app.app_context():
        settings = db.session.get(SiteSettings, 1)
        assert settings.title == "Maya Ellison Therapy" and settings.feed_size == 20

"""Rendered pages are cached by content state: a repeat costs one query, and no instance ever serves stale."""

from __future__ import annotations

from contextlib import contextmanager
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import event, select

from cms import create_app
from cms.core import clock
from cms.core.workflow import Status
from cms.extensions import db
from cms.models import Article, User
from cms.services import articles, related
from tests.web.reading_site import reading_site  # noqa: F401 - the fixture

PUBLIC_URLS = ["/", "/articles/life-stages", "/series/mothers-and-daughters", "/tags/grief", "/feed.xml",
               "/feed.atom", "/api/articles/life-stages", "/api/articles", "/archive/", "/series/", "/tags/",
               "/search?q=grief", "/sitemap.xml"]


@contextmanager
def counted_queries(app):
    statements: list[str] = []
    with app.app_context():
        engine = db.engine

    def count(_conn, _cursor, statement, *_args):
        statements.append(statement)

    event.listen(engine, "before_cursor_execute", count)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", count)


@pytest.mark.parametrize("url", PUBLIC_URLS)
def test_a_repeated_public_request_renders_nothing_and_gives_the_same_bytes(app, client, reading_site, url):
    first = client.get(url)
    assert first.status_code == 200
    with counted_queries(app) as statements:
        second = client.get(url)
    assert second.status_code == 200 and second.get_data() == first.get_data()
    assert second.headers["ETag"] == first.headers["ETag"]
    # Only the freshness check ran, one read of the content version: nothing was queried to render.
    assert len(statements) == 1 and "FROM content_version" in statements[0]


def _queries_for(app, client, url: str) -> int:
    app.extensions["cms_page_cache"].entries.clear()
    with counted_queries(app) as statements:
        assert client.get(url).status_code == 200
    return len(statements)


@pytest.mark.parametrize("url", ["/", "/articles/grief-1", "/series/grief", "/tags/grief", "/feed.xml",
                                 "/api/articles", "/archive/", "/sitemap.xml"])
def test_public_pages_make_the_same_number_of_queries_however_many_articles(app, client, make, url):
    series_id = make.series("Grief")

    def add(part: int, *tags: str) -> None:
        ident = make.article(f"Grief part {part}", slug=f"grief-{part}", series_id=series_id, series_part=part,
                             tags=("grief", f"tag {part}", *tags))
        with app.app_context():  # every article shows related articles, however alike their texts score
            article = db.session.get(Article, ident)
            for other in db.session.scalars(select(Article).where(Article.id != ident).order_by(Article.id).limit(1)):
                related.pin(article, other)
                related.pin(other, article)
            db.session.commit()

    for part in (1, 2):
        add(part)
    small = _queries_for(app, client, url)
    for part in range(3, 25):
        add(part, "extra")
    assert _queries_for(app, client, url) == small  # no query per article, tag or part: no N+1


@pytest.fixture
def second_app(app, app_config):
    """Another instance of the site on the same database, as a second gunicorn server would be."""
    return create_app(app_config)


def test_a_publish_through_one_instance_shows_on_the_other_at_the_next_request(app, second_app, make):
    make.article("Already here", slug="already-here")
    draft_id = make.article("Fresh news", slug="fresh-news", status=Status.DRAFT)
    first, second = app.test_client(), second_app.test_client()
    for client in (first, second):
        assert "Fresh news" not in client.get("/").get_data(as_text=True)
        assert client.get("/articles/fresh-news").status_code == 404
    with app.app_context():
        editor = db.session.get(User, make.user("editor"))
        articles.change_status(db.session.get(Article, draft_id), Status.PUBLISHED, by=editor, now=clock.now())
        db.session.commit()
    assert "Fresh news" in second.get("/").get_data(as_text=True)
    assert second.get("/articles/fresh-news").status_code == 200
    assert "Fresh news" in second.get("/feed.xml").get_data(as_text=True)


def test_an_unpublish_through_one_instance_hides_it_on_the_other(app, second_app, make):
    article_id = make.article("Soon withdrawn", slug="soon-withdrawn")
    second = second_app.test_client()
    assert second.get("/articles/soon-withdrawn").status_code == 200
    with app.app_context():
        editor = db.session.get(User, make.user("editor"))
        articles.change_status(db.session.get(Article, article_id), Status.DRAFT, by=editor, now=clock.now())
        db.session.commit()
    assert second.get("/articles/soon-withdrawn").status_code == 404
    assert "Soon withdrawn" not in second.get("/").get_data(as_text=True)


def test_a_scheduled_go_live_shows_on_every_instance_with_no_write(app, second_app, make, monkeypatch):
    go_live = datetime.now(UTC).replace(microsecond=0) + timedelta(hours=1)
    make.article("Already here", slug="already-here")
    make.article("Tuesday's part", slug="tuesdays-part", status=Status.SCHEDULED, publish_at=go_live)
    clients = (app.test_client(), second_app.test_client())
    monkeypatch.setattr(clock, "now", lambda: go_live - timedelta(seconds=1))
    for client in clients:
        assert "Tuesday" not in client.get("/").get_data(as_text=True)
        assert client.get("/articles/tuesdays-part").status_code == 404
    monkeypatch.setattr(clock, "now", lambda: go_live)
    for client in clients:
        assert "Tuesday" in client.get("/").get_data(as_text=True)
        assert client.get("/articles/tuesdays-part").status_code == 200


def test_the_cache_stays_within_its_byte_budget(app_config, make):
    from cms.web.page_cache import Entry, MemoryStore

    cache = MemoryStore(max_bytes=1000)
    for number in range(50):
        cache.put(f"key{number}", Entry(b"x" * 100, []))
    assert cache.size <= 1000 and len(cache.entries) == 10
    assert cache.get("key49") is not None and cache.get("key0") is None


def test_redis_cache_is_shared_between_instances(app_config, make):
    redis = pytest.importorskip("redis")
    try:
        redis.Redis.from_url("redis://127.0.0.1:6379/15", socket_connect_timeout=0.5).ping()
    except redis.exceptions.ConnectionError:
        pytest.skip("Redis is not running on 127.0.0.1:6379")
    config = {**app_config, "CACHE_URL": "redis://127.0.0.1:6379/15"}
    one, two = create_app(config), create_app(config)
    with one.app_context():
        db.create_all()
    try:
        make_one = type(make)(one)
        make_one.article("Shared", slug="shared")
        body = one.test_client().get("/articles/shared").get_data()
        with counted_queries(two) as statements:
            assert two.test_client().get("/articles/shared").get_data() == body
        # Answered from Redis: only the freshness check, no rendering (which would read the site settings).
        assert len(statements) <= 2 and not any("site_settings" in statement for statement in statements)
    finally:
        with one.app_context():
            db.session.remove()
            db.drop_all()


def test_static_files_are_named_by_content_and_kept_for_a_year(client, reading_site):
    import re

    page = client.get("/").get_data(as_text=True)
    stylesheet = re.search(r'href="(/static/css/site\.css\?v=[0-9a-f]{12})"', page)[1]
    response = client.get(stylesheet)
    assert response.status_code == 200
    assert response.cache_control.max_age == 365 * 24 * 3600 and response.cache_control.immutable
    assert client.get("/static/css/site.css").cache_control.no_cache


def test_a_visitor_with_cookies_always_gets_a_page_rendered_for_her(app, client, auth, reading_site):
    auth.login("editor")  # the client now carries a session cookie
    store = app.extensions["cms_page_cache"]
    store.entries.clear()
    response = client.get("/articles/life-stages")
    assert response.status_code == 200 and "X-CMS-Cache-Key" not in response.headers
    assert not store.entries  # nothing rendered for a signed-in person is kept for others


def test_the_cache_marker_never_leaves_the_server(client, reading_site):
    for _ in range(2):
        assert "X-CMS-Cache-Key" not in client.get("/articles/life-stages").headers


def test_mentions_of_other_live_articles_become_links_on_the_page_and_in_the_api(client, make):
    make.article("Anticipatory Grief", slug="anticipatory-grief")
    make.article("Letting Go", slug="letting-go", body_source="Read *Anticipatory grief* first. Then rest.")
    make.article("Secret Plans", slug="secret-plans", status=Status.DRAFT)
    page = client.get("/articles/letting-go").get_data(as_text=True)
    assert '<a href="/articles/anticipatory-grief">Anticipatory grief</a>' in page
    html = client.get("/api/articles/letting-go").get_json()["html"]
    assert 'href="http://127.0.0.1:5000/articles/anticipatory-grief"' in html
    assert "secret-plans" not in page


@pytest.fixture(params=["page cache", "no page cache"])
def either_client(request, app, app_config):
    """A client of the site with its page cache, and of the same site without one (PAGE_CACHE_BYTES=0)."""
    if request.param == "page cache":
        return app.test_client()
    return create_app({**app_config, "PAGE_CACHE_BYTES": 0}).test_client()


FAR_FUTURE = "Fri, 01 Jan 2100 00:00:00 GMT"


MISSING_URLS = ["/articles/draft-part", "/articles/no-such-article", "/api/articles/archived", "/tags/secret-topic",
                "/series/no-such-series/feed.xml", "/no-such-page"]


@pytest.mark.parametrize("condition", [{"If-None-Match": "*"}, {"If-Modified-Since": FAR_FUTURE}],
                         ids=["if-none-match-star", "if-modified-since"])
def test_a_conditional_request_never_turns_a_missing_page_into_304(either_client, reading_site, condition):
    for url in MISSING_URLS:
        either_client.get(url)  # anything a first answer might have left in the cache
        response = either_client.get(url, headers=condition)
        assert response.status_code == 404 and "ETag" not in response.headers, url


@pytest.mark.parametrize("condition", [{"If-None-Match": "*"}, {"If-Modified-Since": FAR_FUTURE}],
                         ids=["if-none-match-star", "if-modified-since"])
def test_a_conditional_request_for_a_page_that_exists_answers_304_rendered_or_cached(either_client, reading_site,
                                                                                     condition):
    rendered = either_client.get("/articles/ambivalence", headers=condition)  # nothing kept yet
    etag = either_client.get("/articles/ambivalence").headers["ETag"]  # now kept, when there is a cache
    kept = either_client.get("/articles/ambivalence", headers=condition)
    for response in (rendered, kept):
        assert response.status_code == 304 and response.data == b"" and response.headers["ETag"] == etag


def test_a_copy_with_another_etag_gets_the_page_whatever_its_date_says(either_client, reading_site):
    fresh = either_client.get("/articles/ambivalence")
    response = either_client.get("/articles/ambivalence", headers={"If-None-Match": '"an-old-etag"',
                                                                    "If-Modified-Since": FAR_FUTURE})
    assert response.status_code == 200 and response.get_data() == fresh.get_data()


#: Queries to render each kind of page, the page cache skipped: the freshness check, and nothing per article,
#: tag or part; which articles a page lists is kept per content state (freshness.kept_keys), the sitemap and
#: archive read theirs. Fewer is better; more is a regression to look into.
RENDERED_QUERIES = {"/articles/grief-2": 1, "/": 1, "/tags/grief": 1, "/series/grief": 1, "/feed.xml": 1,
                    "/sitemap.xml": 4, "/archive/": 2}


def test_each_rendered_page_makes_a_fixed_number_of_queries_however_large_the_site(app, make):
    reader = app.test_client()
    reader.set_cookie("signed-in", "1")  # past the page cache, as an editor's browser
    series_id = make.series("Grief")

    def counts() -> dict[str, int]:
        for _ in range(2):  # what is read once per content state (the menu, the titles linked), and the
            for url in RENDERED_QUERIES:  # marks this process catches up on once a kept value is checked
                reader.get(url)
        found = {}
        for url in RENDERED_QUERIES:
            with counted_queries(app) as statements:
                assert reader.get(url).status_code == 200, url
            found[url] = len(statements)
        return found

    for part in range(1, 6):
        make.article(f"Grief part {part}", slug=f"grief-{part}", series_id=series_id, series_part=part,
                     tags=("grief", f"tag {part}"), body_source=f"Part {part} mentions Grief part 1.")
    assert counts() == RENDERED_QUERIES
    for part in range(6, 31):
        make.article(f"Grief part {part}", slug=f"grief-{part}", series_id=series_id, series_part=part,
                     tags=("grief", f"tag {part}", "extra"), publish_at=datetime.now(UTC) - timedelta(days=400 + part))
    assert counts() == RENDERED_QUERIES

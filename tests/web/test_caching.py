from datetime import timedelta

import pytest

from cms.core import clock
from cms.core.workflow import Status
from cms.extensions import db
from cms.models import User
from cms.services import articles
from tests.conftest import csrf_token
from tests.web.reading_site import reading_site  # noqa: F401 - the fixture

CACHED_URLS = ["/", "/articles/ambivalence", "/series/", "/series/mothers-and-daughters", "/tags/", "/tags/grief",
               "/archive/", "/search?q=grief", "/about", "/sitemap.xml", "/robots.txt", "/api/articles",
               "/api/articles/ambivalence", "/api/series", "/api/series/grief", "/api/tags"]


@pytest.mark.parametrize("url", CACHED_URLS)
def test_public_answers_carry_validators_and_a_cdn_friendly_cache_control(client, reading_site, url):
    response = client.get(url)
    assert response.status_code == 200
    assert response.headers["ETag"] and response.headers["Last-Modified"]
    assert {"public", "no-cache"} <= {part.strip() for part in response.headers["Cache-Control"].split(",")}
    again = client.get(url, headers={"If-None-Match": response.headers["ETag"]})
    assert again.status_code == 304 and again.data == b""
    since = client.get(url, headers={"If-Modified-Since": response.headers["Last-Modified"]})
    assert since.status_code == 304


@pytest.mark.parametrize("url", ["/articles/draft-part", "/api/articles/archived", "/tags/secret-topic"])
def test_a_not_found_answer_is_not_given_validators(client, reading_site, url):
    response = client.get(url)
    assert response.status_code == 404 and "ETag" not in response.headers


@pytest.mark.parametrize(("url", "text"), [
    ("/", "Letting go"), ("/series/mothers-and-daughters", "Letting go"), ("/api/articles", "scheduled-part"),
    ("/tags/resentment", "Letting go"),
])
def test_a_cached_answer_never_hides_a_part_that_has_gone_live(client, reading_site, monkeypatch, url, text):
    before = client.get(url)
    assert text not in before.get_data(as_text=True)
    monkeypatch.setattr(clock, "now", lambda: reading_site.scheduled_at + timedelta(seconds=1))
    after = client.get(url, headers={"If-None-Match": before.headers.get("ETag", "none")})
    assert after.status_code == 200 and text in after.get_data(as_text=True)


def test_a_cached_answer_never_shows_an_unpublished_article(client, app, make, reading_site):
    before = client.get("/")
    assert "Choosing a therapist" in before.get_data(as_text=True)
    editor_id = make.user("editor")
    with app.app_context():
        articles.change_status(articles.find_by_slug("choosing"), Status.DRAFT,
                               by=db.session.get(User, editor_id), now=clock.now())
        db.session.commit()
    after = client.get("/", headers={"If-None-Match": before.headers["ETag"]})
    assert after.status_code == 200 and "Choosing a therapist" not in after.get_data(as_text=True)


def test_the_etag_differs_between_addresses_with_the_same_content_state(client, reading_site):
    assert client.get("/tags/grief").headers["ETag"] != client.get("/tags/family").headers["ETag"]


def test_a_page_carrying_a_message_for_one_visitor_is_never_cached_or_answered_304(client, auth, reading_site):
    cached = client.get("/")
    auth.login("author")
    client.post("/logout", data={"csrf_token": csrf_token(client, "/logout")})
    response = client.get("/", headers={"If-None-Match": cached.headers["ETag"]})
    assert response.status_code == 200 and "You are signed out." in response.get_data(as_text=True)
    assert "no-store" in response.headers["Cache-Control"] and "ETag" not in response.headers
    assert client.get("/", headers={"If-None-Match": cached.headers["ETag"]}).status_code == 304


@pytest.mark.parametrize(("before_go_live", "lifetime"), [(timedelta(hours=1), "1"), (timedelta(seconds=1), "1"),
                                                          (timedelta(milliseconds=999), "0"), (timedelta(0), "0")])
def test_a_front_proxy_may_keep_an_answer_a_second_at_most_and_never_past_the_next_go_live(
        app, reading_site, monkeypatch, before_go_live, lifetime):
    reader = app.test_client()
    reader.get("/")  # kept by the page cache now, with the lifetime it had then
    moment = reading_site.scheduled_at - before_go_live
    if before_go_live == timedelta(0):
        moment -= timedelta(microseconds=1)
    monkeypatch.setattr(clock, "now", lambda: moment)
    kept = reader.get("/")
    rendered = app.test_client()
    rendered.set_cookie("signed-in", "1")  # past the page cache
    fresh = rendered.get("/")
    revalidated = reader.get("/", headers={"If-None-Match": kept.headers["ETag"]})
    for response in (kept, fresh, revalidated):
        assert response.headers["X-Accel-Expires"] == lifetime
        # nginx takes `no-cache` as "keep nothing" unless it has read X-Accel-Expires first
        names = [name.lower() for name, _ in response.headers]
        assert names.index("x-accel-expires") < names.index("cache-control")


def test_after_a_go_live_the_proxy_lifetime_is_a_second_again(client, reading_site, monkeypatch):
    monkeypatch.setattr(clock, "now", lambda: reading_site.scheduled_at)
    assert client.get("/articles/scheduled-part").headers["X-Accel-Expires"] == "1"

from datetime import timedelta

import feedparser
import lxml.html
import pytest
from lxml import etree

from cms.core import clock
from cms.extensions import db
from cms.models import User
from cms.services import articles, site
from tests.web.reading_site import reading_site  # noqa: F401 - the fixture

BASE = "http://127.0.0.1:5000"
FEEDS = ["/feed", "/series/mothers-and-daughters/feed", "/series/grief/feed", "/tags/grief/feed",
         "/tags/mother-daughter/feed", "/tags/family/feed", "/tags/therapy/feed"]
KINDS = {"xml": ("rss20", "application/rss+xml"), "atom": ("atom10", "application/atom+xml")}
CONTENT = {"a": "http://www.w3.org/2005/Atom", "content": "http://purl.org/rss/1.0/modules/content/"}


def parse(client, url: str):
    response = client.get(url)
    assert response.status_code == 200, url
    parsed = feedparser.parse(response.data)
    assert parsed.bozo == 0, (url, parsed.get("bozo_exception"))
    return parsed


def slugs(parsed) -> list[str]:
    return [item.link.rsplit("/", 1)[1] for item in parsed.entries]


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("path", FEEDS)
def test_every_feed_is_valid_for_a_real_feed_client(client, reading_site, path, kind):
    response = client.get(f"{path}.{kind}")
    assert response.mimetype == KINDS[kind][1]
    parsed = parse(client, f"{path}.{kind}")
    assert parsed.version == KINDS[kind][0]
    assert parsed.entries
    self_links = [link.href for link in parsed.feed.links if link.rel == "self"]
    assert self_links == [f"{BASE}{path}.{kind}"]


@pytest.mark.parametrize("kind", KINDS)
def test_the_site_feed_carries_live_articles_newest_first(client, reading_site, kind):
    assert slugs(parse(client, f"/feed.{kind}")) == list(reading_site.live_slugs)


@pytest.mark.parametrize("kind", KINDS)
def test_feeds_hold_the_newest_entries_up_to_the_feed_size_setting(client, app, reading_site, kind):
    with app.app_context():
        site.settings().feed_size = 2
        db.session.commit()
    assert slugs(parse(client, f"/feed.{kind}")) == ["choosing", "grief-3"]
    assert slugs(parse(client, f"/series/grief/feed.{kind}")) == ["grief-2", "grief-3"]  # newest two, by part


@pytest.mark.parametrize("kind", KINDS)
def test_a_series_feed_is_ordered_by_part(client, reading_site, kind):
    assert slugs(parse(client, f"/series/grief/feed.{kind}")) == ["grief-1", "grief-2", "grief-3"]
    assert slugs(parse(client, f"/series/mothers-and-daughters/feed.{kind}")) == ["life-stages", "ambivalence"]


@pytest.mark.parametrize("kind", KINDS)
def test_entries_carry_full_content_summary_author_tags_and_dates(client, reading_site, kind):
    item = {entry.link: entry for entry in parse(client, f"/tags/family/feed.{kind}").entries}[
        f"{BASE}/articles/life-stages"]
    assert item.title == "Life stages"
    assert "keeps changing shape" in item.content[0].value and item.content[0].value.count("<p>") == 3
    assert item.summary == "The seasons of the bond."
    assert item.author == "Author"  # who wrote it, not the site's author
    assert sorted(tag.term for tag in item.tags) == ["family", "mother daughter"]  # names in RSS and Atom alike
    assert item.published_parsed is not None
    if kind == "atom":
        assert item.updated_parsed >= item.published_parsed


@pytest.mark.parametrize("kind", KINDS)
def test_content_links_are_absolute(client, make, kind):
    make.article("Linked", slug="linked", body_source="See [fees](/fees) and ![a tree](/uploads/tree.png).")
    content = parse(client, f"/feed.{kind}").entries[0].content[0].value
    assert f'href="{BASE}/fees"' in content and f'src="{BASE}/uploads/tree.png"' in content


@pytest.mark.parametrize("kind", KINDS)
def test_content_has_no_scripts_or_event_handlers(client, make, kind):
    make.article("Hostile", body_source='<script>alert(1)</script><img src="/x.png" onerror="alert(2)">'
                 '<a href="javascript:alert(3)" onclick="alert(4)">click</a><p style="x" onmouseover="y">Hi</p>'
                 '<iframe src="https://evil.example/"></iframe><svg onload="alert(5)"></svg>')
    raw = etree.fromstring(client.get(f"/feed.{kind}").data)  # the raw feed: feedparser would sanitize again
    content = "".join(raw.xpath("//content:encoded/text() | //a:content/text()", namespaces=CONTENT)).lower()
    assert "hi" in content
    for forbidden in ("<script", "onerror", "onclick", "onmouseover", "onload", "javascript:", "<iframe", "<svg"):
        assert forbidden not in content


def test_entry_ids_survive_an_edit_and_a_slug_change_and_updated_moves(client, app, make, reading_site):
    before = {kind: {entry.title: entry for entry in parse(client, f"/feed.{kind}").entries} for kind in KINDS}
    editor_id = make.user("editor")
    with app.app_context():
        article = articles.find_by_slug("choosing")
        later = clock.now() + timedelta(minutes=5)
        data = articles.ArticleInput(title="Choosing a therapist, revised", slug="choosing-well",
                                     body_source="Ask about fees, approach, fit and training.", tags=("therapy",))
        articles.update(article, data, by=db.session.get(User, editor_id), now=later)
        db.session.commit()
    for kind in KINDS:
        after = {entry.title: entry for entry in parse(client, f"/feed.{kind}").entries}
        old, new = before[kind]["Choosing a therapist"], after["Choosing a therapist, revised"]
        assert new.id == old.id and new.id.startswith("tag:127.0.0.1,")
        assert new.link == f"{BASE}/articles/choosing-well"
        assert "training" in new.content[0].value
        if kind == "atom":
            assert new.updated_parsed > old.updated_parsed
    assert {entry.id for entry in before["xml"].values()} == {entry.id for entry in before["atom"].values()}


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("path", ["/feed", "/series/mothers-and-daughters/feed", "/tags/resentment/feed"])
def test_a_scheduled_article_enters_feeds_at_its_time_and_not_before(client, reading_site, monkeypatch, path, kind):
    before = client.get(f"{path}.{kind}")
    if path.startswith("/tags/resentment"):
        assert before.status_code == 404  # its only article is not live yet
    else:
        assert "scheduled-part" not in slugs(feedparser.parse(before.data))
    monkeypatch.setattr(clock, "now", lambda: reading_site.scheduled_at - timedelta(seconds=1))
    assert client.get(f"{path}.{kind}").status_code == before.status_code
    monkeypatch.setattr(clock, "now", lambda: reading_site.scheduled_at)
    after = client.get(f"{path}.{kind}", headers={"If-None-Match": before.headers.get("ETag", "none")})
    assert after.status_code == 200
    assert "scheduled-part" in slugs(feedparser.parse(after.data))


@pytest.mark.parametrize("kind", KINDS)
def test_polling_an_unchanged_feed_costs_a_304(client, reading_site, kind):
    first = client.get(f"/feed.{kind}")
    assert "no-cache" in first.headers["Cache-Control"] and "public" in first.headers["Cache-Control"]
    assert first.headers["Last-Modified"]
    again = client.get(f"/feed.{kind}", headers={"If-None-Match": first.headers["ETag"],
                                                  "If-Modified-Since": first.headers["Last-Modified"]})
    assert again.status_code == 304 and again.data == b""


@pytest.mark.parametrize("path", ["/series/empty-series/feed.xml", "/tags/secret-topic/feed.atom",
                                  "/series/nothing/feed.xml", "/feed.json"])
def test_feeds_of_nothing_live_are_not_found(client, reading_site, path):
    assert client.get(path).status_code == 404


@pytest.mark.parametrize(("url", "feeds"), [
    ("/", ["/feed.xml", "/feed.atom"]),
    ("/series/grief", ["/feed.xml", "/feed.atom", "/series/grief/feed.xml", "/series/grief/feed.atom"]),
    ("/articles/grief-2", ["/feed.xml", "/feed.atom", "/series/grief/feed.xml", "/series/grief/feed.atom"]),
    ("/tags/family", ["/feed.xml", "/feed.atom", "/tags/family/feed.xml", "/tags/family/feed.atom"]),
])
def test_pages_let_feed_readers_discover_their_feeds(client, reading_site, url, feeds):
    tree = lxml.html.fromstring(client.get(url).get_data(as_text=True))
    discovered = tree.xpath("//head/link[@rel='alternate']/@href")
    assert discovered == [BASE + feed for feed in feeds]
    types = tree.xpath("//head/link[@rel='alternate']/@type")
    assert set(types) == {"application/rss+xml", "application/atom+xml"}

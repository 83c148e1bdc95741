from dataclasses import replace
from datetime import UTC, datetime, timedelta

import feedparser
import pytest
from lxml import etree

from cms.core import feeds

NOW = datetime(2025, 2, 11, 14, tzinfo=UTC)
FEED = feeds.Feed(id="http://example.com/", title="Practice", description="New articles",
                  page_url="http://example.com/", rss_url="http://example.com/feed.xml",
                  atom_url="http://example.com/feed.atom", author="Dr. Maya Ellison", updated_at=NOW)


def entry(number: int, **fields) -> feeds.Entry:
    values = {
        "id": feeds.tag_uri("example.com", NOW - timedelta(days=number), f"article-{number}"),
        "title": f"Article {number}", "url": f"http://example.com/articles/a{number}", "summary": "In short.",
        "html": f"<p>Body {number} &amp; more.</p>", "author": "Dr. Maya Ellison",
        "published_at": NOW - timedelta(days=number), "updated_at": NOW - timedelta(days=number, hours=-2),
        "categories": (("grief", "grief", "http://example.com/tags/grief"),)}
    return feeds.Entry(**{**values, **fields})


@pytest.mark.parametrize(("html", "expected"), [
    ('<a href="/fees">Fees</a>', '<a href="http://example.com/fees">Fees</a>'),
    ('<a href="#fn1">1</a>', '<a href="http://example.com/articles/x#fn1">1</a>'),
    ('<a href="other">x</a>', '<a href="http://example.com/articles/other">x</a>'),
    ('<img alt="a > b" src="/uploads/a.png">', '<img alt="a > b" src="http://example.com/uploads/a.png">'),
    ('<a href="https://else.where/x?a=1&amp;b=2">x</a>', '<a href="https://else.where/x?a=1&amp;b=2">x</a>'),
    ('<a href="mailto:maya@example.com">m</a>', '<a href="mailto:maya@example.com">m</a>'),
    ('<p>Write href="/x" in prose.</p>', '<p>Write href="/x" in prose.</p>'),
    ('<audio controls src="/uploads/a.mp3"><a href="/uploads/a.mp3">Listen</a></audio>',
     '<audio controls src="http://example.com/uploads/a.mp3"><a href="http://example.com/uploads/a.mp3">Listen</a>'
     '</audio>'),
    ('<video controls src="/uploads/a.webm">x</video>', '<video controls src="http://example.com/uploads/a.webm">x</video>'),
])
def test_links_images_and_players_become_absolute(html, expected):
    assert feeds.absolute_links(html, "http://example.com/articles/x") == expected


def test_a_tag_uri_names_the_site_the_day_and_the_thing():
    assert feeds.tag_uri("example.com", NOW, "article-42") == "tag:example.com,2025-02-11:article-42"


@pytest.mark.parametrize(("render", "version"), [(feeds.rss, "rss20"), (feeds.atom, "atom10")])
def test_both_formats_parse_cleanly_and_keep_the_order_given(render, version):
    parsed = feedparser.parse(render(FEED, [entry(3), entry(1), entry(2)]))
    assert parsed.bozo == 0 and parsed.version == version
    assert [item.title for item in parsed.entries] == ["Article 3", "Article 1", "Article 2"]
    first = parsed.entries[0]
    assert first.id == "tag:example.com,2025-02-08:article-3"
    assert first.link == "http://example.com/articles/a3"
    assert first.content[0].value == "<p>Body 3 &amp; more.</p>"
    assert first.author == "Dr. Maya Ellison"
    assert [tag.term for tag in first.tags] == ["grief"]


def test_rss_guids_are_not_permalinks():
    document = etree.fromstring(feeds.rss(FEED, [entry(1)]))
    assert document.find("channel/item/guid").get("isPermaLink") == "false"


def test_atom_carries_published_and_updated():
    parsed = feedparser.parse(feeds.atom(FEED, [entry(1)]))
    assert parsed.entries[0].published_parsed[:4] == (2025, 2, 10, 14)
    assert parsed.entries[0].updated_parsed[:4] == (2025, 2, 10, 16)


@pytest.mark.parametrize(("render", "url"), [(feeds.rss, FEED.rss_url), (feeds.atom, FEED.atom_url)])
def test_self_link_and_a_hub_when_there_is_one(render, url):
    plain = etree.fromstring(render(FEED, []))
    links = plain.xpath("//a:link", namespaces={"a": feeds.ATOM_NAMESPACE})
    assert [(link.get("rel"), link.get("href")) for link in links if link.get("rel") != "alternate"] == [("self", url)]
    with_hub = etree.fromstring(render(replace(FEED, hub_url="http://hub.test/"), []))
    hubs = with_hub.xpath("//a:link[@rel='hub']/@href", namespaces={"a": feeds.ATOM_NAMESPACE})
    assert hubs == ["http://hub.test/"]
    assert feedparser.parse(etree.tostring(with_hub)).bozo == 0


def test_the_same_content_gives_the_same_bytes():
    assert feeds.rss(FEED, [entry(1)]) == feeds.rss(FEED, [entry(1)])
    assert feeds.atom(FEED, [entry(1)]) == feeds.atom(FEED, [entry(1)])

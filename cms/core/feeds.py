"""Feeds and other copies of articles read away from the site: absolute links, stable ids, RSS and Atom."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from html import escape, unescape
from urllib.parse import urljoin

from feedgen.feed import FeedGenerator
from lxml import etree

ATOM_NAMESPACE = "http://www.w3.org/2005/Atom"

# Sanitized HTML quotes every attribute value with "…" (see core.rendering), so a tag can be read by pattern.
_LINKING_TAG = re.compile(r'<(?:a|img|audio|video)\b(?:[^>"]|"[^"]*")*>', re.IGNORECASE)
_LINK_ATTRIBUTE = re.compile(r'(\s(?:href|src)=")([^"]*)(")', re.IGNORECASE)


def absolute_links(html: str, base_url: str) -> str:
    """Return sanitized `html` with every link, image and player address made absolute against `base_url`.

    A feed reader or an app shows the text away from the site, where "/contact" or "#fn1" would lead nowhere.
    """

    def absolute(attribute: re.Match[str]) -> str:
        address = urljoin(base_url, unescape(attribute.group(2)))
        return attribute.group(1) + escape(address, quote=True) + attribute.group(3)

    return _LINKING_TAG.sub(lambda tag: _LINK_ATTRIBUTE.sub(absolute, tag.group(0)), html)


@dataclass(frozen=True)
class Entry:
    """One article as a feed carries it; `id` never changes, whatever happens to the title or slug."""

    id: str
    title: str
    url: str
    summary: str  # never empty: see `excerpt`
    html: str  # sanitized, with absolute links
    author: str
    published_at: datetime
    updated_at: datetime
    categories: tuple[tuple[str, str, str], ...] = ()  # (term, label, scheme URL) per tag; readers show the term


@dataclass(frozen=True)
class Feed:
    id: str
    title: str
    description: str
    page_url: str  # the HTML page this feed follows
    rss_url: str
    atom_url: str
    author: str
    updated_at: datetime
    hub_url: str | None = None  # a WebSub hub to advertise
    language: str = "en"


def excerpt(text: str, words: int = 50) -> str:
    """Return the first `words` words of plain `text`, with an ellipsis when cut: a summary for one not written."""
    split = text.split()
    return " ".join(split[:words]) + ("…" if len(split) > words else "")


def tag_uri(authority: str, created_at: datetime, name: str) -> str:
    """Return a tag URI (RFC 4151) such as tag:example.com,2025-02-11:article-42: an id that outlives URLs."""
    return f"tag:{authority},{created_at:%Y-%m-%d}:{name}"


def rss(feed: Feed, entries: Sequence[Entry]) -> bytes:
    """Return `feed` as RSS 2.0, entries in the order given, with the full text in content:encoded."""
    xml: bytes = _generator(feed, entries, feed.rss_url, "application/rss+xml").rss_str()
    if not feed.hub_url:
        return xml
    # feedgen writes only the self link into RSS; WebSub subscribers look for the hub too. Read back and written
    # again only then: a feed of full texts is long.
    document = etree.fromstring(xml)
    channel = document.find("channel")
    hub = etree.Element(f"{{{ATOM_NAMESPACE}}}link", href=feed.hub_url, rel="hub")
    description = None if channel is None else channel.find("description")
    if channel is None or description is None:  # feedgen always writes both
        raise ValueError("feedgen wrote an RSS feed without a channel description.")
    channel.insert(channel.index(description) + 1, hub)
    return etree.tostring(document, xml_declaration=True, encoding="UTF-8")


def atom(feed: Feed, entries: Sequence[Entry]) -> bytes:
    """Return `feed` as Atom 1.0, entries in the order given, with the full text as HTML content."""
    xml: bytes = _generator(feed, entries, feed.atom_url, "application/atom+xml").atom_str()
    return xml


def _generator(feed: Feed, entries: Sequence[Entry], self_url: str, self_type: str) -> FeedGenerator:
    generator = FeedGenerator()
    generator.load_extension("dc", atom=False, rss=True)  # RSS <author> must be an email; dc:creator is a name
    generator.id(feed.id)
    generator.title(feed.title)
    # Feed readers take an RSS channel description as HTML but an Atom subtitle as text.
    is_rss = self_type == "application/rss+xml"
    generator.description(escape(feed.description) if is_rss else feed.description)
    generator.author({"name": feed.author})
    generator.language(feed.language)
    generator.updated(feed.updated_at)
    generator.lastBuildDate(feed.updated_at)  # not the time of the request: same content, same bytes
    generator.link(href=self_url, rel="self", type=self_type)
    if feed.hub_url:
        generator.link(href=feed.hub_url, rel="hub")
    generator.link(href=feed.page_url, rel="alternate", type="text/html")  # last: RSS takes it as <link>
    for item in entries:
        entry = generator.add_entry(order="append")
        entry.id(item.id)
        entry.title(item.title)
        entry.link(href=item.url, rel="alternate", type="text/html")
        # Atom summary and RSS description (RSS writes content:encoded only beside one). Readers take an RSS
        # description as HTML, so the plain summary goes in escaped, as HTML that shows exactly its text.
        entry.summary(escape(item.summary), type="html")
        entry.content(item.html, type="html")
        entry.author({"name": item.author})
        entry.dc.dc_creator(item.author)
        entry.published(item.published_at)
        entry.updated(item.updated_at)
        for term, label, scheme in item.categories:
            entry.category(term=term, label=label, scheme=scheme)
    return generator

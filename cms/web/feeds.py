"""RSS 2.0 and Atom 1.0 feeds of the site, each series and each tag.

A scheduled article enters every feed at its time because feeds, like pages, ask for live articles at the
request's time. No background job is needed for that.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime
from urllib.parse import urlsplit

from flask import Blueprint, Response, abort, current_app
from flask.typing import ResponseReturnValue

from cms.core import clock, feeds
from cms.models import Article
from cms.services import freshness, reader, site
from cms.web.caching import public
from cms.web.public import absolute_url

bp = Blueprint("feeds", __name__)

FORMATS: dict[str, tuple[Callable[[feeds.Feed, Sequence[feeds.Entry]], bytes], str]] = {
    "xml": (feeds.rss, "application/rss+xml"),
    "atom": (feeds.atom, "application/atom+xml"),
}


@bp.get("/feed.<any(xml, atom):kind>")
@public
def site_feed(kind: str) -> ResponseReturnValue:
    now = clock.now()
    settings = site.settings()
    items = reader.latest(now, limit=settings.feed_size)
    feed = _feed(settings.title, settings.tagline or f"New articles from {settings.title}", absolute_url("public.home"),
                 "feeds.site_feed", {}, items, now)
    return _answer(feed, items, kind)


@bp.get("/series/<slug>/feed.<any(xml, atom):kind>")
@public
def series_feed(slug: str, kind: str) -> ResponseReturnValue:
    now = clock.now()
    settings = site.settings()
    series = reader.series(slug, now) or abort(404)
    items = reader.newest_parts(series, now, settings.feed_size)
    feed = _feed(f"{series.title} · {settings.title}", series.description or f"The parts of “{series.title}”.",
                 absolute_url("public.series", slug=series.slug), "feeds.series_feed", {"slug": series.slug},
                 items, now, feed_id=feeds.tag_uri(_authority(), series.created_at, f"series-{series.id}"))
    return _answer(feed, items, kind)


@bp.get("/tags/<slug>/feed.<any(xml, atom):kind>")
@public
def tag_feed(slug: str, kind: str) -> ResponseReturnValue:
    now = clock.now()
    settings = site.settings()
    tag = reader.tag(slug, now) or abort(404)
    items = reader.listing(now, tag=tag, per_page=settings.feed_size).items
    feed = _feed(f"Articles tagged “{tag.name}” · {settings.title}", f"Articles about {tag.name}.",
                 absolute_url("public.tag", slug=tag.slug), "feeds.tag_feed", {"slug": tag.slug}, items, now)
    return _answer(feed, items, kind)


def _feed(title: str, description: str, page_url: str, endpoint: str, values: dict, items: list[Article],
          now: datetime, feed_id: str | None = None) -> feeds.Feed:
    entries_updated = [_updated_at(item) for item in items]
    settings = site.settings()
    return feeds.Feed(
        id=feed_id or page_url, title=title, description=description, page_url=page_url,
        rss_url=absolute_url(endpoint, kind="xml", **values), atom_url=absolute_url(endpoint, kind="atom", **values),
        author=settings.author_name or settings.title,
        updated_at=max(entries_updated) if entries_updated else freshness.state(now).changed_at,
    )


def _answer(feed: feeds.Feed, items: list[Article], kind: str) -> Response:
    render, mimetype = FORMATS[kind]
    response = Response(render(feed, [_entry(item) for item in items]), mimetype=mimetype)
    return response


def _entry(article: Article) -> feeds.Entry:
    settings = site.settings()
    url = absolute_url("public.article", slug=article.slug)
    return feeds.Entry(
        id=article_id(article), title=article.title, url=url,
        summary=article.summary or feeds.excerpt(article.body_text),
        html=feeds.absolute_links(article.body_html, url),
        author=settings.author_name or article.author.name or settings.title,
        published_at=article.published_at or article.publish_at, updated_at=_updated_at(article),
        categories=tuple((tag.slug, tag.name, absolute_url("public.tag", slug=tag.slug)) for tag in article.tags))


def article_id(article: Article) -> str:
    """The entry id of `article` in every feed: from its id and creation date, never its slug or title."""
    return feeds.tag_uri(_authority(), article.created_at, f"article-{article.id}")


def _authority() -> str:
    return urlsplit(current_app.config["SITE_URL"]).hostname or "localhost"


def _updated_at(article: Article) -> datetime:
    published_at = article.published_at or article.publish_at
    return max(article.updated_at, published_at)


"""The read-only JSON API: live content only, in the shapes DESIGN.md shows; anything else is a JSON 404."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, request
from flask.typing import ResponseReturnValue

from cms.core import clock
from cms.core.feeds import absolute_links
from cms.core.series import Entry, SeriesNav
from cms.models import Article, Series
from cms.services import reader, related, site
from cms.web.caching import public
from cms.web.public import absolute_url, iso_utc, requested_page

bp = Blueprint("api", __name__, url_prefix="/api")


@bp.get("/articles")
@public
def articles() -> ResponseReturnValue:
    now = clock.now()
    number = requested_page() or abort(400, "The page must be a positive whole number.")
    filters = {name: request.args[name] for name in ("tag", "series") if request.args.get(name)}
    tag = series = None
    if "tag" in filters:
        tag = reader.tag(filters["tag"], now) or abort(404, f"There is no tag {filters['tag']!r}.")
    if "series" in filters:
        series = reader.series(filters["series"], now) or abort(404, f"There is no series {filters['series']!r}.")
    listing = reader.listing(now, page=number, tag=tag, series=series)
    if number > 1 and not listing.items:
        abort(404, f"There is no page {number} of articles.")
    items = listing.items
    navs = reader.series_navigations(items, now)
    related_lists = related.for_articles(items, now, site.settings())
    bodies = related.bodies_for_readers(items, now)
    return {"items": [_article(item, body, navs.get(item.id), related_lists[item.id])
                      for item, body in zip(items, bodies, strict=True)],
            "next": absolute_url("api.articles", page=number + 1, **filters) if listing.has_next else None}


@bp.get("/articles/<slug>")
@public
def article(slug: str) -> ResponseReturnValue:
    now = clock.now()
    found = reader.article(slug, now) or abort(404, f"There is no article {slug!r}.")
    nav = reader.series_navigation(found.series, now, found) if found.series is not None else None
    return _article(found, related.body_for_readers(found, now), nav, related.for_article(found, now, site.settings()))


@bp.get("/series")
@public
def series_index() -> ResponseReturnValue:
    return {"items": [_series_summary(series, parts) for series, parts in reader.series_with_live_parts(clock.now())],
            "next": None}


@bp.get("/series/<slug>")
@public
def series(slug: str) -> ResponseReturnValue:
    now = clock.now()
    found = reader.series(slug, now) or abort(404, f"There is no series {slug!r}.")
    nav = reader.series_navigation(found, now)
    coming = {"part": nav.coming.position, "publish_at": iso_utc(nav.coming.publish_at)} if nav.coming else None
    return {**_series_summary(found, nav.total),
            "parts": [{**_link(entry), "part": entry.position} for entry in nav.contents],
            "coming": coming}


@bp.get("/tags")
@public
def tags() -> ResponseReturnValue:
    return {"items": [{"slug": tag.slug, "name": tag.name, "url": absolute_url("public.tag", slug=tag.slug),
                       "articles": count} for tag, count in reader.tags_with_live_articles(clock.now())],
            "next": None}


def _article(article: Article, body: str, nav: SeriesNav | None, related_articles: list[Article]) -> dict[str, Any]:
    """One article as DESIGN.md shapes it; `body` is what its page shows (`related.body_for_readers`)."""
    url = absolute_url("public.article", slug=article.slug)
    return {
        "slug": article.slug,
        "title": article.title,
        "url": url,
        "summary": article.summary,
        "html": absolute_links(body, url),
        "published_at": iso_utc(article.shown_at),
        "updated_at": iso_utc(article.updated_shown_at),
        "tags": [{"slug": tag.slug, "name": tag.name} for tag in article.tags],
        "series": _series_place(article, nav),
        "related": [_link(other) for other in related_articles],
    }


def _series_place(article: Article, nav: SeriesNav | None) -> dict[str, Any] | None:
    if article.series is None or nav is None or nav.current is None:
        return None
    return {"slug": article.series.slug, "title": article.series.title, "part": nav.current.position,
            "total": nav.total, "previous": _brief(nav.previous), "next": _brief(nav.next)}


def _brief(entry: Entry | None) -> dict[str, str] | None:
    return {"slug": entry.slug, "title": entry.title} if entry is not None else None


def _link(item: Article | Entry) -> dict[str, str]:
    return {"slug": item.slug, "title": item.title, "url": absolute_url("public.article", slug=item.slug)}


def _series_summary(series: Series, total: int) -> dict[str, Any]:
    return {"slug": series.slug, "title": series.title, "description": series.description,
            "url": absolute_url("public.series", slug=series.slug), "total": total}

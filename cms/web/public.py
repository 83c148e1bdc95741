"""What readers see. Every view asks `reader` for live content at this request's time.

Pages are served at `/<slug>` (DESIGN lets the team pick that or `/pages/<slug>`; this is the one we keep).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from flask import Blueprint, Response, abort, current_app, render_template, request, url_for
from flask.typing import ResponseReturnValue
from markupsafe import Markup
from werkzeug.routing import UnicodeConverter

from cms.core import clock, contents, images, rendering, sitemaps
from cms.core.series import SeriesNav
from cms.models import Article, Series, SiteSettings
from cms.services import freshness, media, reader, related, search as search_service, site, users
from cms.web import params
from cms.web.caching import public
from cms.web.templating import site_zone

bp = Blueprint("public", __name__)


@bp.app_template_global()
def absolute_url(endpoint: str, **values: Any) -> str:
    """Return the URL of `endpoint` on SITE_URL (see `cms.web.urls`), for canonical links, feeds and the API."""
    return url_for(endpoint, _external=True, **values)


#: Query arguments that name a page of their own, by endpoint, kept in its canonical address.
_CANONICAL_ARGS = {"public.archive": ("year", "month")}


@bp.app_template_global()
def canonical_url() -> str:
    """Return this page's one public address: its path on SITE_URL, keeping the archive's year or month and a page
    number past 1."""
    number = requested_page()
    values = {name: request.args[name] for name in _CANONICAL_ARGS.get(request.endpoint or "", ())
              if name in request.args}
    if number and number > 1:
        values["page"] = str(number)
    return absolute_url(request.endpoint or "public.home", **(request.view_args or {}), **values)


@bp.app_template_filter()
def reading_minutes(article: Article) -> int:
    return rendering.minutes_to_read(_words(article))


def _words(article: Article) -> int:
    """Counted on save, so a list of articles needs none of their bodies."""
    return article.word_count if article.word_count is not None else rendering.count_words(article.body_text)


@bp.app_template_filter()
def iso_utc(moment: datetime | None) -> str:
    """The form JSON and sitemaps use: 2025-02-11T14:00:00Z. By isoformat: strftime costs a sitemap part its
    largest share."""
    if moment is None:
        return ""
    return moment.astimezone(UTC).replace(tzinfo=None).isoformat(timespec="seconds") + "Z"


#: The page that also shows the practice's address, phone, hours and fees (the demo's Contact page).
CONTACT_SLUG = "contact"


@bp.app_template_global()
def card_picture(article: Article) -> Markup | None:
    """The featured image of `article` as a card shows it, lazily loaded; None when it has none."""
    chosen = article.featured_media
    return Markup(media.picture_html(chosen, sizes=images.CARD_SIZES)) if chosen is not None else None  # noqa: S704 - sanitized by picture_html


#: The last page number a list answers; far past any real site, and small enough for any OFFSET.
MAX_PAGE = 10**6 - 1


def requested_page() -> int | None:
    """Return the `page` query argument (1 when absent), or None when it is not a positive whole number."""
    return params.number(request.args.get("page", "1"), maximum=MAX_PAGE)


def _page_or_404() -> int:
    number = requested_page()
    return number if number is not None else abort(404)


@bp.get("/")
@public
def home() -> ResponseReturnValue:
    now = clock.now()
    settings = site.settings()
    photo = users.site_author_photo(settings)
    series_list = [(found, _navigation(found, now))
                   for found, _ in reader.series_with_live_parts(now, limit=reader.HOME_SERIES)]
    return render_template("public/home.html", articles=reader.latest(now, limit=6, with_bodies=False),
                           series_list=series_list,
                           photo=Markup(media.picture_html(photo, sizes=images.INTRO_PHOTO_SIZES, is_lazy=False))  # noqa: S704 - sanitized
                           if photo is not None else None, share=photo,
                           structured_data=[_practice_data(settings, photo_name=photo.file_name if photo else None)])


@bp.get("/articles/<slug>")
@public
def article(slug: str) -> ResponseReturnValue:
    now = clock.now()
    found = reader.article(slug, now) or abort(404)
    return render_article(found, now)


def render_article(article: Article, now: datetime, *, is_preview: bool = False) -> str:
    """The article page as readers see it at `now`; a preview shows a draft or scheduled article as if live."""
    nav = None
    if article.series is not None and is_preview:  # a draft's place is not among the parts kept for readers
        nav = reader.series_navigation(article.series, now, article, as_if_live=True)
    elif article.series is not None:
        nav = _navigation(article.series, now, article)
    settings = site.settings()
    author = users.byline(article.author, settings)
    featured = media.featured_image(article)
    body_html, sections = contents.with_contents(related.body_for_readers(article, now))
    return render_template("public/article.html", article=article, nav=nav, body_html=body_html, sections=sections,
                           related=_related_to(article, now),
                           structured_data=[*_article_data(article, nav, author, featured), _practice_data(settings)],
                           featured=featured, author=author)


@bp.get("/series/")
@public
def series_index() -> ResponseReturnValue:
    return render_template("public/series_index.html", series_list=reader.series_with_live_parts(clock.now()))


@bp.get("/series/<slug>")
@public
def series(slug: str) -> ResponseReturnValue:
    now = clock.now()
    found = reader.series(slug, now) or abort(404)
    parts = reader.series_parts(found, now, with_bodies=False)
    # A shared link to the series shows the first featured image among its parts.
    share = next((part.featured_media for part in parts if part.featured_media is not None), None)
    return render_template("public/series.html", series=found, parts=parts, share=share,
                           nav=_navigation(found, now),
                           structured_data=[_breadcrumbs(found)])


@bp.get("/tags/")
@public
def tag_index() -> ResponseReturnValue:
    return render_template("public/tag_index.html", tags=reader.tags_with_live_articles(clock.now()))


@bp.get("/tags/<slug>")
@public
def tag(slug: str) -> ResponseReturnValue:
    now = clock.now()
    number = _page_or_404()
    found = reader.tag(slug, now) or abort(404)
    listing = reader.listing(now, page=number, tag=found, with_bodies=False)
    if not listing.items:
        abort(404)
    return render_template("public/tag.html", tag=found, listing=listing)


@bp.get("/archive/")
@public
def archive() -> ResponseReturnValue:
    """One year a page (`?year=`), or, for a year too long to list whole, one month a page (`?month=YYYY-MM`)."""
    year = params.year(request.args.get("year")) if "year" in request.args else None
    month = params.month(request.args.get("month")) if "month" in request.args else None
    if ("year" in request.args and year is None) or ("month" in request.args and (month is None or year)):
        abort(404)
    number = _page_or_404()
    if number > 1 and month is None:
        abort(404)
    now, zone = clock.now(), site_zone()
    years = _archive_years.get(now, zone, lambda: reader.archive_years(now, zone))
    if month is not None:
        found = reader.archive_month(now, zone, month, page=number, years=list(years))
    else:
        found = reader.archive(now, zone, year, years=list(years))
    return render_template("public/archive.html", archive=found or abort(404))


#: Found with a query a year: kept while the content state holds, not asked again for every archive page.
_archive_years: freshness.PerState[list[int]] = freshness.PerState(size=4)


@bp.get("/search")
@public
def search() -> ResponseReturnValue:
    query = request.args.get("q", "").strip()
    number = _page_or_404()
    results = search_service.search(query, clock.now(), page=number) if query else None
    return render_template("public/search.html", query=query, results=results)


#: The most ids one sitemap reads (sitemaps.org allows 50,000 URLs), and a site with more gets an index of parts.
#: Ids, not URLs, so that a part is known without counting what is live. A part of 500 takes about 10 ms; one of
#: 1,000 made enough objects to set off Python's full garbage collection every hundred requests or so (~90 ms).
SITEMAP_URLS = 500
_SITEMAP_ENDPOINTS = {"article": "public.article", "series": "public.series", "tag": "public.tag",
                      "page": "public.page"}


@bp.get("/sitemap.xml")
@public
def sitemap() -> ResponseReturnValue:
    extent = reader.sitemap_extent()
    parts = sitemaps.part_count(extent, SITEMAP_URLS)
    if parts > 1 and "page" not in request.args:
        index = [absolute_url("public.sitemap", page=number) for number in range(1, parts + 1)]
        return Response(render_template("public/sitemap_index.xml", sitemaps=index), mimetype="application/xml")
    number = _page_or_404()
    if number > parts:
        abort(404)
    entries = reader.sitemap(clock.now(), sitemaps.part(extent, SITEMAP_URLS, number))
    url_of = {kind: _url_by_slug(endpoint) for kind, endpoint in _SITEMAP_ENDPOINTS.items()}
    urls = [(url_of[entry.kind](entry.slug), entry.lastmod) for entry in entries]
    if number == 1 or not urls:  # a part whose ids hold nothing live still names a page: an empty list is invalid
        urls.insert(0, (absolute_url("public.home"), None))
    return Response(render_template("public/sitemap.xml", urls=urls), mimetype="application/xml")


def _url_by_slug(endpoint: str) -> Callable[[str], str]:
    """Return a maker of `endpoint`'s absolute URL for a slug, for a thousand of them: url_for once, then each slug
    in its place, quoted as url_for quotes it (`<slug>` in a route is werkzeug's default converter)."""
    marker = "0slug0"
    before, after = absolute_url(endpoint, slug=marker).split(marker)
    quote = UnicodeConverter(current_app.url_map).to_url
    return lambda slug: f"{before}{quote(slug)}{after}"


@bp.get("/robots.txt")
@public
def robots() -> ResponseReturnValue:
    body = render_template("public/robots.txt")
    return Response(body, mimetype="text/plain")


@bp.get("/<slug>")
@public
def page(slug: str) -> ResponseReturnValue:
    found = reader.page(slug) or abort(404)
    is_contact = found.slug == CONTACT_SLUG
    return render_template("public/page.html", page=found, is_contact=is_contact,
                           structured_data=[_practice_data(site.settings())] if is_contact else [])


def _related_to(article: Article, now: datetime) -> list[Article]:
    """The related articles shown under `article`, chosen once per content state and loaded in one query."""
    ids = _related_ids.get(now, article.id, lambda: tuple(
        other.id for other in related.for_article(article, now, site.settings())))
    return reader.articles_by_id(ids, now)


#: Related articles by article: scores, pins and live checks read once per content state, not per page.
_related_ids: freshness.PerState[tuple[int, ...]] = freshness.PerState(size=4096)


def _navigation(series: Series, now: datetime, current: Article | None = None) -> SeriesNav:
    """The series' navigation seen from `current` (or its page), computed once per content state."""
    return _navigations.get(now, (series.id, current.slug if current else None),
                            lambda: reader.series_navigation(series, now, current))


#: Navigations by series and part: a series' parts read and ordered once per content state, not per page.
_navigations: freshness.PerState[SeriesNav] = freshness.PerState(size=4096)


def _article_data(article: Article, nav: SeriesNav | None, author: users.Byline,
                  featured: media.FeaturedImage | None) -> list[dict]:
    """JSON-LD for search engines: the article as a BlogPosting, and its place in a series as breadcrumbs."""
    url = absolute_url("public.article", slug=article.slug)
    settings = site.settings()
    person: dict[str, Any] = {"@type": "Person", "name": author.name}
    if author.photo is not None:
        person["image"] = absolute_url("uploads.image", name=author.photo.file_name)
    posting: dict[str, Any] = {
        "@context": "https://schema.org", "@type": "BlogPosting", "headline": article.title,
        "description": article.description or article.summary, "url": url, "mainEntityOfPage": url,
        "datePublished": iso_utc(article.shown_at),
        "dateModified": iso_utc(article.updated_shown_at),
        "author": person,
        "publisher": {"@type": "Organization", "name": settings.title, "url": absolute_url("public.home")},
        "keywords": [tag.name for tag in article.tags],
        "wordCount": _words(article),
    }
    if featured is not None:
        posting["image"] = {"@type": "ImageObject", "url": absolute_url("uploads.image", name=featured.file_name),
                            "width": featured.width, "height": featured.height}
    if article.series is None or nav is None:
        return [posting]
    posting["isPartOf"] = {"@type": "CreativeWorkSeries", "name": article.series.title,
                           "url": absolute_url("public.series", slug=article.series.slug)}
    posting["position"] = nav.current.position if nav.current else None
    return [posting, _breadcrumbs(article.series, article)]


def _breadcrumbs(series: Series, article: Article | None = None) -> dict:
    trail = [("Home", absolute_url("public.home")), ("Series", absolute_url("public.series_index")),
             (series.title, absolute_url("public.series", slug=series.slug))]
    if article is not None:
        trail.append((article.title, absolute_url("public.article", slug=article.slug)))
    return {"@context": "https://schema.org", "@type": "BreadcrumbList",
            "itemListElement": [{"@type": "ListItem", "position": index, "name": name, "item": url}
                                for index, (name, url) in enumerate(trail, start=1)]}


def _practice_data(settings: SiteSettings, *, photo_name: str | None = None) -> dict:
    """JSON-LD for the practice as a local professional service: who, where (or which area), how to reach it."""
    home = absolute_url("public.home")
    practice: dict[str, Any] = {"@context": "https://schema.org", "@type": "ProfessionalService",
                                "@id": f"{home}#practice", "name": settings.title, "url": home}
    address = {"streetAddress": settings.street_address, "addressLocality": settings.locality,
               "addressRegion": settings.region, "postalCode": settings.postal_code}
    optional = {
        "description": settings.tagline, "telephone": settings.phone, "email": settings.contact_email,
        "areaServed": settings.area_served,
        "address": {"@type": "PostalAddress", **{key: value for key, value in address.items() if value}}
        if any(address.values()) else None,
        "image": absolute_url("uploads.image", name=photo_name) if photo_name else None,
        "founder": {"@type": "Person", "name": settings.author_name,
                    **({"honorificSuffix": settings.author_credentials} if settings.author_credentials else {})}
        if settings.author_name else None,
    }
    practice.update({key: value for key, value in optional.items() if value})
    return practice

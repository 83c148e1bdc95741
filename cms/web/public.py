"""What readers see. Every view asks `reader` for live content at this request's time.

Pages are served at `/<slug>` (DESIGN lets the team pick that or `/pages/<slug>`; this is the one we keep).
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from flask import Blueprint, Response, abort, current_app, get_template_attribute, render_template, request, url_for
from flask.typing import ResponseReturnValue
from markupsafe import Markup
from werkzeug.routing import UnicodeConverter

from cms.core import clock, contents, images, rendering, sitemaps
from cms.core.series import SeriesNav
from cms.models import Article, Media, Series, SiteSettings
from cms.services import freshness, media, reader, related, search as search_service, users
from cms.web import params
from cms.web.caching import public
from cms.web.templating import drawn, local_time, serves_readers, shown_settings, site_zone

bp = Blueprint("public", __name__)
serves_readers(bp)


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


@dataclass(frozen=True)
class SeriesShown:
    """What a card or the home page shows of a series, beside its navigation."""

    slug: str
    title: str
    description: str


@dataclass(frozen=True)
class Card:
    """What a list shows of a live article (the card macro): plain values, apart from any session."""

    slug: str
    title: str
    summary: str
    shown_at_utc: str  # for <time datetime>
    shown_on: str  # the date in site time
    minutes: int  # to read
    series: SeriesShown | None
    picture: Markup | None  # its featured image, lazily loaded


def cards(articles: Iterable[Article], now: datetime) -> list[Card]:
    """`articles` as cards show them; their series and pictures loaded along (reader's lists without bodies)."""
    drawn = [_cards.get(now, (article.id, article.version), functools.partial(_card, article, now))
             for article in articles]
    return [card for card in drawn if card is not None]  # all of them: each is drawn from the article itself


def kept_cards(keys: Iterable[reader.Key], now: datetime, *, level: int,
               labels: Sequence[str] | None = None) -> list[Markup]:
    """The cards of the articles `keys` name, drawn at heading `level`, each after its label if any.

    Kept once per content state as a list, by the articles' versions: a list's page asks once, not twice a card.
    Cards not yet kept at this state are read, in one query.
    """
    keys = list(keys)
    freshness.note_keys(keys)
    what = (tuple((key.id, key.version) for key in keys), level, tuple(labels or ()))
    return _card_lists.get(now, what, lambda: _draw_cards(keys, now, level, labels))


def _draw_cards(keys: list[reader.Key], now: datetime, level: int, labels: Sequence[str] | None) -> list[Markup]:
    find = reader.read_together([key.id for key in keys], now)

    def draw(key: reader.Key) -> Card | None:
        found = find(key.id)  # None only if it went from view since the keys were read
        return _card(found, now) if found is not None else None

    named: Sequence[str | None] = labels if labels is not None else [None] * len(keys)
    drawn = [(_cards.get(now, (key.id, key.version), functools.partial(draw, key)), label)
             for key, label in zip(keys, named, strict=True)]
    return [drawn_card(card, level, label) for card, label in drawn if card is not None]


#: Lists of drawn cards, by their articles' versions, heading level and labels.
_card_lists: freshness.PerState[list[Markup]] = freshness.PerState(size=1024, follows_loads=False)


@bp.app_template_global()
def drawn_card(card: Card, level: int = 2, label: str | None = None, in_series: bool = True) -> Markup:
    """`card` as the card macro draws it (see macros/articles.html), drawn once per content state."""
    return _drawn_cards.get(clock.now(), (card, level, label, in_series), lambda: get_template_attribute(
        "macros/articles.html", "card")(card, level=level, label=label, in_series=in_series))


#: Cards as drawn, by what they show and where: a list's page draws none it drew before at this state.
_drawn_cards: freshness.PerState[Markup] = freshness.PerState(size=4096, follows_loads=False)


def _card(article: Article, now: datetime) -> Card:
    return Card(article.slug, article.title, article.summary, iso_utc(article.shown_at), local_time(article.shown_at),
                reading_minutes(article),
                SeriesShown(article.series.slug, article.series.title, article.series.description)
                if article.series is not None else None, _card_picture(article.featured_media, now))


#: Cards by article and version: drawn (date in site time, reading time, picture) once per content state.
_cards: freshness.PerState[Card | None] = freshness.PerState(size=4096, follows_loads=False)


def _card_picture(chosen: Media | None, now: datetime) -> Markup | None:
    if chosen is None:
        return None
    return _pictures.get(now, (chosen.key, chosen.alt), lambda: Markup(  # noqa: S704 - sanitized by picture_html
        media.picture_html(chosen, sizes=images.CARD_SIZES)))


#: Card pictures by upload and description (an upload's copies never change): two queries and a sanitizing each.
_pictures: freshness.PerState[Markup] = freshness.PerState(size=1024)


#: The last page number a list answers; far past any real site, and small enough for any OFFSET.
MAX_PAGE = 10**6 - 1


def requested_page() -> int | None:
    """Return the `page` query argument (1 when absent), or None when it is not a positive whole number."""
    # Not args.get: for a missing key it raises and catches a BadRequestKeyError, which costs more than the rest.
    given = request.args.getlist("page")
    return params.number(given[0] if given else "1", maximum=MAX_PAGE)


def _page_or_404() -> int:
    number = requested_page()
    return number if number is not None else abort(404)


@bp.get("/")
@public
def home() -> ResponseReturnValue:
    now = clock.now()
    page = _home_pages.get(now, "home", lambda: _home_page(now))
    return render_template("public/home.html", page=page, share=page.share, structured_data=page.structured_data,
                           articles=kept_cards(freshness.kept_keys(now, "home", lambda: reader.keys(now, per_page=6))
                                               .items, now, level=3))


@dataclass(frozen=True)
class HomePage:
    """The home page but for its latest articles: the introduction and the series, drawn."""

    top: Markup
    share: SharedPicture | None  # the author's photo
    structured_data: list[dict]


def _home_page(now: datetime) -> HomePage:
    photo = _author_photo()
    top = drawn("public/_home_top.html", photo=Markup(photo.html) if photo is not None else None,  # noqa: S704 - sanitized
                series_list=_home_series(now))
    return HomePage(top, photo, [_practice_data(shown_settings(), photo_name=photo.file_name if photo else None)])


#: The home page's top, once per content state: its series are counted and ordered over every live part, and a new
#: photo is a change readers see.
_home_pages: freshness.PerState[HomePage] = freshness.PerState(size=1)


@dataclass(frozen=True)
class SharedPicture:
    """A picture as a shared link names it (see _share_image.html), and as the page shows it, if it does."""

    file_name: str
    width: int
    height: int
    alt: str
    html: str = ""  # sanitized


def _author_photo() -> SharedPicture | None:
    """The site author's photo, which the home page shows and shares."""
    photo = users.site_author_photo(shown_settings())
    if photo is None:
        return None
    return SharedPicture(photo.file_name, *photo.image_size, photo.alt,
                         media.picture_html(photo, sizes=images.INTRO_PHOTO_SIZES, is_lazy=False))


def _home_series(now: datetime) -> tuple[tuple[SeriesShown, SeriesNav], ...]:
    """The series most recently continued, each with its progress."""
    return tuple((SeriesShown(found.slug, found.title, found.description), _navigation(found, now))
                 for found, _ in reader.series_with_live_parts(now, limit=reader.HOME_SERIES))


@bp.get("/articles/<slug>")
@public
def article(slug: str) -> ResponseReturnValue:
    now = clock.now()
    key = freshness.kept_keys(now, ("article", slug), lambda: reader.article_key(slug, now)) or abort(404)
    page = _article_pages.get(now, (key.id, key.version, key.mark), lambda: _article_page(slug, now))
    return render_template("public/article.html", page=page or abort(404))


def _article_page(slug: str, now: datetime) -> ArticlePage | None:
    found = reader.article_for_page(slug, now)  # None only if it went from view since its key was read
    return draw_article(found, now) if found is not None else None


#: Articles' pages but for the site's layout, by article, version and mark: drawn once per content state.
_article_pages: freshness.PerState[ArticlePage | None] = freshness.PerState(size=1024)


def render_article(article: Article, now: datetime, *, is_preview: bool = False) -> str:
    """The article page as readers see it at `now`; a preview shows a draft or scheduled article as if live."""
    return render_template("public/article.html", page=draw_article(article, now, is_preview=is_preview))


@dataclass(frozen=True)
class ArticlePage:
    """An article's page but for the site's layout: its own words for the page's head, its meta tags and
    structured data, and the article itself with its author box, subscribe form and related articles, drawn."""

    title: str
    description: str
    has_featured: bool
    head: Markup
    main: Markup


def draw_article(article: Article, now: datetime, *, is_preview: bool = False) -> ArticlePage:
    around = _around(article, now, is_preview=is_preview)
    values = {"article": article, **vars(around)}  # the templates name each part of its surroundings
    return ArticlePage(
        title=article.title, description=article.description or article.summary or shown_settings().tagline,
        has_featured=around.featured is not None,
        head=drawn("public/_article_head.html", **values), main=drawn("public/_article.html", **values))


@dataclass(frozen=True)
class AuthorShown:
    """An article's byline, and the "About the author" box under it (see users.byline), drawn."""

    name: str
    box_name: str
    credentials: str
    bio: str
    photo_html: str  # sanitized; "" without a photo


@dataclass(frozen=True)
class TagShown:
    id: int
    slug: str
    name: str


@dataclass(frozen=True)
class Around:
    """What an article's page shows besides the article's own columns: its body as readers get it (titles linked,
    sections anchored), its series navigation, tags, byline, featured image, related cards and JSON-LD."""

    body_html: str
    sections: list[contents.Section]
    nav: SeriesNav | None
    tags: list[TagShown]
    author: AuthorShown
    featured: media.FeaturedImage | None
    related: list[Card]
    structured_data: list[dict]


def _around(article: Article, now: datetime, *, is_preview: bool = False) -> Around:
    nav = None
    if article.series is not None and is_preview:  # a draft's place is not among the parts kept for readers
        nav = reader.series_navigation(article.series, now, article, as_if_live=True)
    elif article.series is not None:
        nav = _navigation(article.series, now, article)
    settings = shown_settings()
    author = users.byline(article.author, settings)
    featured = media.featured_image(article)
    body = related.body_for_readers(article, now)
    body_html, sections = contents.with_contents(images.all_lazy(body) if featured is not None else body)
    chosen = [other.id for other in related.for_article(article, now, settings)]
    return Around(body_html=body_html, sections=sections, nav=nav,
                  tags=[TagShown(tag.id, tag.slug, tag.name) for tag in article.tags],
                  author=AuthorShown(author.name, author.box.name, author.box.credentials, author.box.bio,
                                     author.box.photo_html()),
                  featured=featured, related=cards(reader.articles_by_id(chosen, now), now),
                  structured_data=[*_article_data(article, nav, author, featured), _practice_data(settings)])




@bp.get("/series/")
@public
def series_index() -> ResponseReturnValue:
    return render_template("public/series_index.html", series_list=reader.series_with_live_parts(clock.now()))


@bp.get("/series/<slug>")
@public
def series(slug: str) -> ResponseReturnValue:
    now = clock.now()
    found = _series_pages.get(now, slug, lambda: _series_page(slug, now)) or abort(404)
    return render_template("public/series.html", series=found.series, share=found.share, nav=found.nav,
                           parts=_parts(freshness.kept_keys(now, ("parts", found.series_id),
                                                            lambda: reader.part_keys(found.series_id, now)), now),
                           structured_data=found.structured_data)


def _parts(keys: Sequence[reader.Key], now: datetime) -> list[Markup]:
    return kept_cards(keys, now, level=2, labels=[f"Part {number}:" for number in range(1, len(keys) + 1)])


@dataclass(frozen=True)
class SeriesPage:
    """What a series' page shows besides its parts' cards."""

    series_id: int
    series: SeriesShown
    share: SharedPicture | None  # the first featured image among its parts, for a shared link
    nav: SeriesNav
    structured_data: list[dict]


def _series_page(slug: str, now: datetime) -> SeriesPage | None:
    found = reader.series(slug, now)
    if found is None:
        return None
    parts = reader.series_parts(found, now, with_bodies=False)
    first = next((part.featured_media for part in parts if part.featured_media is not None), None)
    share = SharedPicture(first.file_name, *first.image_size, first.alt) if first is not None else None
    return SeriesPage(found.id, SeriesShown(found.slug, found.title, found.description), share,
                      _navigation(found, now), [_breadcrumbs(found)])


#: Series pages by slug, but for their cards: found, navigated and described once per content state.
_series_pages: freshness.PerState[SeriesPage | None] = freshness.PerState(size=1024)


@bp.get("/tags/")
@public
def tag_index() -> ResponseReturnValue:
    return render_template("public/tag_index.html", tags=reader.tags_with_live_articles(clock.now()))


@bp.get("/tags/<slug>")
@public
def tag(slug: str) -> ResponseReturnValue:
    now = clock.now()
    number = _page_or_404()
    found = _tags.get(now, slug, lambda: _tag_shown(slug, now)) or abort(404)
    listing = freshness.kept_keys(now, ("tag", found.id, number),
                                  lambda: reader.keys(now, page=number, tag_id=found.id))
    if not listing.items:
        abort(404)
    return render_template("public/tag.html", tag=found, listing=listing,
                           articles=kept_cards(listing.items, now, level=2))


def _tag_shown(slug: str, now: datetime) -> TagShown | None:
    found = reader.tag(slug, now)
    return TagShown(found.id, found.slug, found.name) if found is not None else None


#: Tags by slug, if a live article carries them: asked over its articles once per content state, not per page.
_tags: freshness.PerState[TagShown | None] = freshness.PerState(size=1024)


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
                           structured_data=[_practice_data(shown_settings())] if is_contact else [])


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
    settings = shown_settings()
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

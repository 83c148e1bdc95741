"""What readers see: every public query starts from `live_articles`."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from functools import cache
from typing import Generic, Protocol, TypeVar
from zoneinfo import ZoneInfo

from sqlalchemy import Select, and_, bindparam, func, or_, select
from sqlalchemy.orm import defer, joinedload, selectinload
from sqlalchemy.sql import ColumnElement

from cms.core import series as series_rules
from cms.core.workflow import LIVE_STATUSES, Status
from cms.extensions import db
from cms.models import Article, Page, Series, Tag, article_tag

PER_PAGE = 20
_Item = TypeVar("_Item")
HOME_SERIES = 3  # the series the home page shows, most recently continued first, each with its progress


@dataclass(frozen=True)
class Listing(Generic[_Item]):
    """One page of live articles (or their keys), and whether another follows."""

    items: list[_Item]
    page: int
    has_next: bool


@dataclass(frozen=True)
class Key:
    """Which article, at which version: what a list needs to show a card kept for it."""

    id: int
    version: int


@dataclass(frozen=True)
class Month:
    first_day: date  # in site time
    articles: list[ArchiveEntry]


@dataclass(frozen=True)
class Archive:
    year: int | None  # None: nothing is live yet
    months: list[Month]  # of that year, newest first
    years: list[int]  # every year with live articles, newest first


class ArchiveEntry(Protocol):
    """What the archive shows of an article."""

    slug: str
    title: str
    shown_at: datetime


@dataclass(frozen=True)
class SitemapEntry:
    kind: str  # "article", "series", "tag", "page"
    slug: str
    lastmod: datetime


def is_live_clause(now: datetime | ColumnElement[datetime]) -> ColumnElement[bool]:
    """The SQL twin of `core.visibility.is_live`."""
    return and_(_is_live_status(), Article.publish_at <= now)


def is_coming_clause(now: datetime | ColumnElement[datetime]) -> ColumnElement[bool]:
    """The SQL twin of `core.visibility.is_coming`."""
    return and_(_is_live_status(), Article.publish_at > now)


def _is_live_status() -> ColumnElement[bool]:
    """`status IN (…)` spelt as equalities: an IN list is expanded into the SQL text at every execution (a scan
    and rewrite of the whole statement), equalities are compiled once; databases plan both alike."""
    return or_(*(Article.status == status for status in LIVE_STATUSES))


def live_articles(now: datetime | ColumnElement[datetime]) -> Select[Article]:
    """Select the articles readers may see at `now`, newest first."""
    return select(Article).where(is_live_clause(now)).order_by(Article.publish_at.desc(), Article.id.desc())


def _with_relations(query: Select[Article], *, with_bodies: bool = True) -> Select[Article]:
    """Load the tags, series and author along; without bodies, for a list that shows only cards: its series and
    picture joined into the one query, and none of the three texts of an article's length, the tags or the
    author a card does not show."""
    if with_bodies:
        return query.options(selectinload(Article.tags), selectinload(Article.series), selectinload(Article.author))
    return query.options(joinedload(Article.series), joinedload(Article.featured_media),
                         *(defer(column) for column in _BODIES))


_BODIES = (Article.body_source, Article.body_html, Article.body_text)


def latest(now: datetime, limit: int = 10, *, with_bodies: bool = True) -> list[Article]:
    """Return the newest live articles, with their tags and series loaded."""
    return list(db.session.scalars(_listing(with_bodies, by_tag=False, by_series=False),
                                   {"now": now, "offset": 0, "limit": limit}))


def article(slug: str, now: datetime) -> Article | None:
    """Return the live article with this slug, or None."""
    # One article: its series and author joined into its own query rather than read by two more.
    query = live_articles(now).where(Article.slug == slug)
    return db.session.scalar(query.options(selectinload(Article.tags), joinedload(Article.series),
                                           joinedload(Article.author)))


def article_for_page(slug: str, now: datetime) -> Article | None:
    """Return the live article with this slug, or None: the row with its series, for its page, which keeps the
    rest it shows (body as linked, tags, byline) per content state. Its bodies, tags and author load if asked."""
    return db.session.scalar(_article_for_page(), {"slug": slug, "now": now})


@cache
def _article_for_page() -> Select[Article]:
    """Built once, not per request: a statement built anew is walked again for its cache key every time."""
    return (select(Article).where(is_live_clause(bindparam("now")), Article.slug == bindparam("slug"))
            .options(joinedload(Article.series), *(defer(column) for column in _BODIES)))


def articles_by_id(ids: Sequence[int], now: datetime, *, with_bodies: bool = False) -> list[Article]:
    """Return the live articles among `ids`, in the order of `ids`, as cards show them (without bodies) unless
    `with_bodies`."""
    if not ids:
        return []
    found = {article.id: article for article in db.session.scalars(
        _with_relations(live_articles(now).where(Article.id.in_(ids)), with_bodies=with_bodies))}
    return [found[ident] for ident in ids if ident in found]


def listing(now: datetime, *, page: int = 1, tag: Tag | None = None, series: Series | None = None,
            per_page: int = PER_PAGE, with_bodies: bool = True) -> Listing[Article]:
    """Return page `page` (from 1) of live articles, newest first, optionally of one tag or series."""
    query = _listing(with_bodies, by_tag=tag is not None, by_series=series is not None)
    values = {"now": now, "offset": (page - 1) * per_page, "limit": per_page + 1,
              "tag_id": tag.id if tag else None, "series_id": series.id if series else None}
    rows = list(db.session.scalars(query, values))
    return Listing(items=rows[:per_page], page=page, has_next=len(rows) > per_page)


def keys(now: datetime, *, page: int = 1, tag_id: int | None = None, per_page: int = PER_PAGE) -> Listing[Key]:
    """`listing` as keys alone: a list whose cards are kept per content state reads no article whole."""
    values = {"now": now, "offset": (page - 1) * per_page, "limit": per_page + 1, "tag_id": tag_id}
    rows = [Key(ident, version) for ident, version in db.session.execute(_keys(by_tag=tag_id is not None), values)]
    return Listing(items=rows[:per_page], page=page, has_next=len(rows) > per_page)


@cache
def _keys(*, by_tag: bool) -> Select[int, int]:
    query = live_articles(bindparam("now")).with_only_columns(Article.id, Article.version)
    if by_tag:
        query = (query.join(article_tag, article_tag.c.article_id == Article.id)
                 .where(article_tag.c.tag_id == bindparam("tag_id")))
    return query.offset(bindparam("offset")).limit(bindparam("limit"))


@cache
def _listing(with_bodies: bool, *, by_tag: bool, by_series: bool) -> Select[Article]:
    """Built once, not per request: a statement built anew is walked again for its cache key every time."""
    query = _with_relations(live_articles(bindparam("now")), with_bodies=with_bodies)
    if by_tag:  # from the tag's own rows, not down every live article testing each for the tag
        query = (query.join(article_tag, article_tag.c.article_id == Article.id)
                 .where(article_tag.c.tag_id == bindparam("tag_id")))
    if by_series:
        query = query.where(Article.series_id == bindparam("series_id"))
    return query.offset(bindparam("offset")).limit(bindparam("limit"))


def series_with_live_parts(now: datetime, *, limit: int | None = None) -> list[tuple[Series, int]]:
    """Return every series that has live parts, with how many, by title; or, given a `limit`, that many of
    them, the ones with the newest live part first (what the home page shows, however many series there are)."""
    query = (select(Series, func.count(Article.id))
             .join(Article, and_(Article.series_id == Series.id, is_live_clause(now))).group_by(Series.id))
    if limit is None:
        query = query.order_by(Series.title)
    else:
        query = query.order_by(func.max(Article.publish_at).desc(), Series.title).limit(limit)
    return [(series, parts) for series, parts in db.session.execute(query)]


def series(slug: str, now: datetime) -> Series | None:
    """Return the series with this slug if it has a live part, or None."""
    return db.session.scalar(_series_by_slug(), {"slug": slug, "now": now})


@cache
def _series_by_slug() -> Select[Series]:
    has_live = select(Article.id).where(Article.series_id == Series.id, is_live_clause(bindparam("now"))).exists()
    return select(Series).where(Series.slug == bindparam("slug"), has_live)


def series_parts(series: Series, now: datetime, *, with_bodies: bool = True) -> list[Article]:
    """Return the live parts of `series` in the author's part order."""
    return list(db.session.scalars(_parts_in_order(with_bodies), {"now": now, "series_id": series.id}))


def part_keys(series_id: int, now: datetime) -> list[Key]:
    """`series_parts` as keys alone (see `keys`)."""
    return [Key(ident, version) for ident, version in db.session.execute(_part_keys(), {"now": now,
                                                                                       "series_id": series_id})]


@cache
def _part_keys() -> Select[int, int]:
    return (live_articles(bindparam("now")).with_only_columns(Article.id, Article.version)
            .where(Article.series_id == bindparam("series_id")).order_by(None).order_by(Article.series_part))


@cache
def _parts_in_order(with_bodies: bool) -> Select[Article]:
    return (_with_relations(live_articles(bindparam("now")), with_bodies=with_bodies)
            .where(Article.series_id == bindparam("series_id")).order_by(None).order_by(Article.series_part))


def newest_parts(series: Series, now: datetime, limit: int, *, with_bodies: bool = True) -> list[Article]:
    """Return the `limit` most recently live parts of `series`, in part order: what its feed carries."""
    newest = list(db.session.scalars(_with_relations(live_articles(now), with_bodies=with_bodies)
                                     .where(Article.series_id == series.id).limit(limit)))
    return sorted(newest, key=lambda part: part.series_part or 0)


def series_navigation(series: Series, now: datetime, current: Article | None = None, *,
                      as_if_live: bool = False) -> series_rules.SeriesNav:
    """Return the navigation of `series` at `now`, seen from `current` (a live part) or from the series page.

    `as_if_live` counts `current` as live whatever its status: a preview shows the part in its place.
    """
    parts = _parts([series.id])[series.id]
    if as_if_live and current is not None:
        parts = [series_rules.Part(part.slug, part.title, part.number, Status.PUBLISHED, now)
                 if part.slug == current.slug else part for part in parts]
    return series_rules.navigation(parts, now, current.slug if current is not None else None)


def series_navigations(articles: Sequence[Article], now: datetime) -> dict[int, series_rules.SeriesNav]:
    """Return each of `articles` in a series with its navigation (article id -> nav), in one query."""
    in_series = [(article, article.series_id) for article in articles if article.series_id is not None]
    parts = _parts({series_id for _, series_id in in_series})
    return {article.id: series_rules.navigation(parts[series_id], now, article.slug)
            for article, series_id in in_series}


def _parts(series_ids: Iterable[int]) -> dict[int, list[series_rules.Part]]:
    parts: dict[int, list[series_rules.Part]] = {ident: [] for ident in series_ids}
    rows = db.session.execute(select(Article.series_id, Article.slug, Article.title, Article.series_part,
                                     Article.status, Article.publish_at).where(Article.series_id.in_(parts)))
    for series_id, slug, title, number, status, publish_at in rows:
        if series_id is None or number is None:  # never: the part_with_series constraint sets both or neither
            continue
        parts[series_id].append(series_rules.Part(slug, title, number, status, publish_at))
    return parts


def live_fingerprint(now: datetime) -> tuple[int, datetime | None, datetime | None]:
    """Return what changes whenever the live set does: how many, the newest go-live, the latest edit."""
    count, newest, edited = db.session.execute(
        select(func.count(Article.id), func.max(Article.publish_at), func.max(Article.updated_at))
        .where(is_live_clause(now))).one()
    return count, newest, edited


def changed_since(since: datetime, now: datetime) -> list[Article]:
    """Return the live articles that went live or were edited after `since`, with their series and tags."""
    changed = (Article.publish_at > since) | (Article.updated_at > since)
    return list(db.session.scalars(_with_relations(live_articles(now)).where(changed)))


def tags_with_live_articles(now: datetime) -> list[tuple[Tag, int]]:
    """Return every tag on at least one live article, with how many, by name."""
    count = func.count(Article.id)
    query = (select(Tag, count).join(article_tag, article_tag.c.tag_id == Tag.id)
             .join(Article, and_(Article.id == article_tag.c.article_id, is_live_clause(now)))
             .group_by(Tag.id).order_by(Tag.name))
    return [(tag, articles) for tag, articles in db.session.execute(query)]


def tag(slug: str, now: datetime) -> Tag | None:
    """Return the tag with this slug if a live article carries it, or None."""
    return db.session.scalar(_tag_by_slug(), {"slug": slug, "now": now})


@cache
def _tag_by_slug() -> Select[Tag]:
    return select(Tag).where(Tag.slug == bindparam("slug"), Tag.articles.any(is_live_clause(bindparam("now"))))


def archive_years(now: datetime, zone: str) -> list[int]:
    """Return every year (in site time `zone`) with live articles, newest first."""
    local = ZoneInfo(zone)
    first, last = db.session.execute(
        select(func.min(Article.shown_at), func.max(Article.shown_at)).where(is_live_clause(now))).one()
    if first is None or last is None:
        return []
    return [candidate for candidate in range(_aware(last).astimezone(local).year,
                                             _aware(first).astimezone(local).year - 1, -1)
            if db.session.scalar(select(_in_year(candidate, local, now).exists()))]


def archive(now: datetime, zone: str, year: int | None = None, *, years: list[int] | None = None) -> Archive | None:
    """Return one year of live articles grouped by month (in site time `zone`), newest first: `year`, or the
    latest year with any; None if `year` has none. One year a page, so the page stays small however many years.
    `years` are those `archive_years` gives, when known already.
    """
    local = ZoneInfo(zone)
    years = archive_years(now, zone) if years is None else years
    if not years:
        return Archive(year=None, months=[], years=[])
    year = years[0] if year is None else year
    if year not in years:
        return None
    months: dict[date, list[ArchiveEntry]] = {}
    # Plain rows of the three columns shown, not articles with their bodies: a year may hold thousands.
    query = (_in_year(year, local, now).with_only_columns(Article.slug, Article.title,
                                                          Article.shown_at.label("shown_at"))
             .order_by(Article.shown_at.desc()))
    for item in db.session.execute(query):
        moment = item.shown_at.astimezone(local)
        months.setdefault(date(moment.year, moment.month, 1), []).append(item)
    return Archive(year=year, months=[Month(first_day, items) for first_day, items in months.items()], years=years)


def _in_year(year: int, local: ZoneInfo, now: datetime) -> Select[Article]:
    """Live articles dated in `year`, site time, by the date readers see: an article published again later
    stays in the year it was first published."""
    start, end = datetime(year, 1, 1, tzinfo=local), datetime(year + 1, 1, 1, tzinfo=local)
    return select(Article).where(is_live_clause(now), Article.shown_at >= start, Article.shown_at < end)


def sitemap(now: datetime) -> list[SitemapEntry]:
    """Return every public URL's kind, slug and last change: live articles, their series and tags, pages."""
    changed = func.max(Article.updated_at)
    shown = func.max(Article.shown_at)
    entries = [SitemapEntry("article", slug, _latest(updated_at, shown_at))
               for slug, updated_at, shown_at in db.session.execute(
                   select(Article.slug, Article.updated_at, Article.shown_at).where(is_live_clause(now))
                   .order_by(Article.shown_at.desc()))]
    series_rows = db.session.execute(
        select(Series.slug, Series.updated_at, changed, shown)
        .join(Article, and_(Article.series_id == Series.id, is_live_clause(now)))
        .group_by(Series.id).order_by(Series.slug))
    entries += [SitemapEntry("series", slug, _latest(updated_at, edited_at, shown_at))
                for slug, updated_at, edited_at, shown_at in series_rows]
    tag_rows = db.session.execute(
        select(Tag.slug, changed, shown).join(article_tag, article_tag.c.tag_id == Tag.id)
        .join(Article, and_(Article.id == article_tag.c.article_id, is_live_clause(now)))
        .group_by(Tag.id).order_by(Tag.slug))
    entries += [SitemapEntry("tag", slug, _latest(edited_at, shown_at)) for slug, edited_at, shown_at in tag_rows]
    entries += [SitemapEntry("page", page.slug, page.updated_at)
                for page in db.session.scalars(select(Page).where(Page.is_published).order_by(Page.slug))]
    return entries


def _latest(updated_at: datetime, *moments: datetime | None) -> datetime:
    """The latest of an edit time and the dates among `moments` that are set."""
    return max(_aware(moment) for moment in (updated_at, *moments) if moment is not None)


def _aware(moment: datetime) -> datetime:
    """Aggregates bypass the column type, so the stored naive UTC comes back naive."""
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment


def page(slug: str) -> Page | None:
    """Return the published page with this slug, or None."""
    return db.session.scalar(select(Page).where(Page.slug == slug, Page.is_published))


def menu_pages() -> list[Page]:
    """Return the published pages shown in the site navigation, in menu order."""
    query = select(Page).where(Page.is_published, Page.menu_order.is_not(None)).order_by(Page.menu_order)
    return list(db.session.scalars(query))

"""What readers see: every public query starts from `live_articles`."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from functools import cache
from typing import Any, Generic, NamedTuple, Protocol, TypeVar, TypeVarTuple
from zoneinfo import ZoneInfo

from sqlalchemy import Result, Select, and_, bindparam, func, literal, null, or_, select, type_coerce, union_all
from sqlalchemy.orm import defer, joinedload, selectinload
from sqlalchemy.sql import ColumnElement

from cms.core import series as series_rules, visibility
from cms.core.workflow import LIVE_STATUSES, Status
from cms.extensions import db
from cms.models import Article, Page, Series, Tag, UTCDateTime, article_tag

PER_PAGE = 20
_Item = TypeVar("_Item")
_Columns = TypeVarTuple("_Columns")
HOME_SERIES = 3  # the series the home page shows, most recently continued first, each with its progress


@dataclass(frozen=True)
class Listing(Generic[_Item]):
    """One page of live articles (or their keys), and whether another follows."""

    items: list[_Item]
    page: int
    has_next: bool


#: The most articles one archive page lists: a year with more lists its months, each a page of its own (or more).
ARCHIVE_PER_PAGE = 200


class Key(NamedTuple):
    """Which article, at which version: what a list needs to show a card kept for it, and its mark
    (Article.seen_version), which tells a kept page whether the article changed since (see freshness).

    A tuple, made straight from a row: a page of twenty keys made as dataclasses cost more than reading them."""

    id: int
    version: int
    mark: int


@dataclass(frozen=True)
class Month:
    first_day: date  # in site time
    count: int  # live articles dated in it (on a month's own page: those listed)
    articles: list[ArchiveEntry]  # those this page lists: all, or a page of them; none on a year that lists months


@dataclass(frozen=True)
class Archive:
    year: int | None  # None: nothing is live yet
    months: list[Month]  # of that year, newest first; or the one month asked for
    years: list[int]  # every year with live articles, newest first
    month: date | None = None  # the month asked for, listed a page at a time
    page: int = 1
    has_next: bool = False

    @property
    def is_listed(self) -> bool:
        """Whether the page lists articles; a year with more than a page's worth lists its months instead."""
        return any(month.articles for month in self.months)


class ArchiveEntry(Protocol):
    """What the archive shows of an article."""

    slug: str
    title: str
    shown_at: datetime


@dataclass(frozen=True)
class SitemapEntry:
    kind: str  # one of SITEMAP_KINDS
    slug: str
    lastmod: datetime | None  # articles and pages; a series' or a tag's last change would take reading all of it


#: What the sitemap lists, in its order (the home page aside): each kind by id.
SITEMAP_KINDS = ("page", "series", "tag", "article")


def is_live_clause(now: datetime | ColumnElement[datetime], *, by_date: bool = False) -> ColumnElement[bool]:
    """The SQL twin of `core.visibility.is_live`.

    `by_date` compares the status as an expression, which no index serves: a database then finds the live
    articles down their dates rather than from (status, publish_at), so a list filtered further (by a tag)
    stops after a page instead of reading and sorting every live article.
    """
    return and_(_is_live_status(by_date=by_date), Article.publish_at <= now)


def is_coming_clause(now: datetime | ColumnElement[datetime]) -> ColumnElement[bool]:
    """The SQL twin of `core.visibility.is_coming`."""
    return and_(_is_live_status(), Article.publish_at > now)


def _is_live_status(*, by_date: bool = False) -> ColumnElement[bool]:
    """`status IN (…)` spelt as equalities: an IN list is expanded into the SQL text at every execution (a scan
    and rewrite of the whole statement), equalities are compiled once; databases plan both alike."""
    status = Article.status.concat("") if by_date else Article.status
    return or_(*(status == live for live in LIVE_STATUSES))


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


def article(slug: str, now: datetime) -> Article | None:
    """Return the live article with this slug, or None."""
    # One article: its series and author joined into its own query rather than read by two more.
    query = live_articles(now).where(Article.slug == slug)
    return db.session.scalar(query.options(selectinload(Article.tags), joinedload(Article.series),
                                           joinedload(Article.author)))


def _read(statement: Select[*_Columns], values: dict[str, Any]) -> Result[*_Columns]:
    """Run a statement of plain columns (keys, no rows to map) on the session's connection: the ORM's
    preparation of a statement costs more than the query itself does on a kept page."""
    return db.session.connection().execute(statement, values)


def article_key(slug: str, now: datetime) -> Key | None:
    """The key of the live article with this slug, or None: what its page, kept per content state, needs."""
    row = _read(_article_key(), {"slug": slug, "now": now}).first()
    return Key._make(row) if row is not None else None


@cache
def _article_key() -> Select[int, int, int]:
    return (select(Article.id, Article.version, Article.seen_version)
            .where(is_live_clause(bindparam("now")), Article.slug == bindparam("slug")))


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


def read_together(ids: Sequence[int], now: datetime, *, with_bodies: bool = False) -> Callable[[int], Article | None]:
    """Return a finder, by id, of the live articles among `ids` that reads them all in one query when first asked:
    a list whose entries are kept per content state reads none of them, one with any to draw reads them at once."""
    found: dict[int, Article] | None = None

    def find(ident: int) -> Article | None:
        nonlocal found
        if found is None:
            found = {article.id: article for article in articles_by_id(ids, now, with_bodies=with_bodies)}
        return found.get(ident)

    return find


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
    rows = list(map(Key._make, _read(_keys(by_tag=tag_id is not None), values).all()))
    return Listing(items=rows[:per_page], page=page, has_next=len(rows) > per_page)


@cache
def _keys(*, by_tag: bool) -> Select[int, int, int]:
    query = (select(Article.id, Article.version, Article.seen_version)
             .where(is_live_clause(bindparam("now"), by_date=by_tag))
             .order_by(Article.publish_at.desc(), Article.id.desc()))
    if by_tag:  # down the dates, each probed for the tag, until a page is found: a tag of thousands sorts none
        query = query.where(select(article_tag.c.article_id).where(
            article_tag.c.article_id == Article.id, article_tag.c.tag_id == bindparam("tag_id")).exists())
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
    return list(map(Key._make, _read(_part_keys(), {"now": now, "series_id": series_id}).all()))


@cache
def _part_keys() -> Select[int, int, int]:
    return (live_articles(bindparam("now")).with_only_columns(Article.id, Article.version, Article.seen_version)
            .where(Article.series_id == bindparam("series_id")).order_by(None).order_by(Article.series_part))


@cache
def _parts_in_order(with_bodies: bool) -> Select[Article]:
    return (_with_relations(live_articles(bindparam("now")), with_bodies=with_bodies)
            .where(Article.series_id == bindparam("series_id")).order_by(None).order_by(Article.series_part))


def newest_part_keys(series_id: int, now: datetime, limit: int) -> list[Key]:
    """The keys of the `limit` most recently live parts of a series, in part order: what its feed carries."""
    rows = _read(_newest_part_keys(), {"now": now, "series_id": series_id, "limit": limit})
    return [Key(ident, version, mark) for ident, version, mark, _ in sorted(rows, key=lambda row: row[3] or 0)]


@cache
def _newest_part_keys() -> Select[int, int, int, int | None]:
    return (live_articles(bindparam("now"))
            .with_only_columns(Article.id, Article.version, Article.seen_version, Article.series_part)
            .where(Article.series_id == bindparam("series_id")).limit(bindparam("limit")))


def series_navigation(series: Series, now: datetime, current: Article | None = None, *,
                      as_if_live: bool = False) -> series_rules.SeriesNav:
    """Return the navigation of `series` at `now`, seen from `current` (a live part) or from the series page.

    `as_if_live` counts `current` as live whatever its status: a preview shows the part in its place.
    """
    parts = numbered_parts([series.id])[series.id]
    if as_if_live and current is not None:
        parts = [series_rules.Part(part.slug, part.title, part.number, Status.PUBLISHED, now)
                 if part.slug == current.slug else part for part in parts]
    return series_rules.navigation(parts, now, current.slug if current is not None else None)


def series_navigations(articles: Sequence[Article], now: datetime) -> dict[int, series_rules.SeriesNav]:
    """Return each of `articles` in a series with its navigation (article id -> nav), in one query."""
    in_series = [(article, article.series_id) for article in articles if article.series_id is not None]
    parts = numbered_parts({series_id for _, series_id in in_series})
    return {article.id: series_rules.navigation(parts[series_id], now, article.slug)
            for article, series_id in in_series}


def numbered_parts(series_ids: Iterable[int]) -> dict[int, list[series_rules.Part]]:
    """Every part of each series, live or not, as the series rules number them (series id -> parts), in one query
    that reads no body."""
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
    """Return every year (in site time `zone`) with live articles, newest first, in two indexed queries."""
    local = ZoneInfo(zone)
    shown = Article.shown_at
    ends = [select(shown).where(Article.status == status, Article.publish_at <= now).order_by(order).limit(1)
            .scalar_subquery() for status in sorted(LIVE_STATUSES) for order in (shown, shown.desc())]
    found = [_aware(moment) for moment in db.session.execute(select(*ends)).one() if moment is not None]
    if not found:
        return []
    candidates = range(max(found).astimezone(local).year, min(found).astimezone(local).year - 1, -1)
    present = db.session.execute(select(*(
        _dated(now, datetime(year, 1, 1, tzinfo=local), datetime(year + 1, 1, 1, tzinfo=local)).exists()
        for year in candidates))).one()
    return [year for year, is_present in zip(candidates, present, strict=True) if is_present]


def archive(now: datetime, zone: str, year: int | None = None, *, years: list[int] | None = None) -> Archive | None:
    """Return one year of live articles by month (in site time `zone`), newest first: `year`, or the latest year
    with any; None if `year` has none. A year of at most ARCHIVE_PER_PAGE articles is listed whole; a larger one
    gives its months and how many each holds. `years` are those `archive_years` gives, when known already.
    """
    local = ZoneInfo(zone)
    years = archive_years(now, zone) if years is None else years
    if not years:
        return Archive(year=None, months=[], years=[])
    year = years[0] if year is None else year
    if year not in years:
        return None
    start, end = datetime(year, 1, 1, tzinfo=local), datetime(year + 1, 1, 1, tzinfo=local)
    # Unordered, so that the scan stops after one more than a page; the few rows are ordered here.
    rows = list(db.session.execute(_entries(now, start, end).order_by(None).limit(ARCHIVE_PER_PAGE + 1)))
    if len(rows) <= ARCHIVE_PER_PAGE:
        by_month: dict[date, list[ArchiveEntry]] = {}
        for item in sorted(rows, key=lambda row: (row.shown_at, row.id), reverse=True):
            moment = item.shown_at.astimezone(local)
            by_month.setdefault(date(moment.year, moment.month, 1), []).append(item)
        return Archive(year=year, months=[Month(first, len(items), items) for first, items in by_month.items()],
                       years=years)
    firsts = [date(year, number, 1) for number in range(12, 0, -1)]
    months = [_month_bounds(first, local) for first in firsts]
    shown = Article.shown_at
    # One pass over the year's range of ix_articles_shown_live, each month counted as it goes by.
    counts = db.session.execute(_dated(now, start, end).with_only_columns(
        *(func.count().filter(shown >= begins, shown < ends) for begins, ends in months))).one()
    return Archive(year=year, months=[Month(first, count, []) for first, count in zip(firsts, counts, strict=True)
                                      if count], years=years)


def archive_month(now: datetime, zone: str, first_day: date, *, page: int = 1,
                  years: list[int]) -> Archive | None:
    """Return page `page` (from 1) of the live articles dated in the month of `first_day` (site time `zone`),
    newest first, ARCHIVE_PER_PAGE a page; None if that page is empty. `years` are those `archive_years` gives.
    """
    local = ZoneInfo(zone)
    query = _entries(now, *_month_bounds(first_day, local))
    rows = list(db.session.execute(query.offset((page - 1) * ARCHIVE_PER_PAGE).limit(ARCHIVE_PER_PAGE + 1)))
    if not rows:
        return None
    shown = rows[:ARCHIVE_PER_PAGE]
    return Archive(year=first_day.year, months=[Month(first_day, len(shown), list(shown))], years=years,
                   month=first_day, page=page, has_next=len(rows) > ARCHIVE_PER_PAGE)


def _month_bounds(first_day: date, local: ZoneInfo) -> tuple[datetime, datetime]:
    after = date(first_day.year + first_day.month // 12, first_day.month % 12 + 1, 1)
    return (datetime(first_day.year, first_day.month, 1, tzinfo=local),
            datetime(after.year, after.month, 1, tzinfo=local))


def _dated(now: datetime, start: datetime, end: datetime) -> Select[Article]:
    """Live articles dated from `start` to before `end` by the date readers see: an article published again later
    stays where it was first published. A range of ix_articles_shown_live."""
    return select(Article).where(is_live_clause(now), Article.shown_at >= start, Article.shown_at < end)


def _entries(now: datetime, start: datetime, end: datetime) -> Select[int, str, str, datetime | None]:
    """What the archive shows of the live articles dated from `start` to before `end`, newest first: plain rows,
    not articles with their bodies."""
    return (_dated(now, start, end)
            .with_only_columns(Article.id, Article.slug, Article.title, Article.shown_at.label("shown_at"))
            .order_by(Article.shown_at.desc(), Article.id.desc()))


def sitemap_extent() -> dict[str, int]:
    """Return the highest id of each of SITEMAP_KINDS (0 for none) in one query: the sitemap is cut into ranges of
    ids, known without reading what they hold."""
    tables = {"page": Page.id, "series": Series.id, "tag": Tag.id, "article": Article.id}
    highest = db.session.execute(select(*(select(func.max(tables[kind])).scalar_subquery()
                                          for kind in SITEMAP_KINDS))).one()
    return {kind: ident or 0 for kind, ident in zip(SITEMAP_KINDS, highest, strict=True)}


def sitemap(now: datetime, ranges: dict[str, tuple[int, int]]) -> list[SitemapEntry]:
    """Return the public URLs among the ids in `ranges` (kind -> first and last id): live articles, series and
    tags with live articles, published pages; in two queries, each reading ranges of ids."""
    entries = []
    # Each test for a live article starts from the series' or tag's own rows, an index lookup apiece.
    has_live_part = select(Article.id).where(Article.series_id == Series.id, is_live_clause(now)).exists()
    tagged_live = select(Article.id).where(Article.id == article_tag.c.article_id, is_live_clause(now)).exists()
    has_live_article = select(article_tag.c.article_id).where(article_tag.c.tag_id == Tag.id, tagged_live).exists()
    no_date = type_coerce(null(), UTCDateTime)
    others = {  # kind -> its id, what the sitemap reads of it, what makes it public
        "page": (Page.id, Page.slug, Page.updated_at, Page.is_published),
        "series": (Series.id, Series.slug, no_date, has_live_part),
        "tag": (Tag.id, Tag.slug, no_date, has_live_article),
    }
    parts = [select(ident, slug, changed, literal(SITEMAP_KINDS.index(kind)).label("rank"))
             .where(ident.between(*ranges[kind]), is_public)
             for kind, (ident, slug, changed, is_public) in others.items() if kind in ranges]
    if parts:
        entries += [SitemapEntry(SITEMAP_KINDS[rank], slug, _aware(changed) if changed is not None else None)
                    for _, slug, changed, rank in db.session.execute(union_all(*parts).order_by("rank", "id"))]
    if "article" in ranges:
        # By id alone, a range of ix_articles_sitemap that holds every column read, the live rule applied here
        # (core.visibility): with it in SQL a planner may take ix_articles_live and read every live article.
        rows = db.session.execute(select(Article.slug, Article.status, Article.publish_at, Article.updated_at,
                                         Article.shown_at).where(Article.id.between(*ranges["article"]))
                                  .order_by(Article.id))
        entries += [SitemapEntry("article", slug, _latest(updated_at, shown_at))
                    for slug, status, publish_at, updated_at, shown_at in rows
                    if visibility.is_live(status, publish_at, now)]
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

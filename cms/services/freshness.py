"""How fresh public content is: a version only what readers can see bumps, and the live set's next and last change.

Caches key on `state(now)`: an answer built for one state is right for every request with the same state,
in any process. A scheduled article going live changes the state at its time, with no write needed.

Three counters live in the one ContentVersion row. `version` counts every write to content, drafts included: the
related-articles index follows it. `public_version` counts only
the writes readers can see (`_is_seen`): a live article edited, published or withdrawn, a published page, a
series or tag that shows live articles, settings, redirects. Saving a draft, a review, or a scheduled article's
text before its time, an autosave, a revision or a preview link changes no public key, ETag or cached page.

`site_version` is the public version of the last of those writes that can change any page. An edit of a live
article in place (its text, summary, description or image; not what places it on the site: title, slug, dates,
status, series, tags, author) changes only the pages that show it. Such a write marks the article with its
public version (Article.seen_version), as the worker marks the articles whose related lists it moved
(`readers_see_articles`).
A page is built at one `State.key` (the site version and the live set), and records the articles it loaded
with their marks (`record_shown`, `shown`); it stays right while none of them is marked again (`still_right`).
Views that read what every article says (search, the sitemap's dates) follow every public version instead.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Hashable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any, Generic, TypeVar, cast
from weakref import WeakKeyDictionary

from sqlalchemy import Engine, Select, event, func, insert, inspect, select, update
from sqlalchemy.orm import ORMExecuteState, Session

from cms.core.visibility import is_live
from cms.core.workflow import Status
from cms.extensions import db
from cms.models import (
    Article,
    ContentVersion,
    Page,
    Redirect,
    RelatedChoice,
    Series,
    SiteSettings,
    Tag,
    User,
    article_tag,
)
from cms.services import reader

#: Rows whose change can change what a reader sees. Not the stored related scores: the worker marks the articles
#: whose lists they move (`readers_see_articles`), so writing them need not wait its turn at the content version,
#: which every save takes until it commits.
PUBLIC_MODELS = (Article, Page, Series, Tag, SiteSettings, Redirect, RelatedChoice)
_PUBLIC_TABLES = frozenset({model.__tablename__ for model in PUBLIC_MODELS} | {"article_tag", "user_photos"})
_BUMPED = "cms_content_version_bumped"
_SEEN = "cms_content_version_seen"  # session.info: the public version this transaction bumped to, if it did
_EVERYWHERE = "cms_content_version_everywhere"  # session.info: this transaction moved the site version
_MOVED = "cms_content_version_moved"  # session.info: this transaction moved the live set's times
_SERIES = "cms_content_version_series"  # session.info: this transaction wrote a series
_READS_ONLY = "cms_reads_only"  # session.info: its connection is in autocommit for a request that writes nothing
#: An article going live this soon counts as live: a request rendering it at its go-live, while an edit made
#: just before is not yet committed, must not keep the old text under the new key.
GO_LIVE_MARGIN = timedelta(minutes=1)


_T = TypeVar("_T")


class PerEngine(Generic[_T]):
    """A value this process keeps for each database engine (one in a site's process, one a test's in a test
    process), shared by its threads and forgotten with its engine."""

    def __init__(self) -> None:
        self._values: WeakKeyDictionary[Engine, _T] = WeakKeyDictionary()
        self._lock = threading.Lock()

    def get(self, engine: Engine) -> _T | None:
        with self._lock:
            return self._values.get(engine)

    def put(self, engine: Engine, value: _T) -> None:
        with self._lock:
            self._values[engine] = value

    def get_or_make(self, engine: Engine, make: Callable[[], _T]) -> _T:
        """The value kept for `engine`, made by `make` if there is none yet (once, whichever thread asks)."""
        with self._lock:
            value = self._values.get(engine)
            if value is None:
                value = self._values[engine] = make()
            return value


@dataclass(frozen=True)
class State:
    version: int
    live_since: datetime | None  # the newest go-live at or before now
    next_change_at: datetime | None  # the next scheduled go-live after now
    changed_at: datetime  # last write or go-live, for Last-Modified
    live_count: int = 0  # how many articles are live
    site_version: int = 0  # the public version of the last write that can change any page
    series_version: int = 0  # how many transactions have written a series
    engine: Any = field(default=None, compare=False, repr=False)  # whose database it is, for what is kept per state

    @property
    def key(self) -> str:
        """What every public page depends on: the site as a whole and the live set, not each article's text."""
        since = int(self.live_since.timestamp() * 1_000_000) if self.live_since else 0  # two go-lives a second
        return f"{self.site_version}.{since}"


@dataclass(frozen=True)
class _Bounds:
    """The live set's go-live times as read at `read_at`; right until a write moves them or `next_change_at`."""

    moved_at: datetime  # ContentVersion.live_set_changed_at when read
    read_at: datetime
    live_since: datetime | None
    next_change_at: datetime | None
    live_count: int

    def holds(self, moved_at: datetime, now: datetime) -> bool:
        return (moved_at == self.moved_at and self.read_at <= now
                and (self.next_change_at is None or now < self.next_change_at))


_bounds: PerEngine[_Bounds] = PerEngine()


def state(now: datetime) -> State:
    """Return the freshness of public content at `now`.

    One query by primary key, usually: the go-live times are read again only after a write that moves them (in
    any process: a status or publish time, an article added or removed), not a draft's save, or once the next
    scheduled go-live has passed. Asked again in the same transaction (a request) about a
    moment the answer still holds for, it answers the same without a query, so every part of a page is built
    for one state.
    """
    session = db.session()
    known = session.info.get(_STATE)
    if isinstance(known, _Answered) and known.holds(now):
        return known.state
    found = _state(now)
    session.info[_STATE] = _Answered(found, now)
    return found


_STATE = "cms_freshness_state"  # session.info: the state this transaction was last answered


@dataclass(frozen=True)
class _Answered:
    state: State
    at: datetime

    def holds(self, now: datetime) -> bool:
        """Whether `now` sees the same live set: not before the moment asked, nor at the next go-live."""
        return self.at <= now and (self.state.next_change_at is None or now < self.state.next_change_at)


def _state(now: datetime) -> State:
    row = _version_row()
    bounds = _bounds.get(db.engine)
    if bounds is None or not bounds.holds(row.live_set_changed_at, now):
        live_since, next_change_at, live_count = db.session.execute(select(
            select(func.max(Article.publish_at)).where(reader.is_live_clause(now)).scalar_subquery(),
            select(func.min(Article.publish_at)).where(reader.is_coming_clause(now)).scalar_subquery(),
            select(func.count(Article.id)).where(reader.is_live_clause(now)).scalar_subquery(),
        )).one()
        bounds = _Bounds(row.live_set_changed_at, now, _aware(live_since), _aware(next_change_at), live_count)
        _bounds.put(db.engine, bounds)
    written_at = row.public_changed_at
    changed_at = max(written_at, bounds.live_since) if bounds.live_since else written_at
    return State(version=row.public_version, live_since=bounds.live_since, next_change_at=bounds.next_change_at,
                 changed_at=changed_at, live_count=bounds.live_count, site_version=row.site_version,
                 series_version=row.series_version, engine=db.engine)


@dataclass(frozen=True)
class _VersionRow:
    version: int
    changed_at: datetime
    public_version: int
    public_changed_at: datetime
    site_version: int
    live_set_changed_at: datetime
    series_version: int


_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_VERSION_QUERY = select(ContentVersion.version, ContentVersion.changed_at, ContentVersion.public_version,
                        ContentVersion.public_changed_at, ContentVersion.site_version,
                        ContentVersion.live_set_changed_at, ContentVersion.series_version).where(ContentVersion.id == 1)


def reads_only() -> None:
    """Run this session's reads in autocommit, for a request that writes nothing (a reader's page).

    Each read sees the latest commit of any process, with no BEGIN and ROLLBACK around them, and the versions are
    read on the same connection: one connection from the pool and its one check instead of two.
    """
    session = db.session()
    if session.in_transaction():  # something read already (the signed-in user): its transaction stays as it is
        return
    # SQLite's driver begins a transaction only before a write, so its reads are in autocommit already; switching
    # would cost a PRAGMA now and another when the connection goes back to the pool.
    is_sqlite = session.get_bind().dialect.name == "sqlite"
    session.connection(execution_options={} if is_sqlite else {"isolation_level": "AUTOCOMMIT"})
    session.info[_READS_ONLY] = True


def _version_row() -> _VersionRow:
    """Read the versions in autocommit: on the session's connection if it reads only, else on one of its own,
    returned at once.

    Not in the session's transaction: it may have begun before another process committed, or hold this
    transaction's own bump, and every public request must see the latest commit of any process.
    """
    session = db.session()
    if session.info.get(_READS_ONLY):
        row = session.connection().execute(_VERSION_QUERY).one_or_none()
    else:
        with db.engine.connect() as connection:
            row = connection.execution_options(isolation_level="AUTOCOMMIT").execute(_VERSION_QUERY).one_or_none()
    if row is None:
        return _VersionRow(0, _EPOCH, 0, _EPOCH, 0, _EPOCH, 0)
    return _VersionRow(row.version, row.changed_at, row.public_version, row.public_changed_at or _EPOCH,
                       row.site_version, row.live_set_changed_at or _EPOCH, row.series_version)


def series_version(now: datetime) -> int | None:
    """How many transactions have written a series, as of this request's state (what it reads after is as
    current); None if this transaction wrote a series too: its count is not yet anyone else's, and may be rolled
    back."""
    session = db.session()
    session.flush()  # a series added but not yet written counts as written
    return None if _SERIES in session.info else state(now).series_version


def _aware(moment: datetime | None) -> datetime | None:
    """Aggregates bypass the column type, so the stored naive UTC comes back naive."""
    return moment.replace(tzinfo=UTC) if moment is not None and moment.tzinfo is None else moment


def _bump_after_flush(session: Session, _context: Any) -> None:
    """Once per transaction that touches content, count one more version; one more public version if readers
    can see the change."""
    touched = [item for item in (*session.new, *session.dirty, *session.deleted)
               if isinstance(item, PUBLIC_MODELS) or (isinstance(item, User) and _has_new_profile(item))]
    if not touched:
        return
    now = datetime.now(UTC) + GO_LIVE_MARGIN
    seen = [item for item in touched if _is_seen(session, item, now)]
    _bump(session, is_seen=bool(seen), is_everywhere=any(not _is_in_place(item, now) for item in seen),
          moves_live_set=any(_moves_live_set(session, item) for item in touched),
          writes_series=any(isinstance(item, Series) for item in touched))
    articles = [item.id for item in seen if isinstance(item, Article) and item not in session.deleted]
    if articles:  # marked with this transaction's public version (see Article.seen_version)
        session.connection().execute(update(Article).where(Article.id.in_(articles))
                                     .values(seen_version=session.info[_SEEN]))


def _is_seen(session: Session, item: Any, now: datetime) -> bool:
    """Whether readers can see the change to `item` being flushed: before it or after it, it is public."""
    state = inspect(item)
    if isinstance(item, Article):
        before = is_live(_before(item, "status"), _before(item, "publish_at"), now)
        after = is_live(item.status, item.publish_at, now)
        return (before and not state.pending) or (after and not state.deleted) or _moves_coming_part(session, item)
    if isinstance(item, Page):
        return (_before(item, "is_published") and not state.pending) or (item.is_published and not state.deleted)
    if isinstance(item, Tag):  # a new tag shows nowhere until a live article, itself flushed, carries it
        return not state.pending and _any_live(session, select(article_tag.c.article_id)
                                               .where(article_tag.c.tag_id == item.id), now)
    if isinstance(item, Series):
        return not state.pending and _any_live(session, select(Article.id).where(Article.series_id == item.id), now)
    if isinstance(item, RelatedChoice):  # shown only on a live article's page, only if the other is live
        return (_any_live(session, select(Article.id).where(Article.id == item.article_id), now)
                and _any_live(session, select(Article.id).where(Article.id == item.other_id), now))
    if isinstance(item, User):  # a byline and author box under each of their articles; the site author's home page
        return (_any_live(session, select(Article.id).where(Article.author_id == item.id), now)
                or _is_site_author(session, item))
    return True  # settings and redirects: every reader's


_PLACEMENT = ("status", "publish_at", "series_id", "series_part")
#: What places a live article on the site: lists, tag and series pages, the archive and the links made of titles
#: in other articles follow these. A change to anything else of a live article shows only where it is shown.
_SITE_WIDE = ("title", "slug", "status", "publish_at", "published_at", "series_id", "series_part", "tags",
              "author_id")


def _moves_live_set(session: Session, item: Any) -> bool:
    """Whether the change to `item` being flushed can move the live set's times or count (see `_Bounds`)."""
    if not isinstance(item, Article):
        return False
    return (item in session.new or item in session.deleted
            or any(inspect(item).attrs[name].history.has_changes() for name in ("status", "publish_at")))


def _is_in_place(item: Any, now: datetime) -> bool:
    """Whether the change to `item` being flushed is a live article's, staying live and where it was."""
    if not isinstance(item, Article):
        return False
    state = inspect(item)
    return (not state.pending and not state.deleted and is_live(item.status, item.publish_at, now)
            and is_live(_before(item, "status"), _before(item, "publish_at"), now)
            and not any(state.attrs[name].history.has_changes() for name in _SITE_WIDE))


def _moves_coming_part(session: Session, article: Article) -> bool:
    """Whether `article` is, or was, a scheduled part whose time or place changes: a series' navigation tells
    readers when its next part comes (never its title or text, so editing those shows nowhere)."""
    state = inspect(article)
    if not any(state.attrs[name].history.has_changes() for name in _PLACEMENT):
        return False
    now = datetime.now(UTC)
    series_ids = {series_id for series_id, status, publish_at in (
        (_before(article, "series_id"), _before(article, "status"), _before(article, "publish_at")),
        (article.series_id, article.status, article.publish_at))
        if series_id is not None and status is Status.SCHEDULED and publish_at is not None and publish_at > now}
    return bool(series_ids) and _any_live(session, select(Article.id).where(Article.series_id.in_(series_ids)),
                                          now + GO_LIVE_MARGIN)


#: What readers see of a user, beside their articles (services.users.byline).
_PROFILE = ("name", "credentials", "bio", "photo")


def _is_site_author(session: Session, user: User) -> bool:
    """Whether `user` is, or was until this flush, the author the settings name (users.site_author_photo)."""
    named = session.connection().execute(select(SiteSettings.author_name)).scalars().all()
    return bool({user.name, _before(user, "name")} & set(named))


def _has_new_profile(user: User) -> bool:
    return any(inspect(user).attrs[name].history.has_changes() for name in _PROFILE)


def _before(item: Any, name: str) -> Any:
    """The value of attribute `name` of `item` as the database had it before this flush."""
    history = inspect(item).attrs[name].history
    if history.deleted:
        return history.deleted[0]
    return getattr(item, name)


def _any_live(session: Session, ids: Select[Any], now: datetime) -> bool:
    """Whether any article among `ids` (a select of article ids) is live at `now`, read on the flushing
    connection (a session query would flush again)."""
    query = select(select(Article.id).where(Article.id.in_(ids), reader.is_live_clause(now)).exists())
    return bool(session.connection().execute(query).scalar())


def _bump_on_bulk_write(state: ORMExecuteState) -> None:
    """INSERT, UPDATE and DELETE statements run past the unit of work; they count too, and are taken as seen by
    readers (redirects, tags merged)."""
    if not (state.is_insert or state.is_update or state.is_delete):
        return
    table = getattr(state.statement, "table", None)
    if table is not None and table.name in _PUBLIC_TABLES:
        _bump(state.session, is_seen=True, is_everywhere=True, moves_live_set=table.name == "articles",
              writes_series=table.name == Series.__tablename__)


def readers_see_this_transaction(session: Session) -> None:
    """Count this transaction's writes as seen by readers, whatever they touched (a rebuild of related lists)."""
    _bump(session, is_seen=True, is_everywhere=True)


def readers_see_articles(session: Session, ids: Iterable[int]) -> None:
    """Mark live articles whose pages change though nothing of theirs was written (related lists the worker moved):
    their pages are built again, and no others; search and the sitemap follow, as they follow every public write."""
    ids = list(ids)
    if not ids:
        return
    _bump(session, is_seen=True)
    # On the connection: an ORM update would count as a write of its own, placing the articles anew.
    session.connection().execute(update(Article).where(Article.id.in_(ids)).values(seen_version=session.info[_SEEN]))


def _bump(session: Session, *, is_seen: bool, is_everywhere: bool = False, moves_live_set: bool = False,
          writes_series: bool = False) -> None:
    info = session.info
    bumps_version, bumps_public = _BUMPED not in info, is_seen and _SEEN not in info
    bumps_site = is_everywhere and _EVERYWHERE not in info
    moves = moves_live_set and _MOVED not in info
    bumps_series = writes_series and _SERIES not in info
    if not (bumps_version or bumps_public or bumps_site or moves or bumps_series):
        return
    now = datetime.now(UTC)
    connection = session.connection()
    values: dict[str, Any] = {"version": ContentVersion.version + 1, "changed_at": now} if bumps_version else {}
    if bumps_public:
        values.update(public_version=ContentVersion.public_version + 1, public_changed_at=now)
    if bumps_site:  # SET reads the row as it was: the public version this transaction has, or is about to
        values["site_version"] = ContentVersion.public_version + 1 if bumps_public else ContentVersion.public_version
    if moves:
        values["live_set_changed_at"] = now
    if bumps_series:
        values["series_version"] = ContentVersion.series_version + 1
    row = connection.execute(update(ContentVersion).where(ContentVersion.id == 1).values(**values)
                             .returning(ContentVersion.public_version)).one_or_none()
    public_version = row.public_version if row is not None else int(is_seen)
    if row is None:
        connection.execute(insert(ContentVersion).values(id=1, version=1, changed_at=now,
                                                         public_version=public_version, public_changed_at=now,
                                                         site_version=int(is_everywhere), live_set_changed_at=now,
                                                         series_version=int(writes_series)))
    if bumps_version:
        info[_BUMPED] = True
    if bumps_public:
        info[_SEEN] = public_version  # this transaction's
    if bumps_site:
        info[_EVERYWHERE] = True
    if moves:
        info[_MOVED] = True
    if bumps_series:
        info[_SERIES] = True


class PerState(Generic[_T]):
    """Values computed from public content, kept in this process for as long as the content state holds.

    What only changes on a write readers can see (a page's linked body, series navigation, the menu) is
    computed once per state rather than once per request. Only the current state's values are kept, and at
    most `size` of them: a new state, in any process, or a go-live empties it. Keep plain values, never rows,
    which belong to one session.

    The state's key holds while a live article is edited in place, so a value also keeps the articles its
    computation loaded, with their marks, as a page does (`record_shown`): it is computed again once one of them
    is marked, and a page that uses it shows them too. An article it was given rather than loaded, it names by
    version (and, for its related list, its mark) in `what`. Values `what` names wholly (a card by its article's
    version) are made with `follows_loads=False`: what their computation loads counts for the page alone, so a
    batch read for several of them does not tie each to all.
    """

    def __init__(self, size: int, *, follows_loads: bool = True) -> None:
        self.size = size
        self.follows_loads = follows_loads
        self.key: tuple[Any, str] | None = None
        self.values: dict[Hashable, _Kept[_T]] = {}
        self.lock = threading.Lock()

    def get(self, now: datetime, what: Hashable, compute: Callable[[], _T]) -> _T:
        """Return the value for `what` at the state of `now`, computing it if this state has none yet."""
        current = state(now)
        key = (current.engine, current.key)
        with self.lock:
            if key != self.key:
                self.key, self.values = key, {}
            kept = self.values.get(what)
        if kept is None or not still_right(current, kept.shown, kept.version):
            made: tuple[_T, Shown] = _recording(compute) if self.follows_loads else (compute(), {})
            kept = _Kept(*made, version=current.version)
            with self.lock:
                if key == self.key:
                    self.values.pop(what, None)
                    if len(self.values) >= self.size:
                        self.values.pop(next(iter(self.values)))  # the oldest
                    self.values[what] = kept
        if kept.shown != {}:
            note_shown(kept.shown)
        return kept.value


@dataclass(frozen=True)
class _Kept(Generic[_T]):
    value: _T
    shown: Shown  # the articles computing it loaded, with their marks
    version: int  # the public version it was computed at


def _recording(compute: Callable[[], _T]) -> tuple[_T, Shown]:
    """Call `compute`, and return its value with the articles it loaded (see `record_shown`)."""
    session = db.session()
    outer = session.info.get(_SHOWN)
    record_shown(session)
    try:
        value = compute()
    finally:
        found = shown(session)
        if outer is not None:
            session.info[_SHOWN] = outer
    return value, found


def _forget_bump(session: Session, *_: Any) -> None:
    session.info.pop(_BUMPED, None)
    session.info.pop(_SEEN, None)
    session.info.pop(_EVERYWHERE, None)
    session.info.pop(_MOVED, None)
    session.info.pop(_SERIES, None)
    session.info.pop(_STATE, None)


# Which pages an in-place edit changes: those that loaded the article it marked.

_SHOWN = "cms_freshness_shown"  # session.info: article id -> its mark when this request first loaded it
#: Articles shown, by id and mark (Article.seen_version) when read; None: the page follows every article.
Shown = Mapping[int, int] | None


def record_shown(session: Session) -> None:
    """Note from now on every article `session` loads, with its mark: what the page being built shows."""
    session.info[_SHOWN] = {}


def note_shown(articles: Shown) -> None:
    """Count `articles` (id -> mark; None: every article) as shown by the page being built, if one is."""
    record = db.session().info.get(_SHOWN)
    if record is None:
        return
    if articles is None:
        record[0] = _UNMARKED  # no article has id 0: the page follows every article
        return
    for ident, mark in articles.items():
        record.setdefault(ident, mark)


def note_keys(keys: Iterable[reader.Key]) -> None:
    """Count the articles `keys` name as shown by the page being built, at their marks, read whole or not."""
    note_shown({key.id: key.mark for key in keys})


_Keys = TypeVar("_Keys", reader.Key | None, reader.Listing[reader.Key], list[reader.Key])


def kept_keys(now: datetime, what: Hashable, read: Callable[[], _Keys]) -> _Keys:
    """`read()`, the keys of the articles a page shows (an article's, a list's page), once per content state.

    Which articles a page lists, and where, changes only with the state: anything that places an article (a
    go-live, a title, a tag, a part number) is a write that changes every page. What a key says besides (the
    article's version and mark) changes with an edit in place, which marks the article, so they are read again.
    """
    def noted() -> _Keys:
        found = read()
        note_keys(found.items if isinstance(found, reader.Listing) else [found] if isinstance(found, reader.Key)
                  else found or [])
        return found

    return cast("_Keys", _keys.get(now, what, noted))  # each `what` is always read by the same `read`


#: Keys by the page and arguments that asked for them (see kept_keys).
_keys: PerState[Any] = PerState(size=4096)


def shown(session: Session) -> Shown:
    """The articles loaded since `record_shown`, and stop noting them; None if one was loaded without its mark."""
    found = session.info.pop(_SHOWN, {})
    return None if _UNMARKED in found.values() else found


_UNMARKED = -1  # in a record: an article loaded without its mark, so the page follows every article


def _note_loaded(article: Article, context: Any) -> None:
    record = context.session.info.get(_SHOWN) if context.session is not None else None
    if record is not None:  # the first load counts: a later read of its deferred text is never older
        mark = inspect(article).dict.get("seen_version")
        record.setdefault(article.id, _UNMARKED if mark is None else mark)


@dataclass
class _Marks:
    """The articles marked since this process began following (`since`), as of public version `version`."""

    since: int
    version: int
    articles: dict[int, int]  # article id -> its latest mark
    lock: threading.Lock


_marks: PerEngine[_Marks] = PerEngine()


def still_right(state: State, shown: Shown, version: int) -> bool:
    """Whether a page built at public version `version` and key `state.key`, showing `shown`, is right at `state`.

    In step with the database after a write readers see, by one query on the marks' index in each process.
    """
    if shown is None:
        return version == state.version
    if not shown:  # named wholly by what it is kept for (a card by its article's version)
        return True
    marks = _marks.get_or_make(state.engine, lambda: _Marks(state.version, state.version, {}, threading.Lock()))
    with marks.lock:
        if state.version > marks.version:
            marks.articles.update((ident, mark) for ident, mark in db.session.execute(
                select(Article.id, Article.seen_version).where(Article.seen_version > marks.version)))
            marks.version = state.version
    if version < marks.since:  # built before this process followed: marks between are unknown
        return False
    return all(marks.articles.get(ident, -1) <= mark for ident, mark in shown.items())


event.listen(Article, "load", _note_loaded)
event.listen(Session, "after_flush", _bump_after_flush)
event.listen(Session, "do_orm_execute", _bump_on_bulk_write)
event.listen(Session, "after_commit", _forget_bump)
event.listen(Session, "after_soft_rollback", _forget_bump)

"""How fresh public content is: a version only what readers can see bumps, and the live set's next and last change.

Caches key on `state(now)`: an answer built for one state is right for every request with the same state,
in any process. A scheduled article going live changes the state at its time, with no write needed.

Two counters live in the one ContentVersion row. `version` counts every write to content, drafts included: the
related-articles index and the go-live times below are read again after it moves. `public_version` counts only
the writes readers can see (`_is_seen`): a live article edited, published or withdrawn, a published page, a
series or tag that shows live articles, settings, redirects. Saving a draft, a review, or a scheduled article's
text before its time, an autosave, a revision or a preview link changes no public key, ETag or cached page.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Hashable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, Generic, TypeVar
from weakref import WeakKeyDictionary

from sqlalchemy import Select, event, func, insert, inspect, select, update
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
    RelatedScore,
    Series,
    SiteSettings,
    Tag,
    User,
    article_tag,
)
from cms.services import reader

#: Rows whose change can change what a reader sees.
PUBLIC_MODELS = (Article, Page, Series, Tag, SiteSettings, Redirect, RelatedChoice, RelatedScore)
_PUBLIC_TABLES = frozenset({model.__tablename__ for model in PUBLIC_MODELS} | {"article_tag", "user_photos"})
#: Computed scores follow the article write that moved them, which decides alone whether readers see it.
_FOLLOWING_TABLES = frozenset({RelatedScore.__tablename__})
_BUMPED = "cms_content_version_bumped"
_SEEN = "cms_content_version_seen"  # session.info: the public version this transaction bumped to, if it did
#: An article going live this soon counts as live: a request rendering it at its go-live, while an edit made
#: just before is not yet committed, must not keep the old text under the new key.
GO_LIVE_MARGIN = timedelta(minutes=1)


@dataclass(frozen=True)
class State:
    version: int
    live_since: datetime | None  # the newest go-live at or before now
    next_change_at: datetime | None  # the next scheduled go-live after now
    changed_at: datetime  # last write or go-live, for Last-Modified
    live_count: int = 0  # how many articles are live

    @property
    def key(self) -> str:
        since = int(self.live_since.timestamp()) if self.live_since else 0
        return f"{self.version}.{since}"


@dataclass(frozen=True)
class _Bounds:
    """The live set's go-live times as read at `read_at`; right until a write or `next_change_at`."""

    version: int
    written_at: datetime
    read_at: datetime
    live_since: datetime | None
    next_change_at: datetime | None
    live_count: int

    def holds(self, version: int, written_at: datetime, now: datetime) -> bool:
        return (version == self.version and written_at == self.written_at and self.read_at <= now
                and (self.next_change_at is None or now < self.next_change_at))


_bounds: WeakKeyDictionary[Any, _Bounds] = WeakKeyDictionary()  # per database engine, in this process


def state(now: datetime) -> State:
    """Return the freshness of public content at `now`.

    One query by primary key, usually: the go-live times are read again only after a write (in any process)
    or once the next scheduled go-live has passed. Asked again in the same transaction (a request) about a
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
    if bounds is None or not bounds.holds(row.version, row.changed_at, now):
        live_since, next_change_at, live_count = db.session.execute(select(
            select(func.max(Article.publish_at)).where(reader.is_live_clause(now)).scalar_subquery(),
            select(func.min(Article.publish_at)).where(reader.is_coming_clause(now)).scalar_subquery(),
            select(func.count(Article.id)).where(reader.is_live_clause(now)).scalar_subquery(),
        )).one()
        bounds = _Bounds(row.version, row.changed_at, now, _aware(live_since), _aware(next_change_at), live_count)
        _bounds[db.engine] = bounds
    written_at = row.public_changed_at
    changed_at = max(written_at, bounds.live_since) if bounds.live_since else written_at
    return State(version=row.public_version, live_since=bounds.live_since, next_change_at=bounds.next_change_at,
                 changed_at=changed_at, live_count=bounds.live_count)


@dataclass(frozen=True)
class _VersionRow:
    version: int
    changed_at: datetime
    public_version: int
    public_changed_at: datetime


_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_VERSION_QUERY = select(ContentVersion.version, ContentVersion.changed_at, ContentVersion.public_version,
                        ContentVersion.public_changed_at).where(ContentVersion.id == 1)


def _version_row() -> _VersionRow:
    """Read the versions on a pooled connection of its own, in autocommit, returned at once.

    Not the session's: a request's transaction may have begun before another process committed, and every
    public request must see the latest commit of any process. Autocommit spares the BEGIN and ROLLBACK round
    trips of a transaction around one read.
    """
    with db.engine.connect() as connection:
        row = connection.execution_options(isolation_level="AUTOCOMMIT").execute(_VERSION_QUERY).one_or_none()
    if row is None:
        return _VersionRow(0, _EPOCH, 0, _EPOCH)
    return _VersionRow(row.version, row.changed_at, row.public_version, row.public_changed_at or _EPOCH)


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
    _bump(session, is_seen=bool(seen))
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
    if isinstance(item, RelatedScore):
        return False  # see _FOLLOWING_TABLES
    if isinstance(item, User):  # a byline and author box under each of their articles; the site author's home page
        return (_any_live(session, select(Article.id).where(Article.author_id == item.id), now)
                or _is_site_author(session, item))
    return True  # settings and redirects: every reader's


_PLACEMENT = ("status", "publish_at", "series_id", "series_part")


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
    readers (redirects, tags merged) unless they only follow an article's write (computed scores)."""
    if not (state.is_insert or state.is_update or state.is_delete):
        return
    table = getattr(state.statement, "table", None)
    if table is not None and table.name in _PUBLIC_TABLES:
        _bump(state.session, is_seen=table.name not in _FOLLOWING_TABLES)


def readers_see_this_transaction(session: Session) -> None:
    """Count this transaction's writes as seen by readers, whatever they touched (a rebuild of related lists)."""
    _bump(session, is_seen=True)


def _bump(session: Session, *, is_seen: bool) -> None:
    if _BUMPED in session.info and (not is_seen or _SEEN in session.info):
        return
    now = datetime.now(UTC)
    connection = session.connection()
    first = _BUMPED not in session.info
    values: dict[str, Any] = {"version": ContentVersion.version + 1, "changed_at": now} if first else {}
    if is_seen:
        values.update(public_version=ContentVersion.public_version + 1, public_changed_at=now)
    row = connection.execute(update(ContentVersion).where(ContentVersion.id == 1).values(**values)
                             .returning(ContentVersion.version, ContentVersion.public_version)).one_or_none()
    version, public_version = (row.version, row.public_version) if row is not None else (1, int(is_seen))
    if row is None:
        connection.execute(insert(ContentVersion).values(id=1, version=1, changed_at=now,
                                                         public_version=public_version, public_changed_at=now))
    if first:
        session.info[_BUMPED] = version - 1  # one statement added the one, so this is the version it found
    if is_seen:
        session.info[_SEEN] = public_version  # this transaction's


_T = TypeVar("_T")


class PerState(Generic[_T]):
    """Values computed from public content, kept in this process for as long as the content state holds.

    What only changes on a write readers can see (a page's linked body, series navigation, the menu) is
    computed once per state rather than once per request. Only the current state's values are kept, and at
    most `size` of them: a new state, in any process, or a go-live empties it. Keep plain values, never rows,
    which belong to one session.
    """

    def __init__(self, size: int) -> None:
        self.size = size
        self.key: tuple[Any, str] | None = None
        self.values: dict[Hashable, _T] = {}
        self.lock = threading.Lock()

    def get(self, now: datetime, what: Hashable, compute: Callable[[], _T]) -> _T:
        """Return the value for `what` at the state of `now`, computing it if this state has none yet."""
        key = (db.engine, state(now).key)
        with self.lock:
            if key != self.key:
                self.key, self.values = key, {}
            if what in self.values:
                return self.values[what]
        value = compute()
        with self.lock:
            if key == self.key:
                if len(self.values) >= self.size:
                    self.values.pop(next(iter(self.values)))  # the oldest
                self.values[what] = value
        return value


def version_before_own_write(session: Session) -> int | None:
    """The content version `session`'s transaction found when it first wrote content; None if it has not.

    Its write holds the version row until it commits or rolls back, so no other transaction moves it meanwhile.
    """
    return session.info.get(_BUMPED)


def _forget_bump(session: Session, *_: Any) -> None:
    session.info.pop(_BUMPED, None)
    session.info.pop(_SEEN, None)
    session.info.pop(_STATE, None)


event.listen(Session, "after_flush", _bump_after_flush)
event.listen(Session, "do_orm_execute", _bump_on_bulk_write)
event.listen(Session, "after_commit", _forget_bump)
event.listen(Session, "after_soft_rollback", _forget_bump)

"""How fresh public content is: a version every write bumps, and the live set's next and last change.

Caches key on `state(now)`: an answer built for one state is right for every request with the same state,
in any process. A scheduled article going live changes the state at its time, with no write needed.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from weakref import WeakKeyDictionary

from sqlalchemy import event, func, insert, select, update
from sqlalchemy.orm import ORMExecuteState, Session

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
    User,  # the import above is at the line limit
)
from cms.services import reader

#: Rows whose change can change what a reader sees; a user's name, bio and photo are in bylines and author boxes,
#: and the site author's photo is on the home page.
PUBLIC_MODELS = (Article, Page, Series, Tag, SiteSettings, Redirect, RelatedChoice, RelatedScore, User)
_PUBLIC_TABLES = frozenset({model.__tablename__ for model in PUBLIC_MODELS} | {"article_tag", "user_photos"})
_BUMPED = "cms_content_version_bumped"


@dataclass(frozen=True)
class State:
    version: int
    live_since: datetime | None  # the newest go-live at or before now
    next_change_at: datetime | None  # the next scheduled go-live after now
    changed_at: datetime  # last write or go-live, for Last-Modified

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

    def holds(self, version: int, written_at: datetime, now: datetime) -> bool:
        return (version == self.version and written_at == self.written_at and self.read_at <= now
                and (self.next_change_at is None or now < self.next_change_at))


_bounds: WeakKeyDictionary[Any, _Bounds] = WeakKeyDictionary()  # per database engine, in this process


def state(now: datetime) -> State:
    """Return the freshness of public content at `now`.

    One query by primary key, usually: the go-live times are read again only after a write (in any process)
    or once the next scheduled go-live has passed.
    """
    version, written_at = _version_row()
    bounds = _bounds.get(db.engine)
    if bounds is None or not bounds.holds(version, written_at, now):
        live_since, next_change_at = db.session.execute(select(
            select(func.max(Article.publish_at)).where(reader.is_live_clause(now)).scalar_subquery(),
            select(func.min(Article.publish_at)).where(reader.is_coming_clause(now)).scalar_subquery(),
        )).one()
        bounds = _Bounds(version, written_at, now, _aware(live_since), _aware(next_change_at))
        _bounds[db.engine] = bounds
    changed_at = max(written_at, bounds.live_since) if bounds.live_since else written_at
    return State(version=version, live_since=bounds.live_since, next_change_at=bounds.next_change_at,
                 changed_at=changed_at)


_VERSION_QUERY = select(ContentVersion.version, ContentVersion.changed_at).where(ContentVersion.id == 1)


def _version_row() -> tuple[int, datetime]:
    """Read the version on a pooled connection of its own, in autocommit, returned at once.

    Not the session's: a request's transaction may have begun before another process committed, and every
    public request must see the latest commit of any process. Autocommit spares the BEGIN and ROLLBACK round
    trips of a transaction around one read.
    """
    with db.engine.connect() as connection:
        row = connection.execution_options(isolation_level="AUTOCOMMIT").execute(_VERSION_QUERY).one_or_none()
    if row is None:
        return 0, datetime(1970, 1, 1, tzinfo=UTC)
    return row.version, row.changed_at


def _aware(moment: datetime | None) -> datetime | None:
    """Aggregates bypass the column type, so the stored naive UTC comes back naive."""
    return moment.replace(tzinfo=UTC) if moment is not None and moment.tzinfo is None else moment


def _bump_after_flush(session: Session, _context: Any) -> None:
    """Once per transaction that touches public content, count one more version."""
    touched = (*session.new, *session.dirty, *session.deleted)
    if any(isinstance(item, PUBLIC_MODELS) for item in touched):
        _bump(session)


def _bump_on_bulk_write(state: ORMExecuteState) -> None:
    """INSERT, UPDATE and DELETE statements run past the unit of work; they count too."""
    if not (state.is_insert or state.is_update or state.is_delete):
        return
    table = getattr(state.statement, "table", None)
    if table is not None and table.name in _PUBLIC_TABLES:
        _bump(state.session)


def _bump(session: Session) -> None:
    if _BUMPED in session.info:
        return
    now = datetime.now(UTC)
    connection = session.connection()
    bumped = connection.execute(update(ContentVersion).where(ContentVersion.id == 1)
                                .values(version=ContentVersion.version + 1, changed_at=now)
                                .returning(ContentVersion.version)).scalar_one_or_none()
    if bumped is None:
        connection.execute(insert(ContentVersion).values(id=1, version=1, changed_at=now))
        bumped = 1
    session.info[_BUMPED] = bumped - 1  # one statement added the one, so this is the version it found


def version_before_own_write(session: Session) -> int | None:
    """The content version `session`'s transaction found when it first wrote public content; None if it has not.

    Its write holds the version row until it commits or rolls back, so no other transaction moves it meanwhile.
    """
    return session.info.get(_BUMPED)


def _forget_bump(session: Session, *_: Any) -> None:
    session.info.pop(_BUMPED, None)


event.listen(Session, "after_flush", _bump_after_flush)
event.listen(Session, "do_orm_execute", _bump_on_bulk_write)
event.listen(Session, "after_commit", _forget_bump)
event.listen(Session, "after_soft_rollback", _forget_bump)

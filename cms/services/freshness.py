"""How fresh public content is: a version every write bumps, and the live set's next and last change.

Caches key on `state(now)`: an answer built for one state is right for every request with the same state,
in any process. A scheduled article going live changes the state at its time, with no write needed.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import event, func, insert, select, update
from sqlalchemy.orm import Session

from cms.core.workflow import LIVE_STATUSES
from cms.extensions import db
from cms.models import (Article, ContentVersion, Page, Redirect, RelatedChoice, RelatedScore, Series,
                        SiteSettings, Tag)

#: Rows whose change can change what a reader sees.
PUBLIC_MODELS = (Article, Page, Series, Tag, SiteSettings, Redirect, RelatedChoice, RelatedScore)
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


def state(now: datetime) -> State:
    """Return the freshness of public content at `now` in two indexed queries."""
    row = db.session.execute(select(ContentVersion.version, ContentVersion.changed_at)
                             .where(ContentVersion.id == 1)).first()
    version, written_at = row if row else (0, datetime(1970, 1, 1, tzinfo=UTC))
    live = Article.status.in_(LIVE_STATUSES)
    live_since, next_change_at = db.session.execute(select(
        select(func.max(Article.publish_at)).where(live, Article.publish_at <= now).scalar_subquery(),
        select(func.min(Article.publish_at)).where(live, Article.publish_at > now).scalar_subquery(),
    )).one()
    live_since = _aware(live_since)
    changed_at = max(written_at, live_since) if live_since else written_at
    return State(version=version, live_since=live_since, next_change_at=_aware(next_change_at),
                 changed_at=changed_at)


def _aware(moment: datetime | None) -> datetime | None:
    """Aggregates bypass the column type, so the stored naive UTC comes back naive."""
    return moment.replace(tzinfo=UTC) if moment is not None and moment.tzinfo is None else moment


def _bump_after_flush(session: Session, _context: Any) -> None:
    """Once per transaction that touches public content, count one more version."""
    if session.info.get(_BUMPED):
        return
    touched = (*session.new, *session.dirty, *session.deleted)
    if not any(isinstance(item, PUBLIC_MODELS) for item in touched):
        return
    now = datetime.now(UTC)
    connection = session.connection()
    bumped = connection.execute(update(ContentVersion).where(ContentVersion.id == 1)
                                .values(version=ContentVersion.version + 1, changed_at=now))
    if bumped.rowcount == 0:
        connection.execute(insert(ContentVersion).values(id=1, version=1, changed_at=now))
    session.info[_BUMPED] = True


def _forget_bump(session: Session, *_: Any) -> None:
    session.info.pop(_BUMPED, None)


event.listen(Session, "after_flush", _bump_after_flush)
event.listen(Session, "after_commit", _forget_bump)
event.listen(Session, "after_soft_rollback", _forget_bump)

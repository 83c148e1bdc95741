"""Changing the site's time zone without moving anyone's schedule by surprise."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select

from cms.core import clock, zones
from cms.core.errors import InvalidInput
from cms.core.workflow import Status
from cms.extensions import db
from cms.models import Article, User
from cms.services import articles, site


@dataclass(frozen=True)
class Move:
    """One article with a publish time still to come, and where that time lands under each choice."""

    article: Article
    publish_at: datetime  # now, in UTC
    keeping_wall_clock: datetime  # in UTC: the same clock time in the new zone (09:00 stays 09:00)


@dataclass(frozen=True)
class ZoneChange:
    old: str
    new: str
    moves: list[Move]


def plan_change(wanted: str, *, default: str, now: datetime) -> ZoneChange:
    """Return what moving the site to zone `wanted` (a name, city or label) would do to publish times still to
    come; raises InvalidInput for an unknown or unchanged zone."""
    new = zones.resolve(wanted)
    if new is None:
        shown = wanted if len(wanted) <= 60 else wanted[:60] + "…"
        raise InvalidInput(f"“{shown}” is not a time zone; choose a city from the list, e.g. New York.",
                           field="timezone")
    old = site.timezone(default)
    if new == old:
        raise InvalidInput(f"The site is already on {zones.describe(new, now).label}.", field="timezone")
    moves = [Move(article=article, publish_at=article.publish_at,
                  keeping_wall_clock=clock.to_utc(clock.to_local(article.publish_at, old).replace(tzinfo=None), new))
             for article in _still_to_come(now) if article.publish_at is not None]
    return ZoneChange(old=old, new=new, moves=moves)


def change(wanted: str, *, keep_wall_clock: bool, by: User, default: str, now: datetime) -> ZoneChange:
    """Move the site to zone `wanted`. With `keep_wall_clock`, every publish time still to come keeps its clock
    time (09:00 stays 09:00 in the new zone), recorded as a reschedule; else each keeps its moment."""
    change = plan_change(wanted, default=default, now=now)
    if keep_wall_clock:
        for move in change.moves:
            articles.set_publish_at(move.article, move.keeping_wall_clock, by=by, now=now)
    site.settings().timezone = change.new
    db.session.flush()
    return change


def _still_to_come(now: datetime) -> list[Article]:
    """Articles whose publish time, set or planned, has not come yet: scheduled ones and planned drafts."""
    query = (select(Article).where(Article.status.in_((Status.DRAFT, Status.REVIEW, Status.SCHEDULED)),
                                   Article.publish_at > now).order_by(Article.publish_at, Article.id))
    return list(db.session.scalars(query))

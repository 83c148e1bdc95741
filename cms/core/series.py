"""Series navigation as readers get it: parts counted among live parts only, in the author's part order."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from cms.core import clock
from cms.core.visibility import is_live
from cms.core.workflow import Status

#: The highest part number: no series runs that long, and renumbering stays far from the integer column's end.
MAX_PART = 10_000
TOO_HIGH = f"Part numbers go up to {MAX_PART:,}."


@dataclass(frozen=True)
class Part:
    """One planned part of a series, whatever its status."""

    slug: str
    title: str
    number: int  # the author's part number; may have gaps and unpublished neighbours
    status: Status
    publish_at: datetime | None


@dataclass(frozen=True)
class Entry:
    """A live part as readers count it: `position` is 1 … total, with no gaps."""

    slug: str
    title: str
    position: int
    is_current: bool = False


@dataclass(frozen=True)
class Coming:
    """The next part, scheduled but not live yet: its number and time, never its title or text."""

    position: int
    publish_at: datetime


@dataclass(frozen=True)
class SeriesNav:
    contents: tuple[Entry, ...]
    current: Entry | None  # None on the series' own page
    previous: Entry | None
    next: Entry | None
    coming: Coming | None

    @property
    def total(self) -> int:
        return len(self.contents)

    @property
    def first(self) -> Entry | None:
        return self.contents[0] if self.contents else None


def navigation(parts: Sequence[Part], now: datetime, current_slug: str | None = None) -> SeriesNav:
    """Return the series' navigation at `now`, seen from the part `current_slug` (or from the series page).

    Only live parts are numbered and linked, so a draft or scheduled part never makes "Part 6 of 5" or a gap.
    Raises ValueError if `current_slug` is not a live part: readers never stand on one.
    """
    ordered = sorted(parts, key=lambda part: part.number)
    live = [part for part in ordered if is_live(part.status, part.publish_at, now)]
    contents = tuple(Entry(part.slug, part.title, position, part.slug == current_slug)
                     for position, part in enumerate(live, start=1))
    current = next((entry for entry in contents if entry.is_current), None)
    if current_slug is not None and current is None:
        raise ValueError(f"{current_slug!r} is not a live part of this series.")
    previous = following = None
    if current is not None:
        index = current.position - 1
        previous = contents[index - 1] if index > 0 else None
        following = contents[index + 1] if index + 1 < len(contents) else None
    return SeriesNav(contents=contents, current=current, previous=previous, next=following,
                     coming=_coming(ordered, live, now))


def _coming(ordered: list[Part], live: list[Part], now: datetime) -> Coming | None:
    """The soonest scheduled part after the last live one: readers will see it as the next number."""
    last_number = live[-1].number if live else 0
    waiting = [part.publish_at for part in ordered
               if part.number > last_number and part.status is Status.SCHEDULED
               and part.publish_at is not None and part.publish_at > now]
    return Coming(position=len(live) + 1, publish_at=min(waiting)) if waiting else None


def numbering_note(parts: Sequence[Part], slug: str, now: datetime, zone: str) -> str | None:
    """Say why readers number the part `slug` differently from its part number, and when that changes; None
    when the numbers agree.

    A live part is described as readers see it now; a scheduled one as they will when it goes live; any other
    (but archived) as they would if it were published now. Readers count live parts only (see `navigation`).
    """
    this = next((part for part in parts if part.slug == slug), None)
    if this is None or this.status is Status.ARCHIVED:
        return None
    if is_live(this.status, this.publish_at, now):
        at, prefix = now, "Readers see"
    elif this.status is Status.SCHEDULED and this.publish_at is not None:
        at, prefix = this.publish_at, f"When it goes live on {_when(this.publish_at, now, zone)}, readers will see"
    else:
        at, prefix = now, "Published now, readers would see"
    counted = sorted((part for part in parts if part is this or is_live(part.status, part.publish_at, at)),
                     key=lambda part: part.number)
    position = counted.index(this) + 1
    if position == this.number:
        return None
    seen = f"{prefix} Part {position} of {len(counted)}"
    earlier = sorted((part for part in parts if part.number < this.number and part not in counted),
                     key=lambda part: part.number)
    waiting = [(part.publish_at, part.number) for part in earlier
               if part.status is Status.SCHEDULED and part.publish_at is not None]
    gaps = sorted(set(range(1, this.number)) - {part.number for part in parts})
    change = ""
    if waiting:
        changes_at, number = min(waiting)
        change = f"Part {number} goes live on {_when(changes_at, now, zone)}"
        if len(earlier) == 1 and not gaps:
            return f"{seen} until {change}."
    reasons = [f"Part {part.number} {_standing(part, now, zone)}" for part in earlier]
    reasons += [f"there is no Part {number}" for number in gaps]
    changes = f" That changes when {change}." if change else ""
    return f"{seen}, because {_and(reasons)}.{changes}"


def _standing(part: Part, now: datetime, zone: str) -> str:
    if part.status is Status.SCHEDULED and part.publish_at is not None:
        return f"goes live only on {_when(part.publish_at, now, zone)}"
    return {Status.DRAFT: "is a draft", Status.REVIEW: "is in review", Status.ARCHIVED: "is archived"}.get(
        part.status, "is not live yet")


def _when(moment: datetime, now: datetime, zone: str) -> str:
    local = clock.to_local(moment, zone)
    year = f" {local.year}" if local.year != clock.to_local(now, zone).year else ""
    return f"{local.day} {local:%B}{year} at {local:%H:%M}"


def _and(items: list[str]) -> str:
    return items[0] if len(items) == 1 else f"{', '.join(items[:-1])} and {items[-1]}"

"""The one source of the current time; only web views and CLI commands call it, everything else takes `now`."""

from datetime import UTC, date, datetime, tzinfo
from typing import TypeVar
from zoneinfo import ZoneInfo

from cms.core.errors import InvalidInput

#: The dates accepted wherever a date comes in (writing screen, imports, restore): any real article fits, and
#: converting between zones never reaches the ends of `datetime`, where it overflows.
EARLIEST = date(1900, 1, 1)
LATEST = date(2200, 12, 31)


def now() -> datetime:
    """Return the current time, aware, in UTC."""
    return datetime.now(UTC)


def to_utc(moment: datetime, zone: tzinfo | str) -> datetime:
    """Return `moment` in UTC; a naive moment is read as wall time in `zone` (the site's)."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=ZoneInfo(zone) if isinstance(zone, str) else zone)
    return moment.astimezone(UTC)


def to_local(moment: datetime, zone: tzinfo | str) -> datetime:
    """Return the aware `moment` as wall time in `zone`."""
    return moment.astimezone(ZoneInfo(zone) if isinstance(zone, str) else zone)


_Moment = TypeVar("_Moment", datetime, date)


def check_range(moment: _Moment) -> _Moment:
    """Return `moment` if its date, as written, lies between EARLIEST and LATEST; else raise InvalidInput."""
    day = moment.date() if isinstance(moment, datetime) else moment
    if not EARLIEST <= day <= LATEST:
        raise InvalidInput(f"The date {day.isoformat()} is out of range; dates must lie between "
                           f"{EARLIEST.isoformat()} and {LATEST.isoformat()}.")
    return moment

"""The one source of the current time; only web views and CLI commands call it, everything else takes `now`."""

from datetime import UTC, datetime, tzinfo
from zoneinfo import ZoneInfo


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

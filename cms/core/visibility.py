"""The one rule that decides what a reader may see."""

from datetime import datetime

from cms.core.workflow import LIVE_STATUSES, Status


def is_live(status: Status, publish_at: datetime | None, now: datetime) -> bool:
    """What readers may see; checked per request, so scheduling needs no background job."""
    return status in LIVE_STATUSES and publish_at is not None and publish_at <= now


def is_coming(status: Status, publish_at: datetime | None, now: datetime) -> bool:
    """Whether the article will go live at its `publish_at` with no further write: it is set to, later than now."""
    return status in LIVE_STATUSES and publish_at is not None and publish_at > now


def shown_status(status: Status, publish_at: datetime | None, now: datetime) -> Status:
    """The status the back office shows: what readers see at `now`, not the stored word.

    A scheduled article whose time has come is published (nothing needs to write that down); a published one
    with a time still ahead (an import may state that) is, for readers, scheduled.
    """
    if status in LIVE_STATUSES:
        return Status.PUBLISHED if is_live(status, publish_at, now) else Status.SCHEDULED
    return status

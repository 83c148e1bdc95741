"""Email subscriptions as rules: addresses, topics, who gets an article, and how sending failures are treated."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from email_validator import EmailNotValidError, validate_email

from cms.core.errors import InvalidInput
from cms.core.numbers import whole


class SubscriberStatus(StrEnum):
    PENDING = "pending"  # asked, never confirmed
    CONFIRMED = "confirmed"
    UNSUBSCRIBED = "unsubscribed"  # ended every subscription
    BOUNCED = "bounced"  # the mail server refused the address for good (a 5xx)


#: The subscribers an export lists and an admin counts as on the list.
LISTED = frozenset({SubscriberStatus.PENDING, SubscriberStatus.CONFIRMED})


class OutboxStatus(StrEnum):
    PENDING = "pending"  # waiting, or waiting to be tried again at next_attempt_at
    SENT = "sent"
    FAILED = "failed"  # refused for good, or the address bounced


SITE = "site"
MAX_ADDRESS = 254  # RFC 5321's longest path, less the angle brackets


def check_address(text: str) -> str:
    """Return the address `text` names, lowercased; raise InvalidInput (one sentence) if it is not one."""
    address = text.strip()
    if not address:
        raise InvalidInput("Enter your email address.", field="email")
    if len(address) > MAX_ADDRESS or any(ord(char) < 0x20 or ord(char) == 0x7F for char in address):
        raise InvalidInput("That is not an email address; check it and try again.", field="email")
    try:
        checked = validate_email(address, check_deliverability=False, allow_smtputf8=False)
    except EmailNotValidError:
        raise InvalidInput("That is not an email address; check it and try again.", field="email") from None
    return checked.normalized.lower()


@dataclass(frozen=True)
class Topic:
    """What a subscription follows: the whole site (`kind` "site"), or one series or tag by id."""

    kind: str  # "site", "series" or "tag"
    ident: int | None = None

    @property
    def key(self) -> str:
        """How the database stores it: "site", "series:3", "tag:12"."""
        return self.kind if self.ident is None else f"{self.kind}:{self.ident}"


def parse_topic(key: str) -> Topic | None:
    """Read a stored topic ("site", "series:3", "tag:12"); None if it is not one."""
    if key == SITE:
        return Topic(SITE)
    kind, _, ident = key.partition(":")
    number = whole(ident)
    if kind in ("series", "tag") and number is not None and number > 0:
        return Topic(kind, number)
    return None


def topics_for(series_id: int | None, tag_ids: list[int]) -> list[Topic]:
    """The topics whose subscribers get an article of `series_id` with tags `tag_ids`: one email each, however
    many of them one subscriber follows."""
    found = [Topic(SITE)]
    if series_id is not None:
        found.append(Topic("series", series_id))
    return found + [Topic("tag", ident) for ident in tag_ids]


def series_place(position: int | None, total: int) -> str:
    """ "Part 3 of 5", counting live parts as readers do; empty outside a series."""
    return f"Part {position} of {total}" if position else ""


#: Waits before each new try after a temporary failure (4xx, or no answer); after the last, the email fails.
RETRY_DELAYS = (timedelta(minutes=1), timedelta(minutes=5), timedelta(minutes=15), timedelta(hours=1),
                timedelta(hours=4), timedelta(hours=12))


def next_attempt(attempts: int, now: datetime) -> datetime | None:
    """When to try again after `attempts` temporary failures; None once the tries are used up."""
    if attempts > len(RETRY_DELAYS):
        return None
    return now + RETRY_DELAYS[attempts - 1]


def is_permanent(code: int) -> bool:
    """Whether an SMTP reply code refuses for good (5xx), as opposed to "try again later" (4xx)."""
    return 500 <= code < 600

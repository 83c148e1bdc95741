"""Statuses, roles and who may move an article from one status to another."""

from __future__ import annotations

from collections.abc import Mapping
from enum import StrEnum

from cms.core.errors import NotAllowed, TransitionError


class Status(StrEnum):
    DRAFT = "draft"
    REVIEW = "review"
    SCHEDULED = "scheduled"
    PUBLISHED = "published"
    ARCHIVED = "archived"


class Role(StrEnum):
    AUTHOR = "author"
    EDITOR = "editor"
    ADMIN = "admin"


EVERYONE = frozenset(Role)
EDITORS = frozenset({Role.EDITOR, Role.ADMIN})
LIVE_STATUSES = frozenset({Status.SCHEDULED, Status.PUBLISHED})

#: Who may move an article between two statuses; a missing pair is not a move. The whole table lives here.
TRANSITIONS: Mapping[tuple[Status, Status], frozenset[Role]] = {
    (Status.DRAFT, Status.REVIEW): EVERYONE,
    (Status.REVIEW, Status.DRAFT): EVERYONE,
    (Status.DRAFT, Status.SCHEDULED): EDITORS,
    (Status.DRAFT, Status.PUBLISHED): EDITORS,
    (Status.REVIEW, Status.SCHEDULED): EDITORS,
    (Status.REVIEW, Status.PUBLISHED): EDITORS,
    (Status.SCHEDULED, Status.SCHEDULED): EDITORS,  # a reschedule
    (Status.SCHEDULED, Status.DRAFT): EDITORS,
    (Status.SCHEDULED, Status.PUBLISHED): EDITORS,
    (Status.SCHEDULED, Status.ARCHIVED): EDITORS,
    (Status.PUBLISHED, Status.ARCHIVED): EDITORS,
    (Status.PUBLISHED, Status.DRAFT): EDITORS,
    (Status.ARCHIVED, Status.DRAFT): EDITORS,
    (Status.ARCHIVED, Status.PUBLISHED): EDITORS,
}

#: What the buttons that make each move say.
ACTIONS: Mapping[Status, str] = {
    Status.DRAFT: "Back to draft",
    Status.REVIEW: "Submit for review",
    Status.SCHEDULED: "Schedule",
    Status.PUBLISHED: "Publish now",
    Status.ARCHIVED: "Archive",
}


def check_transition(current: Status, target: Status, role: Role) -> None:
    """Raise TransitionError if current -> target is no move, NotAllowed if `role` may not make it."""
    allowed = TRANSITIONS.get((current, target))
    if allowed is None:
        raise TransitionError(f"An article that is {current} cannot be moved to {target}.")
    if role not in allowed:
        raise NotAllowed(f"Only an editor or an admin can move an article from {current} to {target}.")


def moves(current: Status, role: Role) -> list[Status]:
    """Return the statuses `role` may move an article from `current` to, in workflow order."""
    return [target for target in Status if role in TRANSITIONS.get((current, target), ())]


def may_edit_any(role: Role) -> bool:
    """Whether `role` may edit articles written by others, and manage tags, series and pages."""
    return role in EDITORS

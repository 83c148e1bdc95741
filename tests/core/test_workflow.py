from datetime import UTC, datetime, timedelta

import pytest

from cms.core import workflow
from cms.core.errors import NotAllowed, TransitionError
from cms.core.visibility import is_live, shown_status
from cms.core.workflow import Role, Status

NOW = datetime(2025, 2, 11, 14, tzinfo=UTC)


@pytest.mark.parametrize("role", list(Role))
def test_everyone_can_submit_a_draft_for_review(role):
    workflow.check_transition(Status.DRAFT, Status.REVIEW, role)


@pytest.mark.parametrize("target", [Status.SCHEDULED, Status.PUBLISHED])
def test_author_cannot_publish_or_schedule(target):
    with pytest.raises(NotAllowed, match="Only an editor"):
        workflow.check_transition(Status.REVIEW, target, Role.AUTHOR)


@pytest.mark.parametrize("role", [Role.EDITOR, Role.ADMIN])
@pytest.mark.parametrize("target", [Status.SCHEDULED, Status.PUBLISHED])
def test_editors_can_publish_and_schedule(role, target):
    workflow.check_transition(Status.REVIEW, target, role)


def test_a_missing_pair_is_not_a_move():
    with pytest.raises(TransitionError, match="draft cannot be moved to archived"):
        workflow.check_transition(Status.DRAFT, Status.ARCHIVED, Role.ADMIN)


def test_moves_lists_what_a_role_may_do():
    assert workflow.moves(Status.DRAFT, Role.AUTHOR) == [Status.REVIEW]
    assert workflow.moves(Status.SCHEDULED, Role.EDITOR) == [
        Status.DRAFT, Status.SCHEDULED, Status.PUBLISHED, Status.ARCHIVED]


@pytest.mark.parametrize(("status", "publish_at", "live"), [
    (Status.PUBLISHED, NOW - timedelta(seconds=1), True),
    (Status.PUBLISHED, NOW, True),
    (Status.SCHEDULED, NOW, True),
    (Status.SCHEDULED, NOW + timedelta(seconds=1), False),
    (Status.PUBLISHED, None, False),
    (Status.DRAFT, NOW - timedelta(days=1), False),
    (Status.REVIEW, NOW - timedelta(days=1), False),
    (Status.ARCHIVED, NOW - timedelta(days=1), False),
])
def test_is_live(status, publish_at, live):
    assert is_live(status, publish_at, NOW) is live


@pytest.mark.parametrize(("status", "publish_at", "shown"), [
    (Status.SCHEDULED, NOW + timedelta(seconds=1), Status.SCHEDULED),
    (Status.SCHEDULED, NOW, Status.PUBLISHED),
    (Status.SCHEDULED, NOW - timedelta(days=1), Status.PUBLISHED),
    (Status.PUBLISHED, NOW - timedelta(days=1), Status.PUBLISHED),
    (Status.PUBLISHED, NOW + timedelta(days=1), Status.SCHEDULED),
    (Status.DRAFT, NOW - timedelta(days=1), Status.DRAFT),
    (Status.REVIEW, None, Status.REVIEW),
    (Status.ARCHIVED, NOW - timedelta(days=1), Status.ARCHIVED),
])
def test_shown_status_is_what_readers_see(status, publish_at, shown):
    assert shown_status(status, publish_at, NOW) is shown
    assert (shown is Status.PUBLISHED) == is_live(status, publish_at, NOW)

from datetime import UTC, datetime, timedelta

import pytest

from cms.core.series import Coming, Part, navigation
from cms.core.workflow import Status

NOW = datetime(2025, 2, 11, 14, tzinfo=UTC)
PAST, FUTURE = NOW - timedelta(days=7), NOW + timedelta(days=7)


def part(number: int, status: Status = Status.PUBLISHED, publish_at: datetime | None = PAST) -> Part:
    return Part(slug=f"part-{number}", title=f"Part {number} title", number=number, status=status,
                publish_at=publish_at)


def test_parts_follow_the_authors_order_not_dates():
    parts = [part(2, publish_at=PAST - timedelta(days=30)), part(1, publish_at=PAST), part(3)]
    nav = navigation(parts, NOW, "part-2")
    assert [entry.slug for entry in nav.contents] == ["part-1", "part-2", "part-3"]
    assert (nav.previous.slug, nav.current.position, nav.next.slug) == ("part-1", 2, "part-3")


def test_only_live_parts_are_counted_so_there_is_no_gap_and_no_part_six_of_five():
    parts = [part(1), part(2, Status.DRAFT, None), part(3), part(4, Status.REVIEW, None), part(5),
             part(6, Status.ARCHIVED)]
    nav = navigation(parts, NOW, "part-5")
    assert [(entry.slug, entry.position) for entry in nav.contents] == [("part-1", 1), ("part-3", 2), ("part-5", 3)]
    assert (nav.current.position, nav.total) == (3, 3)
    assert nav.previous.slug == "part-3" and nav.next is None


def test_a_scheduled_next_part_is_announced_by_number_and_date_only():
    nav = navigation([part(1), part(2), part(3, Status.SCHEDULED, FUTURE)], NOW, "part-2")
    assert nav.next is None
    assert nav.coming == Coming(position=3, publish_at=FUTURE)
    assert "part-3" not in {entry.slug for entry in nav.contents}


def test_the_soonest_scheduled_part_after_a_draft_is_the_one_coming():
    later = FUTURE + timedelta(days=7)
    parts = [part(1), part(2, Status.DRAFT, None), part(3, Status.SCHEDULED, later), part(4, Status.SCHEDULED, FUTURE)]
    assert navigation(parts, NOW, "part-1").coming == Coming(position=2, publish_at=FUTURE)


def test_a_scheduled_part_whose_time_has_come_is_live():
    parts = [part(1), part(2, Status.SCHEDULED, NOW)]
    nav = navigation(parts, NOW, "part-1")
    assert nav.next.slug == "part-2" and nav.coming is None


def test_the_current_part_is_marked_in_the_contents():
    nav = navigation([part(1), part(2), part(3)], NOW, "part-2")
    assert [entry.is_current for entry in nav.contents] == [False, True, False]


def test_from_the_series_page_there_is_no_current_part():
    nav = navigation([part(2), part(1)], NOW)
    assert nav.current is None and nav.previous is None and nav.next is None
    assert nav.first.slug == "part-1" and nav.total == 2


@pytest.mark.parametrize("slug", ["part-2", "no-such-part"])
def test_standing_on_a_part_that_is_not_live_is_refused(slug):
    with pytest.raises(ValueError, match="is not a live part"):
        navigation([part(1), part(2, Status.DRAFT, None)], NOW, slug)


def test_a_series_with_nothing_live_has_no_first_part():
    nav = navigation([part(1, Status.SCHEDULED, FUTURE)], NOW)
    assert nav.total == 0 and nav.first is None and nav.coming == Coming(1, FUTURE)

from datetime import UTC, datetime, timedelta

import pytest

from cms.core.series import Coming, Part, navigation, numbering_note
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


ZONE = "America/New_York"
DEC_1 = datetime(2025, 12, 1, 14, tzinfo=UTC)  # 09:00 in New York


def test_numbering_agrees_and_says_nothing_when_every_earlier_part_is_live():
    parts = [part(1), part(2), part(3, Status.SCHEDULED, FUTURE)]
    assert numbering_note(parts, "part-2", NOW, ZONE) is None
    assert numbering_note(parts, "part-3", NOW, ZONE) is None


def test_a_live_part_after_a_scheduled_one_says_when_readers_numbering_changes():
    parts = [part(1), part(2), part(3), part(4), part(5, Status.SCHEDULED, DEC_1), part(6)]
    assert numbering_note(parts, "part-6", NOW, ZONE) == \
        "Readers see Part 5 of 5 until Part 5 goes live on 1 December at 09:00."


def test_a_draft_or_a_missing_number_before_a_live_part_is_named_with_no_change_promised():
    parts = [part(1), part(3, Status.DRAFT, None), part(4)]
    assert numbering_note(parts, "part-4", NOW, ZONE) == \
        "Readers see Part 2 of 2, because Part 3 is a draft and there is no Part 2."


def test_several_reasons_still_say_when_the_next_change_comes():
    parts = [part(1), part(2, Status.REVIEW, None), part(3, Status.SCHEDULED, DEC_1), part(4)]
    assert numbering_note(parts, "part-4", NOW, ZONE) == (
        "Readers see Part 2 of 2, because Part 2 is in review and Part 3 goes live only on 1 December at 09:00. "
        "That changes when Part 3 goes live on 1 December at 09:00.")


def test_a_scheduled_part_is_described_as_readers_will_see_it_when_it_goes_live():
    parts = [part(1), part(2, Status.DRAFT, None), part(3, Status.SCHEDULED, DEC_1)]
    assert numbering_note(parts, "part-3", NOW, ZONE) == (
        "When it goes live on 1 December at 09:00, readers will see Part 2 of 2, because Part 2 is a draft.")


def test_a_part_scheduled_after_this_one_counts_only_once_live():
    later = datetime(2026, 1, 5, 14, tzinfo=UTC)
    parts = [part(1), part(2, Status.SCHEDULED, later), part(3, Status.SCHEDULED, DEC_1)]
    assert numbering_note(parts, "part-3", NOW, ZONE) == (
        "When it goes live on 1 December at 09:00, readers will see Part 2 of 2 until Part 2 goes live on "
        "5 January 2026 at 09:00.")


def test_a_draft_is_described_as_if_published_now_and_an_archived_part_not_at_all():
    parts = [part(1), part(2, Status.SCHEDULED, DEC_1), part(3, Status.DRAFT, None), part(4, Status.ARCHIVED)]
    assert numbering_note(parts, "part-3", NOW, ZONE) == \
        "Published now, readers would see Part 2 of 2 until Part 2 goes live on 1 December at 09:00."
    assert numbering_note(parts, "part-4", NOW, ZONE) is None
    assert numbering_note(parts, "no-such-part", NOW, ZONE) is None

from datetime import UTC, datetime

import pytest

from cms.core import zones

WINTER = datetime(2025, 2, 11, 14, tzinfo=UTC)
SUMMER = datetime(2025, 7, 8, 14, tzinfo=UTC)


@pytest.mark.parametrize(("typed", "name"), [
    ("New York", "America/New_York"), ("new  york", "America/New_York"), ("America/New_York", "America/New_York"),
    ("New York (America/New_York, UTC−05:00)", "America/New_York"), ("Buenos Aires", "America/Argentina/Buenos_Aires"),
    ("utc", "UTC"), ("US/Eastern", "US/Eastern"),
])
def test_a_zone_is_found_by_city_name_or_label(typed, name):
    assert zones.resolve(typed) == name


@pytest.mark.parametrize("typed", ["Mars/Olympus", "Atlantis", "", "x" * 5000, "a\x00b", "../../etc/passwd"])
def test_what_names_no_zone_resolves_to_nothing(typed):
    assert zones.resolve(typed) is None


def test_a_zone_is_labelled_by_city_with_its_offset_of_the_day():
    assert zones.describe("America/New_York", WINTER).label == "New York (America/New_York, UTC−05:00)"
    assert zones.describe("America/New_York", SUMMER).label == "New York (America/New_York, UTC−04:00)"
    assert zones.describe("Asia/Kolkata", WINTER).label == "Kolkata (Asia/Kolkata, UTC+05:30)"


def test_the_choices_start_with_utc_and_group_cities_by_region():
    choices = zones.choices(WINTER)
    assert choices[0].name == "UTC"
    regions = [zone.region for zone in choices[1:]]
    assert regions == sorted(regions)
    assert "New York (America/New_York, UTC−05:00)" in [zone.label for zone in choices]

from datetime import UTC, datetime

import pytest

from cms.core import clock
from cms.core.slugs import slugify, unique_slug


def test_naive_time_means_site_time():
    tuesday_nine = datetime(2025, 2, 11, 9, 0)
    assert clock.to_utc(tuesday_nine, "America/New_York") == datetime(2025, 2, 11, 14, 0, tzinfo=UTC)


def test_site_time_follows_daylight_saving():
    assert clock.to_utc(datetime(2025, 7, 8, 9, 0), "America/New_York") == datetime(2025, 7, 8, 13, 0, tzinfo=UTC)


def test_aware_time_keeps_its_offset():
    moment = datetime.fromisoformat("2024-10-08T09:00:00-04:00")
    assert clock.to_utc(moment, "Europe/Paris") == datetime(2024, 10, 8, 13, 0, tzinfo=UTC)


def test_now_is_aware_utc():
    assert clock.now().tzinfo is UTC


@pytest.mark.parametrize(("text", "slug"), [
    ("Mother–Daughter Relationships: Life Stages", "mother-daughter-relationships-life-stages"),
    ("Ça va? Übergänge!", "ca-va-ubergange"),
    ("  ", ""),
])
def test_slugify(text, slug):
    assert slugify(text) == slug


def test_unique_slug_counts_up():
    taken = {"grief", "grief-2"}
    assert unique_slug("Grief", taken.__contains__) == "grief-3"

"""The one range of dates the CMS accepts, wherever a date comes in."""

from datetime import UTC, date, datetime

import pytest

from cms.core import clock
from cms.core.errors import InvalidInput


@pytest.mark.parametrize("moment", [datetime(1900, 1, 1), datetime(2200, 12, 31, 23, 59, 59),
                                    datetime(2025, 2, 11, 9, tzinfo=UTC), date(2200, 12, 31)])
def test_dates_from_1900_to_2200_are_accepted_as_they_are(moment):
    assert clock.check_range(moment) == moment


@pytest.mark.parametrize(("moment", "shown"), [
    (datetime(1, 1, 1), "0001-01-01"), (datetime(1899, 12, 31, 23, 59), "1899-12-31"),
    (datetime(2201, 1, 1), "2201-01-01"), (datetime(9999, 12, 31, 23, 59), "9999-12-31"),
])
def test_dates_outside_1900_to_2200_are_refused_in_one_sentence(moment, shown):
    with pytest.raises(InvalidInput) as refused:
        clock.check_range(moment)
    assert str(refused.value) == (f"The date {shown} is out of range; dates must lie between 1900-01-01 "
                                  "and 2200-12-31.")


@pytest.mark.parametrize("zone", ["America/New_York", "Pacific/Kiritimati", "Etc/GMT+12"])
def test_every_date_in_range_converts_between_zones_without_overflow(zone):
    for moment in (datetime(1900, 1, 1), datetime(2200, 12, 31, 23, 59, 59)):
        utc = clock.to_utc(clock.check_range(moment), zone)
        assert clock.to_local(utc, zone).replace(tzinfo=None) == moment

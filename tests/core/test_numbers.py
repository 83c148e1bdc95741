"""Numbers as people type and read them."""

import pytest

from cms.core.numbers import file_size, whole


@pytest.mark.parametrize(("text", "number"), [("0", 0), ("42", 42), ("007", 7), ("", None), ("-1", None),
                                              ("4.5", None), ("¹", None), ("٣", None), ("9" * 19, None)])
def test_a_whole_number_is_ascii_digits_and_nothing_else(text, number):
    assert whole(text) == number


@pytest.mark.parametrize(("size", "told"), [(900, "900 bytes"), (1024, "1 KB"), (240 * 1024 + 5, "240 KB"),
                                            (50 * 1024 * 1024, "50 MB"), (int(12.34 * 1024 * 1024), "12.3 MB")])
def test_a_file_size_reads_as_people_say_it(size, told):
    assert file_size(size) == told

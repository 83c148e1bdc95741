"""The sitemap in parts: each kind's ids laid end to end and cut every `size` ids, so that a part is a few ranges
of ids, found from each kind's highest id without reading the rows."""

from collections.abc import Mapping


def part_count(extent: Mapping[str, int], size: int) -> int:
    """How many parts the ids of `extent` (kind -> highest id) fill; one at least, which lists the home page."""
    return max(1, -(-sum(extent.values()) // size))


def part(extent: Mapping[str, int], size: int, number: int) -> dict[str, tuple[int, int]]:
    """The ranges of ids (kind -> first and last) of part `number` (from 1), the kinds in the order of `extent`."""
    start, end = (number - 1) * size, number * size  # positions among all ids, counted from 0
    ranges = {}
    offset = 0
    for kind, highest in extent.items():
        first, last = max(start, offset), min(end, offset + highest)
        if first < last:
            ranges[kind] = (first - offset + 1, last - offset)
        offset += highest
    return ranges

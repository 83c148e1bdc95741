from cms.core import sitemaps

EXTENT = {"page": 3, "series": 0, "tag": 4, "article": 10}  # highest ids: 17 positions laid end to end


def test_parts_cover_every_id_once_in_kind_order():
    assert sitemaps.part_count(EXTENT, 5) == 4
    parts = [sitemaps.part(EXTENT, 5, number) for number in range(1, 5)]
    assert parts == [{"page": (1, 3), "tag": (1, 2)}, {"tag": (3, 4), "article": (1, 3)}, {"article": (4, 8)},
                     {"article": (9, 10)}]


def test_a_site_with_nothing_has_one_part_for_its_home_page():
    empty = dict.fromkeys(EXTENT, 0)
    assert sitemaps.part_count(empty, 5) == 1
    assert sitemaps.part(empty, 5, 1) == {}


def test_a_small_site_is_one_part_of_every_kind():
    assert sitemaps.part_count(EXTENT, 1000) == 1
    assert sitemaps.part(EXTENT, 1000, 1) == {"page": (1, 3), "tag": (1, 4), "article": (1, 10)}

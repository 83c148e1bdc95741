"""Series: ordered lists of articles."""

import threading
from typing import Any
from weakref import WeakKeyDictionary

from sqlalchemy import func, select

from cms.core.errors import InvalidInput
from cms.core.slugs import unique_slug
from cms.extensions import db
from cms.models import Article, Series
from cms.services import freshness


def find(title_or_slug: str) -> Series | None:
    """Return the series with this slug or this title (any case), or None."""
    key = title_or_slug.strip()
    return db.session.scalar(
        select(Series).where((Series.slug == key) | (func.lower(Series.title) == key.lower()))
    )


def find_or_create(title_or_slug: str) -> Series:
    """Return the series named, creating it with that title when there is none."""
    return find(title_or_slug) or create(title_or_slug)


def create(title: str, description: str = "", slug: str = "") -> Series:
    """Add a series; its slug comes from the title unless given."""
    title = title.strip()
    if not title:
        raise InvalidInput("A series needs a title.", field="title")
    series = Series(title=title, description=description,
                    slug=unique_slug(slug or title, _slug_taken))
    db.session.add(series)
    db.session.flush()
    return series


#: Per database: every series' (slug, title) as this process last read them, and the series version they were read at.
_titles: WeakKeyDictionary[Any, tuple[int, tuple[tuple[str, str], ...]]] = WeakKeyDictionary()
_titles_lock = threading.Lock()


def titles() -> tuple[tuple[str, str], ...]:
    """Return every series' (slug, title), by title, to choose from.

    A site of 100,000 articles has thousands of series, which every writing screen lists: they are read again only
    after a write to a series, in any process (`freshness.series_version`).
    """
    version, engine = freshness.series_version(), db.engine
    with _titles_lock:
        known = _titles.get(engine)
    if known is not None and known[0] == version:
        return known[1]
    rows = db.session.execute(select(Series.slug, Series.title).order_by(Series.title, Series.id))
    read = tuple((slug, title) for slug, title in rows)
    if version is not None:
        with _titles_lock:
            _titles[engine] = (version, read)
    return read


def next_part(series: Series) -> int:
    """Return the part number after the last one planned in `series`."""
    highest = db.session.scalar(select(func.max(Article.series_part)).where(Article.series_id == series.id))
    return (highest or 0) + 1


def _slug_taken(slug: str) -> bool:
    return db.session.scalar(select(Series.id).where(Series.slug == slug)) is not None

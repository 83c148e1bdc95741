"""Series: ordered lists of articles."""

from sqlalchemy import func, select

from cms.core.errors import InvalidInput
from cms.core.slugs import unique_slug
from cms.extensions import db
from cms.models import Article, Series


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


def next_part(series: Series) -> int:
    """Return the part number after the last one planned in `series`."""
    highest = db.session.scalar(select(func.max(Article.series_part)).where(Article.series_id == series.id))
    return (highest or 0) + 1


def _slug_taken(slug: str) -> bool:
    return db.session.scalar(select(Series.id).where(Series.slug == slug)) is not None

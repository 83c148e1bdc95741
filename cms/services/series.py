"""Series: ordered lists of articles."""

import itertools
from dataclasses import dataclass

from sqlalchemy import func, select

from cms.core import clock
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


#: How many series the writing screen suggests before anything is typed: every series of most sites; on a site
#: with more, the newest, and the others as she types (`titles(matching=...)`).
SUGGESTED = 100


@dataclass(frozen=True)
class _Known:
    """Every series' title as of one series version, kept by this process for the writing screen."""

    version: int
    by_title: tuple[tuple[str, str], ...]  # (title, its casefolded form to match), by title
    newest: tuple[str, ...]  # the SUGGESTED newest series' titles, by title


_known: freshness.PerEngine[_Known] = freshness.PerEngine()


def titles(matching: str = "", limit: int | None = None) -> list[str]:
    """Every series' title, by title; with `matching`, only the titles containing it (in any case), and at most
    `limit` of them."""
    wanted = matching.strip().casefold()
    found = (title for title, folded in _titles().by_title if wanted in folded)
    return list(found if limit is None else itertools.islice(found, limit))


def suggested() -> tuple[list[str], bool]:
    """The titles the writing screen suggests as it opens, by title, and whether they are every series."""
    known = _titles()
    if len(known.by_title) <= SUGGESTED:
        return [title for title, _ in known.by_title], True
    return list(known.newest), False


def _titles() -> _Known:
    """The series' titles, read again only after a write to a series in any process (`freshness.series_version`):
    a site of 100,000 articles has thousands of series, and every writing screen suggests some of them."""
    version, engine = freshness.series_version(clock.now()), db.engine
    known = _known.get(engine)
    if known is not None and known.version == version:
        return known
    rows = db.session.execute(select(Series.id, Series.title).order_by(Series.title, Series.id)).all()
    newest = sorted(sorted(rows, key=lambda row: row.id)[-SUGGESTED:], key=lambda row: (row.title, row.id))
    read = _Known(version or 0, tuple((title, title.casefold()) for _, title in rows),
                  tuple(title for _, title in newest))
    if version is not None:  # None: this transaction wrote a series, which may yet be rolled back
        _known.put(engine, read)
    return read


def next_part(series: Series) -> int:
    """Return the part number after the last one planned in `series`."""
    highest = db.session.scalar(select(func.max(Article.series_part)).where(Article.series_id == series.id))
    return (highest or 0) + 1


def _slug_taken(slug: str) -> bool:
    return db.session.scalar(select(Series.id).where(Series.slug == slug)) is not None

"""Old paths that answer 301 to their content's current URL, while that content is live."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import datetime

from sqlalchemy import delete, select, update

from cms.extensions import db
from cms.models import Redirect
from cms.services import reader

# Public paths are a promise (DESIGN.md); these are the ones whose slug can change.
ARTICLE_PATH = "/articles/{slug}"
PAGE_PATH = "/{slug}"
SERIES_PATH = "/series/{slug}"
TAG_PATH = "/tags/{slug}"
FEED_SUFFIX = r"(?:/feed\.(?:xml|atom))?"  # a series' or tag's feeds move with it


def add(old_path: str, new_path: str) -> None:
    """Make `old_path` answer 301 to `new_path`; earlier redirects to `old_path` follow along, so none chain."""
    if old_path == new_path:
        return
    db.session.execute(delete(Redirect).where(Redirect.old_path == new_path))  # the new path is content again
    db.session.execute(update(Redirect).where(Redirect.new_path == old_path).values(new_path=new_path))
    existing = db.session.scalar(select(Redirect).where(Redirect.old_path == old_path))
    if existing is None:
        db.session.add(Redirect(old_path=old_path, new_path=new_path))
    else:
        existing.new_path = new_path
    db.session.flush()


def target(path: str) -> str | None:
    """Return where `path` moved to, or None."""
    return db.session.scalar(select(Redirect.new_path).where(Redirect.old_path == path))


def live_target(path: str, now: datetime) -> str | None:
    """Return where `path` moved to if what is there is live at `now`, else None.

    An old address answers as its content does: 404 while an article is back in draft, archived or not yet
    due, so it never tells outsiders the new address of something they may not see.
    """
    new_path = target(path)
    return new_path if new_path is not None and _is_live(new_path, now) else None


def _pattern(path: str, suffix: str = "") -> re.Pattern[str]:
    return re.compile(re.escape(path).replace(re.escape("{slug}"), "(?P<slug>[^/]+)") + suffix)


#: What each kind of redirect target shows, and whether readers may see it now; the page pattern, which
#: matches any one-segment path, comes last.
_CONTENT: tuple[tuple[re.Pattern[str], Callable[[str, datetime], object]], ...] = (
    (_pattern(ARTICLE_PATH), reader.article),
    (_pattern(SERIES_PATH, FEED_SUFFIX), reader.series),
    (_pattern(TAG_PATH, FEED_SUFFIX), reader.tag),
    (_pattern(PAGE_PATH), lambda slug, _now: reader.page(slug)),
)


def _is_live(path: str, now: datetime) -> bool:
    for pattern, find in _CONTENT:
        if found := pattern.fullmatch(path):
            return find(found["slug"], now) is not None
    return False  # a target no content answers at: a 404 like any other

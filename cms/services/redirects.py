"""Old paths that answer 301 to their content's current URL."""

from sqlalchemy import delete, select, update

from cms.extensions import db
from cms.models import Redirect

# Public paths are a promise (DESIGN.md); these are the ones whose slug can change.
ARTICLE_PATH = "/articles/{slug}"
PAGE_PATH = "/{slug}"
SERIES_PATH = "/series/{slug}"
TAG_PATH = "/tags/{slug}"


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

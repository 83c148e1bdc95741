"""What readers see: every public query starts from `live_articles`."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Select, and_, func, select
from sqlalchemy.orm import selectinload

from cms.core.workflow import LIVE_STATUSES
from cms.extensions import db
from cms.models import Article, Page, Series


def is_live_clause(now: datetime):
    """The SQL twin of `core.visibility.is_live`."""
    return and_(Article.status.in_(LIVE_STATUSES), Article.publish_at <= now)


def live_articles(now: datetime) -> Select[tuple[Article]]:
    """Select the articles readers may see at `now`, newest first."""
    return select(Article).where(is_live_clause(now)).order_by(Article.publish_at.desc(), Article.id.desc())


def latest(now: datetime, limit: int = 10) -> list[Article]:
    """Return the newest live articles, with their tags and series loaded."""
    query = live_articles(now).options(selectinload(Article.tags), selectinload(Article.series)).limit(limit)
    return list(db.session.scalars(query))


def article(slug: str, now: datetime) -> Article | None:
    """Return the live article with this slug, or None."""
    return db.session.scalar(live_articles(now).where(Article.slug == slug))


def series_with_live_parts(now: datetime) -> list[tuple[Series, int]]:
    """Return every series that has live parts, with how many, by title."""
    count = func.count(Article.id)
    query = (select(Series, count).join(Article, and_(Article.series_id == Series.id, is_live_clause(now)))
             .group_by(Series.id).order_by(Series.title))
    return [(series, parts) for series, parts in db.session.execute(query)]


def page(slug: str) -> Page | None:
    """Return the published page with this slug, or None."""
    return db.session.scalar(select(Page).where(Page.slug == slug, Page.is_published))


def menu_pages() -> list[Page]:
    """Return the published pages shown in the site navigation, in menu order."""
    query = select(Page).where(Page.is_published, Page.menu_order.is_not(None)).order_by(Page.menu_order)
    return list(db.session.scalars(query))

"""Keeping stored content in step with the code that produced it."""

from typing import TypeVar

from sqlalchemy import select

from cms.core import rendering
from cms.extensions import db
from cms.models import Article, Page
from cms.services import media

_Body = TypeVar("_Body", Article, Page)


def rerender_stale() -> int:
    """Render again the bodies made by an older pipeline; return how many changed."""
    count = _rerender(Article) + _rerender(Page)
    db.session.flush()
    return count


def _rerender(model: type[_Body]) -> int:
    count = 0
    for item in db.session.scalars(select(model).where(model.html_version != rendering.PIPELINE_VERSION)):
        item.body_html = media.render_body(item.body_source)
        item.html_version = rendering.PIPELINE_VERSION
        if isinstance(item, Article):
            item.body_text = rendering.plain_text(item.body_html)
        count += 1
    return count

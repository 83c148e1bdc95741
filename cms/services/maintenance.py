"""Keeping stored content in step with the code that produced it."""

from typing import TypeVar

from sqlalchemy import select

from cms.core import rendering
from cms.extensions import db
from cms.models import Article, Page
from cms.services import media

_Body = TypeVar("_Body", Article, Page)


def rerender_stale() -> int:
    """Render again the bodies made by an older pipeline, and count the words of those never counted (restored
    from an older backup); return how many changed."""
    count = _rerender(Article) + _rerender(Page)
    for article in db.session.scalars(select(Article).where(Article.word_count.is_(None))):
        article.word_count = rendering.count_words(article.body_text)
        count += 1
    db.session.flush()
    return count


def _rerender(model: type[_Body]) -> int:
    count = 0
    for item in db.session.scalars(select(model).where(model.html_version != rendering.PIPELINE_VERSION)):
        item.body_html = media.render_body(item.body_source)
        item.html_version = rendering.PIPELINE_VERSION
        if isinstance(item, Article):
            item.body_text = rendering.plain_text(item.body_html)
            item.word_count = rendering.count_words(item.body_text)
        count += 1
    return count

"""Keeping stored content in step with the code that produced it."""

from sqlalchemy import select

from cms.core import rendering
from cms.extensions import db
from cms.models import Article, Page
from cms.services import media


def rerender_stale() -> int:
    """Render again the bodies made by an older pipeline; return how many changed."""
    count = 0
    for model in (Article, Page):
        stale = select(model).where(model.html_version != rendering.PIPELINE_VERSION)
        for item in db.session.scalars(stale):
            item.body_html = media.render_body(item.body_source)
            item.html_version = rendering.PIPELINE_VERSION
            if isinstance(item, Article):
                item.body_text = rendering.plain_text(item.body_html)
            count += 1
    db.session.flush()
    return count

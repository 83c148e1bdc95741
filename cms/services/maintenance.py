"""Keeping stored content in step with the code that produced it."""

from typing import Any

from sqlalchemy import Connection, bindparam, select, update

from cms.core import rendering
from cms.core.errors import InvalidInput
from cms.extensions import db
from cms.models import Article, Page
from cms.services import media


def rerender_stale() -> int:
    """Render again the bodies made by an older pipeline, and count the words of articles never counted (restored
    from an older backup); return how many changed.

    Rendering again is no edit: neither an item's edit version (editors' open tabs would then conflict with it)
    nor its time of change moves.
    """
    db.session.flush()
    count = render_again(stale_only=True) + _count_missing_words()
    db.session.expire_all()  # loaded items would still show the old HTML
    return count


def _count_missing_words() -> int:
    table = db.metadata.tables[Article.__tablename__]
    rows = db.session.execute(select(table.c.id, table.c.body_text).where(table.c.word_count.is_(None))).all()
    if rows:
        db.session.execute(update(table).where(table.c.id == bindparam("row_id"))
                           .values(word_count=bindparam("words"), updated_at=table.c.updated_at),
                           [{"row_id": row_id, "words": rendering.count_words(text or "")} for row_id, text in rows])
    return len(rows)


def render_again(*, stale_only: bool, connection: Connection | None = None) -> int:
    """Render and sanitize the body of every article and page (or of those an older pipeline made) from its
    Markdown, past the unit of work so that no version or time moves; return how many were rendered.

    Through the session, the site's content version moves on (cached pages hold the old HTML); through
    `connection`, it is left to the caller. A body that cannot be rendered raises InvalidInput naming its slug.
    """
    execute = connection.execute if connection is not None else db.session.execute
    count = 0
    for model in (Article, Page):
        table = db.metadata.tables[model.__tablename__]
        query = select(table.c.id, table.c.slug, table.c.body_source)
        if stale_only:
            query = query.where(table.c.html_version != rendering.PIPELINE_VERSION)
        changes = []
        for row_id, slug, source in execute(query).all():
            try:
                html = media.render_body(source or "")
            except InvalidInput as error:
                raise InvalidInput(f"{slug}: {error}") from None
            change: dict[str, Any] = {"row_id": row_id, "body_html": html, "html_version": rendering.PIPELINE_VERSION}
            if model is Article:
                change["body_text"] = rendering.plain_text(html)
                change["word_count"] = rendering.count_words(change["body_text"])
            changes.append(change)
        if changes:
            values: dict[str, Any] = {key: bindparam(key) for key in changes[0] if key != "row_id"}
            values["updated_at"] = table.c.updated_at  # kept, as the column would otherwise take its onupdate
            execute(update(table).where(table.c.id == bindparam("row_id")).values(values), changes)
        count += len(changes)
    return count

"""Moving content in and out: Markdown files with front matter (DESIGN.md's format)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

import frontmatter
import yaml

from cms.core import clock
from cms.core.errors import InvalidInput
from cms.core.workflow import Status
from cms.extensions import db
from cms.models import Article, Page, StatusChange, User
from cms.services import articles, pages, series as series_service


@dataclass
class Document:
    """One article or page as a Markdown file describes it."""

    kind: str  # "article" or "page"
    title: str
    body: str
    slug: str = ""
    status: Status = Status.DRAFT
    publish_at: datetime | None = None
    tags: list[str] = field(default_factory=list)
    series: str | None = None
    series_part: int | None = None
    summary: str = ""
    description: str = ""
    menu_order: int | None = None


def parse_markdown(text: str, *, source: str, zone: str) -> Document:
    """Read one Markdown file with front matter; a naive publish_at is wall time in `zone`.

    Raises InvalidInput naming `source` and the field that is wrong.
    """
    try:
        post = frontmatter.loads(text)
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        where = f" at line {mark.line + 1}" if mark else ""
        raise InvalidInput(f"{source}: the front matter is not valid YAML{where}.") from None
    meta: dict[str, Any] = dict(post.metadata)
    kind = str(meta.get("type", "article")).lower()
    if kind not in ("article", "page"):
        raise InvalidInput(f"{source}: type must be article or page, not {kind!r}.", field="type")
    title = str(meta.get("title") or "").strip()
    if not title:
        raise InvalidInput(f"{source}: the front matter needs a title.", field="title")
    return Document(
        kind=kind, title=title, body=post.content, slug=str(meta.get("slug") or ""),
        status=_status(meta.get("status", "draft"), source), publish_at=_time(meta.get("publish_at"), source, zone),
        tags=_tags(meta.get("tags"), source), series=_optional_text(meta.get("series")),
        series_part=_part(meta.get("series_part"), source), summary=str(meta.get("summary") or ""),
        description=str(meta.get("description") or ""), menu_order=_integer(meta.get("menu_order"), "menu_order", source),
    )


def apply(document: Document, *, by: User, now: datetime) -> tuple[str, Article | Page]:
    """Create or update (matched on slug) what `document` describes; return ("created"|"updated", it)."""
    if document.kind == "page":
        existing_page = pages.find_by_slug(document.slug) if document.slug else None
        page = pages.save(existing_page, title=document.title, body_source=document.body, slug=document.slug,
                          is_published=document.status is Status.PUBLISHED, menu_order=document.menu_order)
        return ("updated" if existing_page else "created"), page
    data = articles.ArticleInput(
        title=document.title, body_source=document.body, summary=document.summary,
        description=document.description, slug=document.slug, tags=document.tags,
        series=series_service.find_or_create(document.series) if document.series else None,
        series_part=document.series_part,
    )
    existing = articles.find_by_slug(document.slug) if document.slug else None
    if existing is None:
        article = articles.create(data, by=by, now=now)
    else:
        article = articles.update(existing, data, by=by, now=now)
    _restore_status(article, document, by=by, now=now)
    return ("updated" if existing else "created"), article


def _restore_status(article: Article, document: Document, *, by: User, now: datetime) -> None:
    """An import states where an article stands rather than moving it step by step; the move is recorded."""
    if document.status in (Status.SCHEDULED, Status.PUBLISHED) and document.publish_at is None:
        if document.status is Status.SCHEDULED:
            raise InvalidInput(f"“{document.title}” is scheduled but has no publish_at.", field="publish_at")
        document.publish_at = now
    if article.status is document.status and article.publish_at == document.publish_at:
        return
    db.session.add(StatusChange(article=article, actor=by, from_status=article.status,
                                to_status=document.status, changed_at=now, publish_at=document.publish_at))
    article.status = document.status
    article.publish_at = document.publish_at
    if document.publish_at is not None and (article.published_at is None or article.published_at > now):
        article.published_at = document.publish_at
    db.session.flush()


def _status(value: Any, source: str) -> Status:
    try:
        return Status(str(value).strip().lower())
    except ValueError:
        allowed = ", ".join(Status)
        raise InvalidInput(f"{source}: status must be one of {allowed}, not {value!r}.", field="status") from None


def _time(value: Any, source: str, zone: str) -> datetime | None:
    if value in (None, ""):
        return None
    if isinstance(value, date) and not isinstance(value, datetime):
        value = datetime(value.year, value.month, value.day)
    if isinstance(value, str):
        try:
            value = datetime.fromisoformat(value.strip())
        except ValueError:
            raise InvalidInput(f"{source}: publish_at {value!r} is not a date and time "
                               "like 2025-02-11T09:00:00-05:00.", field="publish_at") from None
    if not isinstance(value, datetime):
        raise InvalidInput(f"{source}: publish_at {value!r} is not a date and time.", field="publish_at")
    return clock.to_utc(value, zone)


def _tags(value: Any, source: str) -> list[str]:
    if value in (None, ""):
        return []
    if isinstance(value, str):
        return [name.strip() for name in value.split(",") if name.strip()]
    if isinstance(value, list):
        return [str(name).strip() for name in value if str(name).strip()]
    raise InvalidInput(f"{source}: tags must be a list like [grief, family].", field="tags")


def _part(value: Any, source: str) -> int | None:
    part = _integer(value, "series_part", source)
    if part is not None and part < 1:
        raise InvalidInput(f"{source}: series_part must be 1 or more.", field="series_part")
    return part


def _integer(value: Any, name: str, source: str) -> int | None:
    if value in (None, ""):
        return None
    if isinstance(value, bool) or not isinstance(value, int | str) or not str(value).strip().isdigit():
        raise InvalidInput(f"{source}: {name} must be a whole number, not {value!r}.", field=name)
    return int(value)


def _optional_text(value: Any) -> str | None:
    return str(value).strip() or None if value is not None else None

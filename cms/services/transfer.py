"""Moving content in and out: imports write what `core.documents` and `core.wordpress` read, exports write
Markdown files with front matter.

An import reads a whole file into a `Batch` first, then `run` writes it in the caller's transaction, so a file
that fails anywhere leaves nothing behind once the caller rolls back. Exported files read back to the same
content, and exporting that again gives the same bytes.
"""

from __future__ import annotations

import io
import json
import zipfile
from collections import Counter
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

from cms.core import clock, wordpress
from cms.core.documents import (
    MAX_BYTES,
    SERIES_FILE,
    Batch,
    Document,
    Report,
    SeriesInfo,
    is_markdown,
    parse_markdown,
    plural,
    read_markdown,
    zip_members,
)
from cms.core.errors import CMSError, InvalidInput
from cms.core.numbers import file_size
from cms.core.slugs import slugify
from cms.core.workflow import Role, Status
from cms.extensions import db
from cms.models import Article, Page, Series, Tag, User
from cms.services import articles, pages, redirects, series as series_service, users, wordpress_images

__all__ = ["MAX_BYTES", "Batch", "Document", "Report", "SeriesInfo", "apply", "default_importer", "ensure_series",
           "export", "export_files", "export_zip", "load", "parse_markdown", "read_bytes", "read_markdown", "run"]


def load(path: Path, *, zone: str) -> Batch:
    """Read `path`: a WordPress export, a Markdown file, a folder of them, or a zip of them.

    Raises InvalidInput, naming the file, when it cannot be read.
    """
    if path.is_dir():
        files = sorted(item for item in path.rglob("*") if item.is_file())
        return read_markdown(((str(item.relative_to(path)), item.read_bytes()) for item in files
                              if is_markdown(item.name) or item.relative_to(path).as_posix() == SERIES_FILE),
                             source=path.name or str(path), zone=zone)
    if not path.is_file():
        raise InvalidInput(f"{path} is neither a file nor a folder.")
    if path.stat().st_size > MAX_BYTES:
        raise InvalidInput(f"{path.name} is larger than the {file_size(MAX_BYTES)} an import accepts.")
    return read_bytes(path.read_bytes(), name=path.name, zone=zone)


def read_bytes(data: bytes, *, name: str, zone: str) -> Batch:
    """Read an uploaded or opened file by its name: Markdown, a zip of Markdown, else a WordPress export."""
    if is_markdown(name):
        return read_markdown([(name, data)], source=name, zone=zone)
    if zipfile.is_zipfile(io.BytesIO(data)):
        return read_markdown(zip_members(data, name), source=name, zone=zone)
    return wordpress.read(data, source=name, zone=zone)


def default_importer() -> User:
    """The account a terminal import acts as: the first active admin."""
    query = select(User).where(User.role == Role.ADMIN, User.is_active).order_by(User.id)
    admin: User | None = db.session.scalar(query)
    if admin is None:
        raise InvalidInput("An import needs an admin account to act as; create one with "
                           "flask cms create-user EMAIL --role admin.")
    return admin


def run(batch: Batch, *, by: User, now: datetime, progress: Callable[[], None] | None = None,
        images: wordpress_images.Finder | None = None) -> Report:
    """Write what `batch` holds, creating or updating only what differs; return the report. The caller commits.

    The old site's images its bodies show are brought along from `images` (see `wordpress_images.bring`).
    Raises InvalidInput naming the file and item at the first thing that cannot be written; the caller then
    rolls back, so nothing of the batch is kept.
    """
    report = batch.report
    wordpress_images.bring(batch, images, by=by, now=now)
    tags_before = _tag_count()
    for info in batch.series:
        report.count("series", ensure_series(info))
    credited: Counter[str] = Counter()
    _write_documents(batch, by=by, now=now, report=report, credited=credited, progress=progress)
    created = _tag_count() - tags_before
    named = {slug for document in batch.documents for name in document.tags if (slug := slugify(name))}
    report.count("tag", "created", created)
    report.count("tag", "unchanged", max(len(named) - created, 0))  # a second import names them all again
    for email, number in sorted(credited.items()):
        report.note(f"No account here has the email {email}: {plural(number, 'item')} credited to "
                    f"{by.email} instead.")
    return report


def _tag_count() -> int:
    return db.session.scalar(select(func.count(Tag.id))) or 0


def _write_documents(batch: Batch, *, by: User, now: datetime, report: Report, credited: Counter[str],
                     progress: Callable[[], None] | None) -> None:
    claimed: dict[str, str] = {}  # old path -> the title of the document that redirects it
    for document in batch.documents:
        document.old_paths = _unclaimed(document, claimed, report)
        if document.author_email and users.find_by_email(document.author_email) is None:
            credited[document.author_email] += 1
        try:
            outcome, _ = apply(document, by=by, now=now, report=report)
        except CMSError as error:
            raise InvalidInput(f"{document.where or batch.source}: {error}") from None
        except IntegrityError as error:
            reason = str(error.orig).strip().splitlines()[0]
            raise InvalidInput(f"{document.where or batch.source} conflicts with what the site holds "
                               f"({reason}).") from None
        report.count(document.kind, outcome)
        if progress is not None:
            progress()


def _unclaimed(document: Document, claimed: dict[str, str], report: Report) -> list[str]:
    """The old paths of `document` that no earlier document of the batch redirects: one old address leads to
    one place, and a second import finds the same redirects instead of swapping them."""
    paths = []
    for path in document.old_paths:
        if path in claimed:
            report.note(f"“{document.title}” had the same old address {path} as “{claimed[path]}”, "
                        "which keeps it.")
        else:
            claimed[path] = document.title
            paths.append(path)
    return paths


def ensure_series(info: SeriesInfo) -> str:
    """Create the series `info` describes, or bring its title and description in line; return the outcome."""
    existing = series_service.find(info.slug) if info.slug else None
    existing = existing or series_service.find(info.title)
    if existing is None:
        series_service.create(info.title, info.description, slug=info.slug)
        return "created"
    title = " ".join(info.title.split())
    if existing.title == title and (existing.description == info.description or not info.description):
        return "unchanged"
    existing.title = title
    existing.description = info.description or existing.description
    db.session.flush()
    return "updated"


def apply(document: Document, *, by: User, now: datetime,
          report: Report | None = None) -> tuple[str, Article | Page]:
    """Create or update what `document` describes; return ("created"|"updated"|"unchanged", it).

    It is matched on its source key when it has one, else on its slug; nothing is written when it already
    says the same. Its old paths redirect to it.
    """
    item: Article | Page
    if document.kind == "page":
        outcome, item = _apply_page(document, by=by, now=now)
        new_path = redirects.PAGE_PATH.format(slug=item.slug)
    else:
        outcome, item = _apply_article(document, by=by, now=now)
        new_path = redirects.ARTICLE_PATH.format(slug=item.slug)
    for old_path in document.old_paths:
        redirected = _redirect(old_path, new_path)
        if report is not None and redirected:
            report.count("redirect", redirected)
    return outcome, item


def _apply_page(document: Document, *, by: User, now: datetime) -> tuple[str, Page]:
    existing = _existing(Page, document)
    is_published = document.status is Status.PUBLISHED
    if existing is not None and (
            existing.title == " ".join(document.title.split()) and existing.body_source == document.body
            and (not document.slug or existing.slug == slugify(document.slug))
            and existing.is_published == is_published and existing.menu_order == document.menu_order):
        return "unchanged", existing
    page = pages.save(existing, title=document.title, body_source=document.body, slug=document.slug,
                      is_published=is_published, menu_order=document.menu_order, by=by, now=now)
    page.source_key = document.source_key or page.source_key
    return ("updated" if existing else "created"), page


def _apply_article(document: Document, *, by: User, now: datetime) -> tuple[str, Article]:
    existing = _existing(Article, document)
    author = (users.find_by_email(document.author_email) if document.author_email else None) or by
    data = articles.ArticleInput(
        title=document.title, body_source=document.body, summary=document.summary,
        description=document.description, slug=document.slug, tags=document.tags,
        series=series_service.find_or_create(document.series) if document.series else None,
        series_part=document.series_part,
    )
    publish_at = _publish_at(document, existing, now)
    if (existing is not None and articles.is_unchanged(existing, data) and existing.status is document.status
            and existing.publish_at == publish_at and existing.author is author):
        return "unchanged", existing
    if existing is None:
        article = articles.create(data, by=author, now=now)
        article.source_key = document.source_key
    else:
        article = articles.update(existing, data, by=by, now=now)
        article.author = author
    _restore_status(article, document.status, publish_at, by=by, now=now)
    return ("updated" if existing else "created"), article


def _existing(model: type[Article] | type[Page], document: Document) -> Any:
    if document.source_key:
        return db.session.scalar(select(model).where(model.source_key == document.source_key))
    slug = slugify(document.slug) if document.slug else ""
    return db.session.scalar(select(model).where(model.slug == slug)) if slug else None


def _publish_at(document: Document, existing: Article | None, now: datetime) -> datetime | None:
    """The time a document states; a published one without a time keeps the one it has, else now."""
    if document.publish_at is not None or document.status is not Status.PUBLISHED:
        if document.status is Status.SCHEDULED and document.publish_at is None:
            raise InvalidInput(f"“{document.title}” is scheduled but has no publish_at.", field="publish_at")
        return document.publish_at
    return existing.publish_at if existing is not None and existing.publish_at is not None else now


def _restore_status(article: Article, status: Status, publish_at: datetime | None, *, by: User,
                    now: datetime) -> None:
    """An import states where an article stands rather than moving it step by step; the move is recorded."""
    if article.status is not status or article.publish_at != publish_at:
        articles.change_status(article, status, by=by, now=now, publish_at=publish_at, is_stated=True)


def _redirect(old_path: str, new_path: str) -> str | None:
    if old_path == new_path:
        return None
    current = redirects.target(old_path)
    if current == new_path:
        return "unchanged"
    redirects.add(old_path, new_path)
    return "created" if current is None else "updated"


def export_files(*, zone: str) -> dict[str, str]:
    """Return every article and page as Markdown with front matter, and the series file, by relative path.

    Pages carry `type: page`; times are written in the site's zone with their offset.
    """
    files = {}
    query = (select(Article).options(selectinload(Article.tags), selectinload(Article.series))
             .order_by(Article.slug))
    for article in db.session.scalars(query):
        meta = {"title": article.title, "slug": article.slug, "status": article.status,
                "publish_at": clock.to_local(article.publish_at, zone) if article.publish_at else None,
                "tags": [tag.name for tag in article.tags],
                "series": article.series.title if article.series else None, "series_part": article.series_part,
                "summary": article.summary, "description": article.description}
        files[f"articles/{article.slug}.md"] = _markdown_file(meta, article.body_source)
    for page in db.session.scalars(select(Page).order_by(Page.slug)):
        meta = {"type": "page", "title": page.title, "slug": page.slug,
                "status": Status.PUBLISHED if page.is_published else Status.DRAFT, "menu_order": page.menu_order}
        files[f"pages/{page.slug}.md"] = _markdown_file(meta, page.body_source)
    all_series = db.session.scalars(select(Series).order_by(Series.slug)).all()
    if all_series:
        files[SERIES_FILE] = "".join(
            f"- title: {_scalar(item.title)}\n  slug: {_scalar(item.slug)}\n"
            + (f"  description: {_scalar(item.description)}\n" if item.description else "")
            for item in all_series)
    return files


def export(directory: Path, *, zone: str, progress: Callable[[int, int], None] | None = None) -> int:
    """Write `export_files` under `directory`, which must be new or empty; return how many files.

    `progress(done, total)` hears of the files written."""
    if directory.exists() and (not directory.is_dir() or any(directory.iterdir())):
        raise InvalidInput(f"{directory} is not an empty folder; export into a new one "
                           "so no old file is mixed in.")
    files = export_files(zone=zone)
    for done, (name, text) in enumerate(files.items(), start=1):
        target = directory / name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")
        if progress is not None:
            progress(done, len(files))
    return len(files)


def export_zip(*, zone: str) -> bytes:
    """`export_files` packed in a zip, with fixed times so the same site gives the same bytes."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, text in export_files(zone=zone).items():
            archive.writestr(zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0)), text.encode("utf-8"),
                             compress_type=zipfile.ZIP_DEFLATED)
    return buffer.getvalue()


def _markdown_file(meta: dict[str, Any], body: str) -> str:
    """Front matter written by hand, one key a line, so the bytes do not depend on a YAML library's style.

    Line ends are written as `\n`: a body typed in a browser comes with `\r\n` (as forms send a textarea), and
    reading a file back gives `\n`, so an export of the imported copy would differ."""
    lines = [f"{key}: {value if key in ('type', 'status') else _scalar(value)}"
             for key, value in meta.items() if value not in (None, "", [])]
    return "---\n" + "\n".join(lines) + "\n---\n\n" + body.replace("\r\n", "\n").strip() + "\n"


def _scalar(value: Any) -> str:
    """JSON strings and lists are valid YAML, and quoting keeps "no" or "2019" from changing type."""
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, int):
        return str(value)
    return json.dumps(value, ensure_ascii=False)



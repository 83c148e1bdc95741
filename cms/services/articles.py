"""Writing, editing and moving articles through the workflow."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select

from cms.core import rendering, workflow
from cms.core.errors import EditConflict, InvalidInput, NotAllowed
from cms.core.slugs import slugify, unique_slug
from cms.core.workflow import Role, Status
from cms.extensions import db
from cms.models import Article, Revision, Series, StatusChange, User
from cms.core.visibility import is_live
from cms.services import redirects, related, tags
from cms.services.series import next_part


@dataclass(frozen=True)
class ArticleInput:
    """What an author can set on an article, as the editor form or an import hands it over."""

    title: str
    body_source: str = ""
    summary: str = ""
    description: str = ""
    slug: str = ""  # empty: made from the title
    tags: Sequence[str] = ()
    series: Series | None = None
    series_part: int | None = None  # None with a series: the next free part


def create(data: ArticleInput, *, by: User, now: datetime) -> Article:
    """Add a draft written by `by`, with its first revision."""
    article = Article(author=by, status=Status.DRAFT, created_at=now)
    _apply(article, data, by=by, now=now)
    db.session.add(article)
    db.session.flush()
    related.refresh(article)
    return article


def update(article: Article, data: ArticleInput, *, by: User, now: datetime,
           based_on_version: int | None = None) -> Article:
    """Save an edit as a new revision.

    `based_on_version` is the version the editor loaded. If someone saved since, nothing is applied, the
    edit is kept as a revision marked as not applied, and EditConflict is raised: the caller commits anyway
    so that the text survives.
    """
    check_may_edit(article, by)
    if based_on_version is not None and based_on_version != article.version:
        db.session.add(_revision(article, data, by=by, now=now, note="Not applied: saved over a newer edit"))
        db.session.flush()
        raise EditConflict("Someone else saved this article while you were editing; "
                           "your text is kept in its history, compare and save again.")
    _apply(article, data, by=by, now=now)
    db.session.flush()
    related.refresh(article)
    return article


def check_may_edit(article: Article, by: User) -> None:
    """Raise NotAllowed unless `by` may edit `article`: editors any, authors their own drafts."""
    if workflow.may_edit_any(by.role):
        return
    if article.author_id != by.id:
        raise NotAllowed("Authors can edit only their own articles.")
    if article.status not in (Status.DRAFT, Status.REVIEW):
        raise NotAllowed("Only an editor can change an article once it is scheduled or published.")


def change_status(article: Article, target: Status, *, by: User, now: datetime,
                  publish_at: datetime | None = None) -> StatusChange:
    """Move `article` to `target` and record who did it.

    Scheduling needs a `publish_at` in the future; publishing takes `publish_at` (not in the future) or now.
    """
    if by.role is Role.AUTHOR and article.author_id != by.id:
        raise NotAllowed("Authors can change only their own articles.")
    workflow.check_transition(article.status, target, by.role)
    if target is Status.SCHEDULED:
        if publish_at is None or publish_at <= now:
            raise InvalidInput("To schedule, choose a publish time in the future.", field="publish_at")
    elif target is Status.PUBLISHED:
        if publish_at is not None and publish_at > now:
            raise InvalidInput("That time is in the future: schedule the article instead.", field="publish_at")
        publish_at = publish_at or now
    change = StatusChange(article=article, actor=by, from_status=article.status, to_status=target,
                          changed_at=now, publish_at=publish_at)
    if publish_at is not None:
        article.publish_at = publish_at
        if article.published_at is None or article.published_at > now:  # not yet seen: the date follows
            article.published_at = publish_at
    elif target is Status.DRAFT and article.published_at is not None and article.published_at > now:
        article.published_at = None  # pulled back before anyone saw it
    article.status = target
    db.session.add(change)
    db.session.flush()
    related.refresh(article)
    return change


def find_by_slug(slug: str) -> Article | None:
    """Return the article with this slug, whatever its status."""
    return db.session.scalar(select(Article).where(Article.slug == slug))


def _apply(article: Article, data: ArticleInput, *, by: User, now: datetime) -> None:
    title = " ".join(data.title.split())
    if not title:
        raise InvalidInput("Give the article a title.", field="title")
    slug = _slug_for(article, data.slug, title)
    part = _part_for(article, data.series, data.series_part)
    if article.slug and slug != article.slug and is_live(article.status, article.publish_at, now):
        redirects.add(redirects.ARTICLE_PATH.format(slug=article.slug), redirects.ARTICLE_PATH.format(slug=slug))
    article.title = title
    article.slug = slug
    article.summary = data.summary.strip()
    article.description = data.description.strip()
    article.body_source = data.body_source
    article.body_html = rendering.render(data.body_source)
    article.body_text = rendering.plain_text(article.body_html)
    article.html_version = rendering.PIPELINE_VERSION
    article.tags = tags.resolve(data.tags)
    article.series, article.series_part = data.series, part
    article.updated_at = now
    db.session.add(_revision(article, data, by=by, now=now))


def _slug_for(article: Article, wanted: str, title: str) -> str:
    """The slug typed, which must be free; else the current one; else one made from the title."""
    if not wanted.strip():
        return article.slug or unique_slug(title, lambda candidate: find_by_slug(candidate) is not None)
    slug = slugify(wanted)
    if not slug:
        raise InvalidInput("The slug needs at least one letter or digit.", field="slug")
    owner = find_by_slug(slug)
    if owner is not None and owner is not article:
        raise InvalidInput(f"The slug {slug!r} is already used by “{owner.title}”.", field="slug")
    return slug


def _part_for(article: Article, series: Series | None, part: int | None) -> int | None:
    if series is None:
        if part is not None:
            raise InvalidInput("Choose a series for the part number.", field="series_part")
        return None
    if part is None:
        if article.series is series and article.series_part is not None:
            return article.series_part
        return next_part(series)
    if part < 1:
        raise InvalidInput("Part numbers start at 1.", field="series_part")
    holder = db.session.scalar(select(Article).where(Article.series_id == series.id, Article.series_part == part))
    if holder is not None and holder is not article:
        raise InvalidInput(f"Part {part} of “{series.title}” is already “{holder.title}”.", field="series_part")
    return part


def _revision(article: Article, data: ArticleInput, *, by: User, now: datetime, note: str = "") -> Revision:
    return Revision(article=article, author=by, created_at=now, title=data.title, summary=data.summary,
                    body_source=data.body_source, tags=[name.strip() for name in data.tags if name.strip()],
                    series_title=data.series.title if data.series else None, series_part=data.series_part,
                    note=note)

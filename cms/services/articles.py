"""Writing, editing and moving articles through the workflow."""

from __future__ import annotations

import calendar
import secrets
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from sqlalchemy import ColumnElement, Select, func, select, true
from sqlalchemy.orm import selectinload

from cms.core import clock, rendering, workflow
from cms.core.errors import EditConflict, InvalidInput, NotAllowed
from cms.core.series import MAX_PART, TOO_HIGH
from cms.core.slugs import slugify, unique_slug
from cms.core.visibility import is_live, shown_status
from cms.core.workflow import LIVE_STATUSES, Role, Status
from cms.extensions import column_length, db
from cms.models import Article, Autosave, PreviewToken, Revision, Series, StatusChange, User
from cms.services import media, redirects, related, revisions, tags
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
    is_autolink_enabled: bool | None = None  # None: as it is (on for a new article)


def create(data: ArticleInput, *, by: User, now: datetime) -> Article:
    """Add a draft written by `by`, with its first revision."""
    article = Article(author=by, status=Status.DRAFT, created_at=now)
    _apply(article, data, by=by, now=now)
    db.session.add(article)
    db.session.flush()
    related.queue(article)
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
        raise keep_conflicting(article, data, by=by, now=now)
    if is_unchanged(article, data):
        return article
    _apply(article, data, by=by, now=now)
    db.session.flush()
    related.queue(article)
    return article


def check_input(article: Article | None, data: ArticleInput, *, by: User) -> list[InvalidInput]:
    """Return every refusal saving `data` would meet (title, slug, tags, part), so a form can show them all."""
    article = article or Article()
    checks = (lambda: _title(data.title), lambda: _slug_for(article, data.slug, data.title or "untitled", by),
              lambda: [tags.check_name(name) for name in data.tags],
              lambda: _part_for(article, data.series, data.series_part, by))
    problems = []
    for check in checks:
        try:
            check()
        except InvalidInput as error:
            problems.append(error)
    return problems


def keep_conflicting(article: Article, data: ArticleInput, *, by: User, now: datetime) -> EditConflict:
    """Keep an edit that lost a race as a revision marked as not applied; return the error to raise."""
    last = last_saved(article)
    saved = [last] if last else []
    db.session.add(Revision(article=article, author=by, created_at=now, title=data.title, summary=data.summary,
                            body_source=data.body_source, tags=_tag_names(data.tags),
                            series_title=data.series.title if data.series else None,
                            series_part=data.series_part, note=NOT_APPLIED))
    db.session.flush()
    return EditConflict(f"This article was saved {savers(saved, by=by)} while you were editing. Your text is "
                        "kept in its history and below; compare the two, then save again to replace theirs.")


def saved_since(article: Article, revision_id: int) -> list[Revision]:
    """Return the revisions saved (not those kept as not applied) after the one with id `revision_id`."""
    return list(db.session.scalars(_saved(article).where(Revision.id > revision_id).order_by(Revision.id)))


def last_saved(article: Article) -> Revision | None:
    """Return the article's last saved revision (not one kept as not applied), if any.

    Asked of the database, not of `article.revisions`: that loads every revision's text, and an article saved every
    few seconds for months has thousands.
    """
    return db.session.scalar(_saved(article).order_by(Revision.id.desc()).limit(1))


def last_revision_id(article: Article, *, kept_too: bool = False) -> int:
    """The id of the article's last saved revision, or with `kept_too` of its last revision of any kind (one kept
    as not applied included); 0 if it has none. One number, not the revision's text."""
    query = select(func.max(Revision.id)).where(Revision.article_id == article.id)
    return db.session.scalar(query if kept_too else query.where(Revision.note != NOT_APPLIED)) or 0


def _saved(article: Article) -> Select[Revision]:
    return select(Revision).where(Revision.article_id == article.id, Revision.note != NOT_APPLIED)


def savers(revisions: Sequence[Revision], *, by: User) -> str:
    """Who saved `revisions`, as told to `by`: "in another of your windows", "by Jess (author)", or both."""
    people: list[str] = []
    for revision in revisions:
        author = revision.author
        if author is not None and author.id == by.id:
            name = "in another of your windows"
        else:
            name = f"by {author.name or author.email} ({author.role})" if author else "by someone no longer here"
        if name not in people:
            people.append(name)
    return " and ".join(people) or "by someone else"


NOT_APPLIED = "Not applied: someone saved a newer edit first"


def restore(article: Article, revision: Revision, *, by: User, now: datetime) -> Article:
    """Bring back the title, summary, body and tags of `revision` as a new revision; nothing is lost.

    The article keeps its slug, series and part: those place it on the site, and restoring text should not
    move it.
    """
    check_may_edit(article, by)
    if revision.article_id != article.id:
        raise InvalidInput("That revision belongs to another article.", field="revision")
    number = revisions.number(revision)
    data = ArticleInput(title=revision.title, body_source=revision.body_source, summary=revision.summary,
                        description=article.description, slug=article.slug, tags=revision.tags,
                        series=article.series, series_part=article.series_part)
    _apply(article, data, by=by, now=now, note=f"Restored from revision {number}")
    db.session.flush()
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
                  publish_at: datetime | None = None, is_stated: bool = False) -> StatusChange:
    """Move `article` to `target` and record who did it: the one way any entrance changes a status.

    Scheduling needs a `publish_at` in the future; publishing takes `publish_at` (not in the future) or now.
    An import or a restore states where an article stands instead (`is_stated`): any status, at the time it
    gives, without the steps between; only admins import.
    """
    if is_stated:
        publish_at = _stated_publish_at(target, publish_at, by=by, now=now)
    else:
        publish_at = _checked_publish_at(article, target, publish_at, by=by, now=now)
    change = StatusChange(article=article, actor=by, from_status=article.status, to_status=target,
                          changed_at=now, publish_at=publish_at)
    if publish_at is not None:
        article.publish_at = publish_at
    if target in LIVE_STATUSES:
        if article.published_at is None or article.published_at > now:  # not yet seen: the date follows
            article.published_at = publish_at
    elif target is Status.DRAFT and article.published_at is not None and article.published_at > now:
        article.published_at = None  # pulled back before anyone saw it
    article.status = target
    db.session.add(change)
    db.session.flush()
    related.queue(article)
    return change


def _checked_publish_at(article: Article, target: Status, publish_at: datetime | None, *, by: User,
                        now: datetime) -> datetime | None:
    """The time a move through the workflow takes, once `by` may make it."""
    if by.role is Role.AUTHOR and article.author_id != by.id:
        raise NotAllowed("Authors can change only their own articles.")
    workflow.check_transition(article.status, target, by.role)
    if target is Status.SCHEDULED:
        if publish_at is None or publish_at <= now:
            raise InvalidInput("To schedule, choose a publish time in the future.", field="publish_at")
    elif target is Status.PUBLISHED:
        if publish_at is not None and publish_at > now:
            raise InvalidInput("That time is in the future: schedule the article instead.", field="publish_at")
        if publish_at is None and is_live(article.status, article.publish_at, now):
            return article.publish_at  # already live: readers' date stays as they have seen it
        return publish_at or now
    return publish_at


def _stated_publish_at(target: Status, publish_at: datetime | None, *, by: User, now: datetime) -> datetime | None:
    """The time a stated status takes: a scheduled article needs one, a published one without takes now."""
    if by.role is not Role.ADMIN:
        raise NotAllowed("Only an admin can import articles.")
    if target is Status.SCHEDULED and publish_at is None:
        raise InvalidInput("A scheduled article needs a publish time.", field="publish_at")
    return publish_at or now if target is Status.PUBLISHED else publish_at


def set_publish_at(article: Article, publish_at: datetime | None, *, by: User, now: datetime) -> None:
    """Take the publish time typed in the writing screen.

    On a draft or an article in review it is the planned time, kept for whoever schedules it. On a scheduled
    article a new time is a reschedule, recorded like any move. A live or archived article keeps its time.
    """
    current = article.publish_at
    if publish_at == current or (current is not None and publish_at == current.replace(microsecond=0)):
        return  # forms show whole seconds, so an untouched field comes back without the microseconds
    shown = shown_status(article.status, current, now)
    if shown in (Status.DRAFT, Status.REVIEW):
        check_may_edit(article, by)
        article.publish_at = publish_at
    elif shown is Status.SCHEDULED:
        if publish_at is None:
            raise InvalidInput("A scheduled article needs a publish time; to unschedule it, use Back to draft.",
                               field="publish_at")
        change_status(article, Status.SCHEDULED, by=by, now=now, publish_at=publish_at)
    else:
        raise InvalidInput(f"The publish time of a {shown} article cannot be changed; "
                           "move it back to draft first.", field="publish_at")
    db.session.flush()


def renumber_parts(series: Series, parts: Mapping[int, int], *, by: User) -> None:
    """Give the articles of `series` the part numbers in `parts` (article id -> part), all at once."""
    if not workflow.may_edit_any(by.role):
        raise NotAllowed("Only an editor or an admin can reorder a series.")
    members = {article.id: article for article in series.articles}
    if set(parts) != set(members):
        raise InvalidInput("Give every part of the series a number.", field="parts")
    numbers = list(parts.values())
    if not numbers:
        return  # a series with no parts yet: nothing to number
    if min(numbers) < 1:
        raise InvalidInput("Part numbers start at 1.", field="parts")
    if len(set(numbers)) != len(numbers):
        raise InvalidInput("Two parts cannot have the same number.", field="parts")
    # Two steps, so no moment of the swap breaks the one-article-per-part constraint.
    clear = max(numbers + [article.series_part or 0 for article in members.values()]) + 1
    for offset, article in enumerate(members.values()):
        article.series_part = clear + offset
    db.session.flush()
    for ident, part in parts.items():
        members[ident].series_part = part
    db.session.flush()


# Autosave: the editor's text every few seconds, in a slot of its own per person and article.

def autosave(article: Article | None, *, by: User, now: datetime, title: str, summary: str,
             body_source: str) -> Autosave:
    """Keep what `by` is typing into `article` (None: a new one) without making a revision."""
    if article is not None:
        check_may_edit(article, by)
    if len(title) > MAX_TITLE:
        raise InvalidInput(f"A title can be at most {MAX_TITLE} characters long.", field="title")
    slot = _autosave_slot(article, by)
    if slot is None:
        slot = Autosave(user_id=by.id, article_id=article.id if article else None)
        db.session.add(slot)
    slot.saved_at, slot.title, slot.summary, slot.body_source = now, title, summary, body_source
    db.session.flush()
    return slot


def pending_autosave(article: Article | None, *, by: User) -> Autosave | None:
    """Return the autosaved text worth offering back: newer than the article's last save and different."""
    slot = _autosave_slot(article, by)
    if slot is None or article is None:
        return slot if slot is not None and (slot.title or slot.body_source or slot.summary) else None
    if slot.saved_at <= article.updated_at:
        return None
    if (slot.title, slot.summary, slot.body_source) == (article.title, article.summary, article.body_source):
        return None
    return slot


def discard_autosave(article: Article | None, *, by: User) -> None:
    """Empty the autosave slot of `by` for `article` (after a save, or when declined)."""
    slot = _autosave_slot(article, by)
    if slot is not None:
        db.session.delete(slot)
        db.session.flush()


def _autosave_slot(article: Article | None, by: User) -> Autosave | None:
    target = Autosave.article_id.is_(None) if article is None else Autosave.article_id == article.id
    return db.session.scalar(select(Autosave).where(Autosave.user_id == by.id, target))


# Private preview links for people without an account.

def create_preview_link(article: Article, *, by: User, now: datetime) -> PreviewToken:
    """Return a new unguessable token that shows `article` as readers would see it, until revoked."""
    check_may_see(article, by)
    link = PreviewToken(article_id=article.id, token=secrets.token_urlsafe(32), created_at=now, created_by_id=by.id)
    db.session.add(link)
    db.session.flush()
    return link


def revoke_preview_link(link: PreviewToken, *, by: User, now: datetime) -> None:
    """Make the link show nothing from now on."""
    check_may_see(db.session.get_one(Article, link.article_id), by)
    if link.revoked_at is None:
        link.revoked_at = now
        db.session.flush()


def preview_links(article: Article) -> list[PreviewToken]:
    """Return the links to `article` that still work, newest first."""
    query = (select(PreviewToken).where(PreviewToken.article_id == article.id, PreviewToken.revoked_at.is_(None))
             .order_by(PreviewToken.id.desc()))
    return list(db.session.scalars(query))


def find_by_preview_token(token: str) -> Article | None:
    """Return the article a working preview link shows, or None for an unknown or revoked token."""
    query = (select(Article).join(PreviewToken, PreviewToken.article_id == Article.id)
             .where(PreviewToken.token == token, PreviewToken.revoked_at.is_(None)))
    return db.session.scalar(query)


def check_may_see(article: Article, by: User) -> None:
    """Raise NotAllowed unless `by` may open `article` in the back office: editors any, authors their own."""
    if not workflow.may_edit_any(by.role) and article.author_id != by.id:
        raise NotAllowed("Authors can open only their own articles.")


# What the back office lists.

def visible_to(by: User) -> Select[Article]:
    """Select the articles `by` works on in the back office: all for editors, their own for authors."""
    query = select(Article).options(selectinload(Article.author), selectinload(Article.series))
    return query.where(visible_clause(by))


def visible_clause(by: User) -> ColumnElement[bool]:
    """The condition of `visible_to`, for queries built elsewhere (Flask-Admin's lists)."""
    return true() if workflow.may_edit_any(by.role) else Article.author_id == by.id


def with_status(status: Status, *, by: User) -> list[Article]:
    """Return the articles in `status` that `by` works on, last edited first."""
    query = visible_to(by).where(Article.status == status).order_by(Article.updated_at.desc())
    return list(db.session.scalars(query))


def upcoming(now: datetime, *, by: User, limit: int = 10) -> list[Article]:
    """Return the scheduled articles not yet live, soonest first."""
    query = (visible_to(by).where(Article.status == Status.SCHEDULED, Article.publish_at > now)
             .order_by(Article.publish_at).limit(limit))
    return list(db.session.scalars(query))


@dataclass(frozen=True)
class CalendarEntry:
    article: Article
    status: Status  # as readers see it at the time asked for, not the stored word


@dataclass(frozen=True)
class CalendarDay:
    day: date
    in_month: bool
    entries: list[CalendarEntry] = field(default_factory=list)

    @property
    def articles(self) -> list[Article]:
        return [entry.article for entry in self.entries]


def month_calendar(year: int, month: int, zone: str, *, by: User, now: datetime) -> list[list[CalendarDay]]:
    """Return the weeks (Monday first) of a month, each day with its scheduled and published articles.

    Days are days in the site's zone, so an article at 23:30 New York time is on that New York day; each
    article carries the status readers see at `now`, so one whose time has passed is published.
    """
    weeks = calendar.Calendar().monthdatescalendar(year, month)
    start = clock.to_utc(datetime.combine(weeks[0][0], time()), zone)
    end = clock.to_utc(datetime.combine(weeks[-1][-1] + timedelta(days=1), time()), zone)
    query = (visible_to(by).where(Article.status.in_(LIVE_STATUSES), Article.publish_at >= start,
                                  Article.publish_at < end).order_by(Article.publish_at))
    by_day: dict[date, list[CalendarEntry]] = {}
    for article in db.session.scalars(query):
        if article.publish_at is not None:  # always: the query asks for a range of it
            entry = CalendarEntry(article, shown_status(article.status, article.publish_at, now))
            by_day.setdefault(clock.to_local(article.publish_at, zone).date(), []).append(entry)
    return [[CalendarDay(day, day.month == month, by_day.get(day, [])) for day in week] for week in weeks]


def find_by_slug(slug: str) -> Article | None:
    """Return the article with this slug, whatever its status."""
    return db.session.scalar(select(Article).where(Article.slug == slug))


def is_unchanged(article: Article, data: ArticleInput) -> bool:
    """Whether saving `data` would leave `article` as it is, so no empty revision is made."""
    return (" ".join(data.title.split()) == article.title and data.body_source == article.body_source
            and data.summary.strip() == article.summary and data.description.strip() == article.description
            and (not data.slug.strip() or slugify(data.slug) == article.slug)
            and {slugify(name) for name in _tag_names(data.tags)} == {tag.slug for tag in article.tags}
            and data.series is article.series
            and (data.series_part is None or data.series_part == article.series_part)
            and data.is_autolink_enabled in (None, article.is_autolink_enabled))


def _tag_names(names: Sequence[str]) -> list[str]:
    return [" ".join(name.split()) for name in names if name.strip()]


def _apply(article: Article, data: ArticleInput, *, by: User, now: datetime, note: str = "") -> None:
    title = _title(data.title)
    slug = _slug_for(article, data.slug, title, by)
    part = _part_for(article, data.series, data.series_part, by)
    chosen_tags = tags.resolve(data.tags)  # read before the article changes, so the save is written in one flush
    if article.slug and slug != article.slug and is_live(article.status, article.publish_at, now):
        redirects.add(redirects.ARTICLE_PATH.format(slug=article.slug), redirects.ARTICLE_PATH.format(slug=slug))
    article.title = title
    article.slug = slug
    article.summary = data.summary.strip()
    article.description = data.description.strip()
    article.body_source = data.body_source
    article.body_html = media.render_body(data.body_source)
    article.body_text = rendering.plain_text(article.body_html)
    article.word_count = rendering.count_words(article.body_text)
    article.html_version = rendering.PIPELINE_VERSION
    article.tags = chosen_tags
    article.series, article.series_part = data.series, part
    if data.is_autolink_enabled is not None:
        article.is_autolink_enabled = data.is_autolink_enabled
    article.updated_at = now
    db.session.add(Revision(article=article, author=by, created_at=now, title=article.title,
                            summary=article.summary, body_source=article.body_source,
                            tags=[tag.name for tag in article.tags],
                            series_title=data.series.title if data.series else None, series_part=part,
                            note=note))


#: As long as the column that keeps it.
MAX_TITLE = column_length(Article.__table__.c.title)


def _title(text: str) -> str:
    title = " ".join(text.split())
    if not title:
        raise InvalidInput("Give the article a title.", field="title")
    if len(title) > MAX_TITLE:
        raise InvalidInput(f"A title can be at most {MAX_TITLE} characters long.", field="title")
    return title


def _slug_for(article: Article, wanted: str, title: str, by: User) -> str:
    """The slug typed, which must be free; else the current one; else one made from the title."""
    if not wanted.strip():
        return article.slug or unique_slug(title, lambda candidate: find_by_slug(candidate) is not None)
    slug = slugify(wanted)
    if not slug:
        raise InvalidInput("The slug needs at least one letter or digit.", field="slug")
    if article is not None and slug == article.slug:  # its own, which slugs being unique no other has
        return slug
    owner = find_by_slug(slug)
    if owner is not None and owner is not article:
        name = _name_for(owner, by)
        raise InvalidInput(f"The slug {slug!r} is already {f'used by {name}' if name else 'taken'}.", field="slug")
    return slug


def _part_for(article: Article, series: Series | None, part: int | None, by: User) -> int | None:
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
    if part > MAX_PART:
        raise InvalidInput(TOO_HIGH, field="series_part")
    holder = db.session.scalar(select(Article).where(Article.series_id == series.id, Article.series_part == part))
    if holder is not None and holder is not article:
        raise InvalidInput(f"Part {part} of “{series.title}” is already {_name_for(holder, by) or 'taken'}.",
                           field="series_part")
    return part


def _name_for(holder: Article, by: User) -> str | None:
    """The quoted title of the article holding a slug or part, for someone who may open it, else None: another
    author's draft is not an author's business."""
    if workflow.may_edit_any(by.role) or holder.author_id == by.id:
        return f"“{holder.title}”"
    return None

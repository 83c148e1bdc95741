"""The outbox the worker sends from: filled when an article goes live, one row per subscriber and article.

Going live needs no write (a scheduled article is live once its time passes), so the worker looks for live
articles it has not queued yet, by time, each round. A `Mailing` row marks an article queued, once and for all;
the outbox's unique (subscriber, article) pair means nobody can be queued twice, whichever worker fills it.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import and_, exists, func, insert, literal, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import contains_eager, joinedload

from cms.core import subscriptions as rules
from cms.core.subscriptions import OutboxStatus, SubscriberStatus
from cms.extensions import db
from cms.models import Article, Mailing, OutboxEmail, Subscriber, Subscription, article_tag
from cms.services import reader, site


def start(now: datetime) -> datetime:
    """Return the time from which going live means being emailed, setting it to `now` the first time."""
    settings = site.settings()
    if settings.email_since is None:
        settings.email_since = now
        db.session.flush()
    return settings.email_since


def unqueued(now: datetime) -> list[Article]:
    """Live articles that went live since email began and are not queued yet, oldest first."""
    since = start(now)
    query = (select(Article).where(reader.is_live_clause(now), Article.publish_at >= since,
                                   ~exists().where(Mailing.article_id == Article.id))
             .order_by(Article.publish_at, Article.id))
    return list(db.session.scalars(query))


def queue(article: Article, now: datetime) -> int | None:
    """Queue `article` for every confirmed subscriber following the site, its series or one of its tags: one row
    each, in one statement. Returns how many, or None if another worker queued it first. Commits (or rolls back)
    itself, as the worker's step: the Mailing row and its outbox rows are written together or not at all."""
    tag_ids = list(db.session.scalars(select(article_tag.c.tag_id).where(article_tag.c.article_id == article.id)))
    wanted = [topic.key for topic in rules.topics_for(article.series_id, tag_ids)]
    recipients = (select(Subscription.subscriber_id).join(Subscriber)
                  .where(Subscriber.status == SubscriberStatus.CONFIRMED, Subscription.topic.in_(wanted))
                  .distinct().subquery())
    rows = select(recipients.c.subscriber_id, literal(article.id), literal(OutboxStatus.PENDING.value),
                  literal(0), literal(now, OutboxEmail.next_attempt_at.type),
                  literal(now, OutboxEmail.created_at.type), literal(""))
    try:
        db.session.add(Mailing(article_id=article.id, queued_at=now))
        db.session.flush()  # first: a second worker stops here, at the primary key, until the first commits
        result = db.session.execute(insert(OutboxEmail).from_select(
            ["subscriber_id", "article_id", "status", "attempts", "next_attempt_at", "created_at", "error"], rows))
        count = int(result.rowcount)  # type: ignore[attr-defined]  # an INSERT's result has one
        db.session.get_one(Mailing, article.id).recipients = count
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        return None
    return count


def next_due(now: datetime) -> OutboxEmail | None:
    """Take the next email due at `now`, locked until the caller commits: another worker on PostgreSQL skips it
    (FOR UPDATE SKIP LOCKED) instead of sending it too. An article's email waits while the article is not live
    (moved back to draft after going live, say)."""
    query = (select(OutboxEmail)
             .outerjoin(Article, Article.id == OutboxEmail.article_id)
             .where(OutboxEmail.status == OutboxStatus.PENDING, OutboxEmail.next_attempt_at <= now,
                    or_(OutboxEmail.article_id.is_(None), reader.is_live_clause(now)))
             .order_by(OutboxEmail.next_attempt_at, OutboxEmail.id)
             .options(joinedload(OutboxEmail.subscriber),  # one query, not three, per email
                      contains_eager(OutboxEmail.article).load_only(Article.version, Article.status,
                                                                    Article.publish_at))
             .limit(1)
             .with_for_update(skip_locked=True, of=OutboxEmail))
    return db.session.scalar(query)


def record_sent(email: OutboxEmail, now: datetime) -> None:
    email.status = OutboxStatus.SENT
    email.attempts += 1
    email.sent_at = now
    email.error = ""
    db.session.flush()


def record_temporary_failure(email: OutboxEmail, reason: str, now: datetime) -> None:
    """Try `email` again later, waiting longer each time; after the last try it fails."""
    email.attempts += 1
    email.error = reason[:300]
    retry_at = rules.next_attempt(email.attempts, now)
    if retry_at is None:
        email.status = OutboxStatus.FAILED
    else:
        email.next_attempt_at = retry_at
    db.session.flush()


def record_bounce(email: OutboxEmail, reason: str, now: datetime) -> None:
    """The server refused the address for good: mark it bounced, and fail everything still waiting for it."""
    email.attempts += 1
    email.status = OutboxStatus.FAILED
    email.error = reason[:300]
    email.subscriber.status = SubscriberStatus.BOUNCED
    waiting = (select(OutboxEmail).where(OutboxEmail.subscriber_id == email.subscriber_id,
                                         OutboxEmail.status == OutboxStatus.PENDING, OutboxEmail.id != email.id))
    for other in db.session.scalars(waiting):
        other.status = OutboxStatus.FAILED
        other.error = "Not sent: the address bounced."
    db.session.flush()


def record_skipped(email: OutboxEmail, reason: str) -> None:
    """Not sent and never will be (the subscriber ended the subscription since it was queued, say)."""
    email.status = OutboxStatus.FAILED
    email.error = reason[:300]
    db.session.flush()


def next_wake(now: datetime) -> datetime | None:
    """The next moment something becomes due: a scheduled go-live or a retry; None if nothing is waiting."""
    go_live = db.session.scalar(select(func.min(Article.publish_at)).where(reader.is_coming_clause(now)))
    retry = db.session.scalar(select(func.min(OutboxEmail.next_attempt_at)).where(
        and_(OutboxEmail.status == OutboxStatus.PENDING, OutboxEmail.next_attempt_at > now)))
    times = [moment for moment in (go_live, retry) if moment is not None]
    return min(times) if times else None

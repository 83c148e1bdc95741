"""Subscribers and their subscriptions: asking, confirming by a signed link, changing, ending, and what an admin
sees. Links are signed with the site's secret key (itsdangerous), so a subscriber needs no account."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from itsdangerous import BadSignature, SignatureExpired, URLSafeSerializer, URLSafeTimedSerializer
from sqlalchemy import case, delete, func, select
from sqlalchemy.orm import selectinload

from cms.core.errors import CMSError, InvalidInput
from cms.core.subscriptions import (
    LISTED,
    SITE,
    OutboxStatus,
    SubscriberStatus,
    Topic,
    check_address,
    parse_topic,
)
from cms.extensions import db
from cms.models import Article, Mailing, OutboxEmail, Series, Subscriber, Subscription, Tag
from cms.services import reader

#: How long a confirmation link works.
CONFIRM_DAYS = 7
ALTERED = ("This link is not one we sent, or it was changed on the way; use the newest email from us, "
           "or subscribe again.")
EXPIRED = f"This confirmation link has expired (they work for {CONFIRM_DAYS} days); subscribe again to get a new one."
NO_LONGER = "This link no longer works: the subscription it was for has ended since; subscribe again if you like."


class AlreadyDone(CMSError):
    """The link did its work before; nothing changes. The message says what stands."""


@dataclass(frozen=True)
class Choice:
    """One thing a reader may subscribe to, as a form offers it."""

    value: str  # "site", "series:<slug>", "tag:<slug>": slugs, as readers know them
    label: str


SITE_CHOICE = Choice(SITE, "Every new article")


def series_choice(series: Series) -> Choice:
    return Choice(f"series:{series.slug}", f"The next parts of “{series.title}”")


def tag_choice(tag: Tag) -> Choice:
    return Choice(f"tag:{tag.slug}", f"New articles tagged “{tag.name}”")


def choice_for(topic: Topic) -> Choice | None:
    """How a form names `topic`; None if its series or tag is gone."""
    if topic.kind == SITE:
        return SITE_CHOICE
    if topic.kind == "series":
        found = db.session.get(Series, topic.ident)
        return series_choice(found) if found else None
    tag = db.session.get(Tag, topic.ident)
    return tag_choice(tag) if tag else None


def topic_from_choice(value: str, now: datetime) -> Topic:
    """The topic a form's value names: the site, or a series or tag readers can see; else InvalidInput."""
    if value == SITE:
        return Topic(SITE)
    kind, _, slug = value.partition(":")
    if len(slug) > 200 or not slug.isprintable():  # no longer than a slug column, and nothing a database refuses
        raise InvalidInput("Choose what to subscribe to: the whole site or a series.", field="topic")
    if kind == "series" and (series := reader.series(slug, now)) is not None:
        return Topic("series", series.id)
    if kind == "tag" and (tag := reader.tag(slug, now)) is not None:
        return Topic("tag", tag.id)
    raise InvalidInput("Choose what to subscribe to: the whole site or a series.", field="topic")


def topic_label(topic: Topic) -> str:
    choice = choice_for(topic)
    return choice.label if choice else "something no longer on the site"


def ask(address: str, topic: Topic, *, now: datetime) -> Subscriber:
    """Take a request to subscribe `address` to `topic`: queue a confirmation email, change nothing else.

    The same for a new, a pending and a confirmed address, so the answer tells nobody which one it was. An address
    already following `topic`, or with a confirmation for it still waiting to be sent, gets no second email.
    """
    email = check_address(address)
    subscriber = db.session.scalar(select(Subscriber).where(Subscriber.email == email))
    if subscriber is None:
        subscriber = Subscriber(email=email, status=SubscriberStatus.PENDING, created_at=now)
        db.session.add(subscriber)
        db.session.flush()
    if _follows(subscriber, topic) and subscriber.status is SubscriberStatus.CONFIRMED:
        return subscriber
    waiting = db.session.scalar(select(OutboxEmail.id).where(
        OutboxEmail.subscriber_id == subscriber.id, OutboxEmail.topic == topic.key,
        OutboxEmail.status == OutboxStatus.PENDING))
    if waiting is None:
        db.session.add(OutboxEmail(subscriber_id=subscriber.id, topic=topic.key, created_at=now,
                                   next_attempt_at=now))
        db.session.flush()
    return subscriber


def _follows(subscriber: Subscriber, topic: Topic) -> bool:
    return any(subscription.topic == topic.key for subscription in subscriber.subscriptions)


# Signed links. A confirmation link names the subscriber, the topic and the subscriber's link epoch, and expires;
# the links to manage and to unsubscribe name the subscriber and a digest of the address, and never expire (they
# are in every email). The digest, not the address: a link's payload is readable, and addresses are personal.

def confirm_token(secret: str, subscriber: Subscriber, topic: Topic) -> str:
    payload = {"s": subscriber.id, "h": _digest(subscriber.email), "t": topic.key, "e": subscriber.link_epoch}
    return URLSafeTimedSerializer(secret, salt="subscriptions.confirm").dumps(payload)


def manage_token(secret: str, subscriber: Subscriber) -> str:
    return URLSafeSerializer(secret, salt="subscriptions.manage").dumps([subscriber.id, _digest(subscriber.email)])


def unsubscribe_token(secret: str, subscriber: Subscriber) -> str:
    return URLSafeSerializer(secret, salt="subscriptions.unsubscribe").dumps(
        [subscriber.id, _digest(subscriber.email)])


def _digest(email: str) -> str:
    return hashlib.sha256(email.encode()).hexdigest()[:16]


def read_confirm_token(secret: str, token: str, *, now: datetime) -> tuple[Subscriber, Topic]:
    """The subscriber and topic a confirmation link is for; InvalidInput if it is altered, expired or stale."""
    serializer = URLSafeTimedSerializer(secret, salt="subscriptions.confirm")
    try:
        payload, signed_at = serializer.loads(token, return_timestamp=True)
    except SignatureExpired:
        raise InvalidInput(EXPIRED) from None
    except BadSignature:
        raise InvalidInput(ALTERED) from None
    if now - signed_at > timedelta(days=CONFIRM_DAYS):  # `now` decides, as everywhere, not the clock
        raise InvalidInput(EXPIRED)
    if not isinstance(payload, dict) or not isinstance(payload.get("t"), str):
        raise InvalidInput(ALTERED)
    subscriber = _subscriber(payload.get("s"), payload.get("h"))
    topic = parse_topic(payload["t"])
    if topic is None:
        raise InvalidInput(ALTERED)
    if payload.get("e") != subscriber.link_epoch:
        raise InvalidInput(NO_LONGER)
    return subscriber, topic


def read_manage_token(secret: str, token: str) -> Subscriber:
    """The subscriber a link to manage subscriptions is for; InvalidInput if it is altered or its address gone."""
    return _read_standing(URLSafeSerializer(secret, salt="subscriptions.manage"), token)


def read_unsubscribe_token(secret: str, token: str) -> Subscriber:
    return _read_standing(URLSafeSerializer(secret, salt="subscriptions.unsubscribe"), token)


def _read_standing(serializer: URLSafeSerializer, token: str) -> Subscriber:
    try:
        payload = serializer.loads(token)
    except BadSignature:
        raise InvalidInput(ALTERED) from None
    if not isinstance(payload, list) or len(payload) != 2:
        raise InvalidInput(ALTERED)
    return _subscriber(*payload)


def _subscriber(ident: Any, digest: Any) -> Subscriber:
    """The subscriber a link names by id and address digest (an id SQLite gave again to another is refused)."""
    if not isinstance(ident, int) or isinstance(ident, bool) or not isinstance(digest, str):
        raise InvalidInput(ALTERED)
    subscriber = db.session.get(Subscriber, ident) if 0 < ident < 2**63 else None
    if subscriber is None or _digest(subscriber.email) != digest:
        raise InvalidInput("This address is no longer on our list, so there is nothing to change; "
                           "subscribe again if you like.")
    return subscriber


def check_unconfirmed(subscriber: Subscriber, topic: Topic) -> None:
    """Raise AlreadyDone if `subscriber` follows `topic` already: a confirmation link used twice."""
    if _follows(subscriber, topic):
        raise AlreadyDone(f"You are already subscribed to {lower(topic_label(topic))}; nothing has changed.")


def confirm(subscriber: Subscriber, topic: Topic, *, now: datetime) -> Subscription:
    """Start `topic` for `subscriber`; AlreadyDone (changing nothing) if it runs already."""
    check_unconfirmed(subscriber, topic)
    if choice_for(topic) is None:
        raise InvalidInput("What this link subscribes to is no longer on the site.")
    subscription = _subscription(subscriber, topic, now)
    subscriber.status = SubscriberStatus.CONFIRMED
    subscriber.confirmed_at = subscriber.confirmed_at or now
    db.session.flush()
    return subscription


def lower(label: str) -> str:
    """A choice's label inside a sentence: "… subscribed to every new article"."""
    return label[:1].lower() + label[1:]


def _subscription(subscriber: Subscriber, topic: Topic, now: datetime) -> Subscription:
    subscription = Subscription(topic=topic.key, created_at=now,
                                series_id=topic.ident if topic.kind == "series" else None,
                                tag_id=topic.ident if topic.kind == "tag" else None)
    subscriber.subscriptions.append(subscription)
    return subscription


def topics(subscriber: Subscriber) -> list[Topic]:
    return [topic for subscription in subscriber.subscriptions if (topic := parse_topic(subscription.topic))]


def replace_topics(subscriber: Subscriber, wanted: Iterable[Topic], *, now: datetime) -> None:
    """Make `subscriber` follow exactly `wanted` (from the page their signed link opens); none left ends them all.

    The link proves the address is theirs, so what is added needs no confirmation; an address that bounced
    stays bounced until it confirms a subscription from the form again.
    """
    keys = {topic.key: topic for topic in wanted}
    ended = [subscription for subscription in subscriber.subscriptions if subscription.topic not in keys]
    for subscription in ended:
        subscriber.subscriptions.remove(subscription)
    if ended:
        subscriber.link_epoch += 1
    held = {subscription.topic for subscription in subscriber.subscriptions}
    for key, topic in keys.items():
        if key not in held:
            _subscription(subscriber, topic, now)
    if not keys:
        subscriber.status = SubscriberStatus.UNSUBSCRIBED
    elif subscriber.status is not SubscriberStatus.BOUNCED:
        subscriber.status = SubscriberStatus.CONFIRMED
        subscriber.confirmed_at = subscriber.confirmed_at or now
    db.session.flush()


def unsubscribe(subscriber: Subscriber) -> None:
    """End every subscription of `subscriber` (one click in an email); AlreadyDone if none runs."""
    if not subscriber.subscriptions and subscriber.status is not SubscriberStatus.CONFIRMED:
        raise AlreadyDone("You are already unsubscribed; we send you nothing more.")
    subscriber.subscriptions.clear()
    subscriber.status = SubscriberStatus.UNSUBSCRIBED
    subscriber.link_epoch += 1
    db.session.execute(delete(OutboxEmail).where(OutboxEmail.subscriber_id == subscriber.id,
                                                 OutboxEmail.status == OutboxStatus.PENDING))
    db.session.flush()


def delete_subscriber(subscriber: Subscriber) -> None:
    """Forget `subscriber` completely: the address, its subscriptions and every email queued or sent to it."""
    db.session.delete(subscriber)
    db.session.flush()


# What an admin sees.

@dataclass(frozen=True)
class Counts:
    by_status: dict[SubscriberStatus, int]
    site: int  # confirmed subscribers of the whole site
    by_series: list[tuple[Series, int]]  # every series, with its confirmed subscribers
    by_tag: list[tuple[Tag, int]]  # tags someone follows


def counts() -> Counts:
    """How many subscribers in each status, and how many confirmed ones follow the site, each series and tag."""
    by_status = dict.fromkeys(SubscriberStatus, 0)
    for status, number in db.session.execute(select(Subscriber.status, func.count()).group_by(Subscriber.status)):
        by_status[status] = number
    confirmed = (select(Subscription.topic, Subscription.series_id, Subscription.tag_id)
                 .join(Subscriber).where(Subscriber.status == SubscriberStatus.CONFIRMED).subquery())
    site = db.session.scalar(select(func.count()).select_from(confirmed).where(confirmed.c.topic == SITE)) or 0
    by_series = db.session.execute(
        select(Series, func.count(confirmed.c.series_id)).outerjoin(confirmed, confirmed.c.series_id == Series.id)
        .group_by(Series.id).order_by(Series.title)).all()
    by_tag = db.session.execute(
        select(Tag, func.count()).join(confirmed, confirmed.c.tag_id == Tag.id)
        .group_by(Tag.id).order_by(Tag.name)).all()
    return Counts(by_status, site, list(by_series), list(by_tag))


def listed(limit: int | None = None) -> list[Subscriber]:
    """Subscribers in every status, newest first, with their subscriptions."""
    query = select(Subscriber).options(selectinload(Subscriber.subscriptions)).order_by(Subscriber.id.desc())
    return list(db.session.scalars(query.limit(limit) if limit else query))


def export_rows() -> list[list[str]]:
    """The export: one row per confirmed or pending subscriber (a header first), with what they follow."""
    rows = [["email", "status", "subscribed_at", "confirmed_at", "subscriptions"]]
    query = (select(Subscriber).where(Subscriber.status.in_(LISTED))
             .options(selectinload(Subscriber.subscriptions)).order_by(Subscriber.id))
    for subscriber in db.session.scalars(query):
        labels = "; ".join(topic_label(topic) for topic in topics(subscriber))
        rows.append([subscriber.email, subscriber.status.value, _iso(subscriber.created_at),
                     _iso(subscriber.confirmed_at), labels])
    return rows


def _iso(moment: datetime | None) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ") if moment else ""


@dataclass(frozen=True)
class Progress:
    """How far the emails of one article have gone."""

    article: Article
    queued_at: datetime
    total: int
    sent: int
    failed: int

    @property
    def waiting(self) -> int:
        return self.total - self.sent - self.failed

    def __str__(self) -> str:
        text = f"sent {self.sent:,} of {self.total:,}"
        return text + (f", {self.failed:,} failed" if self.failed else "")


def progress(limit: int = 20) -> list[Progress]:
    """The sending progress of the articles most recently queued, newest first."""
    status = OutboxEmail.status
    query = (select(Mailing.article_id, Mailing.queued_at, func.count(OutboxEmail.id),
                    func.count(case((status == OutboxStatus.SENT, 1))),
                    func.count(case((status == OutboxStatus.FAILED, 1))))
             .outerjoin(OutboxEmail, OutboxEmail.article_id == Mailing.article_id)
             .group_by(Mailing.article_id, Mailing.queued_at)
             .order_by(Mailing.queued_at.desc(), Mailing.article_id.desc()).limit(limit))
    rows = db.session.execute(query).all()
    found = {article.id: article for article in db.session.scalars(
        select(Article).where(Article.id.in_([row[0] for row in rows])))}
    return [Progress(found[ident], queued_at, total, sent, failed)
            for ident, queued_at, total, sent, failed in rows if ident in found]


def find(ident: int) -> Subscriber | None:
    return db.session.get(Subscriber, ident)


def series_choices(now: datetime) -> Sequence[Choice]:
    """The series a reader may choose on the subscribe page: those with live parts."""
    return [series_choice(series) for series, _ in reader.series_with_live_parts(now)]

"""Building blocks of the email tests: subscribers made in bulk, articles published and the worker run in-process."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import datetime

from flask import Flask
from sqlalchemy import insert, select

from cms.core import clock
from cms.core.subscriptions import SubscriberStatus
from cms.core.workflow import Role, Status
from cms.extensions import db
from cms.mailer import SmtpTransport, smtp_settings
from cms.models import Article, Subscriber, Subscription, User
from cms.services import articles, users
from cms.worker import Worker
from tests.mail_server import Inbox, text_of


def subscribers(app: Flask, count: int, *, topic: str = "site", series_id: int | None = None,
                prefix: str = "reader") -> list[str]:
    """`count` confirmed subscribers of `topic`, made in two statements; returns their addresses."""
    addresses = [f"{prefix}{number}@example.com" for number in range(count)]
    now = clock.now()
    with app.app_context():
        db.session.execute(insert(Subscriber), [
            {"email": address, "status": SubscriberStatus.CONFIRMED, "created_at": now, "confirmed_at": now,
             "link_epoch": 0} for address in addresses])
        ids = db.session.scalars(select(Subscriber.id).where(Subscriber.email.in_(addresses))).all()
        db.session.execute(insert(Subscription), [
            {"subscriber_id": ident, "topic": topic, "series_id": series_id, "created_at": now} for ident in ids])
        db.session.commit()
    return addresses


def publish(app: Flask, article_id: int, *, now: datetime | None = None, at: datetime | None = None) -> None:
    """"Publish now" (or schedule for `at`) by an editor, through the one service that moves articles."""
    with app.app_context():
        editor = users.find_by_email("editor@example.com") or users.create_user(
            "editor@example.com", "correct horse battery", Role.EDITOR)
        article = db.session.get_one(Article, article_id)
        target = Status.SCHEDULED if at is not None else Status.PUBLISHED
        articles.change_status(article, target, by=editor, now=now or clock.now(), publish_at=at)
        db.session.commit()


def worker(app: Flask, inbox: Inbox, now: Callable[[], datetime] = clock.now) -> Worker:
    """A worker in this process, sending to `inbox` over SMTP."""
    return Worker(app, SmtpTransport(smtp_settings(inbox.url)), now=now)


def link(message_text: str, kind: str) -> str:
    """The path of the first /subscriptions/<kind>/ link in an email."""
    found = re.search(rf"http://127\.0\.0\.1:5000(/subscriptions/{kind}/[A-Za-z0-9_.\-]+)", message_text)
    assert found, message_text
    return found.group(1)


__all__ = ["User", "link", "publish", "subscribers", "text_of", "worker"]

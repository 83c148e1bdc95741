"""`flask cms worker`: finds articles that went live and sends the outbox, one email per transaction; beside that,
a thread computes the related articles of what was saved (`services.related.catch_up`) every second.

Exactly once: an email's row stays locked (PostgreSQL: FOR UPDATE SKIP LOCKED, so other workers pass it by)
from the moment it is taken until the server's answer is recorded and committed. A worker killed in between
leaves the row as it was, and the next worker sends it; the only window for a second copy is between the
server's "250 OK" and our commit, a few milliseconds that SMTP itself cannot close (RFC 1047). The same
Message-ID goes with every try, so a receiving server may recognise one.

SQLite runs one worker (a second is refused with a sentence); PostgreSQL runs as many as you like.
"""

from __future__ import annotations

import fcntl
import os
import secrets
import signal
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta
from email.utils import format_datetime, formataddr, parseaddr
from pathlib import Path
from typing import Any, TextIO
from urllib.parse import urlsplit

import click
from flask import Flask, current_app, render_template, url_for
from limits import parse, storage, strategies
from sqlalchemy.engine import make_url
from sqlalchemy.exc import SQLAlchemyError

from cms.core import clock, feeds, mime
from cms.core.documents import plural
from cms.core.subscriptions import SubscriberStatus, parse_topic, series_place
from cms.extensions import db
from cms.mailer import Bounce, TemporaryFailure, Transport, dkim_key, sign, transport_for
from cms.models import Article, OutboxEmail, Subscriber
from cms.services import outbox, reader, related, site, subscriptions

#: How long a save's related articles wait at most for the worker's thread to look again.
RELATED_POLL_SECONDS = 1.0
#: How long a stopping worker waits for the thread computing related articles to finish what it is doing.
KEEPER_STOP_SECONDS = 5.0
#: How much a running worker yields the CPU to the site's own processes: its work (related articles above all,
#: seconds of CPU at 100,000 articles) can wait a moment, a reader's request cannot.
NICENESS = 10
#: Placeholders in an article's rendered email, replaced per subscriber: rendering happens once per article.
MANAGE = "cms-manage-url-placeholder"
UNSUBSCRIBE = "cms-unsubscribe-url-placeholder"


class WorkerRefused(click.ClickException):
    """The worker cannot start here; one sentence says why."""


@dataclass(frozen=True)
class Content:
    """An article's email as rendered once, before each subscriber's links go in."""

    subject: str
    text: str
    html: str


class Worker:
    """Sends what is due, then waits for the next go-live or retry (or MAIL_POLL_SECONDS, for "Publish now")."""

    def __init__(self, app: Flask, transport: Transport | None = None, *,
                 now: Callable[[], datetime] = clock.now, log: TextIO | None = None) -> None:
        self.app, self.now = app, now
        self.transport = transport or transport_for(app.config, app.instance_path)
        self.secret = app.config["SECRET_KEY"]
        self.sender = app.config.get("MAIL_FROM") or f"noreply@{urlsplit(app.config['SITE_URL']).hostname}"
        self.sender_address = parseaddr(self.sender)[1]
        self.sender_header = formataddr(parseaddr(self.sender), charset="utf-8")  # a non-ASCII name encoded
        self.domain = self.sender_address.rpartition("@")[2] or "localhost"
        self.dkim = dkim_key(app.config, self.domain)
        self.poll = float(app.config.get("MAIL_POLL_SECONDS", 5))
        rate = int(app.config.get("MAIL_RATE_PER_MINUTE") or 0)
        self.rate = parse(f"{rate} per minute") if rate > 0 else None
        self.limiter = strategies.MovingWindowRateLimiter(
            storage.storage_from_string(app.config.get("RATELIMIT_STORAGE_URI") or "memory://"))
        self.rate_key = (app.config.get("RATELIMIT_KEY_PREFIX") or "cms", "mail")
        self.contents: dict[tuple[int, int], Content] = {}
        self.stopping = threading.Event()
        self.log = log
        self.sent = 0

    def run(self, *, once: bool = False) -> int:
        """Send until stopped (SIGTERM, SIGINT), or, with `once`, until nothing is due; return how many were sent."""
        with self.app.app_context(), _only_worker_on_sqlite(self.app):
            outbox.start(self.now())
            db.session.commit()
            keeper = threading.Thread(target=self.keep_related_current, kwargs={"once": once}, daemon=True)
            keeper.start()
            try:
                while not self.stopping.is_set():
                    self.queue_go_lives()
                    self.send_due()
                    if once:
                        break
                    self.stopping.wait(self._seconds_to_sleep())
            finally:
                # A catch-up still building its index (minutes on a large site) is left to end with the process:
                # its transaction was never committed, and the queue keeps what it had taken.
                keeper.join(timeout=None if once else KEEPER_STOP_SECONDS)
                self.transport.close()
                db.session.remove()
        return self.sent

    def keep_related_current(self, *, once: bool = False) -> None:
        """Compute the related articles of what was saved, every RELATED_POLL_SECONDS until stopped (or once).

        A failure (the database away for a moment) is said and tried again: the queue keeps what is left.
        """
        with self.app.app_context():
            while True:
                try:
                    done = related.catch_up(self.now())
                    db.session.commit()
                except SQLAlchemyError as error:
                    db.session.rollback()
                    self._say(f"Related articles wait: {str(getattr(error, 'orig', None) or error).strip()}")
                else:
                    if done.articles:
                        self._say(f"Related articles computed for {plural(done.articles, 'saved article')}.")
                if once or self.stopping.wait(RELATED_POLL_SECONDS):
                    break
            db.session.remove()

    def queue_go_lives(self) -> None:
        for article in outbox.unqueued(self.now()):
            count = outbox.queue(article, self.now())
            if count is not None:
                self._say(f"“{article.title}” is live: {count} emails queued.")
        db.session.rollback()  # end the read; queue() commits its own writes

    def send_due(self) -> None:
        while not self.stopping.is_set():
            self._wait_for_rate()
            if not self.send_one():
                return

    def send_one(self) -> bool:
        """Send the next email due, recording the outcome in the same transaction; False if nothing is due."""
        now = self.now()
        email = outbox.next_due(now)
        if email is None:
            db.session.rollback()
            return False
        subscriber = email.subscriber
        if email.article_id is not None and subscriber.status is not SubscriberStatus.CONFIRMED:
            outbox.record_skipped(email, f"Not sent: the subscriber is {subscriber.status}.")
        else:
            message = self.compose(email, subscriber, now)
            try:
                self.transport.send(self.sender_address, subscriber.email, message)
            except Bounce as error:
                outbox.record_bounce(email, str(error), now)
                self._say(f"{subscriber.email} bounced: {error}")
            except TemporaryFailure as error:
                outbox.record_temporary_failure(email, str(error), now)
                self._say(f"Will try {subscriber.email} again: {error}")
            else:
                outbox.record_sent(email, now)
                self.sent += 1
        db.session.commit()
        return True

    def compose(self, email: OutboxEmail, subscriber: Subscriber, now: datetime) -> bytes:
        """The email as it goes out: headers, a text and an HTML part, DKIM-signed when a key is configured.

        Written out by hand rather than through `email.message`, whose header parsing cost more than everything
        else per email together; every part is base64, so no line is ever too long.
        """
        headers = [("From", self.sender_header), ("To", subscriber.email), ("Date", format_datetime(now)),
                   ("Message-ID", f"<outbox.{email.id}.{email.created_at:%Y%m%d%H%M%S}@{self.domain}>")]
        if email.article_id is None:
            subject, text = self._confirmation(email, subscriber)
            parts = [("text/plain", text)]
        else:
            content = self._content(email.article, now)
            manage = url_for("subscriptions.manage", token=subscriptions.manage_token(self.secret, subscriber),
                             _external=True)
            unsubscribe = url_for("subscriptions.unsubscribe",
                                  token=subscriptions.unsubscribe_token(self.secret, subscriber), _external=True)
            subject = content.subject
            headers += [("List-Unsubscribe", f"<{unsubscribe}>"),
                        ("List-Unsubscribe-Post", "List-Unsubscribe=One-Click")]  # RFC 8058: one POST, no page
            parts = [(kind, body.replace(MANAGE, manage).replace(UNSUBSCRIBE, unsubscribe))
                     for kind, body in (("text/plain", content.text), ("text/html", content.html))]
        headers.append(("Subject", mime.header_text(subject)))
        return sign(mime.message(headers, parts, boundary=f"part-{email.id}-{secrets.token_hex(8)}"), self.dkim)

    def _confirmation(self, email: OutboxEmail, subscriber: Subscriber) -> tuple[str, str]:
        topic = parse_topic(email.topic or "")
        if topic is None:
            raise ValueError(f"outbox row {email.id} confirms no topic")  # never: ask() stores a topic it made
        token = subscriptions.confirm_token(self.secret, subscriber, topic)
        text = render_template("mail/confirm.txt", topic=subscriptions.topic_label(topic),
                               confirm_url=url_for("subscriptions.confirm", token=token, _external=True),
                               days=subscriptions.CONFIRM_DAYS)
        return f"Confirm your subscription to {site.settings().title}", text

    def _content(self, article: Article | None, now: datetime) -> Content:
        if article is None:
            raise ValueError("an article's email without its article")  # never: the outbox row's key holds it
        key = (article.id, article.version)
        if key not in self.contents:
            url = url_for("public.article", slug=article.slug, _external=True)
            nav = reader.series_navigation(article.series, now, article) if article.series else None
            place = series_place(nav.current.position if nav and nav.current else None, nav.total if nav else 0)
            settings = site.settings()
            values: dict[str, Any] = {
                "article": article, "url": url, "place": place, "full_text": settings.is_email_full_text,
                "body_html": feeds.absolute_links(related.body_for_readers(article, now), url),
                "manage_url": MANAGE, "unsubscribe_url": UNSUBSCRIBE,
                "series_url": url_for("public.series", slug=article.series.slug, _external=True)
                if article.series else None,
            }
            self.contents[key] = Content(subject=article.title, text=render_template("mail/article.txt", **values),
                                         html=render_template("mail/article.html", **values))
        return self.contents[key]

    def _wait_for_rate(self) -> None:
        """Hold back while this minute's MAIL_RATE_PER_MINUTE emails are sent (shared through Redis if set)."""
        while self.rate is not None and not self.stopping.is_set():
            if self.limiter.hit(self.rate, *self.rate_key):
                return
            reset = self.limiter.get_window_stats(self.rate, *self.rate_key).reset_time
            self.stopping.wait(max(0.05, min(60.0, reset - time.time())))

    def _seconds_to_sleep(self) -> float:
        now = self.now()
        wake = outbox.next_wake(now)
        db.session.rollback()
        if wake is None:
            return self.poll
        return max(0.0, min(self.poll, (wake - now) / timedelta(seconds=1)))

    def stop(self, *_: Any) -> None:
        self.stopping.set()

    def _say(self, line: str) -> None:
        if self.log is not None:
            print(line, file=self.log, flush=True)


@contextmanager
def _only_worker_on_sqlite(app: Flask) -> Iterator[None]:
    """On SQLite, hold a lock file beside the database while running: a second worker would send twice."""
    url = make_url(app.config["SQLALCHEMY_DATABASE_URI"])
    if url.get_backend_name() != "sqlite" or not url.database:
        yield
        return
    path = Path(f"{url.database}.worker-lock")
    with path.open("a") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise WorkerRefused("Another worker is already sending for this SQLite database; SQLite runs one "
                                "(on PostgreSQL several share the work).") from None
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def run_command(once: bool) -> None:
    """What `flask cms worker` does: run a Worker on this app, stopping cleanly on SIGTERM or Ctrl-C."""
    app: Flask = current_app._get_current_object()  # type: ignore[attr-defined]  # the proxy's documented escape hatch
    log = sys.stdout
    worker = Worker(app, log=log)
    signal.signal(signal.SIGTERM, worker.stop)
    signal.signal(signal.SIGINT, worker.stop)
    smtp = app.config.get("SMTP_URL")
    where = f"the SMTP server at {urlsplit(smtp).hostname}" if smtp else str(getattr(worker.transport, "folder", ""))
    print(f"Worker started: sending to {where}.", file=log, flush=True)
    if not once:
        os.nice(NICENESS)
    sent = worker.run(once=once)
    print(f"Worker stopped: {sent} emails sent.", file=log, flush=True)

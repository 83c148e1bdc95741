"""The email worker: its own time per email at 10,000 subscribers, and the time from going live to the first email.

    python -m tests.bench.bench_mail [--subscribers 10000] [--poll 5]

The worker runs in this process with a transport that takes each email and returns at once, timing itself, so the
figures are the worker's own (queueing, locking, composing, signing links, recording) without any SMTP server.
Going live is measured twice, with the worker running in a thread at MAIL_POLL_SECONDS: "Publish now" (the worker
finds it at its next look) and a scheduled article (the worker sleeps until its time). SQLite in /dev/shm unless
DATABASE_URL names a PostgreSQL database. Not collected by pytest (the name does not start with test_).
"""

from __future__ import annotations

import argparse
import os
import tempfile
import threading
import time
from datetime import timedelta
from pathlib import Path

from cms import create_app
from cms.core import clock
from cms.core.workflow import Status
from cms.extensions import db
from cms.worker import Worker
from tests.factories import Factories
from tests.mail import publish, subscribers


class TimedTransport:
    """Takes every email at once; counts them, notes when the first came and the time spent here."""

    def __init__(self) -> None:
        self.count, self.seconds = 0, 0.0
        self.first = threading.Event()
        self.first_at: float | None = None

    def send(self, sender: str, recipient: str, message: bytes) -> None:
        started = time.perf_counter()
        self.count += 1
        if self.first_at is None:
            self.first_at = time.time()
            self.first.set()
        self.seconds += time.perf_counter() - started

    def close(self) -> None:
        pass


def _app(folder: Path, poll: float):
    url = os.environ.get("DATABASE_URL") or f"sqlite:///{folder / 'bench.sqlite'}"
    app = create_app({"TESTING": True, "SECRET_KEY": "bench", "SQLALCHEMY_DATABASE_URI": url,
                      "SITE_URL": "http://127.0.0.1:5000", "MAIL_RATE_PER_MINUTE": 0, "MAIL_POLL_SECONDS": poll,
                      "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1"})
    with app.app_context():
        db.drop_all()
        db.create_all()
    return app


def per_email(folder: Path, count: int) -> None:
    app = _app(folder, 5)
    make = Factories(app)
    subscribers(app, count)
    transport = TimedTransport()
    Worker(app, transport).run(once=True)
    publish(app, make.article("Letting Go of Resentment", status=Status.DRAFT,
                              body_source=(Path(__file__).parents[2] / "cms/demo/letting-go-of-resentment.md")
                              .read_text().split("---", 2)[2]))
    started, cpu = time.perf_counter(), time.process_time()
    Worker(app, transport).run(once=True)
    elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu
    own = elapsed - transport.seconds
    print(f"worker, {transport.count:,} emails to {count:,} subscribers: {own / transport.count * 1000:.2f} ms "
          f"of its own per email (wall, SMTP excluded), {cpu / transport.count * 1000:.2f} ms CPU; "
          f"{transport.count / elapsed:,.0f} emails a second")


def go_live(folder: Path, poll: float) -> None:
    app = _app(folder, poll)
    make = Factories(app)
    subscribers(app, 100)
    transport = TimedTransport()
    worker = Worker(app, transport)
    thread = threading.Thread(target=worker.run, daemon=True)
    thread.start()
    time.sleep(1)  # started: email begins before the article goes live
    published_at = time.time()
    publish(app, make.article("Publish now", status=Status.DRAFT))
    transport.first.wait(timeout=poll * 3)
    now_delay = (transport.first_at or float("nan")) - published_at
    while transport.count < 100:  # the first article's emails all out before the next is timed
        time.sleep(0.05)  # polls the worker thread's count; a bench, not a test
    transport.first.clear()
    transport.first_at = None
    scheduled = clock.now() + timedelta(seconds=poll + 2)  # seen at a look before its time, as any scheduled one is
    publish(app, make.article("Scheduled", status=Status.DRAFT), at=scheduled)
    transport.first.wait(timeout=poll * 4)
    scheduled_delay = (transport.first_at or float("nan")) - scheduled.timestamp()
    worker.stop()
    thread.join(timeout=30)
    print(f"go-live to first email, MAIL_POLL_SECONDS={poll:g}: \"Publish now\" {now_delay:.2f} s, "
          f"scheduled {scheduled_delay:.2f} s")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--subscribers", type=int, default=10_000)
    parser.add_argument("--poll", type=float, default=5)
    arguments = parser.parse_args()
    memory = "/dev/shm" if Path("/dev/shm").is_dir() else None
    with tempfile.TemporaryDirectory(prefix="cms-bench-mail-", dir=memory) as folder:
        per_email(Path(folder), arguments.subscribers)
    with tempfile.TemporaryDirectory(prefix="cms-bench-mail-", dir=memory) as folder:
        go_live(Path(folder), arguments.poll)


if __name__ == "__main__":
    main()

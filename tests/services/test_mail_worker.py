"""`flask cms worker` as separate processes against a real SMTP server in this test process: killed in the middle
of sending, and two at once on PostgreSQL. Each subscriber gets exactly one email."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from cms.core import clock
from cms.core.workflow import Status
from cms.extensions import db
from cms.services import outbox
from tests.mail import publish, subscribers
from tests.mail_server import smtp_server

ROOT = Path(__file__).resolve().parents[2]
COUNT = 1000


def _worker(app, inbox, *arguments: str, extra: dict[str, str] | None = None) -> subprocess.Popen:
    env = {**os.environ, "FLASK_APP": "app.py", "DATABASE_URL": app.config["SQLALCHEMY_DATABASE_URI"],
           "SECRET_KEY": "test", "SITE_URL": app.config["SITE_URL"], "SMTP_URL": inbox.url,
           "MAIL_RATE_PER_MINUTE": "0", **(extra or {})}
    return subprocess.Popen([sys.executable, "-m", "flask", "cms", "worker", *arguments], cwd=ROOT, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)


def _start_email(app) -> None:
    """Start email as a worker's first run would, so that the article about to go live is sent."""
    with app.app_context():
        outbox.start(clock.now())
        db.session.commit()


def test_a_worker_killed_mid_sending_leaves_every_subscriber_exactly_one_email(app, make):
    addresses = subscribers(app, COUNT)
    with smtp_server() as inbox:
        _start_email(app)
        publish(app, make.article("Letting Go of Resentment", status=Status.DRAFT, body_source="Text."))
        inbox.hold_at = COUNT // 2
        worker = _worker(app, inbox)
        assert inbox.held.wait(timeout=120), "the worker never reached the middle"
        # A running worker yields the CPU to the site's requests.
        assert os.getpriority(os.PRIO_PROCESS, worker.pid) == min(os.getpriority(os.PRIO_PROCESS, 0) + 10, 19)
        worker.send_signal(signal.SIGKILL)  # while it waits for the server to take email number 500
        worker.wait(timeout=30)
        inbox.release.set()
        assert len(inbox.messages) == COUNT // 2 - 1

        again = _worker(app, inbox, "--once")
        output, _ = again.communicate(timeout=120)
        assert again.returncode == 0, output
    assert sorted(inbox.recipients) == sorted(addresses)
    assert set(inbox.recipients.values()) == {1}


def test_two_workers_on_postgresql_share_the_sending_with_no_duplicates_and_no_gaps(app, make):
    if not app.config["SQLALCHEMY_DATABASE_URI"].startswith("postgresql"):
        pytest.skip("SQLite runs one worker; set TEST_DATABASE_URL to a PostgreSQL database to run this")
    addresses = subscribers(app, COUNT)
    with smtp_server() as inbox:
        _start_email(app)
        inbox.gather = 2  # the first email of each worker waits for the other's: both take part
        workers = [_worker(app, inbox, extra={"MAIL_POLL_SECONDS": "1"}) for _ in range(2)]
        for worker in workers:
            assert worker.stdout.readline().startswith("Worker started"), worker.stdout.read()
        publish(app, make.article("Ambivalence", status=Status.DRAFT, body_source="Text."))
        assert inbox.gathered.wait(timeout=25), "the two workers never sent at the same time"
        assert inbox.wait_for(COUNT, seconds=180)
        for worker in workers:
            worker.send_signal(signal.SIGTERM)  # each finishes the email in hand, then stops
        outputs = [worker.communicate(timeout=60)[0] for worker in workers]
    assert [worker.returncode for worker in workers] == [0, 0], outputs
    assert sorted(inbox.recipients) == sorted(addresses)
    assert set(inbox.recipients.values()) == {1}
    sent = [int(re.search(r"Worker stopped: (\d+) emails sent", output).group(1)) for output in outputs]
    assert sum(sent) == COUNT and min(sent) > 0, sent

"""`flask cms worker` as separate processes against a real SMTP server in this test process: killed in the middle
of sending, and two at once on PostgreSQL. Each subscriber gets exactly one email."""

from __future__ import annotations

import os
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


def _worker(app, inbox, *arguments: str) -> subprocess.Popen:
    env = {**os.environ, "FLASK_APP": "app.py", "DATABASE_URL": app.config["SQLALCHEMY_DATABASE_URI"],
           "SECRET_KEY": "test", "SITE_URL": app.config["SITE_URL"], "SMTP_URL": inbox.url,
           "MAIL_RATE_PER_MINUTE": "0"}
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
        publish(app, make.article("Ambivalence", status=Status.DRAFT, body_source="Text."))
        workers = [_worker(app, inbox, "--once") for _ in range(2)]
        outputs = [worker.communicate(timeout=180)[0] for worker in workers]
    assert [worker.returncode for worker in workers] == [0, 0], outputs
    assert sorted(inbox.recipients) == sorted(addresses)
    assert set(inbox.recipients.values()) == {1}

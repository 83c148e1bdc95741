"""SQLite in WAL mode, and no acknowledged save lost when the process writing is killed mid-way."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from sqlalchemy import select, text

from cms import create_app
from cms.core.workflow import Role
from cms.extensions import db
from cms.models import Article, Revision
from cms.services import articles, users
from tests.factories import NOW, PASSWORD

ROOT = Path(__file__).resolve().parents[2]

#: Saves one article again and again through the services, printing each number once its commit returned.
WRITER = textwrap.dedent("""
    import sys
    from cms import create_app
    from cms.core import clock
    from cms.core.workflow import Status
    from cms.extensions import db
    from cms.models import Article, User
    from cms.services import articles

    app = create_app({"SECRET_KEY": "test", "SQLALCHEMY_DATABASE_URI": sys.argv[1]})
    start = int(sys.argv[2])
    with app.app_context():
        author = db.session.get(User, 1)
        for number in range(start, start + 100_000):
            article = db.session.get(Article, 1)
            articles.update(article, articles.ArticleInput(title=f"Save {number}", body_source=f"save {number} " * 50,
                                                           tags=("grief", f"tag {number % 7}")),
                            by=author, now=clock.now())
            if number % 10 == 0:
                target = Status.REVIEW if article.status is Status.DRAFT else Status.DRAFT
                articles.change_status(article, target, by=author, now=clock.now())
            db.session.commit()
            print(number, flush=True)
""")


@pytest.fixture
def sqlite_app(tmp_path):
    """An app on a SQLite file whatever TEST_DATABASE_URL says: WAL is a SQLite matter."""
    url = f"sqlite:///{tmp_path / 'cms.sqlite'}"
    app = create_app({"TESTING": True, "SECRET_KEY": "test", "SQLALCHEMY_DATABASE_URI": url})
    with app.app_context():
        db.create_all()
        author = users.create_user("author@example.com", PASSWORD, Role.EDITOR)
        articles.create(articles.ArticleInput(title="Save 0", body_source="save 0"), by=author, now=NOW)
        db.session.commit()
    yield app
    with app.app_context():
        db.engine.dispose()


def test_sqlite_runs_in_wal_mode_with_a_busy_timeout(sqlite_app):
    with sqlite_app.app_context():
        assert db.session.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert db.session.execute(text("PRAGMA busy_timeout")).scalar() == 15_000
        assert db.session.execute(text("PRAGMA foreign_keys")).scalar() == 1
        assert db.session.execute(text("PRAGMA synchronous")).scalar() == 2  # FULL: a commit is on disk


def test_a_reader_in_the_middle_of_a_transaction_does_not_block_a_writer(sqlite_app, tmp_path):
    reader = sqlite3.connect(tmp_path / "cms.sqlite", timeout=0)
    reader.execute("BEGIN")
    assert reader.execute("SELECT title FROM articles").fetchone() == ("Save 0",)
    with sqlite_app.app_context():
        article = db.session.get(Article, 1)
        articles.update(article, articles.ArticleInput(title="Save 1"), by=article.author, now=NOW)
        db.session.commit()  # would raise "database is locked" without WAL
    assert reader.execute("SELECT title FROM articles").fetchone() == ("Save 0",)  # its own snapshot
    reader.rollback()
    assert reader.execute("SELECT title FROM articles").fetchone() == ("Save 1",)
    reader.close()


def _save_until_killed(url: str, start: int, acknowledged_before_kill: int) -> list[int]:
    """Run the writer, SIGKILL it after that many acknowledged saves, and return the numbers it acknowledged."""
    process = subprocess.Popen([sys.executable, "-c", WRITER, url, str(start)], stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, text=True, cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT)})
    acknowledged = []
    try:
        for line in process.stdout:
            acknowledged.append(int(line))
            if len(acknowledged) == acknowledged_before_kill:
                process.send_signal(signal.SIGKILL)  # mid-way: the next save is already under way
                break
    finally:
        process.kill()
        rest, errors = process.communicate(timeout=30)
    acknowledged += [int(line) for line in rest.split()]  # printed before the kill landed
    assert acknowledged, errors
    assert process.returncode == -signal.SIGKILL, errors
    return acknowledged


def test_killing_the_writer_mid_save_loses_no_acknowledged_save(sqlite_app, tmp_path):
    url = sqlite_app.config["SQLALCHEMY_DATABASE_URI"]
    acknowledged: list[int] = []
    start = 1
    for round_ in range(3):  # kill, restart on the same file, kill again
        acknowledged += _save_until_killed(url, start, acknowledged_before_kill=40 + 17 * round_)
        start = acknowledged[-1] + 2  # the save in flight may or may not have landed; never reuse its number

        connection = sqlite3.connect(tmp_path / "cms.sqlite")
        assert connection.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
        assert connection.execute("PRAGMA foreign_key_check").fetchall() == []
        connection.close()

    with sqlite_app.app_context():
        revisions = {revision.title: revision for revision in db.session.scalars(select(Revision))}
        for number in acknowledged:
            revision = revisions.get(f"Save {number}")
            assert revision is not None, f"acknowledged save {number} is missing"
            assert revision.body_source == f"save {number} " * 50 and revision.tags == ["grief", f"tag {number % 7}"]
        article = db.session.get(Article, 1)
        assert article.title in (f"Save {acknowledged[-1]}", f"Save {acknowledged[-1] + 1}")
        assert article.body_source == f"{article.title.lower()} " * 50
        assert db.session.execute(text("PRAGMA journal_mode")).scalar() == "wal"

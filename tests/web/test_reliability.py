"""SQLite in WAL mode, and no acknowledged save lost when the server is killed in the middle of saves."""

from __future__ import annotations

import html
import http.client
import os
import re
import signal
import socket
import sqlite3
import subprocess
import sys
import urllib.parse
from collections.abc import Iterator
from contextlib import contextmanager
from http.cookies import SimpleCookie
from pathlib import Path

import pytest
from sqlalchemy import select, text

from cms import create_app
from cms.core.workflow import Role
from cms.extensions import db
from cms.models import Article, Revision
from cms.services import articles, users
from tests.factories import NOW, PASSWORD
from tests.servers import free_port, wait_until_answering

ROOT = Path(__file__).resolve().parents[2]
GUNICORN = Path(sys.executable).with_name("gunicorn")
EDIT = "/admin/articles/1/edit"


class Writer:
    """The author's browser, reduced to what saving needs: cookies, CSRF tokens and the loaded version."""

    def __init__(self, port: int, cookies: dict[str, str] | None = None) -> None:
        self.port = port
        self.cookies = dict(cookies or {})

    def request(self, method: str, path: str, form: dict[str, str] | None = None) -> tuple[int, str, str]:
        """Return status, Location and body; keeps the cookies set."""
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        connection.request(method, path, *self._encoded(form))
        response = connection.getresponse()
        body = response.read().decode()
        for header in response.headers.get_all("Set-Cookie") or ():
            cookie = SimpleCookie(header)
            self.cookies.update((name, morsel.value) for name, morsel in cookie.items())
        connection.close()
        return response.status, response.headers.get("Location", ""), body

    def sign_in(self) -> None:
        _, _, page = self.request("GET", "/login")
        status, _, _ = self.request("POST", "/login", {"email": "author@example.com", "password": PASSWORD,
                                                       "csrf_token": _field(page, "csrf_token")})
        assert status == 302

    def save_form(self, number: int) -> dict[str, str]:
        """The writing screen as loaded now, filled in with save `number`; the tenth publishes the draft."""
        status, _, page = self.request("GET", EDIT)
        assert status == 200, page
        is_publishing = number % 10 == 0 and 'value="published"' in page
        return {"title": f"Save {number}", "body_source": f"save {number} " * 50, "summary": "",
                "tags": f"grief, tag {number % 7}", "series": "", "series_part": "", "slug": "", "description": "",
                "publish_at": _field(page, "publish_at"), "is_autolink_enabled": "y",
                "version": _field(page, "version"), "csrf_token": _field(page, "csrf_token"),
                "action": "published" if is_publishing else "save"}

    def save(self, number: int) -> bool:
        """Post save `number`; return whether the server acknowledged it (the writing screen's redirect)."""
        status, location, body = self.request("POST", EDIT, self.save_form(number))
        assert status in (302, 303), body
        return location.endswith(EDIT)

    def send_without_waiting(self, number: int) -> socket.socket:
        """Send save `number` whole and return before the answer: the save the kill lands in the middle of."""
        body, headers = self._encoded(self.save_form(number))
        head = "".join(f"{name}: {value}\r\n" for name, value in headers.items())
        connection = socket.create_connection(("127.0.0.1", self.port))
        connection.sendall(f"POST {EDIT} HTTP/1.1\r\nHost: 127.0.0.1\r\n{head}\r\n".encode() + body)
        return connection

    def _encoded(self, form: dict[str, str] | None) -> tuple[bytes | None, dict[str, str]]:
        headers = {"Cookie": "; ".join(f"{name}={value}" for name, value in self.cookies.items())}
        if form is None:
            return None, headers
        body = urllib.parse.urlencode(form).encode()
        return body, {**headers, "Content-Type": "application/x-www-form-urlencoded",
                      "Content-Length": str(len(body))}


def _field(page: str, name: str) -> str:
    """The value of an input as a browser would send it: empty when the input has none."""
    tag = re.search(rf'<input[^>]*name="{name}"[^>]*>', page).group(0)
    value = re.search(r'value="([^"]*)"', tag)
    return html.unescape(value.group(1)) if value else ""


@contextmanager
def gunicorn(url: str, port: int) -> Iterator[subprocess.Popen]:
    """The site under gunicorn as in production (two sync workers), in its own process group to kill whole."""
    server = subprocess.Popen(
        [str(GUNICORN), "--workers", "2", "--bind", f"127.0.0.1:{port}", "--log-level", "warning", "app:app"],
        cwd=ROOT, env={**os.environ, "DATABASE_URL": url, "SECRET_KEY": "kill-test"}, start_new_session=True,
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    try:
        if not wait_until_answering(port, "/login", seconds=60):  # a busy machine starts it slowly
            os.killpg(server.pid, signal.SIGKILL)  # else reading its output would wait for it forever
            pytest.fail(f"gunicorn did not answer within 60 s: {server.stderr.read()}")
        yield server
    finally:
        if server.poll() is None:
            os.killpg(server.pid, signal.SIGKILL)
        server.wait(timeout=30)


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


def test_a_new_process_takes_planner_statistics_when_there_are_none(sqlite_app, tmp_path):
    with sqlite_app.app_context():
        author = db.session.get(Article, 1).author
        for number in range(60):  # enough that reading the whole table is no longer the cheap way
            articles.create(articles.ArticleInput(title=f"Article {number}"), by=author, now=NOW)
        db.session.commit()
    connection = sqlite3.connect(tmp_path / "cms.sqlite")
    assert not connection.execute("SELECT 1 FROM sqlite_master WHERE name = 'sqlite_stat1'").fetchone()
    restarted = create_app({"SECRET_KEY": "test",
                            "SQLALCHEMY_DATABASE_URI": sqlite_app.config["SQLALCHEMY_DATABASE_URI"]})
    with restarted.app_context():
        plan = db.session.execute(text("EXPLAIN QUERY PLAN SELECT title FROM articles WHERE status IN "
                                       "('published', 'scheduled') AND publish_at <= '2030-01-01' AND id IN (1, 2)"))
        assert "PRIMARY KEY" in " ".join(row[3] for row in plan)
        db.engine.dispose()
    assert connection.execute("SELECT count(*) FROM sqlite_stat1 WHERE tbl = 'articles'").fetchone()[0] > 0
    connection.close()


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


def test_killing_the_server_mid_save_loses_no_acknowledged_save(sqlite_app, tmp_path):
    url = sqlite_app.config["SQLALCHEMY_DATABASE_URI"]
    port = free_port()
    acknowledged: list[int] = []
    cookies: dict[str, str] = {}
    number = 0
    for round_ in range(3):  # kill, restart on the same file, kill again
        with gunicorn(url, port) as server:
            writer = Writer(port, cookies)
            if not cookies:
                writer.sign_in()
            for _ in range(15 + 7 * round_):
                number += 1
                if writer.save(number):
                    acknowledged.append(number)
            number += 1
            in_flight = writer.send_without_waiting(number)
            os.killpg(server.pid, signal.SIGKILL)  # the save in flight may or may not land; it was never acknowledged
            in_flight.close()
            cookies = writer.cookies

        connection = sqlite3.connect(tmp_path / "cms.sqlite")
        assert connection.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
        assert connection.execute("PRAGMA foreign_key_check").fetchall() == []
        connection.close()

    with gunicorn(url, port):  # the restarted site still knows the author's session and shows the last save
        status, _, page = Writer(port, cookies).request("GET", EDIT)
        assert status == 200 and _field(page, "title") in (f"Save {acknowledged[-1]}", f"Save {number}")

    with sqlite_app.app_context():
        revisions = {revision.title: revision for revision in db.session.scalars(select(Revision))}
        for number in acknowledged:
            revision = revisions.get(f"Save {number}")
            assert revision is not None, f"acknowledged save {number} is missing"
            assert revision.body_source.split() == ["save", str(number)] * 50
            assert sorted(revision.tags) == sorted(["grief", f"tag {number % 7}"])
        article = db.session.get(Article, 1)
        assert article.body_source.split() == article.title.lower().split() * 50
        assert db.session.execute(text("PRAGMA journal_mode")).scalar() == "wal"

"""Fail fast and report health: /healthz and /readyz, a server that will not start without its database, and a
hung Redis that costs readers nothing but a warning in the log."""

from __future__ import annotations

import logging
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from alembic.script import ScriptDirectory
from flask import Flask
from sqlalchemy import create_engine, text

from cms import MIGRATIONS, create_app
from cms.core.workflow import Status
from cms.extensions import db
from cms.web.circuit import RETRY_AFTER
from tests.factories import Factories
from tests.servers import HungServer, free_port

ROOT = Path(__file__).resolve().parents[2]
GUNICORN = Path(sys.executable).with_name("gunicorn")


@pytest.fixture
def hung_redis() -> Iterator[HungServer]:
    """A Redis that accepts connections and never answers."""
    server = HungServer()
    yield server
    server.close()


@pytest.fixture
def migrated_app(app_config: dict, tmp_path: Path) -> Iterator[Flask]:
    """A site whose schema came from `flask cms init`, as a deployed one."""
    if os.environ.get("TEST_DATABASE_URL"):
        pytest.skip("the shared PostgreSQL schema of the suite is made without migrations; SQLite shows the same")
    app = create_app({**app_config, "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'site.sqlite'}"})
    app.instance_path = str(tmp_path)
    assert app.test_cli_runner().invoke(args=["cms", "init"]).exit_code == 0
    yield app
    with app.app_context():
        db.engine.dispose()


def test_healthz_says_the_process_answers_and_is_never_cached(client):
    response = client.get("/healthz")

    assert response.status_code == 200
    assert response.get_json() == {"status": "ok"}
    assert response.headers["Cache-Control"] == "no-store"


def test_readyz_is_ready_on_a_database_at_the_newest_migration(migrated_app):
    client = migrated_app.test_client()

    first, second = client.get("/readyz"), client.get("/readyz")

    assert first.status_code == 200
    assert first.get_json() == {"status": "ready", "checks": {"database": "ok", "migrations": "ok"}}
    assert first.headers["Cache-Control"] == "no-store"
    assert second.status_code == 200
    assert not migrated_app.extensions["cms_page_cache"].entries  # never kept by the page cache


def test_readyz_names_a_schema_behind_the_code(migrated_app):
    with migrated_app.app_context(), db.engine.begin() as connection:
        connection.execute(text("UPDATE alembic_version SET version_num = '0004_user_sessions'"))

    response = migrated_app.test_client().get("/readyz")

    assert response.status_code == 503
    head = ScriptDirectory(str(MIGRATIONS)).get_current_head()
    assert response.get_json()["checks"]["migrations"] == (
        f"at 0004_user_sessions, not {head}: run flask cms init")
    assert response.headers["Cache-Control"] == "no-store"


def test_readyz_and_healthz_answer_while_the_database_is_down(app_config):
    app = create_app({**app_config, "SQLALCHEMY_DATABASE_URI": f"postgresql+psycopg://cms@127.0.0.1:{free_port()}/x"})
    client = app.test_client()

    assert client.get("/healthz").status_code == 200
    assert client.get("/static/css/site.css").status_code == 200  # the page cache lets the app answer
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.get_json()["checks"]["database"].startswith("unreachable: ")


def test_readyz_reports_a_redis_that_does_not_answer(app_config, hung_redis):
    app = create_app({**app_config, "CACHE_URL": f"redis://127.0.0.1:{hung_redis.port}/0",
                      "RATELIMIT_STORAGE_URI": f"redis://127.0.0.1:{hung_redis.port}/0"})

    started = time.monotonic()
    response = app.test_client().get("/readyz")

    assert time.monotonic() - started < 1
    assert response.status_code == 503
    checks = response.get_json()["checks"]
    assert checks["cache"].startswith("unreachable")
    assert checks["sign_in_limits"].startswith("unreachable")


def test_gunicorn_with_an_unreachable_database_exits_within_ten_seconds_saying_why(tmp_path):
    port, database_port = free_port(), free_port()
    environment = {**os.environ, "DATABASE_URL": f"postgresql+psycopg://cms:secret@127.0.0.1:{database_port}/cms",
                   "SECRET_KEY": "test", "PYTHONPATH": str(ROOT)}

    started = time.monotonic()
    server = subprocess.run([str(GUNICORN), "--workers", "1", "--bind", f"127.0.0.1:{port}",
                             "--control-socket", str(tmp_path / "gunicorn.ctl"), "app:app"],
                            cwd=ROOT, env=environment, capture_output=True, text=True, timeout=30, check=False)
    elapsed = time.monotonic() - started

    assert server.returncode != 0
    assert elapsed < 10, f"took {elapsed:.1f} s"
    sentences = {line for line in server.stderr.splitlines() if line.startswith("Cannot start")}
    assert sentences == {
        f"Cannot start: the database at postgresql+psycopg://cms:***@127.0.0.1:{database_port}/cms does not answer "
        f'(connection failed: connection to server at "127.0.0.1", port {database_port} failed: Connection refused).'}
    assert "Traceback" not in server.stderr


def test_a_hung_redis_is_tried_once_per_retry_period_and_logs_one_warning(app_config, hung_redis: HungServer,
                                                                         make: Factories, caplog):
    """Readers wait on a hung Redis only for the calls that find it hung (each bounded by REDIS_TIMEOUT); the
    rest are served without asking it. `make bench` measures the latency this leaves (bench_redis)."""
    make.article("Letting go of resentment", status=Status.PUBLISHED)
    client = create_app({**app_config, "CACHE_URL": f"redis://127.0.0.1:{hung_redis.port}/0"}).test_client()

    started = time.monotonic()
    with caplog.at_level(logging.WARNING, logger="cms"):
        for _ in range(100):
            assert client.get("/articles/letting-go-of-resentment").status_code == 200
    probes = 1 + int((time.monotonic() - started) // RETRY_AFTER) + 1  # the first call, then one per period

    assert 1 <= len(hung_redis.accepted) <= probes
    warnings = [record.getMessage() for record in caplog.records if "does not answer" in record.getMessage()]
    assert len(warnings) == 1
    assert warnings[0].startswith("The page cache's Redis (CACHE_URL) does not answer (Timeout")


def test_a_closed_redis_port_is_served_around_with_one_warning(app_config, make: Factories, caplog):
    make.article("Letting go of resentment", status=Status.PUBLISHED)
    client = create_app({**app_config, "CACHE_URL": f"redis://127.0.0.1:{free_port()}/0"}).test_client()

    with caplog.at_level(logging.WARNING, logger="cms"):
        for _ in range(20):
            assert client.get("/articles/letting-go-of-resentment").status_code == 200

    warnings = [record.getMessage() for record in caplog.records if "does not answer" in record.getMessage()]
    assert len(warnings) == 1
    assert warnings[0].startswith("The page cache's Redis (CACHE_URL) does not answer (")


def test_a_connection_the_database_closed_while_pooled_is_replaced_as_it_is_taken(app, client, make):
    if not app.config["SQLALCHEMY_DATABASE_URI"].startswith("postgresql"):
        pytest.skip("SQLite's connections are files: nothing can close them from outside")
    with app.app_context():  # connections in the pool, closed by the server as a restart or an idle timeout would
        pooled = [db.engine.connect() for _ in range(2)]
        backends = [connection.connection.dbapi_connection.info.backend_pid for connection in pooled]
        for connection in pooled:
            connection.close()
        with create_engine(db.engine.url).connect() as killer:  # from outside the pool
            for backend in backends:
                assert killer.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": backend}).scalar()
        time.sleep(0.2)  # the server's goodbye reaches the pooled sockets
        for _ in backends:  # a write's transaction, which nothing could try again once begun
            with db.engine.begin() as connection:
                assert connection.execute(text("SELECT pg_backend_pid()")).scalar() not in backends
    make.article("Still here", slug="still-here")
    assert client.get("/articles/still-here").status_code == 200


def test_a_new_process_on_postgresql_takes_planner_statistics_and_the_visibility_map_when_the_articles_outgrew_them(
        app, app_config, make):
    if not app.config["SQLALCHEMY_DATABASE_URI"].startswith("postgresql"):
        pytest.skip("PostgreSQL's statistics; tests/web/test_reliability.py shows SQLite's")
    estimate = "SELECT reltuples FROM pg_class WHERE oid = to_regclass('articles')"
    all_visible = "SELECT relallvisible FROM pg_class WHERE oid = to_regclass('articles')"  # pages, after VACUUM
    with app.app_context():
        db.session.execute(text("ANALYZE articles"))  # taken while there were none, as before a bulk import
        db.session.commit()
        assert db.session.scalar(text(estimate)) <= 0
    for number in range(5):
        make.article(f"Article {number}")
    restarted = create_app(app_config)  # a new process: its first connection looks
    with restarted.app_context():
        db.session.execute(text("SELECT 1"))
        db.session.remove()
        db.engine.dispose()
    with app.app_context():
        assert db.session.scalar(text(estimate)) == 5
        assert db.session.scalar(text(all_visible)) >= 1  # so the listed articles are read from the index alone

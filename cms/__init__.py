"""The application factory: wiring only; no schema changes. A server (not a test, not a `flask` command) checks
once, as it starts, that its database and Redis answer (`cms.web.health.check_at_start`)."""

from __future__ import annotations

import os
import select
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import click
from flask import Flask
from flask_login import current_user

from cms import config
from cms.extensions import csrf, db, login_manager, migrate
from cms.services import freshness  # noqa: F401 - installs the content-version bump on every session
from cms.web import health
from cms.web.urls import SiteBoundFlask

PACKAGE = Path(__file__).resolve().parent
# templates/ and static/ sit beside the package in a checkout and inside it once installed from the wheel
# (pyproject.toml maps them in), so the app serves the same files from either.
ROOT = PACKAGE if (PACKAGE / "templates").is_dir() else PACKAGE.parent
MIGRATIONS = PACKAGE / "migrations"


def create_app(test_config: Mapping[str, Any] | None = None) -> Flask:
    """Build a configured app; cheap enough that every test builds its own."""
    app = SiteBoundFlask(__name__, root_path=str(ROOT), instance_relative_config=True,  # links from SITE_URL
                         instance_path=_instance_path(os.environ))
    app.config.from_object(config.Defaults)
    if test_config is None:
        app.config.update(config.load(app.instance_path, os.environ))
    else:
        app.config.update(test_config)
        config.check(app.config)
    register_extensions(app)
    register_blueprints(app)
    register_admin(app)
    register_cli(app)
    if test_config is None and click.get_current_context(silent=True) is None:
        health.check_at_start(app)  # serving (gunicorn); `flask` commands report an unreachable database themselves
    return app


def _instance_path(environ: Mapping[str, str]) -> str | None:
    """INSTANCE_PATH, made absolute; unset, Flask's default: instance/ in a checkout, <venv>/var/cms-instance
    when installed."""
    path = environ.get(config.INSTANCE_PATH)
    return str(Path(path).resolve()) if path else None


def register_extensions(app: Flask) -> None:
    db.init_app(app)
    migrate.init_app(app, db, directory=str(MIGRATIONS), render_as_batch=True)
    csrf.init_app(app)
    # Flask-Login's own context processor loads the user for every template; the proxy loads it only for the
    # back office's templates that ask, not for every public page.
    login_manager.init_app(app, add_context_processor=False)
    app.context_processor(lambda: {"current_user": current_user})
    login_manager.login_view = "auth.login"
    login_manager.login_message = "Please sign in to continue."
    login_manager.session_protection = "strong"
    _configure_sqlite(app)
    _configure_postgresql(app)


def _configure_postgresql(app: Flask) -> None:
    """Replace a pooled connection the server closed (a restart, an idle timeout) as it is checked out.

    A closed connection has something to read: the end of its stream, or the server's last words. A healthy
    idle one has nothing, so a zero-timeout poll of its socket tells them apart without the round trip
    SQLAlchemy's pool_pre_ping costs on every checkout, which is every request.
    """
    if not app.config["SQLALCHEMY_DATABASE_URI"].startswith("postgresql"):
        return
    from sqlalchemy import event
    from sqlalchemy.exc import DisconnectionError

    is_first = [True]
    with app.app_context():
        @event.listens_for(db.engine, "checkout")
        def on_checkout(connection: Any, _record: Any, _proxy: Any) -> None:
            if connection.closed or select.select([connection.pgconn.socket], [], [], 0)[0]:
                raise DisconnectionError("the server closed this pooled connection")  # the pool connects anew

        @event.listens_for(db.engine, "connect")
        def on_connect(connection: Any, _record: Any) -> None:
            if is_first[0]:
                is_first[0] = False
                _keep_postgresql_statistics(connection)


def _keep_postgresql_statistics(connection: Any) -> None:
    """Take PostgreSQL's planner statistics, and its map of the pages whose rows every transaction sees, if there
    are none, or the articles have halved or doubled since, as `_keep_planner_statistics` does for SQLite.

    PostgreSQL's autovacuum takes both, but not while it is off, nor before it comes round after a bulk import:
    at 100,000 articles without statistics the home page took 31 ms of the database's time and a tag page 129 ms,
    against 0.8 and 1.2 ms with them; at 1,000 without the map, a tag page read every article's row (3.7 ms)
    instead of walking the index of listed articles alone (0.6 ms). Once per process, at its first connection;
    VACUUM blocks neither reads nor writes, and a table another process is vacuuming is skipped, not waited for.
    """
    import psycopg

    tables = ", ".join(f'"{name}"' for name in db.metadata.tables)  # the site's own tables, no others
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT reltuples FROM pg_class WHERE oid = to_regclass('articles')")
            row = cursor.fetchone()
            is_outgrown = row is not None and _statistics_outgrown(  # None: not set up yet
                cursor.execute("SELECT count(*) FROM articles").fetchone()[0], max(row[0], 0))
        connection.commit()
        if is_outgrown:
            connection.autocommit = True  # VACUUM runs outside a transaction
            try:
                connection.execute(f"VACUUM (ANALYZE, SKIP_LOCKED) {tables}")
            finally:
                connection.autocommit = False
    except psycopg.Error:  # not allowed, or busy: the planner goes on with what it has until the next start
        connection.rollback()


def _statistics_outgrown(articles: int, estimate: float) -> bool:
    """Whether the planner's statistics need taking: there are articles, and none were counted or their number has
    halved or doubled since."""
    return bool(articles) and not estimate / 2 <= articles <= estimate * 2


def _configure_sqlite(app: Flask) -> None:
    """Foreign keys are off in SQLite unless each connection asks for them.

    WAL lets readers go on while a writer commits, and a writer waits up to the busy timeout for another one
    instead of failing at once; synchronous stays FULL, so a committed save survives a crash.
    """
    if not app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite"):
        return
    from sqlalchemy import event

    is_first = [True]
    busy_timeout_ms = int(app.config["SQLITE_BUSY_TIMEOUT_MS"])  # not `app`: the engine must not keep it alive

    with app.app_context():
        @event.listens_for(db.engine, "connect")
        def on_connect(connection: Any, _record: Any) -> None:
            cursor = connection.cursor()
            cursor.execute("PRAGMA foreign_keys = ON")
            cursor.execute(f"PRAGMA busy_timeout = {busy_timeout_ms}")
            cursor.execute("PRAGMA journal_mode = WAL")
            if is_first[0]:
                is_first[0] = False
                _keep_planner_statistics(cursor)
            cursor.close()


def _keep_planner_statistics(cursor: Any) -> None:
    """Take SQLite's planner statistics if there are none, or the articles have halved or doubled since.

    Without them the planner guesses, and at 100,000 articles it reads every live article to find three by id.
    Once per process, at its first connection; sampled (analysis_limit), so a fraction of a second at any size.
    """
    import sqlite3

    try:
        if not cursor.execute("SELECT 1 FROM sqlite_master WHERE name = 'articles'").fetchone():
            return  # not set up yet
        count = cursor.execute("SELECT count(*) FROM articles").fetchone()[0]
        has_table = cursor.execute("SELECT 1 FROM sqlite_master WHERE name = 'sqlite_stat1'").fetchone()
        stat = has_table and cursor.execute("SELECT stat FROM sqlite_stat1 WHERE tbl = 'articles'").fetchone()
        estimate = int(stat[0].split()[0]) if stat else 0
        if _statistics_outgrown(count, estimate):
            cursor.execute("PRAGMA analysis_limit = 1000")
            cursor.execute("ANALYZE")
    except sqlite3.OperationalError:  # busy or read-only: the planner guesses until the next start
        pass


def register_blueprints(app: Flask) -> None:
    from cms.web import (
        api,
        assets,
        auth,
        authoring,
        errors,
        feeds,
        page_cache,
        page_writing,
        params,
        public,
        security,
        signing,
        subscriptions,
        templating,
        uploads,
    )

    params.register(app)  # first: routes added after it read ids with its converter
    page_cache.install(app)  # inside ProxyFix (added by security), which must see requests first
    security.register(app)
    signing.register(app)
    assets.register(app)
    templating.register(app)
    errors.register(app)
    app.register_blueprint(health.bp)
    app.register_blueprint(auth.bp)
    auth.limit_sign_ins(app)
    app.register_blueprint(uploads.bp)
    app.register_blueprint(authoring.bp)
    app.register_blueprint(authoring.preview_bp)
    app.register_blueprint(page_writing.bp)
    app.register_blueprint(api.bp)
    app.register_blueprint(feeds.bp)
    app.register_blueprint(subscriptions.bp)
    subscriptions.limit_requests(app)
    app.register_blueprint(public.bp)  # last: its /<slug> pages catch what nothing else answers


def register_admin(app: Flask) -> None:
    from cms.admin import build_admin
    from cms.web import media, subscribers, transfer

    admin = build_admin(app)
    media.register(admin)
    transfer.register(admin)
    subscribers.register(admin)


def register_cli(app: Flask) -> None:
    from cms.cli import cms

    app.cli.add_command(cms)

"""Health for load balancers and process supervisors, and the check a server makes before it serves.

`/healthz` says the process answers; `/readyz` that it can serve: the database answers, its schema is at the
newest migration, and Redis answers when the site uses it. Both are JSON, never cached, and never pass
through the page cache (which would ask the database first).
"""

from __future__ import annotations

import sys
from collections.abc import Callable

from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from flask import Blueprint, Flask, Response, current_app, jsonify
from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import SQLAlchemyError

from cms.extensions import db

bp = Blueprint("health", __name__)

@bp.get("/healthz")
def healthz() -> Response:
    return _uncached(jsonify(status="ok"), 200)


@bp.get("/readyz")
def readyz() -> Response:
    checks = {"database": _database(), "migrations": _migrations(), **_redis_checks(current_app)}
    is_ready = all(value in ("ok", "not configured") for value in checks.values())
    return _uncached(jsonify(status="ready" if is_ready else "not ready", checks=checks), 200 if is_ready else 503)


def _uncached(response: Response, status: int) -> Response:
    response.status_code = status
    response.cache_control.no_store = True
    return response


def _database() -> str:
    try:
        with db.engine.connect() as connection:
            connection.execute(text("SELECT 1"))
    except SQLAlchemyError as error:
        return f"unreachable: {_first_line(error)}"
    return "ok"


def _migrations() -> str:
    try:
        with db.engine.connect() as connection:
            current = MigrationContext.configure(connection).get_current_revision()
    except SQLAlchemyError as error:
        return f"unknown: {_first_line(error)}"
    head = _head_revision(current_app)
    return "ok" if current == head else f"at {current or 'no schema'}, not {head}: run flask cms init"


def _head_revision(app: Flask) -> str | None:
    if "cms.head_revision" not in app.extensions:  # read once: the migration files do not change under a process
        app.extensions["cms.head_revision"] = ScriptDirectory(app.extensions["migrate"].directory).get_current_head()
    return app.extensions["cms.head_revision"]


def _redis_checks(app: Flask) -> dict[str, str]:
    """One entry per Redis the site is configured to use (the page cache, the sign-in limits)."""
    checks: dict[str, str] = {}
    for name, ping in _redis_pings(app).items():
        try:
            checks[name] = "ok" if ping() else "unreachable"
        except Exception as error:  # noqa: BLE001 - redis and limits raise their own families; all mean "down"
            checks[name] = f"unreachable: {_first_line(error)}"
    return checks


def _redis_pings(app: Flask) -> dict[str, Callable[[], bool]]:
    pings: dict[str, Callable[[], bool]] = {}
    store = app.extensions.get("cms_page_cache")
    if store is not None and hasattr(store, "ping"):
        pings["cache"] = store.ping
    limits = app.extensions.get("cms.sign_in_limits")
    if limits is not None and limits.is_shared_remote:
        pings["sign_in_limits"] = limits.ping
    return pings


def _first_line(error: BaseException) -> str:
    text_ = str(getattr(error, "orig", None) or error).strip()
    return text_.splitlines()[0] if text_ else type(error).__name__


def check_at_start(app: Flask) -> None:
    """Exit with one sentence if the database, or a Redis the site is configured to use, does not answer.

    A server that cannot reach them would start and then answer every request with an error; failing here
    makes gunicorn stop at once (a worker that exits while booting stops the whole server), and says why.
    """
    with app.app_context():
        problem = _database()
        where = make_url(app.config["SQLALCHEMY_DATABASE_URI"]).render_as_string(hide_password=True)
        if problem != "ok":
            _stop(f"Cannot start: the database at {where} does not answer ({problem.split(': ', 1)[-1]}).")
        for name, result in _redis_checks(app).items():
            if result != "ok":
                what = "CACHE_URL" if name == "cache" else "RATELIMIT_STORAGE_URI"
                _stop(f"Cannot start: the Redis of {what} does not answer ({result.split(': ', 1)[-1]}).")


def _stop(sentence: str) -> None:
    print(sentence, file=sys.stderr, flush=True)  # noqa: T201 - before logging is set up; gunicorn shows stderr
    raise SystemExit(3)  # gunicorn's "worker failed to boot": the arbiter stops instead of starting another

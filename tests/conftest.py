"""Every test gets a fresh app on an empty database: SQLite by default, PostgreSQL when TEST_DATABASE_URL is set.

Fast without sharing state between tests:
- The tables are made once a run. SQLite: into a template file, which each test copies. PostgreSQL: into a
  schema of the run's own, whose rows are deleted after each test, sequences set back to where they started.
  A fixture that drops them (a migration test, say) leaves them to be made again by the next test.
- Rows a fixture builds through the services (a reading site of a dozen articles, the sample site with pictures),
  most of a test's time, are built once a process and copied for later tests (`prebuilt`, see Prebuilt): SQLite
  by its backup of every page into the test's own file, PostgreSQL by INSERT … SELECT from a schema beside the run's.
  Each test still has its own database and app; the builder's answer is handed out again as a copy.
- Commits don't wait for a disk: SQLite files, and every temporary folder, live in memory (/dev/shm) where there
  is one, and PostgreSQL sessions run with synchronous_commit off; a test database has nothing to keep through a
  crash.
- Passwords are hashed with one round of PBKDF2 (PASSWORD_HASH_METHOD) instead of the site's scrypt, which
  costs 0.2 s for every account made or signed in to; tests/services/test_password_storage.py checks the site's.
- Templates are compiled once a run, not once per app a test makes (the fixture's, a module's own site, a second
  instance): Jinja's bytecode cache, checked against the source.
- So are the functions Werkzeug writes to build each URL rule's URLs (two a rule, 112 rules an app: half of what an
  app costs to make): the same function for the same rule, bound to each app's own rule. And each rule's text is
  parsed once (a quarter of what is left), each app's rule getting converters of its own.
- And SQL statements: SQLAlchemy compiles each statement once per engine, and every test has an engine of its own,
  so all share one statement cache, each statement kept apart per kind and settings of database (its dialect).
- And the back office's form classes, which Flask-Admin scaffolds from the models for each view of each app, and
  which of each view's methods are actions.
- Slow inputs are made cheaply, not made smaller: a 200-frame GIF is one encoded frame's block repeated.
- Python's collector of reference cycles runs after every 10,000 new objects, not 700 (pytest_configure), and
  leaves alone what importing and collecting made, which lives all run (gc.freeze, pytest_collection_finish).
- `make test` runs three processes for every two cores (pytest-xdist, pytest_xdist_auto_num_workers): server and
  browser tests wait on other processes; each has its own SQLite folder or PostgreSQL schema.
"""

from __future__ import annotations

import functools
import gc
import os
import re
import shutil
import sqlite3
import tempfile
import uuid
import weakref
from collections.abc import Callable, Iterator
from contextlib import closing
from copy import copy as copy_shallow, deepcopy as copy_object
from dataclasses import dataclass
from pathlib import Path
from types import BuiltinFunctionType, FunctionType, ModuleType
from typing import Any, TypeVar

import pytest
from flask import Flask, request, session
from flask.testing import FlaskClient
from flask_admin.actions import ActionsMixin
from flask_admin.model import BaseModelView
from flask_login import login_user
from jinja2 import BytecodeCache
from jinja2.bccache import Bucket
from sqlalchemy import column, create_engine, delete, event, func, insert, inspect, literal, or_, select, table, text
from sqlalchemy.dialects import postgresql
from sqlalchemy.engine import Connection, Dialect, Engine, make_url
from sqlalchemy.exc import IntegrityError
from sqlalchemy.util import LRUCache
from werkzeug.routing import BaseConverter, Rule

from cms import create_app
from cms.core import clock
from cms.extensions import db
from cms.services import users
from tests import factories

PASSWORD = factories.PASSWORD
MEMORY_FOLDER = Path("/dev/shm")  # tmpfs on Linux
T = TypeVar("T")


class CompiledTemplates(BytecodeCache):
    """Templates as compiled by the first app that rendered them; a changed source is compiled again."""

    def __init__(self) -> None:
        self.code: dict[str, bytes] = {}

    def load_bytecode(self, bucket: Bucket) -> None:
        if bucket.key in self.code:
            bucket.bytecode_from_string(self.code[bucket.key])

    def dump_bytecode(self, bucket: Bucket) -> None:
        self.code[bucket.key] = bucket.bytecode_to_string()


COMPILED_TEMPLATES = CompiledTemplates()
# Every app a test process makes, not only the `app` fixture's: a module's own site, a second instance, a command's.
Flask.jinja_options = {**Flask.jinja_options, "bytecode_cache": COMPILED_TEMPLATES}


URL_BUILDERS: dict[tuple, Callable[..., tuple[str, str]]] = {}
_compile_url_builder = Rule._compile_builder


def _compile_url_builder_once(rule: Rule, append_unknown: bool = True) -> Callable[..., tuple[str, str]]:
    """Werkzeug's Rule._compile_builder, remembering what it wrote: the function depends only on the rule's text,
    its parsed parts and the names of its defaults, and reaches the rule it builds for through its `self` argument.

    A rule with a default for one of its own variables gets that default converted into its builder: not shared.
    """
    defaults = rule.defaults or {}
    if defaults and any(is_dynamic and data in defaults for is_dynamic, data in rule._trace):
        return _compile_url_builder(rule, append_unknown)
    key = (rule.rule, tuple(rule._trace), tuple(defaults), append_unknown)
    if key not in URL_BUILDERS:
        URL_BUILDERS[key] = _compile_url_builder(rule, append_unknown)
    return URL_BUILDERS[key]


Rule._compile_builder = _compile_url_builder_once  # type: ignore[method-assign] - a test-only patch, described above

PARSED_RULES: dict[tuple, tuple[list, list, dict[str, BaseConverter]]] = {}
_compile_rule = Rule.compile


def _compile_rule_once(rule: Rule) -> None:
    """Werkzeug's Rule.compile, parsing each rule's text once: its parts (the regular expressions it is matched
    by), trace and converters depend only on that text, where it is matched (subdomain or host), whether slashes
    merge and which converter the map names how. The parts are shared, read only; each rule gets converters bound
    to its own map, and its URL builders as _compile_url_builder_once gives them."""
    assert rule.map is not None
    where = rule.host if rule.map.host_matching else rule.subdomain
    key = (rule.rule, where, rule.map.host_matching, rule.merge_slashes, tuple(rule.map.converters.items()))
    if key not in PARSED_RULES:
        _compile_rule(rule)
        PARSED_RULES[key] = (rule._parts, rule._trace, rule._converters)
        return
    parts, trace, converters = PARSED_RULES[key]
    rule._parts, rule._trace = list(parts), list(trace)
    rule._converters = {name: copy_shallow(converter) for name, converter in converters.items()}
    for converter in rule._converters.values():
        converter.map = rule.map
    rule.arguments.update(converters)
    rule._build = rule._compile_builder(False).__get__(rule, None)
    rule._build_unknown = rule._compile_builder(True).__get__(rule, None)


Rule.compile = _compile_rule_once  # type: ignore[method-assign] - a test-only patch, described above

ADMIN_FORMS: dict[tuple[type, str], dict[str, Any]] = {}
_refresh_admin_forms = BaseModelView._refresh_forms_cache
_ADMIN_FORM_CLASSES = ("_create_form_class", "_edit_form_class", "_delete_form_class", "_action_form_class",
                       "_list_form_class")


def _refresh_admin_forms_once(view: BaseModelView) -> None:
    """Flask-Admin's _refresh_forms_cache, keeping the form classes it scaffolds from the model: the same for a view
    of the same class and endpoint in every app (made before the view knows its app), half of what a back-office
    view costs to make. Each view still finds its own references for fields filled as one types (ajax)."""
    key = (type(view), view.endpoint)
    if key not in ADMIN_FORMS:
        _refresh_admin_forms(view)
        ADMIN_FORMS[key] = {name: vars(view)[name] for name in _ADMIN_FORM_CLASSES if name in vars(view)}
        return
    view._form_ajax_refs = view._process_ajax_references()
    if view.form_widget_args is None:
        view.form_widget_args = {}
    if not view.column_editable_list:
        view.column_editable_list = {}
    vars(view).update(ADMIN_FORMS[key])


BaseModelView._refresh_forms_cache = _refresh_admin_forms_once  # type: ignore[method-assign] - test-only, above

#: A back-office view class -> its actions: (name, text, confirmation) and the method's attribute name.
ADMIN_ACTIONS: dict[type, list[tuple[str, str, str | None, str]]] = {}
_init_admin_actions = ActionsMixin.init_actions


def _init_admin_actions_once(view: ActionsMixin) -> None:
    """Flask-Admin's init_actions, remembering which methods of the view's class are actions: it finds them by
    looking up every attribute of the class through its ancestors, a sixth of what making an app costs. Each
    view still gets its own bound methods."""
    if type(view) not in ADMIN_ACTIONS:
        _init_admin_actions(view)
        ADMIN_ACTIONS[type(view)] = [(name, text, confirmation, method.__name__)
                                     for name, (method, text, confirmation) in view._actions_data.items()]
        return
    view._actions = [(name, text) for name, text, _, _ in ADMIN_ACTIONS[type(view)]]
    view._actions_data = {name: (getattr(view, attribute), text, confirmation)
                          for name, text, confirmation, attribute in ADMIN_ACTIONS[type(view)]}


ActionsMixin.init_actions = _init_admin_actions_once  # type: ignore[method-assign] - test-only, above

#: Dialect settings compared by value; any other attribute (a type compiler, a cache) by its class.
DIALECT_SETTINGS = (type(None), bool, int, float, str, tuple, type, ModuleType, FunctionType, BuiltinFunctionType)


class CompiledStatements(LRUCache):
    """SQLAlchemy's statement cache, shared by every engine of a test process (the `compiled_cache` execution
    option). SQLAlchemy keys it by the engine's own dialect object; here by the dialect's class and settings,
    including what it learned from the server at its first connection (the version), which engines of one run share.
    """

    def __init__(self) -> None:
        super().__init__(10_000)
        self.signatures: weakref.WeakKeyDictionary[Dialect, tuple] = weakref.WeakKeyDictionary()

    def signature(self, dialect: Dialect) -> tuple:
        if dialect not in self.signatures:
            self.signatures[dialect] = (type(dialect), *sorted(
                (name, value if isinstance(value, DIALECT_SETTINGS) else type(value))
                for name, value in vars(dialect).items() if not _is_remembered_answer(dialect, name, value)))
        return self.signatures[dialect]

    def get(self, key, default=None):
        dialect, *rest = key
        return super().get((self.signature(dialect), *rest), default)

    def __setitem__(self, key, value) -> None:
        dialect, *rest = key
        super().__setitem__((self.signature(dialect), *rest), value)


def _is_remembered_answer(dialect: Dialect, name: str, value: Any) -> bool:
    """Whether a dialect attribute is a method of its class remembering its answer on the instance (SQLAlchemy's
    memoized_instancemethod, _gen_allowed_isolation_levels once connected, say): a new function object for every
    dialect, which would key every engine's statements apart, and an answer that follows from the settings that
    are compared."""
    return isinstance(value, FunctionType) and callable(getattr(type(dialect), name, None))


COMPILED_STATEMENTS = CompiledStatements()


@event.listens_for(Engine, "engine_connect")
def _share_compiled_statements(connection: Connection) -> None:
    connection.execution_options(compiled_cache=COMPILED_STATEMENTS)


def pytest_xdist_auto_num_workers(config: pytest.Config) -> int:
    """`-n auto` (make test): half as many processes again as cores. A test of a server or a command waits on
    another process, and a browser test on Chromium between its steps; with one process a core the two cores were
    busy 89% of a SQLite run (3:27), with three 97% (3:20), measured over the whole machine, Chromium included."""
    return max(2, (os.cpu_count() or 1) * 3 // 2)


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Under xdist, each process starts on a share of the browser tests, not the first process on all of them.

    xdist hands each process an equal run of the tests in order (then lets the idle take over others' waiting
    tests), so the browser tests, first in order, were one process's queue (its own process waiting while Chromium
    works) and what it had not reached was taken over at the end, every process's Chromium at once. Each run now
    begins with a slice of them, in their own order, and the other tests keep theirs; the run ends on plain tests.
    A slice ends at the module edge nearest its share, so no module is split: a module's own site (the reader's,
    1.7 s to build) is built by one process, not by each. Every process collects the same order; without xdist
    nothing moves."""
    workers = int(os.environ.get("PYTEST_XDIST_WORKER_COUNT", "1"))
    browser = [item for item in items if item.get_closest_marker("browser")]
    if workers < 2 or not browser:
        return
    others = [item for item in items if not item.get_closest_marker("browser")]
    module_edges = [0] + [index for index in range(1, len(browser))
                          if browser[index].module is not browser[index - 1].module] + [len(browser)]
    slice_edges = [min(module_edges, key=lambda edge: abs(edge - len(browser) * number // workers))
                   for number in range(workers + 1)]
    ordered: list[pytest.Item] = []
    left = len(items)
    for number in range(workers):  # the run xdist's worksteal hands each process: what is left over those left
        size = left // (workers - number)
        left -= size
        share = browser[slice_edges[number]:slice_edges[number + 1]]
        ordered += share
        ordered += others[:size - len(share)]
        del others[:size - len(share)]
    items[:] = ordered + others


def pytest_collection_finish(session: pytest.Session) -> None:
    """The modules, test items and caches made so far live until the run ends: frozen, the collector no longer
    walks them each time it looks at the oldest objects (a fifth of its time in the web tests, 2.4 s -> 1.95 s)."""
    gc.collect()
    gc.freeze()


def pytest_configure(config: pytest.Config) -> None:
    """Python's collector of reference cycles runs after every 700 new objects by default, and every app a test
    makes (and every request) makes thousands, each app a web of cycles: collections took half of an app's time.
    After every 10,000 it costs a fifth as much; garbage waits a little longer in memory.

    Temporary folders (tmp_path, and so the SQLite files of tests that make their own) go to memory where there
    is one: an upgrade test's migrations commit dozens of times, each waiting for a disk (4 s a test, 1 s on CPU).
    """
    gc.set_threshold(10_000)
    if _memory_folder() and not os.environ.get("PYTEST_DEBUG_TEMPROOT"):  # pytest's own way to choose, first
        tempfile.tempdir = str(MEMORY_FOLDER)


def _memory_folder() -> Path | None:
    return MEMORY_FOLDER if MEMORY_FOLDER.is_dir() and os.access(MEMORY_FOLDER, os.W_OK) else None


@pytest.fixture(scope="session")
def database_url() -> Iterator[str | None]:
    """On PostgreSQL, a schema of this run's own, dropped afterwards; None means a SQLite file per test."""
    url = os.environ.get("TEST_DATABASE_URL")
    if not url:
        yield None
        return
    schema = f"cms_test_{uuid.uuid4().hex[:12]}"
    engine = create_engine(url)
    with engine.begin() as connection:
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    options = f"-csearch_path={schema} -csynchronous_commit=off"
    try:
        yield make_url(url).update_query_dict({"options": options}).render_as_string(hide_password=False)
    finally:
        with engine.begin() as connection:
            connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
            for (copy,) in connection.execute(text("SELECT nspname FROM pg_namespace WHERE nspname LIKE :prefix"),
                                              {"prefix": f"{schema}\\_prebuilt\\_%"}):
                connection.execute(text(f'DROP SCHEMA "{copy}" CASCADE'))
        engine.dispose()


@pytest.fixture(scope="session")
def sqlite_folder() -> Iterator[Path]:
    """Where this run's SQLite files go, removed afterwards."""
    with tempfile.TemporaryDirectory(prefix="cms-tests-", dir=_memory_folder()) as folder:
        yield Path(folder)


@pytest.fixture(scope="session")
def sqlite_template(sqlite_folder: Path, database_url: str | None) -> Path | None:
    """A SQLite file with every table made and no rows, for tests to copy; None on PostgreSQL."""
    if database_url:
        return None
    template = sqlite_folder / "template.sqlite"
    app = create_app({"TESTING": True, "SECRET_KEY": "test", "SQLALCHEMY_DATABASE_URI": f"sqlite:///{template}"})
    with app.app_context():
        db.create_all()
        db.engine.dispose()  # the last connection out folds the write-ahead log into the file
    return template


@pytest.fixture
def sqlite_path(sqlite_folder: Path) -> Iterator[Path]:
    """This test's SQLite file: not there yet, and removed after the test with its journal files."""
    path = sqlite_folder / f"{uuid.uuid4().hex}.sqlite"
    yield path
    for name in (path, *(path.with_name(path.name + suffix) for suffix in ("-wal", "-shm", "-journal"))):
        name.unlink(missing_ok=True)


@pytest.fixture
def app_config(sqlite_path: Path, database_url: str | None) -> dict:
    """Settings of a site on a database with no tables yet (or, on PostgreSQL, tables without rows)."""
    return {
        "TESTING": True,
        "SECRET_KEY": "test",
        "SQLALCHEMY_DATABASE_URI": database_url or f"sqlite:///{sqlite_path}",
        "SITE_URL": "http://127.0.0.1:5000",
        "SITE_TIMEZONE": "America/New_York",
        "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1",
    }


@pytest.fixture
def app(app_config: dict, sqlite_template: Path | None) -> Iterator[Flask]:
    """A site with every table and no rows."""
    database = make_url(app_config["SQLALCHEMY_DATABASE_URI"]).database
    if sqlite_template and database:
        shutil.copyfile(sqlite_template, database)
    app = create_app(app_config)
    with app.app_context():
        if set(db.metadata.tables) - set(inspect(db.engine).get_table_names()):  # one query, not one a table
            db.create_all()  # on PostgreSQL, after a fixture dropped the tables: makes the missing ones
    yield app
    with app.app_context():
        db.session.remove()
        if db.engine.dialect.name == "postgresql":
            _empty_tables()
        db.engine.dispose()


def _empty_tables() -> None:
    """Delete every row the test left in any table; their sequences start again where they started.

    DELETE, tables that refer to others first: TRUNCATE makes new files for every table and index, which costs
    twenty times as much on a test's few rows. Tables the models do not know (alembic_version, or an older schema a
    migration test left) go first; if a DELETE is refused even so, TRUNCATE … CASCADE empties them all. Sent as one
    string after the tables' names, two round trips in all: 2 ms a test instead of 7.5.
    """
    try:
        with db.engine.begin() as connection:
            names = connection.scalars(text("SELECT tablename FROM pg_tables "
                                            "WHERE schemaname = current_schema()")).all()
            known = [table.name for table in reversed(db.metadata.sorted_tables) if table.name in names]
            deletes = [_deleting(name) for name in [*sorted(set(names) - set(known)), *known]]
            connection.exec_driver_sql("; ".join([*deletes, "SELECT setval(format('%%I.%%I', schemaname, "
                                       "sequencename), start_value, false) FROM pg_sequences "
                                       "WHERE schemaname = current_schema()"]))
    except IntegrityError:
        tables = ", ".join(f'"{name}"' for name in names)
        with db.engine.begin() as connection:
            connection.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))


@functools.cache
def _deleting(name: str) -> str:
    """DELETE FROM the table `name`, as PostgreSQL is sent it, its name quoted as needed."""
    return str(delete(table(name)).compile(dialect=postgresql.dialect()))


class Prebuilt:
    """Rows a builder of test data made once in this process, copied into the database of each later test asking.

    Each test still has a database and an app of its own: rows are copied into a database no one has written to
    yet, and the builder's answer (ids, slugs, times) is handed out again, a copy to each test. A builder writes
    nothing but rows (no files), and makes the same rows whoever asks: kept apart by builder and by the app's
    settings, and built afresh, not copied, while the clock is set by a test or when the database is not empty.
    Times built relative to now are as old as the process: a few minutes.
    """

    def __init__(self) -> None:
        self.made: dict[tuple, tuple[Any, Copy]] = {}  # -> the builder's answer and the copy of its rows

    def __call__(self, make: factories.Factories, build: Callable[[factories.Factories], T]) -> T:
        app = make.app
        if clock.now is not _real_now or not _is_empty(app):
            return build(make)
        key = (build.__module__, build.__qualname__,
               repr(sorted((name, value) for name, value in app.config.items() if name != "SQLALCHEMY_DATABASE_URI")))
        if key in self.made:
            answer, copy = self.made[key]
            with app.app_context():
                copy.restore()
            return copy_object(answer)
        answer = build(make)
        with app.app_context():
            self.made[key] = (copy_object(answer), Copy.keep(len(self.made)))
        return answer


PREBUILT = Prebuilt()
_real_now = clock.now


def _is_empty(app: Flask) -> bool:
    """Whether no table the models know has a row: one query."""
    with app.app_context():
        return not db.session.scalar(select(or_(*(select(literal(1)).select_from(model).exists()
                                                  for model in db.metadata.sorted_tables))))


@dataclass(frozen=True)
class Copy:
    """The rows of the app's database: SQLite's in a file beside it, PostgreSQL's in a schema beside its own with
    the values its sequences had."""

    place: Path | str
    sequences: tuple[tuple[str, int], ...] = ()

    @classmethod
    def keep(cls, number: int) -> Copy:
        if db.engine.dialect.name == "sqlite":
            database = Path(db.engine.url.database or "")
            copy = database.with_name(f"prebuilt-{number}.sqlite")
            _copy_sqlite(database, copy)
            return cls(copy)
        preparer = db.engine.dialect.identifier_preparer
        with db.engine.begin() as connection:
            schema = f"{connection.scalar(text('SELECT current_schema()'))}_prebuilt_{number}"
            connection.execute(text(f"CREATE SCHEMA {preparer.quote(schema)}"))
            for model in db.metadata.sorted_tables:
                name = preparer.quote(model.name)
                connection.execute(text(f"CREATE TABLE {preparer.quote(schema)}.{name} AS TABLE {name}"))
            sequences = connection.execute(text(
                "SELECT format('%I.%I', schemaname, sequencename), last_value FROM pg_sequences "
                "WHERE schemaname = current_schema() AND last_value IS NOT NULL"))
            return cls(schema, tuple((name, value) for name, value in sequences))

    def restore(self) -> None:
        """Put the rows into this app's empty database."""
        if isinstance(self.place, Path):
            _copy_sqlite(self.place, Path(db.engine.url.database or ""))
            return
        with db.engine.begin() as connection:
            for model in db.metadata.sorted_tables:  # those referred to before those referring to them
                columns = [name for name, made in model.columns.items() if made.computed is None]
                kept = table(model.name, *(column(name) for name in columns), schema=self.place)
                connection.execute(insert(model).from_select(columns, select(kept)))
            for name, value in self.sequences:
                connection.execute(select(func.setval(name, value)))


def _copy_sqlite(source: Path, target: Path) -> None:
    """Every page of one database into another, by SQLite's backup: right even with the target open elsewhere."""
    with closing(sqlite3.connect(source)) as reading, closing(sqlite3.connect(target)) as writing:
        reading.backup(writing)


@pytest.fixture
def prebuilt(make: factories.Factories) -> Callable[[Callable[[factories.Factories], T]], T]:
    """prebuilt(build): build(make)'s rows and answer; built by the first test in this process to ask, copied for
    the later ones (Prebuilt says when it builds anyway)."""
    return lambda build: PREBUILT(make, build)


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.fixture
def make(app: Flask) -> factories.Factories:
    """Build data in the database: make.user("editor"), make.article(status=..., **fields) …"""
    return factories.Factories(app)


class Auth:
    """Signs the test client in through the real form, CSRF token and all; or, for a test about what a signed-in
    person may do rather than about signing in, starts the same session without the form's two requests."""

    def __init__(self, client: FlaskClient, make: factories.Factories) -> None:
        self.client, self.make = client, make

    def login(self, role: str = "author", email: str | None = None):
        email = self._account(role, email)
        response = self.client.post("/login", data={
            "email": email, "password": PASSWORD, "csrf_token": csrf_token(self.client, "/login")})
        assert response.status_code == 302, response.get_data(as_text=True)
        return response

    def start_session(self, role: str = "author", email: str | None = None) -> None:
        """What the sign-in form does once the password matches (auth.login), in a request made as the client
        makes them; the session it leaves is put in the client's cookie (as Flask-Login's FlaskLoginClient does)."""
        email = self._account(role, email)
        with self.make.app.test_request_context(environ_base=self.client.environ_base):
            user = users.find_by_email(email)
            assert user is not None
            users.sign_in(user, user_agent=request.user_agent.string, now=clock.now())
            db.session.commit()
            login_user(user)
            started = dict(session)
        with self.client.session_transaction() as cookie:
            cookie.clear()
            cookie.update(started)

    def _account(self, role: str, email: str | None) -> str:
        email = email or f"{role}@example.com"
        if not self.make.user_exists(email):
            self.make.user(role, email=email)
        return email


@pytest.fixture
def auth(client: FlaskClient, make: factories.Factories) -> Auth:
    return Auth(client, make)


def csrf_token(client: FlaskClient, url: str) -> str:
    """Return the CSRF token of the form on the page at `url`, as a browser would submit it."""
    return csrf_token_in(client.get(url).get_data(as_text=True), url)


def csrf_token_in(page: str, url: str) -> str:
    """Return the CSRF token of the form in `page`, the HTML of the page at `url`."""
    match = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page)
    assert match, f"no CSRF token on {url}"
    return match.group(1)

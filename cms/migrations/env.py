import logging
from collections.abc import Iterator
from contextlib import contextmanager
from logging.config import fileConfig

from alembic import context
from flask import current_app
from sqlalchemy import Connection, create_engine, event
from sqlalchemy.pool import NullPool
from sqlalchemy.types import TypeDecorator

from cms.models import is_search_object

# this is the Alembic Config object, which provides
# access to the values within the .ini file in use.
config = context.config

# Interpret the config file for Python logging.
# This line sets up loggers basically.
fileConfig(config.config_file_name, disable_existing_loggers=False)
logger = logging.getLogger('alembic.env')


def get_engine():
    return current_app.extensions['migrate'].db.engine


def get_engine_url():
    return get_engine().url.render_as_string(hide_password=False).replace('%', '%%')


# add your model's MetaData object here
# for 'autogenerate' support
# from myapp import mymodel
# target_metadata = mymodel.Base.metadata
config.set_main_option('sqlalchemy.url', get_engine_url())
target_db = current_app.extensions['migrate'].db

# other values from the config, defined by the needs of env.py,
# can be acquired:
# my_important_option = config.get_main_option("my_important_option")
# ... etc.


def get_metadata():
    if hasattr(target_db, 'metadatas'):
        return target_db.metadatas[None]
    return target_db.metadata


def render_item(type_, obj, autogen_context):
    """Write a custom column type as the SQL type it stores, so a migration never imports the app."""
    if type_ == "type" and isinstance(obj, TypeDecorator):
        return f"sa.{type(obj.impl).__name__}()"
    return False


def include_name(name, type_, parent_names):
    """Full-text search objects are made by hand in each engine's own form; autogenerate leaves them alone."""
    return not is_search_object(name)


def run_migrations_offline():
    """Run migrations in 'offline' mode.

    This configures the context with just a URL
    and not an Engine, though an Engine is acceptable
    here as well.  By skipping the Engine creation
    we don't even need a DBAPI to be available.

    Calls to context.execute() here emit the given string to the
    script output.

    """
    url = config.get_main_option("sqlalchemy.url")
    context.configure(
        url=url, target_metadata=get_metadata(), literal_binds=True
    )

    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online():
    """Run migrations in 'online' mode.

    In this scenario we need to create an Engine
    and associate a connection with the context.

    """

    # this callback is used to prevent an auto-migration from being generated
    # when there are no changes to the schema
    # reference: http://alembic.zzzcomputing.com/en/latest/cookbook.html
    def process_revision_directives(context, revision, directives):
        if getattr(config.cmd_opts, 'autogenerate', False):
            script = directives[0]
            if script.upgrade_ops.is_empty():
                directives[:] = []
                logger.info('No changes in schema detected.')

    conf_args = current_app.extensions['migrate'].configure_args
    conf_args.setdefault("render_item", render_item)
    conf_args.setdefault("include_name", include_name)
    if conf_args.get("process_revision_directives") is None:
        conf_args["process_revision_directives"] = process_revision_directives

    with migration_connection() as connection:
        context.configure(
            connection=connection,
            target_metadata=get_metadata(),
            transactional_ddl=True,  # every step in one transaction on both engines: an upgrade is all or nothing
            **conf_args
        )

        with context.begin_transaction():
            context.run_migrations()
            if connection.dialect.name == "sqlite":
                check_foreign_keys(connection)


@contextmanager
def migration_connection() -> Iterator[Connection]:
    """A connection for the whole upgrade; on SQLite, one of its own, made fit to rebuild tables.

    SQLite changes a column by rebuilding the table (batch mode: copy, drop, rename), and with foreign keys on,
    dropping a table that other rows point to fails. So this connection has them off (a pragma SQLite honours
    only outside a transaction) and `check_foreign_keys` checks every row before the commit instead. The
    driver's own transaction handling is off too, because it would commit each CREATE and ALTER at once;
    BEGIN IMMEDIATE takes the write lock at the start, so a site serving meanwhile waits instead of failing.
    """
    engine = get_engine()
    if engine.dialect.name != "sqlite":
        with engine.connect() as connection:
            yield connection
        return
    own = create_engine(engine.url, poolclass=NullPool)
    busy_timeout_ms = int(current_app.config.get("SQLITE_BUSY_TIMEOUT_MS", 15_000))

    @event.listens_for(own, "connect")
    def on_connect(dbapi_connection, _record):
        dbapi_connection.isolation_level = None
        dbapi_connection.execute("PRAGMA foreign_keys = OFF")
        dbapi_connection.execute(f"PRAGMA busy_timeout = {busy_timeout_ms}")

    @event.listens_for(own, "begin")
    def on_begin(connection):
        connection.exec_driver_sql("BEGIN IMMEDIATE")

    try:
        with own.connect() as connection:
            yield connection
    finally:
        own.dispose()


def check_foreign_keys(connection: Connection) -> None:
    """Refuse to commit an upgrade that left a row pointing at nothing (the transaction is rolled back)."""
    broken = connection.exec_driver_sql("PRAGMA foreign_key_check").first()
    if broken is not None:
        table, rowid, parent, _ = broken
        raise RuntimeError(f"The upgrade left row {rowid} of {table} pointing at a missing row of {parent}; "
                           "nothing was changed.")


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()

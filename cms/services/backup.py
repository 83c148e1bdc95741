"""Backups: a consistent snapshot of every table in one portable file, and restoring it.

The file is gzip-compressed text: one header line (a format marker, the format version, when, from which
engine, row counts and the SHA-256 of the rest), then the rows of every table as JSON, uploads included
(images, audio and video; their bytes in base64, format version 2). The same file restores
on SQLite or PostgreSQL, so it also moves a site from one engine to the other.

The snapshot is consistent while the site keeps serving: on SQLite it is read from a copy made with SQLite's
online backup API in one step; on PostgreSQL from one REPEATABLE READ transaction.
"""

from __future__ import annotations

import base64
import binascii
import gzip
import hashlib
import json
import os
import sqlite3
import tempfile
import zlib
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime
from enum import Enum
from pathlib import Path
from typing import Any, BinaryIO

from sqlalchemy import Connection, Table, create_engine, func, insert, inspect, select, text, update
from sqlalchemy.exc import DataError, IntegrityError, StatementError
from sqlalchemy.types import Enum as EnumType, LargeBinary, TypeEngine

from cms.core import clock
from cms.core.errors import InvalidInput
from cms.extensions import db
from cms.models import Article, ContentVersion, Media, Page, Redirect, Series, Tag, User, UTCDateTime
from cms.services import maintenance

#: Told `(done, total)` as a long task goes; `flask cms` shows it (cms.progress).
Progress = Callable[[int, int], None]

FORMAT = "practitioner-cms-backup"
VERSION = 2  # 2: uploads (media, media_variants) are in the database and so in the backup
#: Tables whose rows make a site "not empty"; settings and the content version exist from `flask cms init`.
CONTENT_MODELS = (User, Article, Page, Series, Tag, Redirect, Media)
_BATCH = 500


def create(path: Path, *, now: datetime, progress: Progress | None = None) -> dict[str, int]:
    """Write a snapshot of every table to `path` (replaced atomically, readable by its owner only).

    Returns the number of rows by table; `progress(done, total)` hears of the rows read as they are.
    """
    with _replacing(path) as file:
        tables = _snapshot(progress)
        body = json.dumps({"tables": tables}, ensure_ascii=False, separators=(",", ":"),
                          default=_json_value).encode("utf-8")
        counts = {name: len(table["rows"]) for name, table in tables.items()}
        header = {"format": FORMAT, "version": VERSION, "created_at": now.isoformat(),
                  "engine": db.engine.dialect.name, "rows": counts, "sha256": hashlib.sha256(body).hexdigest()}
        with gzip.GzipFile(fileobj=file, mode="wb", mtime=0) as stream:
            stream.write(json.dumps(header, separators=(",", ":")).encode("utf-8") + b"\n" + body)
        return counts


def _snapshot(progress: Progress | None) -> dict[str, dict[str, Any]]:
    """Every table as it was at one moment, while the site keeps writing."""
    engine = db.engine
    if engine.dialect.name != "sqlite":
        with engine.connect().execution_options(isolation_level="REPEATABLE READ") as connection, \
                connection.begin():
            return _dump(connection, progress)
    with tempfile.TemporaryDirectory() as folder:
        copy = Path(folder) / "snapshot.sqlite"
        source = engine.raw_connection()
        target = sqlite3.connect(copy)
        try:
            driver = source.driver_connection
            if not isinstance(driver, sqlite3.Connection):
                raise RuntimeError("Backing up SQLite needs Python's own sqlite3 driver.")
            driver.backup(target)  # all pages in one step: one consistent moment
        finally:
            target.close()
            source.close()
        snapshot_engine = create_engine(f"sqlite:///{copy}")
        try:
            with snapshot_engine.connect() as connection:
                return _dump(connection, progress)
        finally:
            snapshot_engine.dispose()


def _dump(connection: Connection, progress: Progress | None = None) -> dict[str, dict[str, Any]]:
    """Every table and column the database has of this version's, so a schema not yet upgraded (the backup
    `flask cms init` takes before upgrading) is saved too; restoring it gives later columns their defaults."""
    inspector = inspect(connection)
    present = set(inspector.get_table_names())
    wanted = [table for table in db.metadata.sorted_tables if table.name in present]
    total = sum(connection.execute(select(func.count()).select_from(table)).scalar_one() for table in wanted)
    done = 0
    tables = {}
    for table in wanted:
        existing = {column["name"] for column in inspector.get_columns(table.name)}
        columns = [column for column in table.columns if column.name in existing]
        rows: list[list[Any]] = []
        result = connection.execution_options(yield_per=_BATCH).execute(
            select(*columns).order_by(*table.primary_key.columns))
        for batch in result.partitions():
            rows.extend(list(row) for row in batch)
            done += len(batch)
            if progress is not None:
                progress(done, max(total, done))  # rows written since the count are read too
        tables[table.name] = {"columns": [column.name for column in columns], "rows": rows}
    return tables


def _json_value(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, bytes):
        return base64.b64encode(value).decode("ascii")
    raise TypeError(f"{type(value).__name__} cannot be written to a backup")


@contextmanager
def _replacing(path: Path) -> Iterator[BinaryIO]:
    """A new file beside `path` that replaces it once the block succeeds: a crash leaves the old file or the new
    one, never half of one. A place that cannot be written is refused, in one sentence, before the work starts."""
    try:
        descriptor, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    except OSError as error:
        raise InvalidInput(f"Cannot write the backup to {path}: {error.strerror or error}.") from None
    try:
        Path(temporary).chmod(0o600)  # it holds password hashes
        with os.fdopen(descriptor, "wb") as raw:
            yield raw
        Path(temporary).replace(path)
    except OSError as error:  # the disk filled up, or `path` is a folder
        Path(temporary).unlink(missing_ok=True)
        raise InvalidInput(f"Cannot write the backup to {path}: {error.strerror or error}.") from None
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def read(path: Path) -> tuple[dict[str, Any], dict[str, dict[str, Any]]]:
    """Return the header and tables of a backup file, refusing, in one sentence, anything that is not one."""
    not_backup = f"{path.name} is not a backup made by flask cms backup."
    try:
        with gzip.open(path, "rb") as stream:
            header_line = stream.readline(64 * 1024)
            body = stream.read()
    except (gzip.BadGzipFile, EOFError, zlib.error):
        if _starts_compressed(path):  # cut short, or changed so that its compression's checksum fails
            raise InvalidInput(f"{path.name} is damaged: it was cut short or changed, so it cannot be "
                               "restored.") from None
        raise InvalidInput(not_backup) from None
    except OSError as error:
        raise InvalidInput(f"Cannot read {path}: {error.strerror or error}.") from None
    try:
        header = json.loads(header_line)
    except (UnicodeDecodeError, json.JSONDecodeError):
        raise InvalidInput(not_backup) from None
    if not isinstance(header, dict) or header.get("format") != FORMAT:
        raise InvalidInput(not_backup)
    if not isinstance(header.get("version"), int) or header["version"] > VERSION:
        raise InvalidInput(f"{path.name} was made by a newer version of the CMS (backup format "
                           f"{header.get('version')!r}); upgrade this site first.")
    if hashlib.sha256(body).hexdigest() != header.get("sha256"):
        raise InvalidInput(f"{path.name} fails its integrity check (its checksum does not match), "
                           "so it is damaged or was changed.")
    return header, _tables(body, path.name)


def _starts_compressed(path: Path) -> bool:
    """Whether the file begins as every backup does: gzip's magic number and its deflate method."""
    with path.open("rb") as stream:
        return stream.read(3) == b"\x1f\x8b\x08"


def _tables(body: bytes, name: str) -> dict[str, dict[str, Any]]:
    """The tables of a backup's body, each with its columns and rows of as many values; nothing of a row is
    quoted back, as a row may hold a password hash."""
    try:
        tables = json.loads(body)["tables"]
    except (UnicodeDecodeError, json.JSONDecodeError, KeyError, TypeError):
        raise InvalidInput(f"{name} is damaged: its contents are not the tables of a backup.") from None
    if not isinstance(tables, dict):
        raise InvalidInput(f"{name} is damaged: its contents are not the tables of a backup.")
    for table_name, table in tables.items():
        columns = table.get("columns") if isinstance(table, dict) else None
        rows = table.get("rows") if isinstance(table, dict) else None
        if not (isinstance(columns, list) and all(isinstance(column, str) for column in columns)
                and len(set(columns)) == len(columns) and isinstance(rows, list)):
            raise InvalidInput(f"{name} is damaged: the table {table_name!r} has no proper list of columns and rows.")
        for number, row in enumerate(rows, start=1):
            if not isinstance(row, list) or len(row) != len(columns):
                raise InvalidInput(f"{name} is damaged: row {number} of the table {table_name!r} does not have "
                                   f"its {len(columns)} values.")
    return tables


def is_empty() -> bool:
    """Whether the site has no accounts and no content, as a fresh `flask cms init` leaves it."""
    return all(not db.session.scalar(select(func.count()).select_from(model)) for model in CONTENT_MODELS)


def restore(path: Path, *, now: datetime, force: bool = False, progress: Progress | None = None) -> dict[str, int]:
    """Replace every table's rows with the backup's, in the caller's transaction; return rows by table.

    Refuses a site that has content unless `force`. Sequences and the search index are brought in line, and
    the content version moves past both the old site's and the backup's, so no cache serves an old answer.
    `progress(done, total)` hears of the rows written.
    """
    _, tables = read(path)
    _check_schema(tables, path.name)
    if not force and not is_empty():
        raise InvalidInput("This site already has content; restore into an empty site, "
                           "or pass --force to replace everything in it.")
    connection = db.session.connection()
    version_before = _highest_version(connection)
    converted = {table.name: _rows(table, tables.get(table.name, {"columns": [], "rows": []}), path.name)
                 for table in db.metadata.sorted_tables}  # every value checked before anything is deleted
    for table in reversed(db.metadata.sorted_tables):
        connection.execute(table.delete())
    counts = {}
    total, done = sum(len(rows) for rows in converted.values()), 0
    for table in db.metadata.sorted_tables:
        rows = converted[table.name]
        try:
            for start in range(0, len(rows), _BATCH):
                connection.execute(table.insert(), rows[start:start + _BATCH])
                done += len(rows[start:start + _BATCH])
                if progress is not None:
                    progress(done, total)
        except IntegrityError:
            raise InvalidInput(f"{path.name} cannot be restored: the table {table.name!r} holds a duplicate key or "
                               "a row that refers to nothing.") from None
        except (DataError, StatementError):
            raise InvalidInput(f"{path.name} cannot be restored: the table {table.name!r} holds a value of the "
                               "wrong type.") from None
        counts[table.name] = len(rows)
    _render_bodies(connection, path.name)
    _after_restore(connection, version_before, now)
    db.session.expire_all()
    return counts


def _check_schema(tables: dict[str, dict[str, Any]], name: str) -> None:
    """A backup may lack columns added since (they take their defaults), but not hold ones this code lacks."""
    known = {table.name: {column.name for column in table.columns} for table in db.metadata.sorted_tables}
    present = set(inspect(db.session.connection()).get_table_names())
    if not set(known) <= present:
        raise InvalidInput("This database has no schema yet; run flask cms init, then restore.")
    for table_name, saved in tables.items():
        unknown = set(saved["columns"]) - known.get(table_name, set())
        if table_name not in known or unknown:
            what = f"column {sorted(unknown)[0]}" if table_name in known else "table"
            raise InvalidInput(f"{name} holds the {what} {table_name!r}, which this version of the CMS "
                               "does not have.")


def _rows(table: Table, saved: dict[str, Any], name: str) -> list[dict[str, Any]]:
    rows = []
    for number, values in enumerate(saved["rows"], start=1):
        try:
            rows.append(_row(table, saved["columns"], values))
        except (TypeError, ValueError) as error:
            column = error.args[-1] if error.args and error.args[-1] in table.c else "a"
            raise InvalidInput(f"{name} is damaged: row {number} of the table {table.name!r} holds an impossible "
                               f"{column} value.") from None
    return rows


def _row(table: Table, columns: list[str], values: list[Any]) -> dict[str, Any]:
    row = {}
    for name, stored in zip(columns, values, strict=True):
        try:
            row[name] = None if stored is None else _typed(table.c[name].type, stored, f"{table.name}.{name}")
        except (TypeError, ValueError, binascii.Error):
            raise ValueError(name) from None
    return row


def _typed(column_type: TypeEngine[Any], stored: Any, where: str) -> Any:
    """A value as the backup's JSON holds it, turned back into what the column takes."""
    if isinstance(column_type, UTCDateTime):
        return _moment(stored, where)
    if isinstance(column_type, EnumType) and column_type.enum_class is not None:
        return column_type.enum_class(stored)
    if isinstance(column_type, LargeBinary):
        return base64.b64decode(stored, validate=True)
    return stored


def _render_bodies(connection: Connection, name: str) -> None:
    """Stored HTML is never trusted: a backup is a file anyone can edit (its checksum is no signature), so every
    body is rendered and sanitized again from its Markdown, as an import does."""
    try:
        maintenance.render_again(stale_only=False, connection=connection)
    except InvalidInput as error:
        raise InvalidInput(f"{name}: {error}") from None


def _moment(value: str, where: str) -> datetime:
    """A stored time, aware and in the range every other entrance accepts: pages convert it between zones."""
    moment = datetime.fromisoformat(value)
    try:
        clock.check_range(moment)
    except InvalidInput as error:
        raise InvalidInput(f"The backup's {where}: {error}") from None
    if moment.tzinfo is None:
        raise ValueError(where)
    return moment


def _after_restore(connection: Connection, version_before: int, now: datetime) -> None:
    if connection.dialect.name == "postgresql":
        for table in db.metadata.sorted_tables:  # ids were inserted as given, so the sequences lag behind
            if "id" in table.c and table.c.id.primary_key and table.c.id.autoincrement in (True, "auto"):
                highest = func.coalesce(select(func.max(table.c.id)).scalar_subquery(), 0)
                connection.execute(select(func.setval(func.pg_get_serial_sequence(table.name, "id"), highest + 1,
                                                      False)))
    elif "article_search" in inspect(connection).get_table_names():
        connection.execute(text("INSERT INTO article_search(article_search) VALUES ('rebuild')"))
    restored = _highest_version(connection)
    version = max(version_before, restored) + 1  # every counter past both sites' (none is above their version)
    connection.execute(update(Article).values(seen_version=version))  # each process's title index reads them again
    if connection.execute(update(ContentVersion).where(ContentVersion.id == 1)
                          .values(version=version, changed_at=now, public_version=version,
                                  public_changed_at=now, site_version=version,
                                  live_set_changed_at=now, series_version=version)).rowcount == 0:
        connection.execute(insert(ContentVersion).values(id=1, version=version, changed_at=now,
                                                         public_version=version, public_changed_at=now,
                                                         site_version=version, live_set_changed_at=now,
                                                         series_version=version))


def _highest_version(connection: Connection) -> int:
    """The higher of the content version and the public one (see services.freshness), 0 for none."""
    row = connection.execute(select(ContentVersion.version, ContentVersion.public_version)
                             .where(ContentVersion.id == 1)).one_or_none()
    return max(row) if row is not None else 0

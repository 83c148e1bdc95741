"""`flask cms backup` and `restore`: a consistent snapshot taken while the site serves, restored elsewhere."""

from __future__ import annotations

import gzip
import hashlib
import json
import threading
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import func, select, text

from cms import create_app
from cms.core import rendering
from cms.core.errors import InvalidInput
from cms.core.workflow import Role, Status
from cms.extensions import db
from cms.models import Article, ContentVersion, Page, Revision, User
from cms.services import articles, backup, demo, series, users
from tests.conftest import PREBUILT
from tests.factories import NOW, PASSWORD, Factories
from tests.services.test_transfer import ZONE, other_app  # noqa: F401 - a fixture: a second, empty site


def load_sample(app: Flask) -> None:
    PREBUILT(Factories(app), _load_sample)


def _load_sample(make: Factories) -> None:
    with make.app.app_context():
        demo.load(now=NOW, zone=ZONE)
        db.session.commit()


def tables(app: Flask) -> dict:
    """Every row of every table, as a backup holds them, less the content version and each article's seen version
    (restore moves them on, so that every process's caches read the site again)."""
    with app.app_context(), db.engine.connect() as connection:
        dumped = backup._dump(connection)
    dumped.pop("content_version")
    articles = dumped["articles"]
    seen = articles["columns"].index("seen_version")
    articles["rows"] = [[value for index, value in enumerate(row) if index != seen] for row in articles["rows"]]
    articles["columns"].pop(seen)
    return json.loads(json.dumps(dumped, default=backup._json_value))


def search(app: Flask, word: str) -> list[int]:
    with app.app_context():
        if db.engine.dialect.name == "sqlite":
            query = text("SELECT rowid FROM article_search WHERE article_search MATCH :word ORDER BY rowid")
        else:
            query = text("SELECT id FROM articles WHERE search_vector @@ plainto_tsquery('english', :word) "
                         "ORDER BY id")
        return list(db.session.scalars(query, {"word": word}))


def test_backup_then_restore_into_an_empty_site_gives_the_same_content(app, other_app, tmp_path):
    load_sample(app)
    file = tmp_path / "site.backup"
    result = app.test_cli_runner().invoke(args=["cms", "backup", str(file)])
    assert result.exit_code == 0, result.output
    assert "The file holds password hashes: keep it private." in result.output
    assert file.stat().st_mode & 0o777 == 0o600
    restored = other_app.test_cli_runner().invoke(args=["cms", "restore", str(file)])
    assert restored.exit_code == 0, restored.output
    assert restored.output.startswith("Restored ")
    assert tables(other_app) == tables(app)
    assert search(other_app, "resentment") == search(app, "resentment") != []
    for path in ("/", "/articles/life-stages", "/about"):
        assert other_app.test_client().get(path).get_data() == app.test_client().get(path).get_data()
    with other_app.app_context():  # new rows get fresh ids: PostgreSQL's sequences were moved past the restored
        admin = users.find_by_email(demo.ADMIN_EMAIL)
        made = articles.create(articles.ArticleInput(title="After the restore"), by=admin, now=NOW)
        db.session.commit()
        assert made.id > db.session.scalar(select(func.max(Article.id)).where(Article.id != made.id))
        assert users.create_user("new@example.com", PASSWORD, Role.EDITOR).id > admin.id


def test_restore_moves_the_content_version_past_both_sites(app, other_app, tmp_path):
    load_sample(app)
    with app.app_context():
        backup.create(tmp_path / "site.backup", now=NOW)
        saved = db.session.get(ContentVersion, 1).version
        sample_series, writes = series.titles(), db.session.get(ContentVersion, 1).series_version
    with other_app.app_context():  # a site with as many writes to series as the sample's, of its own series
        for number in range(writes):
            series.create(f"Series {number}")
            db.session.commit()
        assert len(series.titles()) == writes  # kept by this process for the writing screen, at that count
        backup.restore(tmp_path / "site.backup", now=NOW, force=True)
        db.session.commit()
        assert db.session.get(ContentVersion, 1).version == max(saved, writes) + 1
        assert series.titles() == sample_series != []


def test_backup_is_consistent_while_requests_are_served(app, other_app, tmp_path):
    """Readers and an author keep working during the backup; the snapshot is one moment of theirs."""
    load_sample(app)
    stop = threading.Event()
    failures: list[str] = []

    def read() -> None:
        client = app.test_client()
        while not stop.is_set():
            for path in ("/", "/articles/life-stages", "/about"):
                status = client.get(path).status_code
                if status != 200:
                    failures.append(f"{path}: {status}")

    def write() -> None:
        with app.app_context():
            author = users.find_by_email(demo.ADMIN_EMAIL)
            number = 0
            while not stop.is_set() and number < 200:
                number += 1
                articles.create(articles.ArticleInput(title=f"Written during the backup {number}",
                                                      tags=["busy"], body_source="Text " * 50), by=author, now=NOW)
                db.session.commit()
            db.session.remove()

    threads = [threading.Thread(target=read), threading.Thread(target=write)]
    for thread in threads:
        thread.start()
    try:
        files = [tmp_path / f"during-{number}.backup" for number in range(3)]
        for file in files:
            with app.app_context():
                backup.create(file, now=NOW)
    finally:
        stop.set()
        for thread in threads:
            thread.join(timeout=60)
    assert failures == []
    with app.app_context():  # the author was writing while the snapshots were taken
        assert db.session.scalar(select(func.count(Article.id))) > backup.read(files[0])[0]["rows"]["articles"]
    for file in files:
        header, saved = backup.read(file)
        articles_saved = {row[0] for row in saved["articles"]["rows"]}
        revised = {row[saved["revisions"]["columns"].index("article_id")] for row in saved["revisions"]["rows"]}
        revised.discard(None)  # a page's revisions
        assert articles_saved == revised  # every article with its revision: no write was caught half done
        assert header["rows"]["articles"] == len(articles_saved)
    with other_app.app_context():
        backup.restore(files[-1], now=NOW)
        db.session.commit()
        saved_count = len(backup.read(files[-1])[1]["articles"]["rows"])
        assert db.session.scalar(select(func.count(Article.id))) == saved_count


@pytest.mark.parametrize(("content", "message"), [
    (b"just some text\n", "{name} is not a backup made by flask cms backup."),
    (gzip.compress(b'{"format": "something-else"}\n{}', mtime=0), "{name} is not a backup made by flask cms backup."),
    (gzip.compress(b"\x00\x01binary", mtime=0), "{name} is not a backup made by flask cms backup."),
    (gzip.compress(b'{"format": "practitioner-cms-backup", "version": 99}\n{}', mtime=0),
     "{name} was made by a newer version of the CMS (backup format 99); upgrade this site first."),
])
def test_restore_refuses_what_is_not_a_backup(app, tmp_path, content, message):
    file = tmp_path / "suspect.backup"
    file.write_bytes(content)
    result = app.test_cli_runner().invoke(args=["cms", "restore", str(file)])
    assert result.exit_code == 1
    assert result.output.strip() == "Error: " + message.format(name=file.name)


def test_restore_refuses_a_backup_that_fails_its_checksum(app, other_app, tmp_path):
    load_sample(app)
    file = tmp_path / "site.backup"
    with app.app_context():
        backup.create(file, now=NOW)
    data = gzip.decompress(file.read_bytes()).replace(b"Life Stages", b"Life Stagez", 1)
    file.write_bytes(gzip.compress(data))
    with other_app.app_context():
        with pytest.raises(InvalidInput, match=r"^site.backup fails its integrity check \(its checksum does not "
                                               r"match\), so it is damaged or was changed.$"):
            backup.restore(file, now=NOW)
        assert db.session.scalar(select(func.count(User.id))) == 0


def test_restore_refuses_a_site_with_content_unless_forced(app, other_app, tmp_path):
    load_sample(app)
    file = tmp_path / "site.backup"
    with app.app_context():
        backup.create(file, now=NOW)
    with other_app.app_context():
        users.create_user("someone@example.com", PASSWORD, Role.AUTHOR)
        db.session.commit()
    runner = other_app.test_cli_runner()
    refused = runner.invoke(args=["cms", "restore", str(file)])
    assert refused.exit_code == 1
    assert refused.output.strip() == ("Error: This site already has content; restore into an empty site, "
                                      "or pass --force to replace everything in it.")
    forced = runner.invoke(args=["cms", "restore", str(file), "--force"])
    assert forced.exit_code == 0, forced.output
    assert tables(other_app) == tables(app)
    with other_app.app_context():
        assert users.find_by_email("someone@example.com") is None
        assert db.session.scalar(select(func.count(Revision.id))) > 0
        assert db.session.scalar(select(Article.status).where(Article.slug == "life-stages")) is Status.PUBLISHED


def test_a_backup_moves_a_site_into_a_sqlite_file(app, app_config, tmp_path):
    """On the PostgreSQL run of the suite this moves a site from one engine to the other."""
    load_sample(app)
    file = tmp_path / "site.backup"
    with app.app_context():
        backup.create(file, now=NOW)
    moved = create_app({**app_config, "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'moved.sqlite'}"})
    with moved.app_context():
        db.create_all()
        backup.restore(file, now=NOW)
        db.session.commit()
    try:
        assert tables(moved) == tables(app)
        assert moved.test_client().get("/articles/life-stages").get_data() == (
            app.test_client().get("/articles/life-stages").get_data())
    finally:
        with moved.app_context():
            db.engine.dispose()


def _rewritten(file: Path, change) -> None:
    """Edit a backup's tables with `change`, then recompute its checksum, as anyone can."""
    header_line, body = gzip.decompress(file.read_bytes()).split(b"\n", 1)
    body = change(body)
    header = json.loads(header_line)
    header["sha256"] = hashlib.sha256(body).hexdigest()
    file.write_bytes(gzip.compress(json.dumps(header).encode() + b"\n" + body))


def _edit_tables(edit):
    def change(body: bytes) -> bytes:
        data = json.loads(body)
        edit(data["tables"])
        return json.dumps(data).encode()
    return change


def test_restore_renders_bodies_from_their_markdown_never_trusting_stored_html(app, other_app, tmp_path):
    load_sample(app)
    file = tmp_path / "site.backup"
    with app.app_context():
        backup.create(file, now=NOW)

    def inject(tables: dict) -> None:
        for name in ("articles", "pages"):
            column = tables[name]["columns"].index("body_html")
            for row in tables[name]["rows"]:
                row[column] = '<meta http-equiv="refresh" content="0;url=https://evil.example"><script>alert(1)</script>'

    _rewritten(file, _edit_tables(inject))
    result = other_app.test_cli_runner().invoke(args=["cms", "restore", str(file)])
    assert result.exit_code == 0, result.output
    with other_app.app_context():
        for model in (Article, Page):
            for item in db.session.scalars(select(model)):
                assert "<script" not in item.body_html and "http-equiv" not in item.body_html
                assert item.body_html == rendering.render(item.body_source)
    assert tables(other_app) == tables(app)


def _set_first(table: str, column: str, value):
    def edit(tables: dict) -> None:
        tables[table]["rows"][0][tables[table]["columns"].index(column)] = value
    return edit


def _duplicate_first_article(tables: dict) -> None:
    tables["articles"]["rows"].append(list(tables["articles"]["rows"][0]))


def _drop_a_value(tables: dict) -> None:
    tables["users"]["rows"][0].pop()


@pytest.mark.parametrize(("change", "message"), [
    (_edit_tables(_set_first("articles", "publish_at", "Tuesday next")),
     "site.backup is damaged: row 1 of the table 'articles' holds an impossible publish_at value."),
    (_edit_tables(_set_first("articles", "status", "gone")),
     "site.backup is damaged: row 1 of the table 'articles' holds an impossible status value."),
    (_edit_tables(_drop_a_value),
     "site.backup is damaged: row 1 of the table 'users' does not have its {columns} values."),
    (_edit_tables(_duplicate_first_article),
     "site.backup cannot be restored: the table 'articles' holds a duplicate key or a row that refers to nothing."),
    (lambda body: body[: len(body) // 2],
     "site.backup is damaged: its contents are not the tables of a backup."),
], ids=["bad-date", "bad-status", "wrong-column-count", "duplicate-key", "truncated-json"])
def test_a_malformed_backup_is_refused_in_one_sentence_and_changes_nothing(app, other_app, tmp_path,
                                                                          change, message):
    load_sample(app)
    file = tmp_path / "site.backup"
    with app.app_context():
        backup.create(file, now=NOW)
        columns = len(backup.read(file)[1]["users"]["columns"])
    _rewritten(file, change)
    with other_app.app_context():
        users.create_user("keeper@example.com", PASSWORD, Role.ADMIN)
        db.session.commit()
    result = other_app.test_cli_runner().invoke(args=["cms", "restore", str(file), "--force"])
    assert result.exit_code == 1
    assert result.output.strip() == "Error: " + message.format(columns=columns)
    assert "Traceback" not in result.output and "$scrypt" not in result.output
    with other_app.app_context():
        assert [user.email for user in db.session.scalars(select(User))] == ["keeper@example.com"]


@pytest.mark.parametrize("damage", ["truncated", "bit-flipped"])
def test_a_damaged_backup_file_is_refused_in_one_sentence(app, tmp_path, damage):
    load_sample(app)
    file = tmp_path / "site.backup"
    with app.app_context():
        backup.create(file, now=NOW)
    data = bytearray(file.read_bytes())
    if damage == "truncated":
        data = data[: len(data) // 2]
    else:
        data[len(data) // 2] ^= 0x10
    file.write_bytes(bytes(data))
    result = app.test_cli_runner().invoke(args=["cms", "restore", str(file), "--force"])
    assert result.exit_code == 1
    assert result.output == "Error: site.backup is damaged: it was cut short or changed, so it cannot be restored.\n"
    with app.app_context():
        assert db.session.scalar(select(func.count(Article.id))) > 0


@pytest.mark.parametrize(("where", "reason"), [
    ("missing/site.backup", "No such file or directory"),
    ("notes.txt/site.backup", "Not a directory"),
])
def test_backup_to_a_place_it_cannot_write_says_so_in_one_sentence(app, tmp_path, where, reason):
    (tmp_path / "notes.txt").write_text("a file, not a folder")
    result = app.test_cli_runner().invoke(args=["cms", "backup", str(tmp_path / where)])
    assert result.exit_code == 1
    assert result.output == f"Error: Cannot write the backup to {tmp_path / where}: {reason}.\n"

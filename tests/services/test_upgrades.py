"""Upgrades from every release: a site made at each migration head, with content of every kind, is brought to
the newest schema by `flask cms init` on SQLite and PostgreSQL; a failed upgrade leaves it as it was."""

from __future__ import annotations

import functools
import io
import json
import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from alembic import command
from alembic.runtime import migration
from alembic.script import ScriptDirectory
from flask import Flask
from PIL import Image
from sqlalchemy import create_engine, inspect, text
from sqlalchemy.engine import make_url
from werkzeug.security import generate_password_hash

from cms import MIGRATIONS, create_app
from cms.extensions import db
from tests import media_samples as samples
from tests.conftest import csrf_token
from tests.factories import PASSWORD

REVISIONS = [script.revision for script in reversed(list(ScriptDirectory(str(MIGRATIONS)).walk_revisions()))]
HEAD = REVISIONS[-1]
KEY = "5f0c6a7e2b9d4e1f8a3c0b6d7e9f1a2b"
AUDIO_KEY = "0a1b2c3d4e5f60718293a4b5c6d7e8f9"
BODY = ("Resentment between a mother and her daughter often grows from unspoken expectations. Letting go of "
        "resentment begins with naming those expectations, grieving them, and choosing what to keep.")


@pytest.fixture
def site_url(tmp_path: Path) -> Iterator[str]:
    """An empty database of this test's own: a SQLite file, or a PostgreSQL schema dropped afterwards."""
    url = os.environ.get("TEST_DATABASE_URL")
    if not url:
        yield f"sqlite:///{tmp_path / 'site.sqlite'}"
        return
    schema = f"cms_upgrade_{uuid.uuid4().hex[:12]}"
    engine = create_engine(url)
    with engine.begin() as connection:
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    try:
        yield make_url(url).update_query_dict({"options": f"-csearch_path={schema}"}).render_as_string(
            hide_password=False)
    finally:
        with engine.begin() as connection:
            connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        engine.dispose()


def site_at(revision: str, url: str, instance: Path) -> Flask:
    """A site whose schema stops at `revision`, holding content of every kind that revision has."""
    app = create_app({"TESTING": True, "SECRET_KEY": "test", "SQLALCHEMY_DATABASE_URI": url,
                      "SITE_URL": "http://127.0.0.1:5000", "SITE_TIMEZONE": "America/New_York"})
    app.instance_path = str(instance)  # the backup taken before upgrading goes here, not into the checkout
    with app.app_context():
        migrate = app.extensions["migrate"]
        command.upgrade(migrate.migrate.get_config(migrate.directory), revision)
        with db.engine.begin() as connection:
            for statement in content_at(revision):
                connection.execute(text(statement[0]), statement[1] if len(statement) > 1 else {})
        db.engine.dispose()
    return app


def content_at(revision: str) -> list[tuple]:
    """Plain SQL valid at `revision`: what a site made by that release would hold."""
    at = REVISIONS.index(revision)
    when = "2024-10-08 13:00:00"
    password_hash = generate_password_hash(PASSWORD, "pbkdf2:sha256:1")
    rows: list[tuple] = [
        (("INSERT INTO users (id, email, name, password_hash, role, is_active, created_at) VALUES "
         "(1, 'admin@example.com', 'Dana Reyes', :hash, 'admin', true, :when), "
         "(2, 'author@example.com', 'Ana Author', :hash, 'author', true, :when)"),
         {"hash": password_hash, "when": when}),
        (("INSERT INTO series (id, slug, title, description, created_at, updated_at) VALUES "
         "(1, 'mother-daughter', 'Mother–Daughter Relationships', 'A series.', :when, :when)"), {"when": when}),
        ("INSERT INTO tags (id, slug, name) VALUES (1, 'resentment', 'resentment'), (2, 'grief', 'grief')",),
        (("INSERT INTO site_settings (id, title, tagline, timezone, author_name, author_credentials, author_bio, "
         "consultation_text, consultation_url, contact_email) VALUES (1, 'Quiet Rooms', 'Essays', NULL, 'Dana Reyes', "
         "'LMFT', 'Dana writes.', 'Book a consultation', 'https://example.org/book', 'dana@example.org')"),),
        (("INSERT INTO pages (id, slug, title, body_source, body_html, html_version, is_published, menu_order, "
         "updated_at, version) VALUES (1, 'about', 'About the practice', 'I see adults.', '<p>I see adults.</p>', "
         "0, true, 1, :when, 1)"), {"when": when}),
        (("INSERT INTO redirects (id, old_path, new_path, created_at) VALUES "
         "(1, '/2019/05/old-post/', '/articles/letting-go', :when)"), {"when": when}),
    ]
    articles = [  # id, slug, status, publish_at, series part
        (1, "life-stages", "published", "2024-10-08 13:00:00", 1),
        (2, "ambivalence", "published", "2024-10-15 13:00:00", 2),
        (3, "letting-go", "published", "2024-10-22 13:00:00", 3),
        (4, "unfinished-draft", "draft", None, None),
        (5, "next-tuesday", "scheduled", "2999-01-05 14:00:00", None),
        (6, "old-notes", "archived", "2023-01-10 14:00:00", None),
    ]
    for ident, slug, status, publish_at, part in articles:
        rows.append((
            ("INSERT INTO articles (id, slug, title, summary, description, body_source, body_html, html_version, "
            "status, publish_at, published_at, created_at, updated_at, author_id, series_id, series_part, version) "
            "VALUES (:id, :slug, :title, 'Summary.', '', :body, :html, 0, :status, :publish_at, :publish_at, :when, "
            ":when, 2, :series, :part, 1)"),
            {"id": ident, "slug": slug, "title": f"Mother and daughter: {slug.replace('-', ' ')}", "body": BODY,
             "html": f"<p>{BODY}</p>", "status": status, "publish_at": publish_at, "when": when,
             "series": 1 if part else None, "part": part}))
        rows.append((("INSERT INTO revisions (article_id, author_id, created_at, title, summary, body_source, tags, "
                     "series_title, series_part, note) VALUES (:id, 2, :when, 'First', '', :body, '[\"grief\"]', NULL, "
                     "NULL, 'created')"), {"id": ident, "when": when, "body": BODY}))
        rows.append((("INSERT INTO status_changes (article_id, actor_id, from_status, to_status, changed_at, "
                     "publish_at) VALUES (:id, 1, 'draft', :status, :when, :publish_at)"),
                     {"id": ident, "status": status, "when": when, "publish_at": publish_at}))
    rows.append(("INSERT INTO article_tag (article_id, tag_id) VALUES (1, 1), (2, 1), (3, 1), (3, 2), (4, 2)",))
    if at >= REVISIONS.index("0002"):
        rows.append((("INSERT INTO related_choices (article_id, other_id, is_pinned, position) VALUES "
                     "(3, 1, true, 0)"),))
        rows.append((("INSERT INTO related_scores (article_id, other_id, score, reasons) VALUES "
                     "(2, 1, 0.5, '[]')"),))  # as stored by that release; init computes them again after upgrading
        rows.append((("INSERT INTO autosaves (user_id, article_id, saved_at, title, summary, body_source) VALUES "
                     "(2, 4, :when, 'Draft autosaved', '', 'Words kept.')"), {"when": when}))
    if at >= REVISIONS.index("0004_user_sessions"):
        rows.append((("INSERT INTO user_sessions (user_id, token_hash, user_agent, created_at, last_seen_at) VALUES "
                     "(2, :token, 'Firefox', :when, :when)"), {"token": "a" * 64, "when": when}))
    if at >= REVISIONS.index("0005_media"):
        rows.append((("INSERT INTO media (id, key, filename, alt, width, height, content_type, byte_size, "
                     "uploaded_by_id, created_at) VALUES (1, :key, 'tea.png', 'A cup of tea', 4, 3, 'image/png', "
                     ":size, 2, :when)"), {"key": KEY, "size": len(png()), "when": when}))
        rows.append(("INSERT INTO media_variants (media_id, width, format, data) VALUES (1, 4, 'png', :data)",
                     {"data": png()}))
        rows.append(("UPDATE articles SET featured_media_id = 1 WHERE id = 3",))
    if at >= REVISIONS.index("0017_media_files"):
        rows.append((("INSERT INTO media (id, key, kind, filename, alt, width, height, content_type, byte_size, "
                     "uploaded_by_id, created_at) VALUES (2, :key, 'audio', 'talk.wav', '', NULL, NULL, 'audio/wav', "
                     ":size, 2, :when)"), {"key": AUDIO_KEY, "size": len(samples.wav()), "when": when}))
        rows.append(("INSERT INTO media_files (media_id, data) VALUES (2, :data)", {"data": samples.wav()}))
    if at >= REVISIONS.index("0008_email_subscriptions"):
        rows += [
            (("INSERT INTO subscribers (id, email, status, created_at, confirmed_at, link_epoch) VALUES "
              "(1, 'reader@example.org', 'confirmed', :when, :when, 0), "
              "(2, 'pending@example.org', 'pending', :when, NULL, 0)"), {"when": when}),
            (("INSERT INTO subscriptions (subscriber_id, topic, series_id, tag_id, created_at) VALUES "
              "(1, 'site', NULL, NULL, :when), (1, 'series:1', 1, NULL, :when), (2, 'tag:1', NULL, 1, :when)"),
             {"when": when}),
            ("INSERT INTO mailings (article_id, queued_at, recipients) VALUES (3, :when, 1)", {"when": when}),
            (("INSERT INTO outbox (subscriber_id, article_id, topic, status, attempts, next_attempt_at, created_at, "
              "sent_at, error) VALUES (1, 3, NULL, 'sent', 1, :when, :when, :when, ''), "
              "(2, NULL, 'tag:1', 'pending', 0, :when, :when, NULL, '')"), {"when": when}),
        ]
    return rows


def png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (4, 3), (200, 120, 40)).save(out, "PNG")
    return out.getvalue()


def init(app: Flask, *args: str):
    return app.test_cli_runner().invoke(args=["cms", "init", *args])


@pytest.mark.parametrize("revision", REVISIONS)
def test_a_site_made_at_any_release_upgrades_with_its_content(revision: str, site_url: str, tmp_path: Path):
    app = site_at(revision, site_url, tmp_path / "instance")

    result = init(app)

    assert result.exit_code == 0, result.output
    assert "The database is up to date." in result.output
    backups = list((tmp_path / "instance" / "backups").glob("*.cms-backup"))
    assert len(backups) == (0 if revision == HEAD else 1)
    with app.app_context():
        with db.engine.connect() as connection:
            assert migration.MigrationContext.configure(connection).get_current_revision() == HEAD
            if connection.dialect.name == "sqlite":
                assert connection.exec_driver_sql("PRAGMA foreign_key_check").all() == []
                assert not [name for name in inspect(connection).get_table_names() if name.startswith("_alembic")]
        db.engine.dispose()
    client = app.test_client()
    for path in ("/articles/life-stages", "/articles/letting-go", "/series/mother-daughter", "/tags/resentment",
                 "/about"):
        assert client.get(path).status_code == 200, path
    for path in ("/articles/unfinished-draft", "/articles/next-tuesday", "/articles/old-notes"):
        assert client.get(path).status_code == 404, path
    assert client.get("/2019/05/old-post/").headers["Location"].endswith("/articles/letting-go")
    assert "letting-go" in client.get("/search?q=resentment").get_data(as_text=True)
    related = client.get("/api/articles/ambivalence").get_json()["related"]
    assert {item["slug"] for item in related} & {"life-stages", "letting-go"}
    if revision != REVISIONS[0]:  # pins exist from 0002 on
        assert client.get("/api/articles/letting-go").get_json()["related"][0]["slug"] == "life-stages"
    signed_in = client.post("/login", data={"email": "author@example.com", "password": PASSWORD,
                                            "csrf_token": csrf_token(client, "/login")})
    assert signed_in.status_code == 302
    if REVISIONS.index(revision) >= REVISIONS.index("0005_media"):  # every upload before 0017 is an image
        assert client.get(f"/uploads/{KEY}.png").data == png()
        with app.app_context(), db.engine.connect() as connection:
            assert connection.execute(text("SELECT kind FROM media WHERE id = 1")).scalar_one() == "image"
    if revision == HEAD:
        assert client.get(f"/uploads/{AUDIO_KEY}.wav", headers={"Range": "bytes=0-3"}).data == b"RIFF"
    if REVISIONS.index(revision) >= REVISIONS.index("0008_email_subscriptions"):  # subscribers, as they were
        with app.app_context(), db.engine.connect() as connection:
            counts = [connection.execute(text(f"SELECT count(*) FROM {name}")).scalar_one()  # noqa: S608
                      for name in ("subscribers", "subscriptions", "mailings", "outbox")]
        assert counts == [2, 3, 1, 2]
        admin = app.test_client()
        admin.post("/login", data={"email": "admin@example.com", "password": PASSWORD,
                                   "csrf_token": csrf_token(admin, "/login")})
        exported = admin.get("/admin/subscribers/export.csv").get_data(as_text=True)
        assert "reader@example.org" in exported and "pending@example.org" in exported


def snapshot(app: Flask) -> dict[str, object]:
    """Every table with its columns and rows, to compare a database before and after."""
    with app.app_context():
        with db.engine.connect() as connection:
            inspector = inspect(connection)
            found = {}
            for name in sorted(inspector.get_table_names()):
                columns = sorted(column["name"] for column in inspector.get_columns(name))
                query = f'SELECT * FROM "{name}"'  # noqa: S608 - a name from the database's own catalogue
                rows = connection.execute(text(query)).all()
                found[name] = (columns, sorted(map(repr, rows)))
            if connection.dialect.name == "sqlite":
                found["sqlite_master"] = sorted(connection.exec_driver_sql(
                    "SELECT type, name, sql FROM sqlite_master").all())
        db.engine.dispose()
    return found


@pytest.mark.parametrize("revision", [REVISIONS[0], REVISIONS[-2]])
def test_a_failed_upgrade_leaves_the_database_as_it_was(revision: str, site_url: str, tmp_path: Path,
                                                        monkeypatch: pytest.MonkeyPatch):
    app = site_at(revision, site_url, tmp_path / "instance")
    before = snapshot(app)
    original_init = migration.RevisionStep.__init__

    def failing_last_step(step: migration.RevisionStep, context, revision, is_upgrade: bool) -> None:
        original_init(step, context, revision, is_upgrade)
        if is_upgrade and revision.revision == HEAD:
            run = step.migration_fn

            @functools.wraps(run)
            def run_then_fail(**kw):
                run(**kw)  # the last step does all its work, then fails
                raise RuntimeError("disk full")
            step.migration_fn = run_then_fail

    monkeypatch.setattr(migration.RevisionStep, "__init__", failing_last_step)

    result = init(app, "--no-backup")

    assert result.exit_code == 1
    assert result.output.strip().splitlines()[-1] == (
        f"Error: The upgrade from revision {revision} failed (disk full); the database was left as it was.")
    assert snapshot(app) == before
    assert not (tmp_path / "instance" / "backups").exists()


def test_an_upgrade_from_the_last_release_recomputes_related_scores_with_tag_weights(site_url: str, tmp_path: Path):
    app = site_at(REVISIONS[-2], site_url, tmp_path / "instance")

    result = init(app, "--no-backup")

    assert result.exit_code == 0, result.output
    with app.app_context():
        with db.engine.connect() as connection:
            reasons = connection.execute(text(
                "SELECT reasons FROM related_scores WHERE article_id = 2 AND other_id = 1")).scalar_one()
        db.engine.dispose()
    reasons = json.loads(reasons) if isinstance(reasons, str) else reasons
    assert reasons["tags"] and len(reasons["tag_weights"]) == len(reasons["tags"])  # the stored '[]' is gone

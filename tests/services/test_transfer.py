"""Markdown with front matter in and out, and `flask cms import` / `export` as a person runs them."""

from __future__ import annotations

import io
import os
import uuid
import zipfile
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import create_engine, func, select, text
from sqlalchemy.engine import make_url

from cms import create_app
from cms.core.errors import InvalidInput
from cms.core.workflow import Role, Status
from cms.extensions import db
from cms.models import Article, Page, Redirect, Revision, Series, StatusChange, Tag
from cms.services import demo, transfer, users
from tests.factories import NOW, PASSWORD

DATA = Path(__file__).resolve().parent.parent / "data"
ZONE = "America/New_York"


@pytest.fixture
def other_app(app_config: dict, tmp_path: Path, database_url: str | None) -> Iterator[Flask]:
    """A second, empty site beside `app`: its own SQLite file, or its own PostgreSQL schema."""
    config = dict(app_config)
    schema = f"cms_other_{uuid.uuid4().hex[:12]}"
    server = os.environ.get("TEST_DATABASE_URL")
    if database_url and server:
        engine = create_engine(server)
        with engine.begin() as connection:
            connection.execute(text(f'CREATE SCHEMA "{schema}"'))
        config["SQLALCHEMY_DATABASE_URI"] = make_url(server).update_query_dict(
            {"options": f"-csearch_path={schema}"}).render_as_string(hide_password=False)
    else:
        config["SQLALCHEMY_DATABASE_URI"] = f"sqlite:///{tmp_path / 'other.sqlite'}"
    other = create_app(config)
    with other.app_context():
        db.create_all()
    yield other
    with other.app_context():
        db.session.remove()
        db.drop_all()
        db.engine.dispose()
    if database_url and server:
        with engine.begin() as connection:
            connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        engine.dispose()


def admin_user():
    return users.find_by_email("admin@example.com") or users.create_user("admin@example.com", PASSWORD, Role.ADMIN)


def run_markdown(files: dict[str, str]) -> transfer.Report:
    batch = transfer.read_markdown([(name, body.encode()) for name, body in files.items()], source="upload",
                                   zone=ZONE)
    report = transfer.run(batch, by=admin_user(), now=NOW)
    db.session.commit()
    return report


LIFE_STAGES = """---
title: "Life Stages in Mother–Daughter Relationships"
slug: life-stages
status: published
publish_at: 2024-10-08T09:00:00-04:00
tags: [mother daughter, life stages]
series: Mother–Daughter Relationships
series_part: 1
summary: How the bond changes over a lifetime.
---

The bond between a mother and her daughter changes.
"""


def test_markdown_file_is_imported_as_design_describes(app):
    with app.app_context():
        report = run_markdown({"life-stages.md": LIFE_STAGES})
        article = db.session.scalar(select(Article))
        assert (article.slug, article.status, article.publish_at) == (
            "life-stages", Status.PUBLISHED, datetime(2024, 10, 8, 13, tzinfo=UTC))
        assert [tag.name for tag in article.tags] == ["life stages", "mother daughter"]
        assert (article.series.title, article.series_part) == ("Mother–Daughter Relationships", 1)
        assert article.body_html == "<p>The bond between a mother and her daughter changes.</p>"
    assert report.lines() == ["Articles: 1 created, 0 updated, 0 unchanged.",
                              "Tags: 2 created, 0 updated, 0 unchanged."]


def test_markdown_reimport_matches_on_slug_and_changes_nothing(app):
    with app.app_context():
        run_markdown({"life-stages.md": LIFE_STAGES})
        revisions = db.session.scalar(select(func.count(Revision.id)))
        report = run_markdown({"life-stages.md": LIFE_STAGES})
        assert db.session.scalar(select(func.count(Revision.id))) == revisions
        assert report.lines() == ["Articles: 0 created, 0 updated, 1 unchanged.",
                                  "Tags: 0 created, 0 updated, 2 unchanged."]
        report = run_markdown({"life-stages.md": LIFE_STAGES.replace("changes.", "changes, and stays.")})
        assert report.counts["article"] == {"updated": 1}
        assert db.session.scalar(select(func.count(Article.id))) == 1


def test_a_bad_markdown_file_names_itself_and_nothing_of_the_folder_is_written(app, tmp_path):
    folder = tmp_path / "posts"
    folder.mkdir()
    (folder / "a-good.md").write_text(LIFE_STAGES)
    (folder / "b-bad.md").write_text("---\ntitle: Broken\nstatus: maybe\n---\nText.\n")
    make_admin(app)
    result = app.test_cli_runner().invoke(args=["cms", "import", str(folder)])
    assert result.exit_code == 1
    assert result.output.strip().splitlines()[-1] == (
        "Error: b-bad.md: status must be one of draft, review, scheduled, published, archived, not 'maybe'.")
    with app.app_context():
        assert db.session.scalar(select(func.count(Article.id))) == 0


def make_admin(app: Flask) -> None:
    with app.app_context():
        admin_user()
        db.session.commit()


def test_cli_import_dry_run_prints_the_report_and_writes_nothing(app):
    make_admin(app)
    result = app.test_cli_runner().invoke(args=["cms", "import", str(DATA / "wordpress.xml"), "--dry-run"])
    assert result.exit_code == 0, result.output
    assert "Articles: 8 created, 0 updated, 0 unchanged." in result.output
    assert "Skipped: 1 attachment, 2 comments, 1 menu item, 1 revision, 1 trashed post." in result.output
    assert result.output.rstrip().endswith("Dry run: nothing was written.")
    with app.app_context():
        assert [db.session.scalar(select(func.count()).select_from(model))
                for model in (Article, Page, Series, Tag, Redirect, StatusChange)] == [0] * 6
    real = app.test_cli_runner().invoke(args=["cms", "import", str(DATA / "wordpress.xml")])
    assert real.exit_code == 0
    assert real.output.replace("Imported wordpress.xml.", "Dry run: nothing was written.") == result.output


def test_cli_import_refuses_a_bad_file_in_one_line(app, tmp_path):
    make_admin(app)
    broken = tmp_path / "export.xml"
    broken.write_bytes((DATA / "wordpress.xml").read_bytes()[:5000])
    result = app.test_cli_runner().invoke(args=["cms", "import", str(broken)])
    assert result.exit_code == 1
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("Error: export.xml is not well-formed XML at line ")


def test_cli_import_needs_an_admin_to_act_as(app):
    result = app.test_cli_runner().invoke(args=["cms", "import", str(DATA / "wordpress.xml")])
    assert result.exit_code == 1
    assert result.output.strip() == ("Error: An import needs an admin account to act as; create one with "
                                     "flask cms create-user EMAIL --role admin.")


def test_export_writes_design_front_matter_with_pages_typed(app, tmp_path):
    with app.app_context():
        run_markdown({"life-stages.md": LIFE_STAGES,
                      "fees.md": "---\ntype: page\ntitle: Fees\nstatus: published\nmenu_order: 2\n---\n\n"
                                 "Sliding scale.\n"})
    result = app.test_cli_runner().invoke(args=["cms", "export", str(tmp_path / "out")])
    assert result.exit_code == 0 and result.output.strip() == f"Exported 3 files to {tmp_path / 'out'}."
    assert (tmp_path / "out/articles/life-stages.md").read_text() == """---
title: "Life Stages in Mother–Daughter Relationships"
slug: "life-stages"
status: published
publish_at: 2024-10-08T09:00:00-04:00
tags: ["life stages", "mother daughter"]
series: "Mother–Daughter Relationships"
series_part: 1
summary: "How the bond changes over a lifetime."
---

The bond between a mother and her daughter changes.
"""
    assert (tmp_path / "out/pages/fees.md").read_text() == (
        '---\ntype: page\ntitle: "Fees"\nslug: "fees"\nstatus: published\nmenu_order: 2\n---\n\nSliding scale.\n')
    assert (tmp_path / "out/series.yaml").read_text() == (
        '- title: "Mother–Daughter Relationships"\n  slug: "mother-daughter-relationships"\n')


def test_export_refuses_a_folder_with_files_in_it(app, tmp_path):
    (tmp_path / "old.md").write_text("old")
    result = app.test_cli_runner().invoke(args=["cms", "export", str(tmp_path)])
    assert result.exit_code == 1
    assert result.output.strip() == (f"Error: {tmp_path} is not an empty folder; export into a new one so no old "
                                     "file is mixed in.")


def sample_site() -> None:
    demo.load(now=NOW, zone=ZONE)
    run_markdown({"tricky.md": '---\ntitle: "Yes: no, \\"quoted\\""\nslug: "no"\nstatus: archived\n'
                               "publish_at: 2023-05-01 10:00\nsummary: |\n  Two\n  lines\n---\n\nBody\n"})


def wordpress_site() -> None:
    transfer.run(transfer.load(DATA / "wordpress.xml", zone=ZONE), by=admin_user(), now=NOW)
    db.session.commit()


@pytest.mark.parametrize("build", [sample_site, wordpress_site])
def test_export_import_into_an_empty_site_export_again_gives_identical_files(app, other_app, tmp_path, build):
    with app.app_context():
        build()
    first, second = round_trip(app, other_app, tmp_path)
    assert len(first) >= 10 and first == second
    with app.app_context():
        original = site_content()
    with other_app.app_context():
        assert site_content() == original


def round_trip(app: Flask, other: Flask, folder: Path) -> tuple[dict[str, bytes], dict[str, bytes]]:
    """Export `app` with `flask cms export`, import that into the empty `other`, export `other`; both exports."""
    assert app.test_cli_runner().invoke(args=["cms", "export", str(folder / "first")]).exit_code == 0
    make_admin(other)
    imported = other.test_cli_runner().invoke(args=["cms", "import", str(folder / "first")])
    assert imported.exit_code == 0, imported.output
    assert other.test_cli_runner().invoke(args=["cms", "export", str(folder / "second")]).exit_code == 0
    return files_in(folder / "first"), files_in(folder / "second")


def files_in(folder: Path) -> dict[str, bytes]:
    return {str(path.relative_to(folder)): path.read_bytes()
            for path in sorted(folder.rglob("*")) if path.is_file()}


def site_content() -> list[tuple]:
    """What readers and authors see of each article, page and series, without ids."""
    rows = [(a.slug, a.title, a.body_html, a.summary, a.status, a.publish_at, a.series.slug if a.series else None,
             a.series_part, tuple(tag.slug for tag in a.tags)) for a in db.session.scalars(select(Article))]
    rows += [(p.slug, p.title, p.body_html, p.is_published, p.menu_order)
             for p in db.session.scalars(select(Page))]
    rows += [(s.slug, s.title, s.description) for s in db.session.scalars(select(Series))]
    return sorted(rows, key=repr)


def test_a_zip_of_markdown_is_read_like_a_folder(app):
    with app.app_context():
        run_markdown({"life-stages.md": LIFE_STAGES})
        data = transfer.export_zip(zone=ZONE)
        assert data == transfer.export_zip(zone=ZONE)  # same site, same bytes
        batch = transfer.read_bytes(data, name="export.zip", zone=ZONE)
        assert [document.slug for document in batch.documents] == ["life-stages"]
        assert [info.slug for info in batch.series] == ["mother-daughter-relationships"]
        assert transfer.run(batch, by=admin_user(), now=NOW).counts["article"] == {"unchanged": 1}


def test_a_zip_without_markdown_is_refused(app):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("photo.jpg", b"not markdown")
    with app.app_context(), pytest.raises(InvalidInput, match=r"^photos.zip holds no Markdown files.$"):
        transfer.read_bytes(buffer.getvalue(), name="photos.zip", zone=ZONE)


def test_a_body_typed_in_a_browser_is_exported_with_plain_line_ends(app):
    """Forms send a textarea with CRLF; the file read back has LF, so the export writes LF from the start."""
    with app.app_context():
        transfer.apply(next(iter(transfer.read_bytes(b"---\ntitle: Typed\n---\n\nOne.", name="typed.md",
                                                     zone=ZONE).documents)), by=admin_user(), now=NOW)
        db.session.scalars(select(Article)).one().body_source = "One.\r\n\r\nTwo."
        db.session.commit()
        assert transfer.export_files(zone=ZONE)["articles/typed.md"].endswith("\n\nOne.\n\nTwo.\n")

"""The back office's import and export screen at /admin/transfer/, for admins."""

from __future__ import annotations

import io
import re
import zipfile
from html import unescape
from pathlib import Path

import pytest
from sqlalchemy import func, select

from cms.extensions import db
from cms.models import Article, Media, Page, Redirect, Series
from tests.conftest import csrf_token
from tests.services.test_wordpress_images import IMAGES, jpeg

WXR = (Path(__file__).resolve().parent.parent / "data" / "wordpress.xml").read_bytes()


@pytest.fixture
def app_config(app_config: dict, tmp_path: Path) -> dict:
    return {**app_config, "IMPORT_FOLDER": str(tmp_path / "imports")}


def upload(client, data: bytes, name: str = "wordpress.xml"):
    token = csrf_token(client, "/admin/transfer/")
    return client.post("/admin/transfer/check", data={"csrf_token": token, "file": (io.BytesIO(data), name)},
                       content_type="multipart/form-data")


def content_counts(app) -> list[int]:
    with app.app_context():
        return [db.session.scalar(select(func.count()).select_from(model)) for model in (Article, Page, Series,
                                                                                        Redirect)]


def test_readers_are_sent_to_sign_in_and_editors_are_refused(client, auth):
    response = client.get("/admin/transfer/")
    assert response.status_code == 302 and response.location.startswith("/login?next=")
    auth.login("editor")
    assert client.get("/admin/transfer/").status_code == 403
    assert client.get("/admin/transfer/export").status_code == 403
    assert "Import and export" not in client.get("/admin/").get_data(as_text=True)


def test_admin_checks_an_upload_then_confirms_it(app, client, auth):
    auth.login("admin")
    assert "Import and export" in client.get("/admin/").get_data(as_text=True)
    checked = upload(client, WXR)
    page = unescape(checked.get_data(as_text=True))
    assert checked.status_code == 200
    assert "Nothing has been written yet." in page
    assert "<li>Articles: 8 created, 0 updated, 0 unchanged.</li>" in page
    assert "<li>Skipped: 1 attachment, 2 comments, 1 menu item, 1 revision, 1 trashed post.</li>" in page
    assert content_counts(app) == [0, 0, 0, 0]
    token = re.search(r'name="token" type="hidden" value="([^"]+)"', page)[1]
    confirmed = client.post("/admin/transfer/confirm", data={"csrf_token": csrf_token(client, "/admin/transfer/"),
                                                             "token": token})
    assert confirmed.status_code == 302
    assert content_counts(app) == [8, 1, 1, 6]
    after = unescape(client.get("/admin/transfer/").get_data(as_text=True))
    assert "Imported wordpress.xml. Articles: 8 created, 0 updated, 0 unchanged." in after
    again = client.post("/admin/transfer/confirm", data={"csrf_token": csrf_token(client, "/admin/transfer/"),
                                                         "token": token})
    assert again.status_code == 302
    assert "That import is no longer waiting" in unescape(client.get("/admin/transfer/").get_data(as_text=True))
    assert not any(Path(app.config["IMPORT_FOLDER"]).iterdir())  # the kept upload is gone once imported


def test_a_bad_upload_is_refused_in_one_sentence_and_writes_nothing(app, client, auth):
    auth.login("admin")
    response = upload(client, WXR[:3000], name="export.xml")
    assert response.status_code == 400
    page = unescape(response.get_data(as_text=True))
    assert re.search(r"export.xml is not well-formed XML at line \d+, column \d+ \(it may be truncated\).", page)
    assert content_counts(app) == [0, 0, 0, 0]


def test_an_upload_needs_a_file_and_a_csrf_token(app, client, auth):
    auth.login("admin")
    missing = client.post("/admin/transfer/check", data={"csrf_token": csrf_token(client, "/admin/transfer/")},
                          content_type="multipart/form-data")
    assert missing.status_code == 400 and "Choose a file to import." in missing.get_data(as_text=True)
    forged = client.post("/admin/transfer/check", data={"file": (io.BytesIO(WXR), "wordpress.xml")},
                         content_type="multipart/form-data")
    assert forged.status_code == 400
    assert content_counts(app) == [0, 0, 0, 0]


def test_a_confirmation_for_someone_elses_upload_imports_nothing(app, client, auth):
    auth.login("admin")
    upload(client, WXR)
    response = client.post("/admin/transfer/confirm", data={"csrf_token": csrf_token(client, "/admin/transfer/"),
                                                            "token": "guessed-token"})
    assert response.status_code == 302
    assert content_counts(app) == [0, 0, 0, 0]


def test_export_downloads_a_zip_of_markdown(app, client, auth, make):
    make.article("Life Stages", slug="life-stages", body_source="The bond changes.")
    make.page("About", "About me.")
    auth.login("admin")
    response = client.get("/admin/transfer/export")
    assert response.status_code == 200 and response.mimetype == "application/zip"
    disposition = response.headers["Content-Disposition"]
    assert re.fullmatch(r"attachment; filename=export-\d{4}-\d{2}-\d{2}.zip", disposition)
    with zipfile.ZipFile(io.BytesIO(response.data)) as archive:
        assert sorted(archive.namelist()) == ["articles/life-stages.md", "pages/about.md"]
        assert archive.read("pages/about.md").decode().startswith("---\ntype: page\ntitle: \"About\"\n")


def test_a_zip_of_the_old_sites_uploads_brings_its_images_along(app, client, auth):
    auth.login("admin")
    images = io.BytesIO()
    with zipfile.ZipFile(images, "w") as archive:
        for path, size in IMAGES.items():
            archive.writestr(f"uploads/{path}", jpeg(size))
    token = csrf_token(client, "/admin/transfer/")
    checked = client.post("/admin/transfer/check", content_type="multipart/form-data", data={
        "csrf_token": token, "file": (io.BytesIO(WXR), "wordpress.xml"),
        "images": (io.BytesIO(images.getvalue()), "uploads.zip")})
    page = unescape(checked.get_data(as_text=True))
    assert "<li>Images: 2 created, 0 updated, 0 unchanged.</li>" in page
    with app.app_context():
        assert db.session.scalar(select(func.count(Media.id))) == 0
    token = re.search(r'name="token" type="hidden" value="([^"]+)"', page)[1]
    client.post("/admin/transfer/confirm", data={"csrf_token": csrf_token(client, "/admin/transfer/"),
                                                 "token": token})
    with app.app_context():
        assert db.session.scalar(select(func.count(Media.id))) == 2
        assert all("old.example.com" not in body for body in db.session.scalars(select(Article.body_html)))
    assert not any(Path(app.config["IMPORT_FOLDER"]).iterdir())

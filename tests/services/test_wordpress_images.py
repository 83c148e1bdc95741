"""A WordPress site's images come along on import: from a copy of its uploads folder (a folder or a zip), or
fetched from the old site (here a local HTTP server standing in for it); served by the site with srcset."""

from __future__ import annotations

import io
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from flask import Flask
from PIL import Image
from sqlalchemy import func, select

from cms.core import wordpress
from cms.core.workflow import Role
from cms.extensions import db
from cms.models import Article, Media
from cms.services import users
from tests.factories import PASSWORD
from tests.servers import static_site

DATA = Path(__file__).resolve().parent.parent / "data"
OLD_SITE = b"https://old.example.com"
#: The images tests/data/wordpress.xml shows; kitchen-300x200.jpg is WordPress's smaller copy of kitchen.jpg.
IMAGES = {"2024/10/letter.jpg": (640, 427), "2024/10/kitchen.jpg": (900, 600)}
WITH_IMAGES = ("letting-go-of-resentment", "uber-grenzen", "safe-to-read")


def jpeg(size: tuple[int, int]) -> bytes:
    output = io.BytesIO()
    Image.new("RGB", size, (180, 120, 90)).save(output, format="JPEG")
    return output.getvalue()


def uploads_folder(root: Path, images: dict[str, tuple[int, int]] = IMAGES) -> Path:
    """A copy of the old site's wp-content/uploads, as it would be downloaded from its server."""
    for path, size in images.items():
        (root / path).parent.mkdir(parents=True, exist_ok=True)
        (root / path).write_bytes(jpeg(size))
    return root


def import_cli(app: Flask, export: Path, *options: str) -> str:
    with app.app_context():
        if users.find_by_email("admin@example.com") is None:
            users.create_user("admin@example.com", PASSWORD, Role.ADMIN)
            db.session.commit()
    result = app.test_cli_runner().invoke(args=["cms", "import", str(export), *options])
    assert result.exit_code == 0, result.output
    return result.output


def assert_every_image_is_served_with_srcset(app: Flask, client, old_site: str = "old.example.com") -> None:
    with app.app_context():
        bodies = list(db.session.scalars(select(Article.body_html)))
        assert all(old_site not in body for body in bodies)
    for slug in WITH_IMAGES:
        page = BeautifulSoup(client.get(f"/articles/{slug}").text, "html.parser")
        shown = page.select(".body img")
        assert shown, slug
        for img in shown:
            assert img["src"].startswith("/uploads/") and img.get("srcset"), (slug, img)
            assert client.get(img["src"]).status_code == 200
            for candidate in img["srcset"].split(", "):
                assert client.get(candidate.split()[0]).status_code == 200
        for link in page.select(".body a[href]"):
            assert old_site not in link["href"]


def test_images_come_from_a_copy_of_the_uploads_folder(app, client, tmp_path):
    output = import_cli(app, DATA / "wordpress.xml", "--uploads", str(uploads_folder(tmp_path / "uploads")))
    assert "Images: 2 created, 0 updated, 0 unchanged." in output
    assert_every_image_is_served_with_srcset(app, client)
    with app.app_context():
        media = db.session.scalars(select(Media).order_by(Media.source)).all()
        assert [(item.source, item.width, item.filename) for item in media] == [
            ("old.example.com/wp-content/uploads/2024/10/kitchen.jpg", 900, "kitchen.jpg"),
            ("old.example.com/wp-content/uploads/2024/10/letter.jpg", 640, "letter.jpg")]


def test_images_come_from_a_zip_of_the_uploads_folder_whatever_its_layout(app, client, tmp_path):
    archive = tmp_path / "uploads.zip"
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as packed:
        for path, size in IMAGES.items():
            packed.writestr(f"backup/wp-content/uploads/{path}", jpeg(size))
        packed.writestr("../../outside.jpg", jpeg((10, 10)))  # never extracted, never matched
    output = import_cli(app, DATA / "wordpress.xml", "--uploads", str(archive))
    assert "Images: 2 created, 0 updated, 0 unchanged." in output
    assert_every_image_is_served_with_srcset(app, client)


def test_a_zip_entry_that_unpacks_too_large_is_reported_and_the_rest_come_along(app, client, tmp_path):
    app.config["UPLOAD_MAX_BYTES"] = 1024 * 1024
    archive = tmp_path / "uploads.zip"
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as packed:
        packed.writestr("2024/10/kitchen.jpg", jpeg((900, 600)))
        packed.writestr("2024/10/letter.jpg", bytes(50 * 1024 * 1024))  # a bomb: 50 MB of zeros, 50 KB packed
    output = import_cli(app, DATA / "wordpress.xml", "--uploads", str(archive))
    assert "Images: 1 created, 0 updated, 0 unchanged." in output
    assert ("Could not bring 1 image along, so the bodies still point at the old site for: "
            "2024/10/letter.jpg (larger than 1 MB).") in output


def test_reimporting_stores_no_image_twice_even_without_the_uploads(app, tmp_path):
    folder = str(uploads_folder(tmp_path / "uploads"))
    import_cli(app, DATA / "wordpress.xml", "--uploads", folder)
    again = import_cli(app, DATA / "wordpress.xml", "--uploads", folder)
    assert "Images: 0 created, 0 updated, 2 unchanged." in again
    assert "Articles: 0 created, 0 updated, 8 unchanged." in again
    without = import_cli(app, DATA / "wordpress.xml")
    assert "Images: 0 created, 0 updated, 2 unchanged." in without
    assert "Articles: 0 created, 0 updated, 8 unchanged." in without
    with app.app_context():
        assert db.session.scalar(select(func.count(Media.id))) == 2


def test_a_dry_run_stores_no_image(app, tmp_path):
    output = import_cli(app, DATA / "wordpress.xml", "--dry-run", "--uploads", str(uploads_folder(tmp_path)))
    assert "Images: 2 created, 0 updated, 0 unchanged." in output
    with app.app_context():
        assert db.session.scalar(select(func.count(Media.id))) == 0
        assert db.session.scalar(select(func.count(Article.id))) == 0


def test_without_uploads_or_fetching_the_images_stay_and_the_report_says_so(app, tmp_path):
    output = import_cli(app, DATA / "wordpress.xml")
    assert ("Left pointing at the old site: 2 images; import again with a copy of its uploads folder, or fetching "
            "images from it, to bring them along.") in output
    with app.app_context():
        assert db.session.scalar(select(func.count(Media.id))) == 0


@pytest.fixture
def old_site(tmp_path: Path) -> Iterator[tuple[str, Path, list[str]]]:
    """A local HTTP server standing in for the old WordPress site: its address, its document root, and the
    paths it was asked for."""
    root = tmp_path / "old-site"
    uploads_folder(root / "wp-content" / "uploads")
    with static_site(root) as (address, requested):
        yield address, root, requested


def export_of(site: str, folder: Path) -> Path:
    """tests/data/wordpress.xml as exported by the WordPress site at `site`."""
    export = folder / "wordpress.xml"
    export.write_bytes((DATA / "wordpress.xml").read_bytes().replace(OLD_SITE, site.encode()))
    return export


def test_images_are_fetched_from_the_old_site_when_asked(app, client, tmp_path, old_site):
    site, _, requested = old_site
    output = import_cli(app, export_of(site, tmp_path), "--fetch-images")
    assert "Images: 2 created, 0 updated, 0 unchanged." in output
    assert sorted(requested) == ["/wp-content/uploads/2024/10/kitchen.jpg", "/wp-content/uploads/2024/10/letter.jpg"]
    assert_every_image_is_served_with_srcset(app, client, old_site=site.removeprefix("http://"))


def test_nothing_is_fetched_unless_asked(app, tmp_path, old_site):
    site, _, requested = old_site
    import_cli(app, export_of(site, tmp_path))
    assert requested == []


def test_an_image_missing_on_the_old_site_is_reported_not_fatal(app, tmp_path, old_site):
    site, root, _ = old_site
    (root / "wp-content" / "uploads" / "2024" / "10" / "letter.jpg").unlink()
    output = import_cli(app, export_of(site, tmp_path), "--fetch-images")
    assert "Articles: 8 created, 0 updated, 0 unchanged." in output
    assert "Images: 1 created, 0 updated, 0 unchanged." in output
    assert ("Could not bring 1 image along, so the bodies still point at the old site for: "
            "2024/10/letter.jpg (the old site answered 404).") in output


def test_a_body_image_on_another_host_is_never_fetched(app, tmp_path, old_site):
    site, _, requested = old_site
    export = export_of(site, tmp_path)
    export.write_bytes(export.read_bytes().replace(f"{site}/wp-content/uploads/2024/10/letter.jpg".encode(),
                                                   b"http://elsewhere.invalid/wp-content/uploads/2024/10/letter.jpg"))
    output = import_cli(app, export, "--fetch-images")
    assert "Images: 1 created, 0 updated, 0 unchanged." in output
    assert "/wp-content/uploads/2024/10/letter.jpg" not in requested


def test_only_images_under_the_old_sites_uploads_are_taken_and_never_a_path_out_of_them():
    body = ("![a](https://old.example.com/wp-content/uploads/2024/10/a-300x200.jpg) "
            '<img src="//old.example.com/blog/wp-content/uploads/2024/10/b.png?w=300"> '
            "![c](/wp-content/uploads/2024/10/c-scaled.webp) "
            "![d](https://old.example.com/wp-content/uploads/2024/../../../etc/d.jpg) "
            "![e](https://elsewhere.example/wp-content/uploads/2024/10/e.jpg) "
            "[f](https://old.example.com/wp-content/uploads/2024/10/f.pdf)")
    found = wordpress.upload_addresses(body, wordpress.site_hosts(["https://old.example.com"]))
    assert [(address.site, address.path, address.original) for address in found] == [
        ("https://old.example.com", "2024/10/a-300x200.jpg", "2024/10/a.jpg"),
        ("//old.example.com/blog", "2024/10/b.png", "2024/10/b.png"),
        ("", "2024/10/c-scaled.webp", "2024/10/c.webp")]
    assert wordpress.replace_addresses(body, {found[1].address: "/uploads/k.png"}).count("/uploads/k.png") == 1

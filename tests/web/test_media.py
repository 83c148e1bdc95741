"""Uploaded images: kept in the database with their copies, served responsively, managed on the media screen,
carried by backups."""

from __future__ import annotations

import io
import re
from pathlib import Path

import pytest
from flask import Flask
from PIL import Image
from sqlalchemy import select

from cms import create_app
from cms.core.workflow import Status
from cms.extensions import db
from cms.models import Article, Media, MediaVariant
from cms.services import backup
from tests.conftest import Auth, csrf_token
from tests.factories import NOW
from tests.services.test_transfer import other_app  # noqa: F401 - a fixture: a second, empty site


def image_bytes(fmt: str = "JPEG", size: tuple[int, int] = (2000, 1000), colour=(200, 120, 40)) -> bytes:
    output = io.BytesIO()
    Image.new("RGB", size, colour).save(output, format=fmt)
    return output.getvalue()


def upload(client, data: bytes, filename: str = "garden.jpg", alt: str | None = None) -> dict:
    form = {"image": (io.BytesIO(data), filename, "image/jpeg")}
    if alt is not None:
        form["alt"] = alt
    response = client.post("/uploads", data=form, headers={"X-CSRFToken": csrf_token(client, "/logout")})
    assert response.status_code == 201, response.get_json()
    return response.get_json()


def key_of(url: str) -> str:
    return re.fullmatch(r"/uploads/([0-9a-f]{32})\.\w+", url).group(1)


def test_an_upload_is_kept_with_webp_and_fallback_copies_at_each_width(app, client, auth):
    auth.login("author")
    answer = upload(client, image_bytes(), alt="  A  garden in June ")
    assert (answer["width"], answer["height"]) == (2000, 1000)
    assert answer["markdown"] == f"![A garden in June]({answer['url']})"
    key = key_of(answer["url"])
    with app.app_context():
        stored = {(variant.format, variant.width) for variant in db.session.scalars(select(MediaVariant))}
        assert db.session.scalar(select(Media.alt)) == "A garden in June"
    widths = (480, 800, 1200, 1600, 2000)
    assert stored == {("jpeg", width) for width in widths} | {("webp", width) for width in widths}
    client.get("/logout")
    for width in widths[:-1]:
        for extension, mimetype in (("jpg", "image/jpeg"), ("webp", "image/webp")):
            served = client.get(f"/uploads/{key}-{width}.{extension}")
            assert served.status_code == 200 and served.mimetype == mimetype
            assert Image.open(io.BytesIO(served.data)).size == (width, width // 2)
            assert served.headers["X-Content-Type-Options"] == "nosniff"
            assert "sandbox" in served.headers["Content-Security-Policy"]
            assert "immutable" in served.headers["Cache-Control"]
            again = client.get(f"/uploads/{key}-{width}.{extension}",
                               headers={"If-None-Match": served.headers["ETag"]})
            assert again.status_code == 304
    assert client.get(f"/uploads/{key}-2400.jpg").status_code == 404  # never upscaled
    assert client.get(f"/uploads/{key}-480.png").status_code == 404  # no format it was not stored in


def test_a_small_image_is_never_upscaled_and_an_animation_is_kept_as_it_is(app, client, auth):
    auth.login("author")
    small = key_of(upload(client, image_bytes("PNG", (300, 200)), filename="icon.png")["url"])
    frames = [Image.new("RGB", (600, 400), colour) for colour in ("red", "green")]
    output = io.BytesIO()
    frames[0].save(output, format="GIF", save_all=True, append_images=frames[1:], duration=100, loop=0)
    animated = key_of(upload(client, output.getvalue(), filename="wave.gif")["url"])
    with app.app_context():
        def stored(key):
            return set(db.session.execute(select(MediaVariant.format, MediaVariant.width).join(Media)
                                          .where(Media.key == key)))
        assert stored(small) == {("png", 300), ("webp", 300)}
        assert stored(animated) == {("gif", 600)}
    assert Image.open(io.BytesIO(client.get(f"/uploads/{animated}.gif").data)).n_frames == 2


def test_a_second_app_on_the_same_database_serves_the_image(app, app_config, client, auth):
    auth.login("author")
    answer = upload(client, image_bytes())
    second = create_app(app_config)  # another server of the same site: its own process state, one database
    try:
        served = second.test_client().get(answer["url"])
        assert served.status_code == 200 and served.data == app.test_client().get(answer["url"]).data
        key = key_of(answer["url"])
        assert second.test_client().get(f"/uploads/{key}-800.webp").status_code == 200
    finally:
        with second.app_context():
            db.engine.dispose()


def article_with_images(app, make, client, auth, *, featured: bool = False) -> tuple[str, str, str]:
    """A live article with two uploaded images and a foreign one; returns its slug and the two keys."""
    auth.login("editor")
    first = upload(client, image_bytes(), filename="garden.jpg", alt="A garden")
    second = upload(client, image_bytes("PNG", (1000, 800)), filename="chart.png")
    body = (f"Intro.\n\n![A garden]({first['url']})\n\nMore.\n\n![Our chart]({second['url']})\n\n"
            "![elsewhere](https://example.org/picture.jpg)\n")
    ident = make.article("Seeing the garden", body_source=body, author_email="editor@example.com")
    if featured:
        with app.app_context():
            article = db.session.get(Article, ident)
            article.featured_media = db.session.scalar(select(Media).where(Media.key == key_of(first["url"])))
            db.session.commit()
    with app.app_context():
        slug = db.session.get(Article, ident).slug
    return slug, key_of(first["url"]), key_of(second["url"])


def test_the_public_page_serves_uploaded_images_responsively(app, make, client, auth):
    slug, first, second = article_with_images(app, make, client, auth)
    page = app.test_client().get(f"/articles/{slug}").get_data(as_text=True)
    pictures = re.findall(r"<picture>.*?</picture>", page, re.DOTALL)
    assert len(pictures) == 2
    garden, chart = pictures
    assert (f'<source type="image/webp" srcset="/uploads/{first}-480.webp 480w, /uploads/{first}-800.webp 800w, '
            f'/uploads/{first}-1200.webp 1200w, /uploads/{first}-1600.webp 1600w, /uploads/{first}-2000.webp 2000w"'
            in garden)
    assert f'src="/uploads/{first}.jpg"' in garden and f"/uploads/{first}-1600.jpg 1600w" in garden
    assert 'sizes="(min-width: 38rem) 36rem, 100vw"' in garden
    assert 'width="2000" height="1000"' in garden and 'alt="A garden"' in garden
    assert "loading=" not in garden  # the first image is likely on screen at once
    assert 'width="1000" height="800"' in chart and 'loading="lazy"' in chart and 'decoding="async"' in chart
    assert f"/uploads/{second}-800.png 800w" in chart
    assert '<img src="https://example.org/picture.jpg" alt="elsewhere">' in page  # not ours: as written
    with app.app_context():  # the stored source is still the Markdown as written
        assert f"![A garden](/uploads/{first}.jpg)" in db.session.scalar(select(Article.body_source))


def test_pages_get_the_same_responsive_images(app, make, client, auth):
    auth.login("editor")
    answer = upload(client, image_bytes(), alt="Our office")
    make.page("Fees", body_source=f"![Our office]({answer['url']})")
    page = app.test_client().get("/fees").get_data(as_text=True)
    assert f'srcset="/uploads/{key_of(answer["url"])}-480.webp 480w' in page


def test_the_featured_image_tops_the_article_is_preloaded_and_shared(app, make, client, auth):
    slug, first, _ = article_with_images(app, make, client, auth, featured=True)
    page = app.test_client().get(f"/articles/{slug}").get_data(as_text=True)
    assert '<link rel="preload" as="image" imagesrcset="/uploads/' + first + '-480.webp 480w' in page
    assert 'imagesizes="(min-width: 38rem) 36rem, 100vw"' in page
    assert f'<meta property="og:image" content="http://127.0.0.1:5000/uploads/{first}.jpg">' in page
    assert '<meta property="og:image:alt" content="A garden">' in page
    assert '<meta name="twitter:card" content="summary_large_image">' in page
    featured = re.search(r'<figure class="featured-image">(.*?)</figure>', page, re.DOTALL).group(1)
    assert f'srcset="/uploads/{first}-480.jpg 480w' in featured and "loading" not in featured


def test_under_a_featured_image_every_picture_in_the_body_loads_lazily(app, make, client, auth):
    slug, _, _ = article_with_images(app, make, client, auth, featured=True)
    page = app.test_client().get(f"/articles/{slug}").get_data(as_text=True)
    body = page.split('<div class="body">', 1)[1].split("</div>", 1)[0]
    images = re.findall(r"<img\b[^>]*>", body)
    assert len(images) == 3 and all('loading="lazy"' in image for image in images)  # the featured one comes first


def test_the_featured_image_is_the_picture_of_its_card_on_the_home_page_and_its_series_page(app, make, client,
                                                                                             auth):
    slug, first, _ = article_with_images(app, make, client, auth, featured=True)
    series_id = make.series("Seeing")
    with app.app_context():
        article = db.session.scalar(select(Article).where(Article.slug == slug))
        article.series_id, article.series_part = series_id, 1
        db.session.commit()
        series_slug = article.series.slug
    for url in ("/", f"/series/{series_slug}"):
        page = app.test_client().get(url).get_data(as_text=True)
        cards = re.findall(r'<article class="card has-image">.*?</article>', page, re.DOTALL)
        assert len(cards) == 1 and "Seeing the garden" in cards[0], url
        assert f"/uploads/{first}-480.webp 480w" in cards[0] and f"/uploads/{first}-480.jpg 480w" in cards[0], url


def test_the_writing_screen_chooses_the_featured_image(app, make, client, auth):
    auth.login("author")
    first = key_of(upload(client, image_bytes(), filename="garden.jpg")["url"])
    ident = make.article("Seeing the garden", status=Status.DRAFT)
    version = make.get(Article, ident).version
    with app.app_context():
        chosen = db.session.scalar(select(Media.id).where(Media.key == first))
    screen = client.get(f"/admin/articles/{ident}/edit").get_data(as_text=True)
    option = re.search(rf'<option value="{chosen}"[^>]*>garden.jpg \(2000 × 1000\) — no description</option>', screen)
    assert option and f'data-thumb="/uploads/{first}-480.jpg"' in option.group(0)  # the picker's thumbnail
    response = client.post(f"/admin/articles/{ident}/edit", data={
        "csrf_token": csrf_token(client, f"/admin/articles/{ident}/edit"), "title": "Seeing the garden",
        "body_source": "Text.", "version": str(version), "featured_media_id": str(chosen), "action": "save"})
    assert response.status_code == 302
    assert make.get(Article, ident).featured_media_id == chosen
    reopened = client.get(f"/admin/articles/{ident}/edit").get_data(as_text=True)
    assert re.search(rf'<option value="{chosen}"[^>]* selected>', reopened)


def test_publishing_warns_about_an_image_without_alt_text(app, make, client, auth):
    auth.login("editor")
    described = upload(client, image_bytes(), filename="garden.jpg", alt="A garden")
    bare = upload(client, image_bytes(), filename="chart.png")
    ident = make.article("Charts", status=Status.DRAFT, author_email="editor@example.com",
                         body_source=f"![A garden]({described['url']})\n\n![]({bare['url']})")
    version = make.get(Article, ident).version
    response = client.post(f"/admin/articles/{ident}/edit", follow_redirects=True, data={
        "csrf_token": csrf_token(client, f"/admin/articles/{ident}/edit"), "title": "Charts",
        "body_source": f"![A garden]({described['url']})\n\n![]({bare['url']})", "version": str(version),
        "action": "published"})
    page = response.get_data(as_text=True)
    assert make.get(Article, ident).status is Status.PUBLISHED  # a warning, not a refusal
    assert "The image “chart.png” has no description (alt text)" in page
    assert "“garden.jpg” has no description" not in page


def test_the_media_screen_lists_usage_refuses_deleting_used_media_and_deletes_unused(app, make, client, auth):
    _slug, first, second = article_with_images(app, make, client, auth)
    unused = key_of(upload(client, image_bytes(), filename="spare.jpg")["url"])
    with app.app_context():
        ids = dict(db.session.execute(select(Media.key, Media.id)).all())
    screen = client.get("/admin/media/").get_data(as_text=True)
    assert "3 images" in screen and "Seeing the garden" in screen and "Not used anywhere." in screen
    assert f"/uploads/{first}-480.jpg" in screen  # a thumbnail, not the 2000-pixel original
    token = csrf_token(client, "/admin/media/")
    refused = client.post(f"/admin/media/{ids[first]}/delete", data={"csrf_token": token}, follow_redirects=True)
    assert "“garden.jpg” is still shown in “Seeing the garden”; take it out there first." in (
        refused.get_data(as_text=True))
    assert app.test_client().get(f"/uploads/{first}.jpg").status_code == 200
    deleted = client.post(f"/admin/media/{ids[unused]}/delete", data={"csrf_token": token}, follow_redirects=True)
    assert "Deleted “spare.jpg”." in deleted.get_data(as_text=True)
    assert app.test_client().get(f"/uploads/{unused}.jpg").status_code == 404
    with app.app_context():
        assert db.session.scalar(select(MediaVariant).join(Media).where(Media.key == unused)) is None
    described = client.post(f"/admin/media/{ids[second]}/alt", data={"csrf_token": token, "alt": "Sessions a week"},
                            follow_redirects=True)
    assert "Saved the description of “chart.png”." in described.get_data(as_text=True)
    assert make.get(Media, ids[second]).alt == "Sessions a week"


def test_the_media_screen_lists_profile_photos_and_featured_images_as_uses(app, make, client, auth):
    auth.login("editor")
    photo = upload(client, image_bytes(), filename="me.jpg", alt="Maya")
    cover = upload(client, image_bytes(), filename="cover.jpg", alt="A path")
    token = csrf_token(client, "/admin/profile/")
    client.post("/admin/profile/", data={"csrf_token": token, "name": "Maya", "photo": str(photo["id"])})
    ident = make.article("Seeing the garden", status=Status.DRAFT)
    with app.app_context():
        db.session.get(Article, ident).featured_media_id = cover["id"]
        db.session.commit()
    screen = client.get("/admin/media/").get_data(as_text=True)
    assert "Not used anywhere." not in screen
    assert re.search(r'<a href="/admin/profile/">Your profile</a> \(photo\)', screen)
    assert re.search(r">Seeing the garden</a> \(featured image\)", screen)
    token = csrf_token(client, "/admin/media/")
    refused = client.post(f"/admin/media/{photo['id']}/delete", data={"csrf_token": token}, follow_redirects=True)
    assert "“me.jpg” is still shown in the profile of Maya; take it out there first." in refused.get_data(as_text=True)
    assert make.get(Media, photo["id"]) is not None


def test_authors_cannot_see_or_delete_others_media(app, make, client, auth):
    auth.login("author")
    own = key_of(upload(client, image_bytes(), filename="mine.jpg")["url"])
    other_client = app.test_client()
    Auth(other_client, make).login("author", email="other@example.com")
    theirs = key_of(upload(other_client, image_bytes(), filename="theirs.jpg")["url"])
    with app.app_context():
        ids = dict(db.session.execute(select(Media.key, Media.id)).all())
    screen = client.get("/admin/media/").get_data(as_text=True)
    assert "mine.jpg" in screen and "theirs.jpg" not in screen
    token = csrf_token(client, "/admin/media/")
    assert client.post(f"/admin/media/{ids[theirs]}/delete", data={"csrf_token": token}).status_code == 403
    assert client.post(f"/admin/media/{ids[theirs]}/alt", data={"csrf_token": token, "alt": "x"}).status_code == 403
    assert make.get(Media, ids[theirs]) is not None
    assert client.post(f"/admin/media/{ids[own]}/delete", data={"csrf_token": token}).status_code == 302
    assert make.get(Media, ids[own]) is None


def test_the_media_screen_uploads_without_javascript(app, client, auth):
    auth.login("author")
    token = csrf_token(client, "/admin/media/")
    response = client.post("/admin/media/upload", follow_redirects=True, data={
        "csrf_token": token, "alt": "A quiet room", "image": (io.BytesIO(image_bytes()), "room.jpg", "image/jpeg")})
    assert "Uploaded “room.jpg”." in response.get_data(as_text=True)
    refused = client.post("/admin/media/upload", follow_redirects=True, data={
        "csrf_token": token, "image": (io.BytesIO(b"<svg onload=alert(1)>"), "x.png", "image/png")})
    assert "SVG images are not accepted" in refused.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalars(select(Media.alt)).all() == ["A quiet room"]


def test_init_moves_the_old_upload_folder_into_the_database_and_old_addresses_keep_working(app_config, tmp_path):
    folder = tmp_path / "old-uploads"
    folder.mkdir()
    old_name = "0123456789abcdef0123456789abcdef.jpg"
    (folder / old_name).write_bytes(image_bytes(size=(900, 600)))
    (folder / "fedcba9876543210fedcba9876543210.png").write_bytes(b"not an image")
    site = create_app({**app_config, "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'old.sqlite'}",
                       "UPLOAD_FOLDER": str(folder)})
    try:
        first = site.test_cli_runner().invoke(args=["cms", "init"])
        assert first.exit_code == 0, first.output
        assert f"Moved 1 uploaded images from {folder} into the database" in first.output
        assert "Left fedcba9876543210fedcba9876543210.png" in first.output
        assert "Moved" not in site.test_cli_runner().invoke(args=["cms", "init"]).output  # nothing twice
        client = site.test_client()
        assert client.get(f"/uploads/{old_name}").data == (folder / old_name).read_bytes()
        assert client.get("/uploads/0123456789abcdef0123456789abcdef-480.webp").status_code == 200
    finally:
        with site.app_context():
            db.engine.dispose()


def _images(app: Flask) -> dict:
    with app.app_context():
        return {(key, fmt, width): data for key, fmt, width, data in db.session.execute(
            select(Media.key, MediaVariant.format, MediaVariant.width, MediaVariant.data).join(Media))}


def test_a_backup_round_trip_between_engines_keeps_every_image_byte_for_byte(app, app_config, other_app,
                                                                              make, client, auth, tmp_path: Path):
    """On the PostgreSQL run: PostgreSQL -> SQLite -> PostgreSQL; on SQLite, between two SQLite files."""
    slug, first, _ = article_with_images(app, make, client, auth, featured=True)
    original = _images(app)
    assert len(original) == 16  # 5 widths of the garden and 3 of the chart, each in two formats
    with app.app_context():
        backup.create(tmp_path / "one.backup", now=NOW)
    moved = create_app({**app_config, "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'moved.sqlite'}"})
    try:
        with moved.app_context():
            db.create_all()
            backup.restore(tmp_path / "one.backup", now=NOW)
            db.session.commit()
            backup.create(tmp_path / "two.backup", now=NOW)
        assert _images(moved) == original
    finally:
        with moved.app_context():
            db.engine.dispose()
    with other_app.app_context():
        backup.restore(tmp_path / "two.backup", now=NOW)
        db.session.commit()
    assert _images(other_app) == original
    page = other_app.test_client().get(f"/articles/{slug}").get_data(as_text=True)
    assert f"/uploads/{first}-800.webp 800w" in page
    assert other_app.test_client().get(f"/uploads/{first}.jpg").data == original[(first, "jpeg", 2000)]


@pytest.mark.parametrize("name", ["0123456789abcdef0123456789abcdef-0.jpg", "0123456789abcdef0123456789abcdef-.jpg",
                                  "0123456789abcdef0123456789abcdef-480.svg", "x-480.jpg"])
def test_unknown_names_under_uploads_answer_404(client, name):
    assert client.get(f"/uploads/{name}").status_code == 404


def test_a_new_description_of_a_featured_image_reaches_readers_of_the_article(app, make, client, auth):
    auth.login("editor")
    cover = upload(client, image_bytes(), filename="cover.jpg", alt="A path")
    ident = make.article("Seeing the garden", slug="garden")
    with app.app_context():
        db.session.get(Article, ident).featured_media_id = cover["id"]
        db.session.commit()
    reader = app.test_client()
    assert 'alt="A path"' in reader.get("/articles/garden").get_data(as_text=True)
    client.post(f"/admin/media/{cover['id']}/alt",
                data={"csrf_token": csrf_token(client, "/admin/media/"), "alt": "A gravel path under apple trees"})
    page = reader.get("/articles/garden").get_data(as_text=True)
    assert 'alt="A gravel path under apple trees"' in page and 'alt="A path"' not in page

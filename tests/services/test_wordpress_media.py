"""A WordPress site's [audio] and [video] come along on import: their files are stored in the media library (from
a copy of the uploads folder, or fetched from the old site, here a local HTTP server), the post plays them with
<audio>/<video>, the files are served with Range support, a second import stores nothing twice, a backup carries
them; a file that cannot come along stays a link to the old site and the report says why in one sentence."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from flask import Flask
from sqlalchemy import func, select

from cms.core.errors import InvalidInput
from cms.extensions import db
from cms.models import Article, Media, MediaFile
from cms.services import media, users
from cms.web.uploads import ONE_YEAR, PLAYER_POLICY
from tests import media_samples as samples
from tests.servers import static_site
from tests.services.test_transfer import other_app  # noqa: F401 - a fixture: a second, empty site
from tests.services.test_wordpress_images import import_cli, jpeg

DATA = Path(__file__).resolve().parent.parent / "data"
EXPORT = DATA / "wordpress-gallery-audio.xml"
OLD_SITE = b"https://old.example.com"
AUDIO, VIDEO = "2024/05/breathing.mp3", "2024/05/breathing.mp4"
IMAGES = ("2024/03/armchairs.jpg", "2024/03/window.jpg", "2024/04/path.jpg", "2024/04/bench.jpg")
SLUG = "a-breathing-exercise"


def uploads_folder(root: Path, files: dict[str, bytes] | None = None) -> Path:
    """A copy of the old site's wp-content/uploads: the gallery's images, the breathing exercise's audio and video."""
    chosen = {**{path: jpeg((800, 600)) for path in IMAGES}, AUDIO: samples.mp3(), VIDEO: samples.mp4(size=4096)}
    for path, data in {**chosen, **(files or {})}.items():
        (root / path).parent.mkdir(parents=True, exist_ok=True)
        (root / path).write_bytes(data)
    return root


def players(client) -> tuple[BeautifulSoup, list]:
    page = BeautifulSoup(client.get(f"/articles/{SLUG}").text, "html.parser")
    return page, page.select(".body audio, .body video")


def assert_played_from_our_uploads(app: Flask, client) -> tuple[str, str]:
    """The post shows an <audio> and a <video> of our copies, each with a link to its file inside; returns their
    addresses."""
    page, found = players(client)
    assert [(player.name, "controls" in player.attrs) for player in found] == [("audio", True), ("video", True)]
    addresses = []
    for player, (label, extension) in zip(found, [("Listen: breathing.mp3", "mp3"), ("Watch: breathing.mp4", "mp4")],
                                          strict=True):
        assert player["src"].startswith("/uploads/") and player["src"].endswith(f".{extension}")
        assert [(link.text, link["href"]) for link in player.select("a")] == [(label, player["src"])]
        addresses.append(player["src"])
    assert "old.example.com" not in str(page.select_one(".body"))
    with app.app_context():
        assert all("old.example.com" not in body for body in db.session.scalars(select(Article.body_html)))
    return addresses[0], addresses[1]


def test_audio_and_video_come_from_a_copy_of_the_uploads_folder_and_play_on_the_page(app, client, tmp_path):
    output = import_cli(app, EXPORT, "--uploads", str(uploads_folder(tmp_path / "uploads")))
    assert "Images: 4 created, 0 updated, 0 unchanged." in output
    assert "Audio files: 1 created, 0 updated, 0 unchanged." in output
    assert "Video files: 1 created, 0 updated, 0 unchanged." in output
    assert ("[audio] in 1 item: “A Breathing Exercise” became a player of its file brought along into the media "
            "library, or, where the file stayed behind, a link to it on the old site.") in output
    audio, video = assert_played_from_our_uploads(app, client)
    with app.app_context():
        stored = {item.source: (item.kind, item.content_type, item.filename, item.width, item.byte_size)
                  for item in db.session.scalars(select(Media).where(Media.kind != "image"))}
    assert stored == {
        f"old.example.com/wp-content/uploads/{AUDIO}": ("audio", "audio/mpeg", "breathing.mp3", None, 600),
        f"old.example.com/wp-content/uploads/{VIDEO}": ("video", "video/mp4", "breathing.mp4", None, 4096)}
    assert client.get(audio).data == samples.mp3()
    assert client.get(video).data == samples.mp4(size=4096)


def test_a_file_is_served_with_its_type_long_caching_and_parts_for_seeking(app, client, tmp_path):
    import_cli(app, EXPORT, "--uploads", str(uploads_folder(tmp_path / "uploads")))
    _, video = assert_played_from_our_uploads(app, client)
    whole = client.get(video)
    assert whole.status_code == 200 and whole.content_type == "video/mp4"
    assert whole.headers["Accept-Ranges"] == "bytes" and whole.headers["Content-Length"] == "4096"
    assert whole.cache_control.max_age == ONE_YEAR and whole.cache_control.immutable and whole.cache_control.public
    assert whole.headers["Content-Security-Policy"] == PLAYER_POLICY
    part = client.get(video, headers={"Range": "bytes=1000-1099"})
    assert part.status_code == 206
    assert part.headers["Content-Range"] == "bytes 1000-1099/4096"
    assert part.data == samples.mp4(size=4096)[1000:1100]
    tail = client.get(video, headers={"Range": "bytes=-24"})
    assert (tail.status_code, tail.data) == (206, samples.mp4(size=4096)[-24:])
    beyond = client.get(video, headers={"Range": "bytes=5000-"})
    assert beyond.status_code == 416 and beyond.headers["Content-Range"] == "bytes */4096"
    again = client.get(video, headers={"If-None-Match": whole.headers["ETag"]})
    assert again.status_code == 304
    key = video.removeprefix("/uploads/").removesuffix(".mp4")
    for other in (f"/uploads/{key}.webm", f"/uploads/{key}.jpg", f"/uploads/{key}-480.jpg"):
        assert client.get(other).status_code == 404, other  # one address per file


def test_a_page_with_players_keeps_the_site_policy(app, client, tmp_path):
    import_cli(app, EXPORT, "--uploads", str(uploads_folder(tmp_path / "uploads")))
    policy = client.get(f"/articles/{SLUG}").headers["Content-Security-Policy"]
    directives = dict(part.strip().split(" ", 1) for part in policy.split(";"))
    assert directives["default-src"] == "'self'" and "media-src" not in directives  # our /uploads/ only


def test_reimporting_stores_no_file_twice_even_without_the_uploads(app, tmp_path):
    folder = str(uploads_folder(tmp_path / "uploads"))
    import_cli(app, EXPORT, "--uploads", folder)
    with app.app_context():
        bodies = dict(db.session.execute(select(Article.slug, Article.body_source)).all())
    for options in (["--uploads", folder], []):
        again = import_cli(app, EXPORT, *options)
        assert "Articles: 0 created, 0 updated, 3 unchanged." in again
        assert "Images: 0 created, 0 updated, 4 unchanged." in again
        assert "Audio files: 0 created, 0 updated, 1 unchanged." in again
        assert "Video files: 0 created, 0 updated, 1 unchanged." in again
        assert "Could not bring" not in again and "Left pointing" not in again
        with app.app_context():
            assert db.session.scalar(select(func.count(Media.id))) == 6
            assert db.session.scalar(select(func.count()).select_from(MediaFile)) == 2
            assert dict(db.session.execute(select(Article.slug, Article.body_source)).all()) == bodies


def test_without_the_files_the_links_stay_and_the_report_says_so_in_one_sentence(app, client, tmp_path):
    output = import_cli(app, EXPORT)
    assert ("Left pointing at the old site: 4 images, 1 audio file and 1 video file; import again with a copy of "
            "its uploads folder, or fetching files from it, to bring them along.") in output
    _, found = players(client)
    assert found == []
    page = BeautifulSoup(client.get(f"/articles/{SLUG}").text, "html.parser")
    assert [(link.text, link["href"]) for link in page.select(".body a")] == [
        ("Listen: breathing.mp3", f"https://old.example.com/wp-content/uploads/{AUDIO}"),
        ("Watch: breathing.mp4", f"https://old.example.com/wp-content/uploads/{VIDEO}")]


@pytest.mark.parametrize(("data", "reason"), [
    (b"<html>Not found</html>", "the file is not an audio or video file this site plays "
                                "(MP3, M4A, MP4, Ogg, WAV, FLAC or WebM)"),
    (samples.mp4(b"qt  "), "the file is not an audio or video file this site plays "
                           "(MP3, M4A, MP4, Ogg, WAV, FLAC or WebM)"),
    (b"", "the file is empty"),
    (samples.mp3(size=2048), "larger than 1 KB"),
], ids=["not-audio", "quicktime", "empty", "too-large"])
def test_a_bad_or_oversized_file_is_named_in_one_sentence_and_nothing_is_stored(app, client, tmp_path, data, reason):
    app.config["UPLOAD_MAX_AUDIO_VIDEO_BYTES"] = 1024
    output = import_cli(app, EXPORT, "--uploads", str(uploads_folder(tmp_path / "uploads", {
        AUDIO: data, VIDEO: samples.mp4(size=900)})))
    assert "Audio files" not in output
    assert "Video files: 1 created, 0 updated, 0 unchanged." in output
    assert (f"Could not bring 1 audio file along, so the bodies still point at the old site for: {AUDIO} "
            f"({reason}).") in output
    with app.app_context():
        assert db.session.scalars(select(Media.kind).where(Media.kind != "image")).all() == ["video"]
    page, found = players(client)
    assert [player.name for player in found] == ["video"]
    assert page.select_one(".body a")["href"] == f"https://old.example.com/wp-content/uploads/{AUDIO}"


@pytest.fixture
def old_site(tmp_path: Path) -> Iterator[tuple[str, list[str]]]:
    """A local HTTP server standing in for the old WordPress site, with its uploads: its address, and the paths it
    was asked for."""
    root = tmp_path / "old-site"
    uploads_folder(root / "wp-content" / "uploads")
    with static_site(root) as served:
        yield served


def test_audio_and_video_are_fetched_from_the_old_site_when_asked(app, client, tmp_path, old_site):
    site, requested = old_site
    export = tmp_path / "export.xml"
    export.write_bytes(EXPORT.read_bytes().replace(OLD_SITE, site.encode()))
    output = import_cli(app, export, "--fetch-images")
    assert "Audio files: 1 created, 0 updated, 0 unchanged." in output
    assert "Video files: 1 created, 0 updated, 0 unchanged." in output
    assert {f"/wp-content/uploads/{AUDIO}", f"/wp-content/uploads/{VIDEO}"} <= set(requested)
    page, found = players(client)
    assert [player.name for player in found] == ["audio", "video"]
    assert all(player["src"].startswith("/uploads/") for player in found)
    assert site.removeprefix("http://") not in str(page.select_one(".body"))
    assert client.get(found[0]["src"], headers={"Range": "bytes=0-9"}).data == samples.mp3()[:10]


def test_a_backup_carries_the_files_and_a_restore_brings_them_back(app, other_app, client, tmp_path):
    import_cli(app, EXPORT, "--uploads", str(uploads_folder(tmp_path / "uploads")))
    audio, video = assert_played_from_our_uploads(app, client)
    file = tmp_path / "site.backup"
    assert app.test_cli_runner().invoke(args=["cms", "backup", str(file)]).exit_code == 0
    restored = other_app.test_cli_runner().invoke(args=["cms", "restore", str(file)])
    assert restored.exit_code == 0, restored.output
    elsewhere = other_app.test_client()
    assert assert_played_from_our_uploads(other_app, elsewhere) == (audio, video)
    assert elsewhere.get(audio).data == samples.mp3()
    assert elsewhere.get(video, headers={"Range": "bytes=0-99"}).data == samples.mp4(size=4096)[:100]
    with other_app.app_context():
        assert db.session.scalars(select(Media.kind).order_by(Media.kind)).all() == [
            "audio", "image", "image", "image", "image", "video"]


def test_the_media_screen_shows_a_file_by_name_kind_and_size_with_a_player_and_no_thumbnail(app, client, auth,
                                                                                            tmp_path):
    import_cli(app, EXPORT, "--uploads", str(uploads_folder(tmp_path / "uploads")))
    audio, video = assert_played_from_our_uploads(app, client)
    auth.login("editor")
    screen = BeautifulSoup(client.get("/admin/media/").text, "html.parser")
    assert screen.select_one("h2.mt-4").text == "4 images, 1 audio file and 1 video file"
    items = {item.select_one(".media-name").text: item for item in screen.select(".media-item")}
    shown = items["breathing.mp3"]
    assert shown.select("img") == [] and shown.select("input[name=alt]") == []
    assert shown.select_one("audio")["src"] == audio and shown.select_one("audio")["preload"] == "none"
    assert " ".join(shown.select_one(".hint").text.split()).startswith("MP3 audio · 1 KB · uploaded")
    assert [link.text for link in shown.select(".media-usage-list a")] == ["A Breathing Exercise"]
    assert items["breathing.mp4"].select_one("video")["src"] == video
    assert "MP4 video · 4 KB" in " ".join(items["breathing.mp4"].select_one(".hint").text.split())


def test_an_audio_or_video_file_is_never_offered_or_taken_as_a_picture(app, make, auth, client, tmp_path):
    import_cli(app, EXPORT, "--uploads", str(uploads_folder(tmp_path / "uploads")))
    auth.login("admin")
    assert "breathing.mp3" not in client.get("/admin/profile/").text
    with app.app_context():
        admin = users.find_by_email("admin@example.com")
        sound = db.session.scalar(select(Media).where(Media.kind == "audio"))
        article = db.session.scalar(select(Article).where(Article.slug == SLUG))
        assert all(choice.is_image for choice in media.featured_choices(admin, article))
        with pytest.raises(InvalidInput, match=r"^“breathing\.mp3” is an audio file; choose an image\.$"):
            media.set_featured(article, sound.id, by=admin, now=article.updated_at)
        with pytest.raises(InvalidInput, match=r"is an audio file; choose an image"):
            users.update_profile(admin, name="Dana", credentials="", bio="", photo_id=sound.id)


def test_audio_and_video_blocks_of_the_block_editor_come_along_as_players(app, client, tmp_path):
    folder = tmp_path / "uploads"
    (folder / "2024/06").mkdir(parents=True)
    (folder / "2024/06/grounding.ogg").write_bytes(samples.ogg(b"OpusHead"))
    (folder / "2024/06/grounding.webm").write_bytes(samples.webm())
    output = import_cli(app, DATA / "wordpress-audio-video-blocks.xml", "--uploads", str(folder))
    assert "Audio files: 1 created, 0 updated, 0 unchanged." in output
    assert "Video files: 1 created, 0 updated, 0 unchanged." in output
    page = BeautifulSoup(client.get("/articles/grounding").text, "html.parser")
    body = page.select_one(".body")
    assert [(player.name, player["src"].rsplit(".", 1)[-1]) for player in body.select("audio, video")] == [
        ("audio", "ogg"), ("video", "webm")]
    assert [paragraph.decode_contents() for paragraph in body.find_all("p", recursive=False)][-2] == (
        "The exercise, <em>read aloud</em>")  # the block's caption, after its player
    assert "old.example.com" not in str(body)
    again = import_cli(app, DATA / "wordpress-audio-video-blocks.xml")
    assert "Articles: 0 created, 0 updated, 1 unchanged." in again
    assert "Audio files: 0 created, 0 updated, 1 unchanged." in again

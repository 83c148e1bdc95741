"""Every WordPress export a therapist might bring (tests/data/wordpress-*.xml, written for these tests): what each
creates, with which status and date, what the report says; the invalid ones refused in one sentence."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from sqlalchemy import func, select

from cms.core.errors import InvalidInput
from cms.core.workflow import Role, Status
from cms.extensions import db
from cms.models import Article, Media, Page, Redirect, Revision, Series, StatusChange, Tag
from cms.services import transfer, users, wordpress_images
from tests import media_samples as samples
from tests.factories import NOW, PASSWORD
from tests.services.test_wordpress_images import uploads_folder

DATA = Path(__file__).resolve().parent.parent / "data"
ZONE = "America/New_York"
LIMITS = wordpress_images.Limits(max_bytes=10 * 1024 * 1024, max_pixels=50_000_000, max_animation_pixels=8_000_000,
                                 max_audio_video_bytes=50 * 1024 * 1024)
#: Every file in tests/data: the exports, and the paste, Markdown and XSS fixtures an import refuses.
FIXTURES = sorted(DATA.iterdir())
GALLERY_IMAGES = {"2024/03/armchairs.jpg": (800, 600), "2024/03/window.jpg": (800, 600),
                  "2024/04/path.jpg": (800, 600), "2024/04/bench.jpg": (800, 600)}


def import_file(name: str, *, uploads: Path | None = None, now: datetime = NOW) -> transfer.Report:
    """Import tests/data/`name` as the admin, committing, as `flask cms import` does."""
    admin = users.find_by_email("admin@example.com") or users.create_user(
        "admin@example.com", PASSWORD, Role.ADMIN)
    batch = transfer.load(DATA / name, zone=ZONE)
    with wordpress_images.finder(uploads, is_fetching=False, limits=LIMITS) as images:
        report = transfer.run(batch, by=admin, now=now, images=images)
    db.session.commit()
    return report


def articles() -> dict[str, tuple[Status, datetime | None]]:
    return {article.slug: (article.status, article.publish_at) for article in db.session.scalars(select(Article))}


def counts() -> list[int]:
    return [db.session.scalar(select(func.count()).select_from(model))
            for model in (Article, Page, Series, Tag, Redirect, Revision, StatusChange, Media)]


def test_prefixes_bound_to_https_uris_are_read(app):
    with app.app_context():
        report = import_file("wordpress-https-namespace.xml")
        article = db.session.scalar(select(Article))
        assert (article.slug, article.status, article.publish_at, article.summary) == (
            "naming-the-feeling", Status.PUBLISHED, datetime(2023, 3, 14, 14, tzinfo=UTC), "Why words help.")
        assert [tag.name for tag in article.tags] == ["emotions"]
    assert report.lines() == ["Articles: 1 created, 0 updated, 0 unchanged.",
                              "Tags: 1 created, 0 updated, 0 unchanged.",
                              "Redirects: 1 created, 0 updated, 0 unchanged."]


def test_missing_and_zeroed_dates_fall_back_like_wordpress(app):
    with app.app_context():
        report = import_file("wordpress-missing-dates.xml")
        assert articles() == {
            "published-without-gmt": (Status.PUBLISHED, datetime(2023, 5, 2, 14, tzinfo=UTC)),  # local, EDT
            "published-zeroed-gmt": (Status.PUBLISHED, datetime(2023, 1, 10, 14, tzinfo=UTC)),  # local, EST
            "draft-zeroed": (Status.DRAFT, None),
            "scheduled-zeroed-gmt": (Status.SCHEDULED, datetime(2031, 6, 1, 12, tzinfo=UTC)),
            "scheduled-without-date": (Status.DRAFT, None),
            "published-without-date": (Status.PUBLISHED, NOW),
            "draft-without-date": (Status.DRAFT, None),
            "draft-local-date": (Status.DRAFT, None),  # a draft's date is when it was last saved, not a choice
        }
    assert report.lines() == [  # the drafts' ?p= links are no old addresses worth a redirect
        "Articles: 8 created, 0 updated, 0 unchanged.", "Redirects: 6 created, 0 updated, 0 unchanged.",
        "“Scheduled without any date” is scheduled in WordPress but has no date, so it was imported as a draft.",
        "“Published without any date” has no date in the export, so it is dated at its first import."]


def test_two_posts_sharing_a_guid_are_told_apart_by_their_post_ids(app):
    with app.app_context():
        report = import_file("wordpress-shared-guid.xml")
        assert articles() == {"first-twin": (Status.PUBLISHED, datetime(2022, 2, 1, 14, tzinfo=UTC)),
                              "second-twin": (Status.PUBLISHED, datetime(2022, 2, 2, 14, tzinfo=UTC))}
    assert report.lines() == [
        "Articles: 2 created, 0 updated, 0 unchanged.", "Redirects: 2 created, 0 updated, 0 unchanged.",
        "Items 1 and 2 share the guid https://old.example.com/?p=200; they were told apart by their post ids and "
        "imported as 2 separate items."]


def test_a_terms_only_export_creates_nothing_and_says_why(app):
    with app.app_context():
        report = import_file("wordpress-terms-only.xml")
        assert counts() == [0] * 8
    assert report.lines() == [
        "Nothing to import.",
        "2 categories and 2 tags without articles in this file were not imported: here a tag exists through the "
        "articles that carry it."]


def test_a_gallery_becomes_its_images_and_audio_and_video_become_players(app, client, tmp_path):
    uploads = uploads_folder(tmp_path, GALLERY_IMAGES)
    (uploads / "2024/05").mkdir(parents=True)
    (uploads / "2024/05/breathing.mp3").write_bytes(samples.mp3())
    (uploads / "2024/05/breathing.mp4").write_bytes(samples.mp4())
    with app.app_context():
        report = import_file("wordpress-gallery-audio.xml", uploads=uploads)
        assert articles() == {"the-consulting-room": (Status.PUBLISHED, datetime(2024, 3, 5, 14, tzinfo=UTC)),
                              "a-walk-outside": (Status.PUBLISHED, datetime(2024, 4, 9, 13, tzinfo=UTC)),
                              "a-breathing-exercise": (Status.PUBLISHED, datetime(2024, 5, 7, 13, tzinfo=UTC))}
    room = BeautifulSoup(client.get("/articles/the-consulting-room").text, "html.parser")
    gallery = room.select(".body figure img")
    assert [img["alt"] for img in gallery] == ["Two armchairs facing each other", "A window onto a garden"]
    assert all(img["src"].startswith("/uploads/") and img["srcset"] for img in gallery)
    walk = BeautifulSoup(client.get("/articles/a-walk-outside").text, "html.parser")
    assert [img["alt"] for img in walk.select(".body figure img")] == [  # the post's own images, in menu order
        "A bench under a tree", "A path through a park"]
    breathing = BeautifulSoup(client.get("/articles/a-breathing-exercise").text, "html.parser")
    players = breathing.select(".body audio, .body video")
    assert [(player.name, player["src"].rsplit(".", 1)[-1]) for player in players] == [("audio", "mp3"),
                                                                                         ("video", "mp4")]
    assert [(link.text, link["href"]) for link in breathing.select(".body a")] == [
        ("Listen: breathing.mp3", players[0]["src"]), ("Watch: breathing.mp4", players[1]["src"])]
    lines = report.lines()
    assert lines[:5] == ["Articles: 3 created, 0 updated, 0 unchanged.", "Images: 4 created, 0 updated, 0 unchanged.",
                         "Audio files: 1 created, 0 updated, 0 unchanged.",
                         "Video files: 1 created, 0 updated, 0 unchanged.",
                         "Redirects: 3 created, 0 updated, 0 unchanged."]
    assert ("[audio] in 1 item: “A Breathing Exercise” became a player of its file brought along into the media "
            "library, or, where the file stayed behind, a link to it on the old site.") in lines
    assert ("The gallery of “The Consulting Room” names 1 image the export does not list; the gallery shows the "
            "others.") in lines


@pytest.mark.parametrize(("name", "message"), [
    ("wordpress-invalid-version.xml", "wordpress-invalid-version.xml is not a WordPress export (WXR): its "
     "wp:wxr_version '1.2.x' is not a version number such as 1.2."),
    ("wordpress-shared-guid-and-id.xml", "wordpress-shared-guid-and-id.xml: items 1 and 2 have the same guid and "
     "post id, so they cannot be told apart; remove one of them and import again."),
])
def test_an_invalid_export_is_refused_in_one_sentence_and_writes_nothing(app, name, message):
    with app.app_context():
        with pytest.raises(InvalidInput) as raised:
            import_file(name)
        db.session.rollback()
        assert counts() == [0] * 8
    assert str(raised.value) == message


@pytest.mark.parametrize("path", FIXTURES, ids=[path.name for path in FIXTURES])
def test_importing_any_fixture_twice_leaves_everything_unchanged_the_second_time(app, path):
    with app.app_context():
        try:
            first = import_file(path.name)
        except InvalidInput as refused:
            db.session.rollback()
            assert counts() == [0] * 8
            with pytest.raises(InvalidInput) as second:
                import_file(path.name, now=NOW + timedelta(days=1))
            assert str(second.value) == str(refused)
            return
        before, dated = counts(), articles()
        report = import_file(path.name, now=NOW + timedelta(days=1))  # a day later: no date follows the clock
        assert counts() == before and articles() == dated
    assert_all_unchanged(first, report)


def test_importing_a_gallery_twice_with_its_images_stores_them_once(app, tmp_path):
    uploads = uploads_folder(tmp_path, GALLERY_IMAGES)
    with app.app_context():
        first = import_file("wordpress-gallery-audio.xml", uploads=uploads)
        before = counts()
        report = import_file("wordpress-gallery-audio.xml", uploads=uploads)
        assert counts() == before
    assert "Images: 0 created, 0 updated, 4 unchanged." in report.lines()
    assert_all_unchanged(first, report)


def assert_all_unchanged(first: transfer.Report, second: transfer.Report) -> None:
    """The second report counts as unchanged all that the first created, and creates and updates nothing."""
    assert all(not counted["created"] and not counted["updated"] for counted in second.counts.values()), (
        second.lines())
    assert {kind: counted["unchanged"] for kind, counted in second.counts.items() if counted["unchanged"]} == {
        kind: counted["created"] for kind, counted in first.counts.items() if counted["created"]}, second.lines()


def test_two_posts_with_one_old_address_redirect_it_once_and_a_second_import_changes_nothing(app):
    data = (DATA / "wordpress-shared-guid.xml").read_bytes().replace(b"/second-twin/</link>", b"/first-twin/</link>")
    with app.app_context():
        admin = users.create_user("admin@example.com", PASSWORD, Role.ADMIN)
        reports = []
        for _ in range(2):
            reports.append(transfer.run(transfer.read_bytes(data, name="twins.xml", zone=ZONE), by=admin, now=NOW))
            db.session.commit()
        assert dict(db.session.execute(select(Redirect.old_path, Redirect.new_path)).all()) == {
            "/first-twin/": "/articles/first-twin"}
    assert "“Second of the twins” had the same old address /first-twin/ as “First of the twins”, which keeps it." in (
        reports[0].lines())
    assert reports[1].lines()[:2] == ["Articles: 0 created, 0 updated, 2 unchanged.",
                                      "Redirects: 0 created, 0 updated, 1 unchanged."]

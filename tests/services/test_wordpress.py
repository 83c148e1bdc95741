"""Importing a WordPress export (tests/data/wordpress.xml, written for these tests)."""

from __future__ import annotations

import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import func, select

from cms.core import rendering, wordpress
from cms.core.errors import InvalidInput
from cms.core.workflow import Role, Status
from cms.extensions import db
from cms.models import Article, ContentVersion, Page, Redirect, Revision, Series, StatusChange, Tag, User
from cms.services import transfer, users
from tests.factories import NOW, PASSWORD

DATA = Path(__file__).resolve().parent.parent / "data"
WXR = (DATA / "wordpress.xml").read_bytes()
ZONE = "America/New_York"


def import_wxr(data: bytes = WXR, *, name: str = "wordpress.xml") -> transfer.Report:
    """Import as the admin, committing, as `flask cms import` does."""
    admin = users.find_by_email("admin@example.com") or users.create_user(
        "admin@example.com", PASSWORD, Role.ADMIN)
    report = transfer.run(wordpress.read(data, source=name, zone=ZONE), by=admin, now=NOW)
    db.session.commit()
    return report


def article(slug: str) -> Article:
    return db.session.scalar(select(Article).where(Article.slug == slug))


def test_statuses_and_dates_follow_wordpress(app):
    with app.app_context():
        import_wxr()
        statuses = dict(db.session.execute(select(Article.slug, Article.status)).all())
        assert statuses == {
            "letting-go-of-resentment": Status.PUBLISHED, "uber-grenzen": Status.PUBLISHED,
            "safe-to-read": Status.PUBLISHED, "trevoga-i-telo": Status.SCHEDULED,
            "half-finished-thoughts-on-grief": Status.DRAFT, "codependence": Status.REVIEW,
            "private-notes": Status.DRAFT, "for-clients-only": Status.DRAFT,  # private; password-protected
        }
        assert article("letting-go-of-resentment").publish_at == datetime(2024, 10, 15, 13, tzinfo=UTC)
        assert article("letting-go-of-resentment").published_at == datetime(2024, 10, 15, 13, tzinfo=UTC)
        assert article("trevoga-i-telo").publish_at == datetime(2031, 3, 4, 14, tzinfo=UTC)  # GMT date
        assert article("half-finished-thoughts-on-grief").publish_at is None
        change = db.session.scalar(select(StatusChange).join(Article).where(Article.slug == "trevoga-i-telo"))
        assert (change.from_status, change.to_status, change.actor.email) == (
            Status.DRAFT, Status.SCHEDULED, "admin@example.com")


def test_series_taxonomy_becomes_a_series_with_its_parts_in_order(app):
    with app.app_context():
        import_wxr()
        series = db.session.scalar(select(Series))
        assert (series.slug, series.title, series.description) == (
            "mother-daughter", "Mother–Daughter Relationships", "A bond across a lifetime.")
        assert [(part.series_part, part.slug) for part in series.articles] == [
            (1, "uber-grenzen"), (2, "letting-go-of-resentment"), (3, "codependence")]  # no part meta: next


def test_categories_and_tags_become_tags_but_uncategorized_does_not(app):
    with app.app_context():
        import_wxr()
        assert [tag.name for tag in article("letting-go-of-resentment").tags] == ["Family", "resentment"]
        assert article("uber-grenzen").tags == []
        assert sorted(db.session.scalars(select(Tag.slug))) == ["anxiety", "family", "resentment"]


def test_pages_become_pages(app):
    with app.app_context():
        import_wxr()
        page = db.session.scalar(select(Page))
        assert (page.slug, page.title, page.is_published) == ("about", "About", True)
        assert page.body_html == ("<p>I am a psychotherapist in private practice.</p>\n"
                                  "<p>I see adults and families.</p>")


def test_old_permalinks_answer_301_to_the_new_address(app, client):
    with app.app_context():
        report = import_wxr()
        assert dict(db.session.execute(select(Redirect.old_path, Redirect.new_path)).all()) == {
            "/2024/10/letting-go-of-resentment/": "/articles/letting-go-of-resentment",
            "/2024/10/über-grenzen/": "/articles/uber-grenzen",
            "/2024/08/safe-to-read/": "/articles/safe-to-read",
            "/private-notes/": "/articles/private-notes",
            "/2024/09/for-clients-only/": "/articles/for-clients-only",
            "/about/": "/about",
        }
        assert report.counts["redirect"]["created"] == 6
    response = client.get("/2024/10/%C3%BCber-grenzen/")
    assert response.status_code == 301
    assert response.headers["Location"] == "/articles/uber-grenzen"
    assert client.get("/about/").headers["Location"] == "/about"


def test_non_ascii_titles_and_percent_encoded_slugs(app):
    with app.app_context():
        import_wxr()
        assert article("trevoga-i-telo").title == "Тревога и тело"
        assert article("uber-grenzen").title == "Über Grenzen: Mütter & Töchter"


def test_gutenberg_comments_and_shortcodes_do_not_leak(app):
    with app.app_context():
        import_wxr()
        for item in db.session.scalars(select(Article)):
            assert "wp:" not in item.body_source and "<!--" not in item.body_html
            for shortcode in ("[caption", "[gallery", "[contact-form-7", "[highlight", "[/"):
                assert shortcode not in item.body_html
        resentment = article("letting-go-of-resentment")
        assert resentment.body_source.startswith("Resentment keeps a *debt* open")
        assert ("## What it protects\n\n- Anger that was never allowed\n- A hope of **repair**"
                in resentment.body_source)
        assert '<img alt="An unsent letter" height="427"' in resentment.body_html  # a size: kept as HTML
        assert "wp-image" not in resentment.body_html and "class=" not in resentment.body_html


def test_caption_becomes_a_figure_and_bracketed_prose_stays(app):
    with app.app_context():
        import_wxr()
        html = article("uber-grenzen").body_html
        assert ('<figure><a href="https://old.example.com/wp-content/uploads/2024/10/kitchen.jpg">'
                '<img alt="A kitchen table" height="200" '
                'src="https://old.example.com/wp-content/uploads/2024/10/kitchen-300x200.jpg" width="300"></a>'
                "<figcaption>Where most of these talks happen.</figcaption></figure>") in html
        assert "<p>Every daughter draws a line somewhere.<br>\nSome draw it late.</p>" in html  # wpautop
        assert "<h3>Saying no</h3>" in html
        assert "A boundary is information [sic], not punishment." in html


def test_excerpt_or_the_text_before_more_becomes_the_summary(app):
    with app.app_context():
        import_wxr()
        assert article("uber-grenzen").summary == "Where a mother ends & a daughter begins."
        assert article("letting-go-of-resentment").summary == (
            "Resentment keeps a debt open long after it was incurred.")


def test_hostile_html_is_sanitized_like_the_editor(app):
    with app.app_context():
        import_wxr()
        html = article("safe-to-read").body_html
        for hostile in ("<script", "document.cookie", "onclick", "javascript:", "<iframe", "evil.example",
                        "style=", "position:fixed"):
            assert hostile not in html
        assert "<p>Hello there.</p>" in html and "<p>Styled</p>" in html and "<p>Marked words</p>" in html
        assert '<a href="https://example.org/" target="_blank" rel="noopener noreferrer">a real link</a>' in html
        assert rendering.render(article("safe-to-read").body_source) == html


def test_skipped_items_are_counted_and_unknown_shortcodes_reported(app):
    with app.app_context():
        report = import_wxr()
    assert dict(report.skipped) == {"attachment": 1, "comment": 2, "menu item": 1, "revision": 1,
                                    "trashed post": 1}
    lines = report.lines()
    assert lines[:5] == ["Articles: 8 created, 0 updated, 0 unchanged.",
                         "Pages: 1 created, 0 updated, 0 unchanged.",
                         "Series: 1 created, 0 updated, 0 unchanged.", "Tags: 3 created, 0 updated, 0 unchanged.",
                         "Redirects: 6 created, 0 updated, 0 unchanged."]
    assert "Skipped: 1 attachment, 2 comments, 1 menu item, 1 revision, 1 trashed post." in lines
    assert "Removed the unknown shortcode [contact-form-7] from 1 item: “Safe to read?”." in lines
    assert ("The gallery of “Safe to read?” names 1 image the export does not list; the gallery shows the others."
            in lines)
    assert ("Left pointing at the old site: 2 images; import again with a copy of its uploads folder, or fetching "
            "images from it, to bring them along.") in lines
    assert "“For clients only” is password-protected in WordPress, so it was imported as a draft." in lines


def test_authors_map_to_accounts_by_email_else_to_the_importer(app):
    with app.app_context():
        maya = users.create_user("maya@example.com", PASSWORD, Role.AUTHOR)
        report = import_wxr()
        assert article("letting-go-of-resentment").author_id == maya.id
        assert article("trevoga-i-telo").author.email == "admin@example.com"
    assert ("No account here has the email guest@elsewhere.example: 1 item credited to admin@example.com "
            "instead.") in report.lines()


def test_importing_the_same_file_again_creates_and_updates_nothing(app):
    with app.app_context():
        import_wxr()
        counts = [db.session.scalar(select(func.count()).select_from(model))
                  for model in (Article, Page, Series, Tag, Redirect, Revision, StatusChange)]
        version = db.session.get(ContentVersion, 1).version
        report = import_wxr()
        assert [db.session.scalar(select(func.count()).select_from(model))
                for model in (Article, Page, Series, Tag, Redirect, Revision, StatusChange)] == counts
        assert db.session.get(ContentVersion, 1).version == version  # nothing public was written
    assert report.lines()[:5] == ["Articles: 0 created, 0 updated, 8 unchanged.",
                                  "Pages: 0 created, 0 updated, 1 unchanged.",
                                  "Series: 0 created, 0 updated, 1 unchanged.",
                                  "Tags: 0 created, 0 updated, 3 unchanged.",
                                  "Redirects: 0 created, 0 updated, 6 unchanged."]


def test_a_changed_post_is_updated_in_place(app):
    with app.app_context():
        import_wxr()
        first_id = article("letting-go-of-resentment").id
        report = import_wxr(WXR.replace(b"Anger that was never allowed", b"Anger that was never welcome"))
        assert article("letting-go-of-resentment").id == first_id
        assert "- Anger that was never welcome" in article("letting-go-of-resentment").body_source
    assert report.counts["article"] == {"updated": 1, "unchanged": 7}


def test_a_conflict_names_the_file_and_item_and_writes_nothing(app, make):
    make.article("Taken", slug="codependence", status=Status.DRAFT)
    with app.app_context():
        with pytest.raises(InvalidInput) as raised:
            import_wxr()
        db.session.rollback()
        assert str(raised.value) == ("wordpress.xml, item 5 “Codependence, waiting for review”: "
                                     "The slug 'codependence' is already used by “Taken”.")
        assert db.session.scalar(select(func.count(Article.id))) == 1
        assert db.session.scalar(select(func.count(Series.id))) == 0


BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
 <!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
 <!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">
 <!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">
 <!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">
 <!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">
]>
<rss version="2.0" xmlns:wp="http://wordpress.org/export/1.2/"><channel><wp:wxr_version>1.2</wp:wxr_version>
<item><title>&lol9;</title><wp:post_type>post</wp:post_type><wp:status>publish</wp:status></item>
</channel></rss>"""


def external_entity(target: Path) -> bytes:
    return f"""<?xml version="1.0"?>
<!DOCTYPE rss [<!ENTITY secret SYSTEM "file://{target}">]>
<rss version="2.0" xmlns:wp="http://wordpress.org/export/1.2/"
     xmlns:content="http://purl.org/rss/1.0/modules/content/"><channel><wp:wxr_version>1.2</wp:wxr_version>
<item><title>Leak</title><content:encoded>&secret;</content:encoded><wp:post_type>post</wp:post_type>
<wp:status>publish</wp:status><wp:post_name>leak</wp:post_name></item></channel></rss>""".encode()


@pytest.mark.parametrize(("name", "data", "message"), [
    ("truncated.xml", WXR[: len(WXR) // 2],
     "truncated.xml is not well-formed XML at line {line}, column {column} (it may be truncated)."),
    ("feed.xml", b'<?xml version="1.0"?><feed xmlns="http://www.w3.org/2005/Atom"><title>x</title></feed>',
     "feed.xml is XML but not a WordPress export (WXR): it has no <rss><channel> with a wp:wxr_version."),
    ("rss.xml", b'<?xml version="1.0"?><rss version="2.0"><channel><title>x</title></channel></rss>',
     "rss.xml is XML but not a WordPress export (WXR): it has no <rss><channel> with a wp:wxr_version."),
    ("photo.xml", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)) * 4,
     "photo.xml is binary data, not a WordPress export (WXR)."),
    ("notes.xml", b"Just some notes, not XML at all.",
     "notes.xml is not well-formed XML at line 1, column 1 (it may be truncated)."),
    ("bomb.xml", BILLION_LAUGHS,
     "bomb.xml declares a DTD, which a WordPress export never does, so it was refused unread."),
])
def test_malformed_files_are_refused_in_one_sentence_and_change_nothing(app, name, data, message):
    with app.app_context():
        import_wxr()
        before = dump_counts()
        with pytest.raises(InvalidInput) as raised:
            import_wxr(data, name=name)
        db.session.rollback()
        assert dump_counts() == before
    text = str(raised.value)
    if "{line}" in message:
        assert text.startswith(f"{name} is not well-formed XML at line ")
        assert text.endswith("(it may be truncated).")
    else:
        assert text == message
    assert "\n" not in text and text.count(". ") == 0


def test_an_external_entity_is_never_read(app, tmp_path):
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP-SECRET-CLIENT-NOTES")
    opened: list[str] = []
    watching = True

    def watch(event: str, args: tuple) -> None:
        if watching and event == "open" and str(args[0]).endswith("secret.txt"):
            opened.append(str(args[0]))

    sys.addaudithook(watch)
    try:
        with app.app_context(), pytest.raises(InvalidInput) as raised:
            import_wxr(external_entity(secret), name="leak.xml")
    finally:
        watching = False
    assert str(raised.value) == ("leak.xml declares a DTD, which a WordPress export never does, "
                                 "so it was refused unread.")
    assert opened == []
    with app.app_context():
        db.session.rollback()
        assert db.session.scalar(select(func.count(Article.id))) == 0
        assert all("TOP-SECRET" not in (body or "") for body in db.session.scalars(select(Article.body_source)))


def test_a_file_over_the_size_limit_is_refused(app):
    with pytest.raises(InvalidInput, match=r"^big.xml is \d+ KB, more than the 1000 bytes an import accepts.$"):
        wordpress.read(WXR, source="big.xml", zone=ZONE, max_bytes=1000)


def dump_counts() -> list[int]:
    return [db.session.scalar(select(func.count()).select_from(model))
            for model in (Article, Page, Series, Tag, Redirect, Revision, StatusChange, User)]


@pytest.mark.parametrize(("html", "markdown"), [
    ("<p>Plain <em>words</em> and <a href=\"https://example.org/\">a link</a>.</p>",
     "Plain *words* and [a link](https://example.org/)."),
    ("<ol start=\"3\"><li>three</li><li>four</li></ol>", "3. three\n4. four"),
    ("<blockquote><p>One</p><p>Two</p></blockquote>", "> One\n>\n> Two"),
    ("<p>Not *emphasis* here</p>", "Not \\*emphasis\\* here"),
])
def test_html_becomes_markdown_where_markdown_says_the_same(html, markdown):
    body, kept = wordpress.to_markdown(rendering.sanitize(html))
    assert (body, kept) == (markdown, 0)
    assert rendering.render(body) == rendering.sanitize(rendering.render(body))


@pytest.mark.parametrize("html", [
    '<p><img src="https://example.org/a.jpg" alt="A" width="300" height="200"></p>',
    "<table><tr><td>no header row</td></tr></table>",
])
def test_html_markdown_cannot_say_stays_html_and_renders_the_same(html):
    clean = rendering.sanitize(html)
    body, kept = wordpress.to_markdown(clean)
    assert kept == 1
    assert wordpress._same(rendering.render(body), clean)


def test_autop_makes_paragraphs_like_wordpress():
    assert wordpress.autop("One\ntwo\n\n<blockquote>Three\n\nFour</blockquote>\n<pre>a\n\nb</pre>") == (
        "<p>One<br>\ntwo</p>\n<blockquote><p>Three</p>\n<p>Four</p></blockquote>\n<pre>a\n\nb</pre>\n")

"""The writing desk in Chromium, as the author uses it: she never types Markdown yet writes, illustrates and
schedules; a scheduled article turns published everywhere at its time; two tabs merge or show both texts; pages
get the same screen. The clock is moved by hand (the app is served from this process), so nothing waits."""

from __future__ import annotations

import io
import re
from datetime import UTC, datetime, timedelta

import pytest
from PIL import Image
from playwright.sync_api import expect
from sqlalchemy import select

from cms.core import clock
from cms.core.workflow import Status
from cms.extensions import db
from cms.models import Article, Media, Revision, User
from cms.services import uploads
from tests.browser.chromium import BROWSER_TESTS
from tests.browser.test_editor import (  # server is a fixture: the app with Maya (admin)
    WRITTEN,
    body_source,
    editor,
    server,  # noqa: F401
    stored_body,
    write_without_markdown,
)
from tests.browser.tools import serious_violations, sign_in, signed_in
from tests.services.test_transfer import other_app, round_trip  # noqa: F401 - other_app is a fixture

pytestmark = BROWSER_TESTS

START = datetime.now(UTC).replace(microsecond=0)


@pytest.fixture
def moment(monkeypatch) -> list[datetime]:
    """The app's clock, moved by hand: `moment[0]` is now for every view."""
    now = [START]
    monkeypatch.setattr(clock, "now", lambda: now[0])
    return now


def photo(colour: str) -> bytes:
    """A picture wide enough to get smaller copies, so readers get a real `srcset`."""
    picture = io.BytesIO()
    Image.new("RGB", (1000, 600), colour).save(picture, "PNG")
    return picture.getvalue()


def drop_image(page, data: bytes, name: str) -> None:
    page.evaluate("""([bytes, name]) => {
        const data = new DataTransfer();
        data.items.add(new File([new Uint8Array(bytes)], name, {type: 'image/png'}));
        const target = document.querySelector('.editor-surface > p:last-of-type');
        const box = target.getBoundingClientRect();
        target.dispatchEvent(new DragEvent('drop', {dataTransfer: data, bubbles: true, cancelable: true,
                                                    clientX: box.right - 1, clientY: box.top + box.height / 2}));
    }""", [list(data), name])


def paste_image(page, data: bytes, name: str) -> None:
    page.evaluate("""([bytes, name]) => {
        const data = new DataTransfer();
        data.items.add(new File([new Uint8Array(bytes)], name, {type: 'image/png'}));
        document.querySelector('.editor-surface').dispatchEvent(
            new ClipboardEvent('paste', {clipboardData: data, bubbles: true, cancelable: true}));
    }""", [list(data), name])


def describe(page, alt: str) -> None:
    dialog = page.get_by_role("dialog", name="Describe the image")
    dialog.get_by_label("Description (alt text)").fill(alt)
    dialog.get_by_role("button", name="Insert image").click()
    dialog.wait_for(state="detached")


def test_a_writer_who_never_types_markdown_illustrates_schedules_and_round_trips(
        app, other_app, server, browser, moment, tmp_path):
    page = signed_in(browser, server)
    page.goto("/admin/articles/write")
    page.get_by_label("Title").fill("Letting Go")
    write_without_markdown(page)  # heading, bold, italic, link and list, with the toolbar and shortcuts
    page.keyboard.press("Enter")
    page.keyboard.press("Enter")  # an empty item ends the list
    page.keyboard.type("By the sea:")
    drop_image(page, photo("teal"), "sea.png")
    describe(page, "The sea at dawn")
    editor(page).get_by_role("img", name="The sea at dawn").wait_for()
    page.keyboard.press("Control+End")
    paste_image(page, photo("olive"), "sketch.png")
    describe(page, "A pasted sketch")
    editor(page).get_by_role("img", name="A pasted sketch").wait_for()

    with page.expect_file_chooser() as chooser:  # the featured image, uploaded from its own picker
        page.get_by_role("button", name="Upload a new image").click()
    chooser.value.set_files(files=[{"name": "garden.png", "mimeType": "image/png", "buffer": photo("green")}])
    describe(page, "A quiet garden")
    page.get_by_text("“garden.png” is uploaded and is the featured image.").wait_for()
    assert page.locator(".featured-thumb").get_attribute("alt") == "A quiet garden"

    publish_at = START + timedelta(days=1)
    local = clock.to_local(publish_at, app.config["SITE_TIMEZONE"])
    page.get_by_label("Publish at").fill(local.strftime("%Y-%m-%dT%H:%M"))
    page.get_by_role("button", name="Schedule").click()
    page.get_by_text("is scheduled for").wait_for()
    assert page.errors == [] and page.violations == []

    source = stored_body(app, "Letting Go")
    assert source.startswith(WRITTEN + "\n\n")
    assert re.fullmatch(r"\n\nBy the sea:!\[The sea at dawn\]\(/uploads/[0-9a-f]+\.png\)\s*!\[A pasted sketch\]"
                        r"\(/uploads/[0-9a-f]+\.png\)", source.removeprefix(WRITTEN)), source
    with app.app_context():  # the descriptions went along with the uploads, into the media library
        assert sorted(db.session.scalars(select(Media.alt))) == ["A pasted sketch", "A quiet garden",
                                                                 "The sea at dawn"]
        article = db.session.scalars(select(Article)).one()
        assert article.status is Status.SCHEDULED and article.featured_media.alt == "A quiet garden"

    assert page.goto("/articles/letting-go").status == 404  # not before its time
    moment[0] = publish_at + timedelta(minutes=1)
    assert page.goto("/articles/letting-go").status == 200
    body = page.locator(".body")
    assert body.locator("h2").inner_text() == "What helps"
    assert body.locator("strong").inner_text() == "heavy" and body.locator("em").inner_text() == "old"
    assert body.locator("a", has_text="the first part").get_attribute("href") == "https://example.com/part-one"
    assert body.locator("li").all_inner_texts() == ["naming it", "grieving it"]
    for alt in ("The sea at dawn", "A pasted sketch"):
        image = body.get_by_role("img", name=alt)
        assert re.search(r"-480\.png 480w", image.get_attribute("srcset"))
        webp = body.locator("picture", has=page.get_by_role("img", name=alt)).locator("source[type='image/webp']")
        assert re.search(r"-480\.webp 480w", webp.get_attribute("srcset"))
    featured = page.locator(".featured-image").get_by_role("img", name="A quiet garden")
    assert "480w" in featured.get_attribute("srcset")

    first, second = round_trip(app, other_app, tmp_path)
    assert first == second
    assert "![The sea at dawn](/uploads/" in first["articles/letting-go.md"].decode()


def status_line(page) -> str:
    return " ".join(page.locator(".status-line").inner_text().split())


def test_an_article_scheduled_two_seconds_ahead_turns_published_in_editor_list_dashboard_and_calendar(
        make, server, browser, moment):
    article_id = make.article("Letting Go", status=Status.SCHEDULED, publish_at=START + timedelta(seconds=2),
                              author_email="maya@example.com")
    page = signed_in(browser, server)
    row = page.locator("tr", has=page.get_by_role("link", name="Letting Go"))
    calendar_entry = page.locator(".cal-item", has_text="Letting Go")

    page.goto(f"/admin/articles/{article_id}/edit")
    assert status_line(page).startswith("Status: Scheduled, goes live")
    assert page.get_by_role("button", name="Reschedule").is_visible()
    assert page.get_by_role("link", name="Public address").count() == 0
    page.goto("/admin/articles/")
    assert row.locator(".col-status").inner_text().strip() == "scheduled"
    page.goto("/admin/")
    assert page.locator("#upcoming-heading + *").get_by_text("Letting Go").count() == 1
    assert calendar_entry.get_by_text("Scheduled").count() == 1

    moment[0] = START + timedelta(seconds=2)  # its time comes
    page.goto(f"/admin/articles/{article_id}/edit")
    assert status_line(page).startswith("Status: Published, live since")
    assert page.get_by_role("button", name="Reschedule").count() == 0
    assert page.get_by_role("link", name="Public address").get_attribute("href") == "/articles/letting-go"
    page.goto("/admin/articles/")
    assert row.locator(".col-status").inner_text().strip() == "published"
    page.goto("/admin/")
    assert page.locator("#upcoming-heading + *").get_by_text("Letting Go").count() == 0
    assert calendar_entry.count() == 1 and calendar_entry.get_by_text("Scheduled").count() == 0
    assert page.errors == []


PARAGRAPHS = "The first paragraph.\n\nThe second paragraph.\n\nThe third paragraph."


def two_tabs(browser, server, article_id: int):
    """The writing screen of one article open in two tabs of the same browser, before either saves."""
    first = signed_in(browser, server)
    second = first.context.new_page()
    second.errors = []
    second.on("pageerror", lambda error: second.errors.append(str(error)))
    for tab in (first, second):
        tab.goto(f"/admin/articles/{article_id}/edit")
        editor(tab).locator("p").first.wait_for()
    return first, second


def add_to_paragraph(tab, index: int, words: str) -> None:
    editor(tab).locator("p").nth(index).click()
    tab.keyboard.press("End")
    tab.keyboard.type(words)


def first_tab_saves(make, browser, server, paragraph: int, words: str):
    """An article open in two tabs; the first adds `words` to one paragraph and saves. Returns the tabs and the
    article's id."""
    article_id = make.article("Two tabs", status=Status.DRAFT, author_email="maya@example.com",
                              body_source=PARAGRAPHS)
    first, second = two_tabs(browser, server, article_id)
    add_to_paragraph(first, paragraph, words)
    first.get_by_role("button", name="Save draft").click()
    first.get_by_text("“Two tabs” is saved.").wait_for()
    return first, second, article_id


def test_two_tabs_changing_different_paragraphs_both_land(app, make, server, browser):
    first, second, _ = first_tab_saves(make, browser, server, 0, " Said in the first tab.")
    add_to_paragraph(second, 2, " Said in the second tab.")
    second.get_by_role("button", name="Save draft").click()
    second.get_by_text("Your changes were merged with changes saved in another of your windows").wait_for()
    merged = ("The first paragraph. Said in the first tab.\n\nThe second paragraph.\n\n"
              "The third paragraph. Said in the second tab.")
    assert stored_body(app, "Two tabs") == merged
    assert body_source(second) == merged  # the screen shows the merged text
    assert first.errors == [] and second.errors == []


def test_two_tabs_changing_the_same_paragraph_conflict_and_both_texts_stay(app, make, server, browser):
    _, second, article_id = first_tab_saves(make, browser, server, 1, " Theirs.")
    add_to_paragraph(second, 1, " Mine.")
    second.get_by_role("button", name="Save draft").click()
    panel = second.get_by_role("region", name="Changed on both sides")
    panel.wait_for()
    assert "another of your windows" in panel.inner_text()
    assert panel.locator(".merge-side", has_text="Theirs").locator(".merge-text").inner_text() == \
        "The second paragraph. Theirs."
    assert panel.locator(".merge-side", has_text="Yours").locator(".merge-text").inner_text() == \
        "The second paragraph. Mine."
    assert stored_body(app, "Two tabs") == PARAGRAPHS.replace("second paragraph.", "second paragraph. Theirs.")
    with app.app_context():  # hers is kept too, in the history, whatever she picks next
        kept = db.session.scalars(select(Revision.body_source).where(Revision.article_id == article_id)).all()
    assert any("The second paragraph. Mine." in text for text in kept)

    panel.get_by_label("Keep mine").check()
    second.get_by_role("button", name="Save draft").click()
    second.get_by_text("“Two tabs” is saved.").wait_for()
    assert stored_body(app, "Two tabs") == PARAGRAPHS.replace("second paragraph.", "second paragraph. Mine.")


def test_a_page_is_written_on_the_same_screen_and_a_refused_save_focuses_its_summary(app, make, server, browser):
    make.page("Fees", body_source="Sliding scale.")
    page = signed_in(browser, server)
    page.goto("/admin/pages/")
    page.get_by_role("link", name="New page").click()
    page.get_by_label("Title").fill("Contact")
    page.get_by_label("Slug").fill("fees")  # taken
    editor(page).click()
    page.get_by_role("button", name="Heading", exact=True).click()
    page.keyboard.type("Write to me")
    page.locator("#live-preview h2", has_text="Write to me").wait_for()
    page.get_by_role("button", name="Save page").click()
    summary = page.get_by_role("alert").filter(has_text="The page is not saved.")
    summary.wait_for()
    # The summary takes the focus from a script once the page has loaded, a moment after it shows; a polled
    # string predicate would be eval'd in the page, which our CSP refuses.
    expect(summary).to_be_focused()
    assert editor(page).locator("h2").inner_text() == "Write to me"  # the text and its preview are kept
    assert page.locator("#live-preview h2").inner_text() == "Write to me"
    summary.get_by_role("link").click()
    page.get_by_label("Slug").fill("contact")
    page.get_by_role("button", name="Save page").click()
    page.get_by_text("Saved “Contact”.").wait_for()
    page.get_by_role("link", name="History").click()
    assert page.get_by_role("heading", name="History of “Contact”").is_visible()
    assert page.violations == [] and page.errors == []


def test_the_featured_image_is_picked_by_sight_from_the_library(app, make, server, browser):
    article_id = make.article("Seeing the garden", status=Status.DRAFT, author_email="maya@example.com")
    with app.app_context():
        maya = db.session.scalars(select(User).where(User.email == "maya@example.com")).one()
        for colour, name, alt in (("green", "garden.png", "A garden path"), ("grey", "bench.png", "")):
            uploads.save(io.BytesIO(photo(colour)), by=maya, now=START, filename=name, alt=alt, max_bytes=10**7,
                         max_pixels=10**8, max_animation_pixels=10**8)
        db.session.commit()
    page = signed_in(browser, server)
    page.goto(f"/admin/articles/{article_id}/edit")
    assert not page.locator(".featured-thumb").is_visible()  # none chosen yet
    page.get_by_role("button", name="Choose from the library").click()
    library = page.get_by_role("dialog", name="Choose the featured image")
    assert library.get_by_role("button", name="bench.png (no description)").is_visible()
    library.get_by_role("button", name="A garden path").click()
    library.wait_for(state="detached")
    page.locator('.featured-thumb[alt="A garden path"]').wait_for()  # set once the dialog's answer is read
    assert page.get_by_label("Featured image").evaluate("select => select.selectedOptions[0].text").startswith(
        "garden.png")
    page.get_by_role("button", name="Save draft").click()
    page.get_by_text("“Seeing the garden” is saved.").wait_for()
    with app.app_context():
        assert db.session.get(Article, article_id).featured_media.alt == "A garden path"
    assert page.errors == [] and page.violations == []


def test_without_javascript_the_text_box_writes_and_saves_markdown(app, server, browser):
    context = browser.new_context(base_url=server, java_script_enabled=False)
    page = context.new_page()
    sign_in(page)
    page.goto("/admin/articles/write")
    assert page.locator(".editor-toolbar").count() == 0  # no editor: the plain text box it would replace
    page.get_by_label("Title").fill("Plain text")
    page.get_by_label("Body").fill("## A heading\n\nSome **bold** words.")
    page.get_by_role("button", name="Save draft").click()
    page.get_by_text("“Plain text” is saved.").wait_for()
    assert stored_body(app, "Plain text") == "## A heading\n\nSome **bold** words."
    context.close()


@pytest.mark.parametrize("width", [1280, 375])
def test_a_conflict_and_a_refused_save_pass_axe(make, server, browser, axe, width):
    article_id = make.article("Two tabs", status=Status.DRAFT, author_email="maya@example.com",
                              body_source=PARAGRAPHS)
    first = signed_in(browser, server, width=width)
    second = first.context.new_page()
    for tab in (first, second):
        tab.goto(f"/admin/articles/{article_id}/edit")
        editor(tab).locator("p").first.wait_for()
    add_to_paragraph(first, 1, " Theirs.")
    first.get_by_role("button", name="Save draft").click()
    first.get_by_text("“Two tabs” is saved.").wait_for()
    add_to_paragraph(second, 1, " Mine.")
    second.get_by_role("button", name="Save draft").click()
    second.get_by_role("region", name="Changed on both sides").wait_for()
    assert serious_violations(second) == []

    first.goto("/admin/articles/write")
    first.get_by_label("Title").fill("Another")
    first.get_by_label("Slug").fill("two-tabs")  # taken
    first.get_by_role("button", name="Save draft").click()
    first.get_by_role("alert").filter(has_text="The article is not saved.").wait_for()
    assert serious_violations(first) == []

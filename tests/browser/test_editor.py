"""The visual editor in Chromium: a person who never types Markdown, Markdown kept exactly, clean pastes, pictures."""

from __future__ import annotations

import re
from collections.abc import Iterator
from io import BytesIO
from pathlib import Path

import pytest
from PIL import Image

from cms.extensions import db
from cms.models import Article
from tests.browser.chromium import BROWSER_TESTS, served
from tests.browser.tools import serious_violations, shoot, signed_in

pytestmark = BROWSER_TESTS

DATA = Path(__file__).parent.parent / "data"


@pytest.fixture
def server(app, make) -> Iterator[str]:
    make.user("admin", email="maya@example.com")
    with served(app) as url:
        yield url


def editor(page):
    """The visual editor, once its script has mounted it.

    Until then "Body" names the plain textarea the editor replaces, and a click that found the textarea would keep
    waiting for it after the editor hides it."""
    page.locator(".editor-toolbar").first.wait_for(state="attached")
    return page.get_by_role("textbox", name="Body")


def body_source(page) -> str:
    return page.locator("textarea[name=body_source]").input_value()


def stored_body(app, title: str) -> str:
    """The stored source, with the CRLF line ends browsers send for every textarea read as plain line ends."""
    with app.app_context():
        source = db.session.execute(db.select(Article.body_source).filter_by(title=title)).scalar_one()
    return source.replace("\r\n", "\n")


def png() -> bytes:
    picture = BytesIO()
    Image.new("RGB", (12, 8), "teal").save(picture, "PNG")
    return picture.getvalue()


def paste_html(page, html: str) -> None:
    """Paste `html` into the editor as the browser does for a copy from a word processor."""
    page.evaluate("""(html) => {
        const data = new DataTransfer();
        data.setData('text/html', html);
        data.setData('text/plain', 'plain text that must lose to the HTML');
        const target = document.querySelector('.editor-surface');
        target.dispatchEvent(new ClipboardEvent('paste', {clipboardData: data, bubbles: true, cancelable: true}));
    }""", html)


#: What `write_without_markdown` types, as the Markdown the form sends.
WRITTEN = ("## What helps\n\nResentment is **heavy** and *old*. Read "
           "[the first part](https://example.com/part-one).\n\n- naming it\n- grieving it")


def write_without_markdown(page) -> None:
    """Type a heading, bold and italic words, a link and a list with the toolbar and shortcuts, as `WRITTEN` says."""
    editor(page).click()
    page.get_by_role("button", name="Heading", exact=True).click()
    page.keyboard.type("What helps")
    assert page.get_by_role("button", name="Heading", exact=True).get_attribute("aria-pressed") == "true"
    page.keyboard.press("Enter")
    page.keyboard.type("Resentment is ")
    page.keyboard.press("Control+b")
    page.keyboard.type("heavy")
    page.keyboard.press("Control+b")
    page.keyboard.type(" and ")
    page.get_by_role("button", name="Italic").click()
    page.keyboard.type("old")
    page.get_by_role("button", name="Italic").click()
    page.keyboard.type(". Read ")
    page.keyboard.press("Control+k")
    dialog = page.get_by_role("dialog", name="Add a link")
    dialog.get_by_label("Text to show").fill("the first part")
    dialog.get_by_label("Address").fill("example.com/part-one")
    dialog.get_by_role("button", name="Add link").click()
    dialog.wait_for(state="detached")
    page.keyboard.type(".")
    page.keyboard.press("Enter")
    page.get_by_role("button", name="Bulleted list").click()
    page.keyboard.type("naming it")
    page.keyboard.press("Enter")
    page.keyboard.type("grieving it")


def test_a_writer_who_never_types_markdown_gets_markdown_stored_and_the_article_shown(app, server, browser):
    page = signed_in(browser, server)
    page.goto("/admin/articles/write")
    page.get_by_label("Title").fill("Letting Go")
    write_without_markdown(page)
    expected = WRITTEN
    assert body_source(page) == expected
    page.locator("#live-preview h2", has_text="What helps").wait_for()  # the preview follows the editor
    page.get_by_role("button", name="Save draft").click()
    page.get_by_text("“Letting Go” is saved.").wait_for()
    assert stored_body(app, "Letting Go") == expected

    assert editor(page).locator("h2").inner_text() == "What helps"  # reopened: it still looks like the article
    page.get_by_role("button", name="Publish now").click()
    page.get_by_text("is now published").wait_for()
    assert page.goto("/articles/letting-go").status == 200
    article = page.locator(".body")
    assert article.locator("h2").inner_text() == "What helps"
    assert article.locator("strong").inner_text() == "heavy"
    assert article.locator("a", has_text="the first part").get_attribute("href") == "https://example.com/part-one"
    assert article.locator("li").all_inner_texts() == ["naming it", "grieving it"]
    assert page.errors == [] and page.violations == []


def test_markdown_of_our_subset_comes_back_from_the_editor_unchanged(server, browser):
    """The fixture is in the editor's normalised form (static/editor/src/markdown.js says which): byte for byte."""
    fixture = (DATA / "markdown_subset.md").read_text(encoding="utf-8").removesuffix("\n")
    page = signed_in(browser, server)
    page.goto("/admin/articles/write")
    page.get_by_role("button", name="Show Markdown").click()
    page.locator("textarea[name=body_source]").fill(fixture)
    page.get_by_role("button", name="Show Markdown").click()  # back to the visual editor, which reads it
    box = editor(page)
    assert box.locator("h2").inner_text() == "Why resentment lingers"
    assert box.get_by_role("img", name="A path through a wood").get_attribute("src") == "/uploads/path.jpg"
    assert box.locator("pre.markdown-block").count() == 2  # the table and the HTML block, kept as written

    box.locator("h2").click()
    page.keyboard.press("End")
    page.keyboard.type("!")
    page.keyboard.press("Backspace")  # an edit and its undoing: the editor writes its whole text back
    assert body_source(page) == fixture
    assert page.errors == []


def test_markdown_the_editor_cannot_hold_opens_as_markdown_and_stays_untouched(app, make, server, browser):
    """Opening a text never changes what readers get: one the editor would alter stays in the textarea."""
    source = "> | Stage | Age |\n> | --- | --- |\n> | one | 2 |\n\nA table in a quote."
    article_id = make.article("Quoted table", status="draft", author_email="maya@example.com", body_source=source)
    page = signed_in(browser, server)
    page.goto(f"/admin/articles/{article_id}/edit")
    textarea = page.locator("textarea[name=body_source]")
    assert textarea.is_visible() and textarea.input_value() == source
    assert "a table inside a list or a quote" in page.locator(".editor-note").inner_text()
    page.get_by_role("button", name="Show Markdown").click()  # asking for the visual editor keeps it Markdown
    assert textarea.is_visible()
    assert "stays as Markdown" in page.locator(".editor-note").inner_text()


@pytest.mark.parametrize("fixture, expected", [
    ("paste_word.html",
     "## Setting boundaries with a parent\n\nSaying no is **hard** and *necessary*, as "
     "[this study](https://example.com/boundaries) shows.\n\n- Notice the guilt\n- Name the need\n"
     "  - out loud\n- Hold the line\n\n1. Write it down\n2. Say it once\n\n### A second thought\n\n"
     "Nothing else survives."),
    ("paste_google_docs.html",
     "## Setting boundaries with a parent\n\nSaying no is **hard** and *necessary*, as "
     "[this study](https://example.com/boundaries) shows.\n\n- Notice the guilt\n- Name the need\n"
     "  - out loud\n- Hold the line\n\n1. Write it down\n2. Say it once\n\n### A second thought\n\n"
     "Nothing else survives."),
])
def test_pasting_from_a_word_processor_keeps_structure_and_drops_the_rest(server, browser, fixture, expected):
    page = signed_in(browser, server)
    page.goto("/admin/articles/write")
    editor(page).click()
    paste_html(page, (DATA / fixture).read_text(encoding="utf-8"))
    assert body_source(page) == expected
    assert page.errors == []


def test_the_writing_screen_runs_the_editor_under_the_content_policy(server, browser):
    page = signed_in(browser, server)
    response = page.goto("/admin/articles/write")
    script_policy = next(part for part in response.headers["content-security-policy"].split(";")
                         if part.strip().startswith("script-src"))
    assert "'unsafe-inline'" not in script_policy and "'unsafe-eval'" not in script_policy
    box = editor(page)
    box.click()
    page.keyboard.press("Control+Alt+3")
    page.keyboard.type("Under the policy")
    page.keyboard.press("Enter")
    page.keyboard.press("Control+Shift+7")
    page.keyboard.type("first")
    page.keyboard.press("Enter")
    page.keyboard.press("Enter")  # an empty item ends the list
    page.keyboard.press("Control+Shift+.")
    page.keyboard.type("quoted")
    page.keyboard.press("Enter")
    page.keyboard.press("Control+Shift+.")  # out of the quote again
    page.get_by_role("button", name="Separator").click()
    page.get_by_role("button", name="Show Markdown").click()
    page.get_by_role("button", name="Show Markdown").click()
    assert body_source(page) == "### Under the policy\n\n1. first\n\n> quoted\n\n---"
    assert page.violations == [] and page.errors == []


def test_the_toolbar_is_one_tab_stop_walked_with_arrow_keys(server, browser):
    page = signed_in(browser, server)
    page.goto("/admin/articles/write")
    page.get_by_label("Title").focus()
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.getAttribute('aria-label')") == "Bold"
    page.keyboard.press("ArrowRight")
    assert page.evaluate("document.activeElement.getAttribute('aria-label')") == "Italic"
    page.keyboard.press("End")
    assert page.evaluate("document.activeElement.textContent") == "Show Markdown"
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.getAttribute('role')") == "textbox"
    page.keyboard.type("Some words")
    page.keyboard.press("Alt+F10")  # back to the toolbar, where she left it
    assert page.evaluate("document.activeElement.textContent") == "Show Markdown"
    page.keyboard.press("Escape")  # and back to the text
    page.keyboard.type(", more words")
    assert body_source(page) == "Some words, more words"
    names = page.get_by_role("toolbar", name="Formatting").get_by_role("button").evaluate_all(
        "buttons => buttons.map(b => [b.getAttribute('aria-label') || b.textContent, b.title])")
    assert all(name for name, _ in names)
    assert ["Bold", "Bold (Ctrl+B)"] in names and ["Link", "Link (Ctrl+K)"] in names


@pytest.mark.parametrize("width", [1280, 375])
def test_axe_finds_no_serious_or_critical_violations_in_the_editor(server, browser, axe, width):
    page = signed_in(browser, server, width=width)
    page.goto("/admin/articles/write")
    editor(page).click()
    page.keyboard.type("Words")
    page.keyboard.press("Control+k")
    page.get_by_role("dialog", name="Add a link").wait_for()
    with_dialog = serious_violations(page, ".editor", ".editor-dialog")
    page.keyboard.press("Escape")
    page.get_by_role("button", name="Show Markdown").click()
    assert with_dialog == [] and serious_violations(page, ".editor") == []


@pytest.mark.parametrize("width", [1280, 375])
def test_the_toolbar_never_covers_the_text(server, browser, width):
    page = signed_in(browser, server, width=width, height=800)
    page.goto("/admin/articles/write")
    shoot(page, f"editor-{width}-top")
    box = editor(page)
    box.click()
    for number in range(40):  # each line as a paste or a dictation gives it: typing 1,200 keys took 8 s a width
        page.keyboard.insert_text(f"Paragraph {number} of a long article.")
        page.keyboard.press("Enter")
    shoot(page, f"editor-{width}")
    # What is drawn where the cursor is: the text itself, not the toolbar or the sticky buttons over it.
    uncovered = page.evaluate("""() => {
        const box = getSelection().getRangeAt(0).startContainer.getBoundingClientRect
            ? getSelection().getRangeAt(0).startContainer.getBoundingClientRect()
            : getSelection().getRangeAt(0).getBoundingClientRect();
        const x = box.left + 4;
        return [box.top + 2, box.top + box.height / 2, box.bottom - 2].every(y => {
            const found = document.elementFromPoint(x, y);
            return found !== null && found.closest('.editor-surface') !== null;
        });
    }""")
    assert uncovered
    page.get_by_role("toolbar", name="Formatting").get_by_role("button", name="Bold").click()
    assert page.evaluate("document.activeElement.getAttribute('role')") == "textbox"


def test_an_image_dropped_on_the_text_is_described_uploaded_and_shown(app, server, browser):
    page = signed_in(browser, server)
    page.goto("/admin/articles/write")
    page.get_by_label("Title").fill("With a picture")
    editor(page).click()
    page.keyboard.type("Before the picture.")
    page.evaluate("""(bytes) => {
        const file = new File([new Uint8Array(bytes)], 'sea.png', {type: 'image/png'});
        const data = new DataTransfer();
        data.items.add(file);
        const target = document.querySelector('.editor-surface p');
        const box = target.getBoundingClientRect();
        target.dispatchEvent(new DragEvent('drop', {dataTransfer: data, bubbles: true, cancelable: true,
                                                    clientX: box.right - 1, clientY: box.top + box.height / 2}));
    }""", list(png()))
    dialog = page.get_by_role("dialog", name="Describe the image")
    dialog.get_by_role("button", name="Insert image").click()
    dialog.get_by_text("Describe the image, or tick the box").wait_for()  # no description, no image
    dialog.get_by_label("Description (alt text)").fill("The sea at dawn")
    dialog.get_by_role("button", name="Insert image").click()
    page.get_by_role("status").filter(has_text="is in the text").wait_for()
    image = editor(page).get_by_role("img", name="The sea at dawn")
    image.wait_for()
    assert re.fullmatch(r"Before the picture\.!\[The sea at dawn\]\(/uploads/[0-9a-f]+\.png\)", body_source(page))
    assert page.request.get(image.get_attribute("src")).status == 200

    page.get_by_role("button", name="Save draft").click()
    page.get_by_text("“With a picture” is saved.").wait_for()
    assert stored_body(app, "With a picture") == body_source(page)


def test_images_pasted_or_chosen_with_the_button_are_described_and_uploaded(server, browser):
    page = signed_in(browser, server)
    page.goto("/admin/articles/write")
    editor(page).click()
    page.evaluate("""(bytes) => {
        const data = new DataTransfer();
        data.items.add(new File([new Uint8Array(bytes)], 'pasted.png', {type: 'image/png'}));
        document.querySelector('.editor-surface').dispatchEvent(
            new ClipboardEvent('paste', {clipboardData: data, bubbles: true, cancelable: true}));
    }""", list(png()))
    dialog = page.get_by_role("dialog", name="Describe the image")
    dialog.get_by_label("Description (alt text)").fill("A pasted sketch")
    dialog.get_by_role("button", name="Insert image").click()
    editor(page).get_by_role("img", name="A pasted sketch").wait_for()

    page.keyboard.press("End")
    with page.expect_file_chooser() as chooser:
        page.get_by_role("button", name="Image", exact=True).click()
    chooser.value.set_files(files=[{"name": "ornament.png", "mimeType": "image/png", "buffer": png()}])
    dialog = page.get_by_role("dialog", name="Describe the image")
    dialog.get_by_label("Only decoration").check()
    dialog.get_by_role("button", name="Insert image").click()
    page.get_by_role("status").filter(has_text="“ornament.png” is in the text.").wait_for()
    assert re.fullmatch(r"!\[A pasted sketch\]\(/uploads/[0-9a-f]+\.png\)!\[\]\(/uploads/[0-9a-f]+\.png\)",
                        body_source(page))


def test_pasted_plain_text_in_markdown_is_read_as_markdown(server, browser):
    page = signed_in(browser, server)
    page.goto("/admin/articles/write")
    editor(page).click()
    page.evaluate("""() => {
        const data = new DataTransfer();
        data.setData('text/plain', '## From my notes\\n\\n- one\\n- *two*');
        document.querySelector('.editor-surface').dispatchEvent(
            new ClipboardEvent('paste', {clipboardData: data, bubbles: true, cancelable: true}));
    }""")
    assert editor(page).locator("h2").inner_text() == "From my notes"
    assert body_source(page) == "## From my notes\n\n- one\n- *two*"

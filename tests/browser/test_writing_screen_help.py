"""The writing screen helping in Chromium: a refused save focuses its error summary; a series is found by typing;
a related article is pinned with its button."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.sync_api import expect

from cms.extensions import db
from cms.services import related, series as series_service
from tests.browser.chromium import BROWSER_TESTS, served
from tests.browser.tools import shoot, sign_in
from tests.core.related_corpus import CORPUS

pytestmark = BROWSER_TESTS


@pytest.fixture
def page(app, browser) -> Iterator:
    with served(app) as url:
        context = browser.new_context(base_url=url)
        context.set_default_timeout(10_000)
        yield context.new_page()
        context.close()


def sign_in_and_write(make, page) -> None:
    make.user("editor", email="maya@example.com")
    sign_in(page)
    page.goto("/admin/articles/write")


def test_a_refused_save_focuses_the_error_summary(make, page):
    make.article("Fees and Booking", slug="fees")
    sign_in_and_write(make, page)

    page.get_by_label("Title").fill("Letting Go")
    page.get_by_label("Slug").fill("fees")
    page.get_by_role("button", name="Save draft").click()

    alert = page.get_by_role("alert")
    alert.wait_for()
    # The summary takes the focus from a script a moment after it shows; a polled string would be eval'd,
    # which our CSP refuses.
    expect(alert).to_be_focused()
    assert "The slug 'fees' is already used" in alert.inner_text()
    alert.get_by_role("link").click()
    assert page.evaluate("document.activeElement.id") == "slug"
    assert page.get_by_label("Title").input_value() == "Letting Go"


def test_a_series_is_found_by_typing_part_of_its_title_and_a_new_one_is_named_beside_it(make, page, monkeypatch,
                                                                                      tmp_path):
    monkeypatch.setattr(series_service, "SUGGESTED", 2)  # a site with more series than the list holds at first
    for title in ("Grief and Loss", "Anxiety at Work", "Mother–Daughter Relationships"):
        make.series(title)
    sign_in_and_write(make, page)
    listed = page.locator("#series-titles option")
    assert [option.get_attribute("value") for option in listed.all()] == [
        "Anxiety at Work", "Mother–Daughter Relationships"]
    series = page.get_by_label("Series", exact=True)
    series.press_sequentially("grief")
    expect(listed).to_have_count(1)
    assert listed.first.get_attribute("value") == "Grief and Loss"
    for width in (1280, 375):
        page.set_viewport_size({"width": width, "height": 900})
        page.locator(".writing-details").screenshot(path=tmp_path / f"series-{width}.png")
    series.fill("Grief and Loss")  # what choosing the suggestion puts in the field
    page.get_by_label("Title").fill("Letting Go")
    page.get_by_role("button", name="Save draft").click()
    page.get_by_text("“Letting Go” is saved.").wait_for()
    assert series.input_value() == "Grief and Loss"

    series.fill("")
    page.get_by_label("Or create a new series").fill("Couples")
    page.get_by_role("button", name="Save draft").click()
    page.get_by_text("The series “Couples” is created.").wait_for()
    assert series.input_value() == "Couples"


def test_an_editor_pins_a_related_article_with_its_button_and_readers_see_it_first(app, make, page):
    ids = {title: make.article(title, summary=summary, body_source=body)
           for topic in ("anxiety", "grief") for title, summary, body in CORPUS[topic][:3]}
    with app.app_context():
        related.rebuild()
        db.session.commit()
    make.user("editor", email="maya@example.com")
    sign_in(page)
    anxiety, grief = CORPUS["anxiety"][0][0], CORPUS["grief"][0][0]
    page.goto(f"/admin/articles/{ids[anxiety]}/edit#related")
    for width in (1280, 375):
        page.set_viewport_size({"width": width, "height": 900})
        shoot(page, f"related-{width}")
    page.get_by_role("button", name=f"Pin “{grief}”").click()
    expect(page.locator("ol.related-shown li").first).to_contain_text(grief)
    expect(page.locator("ol.related-shown li").first.locator(".chip")).to_have_text("Pinned")

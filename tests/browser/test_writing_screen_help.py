"""The writing screen helping in Chromium: a refused save focuses its error summary; a new series is asked for."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.sync_api import expect

from tests.browser.chromium import BROWSER_TESTS, served
from tests.browser.tools import sign_in

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


def test_a_new_series_is_named_only_after_choosing_new_series(app, make, page):
    make.series("Grief and Loss")
    sign_in_and_write(make, page)
    name = page.get_by_label("Name of the new series")
    assert name.is_hidden()
    page.get_by_label("Series", exact=True).select_option(label="New series…")
    assert name.is_visible() and page.evaluate("document.activeElement.id") == "new_series"
    page.get_by_label("Title").fill("Letting Go")
    name.fill("Mother–Daughter Relationships")
    page.get_by_role("button", name="Save draft").click()
    page.get_by_text("The series “Mother–Daughter Relationships” is created.").wait_for()
    assert page.get_by_label("Series", exact=True).input_value() == "mother-daughter-relationships"
    assert name.is_hidden()

"""A refused save in Chromium: the error summary has focus, and its link takes her to the field."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.browser.chromium import BROWSER_TESTS, launched, served
from tests.factories import PASSWORD

pytestmark = BROWSER_TESTS


@pytest.fixture
def page(app) -> Iterator:
    with served(app) as url, launched() as browser:
        context = browser.new_context(base_url=url)
        context.set_default_timeout(10_000)
        yield context.new_page()
        context.close()


def test_a_refused_save_focuses_the_error_summary(make, page):
    make.user("editor", email="maya@example.com")
    make.article("Fees and Booking", slug="fees")
    page.goto("/login")
    page.get_by_label("Email").fill("maya@example.com")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.goto("/admin/articles/write")

    page.get_by_label("Title").fill("Letting Go")
    page.get_by_label("Slug").fill("fees")
    page.get_by_role("button", name="Save draft").click()

    alert = page.get_by_role("alert")
    alert.wait_for()
    page.wait_for_function("document.activeElement && document.activeElement.matches('[data-error-summary]')")
    assert "The slug 'fees' is already used" in alert.inner_text()
    alert.get_by_role("link").click()
    assert page.evaluate("document.activeElement.id") == "slug"
    assert page.get_by_label("Title").input_value() == "Letting Go"

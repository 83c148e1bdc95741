"""The back office in Chromium at a desk's and a phone's width: one menu, folded on a phone without a script,
no screen wider than the window, and axe-core finds no serious or critical violation on any screen (each checked
once, however many addresses lead to it).

Set BACK_OFFICE_SCREENSHOTS to a folder to keep a screenshot of every screen (to look at, not compared).
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from cms.core import clock
from cms.core.workflow import Status
from tests.browser.chromium import BROWSER_TESTS, served
from tests.browser.tools import serious_violations, sign_in, signed_in
from tests.mail import subscribers
from tests.web.test_back_office_layout import back_office_screens

pytestmark = BROWSER_TESTS
WIDTHS = {"desk": (1280, 900), "phone": (375, 740)}


@pytest.fixture
def site(app, make) -> Iterator[tuple[str, dict[str, str]]]:
    """The app served with an admin (who signs in) and a row of each kind; every back-office screen, by URL."""
    make.user("admin", email="maya@example.com")
    series_id = make.series("Mother–Daughter Relationships")
    make.article("Letting Go of Resentment", status=Status.SCHEDULED, series_id=series_id, series_part=1,
                 tags=("resentment",), body_source="## A heading\n\nSome *text*.")
    make.article("Life Stages", status=Status.DRAFT)
    subscribers(app, 1, prefix="a-reader-with-a-rather-long-address")  # a row of the subscribers' table
    screens = {path: path for path in back_office_screens(app, make)}  # the same walk as the request tests
    with served(app) as url:
        yield url, screens


@pytest.mark.parametrize("width", WIDTHS)
def test_every_back_office_screen_passes_axe_and_never_scrolls_sideways(browser, site, axe, width):
    url, screens = site
    page = signed_in(browser, url, *WIDTHS[width])
    shots = os.environ.get("BACK_OFFICE_SCREENSHOTS")
    failures, seen = [], set()
    for name, path in screens.items():
        page.goto(path)
        if page.url in seen:  # an address that only sends on to a screen already checked
            continue
        seen.add(page.url)
        assert page.locator('nav[aria-label="Back office"]').count() == 1, name  # folded on a phone
        failures += [f"{name}: {violation}" for violation in serious_violations(page)]
        if page.evaluate("document.documentElement.scrollWidth") > WIDTHS[width][0]:
            failures.append(f"{name}: {sticking_out(page, WIDTHS[width][0])}")  # a wide table scrolls in its box
        if shots:
            shot = name.strip("/").replace("/", "_").replace("?", "_")
            page.screenshot(path=str(Path(shots) / f"{shot}-{WIDTHS[width][0]}.png"), full_page=True)
    assert failures == [], "\n".join(failures)


def sticking_out(page, width: int) -> str:
    """How wide the page is, and the innermost elements that make it wider than `width`."""
    innermost = page.evaluate("""width => [...document.querySelectorAll('body *')]
        .filter(e => (e.getBoundingClientRect().right > width || e.scrollWidth > e.clientWidth + 1)
                     && ![...e.children].some(c => c.getBoundingClientRect().right > width))
        .slice(-3).map(e => `${e.tagName.toLowerCase()}.${e.className} ${e.textContent.slice(0, 30)}`)""", width)
    return f"{page.evaluate('document.documentElement.scrollWidth')} px wide on a {width} px screen: {innermost}"


def test_on_a_phone_the_menu_folds_and_opens_without_a_script(browser, site):
    url, _screens = site
    context = browser.new_context(base_url=url, viewport={"width": 375, "height": 740}, java_script_enabled=False)
    page = context.new_page()
    sign_in(page)
    page.goto("/admin/articles/")
    menu = page.get_by_role("navigation", name="Back office")
    assert not menu.is_visible()
    page.get_by_text("Menu", exact=True).click()
    assert menu.is_visible()
    assert menu.get_by_role("link", name="Articles").get_attribute("aria-current") == "page"
    assert page.get_by_role("link", name="View site").is_visible()
    context.close()


def test_on_a_desk_the_menu_is_open_and_the_writing_screen_keeps_no_csp_complaint(browser, site):
    url, screens = site
    page = signed_in(browser, url)
    writing = next(path for path in screens if path.endswith("/edit") and "/articles/" in path)
    for path in ("/admin/articles/", writing, "/admin/users/new/"):
        page.goto(path)
        assert page.get_by_role("navigation", name="Back office").is_visible()
        assert not page.get_by_text("Menu", exact=True).is_visible()
    assert page.violations == [] and page.errors == []


def test_on_a_phone_the_calendar_lists_the_days_with_articles_a_line_each(app, browser, site, make):
    url, _screens = site
    now = datetime.now(UTC)
    make.article("Ambivalence: Holding Love and Frustration Together", status=Status.PUBLISHED, publish_at=now)
    page = signed_in(browser, url, *WIDTHS["phone"])
    page.goto("/admin/")
    entry = page.locator(".cal-item", has_text="Ambivalence")
    assert entry.bounding_box()["width"] > 300  # the whole width, not a seventh of it with a word to a line
    day = clock.to_local(now, app.config["SITE_TIMEZONE"])
    named = page.locator("td", has=entry).locator(".day-date")
    assert named.inner_text() == f"{day:%A} {day.day} {day:%B}"
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    assert page.locator(".calendar-grid td:visible").count() == page.locator("td.has-entries").count()
    page.goto("/admin/?month=2001-01")
    assert page.get_by_text("Nothing is scheduled or published in January.").is_visible()
    assert page.errors == []

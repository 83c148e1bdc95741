"""A person's path through the writing screen in Chromium: write, preview, tag, schedule, and see it go live."""

from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from tests.browser.chromium import BROWSER_TESTS, served
from tests.browser.tools import sign_in

pytestmark = BROWSER_TESTS
GO_LIVE_LEAD = 5  # seconds


@pytest.fixture
def server(app) -> Iterator[str]:
    """The test's app served from a thread on a free port, against the test's own database."""
    with served(app) as url:
        yield url


@pytest.fixture
def page(server, browser):
    context = browser.new_context(base_url=server)
    context.set_default_timeout(10_000)
    return context.new_page()


def wait_for_status(page, path: str, status: int, seconds: float) -> int:
    """Load `path` until it answers `status` or `seconds` pass; return the last status."""
    deadline = time.monotonic() + seconds
    while True:
        answer = page.goto(path).status
        if answer == status or time.monotonic() > deadline:
            return answer
        page.wait_for_timeout(200)


def test_write_preview_schedule_and_go_live_on_time(app, make, page):
    make.user("admin", email="maya@example.com")
    make.series("Mother–Daughter Relationships")
    zone = ZoneInfo(app.config["SITE_TIMEZONE"])

    sign_in(page)
    page.get_by_role("link", name="New article").first.click()

    page.get_by_label("Title").fill("Letting Go of Resentment")
    page.get_by_role("button", name="Show Markdown").click()  # she writes Markdown herself
    page.get_by_label("Body").fill("Resentment is *heavy*.\n\n## What helps\n\n- naming it\n- **grieving** it")
    preview = page.locator("#live-preview")
    preview.locator("em", has_text="heavy").wait_for()  # rendered by the server as she types
    assert preview.locator("h2").inner_text() == "What helps"
    page.get_by_label("Summary").fill("Why it lingers and how it loosens.")
    page.get_by_label("Tags").fill("resentment, mother daughter")
    page.get_by_label("Series", exact=True).fill("Mother–Daughter Relationships")
    page.get_by_label("Part").fill("1")
    page.locator("#autosave-status", has_text="Autosaved").wait_for()  # every few seconds, in its own slot
    page.get_by_role("button", name="Save draft").click()
    page.get_by_text("“Letting Go of Resentment” is saved.").wait_for()

    page.get_by_role("link", name="Preview", exact=True).click()
    assert page.locator("h1").inner_text() == "Letting Go of Resentment"
    assert page.locator("strong", has_text="grieving").count() == 1
    page.get_by_text("Preview: readers cannot see this article yet.").wait_for()
    page.go_back()

    assert page.get_by_label("Tags").input_value() in ("resentment, mother daughter", "mother daughter, resentment")
    assert page.get_by_label("Part").input_value() == "1"
    assert "New York time." in page.locator("#publish_at-hint").inner_text()
    # Far enough ahead for the checks before go-live on a loaded machine, near enough to wait for.
    publish_at = datetime.now(zone).replace(microsecond=0) + timedelta(seconds=GO_LIVE_LEAD)
    page.get_by_label("Publish at").fill(publish_at.strftime("%Y-%m-%dT%H:%M:%S"))
    page.get_by_role("button", name="Schedule").click()
    page.get_by_text("is scheduled for").wait_for()

    absent = page.goto("/articles/letting-go-of-resentment").status
    page.goto("/")
    home = page.text_content("main")
    assert datetime.now(zone) < publish_at, f"the checks before go-live took longer than {GO_LIVE_LEAD - 1} seconds"
    assert absent == 404 and "Letting Go of Resentment" not in home

    assert wait_for_status(page, "/articles/letting-go-of-resentment", 200, seconds=10) == 200
    assert datetime.now(zone) >= publish_at  # never early
    assert page.locator("h1").inner_text() == "Letting Go of Resentment"
    page.goto("/")
    assert "Letting Go of Resentment" in page.text_content("main")

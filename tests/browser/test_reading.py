"""Reading the sample site in Chromium: on a phone-sized screen, by keyboard, and checked by axe-core."""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask

from cms import create_app
from cms.core import clock
from cms.extensions import db
from cms.services import demo, reader
from tests.browser.chromium import BROWSER_TESTS, launched, served

pytestmark = BROWSER_TESTS
HERE = Path(__file__).resolve().parent
AXE = HERE / "node_modules" / "axe-core" / "axe.min.js"
PHONE = {"width": 375, "height": 740}


@pytest.fixture(scope="module")
def axe_source() -> str:
    """axe-core as pinned in tests/browser/package.json; `make install` fetches it, else it is fetched here."""
    if not AXE.exists():
        npm = shutil.which("npm")
        if npm is None:
            pytest.skip("axe-core is not installed and npm is not available to install it")
        subprocess.run([npm, "ci", "--prefix", str(HERE), "--no-audit", "--no-fund"], check=True,
                       capture_output=True, timeout=300)
    return AXE.read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def app(tmp_path_factory: pytest.TempPathFactory, database_url: str | None) -> Iterator[Flask]:
    """One sample site for the module: these tests only read, and loading it is the slow part."""
    folder = tmp_path_factory.mktemp("reading")
    app = create_app({"TESTING": True, "SECRET_KEY": "test", "SITE_URL": "http://127.0.0.1:5000",
                      "SQLALCHEMY_DATABASE_URI": database_url or f"sqlite:///{folder / 'cms.sqlite'}",
                      "SITE_TIMEZONE": "America/New_York"})
    with app.app_context():
        db.create_all()
        demo.load(now=clock.now(), zone=app.config["SITE_TIMEZONE"])
        db.session.commit()
    yield app
    with app.app_context():
        db.session.remove()
        db.drop_all()
        db.engine.dispose()


@pytest.fixture(scope="module")
def site_url(app: Flask) -> Iterator[str]:
    """The sample site, served from a thread on a free loopback port."""
    with served(app) as url:
        yield url


@pytest.fixture(scope="module")
def browser():
    with launched() as chromium:
        yield chromium


@pytest.fixture
def new_page(browser):
    """Open pages at a phone's width (with any other options); they are closed after the test."""
    pages = []

    def open_page(**options):
        pages.append(browser.new_page(viewport=PHONE, **options))
        return pages[-1]

    yield open_page
    for page in pages:
        page.close()


def series_titles(app: Flask, slug: str) -> list[str]:
    with app.app_context():
        found = reader.series(slug, clock.now())
        return [part.title for part in reader.series_parts(found, clock.now())]


def test_a_phone_reader_follows_a_series_from_part_one_to_the_end_by_next_links(app, site_url, new_page):
    page = new_page()
    page.goto(f"{site_url}/series/mother-daughter-relationships")
    page.get_by_role("link", name="Start reading: Part 1").click()
    read: list[str] = []
    while True:
        read.append(page.locator("h1").inner_text())
        total = len(series_titles(app, "mother-daughter-relationships"))
        assert page.locator(".series-position").inner_text().startswith(f"Part {len(read)} of {total}")
        assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"], "no sideways scrolling"
        following = page.locator("a[rel=next]")
        if following.count() == 0:
            break
        following.click()
    assert read == series_titles(app, "mother-daughter-relationships")
    assert "This is the last part of" in page.locator(".series-pager").inner_text()


def test_the_last_live_part_announces_the_scheduled_one_without_a_link(app, site_url, new_page):
    page = new_page()
    last = series_titles(app, "grief-and-loss")[-1]
    page.goto(f"{site_url}/series/grief-and-loss")
    page.get_by_role("link", name=f"Part {len(series_titles(app, 'grief-and-loss'))}: {last}").click()
    coming = page.locator(".series-pager .coming")
    assert coming.inner_text().startswith(f"Part {len(series_titles(app, 'grief-and-loss')) + 1} coming ")
    assert page.locator(".series-pager a[rel=next]").count() == 0


def test_the_skip_link_is_the_first_stop_and_leads_to_the_content(site_url, new_page):
    page = new_page()
    page.goto(f"{site_url}/articles/ambivalence")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent") == "Skip to content"
    assert page.locator(".skip-link").bounding_box()["x"] >= 0, "visible once focused"
    page.keyboard.press("Enter")
    assert page.evaluate("location.hash") == "#content"


@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("path", ["/", "/articles/ambivalence", "/series/mother-daughter-relationships",
                                  "/tags/mother-daughter", "/search?q=mother", "/articles/missing"])
def test_axe_finds_no_serious_or_critical_violations(site_url, new_page, axe_source, scheme, path):
    page = new_page(color_scheme=scheme, bypass_csp=True)  # axe is injected inline; the site's CSP rightly forbids that
    page.goto(f"{site_url}{path}")
    page.add_script_tag(content=axe_source)
    results = page.evaluate("axe.run(document, {resultTypes: ['violations']})")
    serious = [f"{violation['id']} ({violation['impact']}): {violation['help']} at "
               f"{[node['target'] for node in violation['nodes']]}"
               for violation in results["violations"] if violation["impact"] in ("serious", "critical")]
    assert serious == []

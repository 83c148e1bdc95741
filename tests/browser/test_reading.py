"""Reading the sample site in Chromium: on a phone-sized screen, by keyboard, and checked by axe-core."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from flask import Flask

from cms import create_app
from cms.core import clock
from cms.extensions import db
from cms.services import demo, reader
from tests.browser.chromium import BROWSER_TESTS, served
from tests.browser.pictures import add_pictures
from tests.browser.tools import serious_violations

pytestmark = BROWSER_TESTS
PHONE = {"width": 375, "height": 740}
DESKTOP = {"width": 1280, "height": 800}
#: One page of each kind readers meet (the article has a featured image; the last part ends its series).
PAGES = {"home": "/", "article": "/articles/life-stages", "last part": "/articles/letting-go-of-resentment",
         "series": "/series/mother-daughter-relationships", "series index": "/series/",
         "tag": "/tags/mother-daughter", "tag index": "/tags/", "archive": "/archive/", "search": "/search?q=mother",
         "page": "/about", "contact": "/contact", "not found": "/articles/missing"}


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
    add_pictures(app)
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
def tab(chromium) -> Iterator[Any]:
    """The tab the module's tests take turns in: these tests only read, and a page in a context of its own costs
    Chromium a new renderer each time."""
    context = chromium.new_context()
    yield context.new_page()
    context.close()


@pytest.fixture
def new_page(tab, browser):
    """Open a page at a phone's width, light and on screen, unless told otherwise: the module's tab, or, with other
    options (no JavaScript, say), a page of its own, closed after the test."""
    pages = []

    def open_page(viewport=PHONE, color_scheme="light", **options):
        if options:
            pages.append(browser.new_page(viewport=viewport, color_scheme=color_scheme, **options))
            return pages[-1]
        page = tab
        page.set_viewport_size(viewport)
        page.emulate_media(media="screen", color_scheme=color_scheme)
        return page

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
        page.wait_for_load_state()  # the part as a reader sees it, its stylesheet applied, not the bare HTML
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
@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["375", "1280"])
@pytest.mark.parametrize("path", PAGES.values(), ids=PAGES.keys())
def test_axe_finds_no_serious_or_critical_violations(site_url, new_page, axe, scheme, viewport, path):
    page = new_page(viewport=viewport, color_scheme=scheme)
    page.goto(f"{site_url}{path}")
    assert serious_violations(page) == []


@pytest.mark.parametrize("path", PAGES.values(), ids=PAGES.keys())
def test_on_a_phone_the_header_is_short_and_no_page_scrolls_sideways(site_url, new_page, path):
    page = new_page()
    page.goto(f"{site_url}{path}")
    assert page.locator(".site-header").bounding_box()["height"] <= 80
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]


@pytest.mark.parametrize("path", ["/articles/life-stages", "/articles/codependence"])
def test_on_a_phone_the_article_title_is_seen_without_scrolling(site_url, new_page, path):
    page = new_page()
    page.goto(f"{site_url}{path}")
    title = page.locator("h1").bounding_box()
    assert title["y"] >= 0 and title["y"] + title["height"] <= PHONE["height"]


def test_the_phone_menu_opens_without_javascript_and_search_is_one_tap_away(site_url, new_page):
    page = new_page(java_script_enabled=False)
    page.goto(f"{site_url}/articles/ambivalence")
    menu = page.get_by_role("navigation", name="Menu")
    assert not menu.is_visible()
    page.get_by_text("Menu", exact=True).click()
    assert menu.get_by_role("link", name="Contact").is_visible()
    menu.get_by_role("link", name="Series").click()
    assert page.locator("h1").inner_text() == "Series"
    page.get_by_role("link", name="Search").click()
    page.get_by_label("Search articles").fill("mother")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.locator("h1").inner_text() == "Search results for “mother”"


@pytest.mark.parametrize("width", [1024, DESKTOP["width"]])
@pytest.mark.parametrize("path", ["/", "/about"])  # on /about its menu link is drawn bold, so a little wider
def test_on_a_wide_screen_the_menu_is_one_line_and_the_phone_button_is_gone(site_url, new_page, width, path):
    page = new_page(viewport={"width": width, "height": DESKTOP["height"]})
    page.goto(f"{site_url}{path}")
    tops = page.eval_on_selector_all(".site-nav li", "items => items.map(item => item.getBoundingClientRect().top)")
    assert len(tops) == 7 and len(set(tops)) == 1
    assert page.locator(".site-title a").evaluate("link => link.getClientRects().length") == 1, "the name on one line"
    assert not page.get_by_text("Menu", exact=True).is_visible()
    assert page.locator(".site-header").bounding_box()["height"] <= 80


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["375", "1280"])
def test_the_last_part_says_so_in_one_sentence(site_url, new_page, viewport):
    page = new_page(viewport=viewport)
    page.goto(f"{site_url}/articles/letting-go-of-resentment")
    end = page.locator(".series-end")
    assert end.inner_text() == "This is the last part of Mother–Daughter Relationships."
    link = end.get_by_role("link")
    assert link.evaluate("link => getComputedStyle(link).display") == "inline"
    lines = end.evaluate("p => p.getBoundingClientRect().height / parseFloat(getComputedStyle(p).lineHeight)")
    assert round(lines) <= (1 if viewport is DESKTOP else 2)  # a phone may wrap the title, never break it out


def test_printed_an_article_is_its_text_without_the_sites_furniture(site_url, new_page):
    page = new_page(viewport=DESKTOP)
    page.goto(f"{site_url}/articles/life-stages")
    page.emulate_media(media="print")
    for furniture in (".site-header", ".site-footer", ".toc", ".series-pager", ".related"):
        assert not page.locator(furniture).is_visible(), furniture
    assert page.locator("h1").is_visible() and page.locator(".body").is_visible()


def test_on_a_phone_a_card_keeps_its_picture_beside_the_title_and_its_summary_full_width(site_url, new_page):
    page = new_page()
    page.goto(f"{site_url}/tags/mother-daughter")
    card = page.locator(".card.has-image").first
    box, title, image = (item.bounding_box() for item in (card, card.locator(".card-title"),
                                                          card.locator(".card-image")))
    summary = card.locator(".summary").bounding_box()
    assert image["x"] >= title["x"] + title["width"], "the picture beside the title"
    assert summary["y"] >= image["y"] + image["height"] and summary["width"] == box["width"]


def test_on_a_wide_screen_the_authors_words_stay_beside_her_photo(site_url, new_page):
    page = new_page(viewport=DESKTOP)
    page.goto(f"{site_url}/articles/life-stages")
    photo = page.locator(".author-photo").bounding_box()
    lefts = page.eval_on_selector_all(".author-text > *", "items => items.map(item => item.getClientRects()[0].left)")
    assert lefts and min(lefts) >= photo["x"] + photo["width"]


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_under_a_short_pages_footer_is_the_footers_colour(site_url, new_page, scheme):
    page = new_page(viewport={"width": 1280, "height": 1400}, color_scheme=scheme)
    page.goto(f"{site_url}/articles/missing")
    footer = page.locator(".site-footer").bounding_box()
    assert footer["y"] + footer["height"] < 1400, "the page is shorter than the window"
    below = page.evaluate("getComputedStyle(document.documentElement).backgroundColor")
    assert below == page.locator(".site-footer").evaluate("footer => getComputedStyle(footer).backgroundColor")


@pytest.mark.parametrize("path", ["/archive/", "/"])  # the home page's series cards say when the next part comes
def test_a_date_is_never_split_over_two_lines(site_url, new_page, path):
    page = new_page()
    page.goto(f"{site_url}{path}")
    lines = page.eval_on_selector_all("main :is(time, .date)", "all => all.map(date => date.getClientRects().length)")
    assert lines and set(lines) == {1}


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["375", "1280"])
def test_in_the_list_of_series_each_ones_parts_are_counted_under_its_title(site_url, new_page, viewport):
    page = new_page(viewport=viewport)
    page.goto(f"{site_url}/series/")
    for card in page.locator("main .card").all():
        title, meta = card.locator(".card-title").bounding_box(), card.locator(".meta").bounding_box()
        assert meta["y"] >= title["y"] + title["height"] and meta["x"] == title["x"]

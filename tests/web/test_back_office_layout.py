"""One back office: every screen under /admin/ shares the layout, the menu and our words.

The walk enumerates `app.url_map`, so a new back-office screen is checked without being listed here; only
answers that are not screens (files, JSON, the reader's preview) are named as exceptions.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from cms.core.workflow import Status
from cms.models import Page, Revision, SiteSettings, Tag
from tests.conftest import csrf_token

#: GET endpoints under /admin/ that answer something other than a back-office screen.
NOT_SCREENS = {
    "admin.static",          # Flask-Admin's files
    "authoring.preview",     # the article as readers will see it, in the public layout
    "page_writing.preview",  # the page, likewise
    "transfer.export",       # a zip
    "authoring.series_titles",  # the JSON the Series field's list asks for as she types
}
NOT_SCREEN_SUFFIXES = (".ajax_lookup", ".export")  # Flask-Admin's JSON and CSV answers

#: Flask-Admin's own words, none of which a back-office screen may show.
STOCK_WORDS = ("Add Filter", "List (", "Create New Record", "Save and Add Another", "Save and Continue Editing",
               "Reset Filters", "There are no items in the table.", ">List<", ">Create<")
MENU_FOR_ADMIN = ["Dashboard", "Articles", "Series", "Tags", "Pages", "Media", "Users", "Site settings",
                  "Import and export", "Subscribers", "Your sessions", "Your profile"]
MENU_FOR_AUTHOR = ["Dashboard", "Articles", "Media", "Your sessions", "Your profile"]


def text(response) -> str:
    return response.get_data(as_text=True)


def menu_of(page: str) -> list[str]:
    nav = re.search(r'<nav aria-label="Back office"[^>]*>(.*?)</nav>', page, re.DOTALL)
    assert nav, "no back-office menu"
    return [label.strip() for label in re.findall(r"<a [^>]*>([^<]+)</a>", nav.group(1))]


def current_of(page: str) -> list[str]:
    return re.findall(r'<a [^>]*aria-current="page"[^>]*>([^<]+)</a>', page)


@pytest.fixture
def screens(app, make) -> list[str]:
    return back_office_screens(app, make)


def back_office_screens(app, make) -> list[str]:
    """A URL for every back-office screen, with ids of real rows where the screen needs one (made here)."""
    series_id = make.series()
    article_id = make.article("Fees and Booking", series_id=series_id, series_part=1, tags=("fees",))
    revision_id = make.scalars(select(Revision.id).where(Revision.article_id == article_id))[0]
    page_id = make.page("About")
    page_revision_id = make.scalars(select(Revision.id).where(Revision.page_id == page_id))[0]
    rows = {"series": series_id, "pages": page_id, "users": make.user("editor"),
            "tags": make.scalars(select(Tag.id))[0], "site_settings": make.scalars(select(SiteSettings.id))[0]
            if make.scalars(select(SiteSettings.id)) else 1}
    ids = {"article_id": article_id, "series_id": series_id, "page_id": page_id}
    urls = []
    for rule in app.url_map.iter_rules():
        if (not rule.rule.startswith("/admin") or "GET" not in rule.methods or rule.endpoint in NOT_SCREENS
                or rule.endpoint.endswith(NOT_SCREEN_SUFFIXES)):
            continue
        path = rule.rule
        for name in rule.arguments:
            path = path.replace(f"<int:{name}>", str(ids[name]))
        view, kind = rule.endpoint.rsplit(".", 1)
        if kind == "edit_view" and view in rows:
            path += f"?id={rows[view]}"
        elif kind == "compare":
            shown = page_revision_id if view == "page_writing" else revision_id
            path += f"?old={shown}&new={shown}"
        urls.append(path)
    return sorted(urls)

def test_every_back_office_screen_has_the_one_layout_and_menu(client, auth, screens):
    auth.login("admin")
    failures = []
    for url in screens:
        response = client.get(url, follow_redirects=True)
        page = text(response)
        if response.status_code != 200:
            failures.append(f"{url}: {response.status_code}")
            continue
        if page.count("<main") != 1 or page.count("<h1") != 1:
            failures.append(f"{url}: {page.count('<main')} main, {page.count('<h1')} h1")
        if menu_of(page) != MENU_FOR_ADMIN:
            failures.append(f"{url}: menu {menu_of(page)}")
        if len(current_of(page)) != 1:
            failures.append(f"{url}: current {current_of(page)}")
        if 'href="/">View site</a>' not in page or ">Sign out</button>" not in page:
            failures.append(f"{url}: no View site link or sign-out button")
        if "navbar-dark" in page or "alert-dismissable" in page or "nav-tabs" in page:
            failures.append(f"{url}: Flask-Admin's stock navigation")
        stock = [word for word in STOCK_WORDS if word in page]
        if stock:
            failures.append(f"{url}: Flask-Admin's words {stock}")
    assert len(screens) >= 25, screens
    assert not failures, "\n".join(failures)


def test_the_writing_screen_is_in_the_back_office_menu_under_articles(client, auth, make):
    article_id = make.article("Fees and Booking")
    auth.login("admin")
    page = text(client.get(f"/admin/articles/{article_id}/edit"))
    assert menu_of(page) == MENU_FOR_ADMIN
    assert current_of(page) == ["Articles"]
    assert current_of(text(client.get("/admin/"))) == ["Dashboard"]
    assert current_of(text(client.get("/admin/settings/", follow_redirects=True))) == ["Site settings"]


def test_the_menu_shows_an_author_only_what_the_role_opens(client, auth):
    auth.login("author")
    assert menu_of(text(client.get("/admin/"))) == MENU_FOR_AUTHOR
    assert menu_of(text(client.get("/admin/articles/write"))) == MENU_FOR_AUTHOR


def test_saving_a_page_says_saved_with_its_title(client, auth, make):
    page_id = make.page("Fees and Booking")
    auth.login("admin")
    url = f"/admin/pages/{page_id}/edit"
    version = make.get(Page, page_id).version
    response = client.post(url, data={"title": "Fees and Booking", "slug": "fees", "body_source": "Fees.",
                                      "menu_order": "1", "version": str(version),
                                      "csrf_token": csrf_token(client, url)},
                           follow_redirects=True)
    page = text(response)
    assert "Saved “Fees and Booking”." in page
    assert "Record was successfully saved." not in page


def test_creating_a_series_says_created_with_its_title(client, auth):
    auth.login("admin")
    url = "/admin/series/new/"
    page = text(client.post(url, data={"title": "Letting Go", "description": "",
                                       "csrf_token": csrf_token(client, url)}, follow_redirects=True))
    assert "Created “Letting Go”." in page
    assert "Record was successfully created." not in page


def test_a_refused_form_says_nothing_was_saved_as_an_error(client, auth):
    auth.login("admin")
    url = "/admin/settings/"
    settings_url = client.get(url).headers["Location"]
    page = text(client.post(settings_url, data={"title": "", "csrf_token": csrf_token(client, settings_url)}))
    assert '<p class="flash flash-error" role="alert">Nothing was saved: correct the fields marked below.</p>' \
        in page
    assert "Failed to save record." not in page


def test_saving_the_settings_names_them(client, auth):
    auth.login("admin")
    settings_url = client.get("/admin/settings/").headers["Location"]
    form = {"title": "My practice", "feed_size": "20", "related_count": "3", "related_min_score": "0.05",
            "csrf_token": csrf_token(client, settings_url)}
    assert "Saved the site settings." in text(client.post(settings_url, data=form, follow_redirects=True))


def test_a_missing_row_is_explained_in_our_words(client, auth):
    auth.login("admin")
    page = text(client.get("/admin/series/edit/?id=999", follow_redirects=True))
    assert "That no longer exists" in page and "Record does not exist." not in page


def test_lists_use_plain_labels_and_lower_case_statuses(client, auth, make):
    make.article("Fees and Booking", status=Status.SCHEDULED, publish_at=datetime.now(UTC) + timedelta(days=1))
    auth.login("admin")
    articles = text(client.get("/admin/articles/"))
    assert re.search(r">\s*scheduled\s*<", articles) and "SCHEDULED" not in articles
    assert "Last saved" in articles and "Updated At" not in articles and "Publish At" not in articles
    users = text(client.get("/admin/users/"))
    assert re.search(r">\s*admin\s*<", users) and "ADMIN" not in users and "Is Active" not in users
    settings = text(client.get("/admin/settings/", follow_redirects=True))
    assert "Booking link" in settings and "Consultation Url" not in settings
    assert "<h1>Site settings</h1>" in settings


def test_the_series_list_counts_parts_in_plain_english(client, auth, make):
    one = make.series("Letting Go")
    make.article("Fees and Booking", series_id=one, series_part=1)
    make.series("Grief and Loss")
    auth.login("editor")
    series = text(client.get("/admin/series/"))
    assert ">1 part: reorder<" in series and ">0 parts: reorder<" in series and "1 parts" not in series


def test_site_time_is_named_by_its_city(client, auth):
    auth.login("editor")
    assert "Scheduled and published articles by day, in New York time." in text(client.get("/admin/"))
    writing = text(client.get("/admin/articles/write"))
    assert "New York time. Editors schedule" in writing and "America/New_York" not in writing


def test_dashboard_says_dashboard_once(client, auth):
    auth.login("editor")
    page = text(client.get("/admin/"))
    assert re.findall(r"<h\d[^>]*>\s*Dashboard\s*</h\d>", page) == ["<h1>Dashboard</h1>"]


def test_no_inline_script_in_the_back_office(client, auth, make):
    article_id = make.article("Fees and Booking", status=Status.DRAFT)
    auth.login("admin")
    for url in ("/admin/", "/admin/articles/", f"/admin/articles/{article_id}/edit", "/admin/users/new/"):
        page = text(client.get(url))
        inline = [tag for tag in re.findall(r"<script\b[^>]*>", page) if "src=" not in tag]
        assert inline == [], (url, inline)


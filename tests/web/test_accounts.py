"""Accounts: where sign-in and the back office may send a browser, sessions that end when they should, the
users screen, sign-in limits that nobody else can trip for you."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qs, urlsplit

import lxml.html
import pytest
from flask_admin.contrib.sqla import ModelView
from sqlalchemy import func, inspect as sa_inspect, select

from cms.core import clock
from cms.core.workflow import Status
from cms.extensions import db
from cms.models import Series, Tag, User
from cms.services import users
from tests.conftest import PASSWORD, Auth, csrf_token

#: Return addresses a browser would follow off the site, each in the form a browser would read it.
OFF_SITE = [
    "http:evil.example",
    "https:evil.example",
    "http:/evil.example",
    "//evil.example",
    "///evil.example",
    "/\\evil.example",
    "\\\\evil.example",
    "\\/evil.example",
    "https://evil.example",
    "/%2F%2Fevil.example",
    "/%2f/evil.example",
    "/%5Cevil.example",
    "/%252F%252Fevil.example",
    "/\t/evil.example",
    "/\n/evil.example",
    "/%09/evil.example",
    " //evil.example",
    "java\nscript:alert(1)",
    "javascript:alert(1)",
    "data:text/html,<script>alert(1)</script>",
    "evil.example",
    "",
]


def _sign_in(client, email, password=PASSWORD, address="127.0.0.1", **query):
    return client.post("/login", query_string=query, data={
        "email": email, "password": password, "csrf_token": csrf_token(client, "/login")},
        environ_base={"REMOTE_ADDR": address})


def _on_site(location: str) -> bool:
    parts = urlsplit(location)
    return location.startswith("/") and not location.startswith("//") and not parts.netloc and "\\" not in location


# --- item 2: redirects lead only within the site -------------------------------------------------------------

@pytest.mark.parametrize("target", OFF_SITE)
def test_sign_in_never_sends_the_browser_off_the_site(client, make, target):
    make.user("author", email="maya@example.com")
    response = _sign_in(client, "maya@example.com", next=target)
    assert response.status_code == 302 and response.location == "/admin/"


@pytest.mark.parametrize("target", OFF_SITE)
def test_back_office_return_addresses_never_lead_off_the_site(client, auth, target):
    auth.login("editor")
    response = client.get("/admin/series/new/", query_string={"url": target, "q": "kept"})
    assert response.status_code == 302 and response.location == "/admin/series/new/?q=kept"


@pytest.mark.parametrize("target", OFF_SITE[:6])
def test_a_save_posted_with_an_off_site_return_address_is_refused_and_saves_nothing(app, client, auth, target):
    auth.login("editor")
    token = csrf_token(client, "/admin/series/new/")
    response = client.post("/admin/series/new/", query_string={"url": target},
                           data={"title": "Grief", "description": "", "csrf_token": token})
    assert response.status_code == 400
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Series)) == 0


def test_the_reported_sign_in_detour_ends_on_the_site(client, make):
    """Anonymous `GET /admin/articles/new/?url=http:evil.example`, then sign-in: every hop stays on the site."""
    make.user("author", email="maya@example.com")
    response = client.get("/admin/articles/new/", query_string={"url": "http:evil.example"})
    hops = [response.location]
    while response.status_code == 302 and not response.location.startswith("/login"):
        response = client.get(response.location)
        hops.append(response.location)
    next_url = parse_qs(urlsplit(response.location).query)["next"][0]
    response = _sign_in(client, "maya@example.com", next=next_url)
    hops.append(response.location)
    for _ in range(5):
        if response.status_code != 302:
            break
        response = client.get(response.location)
        hops.append(response.location)
    assert all(_on_site(hop) for hop in hops if hop), hops
    assert not any("evil" in hop for hop in hops if hop), hops


@pytest.mark.parametrize("target", ["/admin/articles/", "/admin/articles/?flt0_status_equals=draft&sort=2",
                                    "/admin/series/?page=2", "/articles/%C3%BCber-uns"])
def test_a_return_address_on_the_site_is_kept(app, client, make, auth, target):
    make.user("author", email="maya@example.com")
    assert _sign_in(app.test_client(), "maya@example.com", next=target).location == target
    auth.login("editor")
    token = csrf_token(client, "/admin/series/new/")
    saved = client.post("/admin/series/new/", query_string={"url": target},
                        data={"title": "Grief", "description": "", "csrf_token": token})
    assert saved.status_code == 302 and saved.location == target


# --- item 3: sessions end when they should ----------------------------------------------------------------------

def _copy_of(app, client):
    """A second browser holding a copy of `client`'s session cookie, as a thief would."""
    thief = app.test_client()
    thief.set_cookie("session", client.get_cookie("session").value)
    return thief


def _is_signed_in(browser) -> bool:
    response = browser.get("/admin/")
    assert response.status_code in (200, 302)
    return response.status_code == 200


def _form_values(client, url: str) -> dict[str, str]:
    """What a browser would post back from the last form on the page at `url`, untouched."""
    form = lxml.html.fromstring(client.get(url).get_data(as_text=True)).forms[-1]
    values = dict(form.form_values())
    for textarea in form.xpath(".//textarea"):  # browsers drop the newline after <textarea>; lxml keeps it
        values[textarea.name] = values[textarea.name].removeprefix("\r").removeprefix("\n")
    return values


def _user_form(client, user_id: int) -> tuple[str, dict[str, str]]:
    url = f"/admin/users/edit/?id={user_id}"
    return url, _form_values(client, url)


def _user_id(app, email: str) -> int:
    with app.app_context():
        return users.find_by_email(email).id


def test_signing_out_ends_that_session_for_every_copy_of_its_cookie(app, client, make):
    make.user("author", email="maya@example.com")
    _sign_in(client, "maya@example.com")
    thief, other_browser = _copy_of(app, client), app.test_client()
    _sign_in(other_browser, "maya@example.com")
    assert _is_signed_in(thief)
    client.post("/logout", data={"csrf_token": csrf_token(client, "/logout")})
    assert not _is_signed_in(thief)
    assert _is_signed_in(other_browser)  # signing out here is not signing out everywhere


@pytest.mark.parametrize("change", [{"password": "a brand new password"}, {"role": "editor"},
                                    {"is_active": None}])
def test_an_admin_changing_password_role_or_activation_ends_the_users_sessions(app, client, auth, make, change):
    make.user("author", email="maya@example.com")
    phone = app.test_client()
    _sign_in(phone, "maya@example.com")
    thief = _copy_of(app, phone)
    auth.login("admin")
    url, fields = _user_form(client, _user_id(app, "maya@example.com"))
    fields.update(change)
    assert client.post(url, data={key: value for key, value in fields.items() if value is not None}).status_code \
        == 302
    assert not _is_signed_in(phone) and not _is_signed_in(thief)


def test_deactivating_then_reactivating_does_not_revive_old_sessions(app, client, auth, make):
    make.user("author", email="maya@example.com")
    phone = app.test_client()
    _sign_in(phone, "maya@example.com")
    thief = _copy_of(app, phone)
    auth.login("admin")
    url, fields = _user_form(client, _user_id(app, "maya@example.com"))
    client.post(url, data={key: value for key, value in fields.items() if key != "is_active"})
    client.post(url, data=fields)
    with app.app_context():
        assert users.find_by_email("maya@example.com").is_active
    assert not _is_signed_in(phone) and not _is_signed_in(thief)
    assert _sign_in(phone, "maya@example.com").status_code == 302 and _is_signed_in(phone)


def test_editing_only_a_name_keeps_the_users_sessions(app, client, auth, make):
    make.user("editor", email="ed@example.com")
    phone = app.test_client()
    _sign_in(phone, "ed@example.com")
    auth.login("admin")
    url, fields = _user_form(client, _user_id(app, "ed@example.com"))
    client.post(url, data={**fields, "name": "Edith"})
    assert _is_signed_in(phone)


def test_an_admin_changing_their_own_password_keeps_this_browser_and_ends_the_others(app, client, auth):
    auth.login("admin")
    laptop = app.test_client()
    _sign_in(laptop, "admin@example.com")
    url, fields = _user_form(client, _user_id(app, "admin@example.com"))
    assert client.post(url, data={**fields, "password": "a brand new password"}).status_code == 302
    assert _is_signed_in(client) and not _is_signed_in(laptop)


def test_your_sessions_lists_each_browser_and_signs_out_the_others(app, client, make):
    make.user("author", email="maya@example.com")
    browsers = [app.test_client() for _ in range(2)]
    for number, browser in enumerate(browsers):
        browser.post("/login", data={"email": "maya@example.com", "password": PASSWORD,
                                     "csrf_token": csrf_token(browser, "/login")},
                     headers={"User-Agent": f"Phone browser {number}"})
    _sign_in(client, "maya@example.com")
    page = client.get("/admin/sessions/").get_data(as_text=True)
    assert "Phone browser 0" in page and "Phone browser 1" in page and page.count("This browser") == 1
    response = client.post("/admin/sessions/sign-out-others",
                           data={"csrf_token": csrf_token(client, "/admin/sessions/")})
    assert "Signed out of 2 other sessions." in client.get(response.location).get_data(as_text=True)
    assert _is_signed_in(client) and not any(_is_signed_in(browser) for browser in browsers)


def test_one_session_can_be_ended_but_never_someone_elses(app, client, make):
    make.user("author", email="maya@example.com")
    make.user("author", email="lena@example.com")
    maya_phone, lena = app.test_client(), app.test_client()
    _sign_in(maya_phone, "maya@example.com")
    _sign_in(lena, "lena@example.com")
    _sign_in(client, "maya@example.com")
    with app.app_context():
        ids = {user.email: [row.id for row in users.sessions_of(user)]
               for user in db.session.scalars(select(User))}
    token = csrf_token(client, "/admin/sessions/")
    client.post(f"/admin/sessions/{ids['lena@example.com'][0]}/end", data={"csrf_token": token})
    assert _is_signed_in(lena)
    phone_session = min(ids["maya@example.com"])
    client.post(f"/admin/sessions/{phone_session}/end", data={"csrf_token": token})
    assert not _is_signed_in(maya_phone) and _is_signed_in(client)


def test_a_session_idle_for_two_weeks_has_ended(app, client, make, monkeypatch):
    make.user("author", email="maya@example.com")
    _sign_in(client, "maya@example.com")
    start = datetime.now(UTC)
    monkeypatch.setattr(clock, "now", lambda: start + timedelta(days=13))
    assert _is_signed_in(client)  # and seen again, so the two weeks start over
    monkeypatch.setattr(clock, "now", lambda: start + timedelta(days=26))
    assert _is_signed_in(client)
    monkeypatch.setattr(clock, "now", lambda: start + timedelta(days=41))
    assert not _is_signed_in(client)


# --- item 4: every back-office form gives back what it was given ------------------------------------------------

#: For each editable back-office screen: the field edited, its new value, and what that edit may also change.
ONE_FIELD_EDITS = {
    "users": ("name", "Edith Editor", set()),
    "series": ("description", "A new description.", {"updated_at"}),
    "tags": ("name", "Letting go", {"slug"}),
    "pages": ("menu_order", "7", {"updated_at", "version"}),
    "site_settings": ("tagline", "A new tagline", set()),
}


def _rows(app, make):
    """One row per editable screen, with every field filled in, so a blank that is saved back shows."""
    make.user("editor", email="ed@example.com")
    series_id = make.series("Grief", "How loss changes over time.")
    make.article("On grief", tags=("letting go of",), series_id=series_id)
    page_id = make.page("Fees", "Sliding scale.", is_published=True, menu_order=2, slug="fees")
    with app.app_context():
        from cms.services import site

        settings = site.settings()
        for name, value in {"tagline": "Therapy in Brooklyn", "timezone": "Europe/Berlin", "author_name": "Maya",
                            "author_credentials": "LCSW", "author_bio": "Twenty years.",
                            "consultation_text": "Book", "consultation_url": "https://example.com/book",
                            "contact_email": "maya@example.com", "feed_size": 15, "related_count": 4,
                            "related_min_score": 0.25}.items():
            setattr(settings, name, value)
        db.session.commit()
        return {"users": _user_id(app, "ed@example.com"), "series": series_id,
                "tags": db.session.scalar(select(Tag.id)), "pages": page_id, "site_settings": settings.id}


def _columns(app, model, ident) -> dict:
    with app.app_context():
        row = db.session.get(model, ident)
        return {column.key: getattr(row, column.key) for column in sa_inspect(model).column_attrs}


def test_every_back_office_form_keeps_the_fields_that_were_not_edited(app, client, auth, make):
    editable = {view.endpoint: view for view in app.extensions["admin"][0]._views
                if isinstance(view, ModelView) and view.can_edit}
    assert set(editable) == set(ONE_FIELD_EDITS)  # a new editable screen needs its row in the table
    ids = _rows(app, make)
    auth.login("admin")
    for endpoint, (field, value, also_changes) in ONE_FIELD_EDITS.items():
        model, ident = editable[endpoint].model, ids[endpoint]
        before = _columns(app, model, ident)
        url = f"/admin/{editable[endpoint].url.rsplit('/', 1)[-1]}/edit/?id={ident}"
        if endpoint == "pages":  # Flask-Admin's form leads to the page's writing screen
            url = client.get(url).location
        fields = _form_values(client, url)
        assert field in fields, (endpoint, sorted(fields))
        response = client.post(url, data={**fields, field: value})
        assert response.status_code == 302, (endpoint, response.get_data(as_text=True)[:2000])
        after = _columns(app, model, ident)
        changed = {key for key in before if before[key] != after[key]}
        assert changed - also_changes == {field}, (endpoint, {key: (before[key], after[key]) for key in changed})


def test_editing_an_editors_name_keeps_them_an_editor(app, client, auth, make):
    editor_id = make.user("editor", email="ed@example.com")
    auth.login("admin")
    url, fields = _user_form(client, editor_id)
    page = client.get(url).get_data(as_text=True)
    assert re.search(r'<option[^>]*selected[^>]*value="editor"|<option[^>]*value="editor"[^>]*selected', page)
    client.post(url, data={**fields, "name": "Edith"})
    with app.app_context():
        editor = db.session.get(User, editor_id)
        assert (editor.name, editor.role) == ("Edith", "editor")


# --- item 10: an author sees nothing of others' unpublished work ------------------------------------------------

def _writing_screen_errors(client, **fields) -> tuple[int, str]:
    from tests.web.test_authoring import WRITE, submit

    response = submit(client, WRITE, **fields)
    return response.status_code, response.get_data(as_text=True)


def test_an_author_hears_a_slug_is_taken_but_not_by_whose_draft(client, auth, make):
    make.article("Zebra Draft Secret", slug="zebra", status=Status.DRAFT, author_email="other@example.com")
    auth.login("author")
    status, page = _writing_screen_errors(client, slug="zebra")
    assert status == 422 and "The slug &#39;zebra&#39; is already taken." in page
    assert "Zebra Draft Secret" not in page


def test_an_author_hears_a_part_is_taken_but_not_by_whose_draft(client, auth, make):
    series_id = make.series("Grief")
    make.article("Zebra Draft Secret", status=Status.DRAFT, author_email="other@example.com", series_id=series_id,
                 series_part=2)
    auth.login("author")
    status, page = _writing_screen_errors(client, series="Grief", series_part="2")
    assert status == 422 and "Part 2 of “Grief” is already taken." in page
    assert "Zebra Draft Secret" not in page


def test_editors_and_the_author_herself_still_hear_what_holds_a_slug(app, client, auth, make):
    make.article("Zebra Draft Secret", slug="zebra", status=Status.DRAFT, author_email="other@example.com")
    make.article("My own draft", slug="mine", status=Status.DRAFT)
    auth.login("author")
    assert "already used by “My own draft”" in _writing_screen_errors(client, slug="mine")[1]
    editor = app.test_client()
    Auth(editor, make).login("editor")
    assert "already used by “Zebra Draft Secret”" in _writing_screen_errors(editor, slug="zebra")[1]


def test_the_writing_screen_offers_authors_only_tags_they_may_see(app, client, auth, make):
    make.article("Live piece", tags=("grief",), author_email="other@example.com")
    make.article("Their draft", status=Status.DRAFT, tags=("zebra secret",), author_email="other@example.com")
    make.article("Their scheduled", status=Status.SCHEDULED, publish_at=datetime.now(UTC) + timedelta(days=3),
                 tags=("future topic",), author_email="other@example.com")
    make.article("My draft", status=Status.DRAFT, tags=("anxiety",))
    auth.login("author")
    chips = set(re.findall(r'data-tag="([^"]+)"', client.get("/admin/articles/write").get_data(as_text=True)))
    assert chips == {"grief", "anxiety"}
    editor = app.test_client()
    Auth(editor, make).login("editor")
    chips = set(re.findall(r'data-tag="([^"]+)"', editor.get("/admin/articles/write").get_data(as_text=True)))
    assert chips == {"grief", "anxiety", "zebra secret", "future topic"}

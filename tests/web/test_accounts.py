"""Accounts: where sign-in and the back office may send a browser, sessions that end when they should, the
users screen, sign-in limits that nobody else can trip for you."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest
from sqlalchemy import func, select

from cms.extensions import db
from cms.models import Series
from tests.conftest import PASSWORD, csrf_token

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

"""Who may reach which URL: a table per URL and role, and sweeps over every route in `app.url_map`.

The sweeps pick up routes as they are added: every back-office route refuses readers, and every route that
changes something refuses a POST without a CSRF token, whoever sends it. The table states the expected status
for each URL × method × role; new back-office screens add their rows to it.
"""

from __future__ import annotations

import pytest
from werkzeug.routing import Rule

from cms import create_app

ROLES = ("anonymous", "author", "editor", "admin")
#: Endpoints that readers may reach: public pages, feeds, JSON, static files, signing in and out.
READER_BLUEPRINTS = ("public", "feeds", "api", "auth")
READER_ENDPOINTS = ("static", "uploads.image")
SIGN_IN = 302  # a reader sent to /login

#: URL, method -> expected status for anonymous, author, editor, admin.
MATRIX: dict[tuple[str, str], tuple[int, int, int, int]] = {
    ("/login", "GET"): (200, 302, 302, 302),  # the signed-in go on to the back office
    ("/logout", "GET"): (200, 200, 200, 200),  # asks before signing out
    ("/admin/", "GET"): (SIGN_IN, 200, 200, 200),
    ("/uploads/0123456789abcdef0123456789abcdef.png", "GET"): (404, 404, 404, 404),
}


def _is_back_office(rule: Rule) -> bool:
    if rule.endpoint in READER_ENDPOINTS or rule.endpoint.endswith(".static"):
        return False
    return rule.endpoint.split(".")[0] not in READER_BLUEPRINTS


def _example_url(rule: Rule) -> str:
    """The rule's path with every variable filled by a value of its type; access is checked before lookups."""
    values = {name: 1 if type(converter).__name__ in ("IntegerConverter", "NumberConverter") else "x"
              for name, converter in rule._converters.items()}
    return rule.build(values, append_unknown=False)[1]


def _rules(predicate) -> list[tuple[str, str]]:
    app = create_app({"TESTING": True, "SECRET_KEY": "x", "SQLALCHEMY_DATABASE_URI": "sqlite://"})
    found = set()
    for rule in app.url_map.iter_rules():
        for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"}):
            if predicate(rule, method):
                found.add((_example_url(rule), method))
    return sorted(found)


BACK_OFFICE = _rules(lambda rule, method: _is_back_office(rule))
CHANGING = _rules(lambda rule, method: method in ("POST", "PUT", "PATCH", "DELETE"))


def _client_as(role: str, client, auth):
    if role != "anonymous":
        auth.login(role)
    return client


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("url, method", sorted(MATRIX))
def test_the_matrix(client, auth, url, method, role):
    response = _client_as(role, client, auth).open(url, method=method)
    assert response.status_code == MATRIX[url, method][ROLES.index(role)], response.get_data(as_text=True)[:300]
    if response.status_code == SIGN_IN and role == "anonymous":
        assert response.location.startswith("/login")


def test_the_sweeps_see_the_back_office_and_every_form():
    assert ("/admin/", "GET") in BACK_OFFICE and ("/uploads", "POST") in BACK_OFFICE
    assert {("/login", "POST"), ("/logout", "POST"), ("/uploads", "POST")} <= set(CHANGING)


@pytest.mark.parametrize("url, method", BACK_OFFICE)
def test_readers_never_get_into_the_back_office(client, url, method):
    token = {"csrf_token": _token(client)} if method != "GET" else None
    response = client.open(url, method=method, data=token)
    refused = response.status_code in (401, 403, 404, 405) or (
        response.status_code == 302 and response.location.startswith("/login"))
    assert refused, f"{method} {url} answered a reader {response.status_code}"


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("url, method", CHANGING)
def test_a_change_without_a_csrf_token_is_refused(client, auth, url, method, role):
    response = _client_as(role, client, auth).open(url, method=method, data={"anything": "1"})
    assert response.status_code == 400, f"{method} {url} as {role} answered {response.status_code}"
    if role != "anonymous":
        assert client.get("/admin/").status_code == 200  # still signed in: nothing happened


def _token(client) -> str:
    from tests.conftest import csrf_token

    return csrf_token(client, "/login")

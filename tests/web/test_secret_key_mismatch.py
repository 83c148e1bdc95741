"""Two servers of one site with different SECRET_KEYs: what one signs, the other refuses and says why (issue 17)."""

import logging

import pytest

from cms import create_app
from cms.web import signing
from tests.conftest import csrf_token


@pytest.fixture
def other_server(app, app_config):
    """The same site on the same database, served by a server given another SECRET_KEY."""
    return create_app({**app_config, "SECRET_KEY": "another key"})


@pytest.fixture(autouse=True)
def nothing_reported_yet(monkeypatch):
    monkeypatch.setattr(signing, "_reported_at", {})


def _warnings(caplog) -> list[str]:
    return [record.getMessage() for record in caplog.records if "another SECRET_KEY" in record.getMessage()]


def test_session_cookie_from_a_server_with_another_key_is_logged_once(app, client, other_server, caplog):
    elsewhere = other_server.test_client()
    token = csrf_token(elsewhere, "/login")  # the sign-in form as the other server gave it, and its cookie
    client.set_cookie("session", elsewhere.get_cookie("session").value)
    with caplog.at_level(logging.WARNING, logger="cms"):
        for _ in range(3):
            response = client.post("/login", data={"email": "a@example.com", "password": "x", "csrf_token": token})
            assert response.status_code == 400
    assert _warnings(caplog) == ["A session cookie signed with another SECRET_KEY arrived at /login and was refused: "
                                 "is SECRET_KEY the same on every server of this site? (Said at most once an hour.)"]


def test_csrf_token_from_a_server_with_another_key_is_logged(app, client, other_server, caplog):
    csrf_token(client, "/login")  # this server's own session
    foreign = csrf_token(other_server.test_client(), "/login")
    with caplog.at_level(logging.WARNING, logger="cms"):
        response = client.post("/login", data={"email": "a@example.com", "password": "x", "csrf_token": foreign})
    assert response.status_code == 400
    assert [message.split(" arrived")[0] for message in _warnings(caplog)] == [
        "A CSRF token signed with another SECRET_KEY"]


def test_garbage_cookies_and_tokens_are_refused_without_a_warning(app, client, caplog):
    csrf_token(client, "/login")
    with caplog.at_level(logging.WARNING, logger="cms"):
        assert client.post("/login", data={"email": "a@example.com", "password": "x",
                                           "csrf_token": "not-a-token"}).status_code == 400
        client.set_cookie("session", "not-a-cookie")
        assert client.get("/login").status_code == 200
    assert _warnings(caplog) == []

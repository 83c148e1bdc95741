import re

from tests.conftest import PASSWORD, csrf_token


def test_login_form_has_labelled_fields_and_a_sign_in_button(client):
    page = client.get("/login").get_data(as_text=True)
    assert re.search(r'<label for="email">Email</label>', page)
    assert re.search(r'<label for="password">Password</label>', page)
    assert 'value="Sign in"' in page


def test_signing_in_leads_to_the_back_office(client, make):
    make.user("author", email="maya@example.com")
    response = client.post("/login", data={"email": "Maya@Example.com", "password": PASSWORD,
                                           "csrf_token": csrf_token(client, "/login")})
    assert response.status_code == 302 and response.location == "/admin/"
    assert "Dashboard" in client.get("/admin/").get_data(as_text=True)


def test_wrong_password_and_unknown_account_get_the_same_message(client, make):
    make.user("author", email="maya@example.com")
    answers = []
    for email in ("maya@example.com", "nobody@example.com"):
        response = client.post("/login", data={"email": email, "password": "wrong password",
                                               "csrf_token": csrf_token(client, "/login")})
        assert response.status_code == 401
        answers.append(re.search(r'class="flash flash-error"[^>]*>([^<]+)<', response.get_data(as_text=True))[1])
    assert answers[0] == answers[1] == "That email and password do not match an account."


def test_login_without_csrf_token_is_refused(client, make):
    make.user("author", email="maya@example.com")
    response = client.post("/login", data={"email": "maya@example.com", "password": PASSWORD})
    assert response.status_code == 400
    assert client.get("/admin/").status_code == 302


def test_session_cookie_is_httponly_and_samesite(client, auth):
    response = auth.login("editor")
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie


def test_back_office_sends_readers_to_sign_in(client):
    response = client.get("/admin/")
    assert response.status_code == 302 and response.location.startswith("/login?next=")


def test_next_only_leads_within_the_site(client, make):
    make.user("author", email="maya@example.com")
    response = client.post("/login?next=https://evil.example/", data={
        "email": "maya@example.com", "password": PASSWORD, "csrf_token": csrf_token(client, "/login")})
    assert response.location == "/admin/"


def test_sign_out_asks_then_signs_out(client, auth):
    auth.login("author")
    assert 'value="Sign out"' in client.get("/logout").get_data(as_text=True)
    assert client.get("/admin/").status_code == 200
    response = client.post("/logout", data={"csrf_token": csrf_token(client, "/logout")})
    assert response.status_code == 302
    assert client.get("/admin/").status_code == 302


def test_unknown_page_is_a_friendly_404(client):
    response = client.get("/no-such-thing")
    assert response.status_code == 404
    assert "There is no page at this address" in response.get_data(as_text=True)

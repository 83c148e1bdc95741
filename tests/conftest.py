"""Every test gets a fresh app and database: SQLite by default, PostgreSQL when TEST_DATABASE_URL is set."""

from __future__ import annotations

import os
import re
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from cms import create_app
from cms.extensions import db
from tests import factories

PASSWORD = factories.PASSWORD


@pytest.fixture(scope="session")
def database_url() -> Iterator[str | None]:
    """On PostgreSQL, a schema of this run's own, dropped afterwards; None means a SQLite file per test."""
    url = os.environ.get("TEST_DATABASE_URL")
    if not url:
        yield None
        return
    schema = f"cms_test_{uuid.uuid4().hex[:12]}"
    engine = create_engine(url)
    with engine.begin() as connection:
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    try:
        yield make_url(url).update_query_dict({"options": f"-csearch_path={schema}"}).render_as_string(
            hide_password=False)
    finally:
        with engine.begin() as connection:
            connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        engine.dispose()


@pytest.fixture
def app_config(tmp_path: Path, database_url: str | None) -> dict:
    return {
        "TESTING": True,
        "SECRET_KEY": "test",
        "SQLALCHEMY_DATABASE_URI": database_url or f"sqlite:///{tmp_path / 'cms.sqlite'}",
        "SITE_URL": "http://127.0.0.1:5000",
        "SITE_TIMEZONE": "America/New_York",
    }


@pytest.fixture
def app(app_config: dict) -> Iterator[Flask]:
    app = create_app(app_config)
    with app.app_context():
        db.create_all()
    yield app
    with app.app_context():
        db.session.remove()
        db.drop_all()
        db.engine.dispose()


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.fixture
def make(app: Flask) -> factories.Factories:
    """Build data in the database: make.user("editor"), make.article(status=..., **fields) …"""
    return factories.Factories(app)


class Auth:
    """Signs the test client in through the real form, CSRF token and all."""

    def __init__(self, client: FlaskClient, make: factories.Factories) -> None:
        self.client, self.make = client, make

    def login(self, role: str = "author", email: str | None = None):
        email = email or f"{role}@example.com"
        if not self.make.user_exists(email):
            self.make.user(role, email=email)
        response = self.client.post("/login", data={
            "email": email, "password": PASSWORD, "csrf_token": csrf_token(self.client, "/login")})
        assert response.status_code == 302, response.get_data(as_text=True)
        return response


@pytest.fixture
def auth(client: FlaskClient, make: factories.Factories) -> Auth:
    return Auth(client, make)


def csrf_token(client: FlaskClient, url: str) -> str:
    """Return the CSRF token of the form on the page at `url`, as a browser would submit it."""
    page = client.get(url).get_data(as_text=True)
    match = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page)
    assert match, f"no CSRF token on {url}"
    return match.group(1)

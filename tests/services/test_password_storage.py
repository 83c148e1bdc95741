"""Passwords are stored with scrypt; the suite's cheap hashing is a test setting, never the site's."""

from flask import Flask

from cms import create_app
from cms.core.workflow import Role
from cms.extensions import db
from cms.services import users
from tests.factories import PASSWORD


def _site_with(app: Flask, **settings: str) -> Flask:
    """The test site's database under the site's own password setting, or the one given."""
    config = {key: value for key, value in app.config.items() if key != "PASSWORD_HASH_METHOD"}
    return create_app({**config, **settings})


def test_a_site_stores_passwords_with_scrypt_unless_told_otherwise(app):
    site = _site_with(app)
    with site.app_context():
        user = users.create_user("maya@example.com", PASSWORD, Role.AUTHOR)
        db.session.commit()
        assert user.password_hash.startswith("scrypt:")
        assert users.authenticate("maya@example.com", PASSWORD) == user


def test_changing_the_method_signs_nobody_out_and_resets_use_the_new_one(app):
    with app.app_context():
        user = users.create_user("maya@example.com", PASSWORD, Role.AUTHOR)
        db.session.commit()
    with _site_with(app).app_context():
        user = users.authenticate("maya@example.com", PASSWORD)
        assert user is not None  # the old hash names its own method
        users.reset_password(user, "a brand new password")
        db.session.commit()
        assert user.password_hash.startswith("scrypt:")
        assert users.authenticate("maya@example.com", "a brand new password") == user

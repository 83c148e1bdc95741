"""Noticing a SECRET_KEY that differs between the servers of one site.

With two keys, a session cookie or CSRF token signed by one server is refused by the other: the reader is signed
out, the form answers 400. Both used to go unsaid. A cookie or token that is well formed (its payload reads) but
whose signature fails was signed with another key (or altered by hand): that is logged, once an hour at most per
kind, so that the log says what is wrong without repeating it on every request.
"""

from __future__ import annotations

import logging
import threading
import time

from flask import Flask, Request, current_app, request
from flask.sessions import SecureCookieSession, SecureCookieSessionInterface
from flask.typing import ResponseReturnValue
from flask_wtf.csrf import CSRFError
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer

from cms.web import errors

logger = logging.getLogger("cms")
#: How often, at most, each kind of foreign signature is logged.
REPORT_EVERY = 3600.0
_reported_at: dict[str, float] = {}
_lock = threading.Lock()


def register(app: Flask) -> None:
    app.session_interface = KeyCheckingSessionInterface()
    app.register_error_handler(CSRFError, csrf_refused)


class KeyCheckingSessionInterface(SecureCookieSessionInterface):
    """Flask's signed-cookie sessions, which say so when a cookie was signed with another key."""

    def open_session(self, app: Flask, request: Request) -> SecureCookieSession | None:
        cookie = request.cookies.get(self.get_cookie_name(app))
        if not cookie and app.secret_key:  # most readers: no cookie to read, no serializer to build for it
            return self.session_class()
        session = super().open_session(app, request)
        serializer = self.get_signing_serializer(app)
        if session is not None and not session and cookie and serializer is not None:
            try:
                serializer.loads(cookie, max_age=int(app.permanent_session_lifetime.total_seconds()))
            except SignatureExpired:
                pass  # an old cookie of this very key
            except BadSignature:
                if serializer.loads_unsafe(cookie)[1] is not None:
                    report("session cookie")
        return session


def csrf_refused(error: CSRFError) -> ResponseReturnValue:
    """The 400 every refused form gets, after noting a token signed with another key."""
    if error.description == "The CSRF token is invalid.":
        token = request.form.get(current_app.config.get("WTF_CSRF_FIELD_NAME", "csrf_token"), "")
        secret = current_app.config.get("WTF_CSRF_SECRET_KEY") or current_app.config["SECRET_KEY"]
        if URLSafeTimedSerializer(secret, salt="wtf-csrf-token").loads_unsafe(token)[1] is not None:
            report("CSRF token")
    return errors.http_error(error)


def report(kind: str) -> None:
    """Log that a `kind` signed with another SECRET_KEY arrived, unless that was logged within REPORT_EVERY."""
    now = time.monotonic()
    with _lock:
        if now - _reported_at.get(kind, -REPORT_EVERY) < REPORT_EVERY:
            return
        _reported_at[kind] = now
    logger.warning("A %s signed with another SECRET_KEY arrived at %s and was refused: is SECRET_KEY the same "
                   "on every server of this site? (Said at most once an hour.)", kind, request.path)

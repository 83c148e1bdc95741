"""Signing in and out; failed sign-ins are limited per account and per address."""

import math
from urllib.parse import unquote, urlsplit

from flask import (Blueprint, Flask, Response, current_app, flash, g, redirect, render_template, request, session,
                   url_for)
from flask.typing import ResponseReturnValue
from flask_limiter import Limiter, RateLimitExceeded
from flask_limiter.util import get_remote_address
from flask_login import current_user, login_user, logout_user

from cms.core import clock
from cms.extensions import db, login_manager
from cms.models import User
from cms.services import users
from cms.web.forms import LoginForm, LogoutForm

bp = Blueprint("auth", __name__)


FAILED = 401


@login_manager.user_loader
def load_user(token: str) -> User | None:
    signed_in = users.find_session(token, clock.now())
    g.signed_in = signed_in
    return signed_in.user if signed_in else None


@bp.before_app_request
def note_activity() -> None:
    """Keep "last seen" of this browser's session current for "Your sessions" (a write every few minutes).

    Only requests carrying a session cookie look: readers' pages never touch the session or the database here.
    """
    if current_app.config["SESSION_COOKIE_NAME"] not in request.cookies or not current_user.is_authenticated:
        return
    if users.note_activity(g.signed_in, clock.now()):
        db.session.commit()


def limit_sign_ins(app: Flask) -> None:
    """Count failed sign-ins per account and per address; past either limit, sign-in waits, even with the right
    password. Counts live in RATELIMIT_STORAGE_URI (memory by default; Redis to share them between workers),
    and fall back to memory if that storage stops answering, so sign-in never depends on it."""
    limiter = Limiter(key_func=get_remote_address, in_memory_fallback_enabled=True)
    limiter.init_app(app)
    _only_at_sign_in(app, limiter)
    view = app.view_functions["auth.login"]
    for setting, key in (("LOGIN_LIMIT_PER_ACCOUNT", _account_key), ("LOGIN_LIMIT_PER_ADDRESS", _address_key)):
        view = limiter.limit(lambda setting=setting: current_app.config[setting], key_func=key, methods=["POST"],
                             deduct_when=lambda response: response.status_code == FAILED)(view)
    app.view_functions["auth.login"] = view  # this app's limiter only: every app gets its own counts
    app.register_error_handler(RateLimitExceeded, too_many_attempts)


def _only_at_sign_in(app: Flask, limiter: Limiter) -> None:
    """Flask-Limiter hooks every request for app-wide limits; there are none, and readers should not pay for it.

    The decorated sign-in view checks its own limits, so the hooks run for it alone.
    """
    before = app.before_request_funcs[None]
    before[:] = [hook for hook in before if getattr(hook, "__self__", None) is not limiter]
    after = app.after_request_funcs[None]
    for position, hook in enumerate(after):
        if getattr(hook, "args", ()) == (limiter,):
            after[position] = _for_sign_in(hook)


def _for_sign_in(hook):
    def at_sign_in(response):
        return hook(response) if request.endpoint == "auth.login" else response

    return at_sign_in


def _account_key() -> str:
    return "account:" + (request.form.get("email") or "").strip().lower()  # the same for any email, real or not


def _address_key() -> str:
    return "address:" + get_remote_address()


@bp.route("/login", methods=["GET", "POST"])
def login() -> ResponseReturnValue:
    if current_user.is_authenticated:
        return redirect(_next_url())
    form = LoginForm()
    if form.validate_on_submit():
        user = users.authenticate(form.email.data or "", form.password.data or "")
        if user is not None:
            next_url = _next_url()
            session.clear()  # a fresh session at sign-in, so a planted session id is worth nothing
            users.sign_in(user, user_agent=request.user_agent.string, now=clock.now())
            db.session.commit()
            login_user(user)
            return redirect(next_url)
        flash("That email and password do not match an account.", "error")
    status = FAILED if form.is_submitted() else 200
    return render_template("auth/login.html", form=form), status


def too_many_attempts(error: RateLimitExceeded) -> ResponseReturnValue:
    """The sign-in form again, saying how long to wait; the same words whether the account exists or not."""
    minutes = max(1, math.ceil(error.limit.limit.get_expiry() / 60))
    flash(f"Too many failed attempts to sign in. Please wait {minutes} minutes and try again.", "error")
    response = Response(render_template("auth/login.html", form=LoginForm()), status=429)
    response.headers["Retry-After"] = str(error.limit.limit.get_expiry())
    return response


@bp.route("/logout", methods=["GET", "POST"])
def logout() -> ResponseReturnValue:
    form = LogoutForm()
    if not form.validate_on_submit():  # a link or a typed URL asks first, so no other site can sign you out
        return render_template("auth/logout.html", form=form)
    if current_user.is_authenticated:
        users.sign_out(current_user.session_token)
        db.session.commit()
    logout_user()
    session.clear()
    flash("You are signed out.", "success")
    return redirect(url_for("public.home"))


def _next_url() -> str:
    """Where to go after signing in: the page asked for, if it is on this site, else the back office."""
    return same_site_path(request.args.get("next")) or url_for("admin.index")


def same_site_path(target: str | None) -> str | None:
    """Return `target` if a browser would read it as a path on this site, else None.

    The one check for every address taken from a request and redirected to (sign-in's `next`, the back
    office's `url`). Browsers drop tabs and newlines, read a backslash as a slash and `http:evil` as
    `http://evil`, so anything but one slash followed by a plain path is refused, before and after
    percent-decoding, as often as it takes (a server or proxy on the way may decode again).
    """
    text = target or ""
    while _is_plain_path(text):
        decoded = unquote(text)
        if decoded == text:
            return target
        text = decoded
    return None


def _is_plain_path(text: str) -> bool:
    parts = urlsplit(text)
    return (text.startswith("/") and not text.startswith("//") and "\\" not in text
            and not any(ord(char) < 0x20 or ord(char) == 0x7F for char in text)
            and not parts.scheme and not parts.netloc)

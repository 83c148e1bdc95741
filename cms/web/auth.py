"""Signing in and out."""

from urllib.parse import urlsplit

from flask import Blueprint, flash, redirect, render_template, request, session, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user, login_user, logout_user

from cms.extensions import db, login_manager
from cms.models import User
from cms.services import users
from cms.web.forms import LoginForm, LogoutForm

bp = Blueprint("auth", __name__)


@login_manager.user_loader
def load_user(user_id: str) -> User | None:
    user = db.session.get(User, int(user_id)) if user_id.isdigit() else None
    return user if user is not None and user.is_active else None


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
            login_user(user)
            return redirect(next_url)
        flash("That email and password do not match an account.", "error")
    status = 401 if form.is_submitted() else 200
    return render_template("auth/login.html", form=form), status


@bp.route("/logout", methods=["GET", "POST"])
def logout() -> ResponseReturnValue:
    form = LogoutForm()
    if not form.validate_on_submit():  # a link or a typed URL asks first, so no other site can sign you out
        return render_template("auth/logout.html", form=form)
    logout_user()
    session.clear()
    flash("You are signed out.", "success")
    return redirect(url_for("public.home"))


def _next_url() -> str:
    """Where to go after signing in: the page asked for, if it is on this site, else the back office."""
    target = request.args.get("next", "")
    parts = urlsplit(target)
    if target.startswith("/") and not target.startswith("//") and not parts.scheme and not parts.netloc:
        return target
    return url_for("admin.index")

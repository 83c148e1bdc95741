"""Signing in and out, the sessions that follow, and where a browser may be sent; failed sign-ins are limited."""

import math
import time
from collections.abc import Callable
from typing import Any, TypeVar
from urllib.parse import unquote, urlsplit

from flask import (
    Blueprint,
    Flask,
    Response,
    current_app,
    flash,
    g,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask.typing import ResponseReturnValue
from flask_login import current_user, login_user, logout_user
from limits import RateLimitItem, parse, storage, strategies
from limits.errors import StorageError

from cms.core import clock
from cms.extensions import db, login_manager
from cms.models import User
from cms.services import users
from cms.web import circuit
from cms.web.forms import LoginForm, LogoutForm

bp = Blueprint("auth", __name__)


FAILED = 401
T = TypeVar("T")


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
    """Give `app` its own counts of failed sign-ins (see SignInLimits), so every app built starts afresh."""
    app.extensions["cms.sign_in_limits"] = SignInLimits(
        app.config["RATELIMIT_STORAGE_URI"], prefix=app.config["RATELIMIT_KEY_PREFIX"],
        per_account=app.config["LOGIN_LIMIT_PER_ACCOUNT"], per_address=app.config["LOGIN_LIMIT_PER_ADDRESS"])


class SignInLimits:
    """Failed sign-ins, counted per account *from one address* and per address, over a moving window.

    An account is never locked for everyone: failures from one address slow down that address only, so a
    correct password from an address without failures always gets through. Counts live in
    RATELIMIT_STORAGE_URI (memory by default; Redis to share them between workers) through the `limits`
    package; while that storage does not answer, this process counts in memory, so sign-in never depends on it.
    """

    RETRY_SHARED_AFTER = 30.0  # seconds in memory before asking a storage that failed again

    def __init__(self, uri: str, *, prefix: str, per_account: str, per_address: str,
                 purpose: str = "sign-in") -> None:
        self.is_shared_remote = uri.startswith(("redis://", "rediss://", "redis+"))
        self.shared_storage = storage.storage_from_string(uri, wrap_exceptions=True, **_bounds(uri))
        self.shared = strategies.MovingWindowRateLimiter(self.shared_storage)
        # Storage in this process (memory://) never fails, so it is its own fallback: no second one, whose
        # expiry timer would start a thread for every app built.
        self.local = (self.shared if isinstance(self.shared_storage, storage.MemoryStorage)
                      else strategies.MovingWindowRateLimiter(storage.MemoryStorage()))
        self.prefix, self.purpose = prefix, purpose  # purpose: what is counted ("sign-in", "subscribe")
        self.per_account, self.per_address = parse(per_account), parse(per_address)
        self.shared_failed_at: float | None = None

    def ping(self) -> bool:
        """Whether the shared storage answers now (for /readyz and the check at start)."""
        return bool(self.shared_storage.check())

    def seconds_to_wait(self, email: str, address: str) -> int:
        """Return how long sign-ins for `email` from `address` must wait (0: not limited)."""
        counts = self._counts(email, address)
        return self._call(lambda limiter: max(self._wait(limiter, limit, keys) for limit, keys in counts))

    def record(self, email: str, address: str) -> None:
        """Count one attempt (a failed sign-in, a request to subscribe) against both limits."""
        counts = self._counts(email, address)
        self._call(lambda limiter: [limiter.hit(limit, *keys) for limit, keys in counts])  # every count, always

    def _counts(self, email: str, address: str) -> list[tuple[RateLimitItem, tuple[str, ...]]]:
        account = email.strip().lower()  # the same whether the account exists or not
        return [(self.per_account, (self.prefix, self.purpose, "account", account, address)),
                (self.per_address, (self.prefix, self.purpose, "address", address))]

    @staticmethod
    def _wait(limiter: strategies.RateLimiter, limit: RateLimitItem, keys: tuple[str, ...]) -> int:
        if limiter.test(limit, *keys):
            return 0
        return max(1, math.ceil(limiter.get_window_stats(limit, *keys).reset_time - time.time()))

    def _call(self, use: Callable[[strategies.RateLimiter], T]) -> T:
        if self.shared_failed_at is None or time.monotonic() - self.shared_failed_at > self.RETRY_SHARED_AFTER:
            try:
                result = use(self.shared)
                self.shared_failed_at = None
                return result
            except StorageError as error:
                self.shared_failed_at = time.monotonic()
                current_app.logger.warning("%s limits counted in memory: the storage failed (%s).",
                                           self.purpose.capitalize(), error)
        return use(self.local)


def _bounds(uri: str) -> dict[str, Any]:
    """Timeouts of tens of milliseconds and no retries for a Redis storage: sign-in must not wait on it."""
    if not uri.startswith(("redis://", "rediss://")):
        return {}
    from redis.backoff import NoBackoff
    from redis.retry import Retry

    return {"socket_timeout": circuit.REDIS_TIMEOUT, "socket_connect_timeout": circuit.REDIS_TIMEOUT,
            "retry": Retry(NoBackoff(), 0)}


def _limits() -> SignInLimits:
    return current_app.extensions["cms.sign_in_limits"]


@bp.route("/login", methods=["GET", "POST"])
def login() -> ResponseReturnValue:
    if current_user.is_authenticated:
        return redirect(_next_url())
    form = LoginForm()
    if form.validate_on_submit():
        email, address = form.email.data or "", request.remote_addr or ""
        wait = _limits().seconds_to_wait(email, address)
        if wait:
            return too_many_attempts(wait)
        user = users.authenticate(email, form.password.data or "")
        if user is not None:
            next_url = _next_url()
            session.clear()  # a fresh session at sign-in, so a planted session id is worth nothing
            users.sign_in(user, user_agent=request.user_agent.string, now=clock.now())
            db.session.commit()
            login_user(user)
            return redirect(next_url)
        _limits().record(email, address)
        flash("That email and password do not match an account.", "error")
    status = FAILED if form.is_submitted() else 200
    return render_template("auth/login.html", form=form), status


def too_many_attempts(seconds: int) -> ResponseReturnValue:
    """The sign-in form again, saying how long to wait; the same words whether the account exists or not."""
    minutes = max(1, math.ceil(seconds / 60))
    flash(f"Too many failed attempts to sign in. Please wait {minutes} minute{'s' if minutes != 1 else ''} "
          "and try again.", "error")
    response = Response(render_template("auth/login.html", form=LoginForm()), status=429)
    response.headers["Retry-After"] = str(seconds)
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

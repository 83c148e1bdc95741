"""What every response says to the browser about trust: the content policy, framing, referrers, HTTPS.

Behind a reverse proxy, set PROXY_FIX to the number of proxies in front of the app (1 for nginx alone) so that
the client's address (for rate limits) and the scheme (for HSTS and secure cookies) are read from the proxy's
X-Forwarded-For/-Proto headers; without it those headers are ignored, since anyone can send them.
X-Forwarded-Host and -Prefix are trusted only when PROXY_FIX_HOST / PROXY_FIX_PREFIX say so: links never come
from them (see `cms.web.urls`), and a proxy that passes a client's own header on would let anyone choose them.
"""

from __future__ import annotations

import base64
import hashlib
import secrets
from functools import cache

from flask import Flask, Response, g, request
from werkzeug.middleware.proxy_fix import ProxyFix

#: Inline event handlers in Flask-Admin's own templates. A nonce cannot cover an attribute, so each exact text
#: is allowed by its hash ('unsafe-hashes'): without this, the delete button's confirmation would not run and
#: a click would delete at once. Any other handler, injected or not, stays blocked.
ADMIN_HANDLERS = (
    "return faHelpers.safeConfirm('Are you sure you want to delete this record?');",
    "return modelActions.execute('delete');",
    "return false;",
)
HSTS = "max-age=31536000"


def register(app: Flask) -> None:
    """Trust the configured proxies, mark cookies secure on an https site, and set the headers on every response."""
    proxies = int(app.config.get("PROXY_FIX") or 0)
    hosts, prefixes = int(app.config.get("PROXY_FIX_HOST") or 0), int(app.config.get("PROXY_FIX_PREFIX") or 0)
    if proxies or hosts or prefixes:
        app.wsgi_app = ProxyFix(  # type: ignore[method-assign]  # Flask's documented way to add middleware
            app.wsgi_app, x_for=proxies, x_proto=proxies, x_host=hosts, x_prefix=prefixes)
    if app.config["SITE_URL"].startswith("https://"):
        app.config["SESSION_COOKIE_SECURE"] = True
        app.config["REMEMBER_COOKIE_SECURE"] = True
    app.add_template_global(csp_nonce)
    app.after_request(add_headers)


def csp_nonce() -> str:
    """The nonce that lets this response's own inline scripts run; made on first use, once per request."""
    if "csp_nonce" not in g:
        g.csp_nonce = secrets.token_urlsafe(18)
    return g.csp_nonce


def content_security_policy(nonce: str | None) -> str:
    """The policy: scripts only from this site (or carrying this response's nonce), nothing framed or framing."""
    scripts = ["'self'"]
    if nonce:
        scripts.append(f"'nonce-{nonce}'")
    scripts += ["'unsafe-hashes'", *(_hash(handler) for handler in ADMIN_HANDLERS)]
    directives = {
        "default-src": "'self'",
        "script-src": " ".join(scripts),
        "style-src": "'self' 'unsafe-inline'",  # sanitized bodies keep text-align; Flask-Admin sets styles inline
        "img-src": "'self' https: data:",  # imported articles may show images from the old site
        "font-src": "'self' data:",
        "connect-src": "'self'",
        "object-src": "'none'",
        "base-uri": "'none'",
        "form-action": "'self'",
        "frame-ancestors": "'none'",
    }
    return "; ".join(f"{name} {value}" for name, value in directives.items())


@cache
def _common_headers() -> tuple[tuple[str, str], ...]:
    """The same for every response but the policy's nonce; made once, since every request sends them."""
    return (
        ("X-Content-Type-Options", "nosniff"),
        ("X-Frame-Options", "DENY"),
        # A reader's next site need not learn which article about grief or anxiety she was reading.
        ("Referrer-Policy", "same-origin"),
        ("Permissions-Policy", "camera=(), microphone=(), geolocation=(), payment=()"),
        ("Cross-Origin-Opener-Policy", "same-origin"),
    )


def add_headers(response: Response) -> Response:
    """Headers for every response; a view that set a stricter one of its own keeps it."""
    headers = response.headers
    # One pass: every request pays for this hook.
    present = {name.lower() for name in headers.keys()}  # noqa: SIM118 - Headers iterate as (name, value) pairs
    if "content-security-policy" not in present:
        nonce = g.get("csp_nonce")
        headers.add("Content-Security-Policy", content_security_policy(nonce) if nonce else _default_policy())
    for name, value in _common_headers():
        if name.lower() not in present:
            headers.add(name, value)
    if request.is_secure:
        headers.setdefault("Strict-Transport-Security", HSTS)
    return response


@cache
def _default_policy() -> str:
    return content_security_policy(None)


def _hash(script: str) -> str:
    return "'sha256-" + base64.b64encode(hashlib.sha256(script.encode()).digest()).decode() + "'"

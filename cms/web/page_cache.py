"""Rendered public answers kept in front of Flask, so a repeat costs one small query and no rendering.

A public view (see `caching.public`) marks a 200 answer with its cache key: the site version, the live set's
last go-live, the scheme and the URL. This WSGI middleware keeps such answers, whole with their final headers and
the articles they showed, and serves the next request for the same key without entering Flask while none of
those articles was edited since (`freshness.still_right`). A write that can change any page, in any process, or
a scheduled go-live makes new keys, so an entry can never be served for another state; old entries age out.

Only requests without cookies are served or stored here: a signed-in editor or a visitor with a message
waiting always gets a page rendered for her. Entries live in this process (least recently used out first,
bounded in bytes) or in Redis when CACHE_URL is set, so that several servers share one cache.
"""

from __future__ import annotations

import hashlib
import json
import threading
from collections import OrderedDict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from flask import Flask
from sqlalchemy.exc import SQLAlchemyError
from werkzeug.http import HTTP_STATUS_CODES, is_resource_modified, parse_etags

from cms.core import clock
from cms.services import freshness
from cms.web import circuit

MARKER = "X-CMS-Cache-Key"  # set by public views, removed here before the answer leaves
#: How long a front proxy (nginx's micro-cache) may keep a public answer without asking: a second after a write
#: at most, and never past the next scheduled go-live. nginx reads it and never passes it on to browsers.
PROXY_LIFETIME = "X-Accel-Expires"
MICRO_CACHE_SECONDS = 1
STATE = "cms.freshness"  # the environ key under which a miss hands its freshness state on to the view
SHOWN = "cms.shown"  # the environ key under which the view hands back what its answer showed: (Shown, version)
UNCACHED_PATHS = frozenset({"/healthz", "/readyz"})  # they must answer from this process, whatever the database
_NOT_KEPT = frozenset({MARKER.lower(), PROXY_LIFETIME.lower(), "set-cookie", "date", "server", "content-length"})


def proxy_lifetime(state: freshness.State, now: datetime) -> tuple[str, str]:
    """The PROXY_LIFETIME header for a public answer given at `now`: whole seconds, 0 (keep it not at all) when
    the next go-live is less than MICRO_CACHE_SECONDS away."""
    seconds = MICRO_CACHE_SECONDS
    if state.next_change_at is not None:
        seconds = min(seconds, int((state.next_change_at - now).total_seconds()))
    return PROXY_LIFETIME, str(max(0, seconds))


def page_key(state: freshness.State, environ: dict[str, Any]) -> str:
    """The key, and ETag, of the public answer to `environ` at `state`.

    A kept answer may depend only on what is in its key. The path and query choose the view and its arguments;
    the scheme decides HSTS. What else `url_for` would read from a request (Host, SCRIPT_NAME, X-Forwarded-*)
    is replaced by SITE_URL (`cms.web.urls`), so no request can make a page that links elsewhere for others.
    """
    address = f"{environ.get('wsgi.url_scheme')}|{environ.get('PATH_INFO', '')}?{environ.get('QUERY_STRING', '')}"
    return _digest(f"{state.key}|{address}")


def page_etag(state: freshness.State, environ: dict[str, Any], shown: freshness.Shown) -> str:
    """The ETag of the answer to `environ` at `state`, showing the articles `shown` as they were marked then.

    The same in every process for the same content: an edit of one of its articles marks it anew, and an
    answer following every article (`shown` None) names the public version.
    """
    showing = ",".join(f"{ident}:{mark}" for ident, mark in sorted(shown.items())) if shown is not None else (
        f"*{state.version}")
    return _digest(f"{page_key(state, environ)}|{showing}")


def _digest(text: str) -> str:
    return hashlib.blake2b(text.encode("latin-1"), digest_size=12).hexdigest()


@dataclass(frozen=True)
class Entry:
    body: bytes
    headers: list[tuple[str, str]]
    etag: str = ""
    shown: freshness.Shown = None  # what it showed (see freshness.still_right)
    version: int = -1  # the public version it was built at

    def dumps(self) -> bytes:
        head = {"headers": self.headers, "etag": self.etag, "version": self.version,
                "shown": list(self.shown.items()) if self.shown is not None else None}
        return json.dumps(head).encode() + b"\n" + self.body

    @classmethod
    def loads(cls, data: bytes) -> Entry:
        head, _, body = data.partition(b"\n")
        fields = json.loads(head)
        shown = fields["shown"]
        return cls(body=body, headers=[(name, value) for name, value in fields["headers"]], etag=fields["etag"],
                   shown=dict(shown) if shown is not None else None, version=fields["version"])


class MemoryStore:
    def __init__(self, max_bytes: int) -> None:
        self.max_bytes, self.size = max_bytes, 0
        self.entries: OrderedDict[str, Entry] = OrderedDict()
        self.lock = threading.Lock()

    def get(self, key: str) -> Entry | None:
        with self.lock:
            entry = self.entries.get(key)
            if entry is not None:
                self.entries.move_to_end(key)
            return entry

    def put(self, key: str, entry: Entry) -> None:
        if len(entry.body) > self.max_bytes // 8:
            return  # one huge answer must not push out everything else
        with self.lock:
            old = self.entries.pop(key, None)
            self.size += len(entry.body) - (len(old.body) if old else 0)
            self.entries[key] = entry
            while self.size > self.max_bytes:
                _, dropped = self.entries.popitem(last=False)
                self.size -= len(dropped.body)


class RedisStore:
    """Pages shared through Redis, with a bound on every call (REDIS_TIMEOUT, no retries) and a circuit breaker.

    While Redis does not answer, pages are kept in this process instead (`fallback`): keys name the content's
    state, so a local copy is as correct as a shared one, and readers keep getting cached pages at cached speed.
    """

    TTL_SECONDS = 24 * 3600  # entries for superseded states are never asked for again; let them expire

    def __init__(self, url: str, fallback: MemoryStore) -> None:
        import redis
        from redis.backoff import NoBackoff
        from redis.retry import Retry

        self.client = redis.Redis.from_url(url, socket_timeout=circuit.REDIS_TIMEOUT,
                                           socket_connect_timeout=circuit.REDIS_TIMEOUT,
                                           retry=Retry(NoBackoff(), 0))  # the default retries back off for seconds
        self.fallback = fallback
        self.breaker = circuit.Breaker("The page cache's Redis (CACHE_URL)")

    def get(self, key: str) -> Entry | None:
        if not self.breaker.allows():
            return self.fallback.get(key)
        try:
            data = self.client.get(f"cms:page:{key}")
        except Exception as error:  # noqa: BLE001 - a cache that is down is a cache miss, never an error page
            self.breaker.failed(error)
            return self.fallback.get(key)
        self.breaker.succeeded()
        return Entry.loads(data) if isinstance(data, bytes) and data else None  # a sync client: bytes or None

    def put(self, key: str, entry: Entry) -> None:
        if not self.breaker.allows():
            self.fallback.put(key, entry)
            return
        try:
            self.client.set(f"cms:page:{key}", entry.dumps(), ex=self.TTL_SECONDS)
        except Exception as error:  # noqa: BLE001 - see get()
            self.breaker.failed(error)
            self.fallback.put(key, entry)

    def ping(self) -> bool:
        """Whether Redis answers now (for /readyz and the check at start), whatever the breaker says."""
        return bool(self.client.ping())


class PageCache:
    """The WSGI middleware; `store` is None when PAGE_CACHE_BYTES is 0."""

    def __init__(self, app: Flask, wsgi_app: Callable, store: MemoryStore | RedisStore | None) -> None:
        self.app, self.wsgi_app, self.store = app, wsgi_app, store

    def __call__(self, environ: dict[str, Any], start_response: Callable) -> Iterable[bytes]:
        store = self.store
        if (store is None or environ.get("REQUEST_METHOD") != "GET" or environ.get("HTTP_COOKIE")
                or environ.get("PATH_INFO") in UNCACHED_PATHS):
            return self._strip_marker(environ, start_response)
        try:
            with self.app.app_context():
                now = clock.now()
                state = freshness.state(now)
                key = page_key(state, environ)
                entry = store.get(key)
                if entry is not None and not freshness.still_right(state, entry.shown, entry.version):
                    entry = None
        except SQLAlchemyError:  # the database is down: let the app answer (static files, its own error page)
            return self._strip_marker(environ, start_response)
        if entry is None:
            environ[STATE] = state  # read once per request, not again by the view
            return self._fill(store, key, environ, start_response)
        status = conditional_status(environ, entry.etag, dict(entry.headers).get("Last-Modified"))
        lifetime = proxy_lifetime(state, now)  # from now, not from when the entry was kept
        if status is not None:
            start_response(f"{status} {HTTP_STATUS_CODES[status]}",
                           [lifetime, *((name, value) for name, value in entry.headers
                                        if name.lower() != "content-type")])
            return []
        start_response("200 OK", [lifetime, *entry.headers, ("Content-Length", str(len(entry.body)))])  # see caching
        return [entry.body]

    def _fill(self, store: MemoryStore | RedisStore, key: str, environ: dict[str, Any],
              start_response: Callable) -> Iterable[bytes]:
        answer: dict[str, Any] = {}

        def capture(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Callable:
            answer["key"] = next((value for name, value in headers if name == MARKER), None)
            answer["status"] = status
            answer["sets_cookie"] = any(name.lower() == "set-cookie" for name, _ in headers)
            answer["headers"] = [(name, value) for name, value in headers if name.lower() not in _NOT_KEPT]
            return _start(start_response, status, headers, exc_info)

        body = self.wsgi_app(environ, capture)
        if answer.get("key") != key or not answer["status"].startswith("200 ") or answer["sets_cookie"]:
            return body
        try:
            data = b"".join(body)
        finally:
            getattr(body, "close", lambda: None)()
        shown, version = environ[SHOWN]
        store.put(key, Entry(data, answer["headers"], etag=_unquoted(dict(answer["headers"])["ETag"]), shown=shown,
                             version=version))
        return [data]

    def _strip_marker(self, environ: dict[str, Any], start_response: Callable) -> Iterable[bytes]:
        def without_marker(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Callable:
            return _start(start_response, status, headers, exc_info)

        return self.wsgi_app(environ, without_marker)


def conditional_status(environ: dict[str, Any], etag: str, last_modified: datetime | str | None) -> int | None:
    """Return 304 when the request's copy of a 200 answer is current, 412 when its If-Match names another
    version, or None: send the answer.

    The one conditional-GET rule of the page cache and of `caching.public`, evaluated by Werkzeug (as
    `Response.make_conditional` does). Ask it only about an answer known to be a 200 at this state: a server
    ignores preconditions on any other answer (RFC 9110, 13.2.1), so `If-None-Match: *` or a date in the
    future never turns a 404 into a 304.
    """
    if is_resource_modified(environ, etag=etag, last_modified=last_modified):
        return None
    return 412 if parse_etags(environ.get("HTTP_IF_MATCH")) else 304


def _unquoted(etag: str) -> str:
    return etag.strip('"')


def _start(start_response: Callable, status: str, headers: list[tuple[str, str]], exc_info: Any) -> Callable:
    headers = [(name, value) for name, value in headers if name != MARKER]
    return start_response(status, headers, exc_info) if exc_info else start_response(status, headers)


def install(app: Flask) -> None:
    """Put the page cache in front of `app`, with the store its configuration asks for."""
    url = app.config.get("CACHE_URL")
    max_bytes = app.config.get("PAGE_CACHE_BYTES", 64 * 1024 * 1024)
    store = None if max_bytes == 0 else RedisStore(url, MemoryStore(max_bytes)) if url else MemoryStore(max_bytes)
    app.extensions["cms_page_cache"] = store
    app.wsgi_app = PageCache(app, app.wsgi_app, store)  # type: ignore[method-assign]  # Flask's middleware pattern

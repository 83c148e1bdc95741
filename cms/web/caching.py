"""Conditional GET for public answers: ETag and Last-Modified from content freshness and the articles shown."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from flask import make_response, request, session
from flask.typing import ResponseReturnValue
from werkzeug.http import http_date
from werkzeug.wrappers import Response

from cms.core import clock
from cms.extensions import db
from cms.services import freshness
from cms.web.page_cache import MARKER, SHOWN, STATE, conditional_status, page_etag, page_key, proxy_lifetime

# Browsers and a CDN may keep public answers but must ask again each time (a 304 is cheap), so no cached copy
# shows an article before its time or after it is unpublished.
CACHE_CONTROL = "public, no-cache"
#: Views whose answer follows what any live article says, not only the articles it loads: search matches their
#: text, the sitemap gives their edit times. Their ETag changes with every write readers see.
EVERY_ARTICLE = frozenset({"public.search", "public.sitemap"})


def public(view: Callable[..., ResponseReturnValue]) -> Callable[..., ResponseReturnValue]:
    """Mark a view whose answer depends only on public content and the URL.

    Its ETag changes with every write that can change any page, every scheduled go-live, and every edit of an
    article it shows (see services.freshness); a request holding this very ETag gets a 304. `no-cache` lets
    browsers and a CDN keep the answer but ask again each time, so no cached copy shows an article before its
    time or after it is unpublished. Work on drafts changes no ETag.
    """

    @functools.wraps(view)
    def wrapper(*args: Any, **kwargs: Any) -> ResponseReturnValue:
        if session.get("_flashes"):  # a message for this visitor only ("You are signed out."): never cached
            response = make_response(view(*args, **kwargs))
            response.cache_control.private = True
            response.cache_control.no_store = True
            return response
        now = clock.now()
        state = request.environ.get(STATE) or freshness.state(now)
        freshness.record_shown(db.session())
        response = make_response(view(*args, **kwargs))
        shown = freshness.shown(db.session())
        if response.status_code != 200:
            return response
        if request.endpoint in EVERY_ARTICLE:
            shown = None
        etag = page_etag(state, request.environ, shown)
        last_modified = state.changed_at.replace(microsecond=0)
        # The proxy's lifetime before Cache-Control: nginx reads headers in order, and only an X-Accel-Expires
        # already read keeps it from taking `no-cache` as "keep nothing".
        validators = [proxy_lifetime(state, now), ("ETag", f'"{etag}"'),
                      ("Last-Modified", http_date(last_modified)), ("Cache-Control", CACHE_CONTROL)]
        status = conditional_status(request.environ, etag, last_modified)
        if status is not None:  # the answer is known to exist, so preconditions apply
            return Response(status=status, headers=validators)
        response.headers.extend(validators)
        response.headers[MARKER] = page_key(state, request.environ)  # the page cache in front may keep this answer
        request.environ[SHOWN] = (shown, state.version)
        response.vary.add("Accept-Encoding")
        return response

    return wrapper

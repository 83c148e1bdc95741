"""Conditional GET for public answers: ETag and Last-Modified from content freshness, 304 without rendering."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from flask import make_response, request, session
from flask.typing import ResponseReturnValue
from werkzeug.http import http_date
from werkzeug.wrappers import Response

from cms.core import clock
from cms.services import freshness
from cms.web.page_cache import MARKER, STATE, conditional_status, page_key, proxy_lifetime

# Browsers and a CDN may keep public answers but must ask again each time (a 304 is cheap), so no cached copy
# shows an article before its time or after it is unpublished.
CACHE_CONTROL = "public, no-cache"


def public(view: Callable[..., ResponseReturnValue]) -> Callable[..., ResponseReturnValue]:
    """Mark a view whose answer depends only on public content and the URL.

    Its ETag changes with every write readers can see and every scheduled go-live, so a request holding this
    very ETag gets a 304 before the view runs. `no-cache` lets browsers and a CDN keep the answer but ask again
    each time, so no cached copy shows an article before its time or after it is unpublished. Work on drafts
    changes no ETag (see services.freshness); a live edit changes them all, the version being one number.
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
        key = page_key(state, request.environ)
        last_modified = state.changed_at.replace(microsecond=0)
        # The proxy's lifetime before Cache-Control: nginx reads headers in order, and only an X-Accel-Expires
        # already read keeps it from taking `no-cache` as "keep nothing".
        validators = [proxy_lifetime(state, now), ("ETag", f'"{key}"'), ("Last-Modified", http_date(last_modified)),
                      ("Cache-Control", CACHE_CONTROL)]
        status = conditional_status(request.environ, key, last_modified)
        if status is not None and _holds(key):
            return Response(status=status, headers=validators)
        response = make_response(view(*args, **kwargs))
        if response.status_code != 200:
            return response
        if status is not None:  # `If-None-Match: *` or a date, now known to be about an answer that exists
            return Response(status=status, headers=validators)
        response.headers.extend(validators)
        response.headers[MARKER] = key  # the page cache in front may keep this answer
        response.vary.add("Accept-Encoding")
        return response

    return wrapper


def _holds(etag: str) -> bool:
    """Whether the request names `etag` itself: given out for this URL at this state, so the answer is a 200."""
    return not request.if_none_match.star_tag and request.if_none_match.contains_weak(etag)

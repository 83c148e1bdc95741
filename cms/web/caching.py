"""Conditional GET for public answers: ETag and Last-Modified from content freshness, 304 without rendering."""

from __future__ import annotations

import functools
import hashlib
from collections.abc import Callable
from typing import Any

from flask import current_app, make_response, request, session
from flask.typing import ResponseReturnValue
from werkzeug.wrappers import Response

from cms.core import clock
from cms.services import freshness
from cms.web.page_cache import KEPT_HEADERS, Entry


def public(view: Callable[..., ResponseReturnValue]) -> Callable[..., ResponseReturnValue]:
    """Mark a view whose answer depends only on public content and the URL.

    Its ETag changes with every write and every scheduled go-live, so a matching request gets a 304 before
    the view runs. `no-cache` lets browsers and a CDN keep the answer but ask again each time, so no cached
    copy shows an article before its time or after it is unpublished.
    """

    @functools.wraps(view)
    def wrapper(*args: Any, **kwargs: Any) -> ResponseReturnValue:
        if session.get("_flashes"):  # a message for this visitor only ("You are signed out."): never cached
            response = make_response(view(*args, **kwargs))
            response.cache_control.private = True
            response.cache_control.no_store = True
            return response
        state = freshness.state(clock.now())
        etag = hashlib.blake2b(f"{state.key}|{request.full_path}".encode(), digest_size=12).hexdigest()
        last_modified = state.changed_at.replace(microsecond=0)
        if _is_fresh(etag, last_modified):
            return _headers(Response(status=304), etag, last_modified)
        cache = current_app.extensions.get("cms_page_cache")
        entry = cache.get(etag) if cache is not None else None
        if entry is not None:
            return _headers(Response(entry.body, headers=entry.headers), etag, last_modified)
        response = make_response(view(*args, **kwargs))
        if response.status_code == 200:
            if cache is not None and not response.headers.getlist("Set-Cookie"):
                kept = [(name, value) for name, value in response.headers.items() if name in KEPT_HEADERS]
                cache.put(etag, Entry(response.get_data(), kept))
            _headers(response, etag, last_modified)
        return response

    return wrapper


def _is_fresh(etag: str, last_modified) -> bool:
    if request.if_none_match:
        return request.if_none_match.contains(etag)
    since = request.if_modified_since
    return since is not None and since >= last_modified


def _headers(response: Response, etag: str, last_modified) -> Response:
    response.set_etag(etag)
    response.last_modified = last_modified
    response.cache_control.public = True
    response.cache_control.no_cache = True
    response.vary.add("Accept-Encoding")
    return response

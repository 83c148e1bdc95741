"""Every address the app writes is on SITE_URL: the scheme, host and path readers know the site by.

A request's Host, X-Forwarded-* and SCRIPT_NAME say where that one request was sent, and anyone can forge them.
A page built from them and then kept by the page cache (or a proxy's) would send every later reader where the
forger chose. So URL building is bound to SITE_URL for every request, and outside requests too (the CLI, pings
sent from a thread): `url_for` gives paths under SITE_URL's path, and with `_external=True` its scheme and host.
Which view answers still depends only on the request's PATH_INFO.
"""

from __future__ import annotations

from functools import cache, lru_cache
from typing import Any
from urllib.parse import SplitResult, urlsplit

from flask import Flask, Request, current_app, has_request_context
from werkzeug.routing import MapAdapter

#: Addresses remembered per app: every page links the same menu, feeds and stylesheets, and lists link the same
#: articles; bounded, since a view may build one from what a request names.
BUILT_URLS = 8192


class SiteBoundFlask(Flask):
    """Flask, with URL adapters bound to SITE_URL instead of the request's claims about where it was sent.

    Bound so, an endpoint and its values give the same address for as long as the process runs (the url map,
    SITE_URL and the static files' hashes are fixed once it serves), so each address is built once, not on every
    page that links it. The debug server builds every time: there a stylesheet edited must get its new hash.
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._built_url = lru_cache(maxsize=BUILT_URLS)(self._build_url)

    def url_for(self, /, endpoint: str, **options: Any) -> str:
        if self.debug or endpoint[:1] == ".":  # a "." endpoint is relative to the request's blueprint
            return super().url_for(endpoint, **options)
        try:
            return self._built_url(endpoint, has_request_context(), tuple(options.items()))
        except TypeError:  # a value that cannot be a key (a list of query values): built as Flask builds it
            return super().url_for(endpoint, **options)

    def _build_url(self, endpoint: str, _in_request: bool, options: tuple[tuple[str, Any], ...]) -> str:
        """Outside a request Flask makes addresses external by default, so whether one is active is in the key."""
        return super().url_for(endpoint, **dict(options))

    def create_url_adapter(self, request: Request | None) -> MapAdapter | None:
        matching = super().create_url_adapter(request)  # TRUSTED_HOSTS and the path to match, as Flask reads them
        site = _site(self.config["SITE_URL"])
        if matching is None:
            return self.url_map.bind(site.netloc, script_name=site.path or "/", url_scheme=site.scheme)
        return self.url_map.bind(site.netloc, script_name=site.path or "/", url_scheme=site.scheme,
                                 subdomain=matching.subdomain, path_info=matching.path_info,
                                 default_method=matching.default_method, query_args=matching.query_args)


@cache
def _site(url: str) -> SplitResult:
    return urlsplit(url)


def on_site(path: str) -> str:
    """Return `path`, given from the site's root, under SITE_URL's path, as `url_for` gives addresses."""
    return _site(current_app.config["SITE_URL"]).path.rstrip("/") + path

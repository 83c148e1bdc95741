"""Every address the app writes is on SITE_URL: the scheme, host and path readers know the site by.

A request's Host, X-Forwarded-* and SCRIPT_NAME say where that one request was sent, and anyone can forge them.
A page built from them and then kept by the page cache (or a proxy's) would send every later reader where the
forger chose. So URL building is bound to SITE_URL for every request, and outside requests too (the CLI, pings
sent from a thread): `url_for` gives paths under SITE_URL's path, and with `_external=True` its scheme and host.
Which view answers still depends only on the request's PATH_INFO.
"""

from __future__ import annotations

from functools import cache
from urllib.parse import SplitResult, urlsplit

from flask import Flask, Request, current_app
from werkzeug.routing import MapAdapter


class SiteBoundFlask(Flask):
    """Flask, with URL adapters bound to SITE_URL instead of the request's claims about where it was sent."""

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

"""A cached public answer depends only on its key: every address in it comes from SITE_URL, none from a request.

The attacker asks first, with a forged Host, X-Forwarded-* or SCRIPT_NAME, so that her answer is the one the
page cache keeps; the next reader must get the same bytes, and every link in them must lead to SITE_URL.
"""

from __future__ import annotations

import re

import pytest
from flask import request

from cms import create_app
from tests.web.reading_site import reading_site  # noqa: F401 - the fixture

SITE = "https://therapy.example/blog"
EVIL = "evil.example"

PUBLIC_URLS = ["/", "/articles/ambivalence", "/series/", "/series/mothers-and-daughters", "/tags/", "/tags/grief",
               "/archive/", "/search?q=grief", "/about", "/sitemap.xml", "/robots.txt", "/feed.xml", "/feed.atom",
               "/series/grief/feed.atom", "/tags/grief/feed.xml", "/api/articles", "/api/articles/ambivalence",
               "/api/series", "/api/series/grief", "/api/tags"]

#: What a request can claim about where it was sent: each changes what `url_for` reads from the WSGI environ.
CLAIMS = {
    "host": {"headers": {"Host": EVIL}},
    "forwarded": {"headers": {"X-Forwarded-Host": EVIL, "X-Forwarded-Prefix": f"https://{EVIL}",
                              "X-Forwarded-For": "203.0.113.9"}},
    "script-name": {"environ_overrides": {"SCRIPT_NAME": f"//{EVIL}"}},  # gunicorn takes it from a header
}

#: Addresses an answer may hold that are not the site's: XML namespaces, schema.org, the feed generator.
FOREIGN = ("http://www.w3.org/", "http://www.sitemaps.org/", "https://schema.org", "http://purl.org/",
           "http://www.rssboard.org/rss-specification", "https://lkiesow.github.io/python-feedgen")
ADDRESS = re.compile(r"""(?:https?:)?//[^\s"'<>\\]+""")


@pytest.fixture
def app_config(app_config: dict) -> dict:
    return {**app_config, "SITE_URL": SITE, "PROXY_FIX": 1}


def _addresses(body: str) -> list[str]:
    return [address for address in ADDRESS.findall(body) if not address.startswith(FOREIGN)]


@pytest.mark.parametrize("claim", CLAIMS.values(), ids=CLAIMS.keys())
def test_a_cached_page_is_the_same_whatever_host_prefix_or_script_name_the_request_claims(
        app, client, reading_site, claim):
    store = app.extensions["cms_page_cache"]
    for url in PUBLIC_URLS:
        forged = client.get(url, **claim)
        assert forged.status_code == 200, url
        kept = len(store.entries)
        honest = client.get(url)
        assert honest.status_code == 200 and len(store.entries) == kept, f"{url}: not served from the forged entry"
        assert honest.get_data() == forged.get_data(), url
        body = honest.get_data(as_text=True)
        assert EVIL not in body, url
        addresses = _addresses(body)
        assert addresses, f"{url} names no address: its own or another page's"
        assert [address for address in addresses if not address.startswith(f"{SITE}/")] == [], url


@pytest.mark.parametrize("claim", CLAIMS.values(), ids=CLAIMS.keys())
def test_canonical_links_and_navigation_point_to_site_url_whatever_the_request_claims(client, reading_site, claim):
    page = client.get("/articles/ambivalence", **claim).get_data(as_text=True)
    assert f'<link rel="canonical" href="{SITE}/articles/ambivalence">' in page
    assert f'<meta property="og:url" content="{SITE}/articles/ambivalence">' in page
    assert 'href="/blog/series/mothers-and-daughters"' in page  # the path SITE_URL is served under
    assert f'href="{SITE}/feed.atom"' in page


@pytest.mark.parametrize("claim", CLAIMS.values(), ids=CLAIMS.keys())
def test_a_slash_redirect_stays_on_site_url_whatever_the_request_claims(client, claim):
    response = client.get("/series", **claim)
    assert response.status_code == 308 and response.location == f"{SITE}/series/"


def _where(app) -> str:
    @app.get("/test-where")
    def where() -> str:
        return f"{request.host} {request.script_root}"

    return app.test_client().get("/test-where", headers={"X-Forwarded-Host": EVIL, "X-Forwarded-Prefix": "/shop",
                                                         "X-Forwarded-Proto": "https"}).get_data(as_text=True)


def test_forwarded_host_and_prefix_count_only_when_configured_apart_from_proxy_fix(app, app_config):
    assert _where(create_app(app_config)) == "localhost "  # PROXY_FIX=1 trusts the address and scheme only
    trusting = create_app({**app_config, "PROXY_FIX_HOST": 1, "PROXY_FIX_PREFIX": 1})
    assert _where(trusting) == f"{EVIL} /shop"

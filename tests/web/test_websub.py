"""WebSub: feeds advertise the hub, and the hub hears when the live set changes, from the web app alone."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, HTTPServer
from urllib.parse import parse_qs

import feedparser
import pytest
from lxml import etree

from cms.core import clock
from cms.core.workflow import Status
from cms.extensions import db
from cms.models import User
from cms.services import articles
from tests.web.reading_site import reading_site  # noqa: F401 - the fixture

BASE = "http://127.0.0.1:5000"
SITE_FEEDS = [f"{BASE}/feed.xml", f"{BASE}/feed.atom"]


class StandInHub(HTTPServer):
    """A hub on loopback that accepts every publish ping and remembers the feed URLs it was given."""

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), _HubHandler)
        self.pinged: list[str] = []
        self.url = f"http://127.0.0.1:{self.server_port}/"


class _HubHandler(BaseHTTPRequestHandler):
    def do_POST(self) -> None:
        form = parse_qs(self.rfile.read(int(self.headers["Content-Length"])).decode())
        if form.get("hub.mode") == ["publish"]:
            self.server.pinged.extend(form["hub.url"])
            self.send_response(204)
        else:
            self.send_response(400)
        self.end_headers()

    def log_message(self, *args) -> None:
        pass


@pytest.fixture
def hub() -> Iterator[StandInHub]:
    server = StandInHub()
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()
    thread.join()


@pytest.fixture
def app_config(app_config: dict, hub: StandInHub) -> dict:
    return {**app_config, "WEBSUB_HUB": hub.url}


def pings_after(app, client, url: str, hub: StandInHub) -> list[str]:
    """Request `url`, wait until the app has sent what it decided to send, and return those pings."""
    already = len(hub.pinged)
    assert client.get(url).status_code in (200, 404)
    app.extensions["websub"].wait()
    return hub.pinged[already:]


@pytest.mark.parametrize("url", ["/feed.xml", "/feed.atom", "/series/grief/feed.atom", "/tags/grief/feed.xml"])
def test_feeds_advertise_the_hub_in_the_feed_and_in_a_link_header(client, reading_site, hub, url):
    response = client.get(url)
    document = etree.fromstring(response.data)
    hubs = document.xpath("//a:link[@rel='hub']/@href", namespaces={"a": "http://www.w3.org/2005/Atom"})
    assert hubs == [hub.url]
    assert response.headers["Link"] == f'<{hub.url}>; rel="hub", <{BASE}{url}>; rel="self"'
    assert feedparser.parse(response.data).bozo == 0


def test_a_process_pings_the_site_feeds_once_when_it_first_looks(app, client, reading_site, hub):
    assert pings_after(app, client, "/", hub) == SITE_FEEDS
    assert pings_after(app, client, "/about", hub) == []
    assert pings_after(app, client, "/feed.xml", hub) == []


def test_a_scheduled_part_going_live_pings_its_feeds_on_the_next_request(app, client, reading_site, hub,
                                                                          monkeypatch):
    pings_after(app, client, "/", hub)
    monkeypatch.setattr(clock, "now", lambda: reading_site.scheduled_at - timedelta(seconds=1))
    assert pings_after(app, client, "/archive/", hub) == []
    monkeypatch.setattr(clock, "now", lambda: reading_site.scheduled_at + timedelta(minutes=3))
    assert pings_after(app, client, "/articles/no-such-article", hub) == [
        *SITE_FEEDS,
        f"{BASE}/series/mothers-and-daughters/feed.xml", f"{BASE}/series/mothers-and-daughters/feed.atom",
        f"{BASE}/tags/mother-daughter/feed.xml", f"{BASE}/tags/mother-daughter/feed.atom",
        f"{BASE}/tags/resentment/feed.xml", f"{BASE}/tags/resentment/feed.atom",
    ]
    assert pings_after(app, client, "/", hub) == []


def test_publishing_now_pings_the_hub(app, client, make, reading_site, hub):
    pings_after(app, client, "/", hub)
    make.article("Fresh thoughts", status=Status.DRAFT, slug="fresh", tags=("therapy",))
    editor_id = make.user("editor")
    assert pings_after(app, client, "/", hub) == [], "a new draft changes nothing readers see"
    with app.app_context():
        articles.change_status(articles.find_by_slug("fresh"), Status.PUBLISHED,
                               by=db.session.get(User, editor_id), now=clock.now())
        db.session.commit()
    assert pings_after(app, client, "/", hub) == [*SITE_FEEDS, f"{BASE}/tags/therapy/feed.xml",
                                                  f"{BASE}/tags/therapy/feed.atom"]


def test_a_hub_that_does_not_answer_never_breaks_a_page(app, client, reading_site, hub):
    app.config["WEBSUB_HUB"] = "http://127.0.0.1:9/"  # the discard port: nothing listens
    assert client.get("/").status_code == 200
    app.extensions["websub"].wait()
    assert hub.pinged == []

"""RSS 2.0 and Atom 1.0 feeds of the site, each series and each tag; WebSub pings when the live set changes.

A scheduled article enters every feed at its time because feeds, like pages, ask for live articles at the
request's time. No background job is needed for that, nor for the ping: the first request that sees the live
set changed (a publish, an edit, or a scheduled time passing) tells the hub, from a thread of this process.
"""

from __future__ import annotations

import functools
import logging
import queue
import threading
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from urllib.parse import urlsplit

from flask import Blueprint, Response, abort, current_app, request
from flask.blueprints import BlueprintSetupState
from flask.typing import ResponseReturnValue

from cms.core import clock, feeds
from cms.models import Article
from cms.services import freshness, reader, related, users
from cms.web.caching import public
from cms.web.public import absolute_url
from cms.web.templating import serves_readers, shown_settings

bp = Blueprint("feeds", __name__)
serves_readers(bp)
log = logging.getLogger(__name__)

FORMATS: dict[str, tuple[Callable[[feeds.Feed, Sequence[feeds.Entry]], bytes], str]] = {
    "xml": (feeds.rss, "application/rss+xml"),
    "atom": (feeds.atom, "application/atom+xml"),
}
PING_TIMEOUT_SECONDS = 10


@bp.get("/feed.<any(xml, atom):kind>")
@public
def site_feed(kind: str) -> ResponseReturnValue:
    now = clock.now()
    settings = shown_settings()
    keys = freshness.kept_keys(now, ("feed", settings.feed_size),
                               lambda: reader.keys(now, per_page=settings.feed_size)).items

    def heading(updated_at: datetime | None) -> feeds.Feed:
        return _feed(settings.title, settings.tagline or f"New articles from {settings.title}",
                     absolute_url("public.home"), "feeds.site_feed", {}, updated_at, now)

    return _answer(kind, ("site",), keys, heading, now)


@bp.get("/series/<slug>/feed.<any(xml, atom):kind>")
@public
def series_feed(slug: str, kind: str) -> ResponseReturnValue:
    now = clock.now()
    settings = shown_settings()
    series = reader.series(slug, now) or abort(404)
    keys = freshness.kept_keys(now, ("series feed", series.id, settings.feed_size),
                               lambda: reader.newest_part_keys(series.id, now, settings.feed_size))
    title, description, created_at = series.title, series.description, series.created_at

    def heading(updated_at: datetime | None) -> feeds.Feed:
        return _feed(f"{title} · {settings.title}", description or f"The parts of “{title}”.",
                     absolute_url("public.series", slug=slug), "feeds.series_feed", {"slug": slug}, updated_at, now,
                     feed_id=feeds.tag_uri(_authority(), created_at, f"series-{series.id}"))

    return _answer(kind, ("series", series.id), keys, heading, now)


@bp.get("/tags/<slug>/feed.<any(xml, atom):kind>")
@public
def tag_feed(slug: str, kind: str) -> ResponseReturnValue:
    now = clock.now()
    settings = shown_settings()
    tag = reader.tag(slug, now) or abort(404)
    keys = freshness.kept_keys(now, ("tag feed", tag.id, settings.feed_size),
                               lambda: reader.keys(now, tag_id=tag.id, per_page=settings.feed_size)).items
    name = tag.name

    def heading(updated_at: datetime | None) -> feeds.Feed:
        return _feed(f"Articles tagged “{name}” · {settings.title}", f"Articles about {name}.",
                     absolute_url("public.tag", slug=slug), "feeds.tag_feed", {"slug": slug}, updated_at, now)

    return _answer(kind, ("tag", tag.id), keys, heading, now)


def _feed(title: str, description: str, page_url: str, endpoint: str, values: dict, updated_at: datetime | None,
          now: datetime, feed_id: str | None = None) -> feeds.Feed:
    """The feed's own details; it was last updated when its newest entry was, or, empty, when content last was."""
    settings = shown_settings()
    return feeds.Feed(
        id=feed_id or page_url, title=title, description=description, page_url=page_url,
        rss_url=absolute_url(endpoint, kind="xml", **values), atom_url=absolute_url(endpoint, kind="atom", **values),
        author=settings.author_name or settings.title,
        updated_at=updated_at or freshness.state(now).changed_at, hub_url=_hub_url())


def _answer(kind: str, scope: tuple, keys: list[reader.Key], heading: Callable[[datetime | None], feeds.Feed],
            now: datetime) -> Response:
    """The feed of the articles `keys` name, as `kind`: written once per content state and versions of its
    entries, since it changes only when one of them does (or anything else readers see, which is a new state)."""
    freshness.note_keys(keys)
    versions = tuple((key.id, key.version) for key in keys)
    xml = _feeds.get(now, (kind, scope, versions), lambda: _write(kind, keys, heading, now))
    response = Response(xml, mimetype=FORMATS[kind][1])
    hub_url = _hub_url()
    if hub_url:  # WebSub discovery also reads the HTTP headers
        self_url = absolute_url(request.endpoint or "", **(request.view_args or {}))
        response.headers["Link"] = f'<{hub_url}>; rel="hub", <{self_url}>; rel="self"'
    return response


#: Whole feeds by kind, scope and the versions of their entries, written once per content state.
_feeds: freshness.PerState[bytes] = freshness.PerState(size=32, follows_loads=False)


def _write(kind: str, keys: list[reader.Key], heading: Callable[[datetime | None], feeds.Feed], now: datetime) -> bytes:
    """Entries not kept yet are read in one query, with their bodies."""
    find = reader.read_together([key.id for key in keys], now, with_bodies=True)

    def entry(key: reader.Key) -> feeds.Entry | None:
        article = find(key.id)  # None only if it went from view since the keys were read
        return _entry(article, related.body_for_readers(article, now)) if article is not None else None

    kept = [_entries.get(now, (key.id, key.version), functools.partial(entry, key)) for key in keys]
    entries = [item for item in kept if item is not None]
    render = FORMATS[kind][0]
    return render(heading(max((item.updated_at for item in entries), default=None)), entries)


def _hub_url() -> str | None:
    return current_app.config.get("WEBSUB_HUB") or None


#: Entries by article and version: the linked body made absolute, the byline and the tags, once per content state.
#: Named wholly by their article's version, like cards: the batch read of one feed's items ties no entry to the rest.
_entries: freshness.PerState[feeds.Entry | None] = freshness.PerState(size=512, follows_loads=False)


def _entry(article: Article, body: str) -> feeds.Entry:
    """One article as a feed carries it: the body its page shows, with links made absolute for feed readers."""
    settings = shown_settings()
    url = absolute_url("public.article", slug=article.slug)
    return feeds.Entry(
        id=article_id(article), title=article.title, url=url,
        summary=article.summary or feeds.excerpt(article.body_text),
        html=feeds.absolute_links(body, url),
        author=users.byline(article.author, settings).name,
        published_at=article.shown_at or article.updated_shown_at, updated_at=article.updated_shown_at,
        categories=tuple((tag.name, tag.name, absolute_url("public.tag", slug=tag.slug)) for tag in article.tags))


def article_id(article: Article) -> str:
    """The entry id of `article` in every feed: from its id and creation date, never its slug or title."""
    return feeds.tag_uri(_authority(), article.created_at, f"article-{article.id}")


def _authority() -> str:
    return urlsplit(current_app.config["SITE_URL"]).hostname or "localhost"


# WebSub -----------------------------------------------------------------------------------------------------


@dataclass
class Announcer:
    """What this process last saw of the live set, and one thread that tells the hub in the background.

    Each process starts knowing nothing, so its first request pings the site feeds once: a hub may hear of
    a change twice, never miss one.
    """

    seen: tuple[tuple, datetime] | None = None  # (live fingerprint, when it was seen)
    lock: threading.Lock = field(default_factory=threading.Lock)
    pings: queue.Queue = field(default_factory=queue.Queue)
    worker: threading.Thread | None = None

    def observe(self, fingerprint: tuple, now: datetime) -> tuple[bool, datetime | None]:
        """Record `fingerprint`; return whether it differs from the last one seen, and when that was seen."""
        with self.lock:
            previous = self.seen
            if previous is not None and previous[0] == fingerprint:
                return False, None
            self.seen = (fingerprint, now)
            return True, previous[1] if previous else None

    def send(self, hub_url: str, feed_urls: list[str]) -> None:
        with self.lock:
            if self.worker is None or not self.worker.is_alive():
                self.worker = threading.Thread(target=self._work, name="websub-pings", daemon=True)
                self.worker.start()
        self.pings.put((hub_url, feed_urls))

    def wait(self) -> None:
        """Block until every ping asked for so far has been sent (or has failed)."""
        self.pings.join()

    def _work(self) -> None:
        while True:
            hub_url, feed_urls = self.pings.get()
            try:
                for feed_url in feed_urls:
                    ping(hub_url, feed_url)
            finally:
                self.pings.task_done()


def ping(hub_url: str, feed_url: str) -> bool:
    """Tell the hub that `feed_url` has new content (hub.mode=publish); return whether it accepted."""
    body = urllib.parse.urlencode({"hub.mode": "publish", "hub.url": feed_url}).encode()
    hub_request = urllib.request.Request(hub_url, data=body, method="POST")  # noqa: S310 - config allows http(s) only
    try:
        with urllib.request.urlopen(hub_request, timeout=PING_TIMEOUT_SECONDS) as answer:  # noqa: S310 - as above
            return 200 <= answer.status < 300
    except (urllib.error.URLError, OSError) as error:
        log.warning("The WebSub hub %s did not take the ping for %s: %s", hub_url, feed_url, error)
        return False


@bp.record_once
def _install_announcer(state: BlueprintSetupState) -> None:
    state.app.extensions["websub"] = Announcer()


@bp.after_app_request
def announce_changes(response: Response) -> Response:
    """Ping the hub when the live set has changed since this process last looked."""
    hub_url = current_app.config.get("WEBSUB_HUB")
    if not hub_url or request.endpoint == "static" or response.status_code >= 500:
        return response  # after a failure the session may be unusable; the next request will look
    now = clock.now()
    announcer: Announcer = current_app.extensions["websub"]
    is_changed, since = announcer.observe(reader.live_fingerprint(now), now)
    if is_changed:
        announcer.send(hub_url, _changed_feeds(since, now))
    return response


def _changed_feeds(since: datetime | None, now: datetime) -> list[str]:
    """The site feeds, and the feeds of the series and tags of articles that went live or changed since."""
    urls = [absolute_url("feeds.site_feed", kind=kind) for kind in FORMATS]
    changed = reader.changed_since(since, now) if since is not None else []
    for article in changed:
        scopes = [("feeds.tag_feed", tag.slug) for tag in article.tags]
        if article.series is not None:
            scopes.insert(0, ("feeds.series_feed", article.series.slug))
        for endpoint, slug in scopes:
            urls += [absolute_url(endpoint, slug=slug, kind=kind) for kind in FORMATS]
    return list(dict.fromkeys(urls))


"""Rendered public answers, kept by ETag so that a repeat costs one query and no rendering.

The ETag already names the content version, the live set's last go-live and the URL, so an entry can never be
served for another state: a write in any process or a scheduled go-live simply makes new keys, and old entries
age out. In this process by default (least recently used out first, bounded in bytes), or in Redis when
CACHE_URL is set so that several servers share one cache.
"""

from __future__ import annotations

import json
import threading
from collections import OrderedDict
from dataclasses import dataclass

from flask import Flask

#: Headers a view sets that belong to the answer itself; cookies and per-request headers never do.
KEPT_HEADERS = ("Content-Type", "Link", "Vary", "X-Robots-Tag")


@dataclass(frozen=True)
class Entry:
    body: bytes
    headers: list[tuple[str, str]]

    def dumps(self) -> bytes:
        return json.dumps(self.headers).encode() + b"\n" + self.body

    @classmethod
    def loads(cls, data: bytes) -> Entry:
        head, _, body = data.partition(b"\n")
        return cls(body=body, headers=[tuple(pair) for pair in json.loads(head)])


class MemoryCache:
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


class RedisCache:
    TTL_SECONDS = 24 * 3600  # entries for superseded states are never asked for again; let them expire

    def __init__(self, url: str) -> None:
        import redis

        self.client = redis.Redis.from_url(url, socket_timeout=0.5, socket_connect_timeout=0.5)

    def get(self, key: str) -> Entry | None:
        try:
            data = self.client.get(f"cms:page:{key}")
        except Exception:  # noqa: BLE001 - a cache that is down is a cache miss, never an error page
            return None
        return Entry.loads(data) if data else None

    def put(self, key: str, entry: Entry) -> None:
        try:
            self.client.set(f"cms:page:{key}", entry.dumps(), ex=self.TTL_SECONDS)
        except Exception:  # noqa: BLE001 - see get()
            pass


def install(app: Flask) -> None:
    """Give `app` its page cache, chosen by configuration."""
    url = app.config.get("CACHE_URL")
    if app.config.get("PAGE_CACHE_BYTES", 1) == 0:
        cache = None
    elif url:
        cache = RedisCache(url)
    else:
        cache = MemoryCache(app.config.get("PAGE_CACHE_BYTES", 64 * 1024 * 1024))
    app.extensions["cms_page_cache"] = cache

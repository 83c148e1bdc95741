"""Reads while writing: article pages under load while an editor saves a draft every 100 ms and publishes an edit
to a live article every 2 s, through the back office over HTTP.

    python -m tests.bench.bench_writing [--articles 1000] [--duration 20] [--database-url URL] [--existing]
                                        [--live-every SECONDS] [--worker-wait SECONDS]

It serves a generated site under gunicorn (2 sync workers, as `tests.bench.run`) with `flask cms worker` beside
it, as deployed, and waits until the worker has built its related-articles index and emptied the queue. Each
page it measures is loaded first, in both workers. Then it loads article pages with wrk (32 connections, no
cookie: what readers get) once without writes and once while a signed-in client writes, and prints reads/s (and
their ratio), p99, errors, how long saves took and whether every acknowledged save is stored, the most server time
(gunicorn's own measure, without the wait in the queue) any read took in each run, the slowest request of any kind
(saves included) while writing, and the editor's writing screens and saves by server time; and, from gunicorn
hooks (tests/bench/cpu_log.py), the CPU time each of those took, which leaves out waiting for a core.
It asserts nothing about speed.
"""

from __future__ import annotations

import argparse
import hashlib
import html
import http.client
import os
import re
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
DRAFT_EVERY = 0.1  # seconds between draft saves
LIVE_EVERY = 2.0  # seconds between published edits of a live article


@dataclass
class Writes:
    draft_ms: list[float] = field(default_factory=list)
    live_ms: list[float] = field(default_factory=list)
    acknowledged: list[tuple[int, str]] = field(default_factory=list)  # (article id, sha256 of the body)
    failed: list[str] = field(default_factory=list)


class Editor:
    """A signed-in browser of the back office, on one keep-alive connection."""

    def __init__(self, port: int, email: str, password: str) -> None:
        self.connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        self.cookies: dict[str, str] = {}
        page = self.get("/login")
        self.post("/login", {"email": email, "password": password, "csrf_token": _csrf(page)})
        if "session" not in self.cookies:
            raise SystemExit("The bench editor could not sign in.")

    def request(self, method: str, path: str, body: str | None = None) -> tuple[int, str, str]:
        headers = {"Cookie": "; ".join(f"{name}={value}" for name, value in self.cookies.items())}
        if body is not None:
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        self.connection.request(method, path, body=body, headers=headers)
        response = self.connection.getresponse()
        text = response.read().decode()
        for header in response.headers.get_all("Set-Cookie") or []:
            name, _, rest = header.partition("=")
            self.cookies[name] = rest.split(";", 1)[0]
        return response.status, response.headers.get("Location", ""), text

    def get(self, path: str) -> str:
        status, _, text = self.request("GET", path)
        if status != 200:
            raise RuntimeError(f"GET {path} answered {status}")
        return text

    def post(self, path: str, fields: dict[str, str]) -> tuple[int, str]:
        status, location, _ = self.request("POST", path, urllib.parse.urlencode(fields))
        return status, location

    def save(self, article_id: int, body: str, action: str = "save") -> tuple[int, float]:
        """Post the writing screen as loaded, with a new body; return the status and how long the POST took."""
        url = f"/admin/articles/{article_id}/edit"
        fields = _form(self.get(url))
        fields.update(body_source=body, action=action)
        started = time.perf_counter()
        status, _ = self.post(url, fields)
        return status, (time.perf_counter() - started) * 1000


def _csrf(page: str) -> str:
    return re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page)[1]


def _form(page: str) -> dict[str, str]:
    """The writing screen's fields as a browser would send them back."""
    fields = {"csrf_token": _csrf(page), "is_autolink_enabled": "y"}
    for name in ("title", "slug", "tags", "series", "series_part", "publish_at", "description", "version"):
        match = re.search(rf'<input[^>]*name="{name}"[^>]*value="([^"]*)"', page)
        fields[name] = html.unescape(match[1]) if match else ""
    for name in ("body_source", "summary"):
        match = re.search(rf'<textarea[^>]*name="{name}"[^>]*>\n?(.*?)</textarea>', page, re.S)
        fields[name] = html.unescape(match[1]) if match else ""
    return fields


def write(editor: Editor, draft_id: int, live_id: int, seconds: float, writes: Writes,
          live_every: float = LIVE_EVERY) -> None:
    """Save the draft every DRAFT_EVERY seconds and publish an edit of the live article every `live_every`."""
    deadline = time.monotonic() + seconds
    next_live = time.monotonic() + (live_every or float("inf"))
    number = 0
    while time.monotonic() < deadline:
        began = time.monotonic()
        number += 1
        is_live = began >= next_live
        article_id = live_id if is_live else draft_id
        body = f"Bench save {number}.\n\n" + "A paragraph about grief and anniversaries. " * 60
        try:
            status, took = editor.save(article_id, body)
        except (OSError, http.client.HTTPException, RuntimeError) as error:
            writes.failed.append(f"{type(error).__name__}: {error}")
            continue
        if status != 302:
            writes.failed.append(f"save answered {status}")
        else:
            writes.acknowledged.append((article_id, hashlib.sha256(body.encode()).hexdigest()))
            (writes.live_ms if is_live else writes.draft_ms).append(took)
        if is_live:
            next_live = max(next_live + live_every, time.monotonic())  # a slow save does not bunch the next ones
        time.sleep(max(0.0, DRAFT_EVERY - (time.monotonic() - began)))


def _admin_email() -> str:
    from tests.bench.generate import ADMIN_EMAIL

    return ADMIN_EMAIL


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--articles", type=int, default=1000)
    parser.add_argument("--duration", type=int, default=20)
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--database-url", help="an empty PostgreSQL database (default: SQLite in a temp dir)")
    parser.add_argument("--existing", action="store_true", help="serve the site already at --database-url")
    parser.add_argument("--worker-wait", type=float, default=600,
                        help="seconds to wait for the worker's related-articles index before measuring")
    parser.add_argument("--live-every", type=float, default=LIVE_EVERY,
                        help="seconds between published edits of a live article (0: drafts only)")
    args = parser.parse_args()
    workdir = Path(tempfile.mkdtemp(prefix="cms-bench-writing-"))
    access_log, cpu_log = workdir / "access.log", workdir / "cpu.log"
    env = {"SECRET_KEY": "bench", "SITE_TIMEZONE": "America/New_York", "SITE_URL": "http://127.0.0.1",
           "DATABASE_URL": args.database_url or f"sqlite:///{workdir / 'cms.sqlite'}",
           # Each request's server time in microseconds, from gunicorn: what a worker spent, not the queue.
           "GUNICORN_CMD_ARGS": f"--access-logfile {access_log} --access-logformat '%(D)s %(m)s %(U)s' "
                                f"--config {ROOT / 'tests' / 'bench' / 'cpu_log.py'}",
           "BENCH_CPU_LOG": str(cpu_log)}
    os.environ.update(env)
    sys.path.insert(0, str(ROOT))
    from cms import create_app
    from tests.bench.generate import ADMIN_EMAIL, generate
    from tests.bench.run import gunicorn, wrk

    app = create_app()
    if not args.existing:
        print(f"Generating {args.articles} articles …")
        generate(app, args.articles)
    paths, live_id = _article_paths(app)
    load = {"duration": args.duration, "warmup": 3, "connections": args.connections}
    writes = Writes()
    with gunicorn("app:app", env, ROOT) as (base, _), worker(env, workdir / "worker.log") as computed:
        port = int(base.rsplit(":", 1)[1])
        editor = Editor(port, ADMIN_EMAIL, "bench password 123")
        draft_id = _new_draft(editor)
        waited = _caught_up(computed, args.worker_wait)
        print(f"The worker caught up (its related-articles index built) in {waited:.0f} s." if waited is not None
              else f"The worker was still building its related-articles index after {args.worker_wait:g} s: "
                   "the runs below share the machine with it, as right after a deploy.")
        _warm(base, paths)
        _warm(base, [f"/admin/articles/{article_id}/edit" for article_id in (draft_id, live_id)], editor.cookies)
        quiet_from = _size(access_log)
        quiet = wrk("articles, no writes", base, paths, **load)
        busy_from, busy_cpu_from = _size(access_log), _size(cpu_log)
        writer = threading.Thread(target=write, args=(editor, draft_id, live_id, args.duration + load["warmup"], writes,
                                                      args.live_every))
        writer.start()
        busy = wrk("articles, writing", base, paths, **load)
        writer.join()
    quiet_server, busy_server = _server_ms(access_log, quiet_from, busy_from), _server_ms(access_log, busy_from)
    slowest = max(_requests(access_log, busy_from), default=(0.0, "", ""))
    costliest = max(_requests(cpu_log, busy_cpu_from, per_ms=1), default=(0.0, "", ""))
    lost = _lost(app, writes.acknowledged)

    database = "PostgreSQL" if env["DATABASE_URL"].startswith("postgresql") else "SQLite"
    print(f"\nReads while writing, {database}: gunicorn 2 sync workers, wrk {args.connections} connections on "
          f"{len(paths)} article pages, {args.duration} s; a draft saved every {DRAFT_EVERY * 1000:.0f} ms, "
          + (f"a live edit published every {args.live_every:g} s" if args.live_every else "no live edits")
          + ", over HTTP, with the worker computing related articles beside")
    print(f"{'run':<22}{'req/s':>10}{'p50 ms':>9}{'p99 ms':>9}{'errors':>8}{'server ms: p99':>16}{'max':>8}")
    for result, server in ((quiet, quiet_server), (busy, busy_server)):
        print(f"{result.name:<22}{result.requests_per_second:>10.0f}{result.p50_ms:>9.2f}{result.p99_ms:>9.2f}"
              f"{result.non_2xx:>8}{_percentile(server, 0.99):>16.1f}{max(server, default=0):>8.1f}")
    print(f"reads/s while writing: {busy.requests_per_second / quiet.requests_per_second:.2f} of the run without")
    print(f"slowest request of any kind while writing: {slowest[0]:.1f} ms of server time ({slowest[1]} {slowest[2]}); "
          f"the most CPU one took: {costliest[0]:.1f} ms ({costliest[1]} {costliest[2]})")
    cpu = _editor_requests(cpu_log, busy_cpu_from, per_ms=1)
    for kind, times in _editor_requests(access_log, busy_from).items():
        print(f"  {kind}: {len(times)}, server ms median {statistics.median(times):.1f}, "
              f"p99 {_percentile(times, 0.99):.1f}, max {max(times):.1f}; CPU ms median "
              f"{statistics.median(cpu[kind]):.1f}, max {max(cpu[kind]):.1f}")
    saves = writes.draft_ms + writes.live_ms
    if saves:
        print(f"saves: {len(saves)} acknowledged ({len(writes.draft_ms)} drafts, {len(writes.live_ms)} live edits), "
              f"median {statistics.median(saves):.0f} ms (drafts {statistics.median(writes.draft_ms or [0]):.0f}, "
              f"live {statistics.median(writes.live_ms or [0]):.0f}), max {max(saves):.0f} ms; failed "
              f"{len(writes.failed)}; acknowledged but not stored: {len(lost)}")
    for failure in writes.failed[:5]:
        print(f"  {failure}")
    return 1 if writes.failed or lost or busy.non_2xx else 0


def _size(path: Path) -> int:
    return path.stat().st_size if path.exists() else 0


def _requests(path: Path, start: int, end: int | None = None, *,
              per_ms: int = 1000) -> list[tuple[float, str, str]]:
    """Each request logged between byte offsets `start` and `end`: (server time in ms, method, path), from a log
    giving `per_ms` units a millisecond (gunicorn's access log: microseconds; the CPU log: milliseconds)."""
    if not path.exists():
        return []
    with path.open("rb") as log:
        log.seek(start)
        lines = log.read(None if end is None else end - start).decode().splitlines()
    fields = [line.split(" ", 2) for line in lines if line.count(" ") >= 2]
    return [(float(took) / per_ms, method, url) for took, method, url in fields]


def _editor_requests(path: Path, start: int, *, per_ms: int = 1000) -> dict[str, list[float]]:
    """The server times of the editor's requests logged from byte offset `start`, by kind: the writing screen as
    loaded before each save, and the saves."""
    kinds: dict[str, list[float]] = {}
    for ms, method, url in _requests(path, start, per_ms=per_ms):
        if url.startswith("/admin/articles/") and url.endswith("/edit"):
            kinds.setdefault("writing screen" if method == "GET" else "saves", []).append(ms)
    return kinds


def _server_ms(access_log: Path, start: int, end: int | None = None) -> list[float]:
    """The server time of each article read logged between byte offsets `start` and `end`, in milliseconds."""
    return [ms for ms, method, path in _requests(access_log, start, end)
            if method == "GET" and path.startswith("/articles/")]


@contextmanager
def worker(env: dict[str, str], log: Path) -> Iterator[threading.Event]:
    """`flask cms worker` beside the site, as deployed, its output copied to `log`; yield an event set when it has
    first computed related articles (its index built). Stopped afterwards."""
    computed = threading.Event()
    process = subprocess.Popen([str(ROOT / ".venv" / "bin" / "flask"), "--app", "app", "cms", "worker"],
                               cwd=ROOT, env={**os.environ, **env}, stdout=subprocess.PIPE,
                               stderr=subprocess.STDOUT, text=True)

    def copy() -> None:
        with log.open("w") as output:
            for line in process.stdout or ():
                output.write(line)
                if line.startswith("Related articles computed"):
                    computed.set()

    copying = threading.Thread(target=copy, daemon=True)
    copying.start()
    try:
        yield computed
    finally:
        process.terminate()
        process.wait(timeout=60)
        copying.join(timeout=10)


def _caught_up(computed: threading.Event, seconds: float) -> float | None:
    """Wait until the worker has computed what was queued; return how long that took, None if it had not after
    `seconds`."""
    started = time.monotonic()
    return time.monotonic() - started if computed.wait(seconds) else None


def _percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))] if ordered else 0.0


def _warm(base: str, paths: list[str], cookies: dict[str, str] | None = None) -> None:
    """Ask for every page a few times, from several connections at once, so both workers have rendered it: the run
    without writes is then the cached ceiling, and no worker's first writing screen (its templates compiled, the
    series read) lands in a measured run. Asked one after another, pages can all go to one worker.
    With the editor's cookies, sent as the editor sends them (a sign-in is bound to its browser)."""
    from concurrent.futures import ThreadPoolExecutor

    host, port = urllib.parse.urlsplit(base).netloc.split(":")
    headers = {"Cookie": "; ".join(f"{name}={value}" for name, value in cookies.items())} if cookies else {}

    def get(path: str) -> None:
        connection = http.client.HTTPConnection(host, int(port), timeout=30)
        connection.request("GET", path, headers=headers)
        response = connection.getresponse()
        response.read()
        connection.close()
        if response.status != 200:
            raise RuntimeError(f"GET {path} answered {response.status} while warming up")

    with ThreadPoolExecutor(4) as pool:
        list(pool.map(get, paths * (10 if cookies else 4)))


def _article_paths(app) -> tuple[list[str], int]:
    """A few hundred live article pages to read, and one live article to edit (not among them)."""
    from cms.core import clock
    from cms.extensions import db
    from cms.models import Article
    from cms.services import reader

    with app.app_context():
        rows = db.session.execute(reader.live_articles(clock.now()).with_only_columns(Article.id, Article.slug)
                                  .limit(301)).all()
    return [f"/articles/{slug}" for _, slug in rows[1:]], rows[0][0]


def _new_draft(editor: Editor) -> int:
    page = editor.get("/admin/articles/write")
    fields = _form(page)
    fields.update(title="A draft the bench keeps saving", body_source="First words.", action="save")
    status, location = editor.post("/admin/articles/write", fields)
    if status != 302:
        raise SystemExit(f"Could not create the bench draft ({status}).")
    return int(re.search(r"/admin/articles/(\d+)/edit", location)[1])


def _lost(app, acknowledged: list[tuple[int, str]]) -> list[tuple[int, str]]:
    """Acknowledged saves whose text no revision of their article holds."""
    from sqlalchemy import select

    from cms.extensions import db
    from cms.models import Revision

    with app.app_context():
        stored = {(article_id, hashlib.sha256(body.encode()).hexdigest()) for article_id, body in
                  db.session.execute(select(Revision.article_id, Revision.body_source))}
    return [save for save in acknowledged if save not in stored]


if __name__ == "__main__":
    sys.exit(main())

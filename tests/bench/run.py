"""`make bench`: the site under gunicorn against a bare Flask ceiling, loaded by wrk in one run.

    python -m tests.bench.run [--articles 1000] [--duration 10] [--connections 32]

Ratios, not absolute figures, are what to compare: this machine is shared and noisy. Each target is loaded in
short rounds taken in turn with rounds of the bare ceiling, and its ratio is to those rounds alone, so a machine
that slows down or speeds up during the run moves both sides of a ratio alike.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import urllib.request
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from statistics import mean, median

from tests.servers import free_port, wait_until_answering

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent


@dataclass
class Result:
    name: str
    requests_per_second: float
    p50_ms: float
    p99_ms: float
    non_2xx: int
    ceiling: float = 0.0  # the bare ceiling's requests/s in the rounds taken in turn with this target's, if any

    @property
    def ratio(self) -> float:
        return self.requests_per_second / self.ceiling


@contextmanager
def gunicorn(app_spec: str, env: dict[str, str], chdir: Path):
    port = free_port()
    process = subprocess.Popen(
        [str(BIN / "gunicorn"), "--workers", "2", "--worker-class", "sync", "--bind", f"127.0.0.1:{port}",
         "--log-level", "warning", "--chdir", str(chdir), app_spec],
        env={**os.environ, **env}, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    base = f"http://127.0.0.1:{port}"
    try:
        if not wait_until_answering(port, seconds=10):
            errors = process.stderr.read() if process.stderr else ""
            raise RuntimeError(f"gunicorn for {app_spec} did not start: {errors}")
        yield base, process
    finally:
        process.terminate()
        process.wait(timeout=10)


def worker_peak_mb(master: subprocess.Popen) -> float:
    """Peak resident memory (VmHWM) of the master's worker processes, the largest one."""
    children = Path(f"/proc/{master.pid}/task/{master.pid}/children").read_text().split()
    peaks = []
    for pid in children:
        status = Path(f"/proc/{pid}/status").read_text()
        peaks.append(int(re.search(r"VmHWM:\s+(\d+) kB", status)[1]) / 1024)
    return max(peaks, default=0.0)


LATENCY = re.compile(r"^\s+(50|99)%\s+([\d.]+)(us|ms|s)\s*$", re.M)


def wrk(name: str, base: str, paths: list[str], *, duration: int, connections: int, warmup: int,
        headers: dict[str, str] | None = None) -> Result:
    with tempfile.NamedTemporaryFile("w", suffix=".txt", delete=False) as listing:
        listing.write("\n".join(paths) + "\n")
    script = Path(__file__).with_name("round_robin.lua")
    header_args = [arg for key, value in (headers or {}).items() for arg in ("-H", f"{key}: {value}")]
    command = ["wrk", "-t", str(min(2, connections)), "-c", str(connections), "-s", str(script), *header_args, base]
    env = {**os.environ, "WRK_PATHS": listing.name}
    if warmup:
        subprocess.run([*command[:1], "-d", f"{warmup}s", *command[1:]], env=env, capture_output=True, check=True)
    output = subprocess.run([*command[:1], "-d", f"{duration}s", "--latency", *command[1:]], env=env,
                            capture_output=True, text=True, check=True).stdout
    Path(listing.name).unlink()
    latencies = {percent: float(value) * {"us": 0.001, "ms": 1, "s": 1000}[unit]
                 for percent, value, unit in LATENCY.findall(output)}
    non_2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    errors = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", output)
    failed = (int(non_2xx[1]) if non_2xx else 0) + (sum(map(int, errors.groups())) if errors else 0)
    return Result(name, float(re.search(r"Requests/sec:\s+([\d.]+)", output)[1]),
                  latencies.get("50", 0.0), latencies.get("99", 0.0), failed)


#: Rounds each target's load is cut into, each followed by a round of the bare ceiling of the same length.
ROUNDS = 5


def in_turn_with_ceiling(name: str, base: str, paths: list[str], ceiling_base: str, *, duration: int,
                         connections: int, warmup: int, headers: dict[str, str] | None = None) -> Result:
    """`wrk` on `paths` in ROUNDS rounds, each followed by one on the bare ceiling at `ceiling_base`: requests/s
    averaged over the rounds, the slowest round's p99, and the ceiling's requests/s over its own rounds."""
    seconds = max(1, duration // ROUNDS)
    if warmup:
        wrk(name, base, paths, headers=headers, connections=connections, duration=warmup, warmup=0)
    rounds, ceilings = [], []
    for _ in range(ROUNDS):
        rounds.append(wrk(name, base, paths, headers=headers, connections=connections, duration=seconds, warmup=0))
        ceilings.append(wrk("bare Flask", ceiling_base, ["/"], connections=connections, duration=seconds, warmup=0))
    return Result(name, mean(r.requests_per_second for r in rounds), median(r.p50_ms for r in rounds),
                  max(r.p99_ms for r in rounds), sum(r.non_2xx for r in rounds),
                  ceiling=mean(c.requests_per_second for c in ceilings))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--articles", type=int, default=1000)
    parser.add_argument("--duration", type=int, default=10)
    parser.add_argument("--warmup", type=int, default=5, help="seconds; each worker renders each URL once first")
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--database-url", help="PostgreSQL URL of an empty database (default: SQLite in a temp dir)")
    parser.add_argument("--existing", action="store_true",
                        help="serve the site already at --database-url (from an earlier run) instead of generating one")
    parser.add_argument("--copies", action="store_true",
                        help=f"make the articles past the first {1000:,} as copies of them, in SQL: minutes instead of "
                        "an hour at 100,000, for list targets (sitemap, archive); see tests/bench/generate.py")
    parser.add_argument("--only", help="the targets to load, separated by ';' (default: all), e.g. "
                        "'article, rendered;home, rendered'")
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        print("wrk is missing: install it with `apt-get install wrk` (make bench does).", file=sys.stderr)
        return 2

    workdir = Path(tempfile.mkdtemp(prefix="cms-bench-"))
    env = {"SECRET_KEY": "bench", "SITE_TIMEZONE": "America/New_York",
           "DATABASE_URL": args.database_url or f"sqlite:///{workdir / 'cms.sqlite'}",
           "SITE_URL": "http://127.0.0.1"}
    os.environ.update(env)
    sys.path.insert(0, str(ROOT))
    from cms import create_app
    from tests.bench.generate import generate

    app = create_app()
    if args.existing:
        if not args.database_url:
            parser.error("--existing serves the site at --database-url; give one.")
        args.articles, seconds = count_articles(app), 0.0
    else:
        print(f"Generating {args.articles} articles …")
        seconds = generate(app, args.articles, copies=args.copies)
        print(f"Generated in {seconds:.1f} s ({seconds / args.articles * 1000:.1f} ms an article).")

    with gunicorn("app:app", env, ROOT) as (base, master):
        targets = targets_for(app, base)
        article_bytes = len(urllib.request.urlopen(base + targets["article"][0][0]).read())
        if args.only:
            targets = {name: target for name, target in targets.items()
                       if name in {wanted.strip() for wanted in args.only.split(";")}}
        load = {"duration": args.duration, "warmup": args.warmup}
        with gunicorn("tests.bench.bare_app:app", {"BARE_BODY_BYTES": str(article_bytes)}, ROOT) as (bare, _):
            wrk("bare Flask", bare, ["/"], connections=args.connections, duration=max(1, args.warmup), warmup=0)
            results = [in_turn_with_ceiling(name, base, paths, bare, headers=headers,
                                             connections=connections or args.connections, **load)
                       for name, (paths, headers, connections) in targets.items()]
        peak = worker_peak_mb(master)
        if shutil.which("nginx") and (not args.only or "nginx" in args.only):
            article_paths = targets["article"][0] if "article" in targets else targets_for(app, base)["article"][0]
            results += nginx_rows(base, article_paths, article_bytes, workdir, connections=args.connections, **load)
    # The row for the ceiling itself: its rounds at the run's number of connections, as most targets are loaded.
    paired = [result.ceiling for result in results if result.ceiling and result.name not in ONE_CONNECTION]
    ceiling_rps = mean(paired) if paired else 0.0

    print(f"\n{args.articles} articles, gunicorn 2 sync workers, wrk {args.connections} connections, "
          f"{args.duration} s after {args.warmup} s warm-up; article page {article_bytes} bytes")
    print("Each ratio is to the bare ceiling's own rounds, taken in turn with the target's (nginx rows: to nginx).")
    print(f"{'target':<22}{'req/s':>10}{'p50 ms':>9}{'p99 ms':>9}{'non-2xx':>9}{'ceiling':>9}{'ratio':>8}")
    print(f"{'bare Flask':<22}{ceiling_rps:>10.0f}{'(mean of its rounds)':>45}")
    for result in results:
        print(f"{result.name:<22}{result.requests_per_second:>10.0f}{result.p50_ms:>9.2f}{result.p99_ms:>9.2f}"
              + (f"{result.non_2xx:>9}{result.ceiling:>9.0f}{result.ratio:>8.2f}" if result.ceiling else
                 f"{result.non_2xx:>9}"))
    ratios = {result.name: result.ratio for result in results if result.ceiling}
    print("rendered pages against their targets (issue #16): " + ", ".join(
        f"{name.removesuffix(', rendered')} {ratios[name]:.2f} (≥ {target})"
        for name, target in RENDERED_TARGETS.items() if name in ratios))
    by_name = {result.name: result for result in results}
    if "sitemap, rendered" in by_name or "archive, rendered" in by_name:
        print("sitemap and archive, rendered, one connection, p99: " + ", ".join(
            f"{name.removesuffix(', rendered')} {by_name[name].p99_ms:.1f} ms" for name in LIST_TARGETS
            if name in by_name) + " (issue #16: < 50 ms at 100,000 articles)")
    if "article, nginx cache" in by_name:
        share = by_name["article, nginx cache"].requests_per_second / by_name["nginx static file"].requests_per_second
        print(f"nginx micro-cache: article pages at {share:.2f} of the same nginx serving a static file of "
              f"{article_bytes} bytes; kept at most 1 s after a write and never past a go-live (X-Accel-Expires)")
    print(f"peak worker memory: {peak:.0f} MB; site generation: "
          + (f"{seconds:.1f} s" if seconds else "none, an existing site"))
    summary = {r.name: {"rps": r.requests_per_second, "ceiling_rps": r.ceiling, "ratio": ratios.get(r.name),
                        "p50_ms": r.p50_ms, "p99_ms": r.p99_ms, "non_2xx": r.non_2xx} for r in results}
    (workdir / "summary.json").write_text(json.dumps({"articles": args.articles, "peak_mb": peak,
                                                      "generation_s": seconds, "results": summary}, indent=2))
    print(f"(figures also in {workdir / 'summary.json'})")
    return 0


#: The README's nginx front, for the bench: the app's micro-cache lifetime (X-Accel-Expires) decides what is
#: kept; a static file of an article page's size is the ceiling the cached pages are compared with.
NGINX_CONFIG = """
worker_processes 2;
daemon off;
pid {folder}/nginx.pid;
error_log {folder}/error.log warn;
events {{ worker_connections 1024; }}
http {{
    access_log off;
    client_body_temp_path {folder}/body;
    proxy_temp_path {folder}/proxy;
    fastcgi_temp_path {folder}/fastcgi;
    uwsgi_temp_path {folder}/uwsgi;
    scgi_temp_path {folder}/scgi;
    proxy_cache_path {folder}/cache keys_zone=cms:10m max_size=200m inactive=1d;
    upstream cms {{ server {upstream}; keepalive 16; }}
    server {{
        listen 127.0.0.1:{port};
        location = /static-article.html {{ root {folder}; }}
        location / {{
            proxy_pass http://cms;
            proxy_http_version 1.1;
            proxy_set_header Connection "";
            proxy_set_header Host $host;
            proxy_cache cms;
            proxy_cache_revalidate on;
            proxy_cache_bypass $cookie_session;
            proxy_no_cache $cookie_session;
        }}
    }}
}}
"""


def nginx_rows(base: str, article_paths: list[str], article_bytes: int, workdir: Path, *, connections: int,
               duration: int, warmup: int) -> list[Result]:
    """Cached article pages through nginx's micro-cache, and a static file of the same size from the same nginx."""
    folder = workdir / "nginx"
    folder.mkdir(exist_ok=True)
    for readable in (workdir, folder):  # nginx's workers run as another user when it starts as root
        readable.chmod(0o755)
    static = folder / "static-article.html"
    static.write_bytes(urllib.request.urlopen(base + article_paths[0]).read())
    static.chmod(0o644)
    port = free_port()
    config = folder / "nginx.conf"
    config.write_text(NGINX_CONFIG.format(folder=folder, upstream=base.removeprefix("http://"), port=port))
    process = subprocess.Popen(["nginx", "-p", str(folder), "-c", str(config), "-e", str(folder / "error.log")],
                               stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    try:
        if not wait_until_answering(port, "/static-article.html"):
            raise RuntimeError(f"nginx did not start: {(folder / 'error.log').read_text()}")
        front = f"http://127.0.0.1:{port}"
        load = {"duration": duration, "warmup": warmup, "connections": connections}
        # One page, as the static file is one: each page is kept a second, so many pages at a modest rate would
        # measure the app's revalidations, not the cache.
        return [wrk("article, nginx cache", front, article_paths[:1], **load),
                wrk("nginx static file", front, ["/static-article.html"], **load)]
    finally:
        process.terminate()
        process.wait(timeout=10)


#: The least share of the bare-Flask ceiling each rendered page should reach, at any size of site.
RENDERED_TARGETS = {"article, rendered": 0.25, "home, rendered": 0.2, "tag, rendered": 0.2, "series, rendered": 0.2,
                    "feed, rendered": 0.2}


#: Pages that once grew with the site; measured at one connection, so that p99 is a reader's wait, not a queue's.
LIST_TARGETS = ("sitemap, rendered", "archive, rendered")
ONE_CONNECTION = (*LIST_TARGETS, "search, 1 connection")


def list_paths(base: str) -> tuple[list[str], list[str]]:
    """The sitemap (or its index) and up to ten of its parts spread over it; the archive's first page, every other
    year and up to ten month pages found on them."""
    sitemap = urllib.request.urlopen(base + "/sitemap.xml").read().decode()
    parts = [location.split("127.0.0.1", 1)[1].replace("&amp;", "&")
             for location in re.findall(r"<sitemap><loc>([^<]+)</loc>", sitemap)]
    archive = urllib.request.urlopen(base + "/archive/").read().decode()
    years = sorted(set(re.findall(r'href="(/archive/\?year=\d+)"', archive)))
    months = sorted({month for year in ["/archive/", *years[::2]]
                     for month in re.findall(r'href="(/archive/\?month=[\d-]+)"',
                                             urllib.request.urlopen(base + year).read().decode())})
    return (["/sitemap.xml", *parts[::max(1, len(parts) // 10)]],
            ["/archive/", *years[::2], *months[::max(1, len(months) // 10)]])


def count_articles(app) -> int:
    from sqlalchemy import func, select

    from cms.extensions import db
    from cms.models import Article

    with app.app_context():
        return db.session.scalar(select(func.count(Article.id)))


def targets_for(app, base: str) -> dict[str, tuple[list[str], dict[str, str], int | None]]:
    """The URLs to load: a few hundred article pages round-robin, then one URL per kind of page.

    Each target is (paths, headers, connections), None meaning the run's number of connections.
    """
    from sqlalchemy import select

    from cms.core import clock
    from cms.extensions import db
    from cms.models import Article, Series, Tag
    from cms.services import reader
    from tests.bench.generate import QUERIES

    with app.app_context():
        now = clock.now()
        slugs = db.session.scalars(reader.live_articles(now).with_only_columns(Article.slug).limit(300)).all()
        series_slug = db.session.scalar(select(Series.slug).limit(1))
        tag_slug = db.session.scalar(select(Tag.slug).limit(1))
    feed_etag = urllib.request.urlopen(base + "/feed.xml").headers.get("ETag", "")
    # A cookie takes a request past the page cache, as a signed-in editor's would: rendered every time.
    past_cache = {"Cookie": "bench=1"}
    searches = [f"/search?q={query}" for query in QUERIES]
    sitemap_paths, archive_paths = list_paths(base)
    return {
        "article": ([f"/articles/{slug}" for slug in slugs], {}, None),
        "home": (["/"], {}, None),
        "series": ([f"/series/{series_slug}"], {}, None),
        "tag": ([f"/tags/{tag_slug}"], {}, None),
        "feed": (["/feed.xml"], {}, None),
        "feed 304": (["/feed.xml"], {"If-None-Match": feed_etag}, None),
        "api article": ([f"/api/articles/{slugs[0]}"], {}, None),
        "search": (searches, {}, None),
        "article, rendered": ([f"/articles/{slug}" for slug in slugs], past_cache, None),
        "home, rendered": (["/"], past_cache, None),
        "tag, rendered": ([f"/tags/{tag_slug}"], past_cache, None),
        "series, rendered": ([f"/series/{series_slug}"], past_cache, None),
        "feed, rendered": (["/feed.xml"], past_cache, None),
        "search, rendered": (searches, past_cache, None),
        # What one search costs the server, without waiting in line behind 31 others: a reader's latency.
        "search, 1 connection": (searches, past_cache, 1),
        "sitemap, rendered": (sitemap_paths, past_cache, 1),
        "archive, rendered": (archive_paths, past_cache, 1),
    }


if __name__ == "__main__":
    sys.exit(main())

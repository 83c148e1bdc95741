"""Load with publishing: readers at 64 connections for 30 s under gunicorn while a writer saves and publishes.

Run it with `make bench` (or `python tests/bench/bench_load.py --help`). It builds the sample site in a
temporary folder (SQLite by default, or --database-url), serves it with gunicorn on loopback, reads public
pages from a bounded pool of keep-alive connections, and meanwhile saves and publishes articles through the
services from another process, which prints each save once committed. At the end it checks that every
acknowledged save is in the database, word for word, and that the database is sound. It prints figures and
exits non-zero on any error or lost save; it asserts nothing about speed.
"""

from __future__ import annotations

import argparse
import http.client
import os
import random
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from tests.servers import free_port, wait_until_answering  # noqa: E402 - after the path

#: Saves and publishes through the services until stopped; prints "<revision id> <article id> <sha256>" per commit.
WRITER = """
import hashlib, sys, time
from cms import create_app
from cms.core import clock
from cms.core.workflow import Status
from cms.extensions import db
from cms.models import Article, User
from cms.services import articles
from sqlalchemy import select

app = create_app()
deadline = time.monotonic() + float(sys.argv[1])
with app.app_context():
    editor = db.session.scalar(select(User).where(User.email == "admin@example.com"))
    number = 0
    while time.monotonic() < deadline:
        number += 1
        body = f"Load test save {number}.\\n\\n" + "A paragraph about grief and anniversaries. " * 80
        if number % 5 == 0:  # a new article, published at once
            article = articles.create(articles.ArticleInput(title=f"Bench article {number}", body_source=body,
                                                            tags=("bench",)), by=editor, now=clock.now())
            articles.change_status(article, Status.REVIEW, by=editor, now=clock.now())
            articles.change_status(article, Status.PUBLISHED, by=editor, now=clock.now())
        else:  # an edit of a live article
            article = db.session.scalar(select(Article).where(Article.status == Status.PUBLISHED)
                                        .order_by(Article.id).offset(number % 10).limit(1))
            articles.update(article, articles.ArticleInput(title=article.title, body_source=body,
                                                           summary=article.summary, tags=[t.name for t in article.tags],
                                                           series=article.series, series_part=article.series_part),
                            by=editor, now=clock.now())
        db.session.commit()
        revision = article.revisions[-1]
        print(revision.id, article.id, hashlib.sha256(body.encode()).hexdigest(), flush=True)
"""


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=30)
    parser.add_argument("--connections", type=int, default=64)
    parser.add_argument("--workers", type=int, default=4, help="gunicorn worker processes")
    parser.add_argument("--threads", type=int, default=8, help="threads per gunicorn worker")
    parser.add_argument("--database-url", help="default: a SQLite file in a temporary folder")
    options = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="cms-bench-") as folder:
        env = {**os.environ, "FLASK_APP": "app.py", "SECRET_KEY": "bench", "SITE_URL": "http://127.0.0.1",
               "DATABASE_URL": options.database_url or f"sqlite:///{folder}/cms.sqlite", "PYTHONPATH": str(ROOT)}
        for command in (["cms", "init"], ["cms", "demo"]):
            subprocess.run([sys.executable, "-m", "flask", *command], env=env, cwd=ROOT, check=True,
                           capture_output=True)
        port = free_port()
        server = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "--workers", str(options.workers), "--worker-class", "gthread",
             "--threads", str(options.threads), "--bind", f"127.0.0.1:{port}", "--log-level", "warning",
             "--keep-alive", "30", "app:app"], env=env, cwd=ROOT)
        try:
            if not wait_until_answering(port, "/login"):
                raise SystemExit("gunicorn did not answer within 30 s")
            urls = _reader_urls(port, env["DATABASE_URL"])
            writer = subprocess.Popen([sys.executable, "-c", WRITER, str(options.seconds)], env=env, cwd=ROOT,
                                      stdout=subprocess.PIPE, text=True)
            started = time.monotonic()
            results = _read(port, urls, options.connections, options.seconds)
            elapsed = time.monotonic() - started
            acknowledged = [line.split() for line in writer.communicate()[0].splitlines()]
        finally:
            server.terminate()
            server.wait(timeout=30)
        lost = _lost_saves(env["DATABASE_URL"], acknowledged)
        integrity = _integrity(env["DATABASE_URL"])

    _report(options, urls, results, elapsed, acknowledged, lost, integrity)
    errors = sum(count for kind, count in results["outcomes"].items() if kind != 200)
    return 1 if errors or lost or writer.returncode or integrity != "ok" else 0


def _reader_urls(port: int, database_url: str) -> list[str]:
    """Every public page a reader would read that answers 200 now: the home page, articles, pages, feeds, API."""
    from cms import create_app
    from cms.core import clock
    from cms.extensions import db
    from cms.services import reader

    app = create_app({"SECRET_KEY": "bench", "SQLALCHEMY_DATABASE_URI": database_url})
    with app.app_context():
        live = db.session.scalars(reader.live_articles(clock.now()))
        urls = ["/"] + [f"/articles/{article.slug}" for article in live]
        urls += [f"/{page.slug}" for page in reader.menu_pages()]
        db.engine.dispose()
    urls += ["/series/", "/tags/", "/archive/", "/feed.xml", "/feed.atom", "/api/articles", "/sitemap.xml"]
    answering = []
    for url in urls:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        connection.request("GET", url)
        if connection.getresponse().status == 200:
            answering.append(url)
    return answering


def _read(port: int, urls: list[str], connections: int, seconds: float) -> dict:
    """Keep `connections` keep-alive connections busy reading random URLs for `seconds`."""
    outcomes: Counter = Counter()
    latencies: list[float] = []
    lock = threading.Lock()
    deadline = time.monotonic() + seconds

    def client() -> None:
        mine, times = Counter(), []
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        while time.monotonic() < deadline:
            began = time.perf_counter()
            try:
                connection.request("GET", random.choice(urls))
                response = connection.getresponse()
                response.read()
                mine[response.status] += 1
            except (OSError, http.client.HTTPException) as error:
                mine[type(error).__name__] += 1
                connection.close()
                connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
            times.append(time.perf_counter() - began)
        connection.close()
        with lock:
            outcomes.update(mine)
            latencies.extend(times)

    threads = [threading.Thread(target=client) for _ in range(connections)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return {"outcomes": outcomes, "latencies": latencies}


def _lost_saves(url: str, acknowledged: list[list[str]]) -> list[str]:
    """The acknowledged saves whose revision is missing or says something else."""
    import hashlib

    from sqlalchemy import create_engine, text

    engine = create_engine(url)
    with engine.connect() as connection:
        stored = {str(row.id): (str(row.article_id), hashlib.sha256(row.body_source.encode()).hexdigest())
                  for row in connection.execute(text("SELECT id, article_id, body_source FROM revisions"))}
    engine.dispose()
    return [revision for revision, article, digest in acknowledged if stored.get(revision) != (article, digest)]


def _integrity(url: str) -> str:
    if not url.startswith("sqlite:///"):
        return "ok"  # PostgreSQL keeps its own
    connection = sqlite3.connect(url.removeprefix("sqlite:///"))
    result = ", ".join(row[0] for row in connection.execute("PRAGMA integrity_check"))
    connection.close()
    return result


def _report(options, urls, results, elapsed, acknowledged, lost, integrity) -> None:
    latencies = sorted(results["latencies"])
    total = len(latencies)
    percentile = lambda share: latencies[min(total - 1, int(share * total))] * 1000  # noqa: E731 - a one-line formula
    database = "PostgreSQL" if options.database_url else "SQLite (WAL)"
    print(f"Load with publishing: {options.connections} connections for {elapsed:.1f} s, gunicorn "
          f"{options.workers} workers x {options.threads} threads, {database}, {len(urls)} reader URLs")
    print(f"  reads:    {total} requests, {total / elapsed:.0f} requests/s, "
          f"latency p50 {percentile(0.5):.1f} ms, p95 {percentile(0.95):.1f} ms, p99 {percentile(0.99):.1f} ms, "
          f"mean {statistics.fmean(latencies) * 1000:.1f} ms")
    errors = {kind: count for kind, count in results["outcomes"].items() if kind != 200}
    print(f"  errors:   {sum(errors.values())} {errors or ''}".rstrip())
    published = len({article for _, article, _ in acknowledged})
    print(f"  writes:   {len(acknowledged)} acknowledged saves ({len(acknowledged) / elapsed:.1f}/s) "
          f"across {published} articles, new ones published as they were made")
    print(f"  checked:  {len(acknowledged) - len(lost)} of {len(acknowledged)} saves found word for word, "
          f"lost or corrupted: {len(lost)}; integrity check: {integrity}")


if __name__ == "__main__":
    sys.exit(main())

"""Where a rendered page's time goes: cProfile over the article, home, tag, series and feed pages, cache skipped.

    python -m tests.bench.profile_pages [--articles 1000] [--requests 200] [--out DIR] [--database-url URL]

Each page is asked for as a signed-in editor's browser would (a cookie, so the page cache is skipped) through the
WSGI app in this process: no server, no network, only what rendering costs. It prints the CPU time per request
and each page's costliest functions, and writes `<page>.prof` (for snakeviz or `python -m pstats`) and
`<page>.txt` into --out, a folder outside the repository.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import os
import pstats
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--articles", type=int, default=1000)
    parser.add_argument("--requests", type=int, default=200, help="per page")
    parser.add_argument("--out", type=Path, help="where the profiles go (default: a new folder under /tmp)")
    parser.add_argument("--database-url", help="an empty PostgreSQL database, or with --existing a site to profile")
    parser.add_argument("--existing", action="store_true", help="profile the site already at --database-url")
    parser.add_argument("--top", type=int, default=12, help="functions printed per page")
    args = parser.parse_args()
    workdir = Path(tempfile.mkdtemp(prefix="cms-profile-"))
    out = args.out or workdir
    out.mkdir(parents=True, exist_ok=True)
    os.environ.update({"SECRET_KEY": "bench", "SITE_TIMEZONE": "America/New_York", "SITE_URL": "http://127.0.0.1",
                       "DATABASE_URL": args.database_url or f"sqlite:///{workdir / 'cms.sqlite'}"})
    sys.path.insert(0, str(ROOT))
    from cms import create_app
    from tests.bench.generate import generate

    app = create_app()
    if not args.existing:
        print(f"Generating {args.articles} articles …")
        generate(app, args.articles)
    client = app.test_client()
    client.set_cookie("bench", "1")  # past the page cache, as a signed-in editor's request
    print(f"{'page':<10}{'CPU ms/request':>16}")
    for name, path in pages(app).items():
        for _ in range(5):  # warm: templates compiled, per-process indexes built
            assert client.get(path).status_code == 200, path
        profiler = cProfile.Profile()
        started = time.process_time()
        profiler.enable()
        for _ in range(args.requests):
            client.get(path)
        profiler.disable()
        cpu_ms = (time.process_time() - started) * 1000 / args.requests
        profiler.dump_stats(out / f"{name}.prof")
        text = io.StringIO()
        pstats.Stats(profiler, stream=text).sort_stats("cumulative").print_stats(40)
        (out / f"{name}.txt").write_text(text.getvalue())
        print(f"{name:<10}{cpu_ms:>16.2f}  (profiled; {path})")
        own = io.StringIO()
        pstats.Stats(profiler, stream=own).sort_stats("tottime").print_stats(args.top)
        print("\n".join(line for line in own.getvalue().splitlines() if line.strip()[:1].isdigit()))
    print(f"profiles in {out}")
    return 0


def pages(app) -> dict[str, str]:
    """One URL of each kind, on the generated site."""
    from sqlalchemy import select

    from cms.core import clock
    from cms.extensions import db
    from cms.models import Article, Series, Tag
    from cms.services import reader

    with app.app_context():
        slug = db.session.scalar(reader.live_articles(clock.now()).with_only_columns(Article.slug)
                                 .where(Article.series_id.is_not(None)).limit(1))
        series_slug = db.session.scalar(select(Series.slug).limit(1))
        tag_slug = db.session.scalar(select(Tag.slug).limit(1))
    return {"article": f"/articles/{slug}", "home": "/", "tag": f"/tags/{tag_slug}",
            "series": f"/series/{series_slug}", "feed": "/feed.xml", "sitemap": "/sitemap.xml", "archive": "/archive/"}


if __name__ == "__main__":
    sys.exit(main())

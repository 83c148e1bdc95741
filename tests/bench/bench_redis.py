"""What a hung Redis costs readers: article pages with CACHE_URL at a Redis that accepts and never answers,
against the same pages with no Redis, requests taken in turns so that a busy machine slows both alike.

    python -m tests.bench.bench_redis [--requests 300]

The issue's bound is 2x the normal median; the circuit breaker (cms/web/circuit.py) is what keeps it there.
Not collected by pytest (the name does not start with test_).
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path

from flask.testing import FlaskClient

from cms import create_app
from cms.core.workflow import Status
from cms.extensions import db
from tests.factories import Factories
from tests.servers import HungServer

PATH = "/articles/letting-go-of-resentment"


def _seconds(client: FlaskClient) -> float:
    started = time.perf_counter()
    assert client.get(PATH).status_code == 200
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=300)
    arguments = parser.parse_args()
    hung = HungServer()
    with tempfile.TemporaryDirectory() as folder:
        config = {"SECRET_KEY": "bench", "SQLALCHEMY_DATABASE_URI": f"sqlite:///{Path(folder) / 'site.sqlite'}",
                  "SITE_URL": "http://127.0.0.1:5000", "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1"}
        normal_app = create_app(config)
        with normal_app.app_context():
            db.create_all()
        Factories(normal_app).article("Letting go of resentment", status=Status.PUBLISHED)
        normal = normal_app.test_client()
        with_hung = create_app({**config, "CACHE_URL": f"redis://127.0.0.1:{hung.port}/0"}).test_client()
        timings: dict[str, list[float]] = {"normal": [], "hung": []}
        for _ in range(arguments.requests):
            timings["normal"].append(_seconds(normal))
            timings["hung"].append(_seconds(with_hung))
    hung.close()
    usual, slow = statistics.median(timings["normal"]), statistics.median(timings["hung"])
    print(f"article page, median of {arguments.requests}: {usual * 1000:.2f} ms without Redis, "
          f"{slow * 1000:.2f} ms with Redis hung: {slow / usual:.2f}x (bound 2x); "
          f"{len(hung.accepted)} connections reached the hung Redis")


if __name__ == "__main__":
    main()

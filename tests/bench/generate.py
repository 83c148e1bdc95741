"""A realistic site of N articles, made through the project's own services (so it costs what real use costs)."""

from __future__ import annotations

import itertools
import random
import time
from datetime import UTC, datetime, timedelta

from flask import Flask
from flask_migrate import upgrade

from cms.core.workflow import Role, Status
from cms.extensions import db
from cms.services import articles, pages, related, series as series_service, site, users

WORDS = (
    "mother daughter bond change life stage grief loss anxiety worry body breath calm family boundary "
    "resentment letting go ambivalence love anger guilt shame care trust listen feel notice gentle therapy "
    "session practice habit sleep morning evening partner child parent sibling friend work rest season "
    "holiday memory story voice choice pattern repair rupture attachment safety need want fear hope relief "
    "patience courage honest kind slow steady small step practice journal walk conversation letter home"
).split()
# A long tail of rarer words, as real prose has (Zipf-like), so a search does not match every article.
_SYLLABLES = "ba ko ri me lu sa then dor vi nae pel quo tra mis gen ul ard fen".split()
RARE_WORDS = [a + b + c + "n" for a in _SYLLABLES for b in _SYLLABLES for c in _SYLLABLES][:5000]
_RARE_WEIGHTS = list(itertools.accumulate(1 / (rank + 10) for rank in range(len(RARE_WORDS))))
TAGS = [f"theme {n}" for n in range(60)]
#: Queries for the benchmark: two words from the middle of the tail.
QUERIES = [f"{RARE_WORDS[n]}+{RARE_WORDS[n + 7]}" for n in range(200, 400, 4)]
SERIES_LENGTH = 5
ADMIN_EMAIL = "bench@example.com"


def paragraph(rng: random.Random, words: int) -> str:
    common = words * 7 // 10
    chosen = [rng.choice(WORDS) for _ in range(common)]
    chosen += rng.choices(RARE_WORDS, cum_weights=_RARE_WEIGHTS, k=words - common)
    rng.shuffle(chosen)
    text = " ".join(chosen)
    return text[0].upper() + text[1:] + "."


def body(rng: random.Random, words: int = 800) -> str:
    parts = []
    for section in range(4):
        parts.append(f"## Section {section + 1}: {rng.choice(WORDS)} and {rng.choice(WORDS)}")
        parts.extend(paragraph(rng, words // 12) for _ in range(3))
    return "\n\n".join(parts)


def generate(app: Flask, count: int, *, seed: int = 7, progress=print) -> float:
    """Create the schema and `count` published articles (a fifth of them in series of five); return seconds."""
    rng = random.Random(seed)
    started = time.perf_counter()
    with app.app_context():
        upgrade(directory=app.extensions["migrate"].directory)
        admin = users.create_user(ADMIN_EMAIL, "bench password 123", Role.ADMIN, name="Bench")
        settings = site.settings()
        settings.title, settings.author_name = "Benchmark practice", "Dr. Bench"
        for order, title in enumerate(("About", "Fees", "Contact"), start=1):
            pages.save(None, title=title, body_source=paragraph(rng, 120), menu_order=order)
        now = datetime.now(UTC)
        with related.deferred():  # one rebuild at the end, as an import does
            _articles(rng, count, admin, now, started, progress)
        db.session.commit()
    return time.perf_counter() - started


def _articles(rng: random.Random, count: int, admin, now: datetime, started: float, progress) -> None:
    current_series, part = None, 0
    for number in range(count):
        if number % 25 == 0:  # every 25th article starts a series of five
            current_series, part = series_service.create(f"Series {number // 25}: {rng.choice(WORDS)}"), 0
        in_series = current_series is not None and part < SERIES_LENGTH
        part += 1 if in_series else 0
        data = articles.ArticleInput(
            title=f"{rng.choice(WORDS).title()} {rng.choice(WORDS)} {number}",
            body_source=body(rng), summary=paragraph(rng, 25),
            tags=rng.sample(TAGS, 3), series=current_series if in_series else None,
            series_part=part if in_series else None,
        )
        article = articles.create(data, by=admin, now=now)
        articles.change_status(article, Status.PUBLISHED, by=admin, now=now,
                               publish_at=now - timedelta(hours=count - number))
        if number % 500 == 499:
            db.session.commit()
            progress(f"  {number + 1} articles, {time.perf_counter() - started:.0f} s")

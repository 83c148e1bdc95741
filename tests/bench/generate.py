"""A realistic site of N articles, made through the project's own services (so it costs what real use costs)."""

from __future__ import annotations

import itertools
import random
import time
from datetime import UTC, datetime, timedelta

from flask import Flask
from flask_migrate import upgrade
from sqlalchemy import func, insert, select, text

from cms.core.workflow import Role, Status
from cms.extensions import db
from cms.models import Article, RelatedScore, Series, article_tag
from cms.services import articles, pages, related, series as series_service, site, users

WORDS = (
    "mother daughter bond change life stage grief loss anxiety worry body breath calm family boundary "
    "resentment letting go ambivalence love anger guilt shame care trust listen feel notice gentle therapy "
    "session practice habit sleep morning evening partner child parent sibling friend work rest season "
    "holiday memory story voice choice pattern repair rupture attachment safety need want fear hope relief "
    "patience courage honest kind slow steady small step practice journal walk conversation letter home"
).split()
_SYLLABLES = "ba ko ri me lu sa then dor vi nae pel quo tra mis gen ul ard fen".split()
#: Topics grow with the site, as a writer's vocabulary does (Heaps' law): one topic per this many articles,
#: each with words of its own. A fixed vocabulary would make every word common at 100,000 articles, which real
#: prose is not, and would measure a site no one writes.
ARTICLES_PER_TOPIC = 50
TOPIC_WORDS = 40
_TOPIC_WEIGHTS = list(itertools.accumulate(1 / (rank + 1) for rank in range(TOPIC_WORDS)))


def topic_words(topic: int) -> list[str]:
    """The words of one topic: made-up words (four syllables and an n) that no other topic uses."""
    words = []
    for index in range(topic * TOPIC_WORDS, (topic + 1) * TOPIC_WORDS):
        syllables, number = [], index
        for _ in range(4):
            number, digit = divmod(number, len(_SYLLABLES))
            syllables.append(_SYLLABLES[digit])
        words.append("".join(syllables) + "n")
    return words


#: Tags grow with the site too: at least 60, and each on about 60 articles (three tags an article).
ARTICLES_PER_TAG = 20
#: Queries for the benchmark: two words of one topic, each matching a few dozen articles at any size.
QUERIES = [f"{words[rank]}+{words[rank + 3]}" for words in map(topic_words, range(10)) for rank in range(5)]
SERIES_LENGTH = 5
ADMIN_EMAIL = "bench@example.com"


def paragraph(rng: random.Random, words: int, topic: int = 0) -> str:
    common = words * 7 // 10
    chosen = [rng.choice(WORDS) for _ in range(common)]
    chosen += rng.choices(topic_words(topic), cum_weights=_TOPIC_WEIGHTS, k=words - common)
    rng.shuffle(chosen)
    text = " ".join(chosen)
    return text[0].upper() + text[1:] + "."


def body(rng: random.Random, topic: int, words: int = 800) -> str:
    parts = []
    for section in range(4):
        parts.append(f"## Section {section + 1}: {rng.choice(WORDS)} and {rng.choice(WORDS)}")
        parts.extend(paragraph(rng, words // 12, topic) for _ in range(3))
    return "\n\n".join(parts)


#: With `copies`, the articles past this many are copies of these made in SQL: 100,000 articles in minutes
#: rather than most of an hour through the services. Each copy has its own slug, title, date and series; bodies
#: and tags repeat, and related links are scored among the originals only: a site for list targets (sitemap,
#: archive), not for related links or search relevance.
ORIGINALS = 1_000


def generate(app: Flask, count: int, *, seed: int = 7, progress=print, copies: bool = False) -> float:
    """Create the schema and `count` published articles (a fifth of them in series of five); return seconds."""
    made = min(count, ORIGINALS) if copies else count
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
        _articles(rng, made, admin, now, started, progress)
        related.catch_up(now)  # what the worker does next: one computation of them all, as after an import
        db.session.commit()
        if count > made:
            _copy_articles(count - made, started, progress)
    return time.perf_counter() - started


def _copy_articles(count: int, started: float, progress) -> None:
    """Add `count` copies of the articles there are, each round of copies dated before the one it copies."""
    originals = db.session.execute(select(Article.__table__).order_by(Article.id)).mappings().all()
    series_rows = db.session.execute(select(Series.__table__)).mappings().all()
    tag_rows = db.session.execute(select(article_tag)).all()
    # Every live article's related list is stored, as the worker keeps them: a copy's is its original's, in its round.
    related_rows = db.session.execute(select(RelatedScore.__table__)).mappings().all()
    next_article = db.session.scalar(select(func.max(Article.id))) + 1
    next_series = (db.session.scalar(select(func.max(Series.id))) or 0) + 1
    span = originals[-1]["publish_at"] - originals[0]["publish_at"] + timedelta(hours=1)
    for round_number in itertools.count(1):
        wanted = originals[:count]
        if not wanted:
            break
        shift = span * round_number
        series_ids = {row["id"]: next_series + offset for offset, row in enumerate(series_rows)}
        next_series += len(series_rows)
        db.session.execute(insert(Series.__table__), [
            {**row, "id": series_ids[row["id"]], "slug": f"{row['slug']}-{round_number}",
             "title": f"{row['title']} ({round_number})"} for row in series_rows])
        article_ids = {row["id"]: next_article + offset for offset, row in enumerate(wanted)}
        next_article += len(wanted)
        db.session.execute(insert(Article.__table__), [
            {**row, "id": article_ids[row["id"]], "slug": f"{row['slug']}-{round_number}",
             "title": f"{row['title']} ({round_number})", "source_key": None,
             "series_id": series_ids.get(row["series_id"]),
             **{name: row[name] - shift for name in ("publish_at", "published_at", "created_at", "updated_at")}}
            for row in wanted])
        db.session.execute(insert(article_tag), [{"article_id": article_ids[article_id], "tag_id": tag_id}
                                                 for article_id, tag_id in tag_rows if article_id in article_ids])
        db.session.execute(insert(RelatedScore.__table__), [
            {**row, "article_id": article_ids[row["article_id"]], "other_id": article_ids[row["other_id"]]}
            for row in related_rows if row["article_id"] in article_ids and row["other_id"] in article_ids])
        db.session.commit()
        count -= len(wanted)
        progress(f"  copies: {next_article - 1} articles, {time.perf_counter() - started:.0f} s")
    if db.engine.dialect.name == "postgresql":  # ids were given, so the sequences must be told where to go on
        db.session.execute(text("SELECT setval(pg_get_serial_sequence('articles', 'id'), max(id)) FROM articles"))
        db.session.execute(text("SELECT setval(pg_get_serial_sequence('series', 'id'), max(id)) FROM series"))
        db.session.commit()


def _articles(rng: random.Random, count: int, admin, now: datetime, started: float, progress) -> None:
    current_series, part, series_topic = None, 0, 0
    topics = max(1, count // ARTICLES_PER_TOPIC)
    tags = [f"theme {n}" for n in range(max(60, count // ARTICLES_PER_TAG))]
    for number in range(count):
        if number % 25 == 0:  # every 25th article starts a series of five, on one topic
            current_series, part = series_service.create(f"Series {number // 25}: {rng.choice(WORDS)}"), 0
            series_topic = rng.randrange(topics)
        in_series = current_series is not None and part < SERIES_LENGTH
        part += 1 if in_series else 0
        topic = series_topic if in_series else rng.randrange(topics)
        data = articles.ArticleInput(
            title=f"{rng.choice(WORDS).title()} {rng.choice(topic_words(topic))} {number}",
            body_source=body(rng, topic), summary=paragraph(rng, 25, topic),
            tags=rng.sample(tags, 3), series=current_series if in_series else None,
            series_part=part if in_series else None,
        )
        article = articles.create(data, by=admin, now=now)
        articles.change_status(article, Status.PUBLISHED, by=admin, now=now,
                               publish_at=now - timedelta(hours=count - number))
        if number % 500 == 499:
            db.session.commit()
            progress(f"  {number + 1} articles, {time.perf_counter() - started:.0f} s")

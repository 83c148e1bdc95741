"""Related articles at scale: the pure-Python engine against a vectorized TF-IDF baseline on the same corpus.

    python -m tests.bench.bench_related [--articles 10000] [--words 800] [--no-service]

Needs the `bench` extra (scikit-learn, numpy, scipy). The corpus is synthetic: topics with their own
vocabulary over a common Zipf-distributed one, so precision@3 against the topics is a sanity check of both.
Quality is measured on the tests' hand-written corpora (tests/core/related_quality.py): precision@3 on the
family corpus with no tags, honest tags and hurried tags, next to a TF-IDF baseline over title and body.
The service part stores the articles in a temporary SQLite database and times the worker's `related.catch_up`
after a save: how long a save's related articles lag behind it (the save itself only queues its article).
Not collected by pytest (the name does not start with test_).
"""

from __future__ import annotations

import argparse
import gc
import random
import statistics
import tempfile
import time
import tracemalloc
import warnings
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np
from sklearn.feature_extraction.text import TfidfVectorizer

from cms.core import related as engine
from cms.core.related import STOP_WORDS, Document, Index
from tests.core import related_quality

TOPICS = 200
TOPIC_WORDS = 150
COMMON_WORDS = 6000
STOP = "the and of to a in is that it for with as on was be this by not you are".split()
NOW = datetime(2025, 2, 11, 14, tzinfo=UTC)
DEPTH = 10


def pseudo_words(rng: random.Random, count: int) -> list[str]:
    syllables = [c + v for c in "bcdfghjklmnprstvwz" for v in ("a", "e", "i", "o", "u", "ai", "ou")]
    words: set[str] = set()
    while len(words) < count:
        words.add("".join(rng.choice(syllables) for _ in range(rng.randint(2, 4))))
    return sorted(words)


def corpus(count: int, words: int, seed: int = 11) -> tuple[list[Document], list[int]]:
    """`count` articles of about `words` words, each in one of TOPICS topics; return them and their topics."""
    rng = random.Random(seed)
    common = pseudo_words(rng, COMMON_WORDS)
    topical = pseudo_words(random.Random(seed + 1), TOPICS * TOPIC_WORDS)
    vocabularies = [topical[n * TOPIC_WORDS:(n + 1) * TOPIC_WORDS] for n in range(TOPICS)]
    common_weights = [1 / rank for rank in range(1, COMMON_WORDS + 1)]
    topic_weights = [1 / rank ** 0.8 for rank in range(1, TOPIC_WORDS + 1)]
    documents, topics = [], []
    for ident in range(1, count + 1):
        topic = rng.randrange(TOPICS)
        vocabulary = vocabularies[topic]
        mix = (rng.choices(vocabulary, topic_weights, k=int(words * 0.2))
               + rng.choices(common, common_weights, k=int(words * 0.6))
               + rng.choices(STOP, k=int(words * 0.2)))
        rng.shuffle(mix)
        title = " ".join(rng.choices(vocabulary, topic_weights, k=4) + rng.choices(common, common_weights, k=2))
        summary = " ".join(rng.choices(vocabulary, topic_weights, k=6) + rng.choices(common, common_weights, k=14))
        documents.append(Document(ident, title.capitalize(), summary, " ".join(mix),
                                  published_at=NOW - timedelta(hours=count - ident)))
        topics.append(topic)
    return documents, topics


def weighted_text(document: Document) -> str:
    """The baseline's input, with title and summary repeated as the engine weighs them."""
    return " ".join([document.title] * 3 + [document.summary] * 2 + [document.body_text])


def baseline(documents: list[Document], depth: int) -> tuple[np.ndarray, float, float]:
    """TF-IDF with scikit-learn, cosine by sparse products in blocks, top `depth` per article by argpartition."""
    started = time.perf_counter()
    vectors = TfidfVectorizer(stop_words="english", sublinear_tf=True, min_df=2, max_df=0.5,
                              dtype=np.float32).fit_transform(weighted_text(d) for d in documents)
    vectorized = time.perf_counter() - started
    transposed = vectors.T.tocsc()
    best = np.empty((len(documents), depth), dtype=np.int64)
    for start in range(0, len(documents), 1000):
        block = (vectors[start:start + 1000] @ transposed).toarray()
        block[np.arange(block.shape[0]), np.arange(start, start + block.shape[0])] = -1.0
        top = np.argpartition(-block, depth, axis=1)[:, :depth]
        order = np.argsort(-np.take_along_axis(block, top, axis=1), axis=1)
        best[start:start + block.shape[0]] = np.take_along_axis(top, order, axis=1)
    return best, vectorized, time.perf_counter() - started


def timed(function: Callable[[], object]) -> tuple[object, float]:
    started = time.perf_counter()
    result = function()
    return result, time.perf_counter() - started


def peak_mib(function: Callable[[], object]) -> float:
    """Peak memory allocated while `function` runs (Python objects and numpy arrays alike), in MiB."""
    gc.collect()
    tracemalloc.start()
    function()
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return peak / 2 ** 20


def precision_at_3(tops: list[list[int]], topics: list[int]) -> float:
    hits = sum(sum(topics[other] == topics[ident] for other in top[:3]) for ident, top in enumerate(tops))
    return hits / (3 * len(tops))


def engine_tops(index: Index, documents: list[Document]) -> list[list[int]]:
    """Positions (id - 1) of each article's best matches, as the baseline gives them."""
    return [[match.other_id - 1 for match in index.related(document.id)] for document in documents]


def incremental(index: Index, documents: list[Document], saves: int, seed: int = 5) -> list[float]:
    """Milliseconds for each of `saves` edits of random articles: a paragraph of another article added."""
    rng = random.Random(seed)
    times = []
    for _ in range(saves):
        document = rng.choice(documents)
        donor = rng.choice(documents)
        edited = Document(document.id, document.title, document.summary,
                          document.body_text + " " + donor.body_text[:600], published_at=document.published_at)
        started = time.perf_counter()
        index.upsert(edited)
        times.append((time.perf_counter() - started) * 1000)
    return times


def service_figures(documents: list[Document], saves: int) -> dict[str, float]:
    """Store the corpus in SQLite and time the worker's catch-up after one save, and a reindex."""
    from sqlalchemy import insert

    from cms import create_app
    from cms.core.workflow import Status
    from cms.extensions import db
    from cms.models import Article, User
    from cms.services import related

    with tempfile.TemporaryDirectory() as folder:
        app = create_app({"SECRET_KEY": "bench", "SQLALCHEMY_DATABASE_URI": f"sqlite:///{Path(folder) / 'b.db'}"})
        with app.app_context():
            db.create_all()
            db.session.add(User(id=1, email="bench@example.com", password_hash="-"))
            db.session.execute(insert(Article), [
                {"id": d.id, "slug": f"a{d.id}", "title": d.title, "summary": d.summary, "body_text": d.body_text,
                 "body_html": "", "author_id": 1, "status": Status.PUBLISHED, "publish_at": d.published_at,
                 "published_at": d.published_at, "version": 1} for d in documents])
            db.session.commit()
            _, reindex = timed(related.rebuild)
            db.session.commit()
            gc.collect()  # the engine's figures above left garbage behind, which a server process does not have
            rng = random.Random(3)
            times = []
            for _ in range(saves):
                article = db.session.get(Article, rng.choice(documents).id)
                article.body_text += " " + rng.choice(documents).body_text[:600]
                related.queue(article)
                db.session.commit()
                started = time.perf_counter()
                related.catch_up(datetime.now(UTC))
                times.append((time.perf_counter() - started) * 1000)
                db.session.commit()
            db.drop_all()
        return {"reindex": reindex, "median": statistics.median(times), "max": max(times)}


def quality() -> list[tuple[str, str, str, str]]:
    """Precision@3 on the tests' two hand-written corpora, next to the TF-IDF baseline computed in the same run,
    which scikit-learn's TfidfVectorizer must agree with."""
    report = related_quality.report()
    corpus = related_quality.family("none")
    with warnings.catch_warnings():  # stop words are dropped after tokenizing, by both: the warning is moot
        warnings.simplefilter("ignore", UserWarning)
        vectors = TfidfVectorizer(stop_words=sorted(STOP_WORDS)).fit_transform(
            related_quality.baseline_text(d) for d in corpus.documents)
    similarities = (vectors @ vectors.T).toarray()
    np.fill_diagonal(similarities, -1.0)
    ids = [d.id for d in corpus.documents]
    theirs = related_quality.precision_at_3(
        lambda ident: [ids[n] for n in np.argsort(-similarities[ids.index(ident)], kind="stable")], corpus)
    if abs(theirs - report.baseline) > 1e-9:
        raise SystemExit(f"The written-out baseline ({report.baseline:.3f}) is not scikit-learn's ({theirs:.3f}).")
    baseline = f"{report.baseline:.3f}"  # TF-IDF over title and body: it never sees tags
    return [("precision@3, family corpus, text alone", f"{report.text_alone:.3f}", baseline, ""),
            ("precision@3, family corpus, honest tags", f"{report.honest_tags:.3f}", baseline, ""),
            ("precision@3, family corpus, hurried tags (a third wrong)", f"{report.hurried_tags:.3f}", baseline, ""),
            ("precision@3, five-topic corpus", f"{report.five_topics:.3f}", "", "")]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--articles", type=int, default=10_000)
    parser.add_argument("--words", type=int, default=800)
    parser.add_argument("--saves", type=int, default=200)
    parser.add_argument("--no-service", action="store_true", help="skip the database part")
    args = parser.parse_args()

    documents, topics = corpus(args.articles, args.words)
    print(f"{len(documents)} articles, {sum(len(d.body_text.split()) for d in documents) / len(documents):.0f} "
          f"words each on average, {TOPICS} topics")

    index, ours = timed(lambda: Index.build(documents, DEPTH))
    (best, vectorized, theirs) = baseline(documents, DEPTH)
    our_tops, their_tops = engine_tops(index, documents), best.tolist()
    shared = sum(len(set(a[:3]) & set(b[:3])) for a, b in zip(our_tops, their_tops, strict=True))
    agreement = shared / (3 * len(documents))
    saves = incremental(index, documents, args.saves)
    index = None
    our_peak = peak_mib(lambda: Index.build(documents, DEPTH))
    their_peak = peak_mib(lambda: baseline(documents, DEPTH))

    rows = [
        ("full computation (s)", f"{ours:.1f}", f"{theirs:.1f}", f"{ours / theirs:.2f}"),
        ("  of which analysis (s)", "", f"{vectorized:.1f}", ""),
        ("peak memory (MiB)", f"{our_peak:.0f}", f"{their_peak:.0f}", f"{our_peak / their_peak:.2f}"),
        ("precision@3 vs topics", f"{precision_at_3(our_tops, topics):.3f}",
         f"{precision_at_3(their_tops, topics):.3f}", ""),
        ("top-3 overlap with baseline", f"{agreement:.3f}", "", ""),
        (f"incremental save, median of {args.saves} (ms)", f"{statistics.median(saves):.1f}", "", ""),
        ("incremental save, max (ms)", f"{max(saves):.1f}", "", ""),
    ]
    if not args.no_service:
        service = service_figures(documents, args.saves)
        rows += [
            ("service: flask cms reindex (s)", f"{service['reindex']:.1f}", "", ""),
            ("service: worker catch-up after a save, median (ms)", f"{service['median']:.1f}", "", ""),
            ("service: worker catch-up after a save, max (ms)", f"{service['max']:.1f}", "", ""),
        ]
    rows += quality()
    print(f"{'':62} {'engine':>10} {'baseline':>10} {'ratio':>7}")
    for name, mine, theirs_text, ratio in rows:
        print(f"{name:62} {mine:>10} {theirs_text:>10} {ratio:>7}")
    print(f"(engine: {engine.TERMS_PER_ARTICLE} terms per article, depth {DEPTH}, "
          f"{engine.REWEIGHED_PER_CHANGE} oldest articles weighed again with every save, their lists computed "
          "again if their weights moved; "
          "baseline: scikit-learn TfidfVectorizer, sparse products in blocks of 1000)")


if __name__ == "__main__":
    main()

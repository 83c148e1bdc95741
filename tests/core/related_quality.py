"""How well related articles match a reader's sense of topic: precision@3 of the engine and of a TF-IDF baseline.

Shared by the tests (tests/core/test_related.py) and `make bench` (tests/bench/bench_related.py), so both report
the same figures. Precision@3: of each article's three best matches, the share in its own topic.

The baseline is a plain TF-IDF cosine over title and body, as scikit-learn's `TfidfVectorizer(stop_words=...)`
computes it (raw term counts, smoothed idf, L2-normalized), written out so the tests need no scikit-learn; the
bench checks it against scikit-learn when that is installed.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

from cms.core.related import STOP_WORDS, Document, Index
from tests.core import family_corpus, related_corpus

_TOKEN = re.compile(r"(?u)\b\w\w+\b")  # scikit-learn's default token pattern


@dataclass(frozen=True)
class Labelled:
    """A corpus: its documents and each one's topic."""

    documents: list[Document]
    topics: dict[int, str]


def five_topics() -> Labelled:
    """The first corpus (tests/core/related_corpus.py): untagged, five topics."""
    documents, topics = [], {}
    for topic, articles in related_corpus.CORPUS.items():
        for title, summary, body in articles:
            ident = len(documents) + 1
            documents.append(Document(ident, title, summary, body))
            topics[ident] = topic
    return Labelled(documents, topics)


def family(tags: str) -> Labelled:
    """The family corpus (tests/core/family_corpus.py) with `tags` "none", "honest" or "hurried"."""
    documents, topics = [], {}
    for topic, articles in family_corpus.CORPUS.items():
        for position, article in enumerate(articles):
            ident = len(documents) + 1
            chosen = {"none": (), "honest": article.tags,
                      "hurried": family_corpus.hurried_tags(topic, position)}[tags]
            documents.append(Document(ident, article.title, article.summary, article.body, tags=chosen))
            topics[ident] = topic
    return Labelled(documents, topics)


def precision_at_3(best: Callable[[int], Sequence[int]], corpus: Labelled) -> float:
    """The share of each article's three best matches (`best(id)`, best first) in the article's own topic."""
    hits = sum(sum(corpus.topics[other] == corpus.topics[document.id] for other in best(document.id)[:3])
               for document in corpus.documents)
    return hits / (3 * len(corpus.documents))


def engine_precision(corpus: Labelled) -> float:
    index = Index.build(corpus.documents)
    return precision_at_3(lambda ident: [match.other_id for match in index.related(ident)], corpus)


def tfidf_vectors(texts: Sequence[str]) -> list[dict[str, float]]:
    """TfidfVectorizer(stop_words=STOP_WORDS): raw counts times ln((1 + n) / (1 + df)) + 1, L2-normalized."""
    counts = [Counter(token for token in _TOKEN.findall(text.lower()) if token not in STOP_WORDS)
              for text in texts]
    df = Counter(term for count in counts for term in count)
    idf = {term: math.log((1 + len(texts)) / (1 + frequency)) + 1 for term, frequency in df.items()}
    vectors = []
    for count in counts:
        weights = {term: tf * idf[term] for term, tf in count.items()}
        norm = math.sqrt(sum(weight * weight for weight in weights.values())) or 1.0
        vectors.append({term: weight / norm for term, weight in weights.items()})
    return vectors


def baseline_text(document: Document) -> str:
    return f"{document.title}\n{document.body_text}"


def baseline_best(corpus: Labelled) -> Mapping[int, list[int]]:
    """Each article's other articles by TF-IDF cosine over title and body, best first (ties: lower id first)."""
    vectors = dict(zip((d.id for d in corpus.documents),
                       tfidf_vectors([baseline_text(d) for d in corpus.documents]), strict=True))
    best = {}
    for ident, vector in vectors.items():
        scores = [(sum(weight * other.get(term, 0.0) for term, weight in vector.items()), other_id)
                  for other_id, other in vectors.items() if other_id != ident]
        best[ident] = [other_id for _, other_id in sorted(scores, key=lambda entry: (-entry[0], entry[1]))]
    return best


def baseline_precision(corpus: Labelled) -> float:
    return precision_at_3(baseline_best(corpus).__getitem__, corpus)


@dataclass(frozen=True)
class Report:
    """Precision@3 on the family corpus, the engine three ways and the baseline, and on the first corpus."""

    text_alone: float
    honest_tags: float
    hurried_tags: float
    baseline: float
    five_topics: float


def report() -> Report:
    return Report(text_alone=engine_precision(family("none")), honest_tags=engine_precision(family("honest")),
                  hurried_tags=engine_precision(family("hurried")), baseline=baseline_precision(family("none")),
                  five_topics=engine_precision(five_topics()))

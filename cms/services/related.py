"""Related articles and automatic links: read with pins first and live articles only, computed off the request path.

Scores are stored (RelatedScore, with the reasons the editor sees) for every article, computed by the engine
in `core.related` over the articles that are or will be live (scheduled and published), so a scheduled
article's scores are ready when it goes live and need no job then. Readers never see an article that is not
live: `for_article` checks liveness when it reads.

A save only queues its article (`queue`, one row in the save's transaction). The worker (`flask cms worker`)
keeps the engine's index in memory, read from the database on first use (every article weighed, the lists
stored read back, not computed again), and every second takes the queue (`catch_up`): it updates each queued
article's row and the rows it enters or leaves, nothing else, and marks the live articles whose lists readers
see change, so the page caches build those again. Reading the index grows with the site (34 s of CPU at
100,000 articles), and no reader or author waits for it.

Drift: an update weighs the saved article, and the few articles weighed longest ago, with the current
document frequencies (see `core.related`); the rows that moved are rewritten with it. `flask cms reindex`
recomputes everything.
"""

from __future__ import annotations

import functools
import gc
import itertools
import threading
from collections.abc import Callable, Collection, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import delete, event, func, insert, select, tuple_, update
from sqlalchemy.orm import Session, load_only

from cms.core import autolink
from cms.core.errors import InvalidInput
from cms.core.related import DEPTH, Document, Index, Match
from cms.core.visibility import is_live
from cms.core.workflow import LIVE_STATUSES
from cms.extensions import db
from cms.models import (
    Article,
    ContentVersion,
    RelatedChoice,
    RelatedQueued,
    RelatedScore,
    SiteSettings,
    Tag,
    article_tag,
)
from cms.services import freshness, reader, redirects, site

_CHUNK = 500  # ids per IN (...) list
_FROZEN_FROM = 2000  # articles in an index large enough for the garbage collector's walks to be felt
_UNCOMMITTED = "cms_related_uncommitted"  # session.info: (cache, ids) indexed in a transaction not yet committed
#: Queued articles from which one computation from scratch costs less than updating each (an import).
_REBUILD_FROM = 1000
_LOCK = 0x52454C41  # "RELA": PostgreSQL's advisory lock of the worker computing related articles


def for_article(article: Article, now: datetime, settings: SiteSettings) -> list[Article]:
    """Return up to settings.related_count live articles related to `article`: pinned ones, then by score.

    Liveness is checked here, at read time, so a stored score never shows an article before its time. Parts
    of the article's own series come after every other article above the minimum score: the series
    navigation already lists them, so they only fill in.
    """
    return for_articles([article], now, settings)[article.id]


def for_articles(articles: Sequence[Article], now: datetime, settings: SiteSettings) -> dict[int, list[Article]]:
    """`for_article` for a whole list at once, in three queries however long the list (article id -> related).

    The scores are read first, by the article ids, and the few articles they name after: joined in one query,
    a database may start from the live articles and read them all.
    """
    ids = [article.id for article in articles]
    choices = db.session.scalars(select(RelatedChoice).where(RelatedChoice.article_id.in_(ids))
                                 .order_by(RelatedChoice.position)).all()
    scored = db.session.execute(
        select(RelatedScore.article_id, RelatedScore.other_id, RelatedScore.score)
        .where(RelatedScore.article_id.in_(ids), RelatedScore.score >= settings.related_min_score)).all()
    named = {choice.other_id for choice in choices if choice.is_pinned} | {other for _, other, _ in scored}
    live = ({other.id: other for other in db.session.scalars(reader.live_articles(now).where(Article.id.in_(named)))}
            if named else {})
    candidates: dict[int, list[tuple[float, Article]]] = {ident: [] for ident in ids}
    for article_id, other_id, score in scored:
        if other_id in live:
            candidates[article_id].append((score, live[other_id]))
    return {article.id: _shown(article, [(choice.other_id, choice.is_pinned) for choice in choices
                                         if choice.article_id == article.id],
                               candidates[article.id], live, settings.related_count) for article in articles}


def _shown(article: Article, choices: Sequence[tuple[int, bool]], candidates: Sequence[tuple[float, Article]],
           live: Mapping[int, Article], count: int) -> list[Article]:
    """The related list readers see: `article`'s pinned live articles in order (its `choices`, as (other id,
    is pinned) in order), then its live `candidates` (score, article) above the minimum score that are neither
    pinned nor excluded, best first."""
    pinned = [live[other_id] for other_id, is_pinned in choices if is_pinned and other_id in live]
    chosen = {other_id for other_id, _ in choices}
    ranked = sorted(candidates, key=lambda entry: (
        article.series_id is not None and entry[1].series_id == article.series_id,  # the series only fills in
        -entry[0], -_timestamp(entry[1].shown_at)))
    rest = [other for _, other in ranked if other.id not in chosen and other.id != article.id]
    return (pinned + rest)[:count]


def _timestamp(moment: datetime | None) -> float:
    """Seconds since the epoch; a live article always has its date, so 0 is never used."""
    return moment.timestamp() if moment is not None else 0.0


# Keeping scores current


@dataclass
class _Cache:
    index: Index
    versions: dict[int, int | None]  # article id -> the version indexed; None: reload
    lock: threading.RLock
    seen: int = -1  # the content version (see services.freshness) when last in step with the database


_caches: freshness.PerEngine[_Cache] = freshness.PerEngine()


@dataclass(frozen=True)
class Rebuilt:
    """What `rebuild` did."""

    articles: int  # articles whose related lists were computed
    scored: int  # articles in the scoring (scheduled and published)
    changed: int  # stored rows added, changed or removed


def queue(article: Article) -> None:
    """Note that `article` was saved or changed status, for the worker to compute its related articles and those
    of the articles it enters or leaves (`catch_up`). Call it after the change is flushed; it commits with it.

    A save so costs one row, however large the site: the index of every article is the worker's to keep.
    """
    db.session.execute(insert(RelatedQueued).values(article_id=article.id))


def is_queued(article: Article) -> bool:
    """Whether the worker has yet to compute `article`'s related articles after its last save."""
    return db.session.scalar(select(RelatedQueued.id).where(RelatedQueued.article_id == article.id).limit(1)) \
        is not None


@dataclass(frozen=True)
class CaughtUp:
    """What `catch_up` did."""

    articles: int  # queued articles taken
    changed: int  # stored rows added, changed or removed


def catch_up(now: datetime) -> CaughtUp:
    """Compute the related articles of every queued article, and of those it enters or leaves, and take them from
    the queue: what `flask cms worker` does every second. The caller commits.

    Many at once (an import) are computed from scratch (`rebuild`), which then costs less than one by one.
    """
    _one_at_a_time()
    queued = db.session.execute(select(RelatedQueued.id, RelatedQueued.article_id)).all()
    if not queued:
        return CaughtUp(articles=0, changed=0)
    ids = list(dict.fromkeys(article_id for _, article_id in queued))
    if len(ids) >= _REBUILD_FROM:
        changed = rebuild().changed
    else:
        cache = _cache(_depth(), skip=set(ids))
        with cache.lock:
            changed = _take_in(cache, list(_articles(ids)), now)
            cache.seen = _content_version()
    rows = [row_id for row_id, _ in queued]
    for start in range(0, len(rows), _CHUNK):
        db.session.execute(delete(RelatedQueued).where(RelatedQueued.id.in_(rows[start:start + _CHUNK])))
    return CaughtUp(articles=len(ids), changed=changed)


def _one_at_a_time() -> None:
    """Keep a second worker on PostgreSQL waiting until this transaction ends: both would write the same rows.
    (SQLite runs one worker.)"""
    if db.session.get_bind().dialect.name == "postgresql":
        db.session.execute(select(func.pg_advisory_xact_lock(_LOCK)))


def _articles(ids: Sequence[int]) -> Iterator[Article]:
    for start in range(0, len(ids), _CHUNK):
        yield from db.session.scalars(select(Article).where(Article.id.in_(ids[start:start + _CHUNK])))


def _take_in(cache: _Cache, articles: Sequence[Article], now: datetime) -> int:
    """Bring the stored scores up to date after `articles` changed; return the rows changed.

    Only their own rows and the rows that list them, or now should, are rewritten; the live articles whose related
    lists readers see change are marked for the page caches (`freshness.readers_see_articles`). Everything is
    computed before the first write: on SQLite a write keeps every other writer (an author's save) waiting until
    the commit, and this worker runs at a lower priority than the site. The marks come last: they take the content
    version, which every save takes too (on PostgreSQL, scores alone do not).
    """
    changed: set[int] = set()
    documents: dict[int, Document] = {}
    for article in articles:
        documents[article.id] = document = _document(article)
        if article.status in LIVE_STATUSES:
            changed |= cache.index.upsert(document)
            cache.versions[article.id] = article.version
        else:
            changed |= cache.index.remove(article.id)
            cache.versions.pop(article.id, None)
        _uncommitted(cache).add(article.id)
    listing = db.session.scalars(select(RelatedScore.article_id).where(RelatedScore.other_id.in_(documents)))
    changed |= set(listing)
    rows = {ident: cache.index.related(ident) for ident in changed if ident in cache.index}
    outsiders = {ident: document for ident, document in documents.items() if ident not in cache.index}
    rows.update((ident, cache.index.query(document)) for ident, document in outsiders.items())
    writes = _plan(cache.index, rows, outsiders)
    moving = _seen_moving(writes.before, rows, now)
    stored = _write(writes)
    freshness.readers_see_articles(db.session(), moving)
    return stored


def rebuild(progress: Callable[[int, int], None] | None = None) -> Rebuilt:
    """Compute every article's related list from scratch and store the differences: `flask cms reindex`.

    `progress(done, total)` hears of the articles computed."""
    depth = _depth()
    candidates = dict(db.session.execute(select(Article.id, Article.version)
                                         .where(Article.status.in_(LIVE_STATUSES))).all())
    index = _built(candidates, depth)
    others = db.session.scalars(select(Article.id).where(Article.status.not_in(LIVE_STATUSES))).all()
    total = len(candidates) + len(others)
    rows = {}
    for ident in candidates:
        rows[ident] = index.related(ident)
        if progress is not None:
            progress(len(rows), total)
    outsiders = {document.id: document for document in _documents(others)}
    for ident, document in outsiders.items():
        rows[ident] = index.query(document)
        if progress is not None:
            progress(len(rows), total)
    changed = _write(_plan(index, rows, outsiders))
    if changed:
        freshness.readers_see_this_transaction(db.session())  # stored scores alone follow no article's write
    _caches.put(db.engine, _Cache(index, dict(candidates), threading.RLock(), seen=_content_version()))
    return Rebuilt(articles=len(rows), scored=len(candidates), changed=changed)


def _built(ids: Collection[int], depth: int) -> Index:
    """Build an index of these articles, a large one kept out of the collector's walks (reference counting still
    frees it when it is replaced: nothing in it refers back to itself)."""
    with _kept_apart(len(ids)):
        return Index.build(_documents(ids), depth)


def _restored(current: Mapping[int, int], depth: int) -> Index:
    """This process's first index: the articles weighed, their lists as stored (the worker stores every list it
    computes), not computed again. At 100,000 articles computing them all takes hours; reading them, a minute."""
    stored: dict[int, list[tuple[int, float]]] = {}
    with _kept_apart(len(current)):
        for ident, other, score in db.session.execute(select(RelatedScore.article_id, RelatedScore.other_id,
                                                             RelatedScore.score)):
            if ident in current:
                stored.setdefault(ident, []).append((other, score))
        return Index.restore(_documents(current), stored, depth)


@contextmanager
def _kept_apart(articles: int) -> Iterator[None]:
    """Build an index of `articles` articles, a large one apart from the cyclic garbage collector.

    A full collection walks every object tracked; an index of a large site holds enough of them that one took
    70-150 ms, landing inside whatever request came next. So a large index is built with the collector paused
    (as it grew, each collection walked all of it again: half the time of building the title index at 100,000
    articles), after a collection while the heap is still small, and what is alive then is frozen out of later
    walks. A small index is left alone, as freezing pins whatever is alive.
    """
    if articles < _FROZEN_FROM:
        yield
        return
    gc.collect()  # so that what is frozen is what is alive
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        gc.freeze()
        if was_enabled:
            gc.enable()


def _depth() -> int:
    """Keep more than are shown, so that hidden (not yet live) and excluded articles leave enough."""
    return max(DEPTH, 3 * site.settings().related_count)


def _cache(depth: int, skip: set[int]) -> _Cache:
    """This process's index, in step with the database for every article but those in `skip` (being updated).

    An article changed without being queued (none is, today) is taken in as it is, and its rows left as they are.
    """
    cache = _caches.get(db.engine)
    if cache is not None and cache.index.depth == depth and _content_version() == cache.seen:
        return cache
    current = {ident: version for ident, version in db.session.execute(
        select(Article.id, Article.version).where(Article.status.in_(LIVE_STATUSES))) if ident not in skip}
    if cache is None or cache.index.depth != depth:
        versions: dict[int, int | None] = dict(current)
        index = _restored(current, depth) if cache is None else _built(current, depth)
        cache = _Cache(index, versions, threading.RLock())
        _caches.put(db.engine, cache)
        return cache
    with cache.lock:
        for ident in [ident for ident in cache.versions if ident not in current and ident not in skip]:
            cache.index.remove(ident)
            del cache.versions[ident]
        stale = [ident for ident, version in current.items() if cache.versions.get(ident) != version]
        for document in _documents(stale):
            cache.index.upsert(document)
            cache.versions[document.id] = current[document.id]
        return cache


def _content_version() -> int:
    return db.session.scalar(select(ContentVersion.version).where(ContentVersion.id == 1)) or 0


def _uncommitted(cache: _Cache) -> set[int]:
    """Ids indexed in this transaction: if it rolls back, the index must read them again."""
    uncommitted = db.session.info.get(_UNCOMMITTED)
    if uncommitted is None or uncommitted[0] is not cache:
        uncommitted = db.session.info[_UNCOMMITTED] = (cache, set())
    return uncommitted[1]


def _forget_uncommitted(session: Session, *_: object) -> None:
    session.info.pop(_UNCOMMITTED, None)


def _reload_uncommitted(session: Session, *_: object) -> None:
    uncommitted = session.info.pop(_UNCOMMITTED, None)
    if uncommitted is not None:
        cache, ids = uncommitted
        with cache.lock:
            cache.seen = -1  # what it saw was this transaction's, now undone
            for ident in ids:
                cache.versions[ident] = None


event.listen(Session, "after_commit", _forget_uncommitted)
event.listen(Session, "after_soft_rollback", _reload_uncommitted)


def _document(article: Article) -> Document:
    return Document(id=article.id, title=article.title, summary=article.summary, body_text=article.body_text,
                    tags=tuple(tag.name for tag in article.tags), series_id=article.series_id,
                    published_at=article.shown_at)


def _documents(ids: Iterable[int]) -> Iterator[Document]:
    """The engine's view of these articles, read in a few plain queries rather than as model objects."""
    ids = list(ids)
    for start in range(0, len(ids), _CHUNK):
        chunk = ids[start:start + _CHUNK]
        tags: dict[int, list[str]] = {}
        for ident, name in db.session.execute(select(article_tag.c.article_id, Tag.name)
                                              .join(Tag, Tag.id == article_tag.c.tag_id)
                                              .where(article_tag.c.article_id.in_(chunk))):
            tags.setdefault(ident, []).append(name)
        query = select(Article.id, Article.title, Article.summary, Article.body_text, Article.series_id,
                       Article.shown_at).where(Article.id.in_(chunk))
        for ident, title, summary, body_text, series_id, published_at in db.session.execute(query):
            yield Document(id=ident, title=title, summary=summary, body_text=body_text,
                           tags=tuple(tags.get(ident, ())), series_id=series_id, published_at=published_at)


@dataclass(frozen=True)
class _Writes:
    """What making the stored scores exactly some rows takes, worked out before anything is written."""

    added: list[dict[str, object]]
    changed: list[dict[str, object]]
    gone: list[tuple[int, int]]
    before: dict[int, list[tuple[int, float]]]  # the scores stored before: article id -> (other id, score)


def _plan(index: Index, rows: Mapping[int, list[Match]], outsiders: Mapping[int, Document]) -> _Writes:
    """What makes the stored scores of these articles exactly `rows` (article id -> matches), with their reasons.
    `outsiders` are those not in the index (not live), which it weighs as documents.

    Read as plain columns and written in bulk: a save touches a few hundred rows, and model objects for each
    would cost more than computing them.
    """
    ids = list(rows)
    stored: dict[tuple[int, int], float] = {}
    for start in range(0, len(ids), _CHUNK):
        query = (select(RelatedScore.article_id, RelatedScore.other_id, RelatedScore.score)
                 .where(RelatedScore.article_id.in_(ids[start:start + _CHUNK])))
        stored.update(((ident, other), score) for ident, other, score in db.session.execute(query))
    before: dict[int, list[tuple[int, float]]] = {}
    for (ident, other), score in stored.items():
        before.setdefault(ident, []).append((other, score))
    added: list[dict[str, object]] = []
    changed: list[dict[str, object]] = []
    for ident, matches in rows.items():
        subject = outsiders.get(ident, ident)
        for match in matches:
            score = round(match.score, 6)  # so that float noise rewrites nothing
            old = stored.pop((ident, match.other_id), None)
            if old == score:
                continue  # the same score from the same articles: the same reasons
            row = {"article_id": ident, "other_id": match.other_id, "score": score,
                   "reasons": index.reasons(subject, match.other_id).as_json()}
            (added if old is None else changed).append(row)
    return _Writes(added, changed, list(stored), before)


def _write(writes: _Writes) -> int:
    """Write what `_plan` worked out; return how many rows changed."""
    if writes.added:
        db.session.execute(insert(RelatedScore), writes.added)
    if writes.changed:
        db.session.execute(update(RelatedScore), writes.changed)
    for start in range(0, len(writes.gone), _CHUNK):
        db.session.execute(delete(RelatedScore).where(
            tuple_(RelatedScore.article_id, RelatedScore.other_id).in_(writes.gone[start:start + _CHUNK])))
    return len(writes.added) + len(writes.changed) + len(writes.gone)


def _seen_moving(before: Mapping[int, list[tuple[int, float]]], rows: Mapping[int, list[Match]],
                 now: datetime) -> set[int]:
    """The live articles among `rows` whose related lists readers may see change: the live articles at or over the
    minimum score in another order, or two tied (the order then rests on their dates). An article scheduled or
    in draft, entering or leaving a list, changes nothing a reader sees until it goes live."""
    named = set(rows) | {match.other_id for matches in rows.values() for match in matches}
    named |= {other for scores in before.values() for other, _ in scores}
    live = _live(named, now)
    minimum = site.settings().related_min_score
    return {ident for ident, matches in rows.items() if ident in live and _moves(
        before.get(ident, []), [(match.other_id, round(match.score, 6)) for match in matches], minimum, live)}


def _live(ids: Iterable[int], now: datetime) -> set[int]:
    ids = list(ids)
    live: set[int] = set()
    for start in range(0, len(ids), _CHUNK):
        live.update(db.session.scalars(select(Article.id).where(
            Article.id.in_(ids[start:start + _CHUNK]), reader.is_live_clause(now))))
    return live


def _moves(old: list[tuple[int, float]], new: list[tuple[int, float]], minimum: float, live: set[int]) -> bool:
    """Whether readers may see another related list after the scores `old` become `new` (other id, score)."""
    before, after = _ranking(old, minimum, live), _ranking(new, minimum, live)
    return before is None or after is None or before != after


def _ranking(scores: list[tuple[int, float]], minimum: float, live: set[int]) -> tuple[int, ...] | None:
    """The live articles that may be shown, best first; None if two scores tie."""
    ranked = sorted(((score, other) for other, score in scores if score >= minimum and other in live), reverse=True)
    if any(first == second for (first, _), (second, _) in itertools.pairwise(ranked)):
        return None
    return tuple(other for _, other in ranked)


# Pins and exclusions


def pin(article: Article, other: Article, position: int | None = None) -> RelatedChoice:
    """Show `other` among `article`'s related articles, before the computed ones; position 0 is first."""
    choices = _choices(article, other)
    pins = [choice for choice in choices if choice.is_pinned and choice.other_id != other.id]
    position = len(pins) if position is None else min(max(position, 0), len(pins))
    choice = _choice(article, other)
    choice.is_pinned = True
    for order, pinned in enumerate([*pins[:position], choice, *pins[position:]]):
        pinned.position = order
    db.session.flush()
    return choice


def exclude(article: Article, other: Article) -> RelatedChoice:
    """Never show `other` among `article`'s related articles, pinned or computed."""
    _choices(article, other)
    choice = _choice(article, other)
    choice.is_pinned, choice.position = False, 0
    db.session.flush()
    return choice


def release(article: Article, other: Article) -> None:
    """Drop the author's pin or exclusion of `other`, so the computed score decides again."""
    choice = db.session.get(RelatedChoice, (article.id, other.id))
    if choice is not None:
        db.session.delete(choice)
        db.session.flush()


def _choices(article: Article, other: Article) -> list[RelatedChoice]:
    if other.id == article.id:
        raise InvalidInput("An article cannot be related to itself.", field="related")
    query = select(RelatedChoice).where(RelatedChoice.article_id == article.id).order_by(RelatedChoice.position)
    return list(db.session.scalars(query))


def _choice(article: Article, other: Article) -> RelatedChoice:
    choice = db.session.get(RelatedChoice, (article.id, other.id))
    if choice is None:
        choice = RelatedChoice(article_id=article.id, other_id=other.id, is_pinned=True, position=0)
        db.session.add(choice)
    return choice


# Explaining


@dataclass(frozen=True)
class Explanation:
    """One candidate for `article`'s related list, and why it is or is not shown, for the editor."""

    other: Article
    score: float | None  # None: pinned without a computed score
    terms: tuple[str, ...]  # shared words, strongest first
    tags: tuple[tuple[str, float | None], ...]  # shared tags, those that count most first, with learned weights
    is_same_series: bool
    is_pinned: bool
    is_excluded: bool
    is_live: bool
    is_shown: bool  # readers see it now
    is_below_minimum: bool


def explain(article: Article, now: datetime, settings: SiteSettings | None = None) -> list[Explanation]:
    """Return what readers see under `article` (in order), then the other candidates by score.

    One query: the articles scored or chosen for it (what is shown of them, not their texts), each with its score
    and choice, if any.
    """
    settings = settings or site.settings()
    named = select(RelatedScore.other_id).where(RelatedScore.article_id == article.id).union(
        select(RelatedChoice.other_id).where(RelatedChoice.article_id == article.id))
    rows = db.session.execute(
        select(Article, RelatedScore.score, RelatedScore.reasons, RelatedChoice.is_pinned, RelatedChoice.position)
        .options(load_only(*_EXPLAINED))
        .outerjoin(RelatedScore, (RelatedScore.article_id == article.id) & (RelatedScore.other_id == Article.id))
        .outerjoin(RelatedChoice, (RelatedChoice.article_id == article.id) & (RelatedChoice.other_id == Article.id))
        .where(Article.id.in_(named))).all()
    live = {other.id: other for other, *_ in rows if is_live(other.status, other.publish_at, now)}
    chosen = sorted((position, other.id, is_pinned) for other, _, _, is_pinned, position in rows
                    if is_pinned is not None)
    choices = [(ident, is_pinned) for _, ident, is_pinned in chosen]
    candidates = [(score, live[other.id]) for other, score, *_ in rows
                  if score is not None and other.id in live and score >= settings.related_min_score]
    shown = [other.id for other in _shown(article, choices, candidates, live, settings.related_count)]
    explanations = [Explanation(
        other=other, score=score, terms=tuple((reasons or {}).get("terms", ())), tags=_tag_weights(reasons or {}),
        is_same_series=article.series_id is not None and other.series_id == article.series_id,
        is_pinned=is_pinned is True, is_excluded=is_pinned is False, is_live=other.id in live,
        is_shown=other.id in shown, is_below_minimum=score is not None and score < settings.related_min_score)
        for other, score, reasons, is_pinned, _ in rows]
    order = {ident: position for position, ident in enumerate(shown)}
    return sorted(explanations, key=lambda e: (order.get(e.other.id, len(order)), -(e.score or 0), e.other.id))


#: What the editor's explanation shows of each candidate, and what ranks it.
_EXPLAINED = (Article.id, Article.title, Article.slug, Article.status, Article.publish_at, Article.published_at,
              Article.series_id)


def _tag_weights(reasons: Mapping[str, Any]) -> tuple[tuple[str, float | None], ...]:
    """The shared tags of stored reasons with their weights; None for a row stored before tags had weights."""
    names, weights = reasons.get("tags", []), reasons.get("tag_weights", [])
    return tuple((name, weights[position] if position < len(weights) else None)
                 for position, name in enumerate(names))


# Automatic links


def body_for_readers(article: Article, now: datetime) -> str:
    """Return `article`'s body as every reader sees it (page, feeds, API): the first mention of each other live
    article's title linked to it.

    The author can turn the links off per article (`is_autolink_enabled`); the stored body is never changed.
    """
    return bodies_for_readers([article], now)[0]


def bodies_for_readers(articles: Sequence[Article], now: datetime) -> list[str]:
    """`body_for_readers` for a whole list (a feed), reading the live titles once."""
    return [_linked_bodies.get(now, (article.id, article.version), functools.partial(_linked, article, now))
            if article.is_autolink_enabled else article.body_html for article in articles]


def _linked(article: Article, now: datetime) -> str:
    return autolink.link_titles(article.body_html, live_titles(now), _path(article.slug))


#: Linked bodies of the current state, by article id and version: linking costs more than the rest of a page.
_linked_bodies: freshness.PerState[str] = freshness.PerState(size=512)


@dataclass
class _TitleIndex:
    """This process's index of live titles, as of public version `version` and the moment `read_at`."""

    titles: autolink.Titles
    urls: dict[int, str]  # article id -> its url in `titles`
    key: str  # the content state it is right for
    version: int
    read_at: datetime
    live_since: datetime | None
    lock: threading.Lock = field(default_factory=threading.Lock)  # one update at a time


_title_indexes: freshness.PerEngine[_TitleIndex] = freshness.PerEngine()


def live_titles(now: datetime) -> autolink.Titles:
    """The live articles' titles, indexed once in this process and kept up to date, not read again per page.

    After a write readers can see (in any process) or a go-live, only the articles seen to change since
    (Article.seen_version) and those gone live since are read again: a few rows, however large the site.
    """
    state = freshness.state(now)
    index = _title_indexes.get_or_make(db.engine, lambda: _built_titles(state, now))
    with index.lock:
        if index.key != state.key and now >= index.read_at:
            _update_titles(index, state, now)
        elif index.key != state.key and state.live_since != index.live_since:
            # A request that began before the index's last update, on the other side of a go-live: rare.
            return _built_titles(state, now).titles
        return index.titles


def _built_titles(state: freshness.State, now: datetime) -> _TitleIndex:
    query = reader.live_articles(now).with_only_columns(Article.id, Article.title, Article.slug)
    index = _TitleIndex(autolink.Titles(), {}, state.key, state.version, now, state.live_since)
    with _kept_apart(state.live_count):  # three objects a title: at 100,000 titles, 70 ms a collection
        for ident, title, slug in db.session.execute(query):
            index.urls[ident] = _path(slug)
            index.titles.add(autolink.Target(title, _path(slug)))
    return index


def _update_titles(index: _TitleIndex, state: freshness.State, now: datetime) -> None:
    """Take in what changed since the index was last in step: changes readers saw, and go-lives."""
    columns = (Article.id, Article.title, Article.slug, Article.status, Article.publish_at)
    changed = db.session.execute(select(*columns).where(
        (Article.seen_version > index.version)
        | (reader.is_live_clause(now) & (Article.publish_at > index.read_at)))).all()
    for ident, title, slug, status, publish_at in changed:
        old = index.urls.pop(ident, None)
        if old is not None:
            index.titles.remove(old)
        if is_live(status, publish_at, now):
            index.urls[ident] = _path(slug)
            index.titles.add(autolink.Target(title, _path(slug)))
    index.key, index.version, index.read_at, index.live_since = state.key, state.version, now, state.live_since
    if state.live_count != len(index.urls):  # articles gone with no write to mark them (a restore): read all again
        fresh = _built_titles(state, now)
        index.titles, index.urls = fresh.titles, fresh.urls


def link_suggestions(article: Article, now: datetime, html: str | None = None) -> list[autolink.Target]:
    """Return the live articles whose titles `html` (else the saved body) mentions, as the editor offers them."""
    return autolink.mentions(article.body_html if html is None else html, live_titles(now), _path(article.slug))


def _path(slug: str) -> str:
    return redirects.ARTICLE_PATH.format(slug=slug)

"""Which articles belong together: BM25-weighted terms and phrases of title, summary and body, shared tags
weighed by what the site's texts say of them, series, recency.

Plain Python, no Flask, no database. An `Index` keeps each article's strongest stemmed terms in an inverted
index, and each article's best matches in two short lists: other articles, and parts of its own series (the
series navigation already shows those, so they only fill in). `upsert` and `remove` change one article and
return the ids whose lists changed, so a save rewrites a handful of rows, not all of them.

Text: a term's weight saturates as it repeats and is measured against the article's length (BM25), so a long
article does not win by length and one word said ten times does not drown the rest. The title's two-word
phrases ("no contact", "new mother") are terms of their own: they tell apart topics whose single words are the
same. (A body's phrases, even its repeated ones, cost as much again to find and store as its words, for little.)

Tags are evidence, not orders. A tag's weight is learned from the site: 1 when the articles carrying it are as
alike in text as an article and its closest match usually are, 0 when they are no more alike than any two
articles. A tag put on in a hurry, on articles that have nothing else in common, so stops outweighing their
texts, and a tag whose articles do belong together keeps its say. With few articles to judge by, a tag is
trusted (TAG_PRIOR counts as TAG_PRIOR_PAIRS pairs of articles). The weights cost nothing to keep: the sum of a
tag's articles' unit vectors gives their mean pairwise cosine, (|sum|² - n) / (n (n - 1)).

Between full computations the statistics drift: a changed article is weighed with the current document
frequencies, while the others keep the weights they got when last weighed (a term that was in one article
only, and so left out of its vector, stays out until then). So every change also weighs again the
REWEIGHED_PER_CHANGE articles weighed longest ago: no article's weights are older than len / REWEIGHED_PER_CHANGE
changes, and a save weighs as many articles again at 100 articles as at 10,000, never all of them now and then.
Tag weights move with every change and are read when a list is computed, so they drift the same way. Only those
whose weights, tags or newest date moved have their lists computed again: on a large site, one save barely moves
the statistics, and scoring an article against the thousands sharing its words is what costs.
"""

from __future__ import annotations

import heapq
import itertools
import math
import re
import sys
from array import array
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime

import snowballstemmer

TITLE_WEIGHT, SUMMARY_WEIGHT, BODY_WEIGHT = 3, 2, 1
#: BM25's saturation (the count at which a term has half its weight, in an article of average length) and length
#: normalization (0: none, 1: full). Far above BM25's usual 1.2: here a title's word arrives counted 3 times, and
#: a few uses of a word in a short article should still count as more than one (both corpora in the tests agree).
SATURATION, LENGTH_NORMALIZATION = 10.0, 0.75
LENGTH_STEPS_PER_DOUBLING = 8  # the mean length counts in steps of 2 ** (1 / 8), 9 %
#: The strongest terms kept per article; the rest barely move a cosine and would swell every posting list.
TERMS_PER_ARTICLE = 64
TEXT_WEIGHT = 1.0
#: What a shared tag adds at full weight when it is the only tag of both articles; its learned weight scales it.
TAG_WEIGHT = 0.6
#: A tag's weight before its articles' texts say anything, and how many pairs of articles that guess is worth.
TAG_PRIOR, TAG_PRIOR_PAIRS = 1.0, 1.0
#: How many articles a full computation scores first, to learn how close an article and its best match are.
NEAR_SAMPLE = 100
#: Enough to order near-equal scores newest first, never enough to make unrelated articles related.
RECENCY_WEIGHT = 0.01
RECENCY_HALF_LIFE_DAYS = 365.0
#: How many best matches an `Index` keeps per article and kind (other articles, same series).
DEPTH = 10
#: A term in more than this share of the articles is left out, once there are enough articles to judge.
MAX_SHARE = 0.5
MIN_ARTICLES_FOR_SHARE = 20
#: How many of the articles weighed longest ago each change weighs again with fresh statistics.
REWEIGHED_PER_CHANGE = 10
#: How far (L2) an article's unit vector may move, and its tags' rarity and weight (relatively), before an article
#: weighed again has its matches computed again: a score, a dot product with another unit vector, moves by at most
#: as much (its tag part by TAG_WEIGHT times as much), far less than every other article's drift until it is
#: weighed again. On a large site one change barely moves the statistics, and computing matches is what costs
#: (each article is scored against thousands).
UNMOVED = 1e-3
SHOWN_TERMS = 5

STOP_WORDS = frozenset("""
a about above actually after again against all almost already also although always am among an and another any
anybody anyone anything anyway anywhere are aren't around as at away be became because become becomes been
before being below beside besides between beyond both but by can can't cannot could couldn't did didn't do
does doesn't doing don't done down during each either else enough especially even ever every everyone
everything few for from further get gets getting give given go goes going gone got had hadn't has hasn't have
haven't having he he'd he'll her here here's hers herself he's him himself his how however how's i i'd if i'll
i'm in into is isn't it its it's itself i've just least less let let's like likely made make makes many may
maybe me might mine more most mostly much must mustn't my myself neither never nevertheless no nobody none nor
not nothing now of off often on once one only onto or other others otherwise ought our ours ourselves out over
own perhaps quite rather really same say says she she'd she'll she's should shouldn't since so some somebody
someone something sometimes somewhat still such than that that's the their theirs them themselves then there
therefore there's these they they'd they'll they're they've thing things this those though through thus to too
toward towards under until up upon us usually very via was wasn't we we'd well we'll were we're weren't we've
what whatever what's when whenever when's where whereas where's wherever whether which while who whoever whole
whom who's whose why why's will with within without won't would wouldn't yet you you'd you'll your you're
yours yourself yourselves you've
""".split())

#: A stop word that still means something at the head of a phrase: "no contact" is not "contact".
PHRASE_HEADS = frozenset({"no"})

#: (score, id) pairs, best first.
_Ranked = list[tuple[float, int]]

_MAX_COUNT = 1023  # saturation has made the rest irrelevant long before
_WORD = re.compile(r"[^\W\d_]+(?:['’][^\W\d_]+)*")
_stemmer = snowballstemmer.stemmer("english")
_stems: dict[str, str] = {}  # word -> stem ("" for a stop word); words of one language, so it stays small
_surfaces: dict[str, str] = {}  # stem -> the shortest word seen with it, to explain a match in words


@dataclass(frozen=True)
class Document:
    """What the engine knows of an article; the service builds these from rows."""

    id: int
    title: str
    summary: str = ""
    body_text: str = ""
    tags: tuple[str, ...] = ()
    series_id: int | None = None
    published_at: datetime | None = None


@dataclass(frozen=True)
class Match:
    """Another article and how close it is; `is_same_series` ones only fill in."""

    other_id: int
    score: float
    is_same_series: bool


@dataclass(frozen=True)
class SharedTag:
    """A tag two articles share, and how much it counts: its weight learned from the site, 0 to 1."""

    name: str
    weight: float


@dataclass(frozen=True)
class Reasons:
    """Why two articles match, for the editor: shared words (strongest first), shared tags (those that count
    most first) with their learned weights."""

    terms: tuple[str, ...]
    tags: tuple[SharedTag, ...]
    is_same_series: bool

    def as_json(self) -> dict[str, object]:
        return {"terms": list(self.terms), "tags": [tag.name for tag in self.tags],
                "tag_weights": [round(tag.weight, 3) for tag in self.tags], "series": self.is_same_series}


@dataclass(slots=True)
class _Profile:
    terms: tuple[str, ...]  # every distinct term, for the document frequencies and to weigh again
    counts: array[int]  # of each term, as `term_counts` gave them
    length: int  # all counts added up, for BM25's length normalization
    tags: tuple[str, ...]
    series_id: int | None
    published_at: datetime | None
    vector: dict[str, float] = field(default_factory=dict)  # the strongest terms, L2-normalized
    computed_from: _Inputs | None = None  # what its list was last computed from


@dataclass(frozen=True, slots=True)
class _Inputs:
    """What an article's list is computed from, on its side: its vector, the newest date (every recency bonus),
    and each of its tags' rarity and learned weight (what a shared tag adds, and the length of its tag vector)."""

    vector: dict[str, float]
    newest: datetime | None
    tags: tuple[float, ...]


@dataclass(slots=True)
class _Sum:
    """The sum of some articles' vectors, kept as they change, and the mean cosine of those articles two by two."""

    vector: dict[str, float] = field(default_factory=dict)
    square: float = 0.0  # |vector|², kept without adding it up again
    members: int = 0  # articles with a vector: one without terms says nothing of the others

    def add(self, vector: dict[str, float]) -> None:
        if not vector:
            return
        total, dot = self.vector, 0.0
        for term, weight in vector.items():
            before = total.get(term, 0.0)
            dot += before * weight
            total[term] = before + weight
        self.square += 2 * dot + 1.0  # |s + v|² = |s|² + 2 s·v + |v|², and |v| is 1
        self.members += 1

    def remove(self, vector: dict[str, float]) -> None:
        if not vector:
            return
        total, dot = self.vector, 0.0
        for term, weight in vector.items():
            rest = total[term] - weight
            if rest > 1e-9:  # every weight is positive: what is left of a term no member has is float noise
                total[term] = rest
                dot += rest * weight
            else:
                del total[term]
        self.members -= 1
        self.square = max(self.square - 2 * dot - 1.0, 0.0) if self.members else 0.0

    def mean_cosine(self) -> float | None:
        """The mean cosine of the members' vectors taken two by two; None for fewer than two members."""
        count = self.members
        return (self.square - count) / (count * (count - 1)) if count > 1 else None


def stem(word: str) -> str:
    """Return the stem of a lowercase `word`, or "" for a stop word or a word too short to mean much (a phrase
    head, "no", is itself)."""
    found = _stems.get(word)
    if found is None:
        plain = word.replace("’", "'")
        if plain in PHRASE_HEADS:
            found = plain
        elif len(plain) < 3 or plain in STOP_WORDS:
            found = ""
        else:
            found = _stemmer.stemWord(plain.removesuffix("'s"))
            if len(_surfaces.get(found, plain + "_")) > len(plain):
                _surfaces[found] = plain
        if len(_stems) > 500_000:  # a flood of made-up words must not grow the cache forever
            _stems.clear()
        _stems[word] = found
    return found


def term_counts(document: Document) -> dict[str, int]:
    """Return the terms of `document` with their counts, title and summary counting more: its stems, and the
    title's two-word phrases ("no contact", "new mother")."""
    counts: dict[str, int] = {}
    for text, weight in ((document.title, TITLE_WEIGHT), (document.summary, SUMMARY_WEIGHT),
                         (document.body_text, BODY_WEIGHT)):
        for word, count in Counter(_WORD.findall(text.lower())).items():
            term = _stems.get(word)
            if term is None:
                term = stem(word)
            if term:
                counts[term] = counts.get(term, 0) + count * weight
    for head in PHRASE_HEADS:  # a word that only heads phrases
        counts.pop(head, None)
    title = [stem(word) for word in _WORD.findall(document.title.lower())]
    for first, second in itertools.pairwise(title):
        if first and second and second not in PHRASE_HEADS:
            phrase = sys.intern(f"{first} {second}")  # the same phrase in many articles is one string
            counts[phrase] = counts.get(phrase, 0) + TITLE_WEIGHT
    return counts


def _surface(term: str) -> str:
    """A term in words, for the editor: the shortest word seen with each stem."""
    return " ".join(_surfaces.get(part, part) for part in term.split(" "))


class Index:
    """The articles to relate, with each one's best matches kept current as articles change."""

    def __init__(self, depth: int = DEPTH) -> None:
        self.depth = depth
        self._weighed: dict[int, None] = {}  # every id, those weighed longest ago first (an ordered set)
        self._size = 0  # articles counted in the document frequencies
        self._length = 0  # their lengths added up
        self._profiles: dict[int, _Profile] = {}
        self._postings: dict[str, dict[int, float]] = {}
        self._df: Counter[str] = Counter()  # articles with each term
        self._tag_df: Counter[str] = Counter()
        self._tag_postings: dict[str, set[int]] = {}
        self._tag_sums: dict[str, _Sum] = {}  # the vectors of each tag's articles, to learn its weight
        self._site_sum: _Sum | None = None  # every vector, summed when a tag's weight is first asked for
        self._closest: dict[int, float] = {}  # id -> the text score of its best match when last computed
        self._closest_total = 0.0
        self._frozen_near: float | None = None  # `_near` while a full computation runs
        self._newest: datetime | None = None
        self._recencies: dict[int, float] = {}  # id -> its recency bonus, while the newest date stays
        # While no article comes or goes (a save takes one out and puts it back): each tag's IDF, and each
        # article's tag vector length (id -> length), worked out once for every list a change computes again.
        self._tag_idfs: dict[str, float] | None = None
        self._tag_norms: dict[int, float] = {}
        self._rows: dict[int, tuple[list[tuple[float, int]], list[tuple[float, int]]]] = {}  # others, series
        self._listed_in: dict[int, set[int]] = {}  # id -> ids whose rows list it

    @classmethod
    def build(cls, documents: Iterable[Document], depth: int = DEPTH) -> Index:
        """Return an index of `documents` with every article's matches computed: the full computation."""
        index = cls(depth)
        for document in documents:
            index._count_in(document)
        index.reweigh()
        return index

    @classmethod
    def restore(cls, documents: Iterable[Document], matches: Mapping[int, Iterable[tuple[int, float]]],
                depth: int = DEPTH) -> Index:
        """Return an index of `documents` whose lists are `matches` (id -> (other id, score)), as an index kept
        them, rather than computed again: weighing every article costs time in proportion to the site, computing
        every list costs more (each article is scored against every other sharing a term with it).

        How close an article and its best match are is learned from a sample (as in a full computation), and
        from each article computed from then on. An article without matches, or matching no indexed article,
        has an empty list until a change computes it.
        """
        index = cls(depth)
        for document in documents:
            index._count_in(document)
        index._weigh_all()
        if any(count > 1 for count in index._tag_df.values()):  # tags count: learn how close a best match is
            index._sampled_near()
        profiles = index._profiles
        known: dict[str, tuple[float, float]] = {}
        for ident, profile in profiles.items():
            kept = ((score, other) for other, score in matches.get(ident, ()) if other in profiles and other != ident)
            index._set_row(ident, *index._split(profile, kept))
            profile.computed_from = index._inputs(profile, known)
        return index

    def __len__(self) -> int:
        return len(self._profiles)

    def __contains__(self, ident: int) -> bool:
        return ident in self._profiles

    def related(self, ident: int) -> list[Match]:
        """Return the kept matches of an indexed article: other articles by score, then its series' parts."""
        others, series = self._rows.get(ident, ((), ()))
        return ([Match(other, score, False) for score, other in others]
                + [Match(other, score, True) for score, other in series])

    def query(self, document: Document) -> list[Match]:
        """Return the matches of an article that is not indexed (a draft), as `related` would."""
        profile = self._outsider(document)
        others, series = self._best(profile, self._scores(document.id, profile))
        return ([Match(other, score, False) for score, other in others]
                + [Match(other, score, True) for score, other in series])

    def reasons(self, subject: int | Document, other_id: int) -> Reasons:
        """Return what `subject` (an indexed id, or a document) shares with the indexed article `other_id`."""
        profile = self._outsider(subject) if isinstance(subject, Document) else self._profiles[subject]
        other = self._profiles[other_id]
        shared = sorted(profile.vector.keys() & other.vector.keys(),
                        key=lambda term: (-profile.vector[term] * other.vector[term], term))
        tags = [SharedTag(tag, self.tag_weight(tag)) for tag in set(profile.tags) & set(other.tags)]
        tags.sort(key=lambda tag: (-tag.weight * self._tag_idf(tag.name) ** 2, tag.name))
        return Reasons(terms=tuple(_surface(term) for term in shared[:SHOWN_TERMS]),
                       tags=tuple(tags), is_same_series=_same_series(profile, other))

    def tag_weight(self, tag: str) -> float:
        """How much a shared `tag` counts, from 0 to 1: how much more alike in text the articles carrying it
        are than any two articles, measured against how alike an article and its best match are."""
        tag_sum = self._tag_sums.get(tag)
        coherence = tag_sum.mean_cosine() if tag_sum is not None else None
        if tag_sum is None or coherence is None:
            return TAG_PRIOR
        background = self._site().mean_cosine() or 0.0
        near = self._near()
        if near - background < 1e-9:  # the texts tell no articles apart, so they cannot judge a tag either
            return TAG_PRIOR
        pairs = tag_sum.members * (tag_sum.members - 1) / 2
        evidence = (coherence - background) / (near - background)
        weight = (pairs * evidence + TAG_PRIOR_PAIRS * TAG_PRIOR) / (pairs + TAG_PRIOR_PAIRS)
        return min(max(weight, 0.0), 1.0)

    def upsert(self, document: Document) -> set[int]:
        """Add `document` or replace its earlier version; return the ids whose matches changed, its own too."""
        old = self._profiles.get(document.id)
        if old is not None:
            self._discard(document.id, old)
        self._count_in(document)
        changed = self._rematch(document.id)
        return changed | self._reweigh_oldest()

    def remove(self, ident: int) -> set[int]:
        """Take an article out (unpublished, deleted); return the ids whose matches changed."""
        profile = self._profiles.get(ident)
        if profile is None:
            return set()
        self._discard(ident, profile)
        self._set_row(ident, [], [])
        del self._rows[ident]
        changed = set()
        for other in list(self._listed_in.pop(ident, ())):
            if self._place(other, ident, None, False):
                changed.add(other)
        return changed | self._reweigh_oldest()

    def reweigh(self) -> set[int]:
        """Weigh every article with the current statistics and compute every list again; return all ids."""
        self._weigh_all()
        self._rows.clear()
        self._listed_in.clear()
        self._closest.clear()
        self._closest_total = 0.0
        if any(count > 1 for count in self._tag_df.values()):  # tags count: learn how close a best match is
            self._frozen_near = self._sampled_near()
        known: dict[str, tuple[float, float]] = {}
        try:
            for ident, profile in self._profiles.items():
                self._compute_row(ident)
                profile.computed_from = self._inputs(profile, known)
        finally:
            self._frozen_near = None
        return set(self._profiles)

    def _weigh_all(self) -> None:
        """Weigh every article with the current statistics, into fresh posting lists and sums."""
        self._postings.clear()
        self._weighed.clear()
        self._tag_sums.clear()
        self._site_sum = None
        idf = self._idf_of(self._df)
        average = self._average_length()
        for ident, profile in self._profiles.items():
            self._weigh(profile, ident, idf, average)

    def _rematch(self, ident: int) -> set[int]:
        """Weigh an indexed article with the current statistics, then compute its matches and its place in
        the others' lists; return the ids whose matches changed."""
        self._reweigh(ident)
        return self._match(ident)

    def _reweigh(self, ident: int) -> None:
        """Weigh an indexed article with the current statistics."""
        profile = self._profiles[ident]
        self._unpost(ident, profile)
        self._weigh(profile, ident)

    def _match(self, ident: int) -> set[int]:
        """Compute the matches of a weighed article and its place in the others' lists; return the ids whose
        matches changed."""
        profile = self._profiles[ident]
        scores = self._compute_row(ident)
        profile.computed_from = self._inputs(profile)
        bonus = self._recency_of(ident)
        changed = {ident}
        for other in set(scores).union(self._listed_in.get(ident, ())):
            base = scores.get(other)
            if self._place(other, ident, None if base is None else base + bonus,
                           _same_series(self._profiles[other], profile)):
                changed.add(other)
        return changed

    def _reweigh_oldest(self) -> set[int]:
        """Weigh the REWEIGHED_PER_CHANGE articles weighed longest ago again, and compute again the matches of
        those for which anything moved: an article whose vector, tags and newest date stayed put scores as it
        did, to within UNMOVED, against every article, and its list stands."""
        oldest = list(itertools.islice(self._weighed, REWEIGHED_PER_CHANGE))
        return set().union(*(self._match(ident) for ident in oldest if self._has_moved(ident)))

    def _has_moved(self, ident: int) -> bool:
        """Weigh an indexed article again; return whether its list may score otherwise than when computed."""
        self._reweigh(ident)
        profile = self._profiles[ident]
        before, now = profile.computed_from, self._inputs(profile)
        if before is None or before.newest != now.newest or _distance(before.vector, now.vector) > UNMOVED:
            return True
        return not all(math.isclose(old, new, rel_tol=UNMOVED) for old, new in zip(before.tags, now.tags, strict=True))

    def _inputs(self, profile: _Profile, known: dict[str, tuple[float, float]] | None = None) -> _Inputs:
        """`profile`'s inputs now; `known` keeps each tag's, for many articles weighed with the same statistics."""
        known = {} if known is None else known
        for tag in profile.tags:
            if tag not in known:
                known[tag] = (self._tag_idf(tag), self.tag_weight(tag))
        tags = tuple(itertools.chain.from_iterable(known[tag] for tag in profile.tags))
        return _Inputs(vector=profile.vector, newest=self._newest, tags=tags)

    def _compute_row(self, ident: int) -> dict[int, float]:
        """Compute the list of an indexed article; return the scores it was chosen from."""
        scores = self._scores(ident)
        self._set_row(ident, *self._best(self._profiles[ident], scores))
        return scores

    # Statistics and vectors

    def _count_in(self, document: Document) -> _Profile:
        """Add `document` to the statistics, unweighed: it is in no posting list yet."""
        profile = _unweighed(document)
        self._profiles[document.id] = profile
        self._size += 1
        self._length += profile.length
        self._df.update(profile.terms)
        self._tag_df.update(profile.tags)
        self._forget_tag_statistics()
        for tag in profile.tags:
            self._tag_postings.setdefault(tag, set()).add(document.id)
        if document.published_at is not None and (self._newest is None or document.published_at > self._newest):
            self._newest = document.published_at
            self._recencies.clear()
        return profile

    def _discard(self, ident: int, profile: _Profile) -> None:
        self._unpost(ident, profile)
        self._size -= 1
        self._length -= profile.length
        self._forget_tag_statistics()
        df, tag_df = self._df, self._tag_df
        for term in profile.terms:
            df[term] -= 1
        for tag in profile.tags:
            tag_df[tag] -= 1
            self._tag_postings[tag].discard(ident)
        self._closest_total -= self._closest.pop(ident, 0.0)
        self._recencies.pop(ident, None)
        del self._profiles[ident]

    def _unpost(self, ident: int, profile: _Profile) -> None:
        """Take an article's vector out of the posting lists and sums, to weigh it again or drop it."""
        self._weighed.pop(ident, None)
        for term in profile.vector:
            posting = self._postings[term]
            del posting[ident]
            if not posting:
                del self._postings[term]
        for tag_sum in self._sums_of(profile):
            tag_sum.remove(profile.vector)
        for tag in profile.tags:
            if tag in self._tag_sums and not self._tag_sums[tag].members:
                del self._tag_sums[tag]
        profile.vector = {}

    def _sums_of(self, profile: _Profile) -> list[_Sum]:
        sums = [self._tag_sums.setdefault(tag, _Sum()) for tag in profile.tags]
        return sums if self._site_sum is None else [*sums, self._site_sum]

    def _site(self) -> _Sum:
        """Every article's vector summed, kept from its first use on (a site without shared tags never needs it)."""
        if self._site_sum is None:
            self._site_sum = _Sum()
            for profile in self._profiles.values():
                self._site_sum.add(profile.vector)
        return self._site_sum

    def _idf(self, df: int) -> float:
        """Smoothed so that two articles alone still share something; a term everywhere weighs nearly nothing."""
        return math.log((self._size + 1) / max(df, 1))

    def _tag_idf(self, tag: str) -> float:
        count = self._tag_df.get(tag, 0)
        return self._idf(count) if count > 0 else 0.0

    def _idf_of(self, terms: Iterable[str], extra: int = 0) -> dict[str, float]:
        """The inverse document frequency of those `terms` that can tell articles apart.

        `extra` is 1 for an article outside the statistics (a draft), weighed as if it were in them.
        """
        df, total, log = self._df, self._size + extra + 1, math.log
        # A term no other article has relates this one to nothing, and would crowd out terms that do; a term
        # in most articles tells none apart, and its long posting list would make every update slow.
        common = MAX_SHARE * total if total > MIN_ARTICLES_FOR_SHARE else total
        idf = {}
        for term in terms:
            frequency = df.get(term, 0) + extra
            if 1 < frequency <= common:
                if " " in term:  # a phrase of two words that each tell nothing apart is mostly chance
                    first, second = term.split(" ")
                    if df.get(first, 0) + extra > common and df.get(second, 0) + extra > common:
                        continue
                idf[term] = log(total / frequency)
        return idf

    def _average_length(self, extra: _Profile | None = None) -> float:
        """The mean article length, counting `extra` (a draft) as if it were in the statistics, in steps."""
        size = self._size + (extra is not None)
        length = self._length + (extra.length if extra is not None else 0)
        return _stepped(length / size) if length else 0.0

    def _weigh(self, profile: _Profile, ident: int | None, idf: dict[str, float] | None = None,
               average: float | None = None) -> None:
        """Set the vector of `profile` (BM25: idf times a saturating, length-normalized term frequency; the
        strongest terms, L2-normalized) and, for an indexed article (`ident`), its postings and sums."""
        if idf is None:
            idf = self._idf_of(profile.terms, extra=0 if ident is not None else 1)
        if average is None:
            average = self._average_length(None if ident is not None else profile)
        relative = _stepped(profile.length) / average if average and profile.length else 1.0
        half = SATURATION * (1 - LENGTH_NORMALIZATION + LENGTH_NORMALIZATION * relative)  # count at half weight
        saturated = [count / (count + half) for count in range(max(profile.counts, default=0) + 1)]
        weights = {term: idf[term] * saturated[count]
                   for term, count in zip(profile.terms, profile.counts, strict=True) if term in idf}
        if len(weights) > TERMS_PER_ARTICLE:
            floor = heapq.nlargest(TERMS_PER_ARTICLE, weights.values())[-1]
            weights = {term: weight for term, weight in weights.items() if weight >= floor}
        norm = math.hypot(*weights.values())
        scale = 1.0 / norm if norm else 0.0
        profile.vector = {term: weight * scale for term, weight in weights.items()} if norm else {}
        if ident is None:
            return
        self._weighed[ident] = None
        postings = self._postings
        for term, weight in profile.vector.items():
            posting = postings.get(term)
            if posting is None:
                postings[term] = {ident: weight}
            else:
                posting[ident] = weight
        for tag_sum in self._sums_of(profile):
            tag_sum.add(profile.vector)

    def _outsider(self, document: Document) -> _Profile:
        profile = _unweighed(document)
        self._weigh(profile, None)
        return profile

    # Scores

    def _scores(self, ident: int, profile: _Profile | None = None) -> dict[int, float]:
        """Return the text and tag score of every article sharing something with `ident`, recency left out."""
        scores = self._text_scores(ident, profile)
        profile = profile or self._profiles[ident]
        if profile.tags:
            self._add_tag_scores(ident, profile, scores)
        return scores

    def _text_scores(self, ident: int, profile: _Profile | None = None) -> dict[int, float]:
        """The cosine of `ident`'s vector with every other sharing a term. For an indexed article (no `profile`
        given) the best is kept, to learn how close an article and its best match usually are."""
        is_indexed = profile is None
        profile = profile or self._profiles[ident]
        scores: dict[int, float] = {}
        get = scores.get
        postings = self._postings
        for term, weight in profile.vector.items():
            for other, other_weight in postings[term].items() if term in postings else ():
                scores[other] = get(other, 0.0) + weight * other_weight
        scores.pop(ident, None)
        if TEXT_WEIGHT != 1.0:
            scores = {other: TEXT_WEIGHT * score for other, score in scores.items()}
        if is_indexed:
            closest = max(scores.values(), default=0.0)
            self._closest_total += closest - self._closest.get(ident, 0.0)
            self._closest[ident] = closest
        return scores

    def _near(self) -> float:
        """How close an article and its best match are by text, on average."""
        if self._frozen_near is not None:
            return self._frozen_near
        return self._closest_total / len(self._closest) if self._closest else 0.0

    def _sampled_near(self) -> float:
        """`_near` from a sample of NEAR_SAMPLE articles spread over the ids, scored by text before the rest."""
        ids = sorted(self._profiles)
        step = -(-len(ids) // NEAR_SAMPLE)
        for ident in ids[::step]:
            self._text_scores(ident)
        return self._near()

    def _forget_tag_statistics(self) -> None:
        """Every tag's IDF moves with the number of articles: what was worked out from them is out of date."""
        self._tag_idfs = None
        self._tag_norms.clear()

    def _add_tag_scores(self, ident: int, profile: _Profile, scores: dict[int, float]) -> None:
        """Cosine of the tag sets weighted by rarity (IDF), each shared tag counted at its learned weight."""
        idf = self._tag_idfs
        if idf is None:
            idf = self._tag_idfs = {tag: self._idf(count) for tag, count in self._tag_df.items() if count > 0}
        norms = self._tag_norms
        shared: dict[int, float] = {}
        for tag in profile.tags:
            weight = idf.get(tag, 0.0) ** 2 * self.tag_weight(tag) if tag in self._tag_postings else 0.0
            if weight <= 0:
                continue
            for other in self._tag_postings[tag]:
                shared[other] = shared.get(other, 0.0) + weight
        shared.pop(ident, None)
        norm = math.sqrt(sum(idf.get(tag, 0.0) ** 2 for tag in profile.tags))
        for other, overlap in shared.items():
            other_norm = norms.get(other)
            if other_norm is None:
                other_norm = norms[other] = math.sqrt(sum(idf.get(tag, 0.0) ** 2 for tag in self._profiles[other].tags))
            if norm and other_norm:
                scores[other] = scores.get(other, 0.0) + TAG_WEIGHT * overlap / (norm * other_norm)

    def _recency(self, profile: _Profile) -> float:
        if profile.published_at is None or self._newest is None:
            return 0.0
        age_days = max((self._newest - profile.published_at).total_seconds() / 86400, 0.0)
        return RECENCY_WEIGHT * math.pow(0.5, age_days / RECENCY_HALF_LIFE_DAYS)

    def _best(self, profile: _Profile, scores: dict[int, float]) -> tuple[_Ranked, _Ranked]:
        """The `depth` best other articles and the `depth` best parts of the same series, as (score, id)."""
        return self._split(profile, ((base + self._recency_of(other), other)
                                     for other, base in scores.items() if base > 0))

    def _recency_of(self, ident: int) -> float:
        """`_recency` of an indexed article, kept: a change scores tens of thousands of articles at 100,000."""
        bonus = self._recencies.get(ident)
        if bonus is None:
            bonus = self._recencies[ident] = self._recency(self._profiles[ident])
        return bonus

    def _split(self, profile: _Profile, entries: Iterable[tuple[float, int]]) -> tuple[_Ranked, _Ranked]:
        """The `depth` best of `entries` (score, id) among other articles, and among parts of the same series."""
        others: _Ranked = []
        series: _Ranked = []
        profiles = self._profiles
        for entry in entries:
            (series if _same_series(profile, profiles[entry[1]]) else others).append(entry)
        return _top(others, self.depth), _top(series, self.depth)

    # Rows

    def _set_row(self, ident: int, others: _Ranked, series: _Ranked) -> None:
        old_others, old_series = self._rows.get(ident, ([], []))
        for _, listed in old_others + old_series:
            self._listed_in.get(listed, set()).discard(ident)
        self._rows[ident] = (others, series)
        for _, listed in others + series:
            self._listed_in.setdefault(listed, set()).add(ident)

    def _place(self, ident: int, other: int, score: float | None, is_same_series: bool) -> bool:
        """Put `other` at `score` (None: nowhere) in the rows of `ident`; return whether they changed.

        A full list holds everything above its last score, so an entry that leaves it, or falls below that
        last score, leaves a gap only a new computation of the row can fill.
        """
        row = self._rows.get(ident)
        if row is None:
            return False
        if ident not in self._listed_in.get(other, ()):  # most calls: not listed, nor scoring into a list
            kept = row[1] if is_same_series else row[0]
            if score is None or score <= (kept[-1][0] if len(kept) >= self.depth else 0.0):
                return False
        lists = []
        for is_series_list, old in ((False, row[0]), (True, row[1])):  # other articles, then its series' parts
            part = [entry for entry in old if entry[1] != other]
            is_full = len(old) >= self.depth
            floor = old[-1][0] if is_full else 0.0  # no unlisted article scores above this
            if score is not None and score > floor and is_series_list == is_same_series:
                part = _top([*part, (score, other)], self.depth)
            elif is_full and len(part) < len(old):
                self._compute_row(ident)
                return True
            lists.append(part)
        if lists[0] == row[0] and lists[1] == row[1]:
            return False
        self._set_row(ident, lists[0], lists[1])
        return True


def _unweighed(document: Document) -> _Profile:
    counts = term_counts(document)
    values: Iterable[int] = counts.values()
    if counts and max(counts.values()) > _MAX_COUNT:
        values = [min(count, _MAX_COUNT) for count in counts.values()]
    return _Profile(terms=tuple(counts), counts=array("H", values), length=sum(counts.values()),
                    tags=tuple(sorted(set(document.tags))), series_id=document.series_id,
                    published_at=document.published_at)


def _stepped(length: float) -> float:
    """`length` in steps of 9 %: an edit of a few words, and the mean length after each save, move no weight, so
    that a save does not rewrite the stored scores of every article listing it or weighed again with it."""
    return 2 ** (round(math.log2(length) * LENGTH_STEPS_PER_DOUBLING) / LENGTH_STEPS_PER_DOUBLING)


def _distance(one: Mapping[str, float], other: Mapping[str, float]) -> float:
    """The Euclidean distance between two sparse vectors."""
    return math.sqrt(sum((other.get(term, 0.0) - weight) ** 2 for term, weight in one.items())
                     + sum(weight ** 2 for term, weight in other.items() if term not in one))


def _same_series(one: _Profile, other: _Profile) -> bool:
    return one.series_id is not None and one.series_id == other.series_id


def _top(entries: list[tuple[float, int]], count: int) -> list[tuple[float, int]]:
    return heapq.nsmallest(count, entries, key=lambda entry: (-entry[0], entry[1]))

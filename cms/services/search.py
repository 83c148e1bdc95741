"""Full-text search over live articles: SQLite FTS5 or PostgreSQL full-text search, behind one function.

Whatever a reader types is turned into a query the engine cannot misread: quoted phrases, `or`, and `-word`
to leave a word out, as web search engines read them; every other character is only text.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import datetime

from markupsafe import Markup, escape
from sqlalchemy import ColumnClause, Select, Subquery, column, func, literal_column, select, table

from cms.extensions import db
from cms.models import Article
from cms.services import reader

MAX_QUERY_LENGTH = 200
# Private-use characters mark matches inside excerpts; escaping the text first keeps the excerpt safe HTML.
_START, _STOP = "\ue000", "\ue001"
_CHUNK = re.compile(r'(-?)"([^"]*)"?|(\S+)')
_WORD = re.compile(r"\w", re.UNICODE)

_fts = table("article_search", column("rowid"))
#: The most matches a search ranks, the newest: a word on every page of a site of 100,000 articles is ranked among
#: the newest 2,000 of them rather than all, each search. A search with fewer matches ranks them all.
RANKED_MATCHES = 2000


@dataclass(frozen=True)
class Hit:
    article: Article
    excerpt: Markup  # escaped text with <mark> around the words that matched


@dataclass(frozen=True)
class Results:
    hits: list[Hit]
    page: int
    has_next: bool


def search(text: str, now: datetime, *, page: int = 1, per_page: int = reader.PER_PAGE) -> Results:
    """Return live articles matching `text`, best first, with highlighted excerpts; never raises on odd input.

    The ranking reads ids and scores alone, and only the page's articles are read whole, with their excerpts: an
    excerpt is not drawn, nor a body read, for every match.
    """
    text = " ".join(_printable(text).split())[:MAX_QUERY_LENGTH]
    if db.engine.dialect.name == "postgresql":
        match: _Match = _PostgreSQL(text)
    else:
        expression = fts5_query(text)
        if not expression:
            return Results(hits=[], page=page, has_next=False)
        match = _SQLite(expression)
    ranked = match.ranked()
    ids = list(db.session.scalars(
        reader.live_articles(now).with_only_columns(Article.id).join(ranked, ranked.c.id == Article.id)
        .order_by(None).order_by(ranked.c.rank, Article.publish_at.desc(), Article.id.desc())
        .offset((page - 1) * per_page).limit(per_page + 1)))
    shown = ids[:per_page]
    found = {article.id: (article, excerpt) for article, excerpt in db.session.execute(match.page(shown))}
    hits = [Hit(found[ident][0], highlight(found[ident][1] or "")) for ident in shown if ident in found]
    return Results(hits=hits, page=page, has_next=len(ids) > per_page)


def _printable(text: str) -> str:
    """Drop control, format and private-use characters: PostgreSQL refuses NUL, and the markers are ours."""
    return "".join(character for character in text if not unicodedata.category(character).startswith("C"))


class _Match:
    """A search in one engine's terms: its newest matches with their scores (lower is better), and a page of
    articles with their excerpts."""

    def ranked(self) -> Subquery:
        raise NotImplementedError

    def page(self, ids: list[int]) -> Select[Article, str | None]:
        raise NotImplementedError


class _SQLite(_Match):
    def __init__(self, expression: str) -> None:
        self.matches = literal_column("article_search").op("MATCH")(expression)

    def ranked(self) -> Subquery:
        rank = func.bm25(literal_column("article_search"), 10.0, 4.0, 1.0)  # title, summary, body
        return (select(_fts.c.rowid.label("id"), rank.label("rank")).where(self.matches)
                .order_by(_fts.c.rowid.desc()).limit(RANKED_MATCHES).subquery())

    def page(self, ids: list[int]) -> Select[Article, str | None]:
        excerpt = func.snippet(literal_column("article_search"), 2, _START, _STOP, "…", 32)
        return (select(Article, excerpt).join(_fts, _fts.c.rowid == Article.id)
                .where(self.matches, _fts.c.rowid.in_(ids)))


class _PostgreSQL(_Match):
    vector: ColumnClause[object] = literal_column("articles.search_vector")

    def __init__(self, text: str) -> None:
        self.tsquery = func.websearch_to_tsquery("english", text)

    def ranked(self) -> Subquery:
        rank = -func.ts_rank_cd(self.vector, self.tsquery)
        return (select(Article.id, rank.label("rank")).where(self.vector.op("@@")(self.tsquery))
                .order_by(Article.id.desc()).limit(RANKED_MATCHES).subquery())

    def page(self, ids: list[int]) -> Select[Article, str | None]:
        excerpt = func.ts_headline("english", Article.body_text, self.tsquery,
                                   f"StartSel={_START}, StopSel={_STOP}, MaxWords=40, MinWords=20, "
                                   "MaxFragments=2, FragmentDelimiter=\" … \"")
        return select(Article, excerpt).where(Article.id.in_(ids))


def fts5_query(text: str) -> str:
    """Return an FTS5 expression for what a reader typed, or "" if nothing in it can be searched for.

    Every word and phrase is quoted, so FTS5 operators and column filters in the input are only words.
    """
    wanted: list[str] = []
    unwanted: list[str] = []
    for sign, phrase, written in _CHUNK.findall(text):
        if not phrase and written.lower() == "or":
            if wanted and wanted[-1] != "OR":
                wanted.append("OR")
            continue
        negated, word = sign, written
        if not phrase and written.startswith("-") and len(written) > 1:
            negated, word = "-", written[1:]
        term = phrase or word
        if not _WORD.search(term):
            continue
        quoted = '"' + term.replace('"', '""') + '"'
        (unwanted if negated else wanted).append(quoted)
    while wanted and wanted[-1] == "OR":
        wanted.pop()
    if not wanted:
        return ""
    expression = " ".join(wanted)
    if unwanted:
        expression = f"({expression}) " + " ".join(f"NOT {term}" for term in unwanted)
    return expression


def highlight(excerpt: str) -> Markup:
    """Return `excerpt` escaped, with the engine's match markers turned into <mark> elements."""
    safe = str(escape(excerpt))
    # An unbalanced marker (a match cut at the excerpt's edge) must not leave a <mark> open.
    parts = re.split(f"{_START}(.*?){_STOP}", safe, flags=re.DOTALL)
    html = "".join(f"<mark>{part}</mark>" if index % 2 else part for index, part in enumerate(parts))
    return Markup(html.replace(_START, "").replace(_STOP, ""))  # noqa: S704 - escaped above; only <mark> is ours

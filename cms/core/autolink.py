"""Links from mentions of other articles' titles, added to sanitized HTML.

The first mention of each title in running text becomes a link. Text inside links, headings, code and
preformatted blocks is left alone, and an article never links to itself. Matching ignores case and
punctuation (hyphens and dashes included) and allows a plural "s"; where titles overlap, the longest wins.
A mention split by markup ("Letting <em>Go</em>") is not a mention.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable
from dataclasses import dataclass
from html import escape
from typing import Any

#: Elements whose text is not running text.
SKIPPED = frozenset({"a", "h1", "h2", "h3", "h4", "h5", "h6", "pre", "code", "kbd", "samp", "script", "style"})

_TAG = re.compile(r"""<(/?)([A-Za-z][A-Za-z0-9]*)(?:[^>"']|"[^"]*"|'[^']*')*>""")
_TOKEN = re.compile(r"[^\W_]+(?:['’][^\W_]+)*|&#?\w+;")  # an entity is punctuation, like the rest


@dataclass(frozen=True)
class Target:
    """An article that may be linked to: its title and where it lives."""

    title: str
    url: str


@dataclass(frozen=True)
class _Mention:
    target: Target
    start: int
    end: int
    words: int


def words(text: str) -> tuple[str, ...]:
    """Return the words of `text` as matching compares them: lowercase, without a possessive or plural "s"."""
    return tuple(word for word in map(_normal, _TOKEN.findall(text)) if word)


class Titles:
    """Targets in a trie of their titles' words, built once and used for many bodies.

    Finding the titles that start at a word walks the trie as far as the text follows one, so the cost does not
    grow with how many titles share a first word ("How …", "Why …") however many articles there are.
    """

    def __init__(self, targets: Iterable[Target] = ()) -> None:
        self.trie: dict[str, Any] = {}  # word -> {word -> …, _ENDS: [targets whose title ends here]}
        self.by_url: dict[str, Target] = {}
        for target in targets:
            if target.url not in self.by_url:
                self.add(target)

    def __len__(self) -> int:
        return len(self.by_url)

    def add(self, target: Target) -> None:
        """Take `target` in, in place of any target with its url."""
        self.remove(target.url)
        title_words = words(target.title)
        if not title_words:
            return
        self.by_url[target.url] = target
        node = self.trie
        for word in title_words:
            node = node.setdefault(word, {})
        node[_ENDS] = [*node.get(_ENDS, ()), target]  # a new list: a body being linked meanwhile reads the old one

    def remove(self, url: str) -> None:
        """Leave out the target with this url, if there is one."""
        target = self.by_url.pop(url, None)
        if target is None:
            return
        node = self.trie
        for word in words(target.title):
            node = node[word]
        node[_ENDS] = [other for other in node[_ENDS] if other.url != url]


_ENDS = ""  # the trie's key for titles ending at a node; never a word, which has at least one letter


def mentions(html: str, targets: Iterable[Target] | Titles, self_url: str) -> list[Target]:
    """Return the targets whose titles `link_titles` would link in `html`, in the order they appear."""
    return [mention.target for mention in _choose(html, targets, self_url)]


def link_titles(html: str, targets: Iterable[Target] | Titles, self_url: str) -> str:
    """Return `html` with the first mention of each target's title in running text linked to its url."""
    parts, last = [], 0
    for mention in _choose(html, targets, self_url):
        parts += [html[last:mention.start], f'<a href="{escape(mention.target.url)}">',
                  html[mention.start:mention.end], "</a>"]
        last = mention.end
    parts.append(html[last:])
    return "".join(parts)


@functools.lru_cache(maxsize=65_536)  # a body's words repeat, and so do the words of every body
def _normal(token: str) -> str:
    """The word as matching compares it; "" for an entity, which is punctuation."""
    if token.startswith("&"):
        return ""
    word = token.lower().replace("’", "'").removesuffix("'s")
    if len(word) > 3 and word.endswith("s") and not word.endswith("ss"):
        word = word[:-1]
    return word


def _choose(html: str, targets: Iterable[Target] | Titles, self_url: str) -> list[_Mention]:
    titles = targets if isinstance(targets, Titles) else Titles(targets)
    trie = titles.trie
    if not trie:
        return []
    found: list[_Mention] = []
    for start, end in _running_text(html):
        # The words alone, found and compared in C; where each one is, only once a title is found among them.
        words_here = [word for word in map(_normal, _TOKEN.findall(html, start, end)) if word]
        spans: list[tuple[int, int]] = []
        for position in [index for index, word in enumerate(words_here) if word in trie]:
            node, stop = trie[words_here[position]], position + 1
            while node is not None:
                for target in node.get(_ENDS, ()):
                    if not _is_excluded(target, html, self_url):
                        spans = spans or [match.span() for match in _TOKEN.finditer(html, start, end)
                                          if not match.group().startswith("&")]
                        found.append(_Mention(target, spans[position][0], spans[stop - 1][1], stop - position))
                node = node.get(words_here[stop]) if stop < len(words_here) else None
                stop += 1
    # Longest titles first, each at its first free place; a shorter title overlapped takes its next mention.
    found.sort(key=lambda mention: (-mention.words, -(mention.end - mention.start), mention.start))
    chosen: list[_Mention] = []
    linked: set[str] = set()
    for mention in found:
        if mention.target.url in linked:
            continue
        if any(mention.start < other.end and other.start < mention.end for other in chosen):
            continue
        chosen.append(mention)
        linked.add(mention.target.url)
    return sorted(chosen, key=lambda mention: mention.start)


def _is_excluded(target: Target, html: str, self_url: str) -> bool:
    """Never the article itself, nor what the author already linked by hand."""
    return target.url == self_url or f'href="{escape(target.url)}"' in html


def _running_text(html: str) -> Iterable[tuple[int, int]]:
    """Yield the (start, end) of each stretch of text outside tags and outside SKIPPED elements."""
    depth, last = 0, 0
    for tag in _TAG.finditer(html):
        if depth == 0 and tag.start() > last:
            yield last, tag.start()
        last = tag.end()
        name = tag.group(2).lower()
        if name in SKIPPED and not tag.group(0).endswith("/>"):
            depth = max(depth - 1, 0) if tag.group(1) else depth + 1
    if depth == 0 and len(html) > last:
        yield last, len(html)

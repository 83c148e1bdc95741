"""Markdown to sanitized HTML: the one pipeline for the editor, the preview, imports and readers.

This module is the only importer of bleach, so what may reach a reader's browser is decided here.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterator
from functools import partial
from html import unescape
from typing import TYPE_CHECKING, Any

import bleach
from bleach.css_sanitizer import CSSSanitizer
from bleach.html5lib_shim import Filter  # type: ignore[attr-defined]  # types-bleach leaves out the vendored html5lib
from bleach.linkifier import LinkifyFilter
from markdown_it import MarkdownIt
from mdit_py_plugins.footnote import footnote_plugin

from cms.core import images, media_files
from cms.core.errors import InvalidInput

if TYPE_CHECKING:
    from bleach.callbacks import _HTMLAttrs
    from markdown_it.rules_core import StateCore

#: A token of html5lib's tree walker: a dict of its type, name, data and so on.
_Token = dict[str, Any]

#: Bump when the output of `render` changes, so stored HTML is rendered again (`flask cms init`, `reindex`).
PIPELINE_VERSION = 4  # 4: <audio> and <video> of our own uploads

ALLOWED_TAGS = frozenset({
    "p", "br", "hr", "h2", "h3", "h4", "h5", "h6", "blockquote", "pre", "code", "kbd", "samp",
    "em", "strong", "b", "i", "u", "s", "del", "ins", "mark", "small", "sub", "sup", "abbr", "cite", "q",
    "ul", "ol", "li", "dl", "dt", "dd", "a", "img", "figure", "figcaption",
    "table", "thead", "tbody", "tfoot", "tr", "th", "td", "caption", "section", "picture", "source",
    "audio", "video",
})
#: A player plays our own uploads only (`_OurPlayers` removes the element of any other, keeping its content).
_PLAYERS = frozenset({"audio", "video"})
ALLOWED_PROTOCOLS = frozenset({"http", "https", "mailto", "tel"})
_FOOTNOTE_ID = re.compile(r"fn(ref)?\d+(:\d+)?")
_FOOTNOTE_CLASS = {"footnote-ref", "footnote-backref", "footnotes", "footnotes-list", "footnote-item", "footnotes-sep"}
_PLAIN_ATTRIBUTES = {
    "a": {"href", "title"},
    "img": {"src", "alt", "title", "width", "height"},
    "abbr": {"title"},
    "ol": {"start", "reversed"},
    "th": {"colspan", "rowspan", "scope"},
    "td": {"colspan", "rowspan"},
}
# Whole elements whose content is never prose (code, styles, foreign markup, form controls): bleach would strip
# their tags but keep their text, so they go entirely, as the parser sees them, before the allow-list applies.
_NON_PROSE = frozenset({
    "script", "style", "template", "noscript", "iframe", "frame", "frameset", "object", "applet", "embed",
    "noembed", "noframes", "xmp", "plaintext", "title", "textarea", "select", "option", "svg", "math",
})
_TEXT_ALIGN = re.compile(r"\s*text-align\s*:\s*(left|right|center|justify)\s*;?\s*", re.IGNORECASE)
_TAG = re.compile(r"<[^>]*>")
_SPACE = re.compile(r"\s+")

#: The longest body the pipeline takes (1 MiB of text, a short book); longer is refused before any work.
MAX_BODY_CHARS = 1024 * 1024
#: bleach's parser and tree walker (its own copy of html5lib) spend time in proportion to how deep the open
#: elements are and how many siblings an element has, per tag, and rebuild every unclosed formatting element in
#: each new paragraph. So bleach gets the HTML in pieces cut where every element is closed, and no piece may
#: nest, branch or run on beyond these bounds, which no written text comes near; that keeps the cost per
#: kilobyte the same at 1 KB and at 1 MB.
MAX_DEPTH = 100
MAX_CHILDREN = 1000
MAX_FORMATTING = 20  # formatting elements left open before a cut; the parser itself keeps at most three alike
MAX_PIECE_CHARS = 128 * 1024
_PIECE_TARGET = 8 * 1024  # long enough that bleach's fixed cost per call does not count
_VOID = frozenset({"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "param", "source",
                   "track", "wbr", "basefont", "bgsound", "frame", "keygen", "image", "isindex"})
#: Elements the parser opens again in every paragraph that follows until their end tag is seen.
_FORMATTING = frozenset({"a", "b", "big", "code", "em", "font", "i", "nobr", "s", "small", "strike", "strong",
                         "tt", "u"})
#: An open element that a start tag of the same family closes, as the parser does (`<li>a<li>b` are siblings).
_CLOSED_BY = {"li": {"li"}, "p": {"p"}, "dt": {"dt", "dd"}, "dd": {"dt", "dd"}, "tr": {"tr", "td", "th"},
              "td": {"td", "th"}, "th": {"td", "th"}, "option": {"option"}}
#: One tag, or a comment or raw-text element taken whole (its content is not markup); linear: every
#: alternative stops at the next "<" or consumes what it scanned.
_MARKUP = re.compile(
    r"<!--.*?(?:-->|\Z)"
    r"|<(?P<raw>script|style|textarea|title|xmp|iframe|noembed|noframes|noscript)\b[^<>]*>.*?(?:</(?P=raw)\s*>|\Z)"
    r"|<plaintext\b.*"
    r"|<(?P<closing>/?)(?P<name>[a-z][^\s/<>]*)[^<>]*>",
    re.IGNORECASE | re.DOTALL,
)



def _demote_title_headings(md: MarkdownIt) -> None:
    """The article's title is the page's only <h1>, so a `# heading` in the body becomes an <h2>."""

    def demote(state: StateCore) -> None:
        for token in state.tokens:
            if token.tag == "h1" and token.type in ("heading_open", "heading_close"):
                token.tag = "h2"

    md.core.ruler.push("demote_title_headings", demote)


_markdown = (
    MarkdownIt("commonmark", {"html": True, "typographer": True})
    .enable(["table", "strikethrough", "replacements", "smartquotes"])
    .use(footnote_plugin)
    .use(_demote_title_headings)
)


def _allowed_attribute(tag: str, name: str, value: str) -> bool:
    if name in _PLAIN_ATTRIBUTES.get(tag, ()):
        return True
    if name == "id":  # only the footnote anchors; free ids would let a body clobber the page's own
        return bool(_FOOTNOTE_ID.fullmatch(value))
    if name == "class":
        return value in _FOOTNOTE_CLASS
    if name == "style":  # markdown tables align columns with it, and nothing else
        return tag in ("th", "td") and bool(_TEXT_ALIGN.fullmatch(value))
    if name == "target":
        return tag == "a" and value == "_blank"
    if tag in _PLAYERS:
        return name == "controls" or (name == "src" and bool(media_files.UPLOAD_PATH.fullmatch(value)))
    return tag in ("img", "source") and _allowed_responsive(tag, name, value)


def _allowed_responsive(tag: str, name: str, value: str) -> bool:
    """What `images.responsive` adds, and only that: variants of our own uploads, lazy loading, WebP."""
    if name == "srcset":
        return bool(images.SRCSET.fullmatch(value))
    if name == "sizes":
        return value in images.ALL_SIZES
    if tag == "source":
        return name == "type" and value == "image/webp"
    return (name, value) in (("loading", "lazy"), ("decoding", "async"))


def _safe_new_window(attrs: _HTMLAttrs, new: bool = False) -> _HTMLAttrs:
    """A link that opens elsewhere must not hand the opened page a handle on ours."""
    if attrs.get((None, "target")) == "_blank":
        attrs[(None, "rel")] = "noopener noreferrer"
    return attrs


def _without_non_prose(tokens: Iterator[_Token]) -> Iterator[_Token]:
    """The parsed tokens minus every non-prose element and all it contains (the tree is balanced)."""
    depth = 0
    for token in tokens:
        kind = token["type"]
        if depth:
            depth += {"StartTag": 1, "EndTag": -1}.get(kind, 0)
        elif kind == "StartTag" and token["name"].lower() in _NON_PROSE:
            depth = 1
        elif not (kind == "EmptyTag" and token["name"].lower() in _NON_PROSE):
            yield token


class _WithoutNonProse(Filter):  # type: ignore[misc]  # Filter is untyped, see its import
    """Non-prose elements go whole, content included.

    bleach removes a disallowed tag but keeps what it held as text, so the code of a <script> would survive as
    prose. These elements are let through bleach's allow-list (without attributes, which the attribute rule
    refuses), so the parser reads them as a browser would (<script> and <style> content as raw text), and this
    filter, run right after bleach's sanitizer, drops each of them with all it contains.
    """

    def __iter__(self) -> Iterator[_Token]:
        return _without_non_prose(iter(super().__iter__()))


def _our_players(tokens: Iterator[_Token]) -> Iterator[_Token]:
    """The tokens with every <audio> and <video> that plays nothing of ours unwrapped: one whose src was not
    one of our uploads (the attribute rule dropped it), one inside another player, or one inside a link, where
    a player's controls may not be. What it held (the fallback link) stays."""
    kept: list[bool] = []  # for each player open here: whether its tags are kept
    links = 0
    for token in tokens:
        kind, name = token["type"], token.get("name", "")
        if name == "a" and kind in ("StartTag", "EndTag"):
            links = max(0, links + (1 if kind == "StartTag" else -1))
        if name not in _PLAYERS or kind not in ("StartTag", "EndTag"):
            yield token
        elif kind == "StartTag":
            kept.append((None, "src") in token["data"] and not any(kept) and not links)
            if kept[-1]:
                yield token
        elif kept and kept.pop():
            yield token


class _OurPlayers(Filter):  # type: ignore[misc]  # Filter is untyped, see its import
    def __iter__(self) -> Iterator[_Token]:
        return _our_players(iter(super().__iter__()))


_cleaner = bleach.Cleaner(
    tags=ALLOWED_TAGS | _NON_PROSE,
    attributes=_allowed_attribute,
    protocols=ALLOWED_PROTOCOLS,
    css_sanitizer=CSSSanitizer(allowed_css_properties=["text-align"]),
    strip=True,
    strip_comments=True,
    filters=[_WithoutNonProse, _OurPlayers,
             partial(LinkifyFilter, callbacks=[_safe_new_window], skip_tags={"pre", "code"}, parse_email=False)],
)


def _pieces(html: str) -> Iterator[str]:
    """`html` cut where no element is open, in pieces of about _PIECE_TARGET characters.

    Raises InvalidInput, before bleach sees any of it, when the markup nests deeper than MAX_DEPTH, gives one
    element more than MAX_CHILDREN children, leaves more than MAX_FORMATTING formatting elements open, or runs
    MAX_PIECE_CHARS without closing everything it opened.
    """
    stack: list[list[Any]] = []  # [name, number of child elements], the elements open at this point
    # name and start tag of formatting elements not ended yet (the parser reopens them)
    formatting: list[tuple[str, str]] = []
    start = 0
    for match in _MARKUP.finditer(html):
        name = (match["name"] or "").lower()
        if match["closing"]:
            _close(stack, name)
            _end_formatting(formatting, name)
        elif name:
            _open(stack, name)
            _start_formatting(formatting, name, match[0].lower())
        if match.end() - start > MAX_PIECE_CHARS:
            raise InvalidInput(f"Part of the text runs over {MAX_PIECE_CHARS // 1024} KB without closing the HTML "
                               "elements it opens or without a break; close them, or add paragraphs.")
        if not stack and (match.end() - start >= _PIECE_TARGET or len(formatting) > MAX_FORMATTING):
            yield html[start:match.end()]
            start = match.end()
            formatting.clear()
        elif len(formatting) > 2 * MAX_FORMATTING:  # no place to cut came in time
            raise InvalidInput(f"The text opens more than {2 * MAX_FORMATTING} formatting elements (<{name}> …) "
                               "without closing them; close them.")
    if len(html) - start > MAX_PIECE_CHARS:
        raise InvalidInput(f"Part of the text runs over {MAX_PIECE_CHARS // 1024} KB without a break; "
                           "add paragraphs.")
    yield html[start:]


def _start_formatting(formatting: list[tuple[str, str]], name: str, tag: str) -> None:
    """Remember a formatting start tag; like the parser, keep no more than three alike."""
    if name in _FORMATTING:
        formatting.append((name, tag))
        if formatting.count((name, tag)) > 3:
            formatting.remove((name, tag))


def _end_formatting(formatting: list[tuple[str, str]], name: str) -> None:
    for index in range(len(formatting) - 1, -1, -1):
        if formatting[index][0] == name:
            del formatting[index]
            return


def _open(stack: list[list[Any]], name: str) -> None:
    if stack and stack[-1][0] in _CLOSED_BY.get(name, ()):
        stack.pop()
    if stack:
        stack[-1][1] += 1
        if stack[-1][1] > MAX_CHILDREN:
            raise InvalidInput(f"One <{stack[-1][0]}> in the text holds more than {MAX_CHILDREN:,} elements; "
                               "split the list or table.")
    if name not in _VOID:
        stack.append([name, 0])
        if len(stack) > MAX_DEPTH:
            raise InvalidInput(f"The text nests HTML elements more than {MAX_DEPTH} deep "
                               f"(<{name}> opened and never closed?); close the ones it opens.")


def _close(stack: list[list[Any]], name: str) -> None:
    """Close `name` and what is open inside it; an end tag with nothing of its name open is ignored."""
    for depth in range(len(stack) - 1, -1, -1):
        if stack[depth][0] == name:
            del stack[depth:]
            return


def sanitize(html: str) -> str:
    """Return `html` with everything outside the allow-list removed; the text survives, scripts do not.

    Raises InvalidInput for markup nested, branched or left open beyond the bounds above.
    """
    return "".join(_cleaner.clean(piece) for piece in _pieces(html)).strip()


def render(source: str) -> str:
    """Return the sanitized HTML readers get for Markdown `source` (CommonMark, tables, footnotes).

    Raises InvalidInput, before any work, for a body over MAX_BODY_CHARS, and for markup beyond what `sanitize`
    takes.
    """
    if len(source) > MAX_BODY_CHARS:
        raise InvalidInput(f"The body is longer than {MAX_BODY_CHARS:,} characters; split it into parts of a "
                           "series.", field="body_source")
    return sanitize(_markdown.render(source))


def plain_text(html: str) -> str:
    """Return the words of sanitized `html`, without markup, for search, excerpts and scoring."""
    return _SPACE.sub(" ", unescape(_TAG.sub(" ", html))).strip()


def reading_minutes(html: str, words_per_minute: int = 230) -> int:
    """Return the minutes an adult needs to read `html`, at least one."""
    return minutes_to_read(count_words(plain_text(html)), words_per_minute)


def count_words(text: str) -> int:
    """Return how many words plain `text` (`plain_text` of a body) has."""
    return len(text.split())


def minutes_to_read(words: int, words_per_minute: int = 230) -> int:
    """Return the minutes an adult needs to read `words` words, at least one."""
    return max(1, math.ceil(words / words_per_minute))

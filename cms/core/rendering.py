"""Markdown to sanitized HTML: the one pipeline for the editor, the preview, imports and readers.

This module is the only importer of bleach, so what may reach a reader's browser is decided here.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterator
from functools import partial
from html import unescape

import bleach
from bleach import html5lib_shim
from bleach.css_sanitizer import CSSSanitizer
from bleach.linkifier import LinkifyFilter
from markdown_it import MarkdownIt
from mdit_py_plugins.footnote import footnote_plugin

#: Bump when the output of `render` changes, so stored HTML is rendered again (`flask cms init`, `reindex`).
PIPELINE_VERSION = 2

ALLOWED_TAGS = frozenset({
    "p", "br", "hr", "h2", "h3", "h4", "h5", "h6", "blockquote", "pre", "code", "kbd", "samp",
    "em", "strong", "b", "i", "u", "s", "del", "ins", "mark", "small", "sub", "sup", "abbr", "cite", "q",
    "ul", "ol", "li", "dl", "dt", "dd", "a", "img", "figure", "figcaption",
    "table", "thead", "tbody", "tfoot", "tr", "th", "td", "caption", "section",
})
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



def _demote_title_headings(md: MarkdownIt) -> None:
    """The article's title is the page's only <h1>, so a `# heading` in the body becomes an <h2>."""

    def demote(state) -> None:
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
    return False


def _safe_new_window(attrs: dict, new: bool = False) -> dict:
    """A link that opens elsewhere must not hand the opened page a handle on ours."""
    if attrs.get((None, "target")) == "_blank":
        attrs[(None, "rel")] = "noopener noreferrer"
    return attrs


def _without_non_prose(tokens: Iterator[dict]) -> Iterator[dict]:
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


class _ProseCleaner(bleach.Cleaner):
    """bleach's Cleaner, except that non-prose elements go whole.

    bleach's own parser turns a disallowed tag into nothing and reads what followed it as markup, so the text
    of a <script> would survive as prose. This parser keeps those elements, parsed as a browser parses them
    (<script> and <style> content as raw text, <noscript> as with scripting on), and the walker drops them
    before the allow-list sees the rest.
    """

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self.parser = html5lib_shim.BleachHTMLParser(tags=self.tags | _NON_PROSE, strip=True,
                                                     consume_entities=False, namespaceHTMLElements=False)
        walk = self.walker
        self.walker = lambda tree: _without_non_prose(iter(walk(tree)))


_cleaner = _ProseCleaner(
    tags=ALLOWED_TAGS,
    attributes=_allowed_attribute,
    protocols=ALLOWED_PROTOCOLS,
    css_sanitizer=CSSSanitizer(allowed_css_properties=["text-align"]),
    strip=True,
    strip_comments=True,
    filters=[partial(LinkifyFilter, callbacks=[_safe_new_window], skip_tags={"pre", "code"}, parse_email=False)],
)


def sanitize(html: str) -> str:
    """Return `html` with everything outside the allow-list removed; the text survives, scripts do not."""
    return _cleaner.clean(html).strip()


def render(source: str) -> str:
    """Return the sanitized HTML readers get for Markdown `source` (CommonMark, tables, footnotes)."""
    return sanitize(_markdown.render(source))


def plain_text(html: str) -> str:
    """Return the words of sanitized `html`, without markup, for search, excerpts and scoring."""
    return _SPACE.sub(" ", unescape(_TAG.sub(" ", html))).strip()


def reading_minutes(html: str, words_per_minute: int = 230) -> int:
    """Return the minutes an adult needs to read `html`, at least one."""
    return max(1, math.ceil(len(plain_text(html).split()) / words_per_minute))

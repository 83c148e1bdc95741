"""A table of contents for a long article: its <h2> sections, each given an anchor when the page is shown.

The stored body keeps headings without ids (a body may not set ids, which could clobber the page's own); the
anchors are added to the sanitized HTML as it is shown, always prefixed `section-`, so they cannot clash.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from html import unescape

from cms.core.slugs import slugify

#: Fewer sections than this and the article is short enough to scan without a table of contents.
MIN_SECTIONS = 3
# Sanitized HTML is bleach's serialization, where a body's <h2> carries no attributes.
_H2 = re.compile(r"<h2>(?P<inner>.*?)</h2>", re.DOTALL)
_TAG = re.compile(r"<[^>]*>")


@dataclass(frozen=True)
class Section:
    anchor: str  # the id of its heading, without '#'
    title: str  # plain text


def with_contents(html: str) -> tuple[str, list[Section]]:
    """Return sanitized `html` with an id on each <h2>, and its sections; no sections when there are fewer than
    MIN_SECTIONS (the HTML then comes back unchanged)."""
    if len(_H2.findall(html)) < MIN_SECTIONS:
        return html, []
    sections: list[Section] = []
    taken: set[str] = set()

    def anchor(match: re.Match[str]) -> str:
        title = " ".join(unescape(_TAG.sub("", match["inner"])).split())
        base = f"section-{slugify(title) or len(sections) + 1}"
        name, number = base, 1
        while name in taken:
            number += 1
            name = f"{base}-{number}"
        taken.add(name)
        sections.append(Section(anchor=name, title=title))
        return f'<h2 id="{name}">{match["inner"]}</h2>'

    return _H2.sub(anchor, html), sections

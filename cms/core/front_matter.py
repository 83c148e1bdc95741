"""YAML as imports read it: plain data only, without anchors and aliases.

An alias repeats what its anchor names, and aliases of aliases multiply: 388 bytes of front matter made a 142 MB
title. A Markdown file never needs them, so the loader refuses both while composing, before any value is built.
"""

from __future__ import annotations

from typing import Any

import yaml
from frontmatter.default_handlers import YAMLHandler


class AliasRefused(yaml.MarkedYAMLError):
    """The YAML uses an anchor (&name) or an alias (*name)."""

    def __init__(self, mark: yaml.Mark) -> None:
        super().__init__(problem="anchors and aliases are not accepted", problem_mark=mark)
        self.line = mark.line + 1  # counted from 1, as people count


class Loader(yaml.SafeLoader):
    """PyYAML's safe loader, refusing anchors and aliases as it meets them."""

    def compose_node(self, parent: Any, index: Any) -> Any:
        event = self.peek_event()  # type: ignore[no-untyped-call]  # types-PyYAML leaves the parser untyped
        if isinstance(event, yaml.AliasEvent) or getattr(event, "anchor", None) is not None:
            raise AliasRefused(event.start_mark)
        return super().compose_node(parent, index)


class Handler(YAMLHandler):
    """python-frontmatter's YAML handler with `Loader`."""

    def load(self, fm: str, **kwargs: object) -> Any:
        return yaml.load(fm, Loader=Loader)  # noqa: S506 - a SafeLoader that also refuses aliases


def load(text: str) -> Any:
    """Return the data of YAML `text`; raise yaml.YAMLError (AliasRefused for anchors and aliases) if it is bad."""
    return yaml.load(text, Loader=Loader)  # noqa: S506 - a SafeLoader that also refuses aliases

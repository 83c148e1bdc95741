"""A readable difference between two versions of an article: changed paragraphs, with the words marked."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from difflib import SequenceMatcher
from typing import Literal

Kind = Literal["same", "added", "removed"]

#: Above this many words on both sides, a changed passage is shown as removed and added whole: word matching
#: is quadratic at worst, and a rewrite that long reads better whole anyway.
MAX_WORDS = 4000
_WORDS = re.compile(r"\s+|\w+|[^\w\s]")


@dataclass(frozen=True)
class Segment:
    kind: Kind
    text: str


@dataclass(frozen=True)
class Block:
    """Lines that are the same, a changed passage (its words marked), or a run of unchanged lines left out."""

    kind: Literal["same", "changed", "skipped"]
    segments: tuple[Segment, ...] = ()
    skipped: int = 0  # how many unchanged lines a "skipped" block stands for


@dataclass(frozen=True)
class FieldDiff:
    label: str
    blocks: tuple[Block, ...]

    @property
    def is_changed(self) -> bool:
        return any(block.kind == "changed" for block in self.blocks)


def compare(old: Mapping[str, str], new: Mapping[str, str], context: int = 2) -> list[FieldDiff]:
    """Return the difference of each field (label -> text) of `old` and `new`, in the order of `new`."""
    return [FieldDiff(label, tuple(text_blocks(old.get(label, ""), text, context))) for label, text in new.items()]


def text_blocks(old: str, new: str, context: int = 2) -> list[Block]:
    """Return `old` -> `new` line by line; unchanged lines beyond `context` around a change are left out."""
    old_lines, new_lines = old.splitlines(), new.splitlines()
    blocks: list[Block] = []
    matcher = SequenceMatcher(None, old_lines, new_lines, autojunk=False)
    opcodes = matcher.get_opcodes()
    for index, (tag, old_start, old_end, new_start, new_end) in enumerate(opcodes):
        if tag != "equal":
            blocks.append(Block("changed", tuple(word_segments("\n".join(old_lines[old_start:old_end]),
                                                               "\n".join(new_lines[new_start:new_end])))))
            continue
        lines = new_lines[new_start:new_end]
        keep_before = context if index > 0 else 0  # lines after the previous change
        keep_after = context if index < len(opcodes) - 1 else 0  # lines before the next change
        if len(lines) <= keep_before + keep_after:
            blocks.extend(Block("same", (Segment("same", line),)) for line in lines)
            continue
        blocks.extend(Block("same", (Segment("same", line),)) for line in lines[:keep_before])
        blocks.append(Block("skipped", skipped=len(lines) - keep_before - keep_after))
        blocks.extend(Block("same", (Segment("same", line),)) for line in lines[len(lines) - keep_after:])
    return blocks


def word_segments(old: str, new: str) -> list[Segment]:
    """Return `old` -> `new` as runs of kept, removed and added words."""
    old_words, new_words = _WORDS.findall(old), _WORDS.findall(new)
    if len(old_words) + len(new_words) > MAX_WORDS:
        return [segment for segment in (Segment("removed", old), Segment("added", new)) if segment.text]
    segments: list[Segment] = []
    matcher = SequenceMatcher(None, old_words, new_words, autojunk=False)
    for tag, old_start, old_end, new_start, new_end in matcher.get_opcodes():
        if tag == "equal":
            segments.append(Segment("same", "".join(new_words[new_start:new_end])))
            continue
        if old_end > old_start:
            segments.append(Segment("removed", "".join(old_words[old_start:old_end])))
        if new_end > new_start:
            segments.append(Segment("added", "".join(new_words[new_start:new_end])))
    return segments

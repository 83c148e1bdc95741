"""Three-way merge of two edits that began from the same saved article: the body paragraph by paragraph, tags
as a set, every other field as a whole value. Only changes to the same paragraph or value conflict."""

from __future__ import annotations

import re
from collections.abc import Collection, Iterator, Mapping, Sequence
from dataclasses import dataclass
from difflib import SequenceMatcher

_BLANK_LINES = re.compile(r"\n[ \t]*\n\s*")


@dataclass(frozen=True)
class Conflict:
    """One paragraph run or value both sides changed differently; the merged text holds `mine` in its place.

    For a text field, `at` is the index of the first paragraph of `mine` among the merged paragraphs and
    `count` how many there are (0: mine deleted what theirs changed).
    """

    field: str
    mine: str
    theirs: str
    at: int = 0
    count: int = 0


@dataclass(frozen=True)
class Merged:
    values: dict[str, str]  # each field merged; a conflicting place holds mine
    conflicts: tuple[Conflict, ...]


def paragraphs(text: str) -> list[str]:
    """Split `text` into blocks separated by blank lines, without their surrounding whitespace."""
    text = text.replace("\r\n", "\n").strip()
    return _BLANK_LINES.split(text) if text else []


def join(blocks: Sequence[str]) -> str:
    """The text of `blocks`, one blank line between each."""
    return "\n\n".join(blocks)


def merge_fields(base: Mapping[str, str], mine: Mapping[str, str], theirs: Mapping[str, str], *,
                 texts: Collection[str] = (), sets: Collection[str] = ()) -> Merged:
    """Merge every field of `mine` with `theirs` against `base`; `texts` merge by paragraph, `sets` as
    comma-separated sets, the rest as whole values. A field missing from `base` or `theirs` is taken as mine."""
    values: dict[str, str] = {}
    conflicts: list[Conflict] = []
    for name, value in mine.items():
        if name not in base or name not in theirs:
            values[name] = value
        elif name in texts:
            values[name], found = merge_text(base[name], value, theirs[name], field=name)
            conflicts.extend(found)
        elif name in sets:
            values[name] = ", ".join(merge_set(_items(base[name]), _items(value), _items(theirs[name])))
        else:
            values[name], is_conflict = merge_value(base[name], value, theirs[name])
            if is_conflict:
                conflicts.append(Conflict(name, value, theirs[name]))
    return Merged(values, tuple(conflicts))


def merge_value(base: str, mine: str, theirs: str) -> tuple[str, bool]:
    """Return the merged value and whether both sides changed it differently (then the value is mine)."""
    if _same(mine, theirs) or _same(theirs, base):
        return mine, False
    if _same(mine, base):
        return theirs, False
    return mine, True


def merge_set(base: Sequence[str], mine: Sequence[str], theirs: Sequence[str]) -> list[str]:
    """Return mine with what theirs added and without what theirs removed; items compare ignoring case."""
    base_keys, mine_keys = {_key(item) for item in base}, {_key(item) for item in mine}
    removed = base_keys - {_key(item) for item in theirs}
    added = [item for item in theirs if _key(item) not in base_keys and _key(item) not in mine_keys]
    merged = [item for item in mine if _key(item) not in removed] + added
    return list({_key(item): item for item in reversed(merged)}.values())[::-1]  # first spelling of each


def merge_text(base: str, mine: str, theirs: str, *, field: str = "body_source") -> tuple[str, list[Conflict]]:
    """Merge two edits of `base` paragraph by paragraph; return the text (mine where they conflict) and the
    conflicts. An untouched side gives the other side exactly."""
    if theirs in (mine, base):
        return mine, []
    if mine == base:
        return theirs, []
    merged: list[str] = []
    conflicts: list[Conflict] = []
    for base_part, mine_part, theirs_part in _hunks(paragraphs(base), paragraphs(mine), paragraphs(theirs)):
        result = _merge_hunk(base_part, mine_part, theirs_part)
        if result is None:
            conflicts.append(Conflict(field, join(mine_part), join(theirs_part), len(merged), len(mine_part)))
            result = mine_part
        merged.extend(result)
    return join(merged), conflicts


def resolve(text: str, conflict: Conflict, replacement: str) -> str | None:
    """Put `replacement` where `conflict` left mine in `text`; None when mine is no longer there."""
    blocks, wanted = paragraphs(text), paragraphs(conflict.mine)
    at = conflict.at
    if blocks[at:at + len(wanted)] != wanted:
        if not wanted or _occurrences(blocks, wanted) != 1:
            return None
        at = next(i for i in range(len(blocks)) if blocks[i:i + len(wanted)] == wanted)
    return join(blocks[:at] + paragraphs(replacement) + blocks[at + len(wanted):])


def _hunks(base: list[str], mine: list[str], theirs: list[str]) -> Iterator[tuple[list[str], ...]]:
    """Yield (base, mine, theirs) runs between the places where all three agree (the diff3 sync points);
    an agreed run comes as three equal lists."""
    base_at = mine_at = theirs_at = 0
    for base_start, base_end, mine_start, theirs_start in _sync_regions(base, mine, theirs):
        if mine_start > mine_at or theirs_start > theirs_at or base_start > base_at:
            yield base[base_at:base_start], mine[mine_at:mine_start], theirs[theirs_at:theirs_start]
        length = base_end - base_start
        if length:
            same = base[base_start:base_end]
            yield same, same, same
        base_at, mine_at, theirs_at = base_end, mine_start + length, theirs_start + length


def _sync_regions(base: list[str], mine: list[str], theirs: list[str]) -> list[tuple[int, int, int, int]]:
    """Runs of base that both sides kept, as (base start, base end, mine start, theirs start), then the ends."""
    mine_blocks = SequenceMatcher(None, base, mine, autojunk=False).get_matching_blocks()
    theirs_blocks = SequenceMatcher(None, base, theirs, autojunk=False).get_matching_blocks()
    regions = []
    m = t = 0
    while m < len(mine_blocks) and t < len(theirs_blocks):
        m_base, m_side, m_len = mine_blocks[m]
        t_base, t_side, t_len = theirs_blocks[t]
        start, end = max(m_base, t_base), min(m_base + m_len, t_base + t_len)
        if start < end:
            regions.append((start, end, m_side + start - m_base, t_side + start - t_base))
        if m_base + m_len < t_base + t_len:
            m += 1
        else:
            t += 1
    regions.append((len(base), len(base), len(mine), len(theirs)))
    return regions


def _merge_hunk(base: list[str], mine: list[str], theirs: list[str]) -> list[str] | None:
    """The merge of one run where the sides differ, or None if they changed the same paragraphs."""
    if theirs in (mine, base):
        return mine
    if mine == base:
        return theirs
    if len(base) == len(mine) == len(theirs):  # neighbouring paragraphs edited in place, one per side
        pairs = [merge_value(b, m, t) for b, m, t in zip(base, mine, theirs, strict=True)]
        return None if any(is_conflict for _, is_conflict in pairs) else [value for value, _ in pairs]
    if not base:  # both added paragraphs at the same place: which comes first is hers to say
        return None
    mine_added, theirs_added = _added_around(base, mine), _added_around(base, theirs)
    if mine_added and theirs_added:
        if (mine_added[0] and theirs_added[0]) or (mine_added[1] and theirs_added[1]):
            return None
        return mine_added[0] + theirs_added[0] + base + mine_added[1] + theirs_added[1]
    if mine_added:  # paragraphs added next to a run the other side edited
        return mine_added[0] + theirs + mine_added[1]
    if theirs_added:
        return theirs_added[0] + mine + theirs_added[1]
    return None


def _added_around(base: list[str], side: list[str]) -> tuple[list[str], list[str]] | None:
    """(before, after) when `side` is `base` with paragraphs added before or after it (not both), else None."""
    extra = len(side) - len(base)
    if extra <= 0:
        return None
    if side[extra:] == base:
        return side[:extra], []
    if side[:len(base)] == base:
        return [], side[len(base):]
    return None


def _occurrences(blocks: list[str], wanted: list[str]) -> int:
    return sum(blocks[i:i + len(wanted)] == wanted for i in range(len(blocks)))


def _same(one: str, other: str) -> bool:
    return one.replace("\r\n", "\n").strip() == other.replace("\r\n", "\n").strip()


def _items(text: str) -> list[str]:
    return [item.strip() for item in text.split(",") if item.strip()]


def _key(item: str) -> str:
    return " ".join(item.split()).casefold()

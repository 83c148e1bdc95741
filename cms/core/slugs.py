"""Slugs: the readable, unique last part of a URL."""

from collections.abc import Callable

from slugify import slugify as _slugify

MAX_LENGTH = 200


def slugify(text: str) -> str:
    """Return a lowercase ASCII slug for `text` (transliterated, hyphenated); empty if nothing is left."""
    return _slugify(text, max_length=MAX_LENGTH, word_boundary=True)


def unique_slug(text: str, is_taken: Callable[[str], bool]) -> str:
    """Return slugify(text), with -2, -3 … appended until `is_taken` says no."""
    base = slugify(text) or "untitled"
    candidate, number = base, 1
    while is_taken(candidate):
        number += 1
        suffix = f"-{number}"
        candidate = base[: MAX_LENGTH - len(suffix)] + suffix
    return candidate

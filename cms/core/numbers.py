"""Whole numbers as people type them, read one way wherever they come from (a request, front matter, an export)."""

import re

# ASCII only: str.isdigit() also admits "¹" and "٣", which int() then refuses or reads as another number. At most
# 18 digits, so every number read fits a 64-bit column and int() never meets its limit on digits.
_DIGITS = re.compile(r"[0-9]{1,18}")


def whole(text: str) -> int | None:
    """Return `text` as a whole number if it is nothing but ASCII digits, else None."""
    return int(text) if _DIGITS.fullmatch(text) else None

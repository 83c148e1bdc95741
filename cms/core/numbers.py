"""Numbers as people type and read them: whole numbers read one way wherever they come from (a request, front
matter, an export), and sizes of files written one way wherever they are told."""

import re

# ASCII only: str.isdigit() also admits "¹" and "٣", which int() then refuses or reads as another number. At most
# 18 digits, so every number read fits a 64-bit column and int() never meets its limit on digits.
_DIGITS = re.compile(r"[0-9]{1,18}")


def whole(text: str) -> int | None:
    """Return `text` as a whole number if it is nothing but ASCII digits, else None."""
    return int(text) if _DIGITS.fullmatch(text) else None


_MB = 1024 * 1024


def file_size(size: int) -> str:
    """A size in bytes as people read it: "12.3 MB", "50 MB", "240 KB", "900 bytes"."""
    if size >= _MB:
        return f"{size / _MB:.1f}".removesuffix(".0") + " MB"
    if size >= 1024:
        return f"{size // 1024} KB"
    return f"{size} bytes"

"""Numbers, dates and identifiers read from requests, all in one way: a value that is not what it should be
is None here, and the view answers 400 or 404; nothing a request carries reaches the database unchecked.

Also the guard every request passes first: a NUL or other control character in the path, a query argument
or a form field is refused before any view reads it (PostgreSQL cannot store NUL; XML cannot carry either).
"""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from flask import Flask, abort, request
from werkzeug.routing import IntegerConverter, Map

from cms.core import clock, numbers

#: The largest number a request may name: PostgreSQL's `integer`, the type of every id and count column.
MAX_NUMBER = 2**31 - 1
_MONTH = re.compile(r"([0-9]{4})-([0-9]{2})")
#: C0 controls but tab, newline and carriage return, DEL, and C1 controls: never typed, never meaningful.
_UNPRINTABLE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")


def number(text: str | None, *, minimum: int = 1, maximum: int = MAX_NUMBER) -> int | None:
    """Return `text` as a whole number between `minimum` and `maximum`, or None."""
    value = numbers.whole(text) if text is not None else None
    return value if value is not None and minimum <= value <= maximum else None


def year(text: str | None) -> int | None:
    """Return a four-digit year within the dates the site accepts, or None."""
    value = number(text, minimum=clock.EARLIEST.year, maximum=clock.LATEST.year)
    return value if value is not None and len(text or "") == 4 else None


def month(text: str | None) -> date | None:
    """Return the first day of the month `text` names ("2025-02"), within the dates the site accepts, or None."""
    match = _MONTH.fullmatch(text or "")
    if match is None or year(match[1]) is None or number(match[2], maximum=12) is None:
        return None
    return date(int(match[1]), int(match[2]), 1)


def is_printable(text: str) -> bool:
    """Whether `text` is free of NUL and other control characters (tab and line breaks are allowed)."""
    return _UNPRINTABLE.search(text) is None


class WholeNumberConverter(IntegerConverter):
    """`<int:…>` in routes: an id too large for the database is no address at all (404), not a failed query."""

    def __init__(self, url_map: Map, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("max", MAX_NUMBER)
        super().__init__(url_map, *args, **kwargs)


def register(app: Flask) -> None:
    """Install the route converter (before any route is added) and the guard against control characters."""
    app.url_map.converters["int"] = WholeNumberConverter
    app.before_request(refuse_unprintable)


def refuse_unprintable() -> None:
    """404 for a path with a control character, 400 for such a query argument or form field."""
    if not is_printable(request.path):
        abort(404)
    values = [*request.args.items(multi=True)]
    if request.method == "POST":
        values += request.form.items(multi=True)
    if not all(is_printable(name) and is_printable(value) for name, value in values):
        abort(400)

"""How long `flask cms` commands show their progress: a bar with counts and time left on a terminal, and plain
lines (one a tenth of the way, no more often than every few seconds) when the output goes to a file or a log.

Services take a `report(done, total)` callable and know nothing of either; everything goes to stderr, so what a
command prints on stdout stays its result.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from typing import Any

import click

#: The fewest seconds between two plain lines: a command done sooner prints none.
PLAIN_LINE_EVERY = 5.0

Report = Callable[[int, int], None]


@contextmanager
def shown(label: str, unit: str) -> Iterator[Report]:
    """Yield `report(done, total)` for a service to call as it goes; the bar or lines end with the block."""
    if sys.stderr.isatty():
        with _bar(label) as report:
            yield report
    else:
        yield _lines(label, unit)


@contextmanager
def _bar(label: str) -> Iterator[Report]:
    with ExitStack() as stack:
        bars: list[Any] = []  # made at the first report, when the total is known

        def report(done: int, total: int) -> None:
            if not bars:
                bars.append(stack.enter_context(click.progressbar(length=total, label=label, show_eta=True,
                                                                  show_pos=True, file=sys.stderr)))
            bars[0].update(done - bars[0].pos)

        yield report


def _lines(label: str, unit: str) -> Report:
    started = time.monotonic()
    last = {"at": started, "tenth": 0}

    def report(done: int, total: int) -> None:
        if not total:
            return
        tenth = 10 * done // total
        now = time.monotonic()
        if tenth <= last["tenth"] or now - last["at"] < PLAIN_LINE_EVERY:
            return
        last.update(at=now, tenth=tenth)
        elapsed = now - started
        left = f"about {_duration(elapsed * (total - done) / done)} left" if done < total else (
            f"done in {_duration(elapsed)}")
        click.echo(f"{label}: {done:,} of {total:,} {unit} ({100 * done // total}%), {left}", err=True)

    return report


def _duration(seconds: float) -> str:
    minutes, whole_seconds = divmod(round(seconds), 60)
    return f"{minutes // 60}:{minutes % 60:02d}:{whole_seconds:02d}"

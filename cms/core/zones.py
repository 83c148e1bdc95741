"""Time zones as people choose them: by city, grouped by region, each with its offset from UTC today."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from functools import cache
from importlib import resources
from zoneinfo import ZoneInfo, available_timezones

UTC_NAME = "UTC"


@dataclass(frozen=True)
class Zone:
    name: str  # America/New_York: what is stored
    city: str  # New York
    region: str  # America
    label: str  # New York (America/New_York, UTC−05:00)


@cache
def _listed_names() -> tuple[str, ...]:
    """The zones of tzdata's zone1970.tab (one per region whose clocks have agreed since 1970), plus UTC."""
    table = resources.files("tzdata.zoneinfo").joinpath("zone1970.tab").read_text(encoding="utf-8")
    names = [line.split("\t")[2] for line in table.splitlines() if line and not line.startswith("#")]
    return (UTC_NAME, *sorted(names))


@cache
def _known_names() -> dict[str, str]:
    """Every zone name ZoneInfo knows (old aliases such as US/Eastern too), by its lowercase form."""
    return {name.lower(): name for name in available_timezones() | {UTC_NAME}}


def city(name: str) -> str:
    """The city a zone is named after: America/Argentina/Buenos_Aires -> Buenos Aires."""
    return name.rsplit("/", 1)[-1].replace("_", " ")


def offset(name: str, now: datetime) -> str:
    """The zone's offset at `now`, as people write it: UTC−05:00 (a true minus sign), or UTC."""
    delta = now.astimezone(ZoneInfo(name)).utcoffset()
    minutes = int(delta.total_seconds() // 60) if delta is not None else 0
    if minutes == 0:
        return "UTC"
    sign = "+" if minutes > 0 else "\u2212"
    return f"UTC{sign}{abs(minutes) // 60:02d}:{abs(minutes) % 60:02d}"


def describe(name: str, now: datetime) -> Zone:
    """Return the zone `name` as the back office shows it."""
    if name == UTC_NAME:
        return Zone(name=name, city=name, region=name, label="UTC (Coordinated Universal Time)")
    region = name.split("/", 1)[0] if "/" in name else "Other"
    return Zone(name=name, city=city(name), region=region, label=f"{city(name)} ({name}, {offset(name, now)})")


def choices(now: datetime) -> list[Zone]:
    """Every zone worth offering, UTC first, then by region and city."""
    zones = [describe(name, now) for name in _listed_names()]
    return sorted(zones, key=lambda zone: (zone.name != UTC_NAME, zone.region, zone.city))


def resolve(text: str) -> str | None:
    """Return the zone name that `text` means, or None.

    Accepts a zone name in any case (America/New_York), a city (new york), or a label as `describe` writes it.
    """
    wanted = " ".join(text.split())
    if "(" in wanted and wanted.endswith(")"):  # a label: the name is what the parentheses start with
        wanted = wanted[wanted.index("(") + 1:-1].split(",")[0].strip()
    key = wanted.lower()
    if key in _known_names():
        return _known_names()[key]
    return _cities().get(key.replace("_", " "))


@cache
def _cities() -> dict[str, str]:
    found: dict[str, str] = {}
    for name in _listed_names():
        found.setdefault(city(name).lower(), name)
    return found

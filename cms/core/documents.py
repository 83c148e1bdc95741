"""What an import reads: articles and pages as documents, and Markdown files with front matter (DESIGN.md's format).

Readers here only turn bytes into a `Batch` of documents, checked; `services.transfer` writes a batch in the
caller's transaction, and `core.wordpress` reads WordPress exports into the same documents.
"""

from __future__ import annotations

import io
import zipfile
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import PurePosixPath
from typing import Any

import frontmatter
import yaml

from cms.core import clock, front_matter, numbers
from cms.core.errors import InvalidInput
from cms.core.numbers import file_size
from cms.core.workflow import Status

MAX_BYTES = 64 * 1024 * 1024  # what one import may read, however it is packed
MARKDOWN_SUFFIXES = (".md", ".markdown")
SERIES_FILE = "series.yaml"  # series' slugs and descriptions, which no article's front matter carries
OUTCOMES = ("created", "updated", "unchanged")


@dataclass
class Document:
    """One article or page as a Markdown file (or a WordPress post) describes it."""

    kind: str  # "article" or "page"
    title: str
    body: str
    slug: str = ""
    status: Status = Status.DRAFT
    publish_at: datetime | None = None
    tags: list[str] = field(default_factory=list)
    series: str | None = None
    series_part: int | None = None
    summary: str = ""
    description: str = ""
    menu_order: int | None = None
    source_key: str | None = None  # set by imports that know where it came from; else matched on slug
    author_email: str | None = None  # an account with this email is its author, else the importer
    old_paths: list[str] = field(default_factory=list)  # paths it had elsewhere; each redirects to it
    where: str = ""  # file and item, for messages


@dataclass
class SeriesInfo:
    title: str
    slug: str = ""
    description: str = ""


@dataclass
class Report:
    """What an import did: created, updated, unchanged by kind; skipped by reason; notes for the person."""

    counts: dict[str, Counter[str]] = field(default_factory=dict)
    skipped: Counter[str] = field(default_factory=Counter)
    notes: list[str] = field(default_factory=list)

    KINDS = (("article", "Articles"), ("page", "Pages"), ("series", "Series"), ("tag", "Tags"),
             ("image", "Images"), ("audio", "Audio files"), ("video", "Video files"), ("redirect", "Redirects"))

    def count(self, kind: str, outcome: str, number: int = 1) -> None:
        self.counts.setdefault(kind, Counter())[outcome] += number

    def skip(self, reason: str, number: int = 1) -> None:
        if number:
            self.skipped[reason] += number

    def note(self, text: str) -> None:
        self.notes.append(text)

    def lines(self) -> list[str]:
        """The report as sentences, in a fixed order, for the terminal and the back office alike."""
        lines = []
        for kind, label in self.KINDS:
            counts = self.counts.get(kind, Counter())
            if any(counts.values()):
                done = ", ".join(f"{counts[outcome]} {outcome}" for outcome in OUTCOMES)
                lines.append(f"{label}: {done}.")
        if not lines:
            lines.append("Nothing to import.")
        if self.skipped:
            lines.append("Skipped: " + ", ".join(plural(number, reason)
                                                 for reason, number in sorted(self.skipped.items())) + ".")
        return lines + self.notes


def plural(number: int, word: str) -> str:
    """"1 attachment", "2 attachments": enough English for the words an import reports."""
    return f"{number} {word}{'s' if number != 1 else ''}"


@dataclass
class Batch:
    """Everything one import file holds, read and checked before anything is written."""

    source: str
    documents: list[Document]
    series: list[SeriesInfo] = field(default_factory=list)
    report: Report = field(default_factory=Report)
    old_sites: list[str] = field(default_factory=list)  # addresses of the site it came from, for its uploads


def read_markdown(files: Iterable[tuple[str, bytes]], *, source: str, zone: str) -> Batch:
    """Read Markdown files with front matter, and the series file an export writes beside them."""
    documents, series = [], []
    for name, data in files:
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError:
            raise InvalidInput(f"{name} is not UTF-8 text.") from None
        if PurePosixPath(name).as_posix() == SERIES_FILE:
            series = _series_file(text, name)
        else:
            document = parse_markdown(text, source=name, zone=zone)
            document.where = name
            documents.append(document)
    if not documents and not series:
        raise InvalidInput(f"{source} holds no Markdown files.")
    return Batch(source=source, documents=documents, series=series)


def zip_members(data: bytes, name: str) -> list[tuple[str, bytes]]:
    """The Markdown files and series file of a zip, read in memory with the import's size limit."""
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        members = [info for info in archive.infolist() if not info.is_dir()
                   and (is_markdown(info.filename) or info.filename == SERIES_FILE)]
        if sum(info.file_size for info in members) > MAX_BYTES:
            raise InvalidInput(f"{name} unpacks to more than the {file_size(MAX_BYTES)} "
                               "an import accepts.")
        try:
            return [(info.filename, archive.read(info)) for info in sorted(members, key=lambda i: i.filename)]
        except (zipfile.BadZipFile, OSError) as error:
            raise InvalidInput(f"{name} is a damaged zip file ({error}).") from None


def is_markdown(name: str) -> bool:
    return name.lower().endswith(MARKDOWN_SUFFIXES) and not PurePosixPath(name).name.startswith(".")


def _series_file(text: str, source: str) -> list[SeriesInfo]:
    try:
        entries = front_matter.load(text) or []
    except yaml.YAMLError:
        raise InvalidInput(f"{source} is not valid YAML.") from None
    if not isinstance(entries, list) or not all(isinstance(entry, dict) and entry.get("title")
                                                for entry in entries):
        raise InvalidInput(f"{source} must be a list of series, each with a title.")
    return [SeriesInfo(title=str(entry["title"]), slug=str(entry.get("slug") or ""),
                       description=str(entry.get("description") or "")) for entry in entries]


def parse_markdown(text: str, *, source: str, zone: str) -> Document:
    """Read one Markdown file with front matter; a naive publish_at is wall time in `zone`.

    Raises InvalidInput naming `source` and the field that is wrong.
    """
    try:
        post = frontmatter.loads(text, handler=front_matter.Handler())
    except front_matter.AliasRefused as error:
        raise InvalidInput(f"{source}: the front matter uses a YAML anchor or alias (& or *) at line "
                           f"{error.line}; write the values out instead.") from None
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        where = f" at line {mark.line + 1}" if mark else ""
        raise InvalidInput(f"{source}: the front matter is not valid YAML{where}.") from None
    meta: dict[str, Any] = dict(post.metadata)
    kind = str(meta.get("type", "article")).lower()
    if kind not in ("article", "page"):
        raise InvalidInput(f"{source}: type must be article or page, not {kind!r}.", field="type")
    title = str(meta.get("title") or "").strip()
    if not title:
        raise InvalidInput(f"{source}: the front matter needs a title.", field="title")
    return Document(
        kind=kind, title=title, body=post.content, slug=str(meta.get("slug") or ""),
        status=_status(meta.get("status", "draft"), source), publish_at=_time(meta.get("publish_at"), source, zone),
        tags=_tags(meta.get("tags"), source), series=_optional_text(meta.get("series")),
        series_part=_part(meta.get("series_part"), source), summary=str(meta.get("summary") or ""),
        description=str(meta.get("description") or ""),
        menu_order=_integer(meta.get("menu_order"), "menu_order", source),
    )


def _status(value: Any, source: str) -> Status:
    try:
        return Status(str(value).strip().lower())
    except ValueError:
        allowed = ", ".join(Status)
        raise InvalidInput(f"{source}: status must be one of {allowed}, not {value!r}.", field="status") from None


def _time(value: Any, source: str, zone: str) -> datetime | None:
    if value in (None, ""):
        return None
    if isinstance(value, date) and not isinstance(value, datetime):
        value = datetime(value.year, value.month, value.day)  # noqa: DTZ001 - midnight in `zone`, applied below
    if isinstance(value, str):
        try:
            value = datetime.fromisoformat(value.strip())
        except ValueError:
            raise InvalidInput(f"{source}: publish_at {value!r} is not a date and time "
                               "like 2025-02-11T09:00:00-05:00.", field="publish_at") from None
    if not isinstance(value, datetime):
        raise InvalidInput(f"{source}: publish_at {value!r} is not a date and time.", field="publish_at")
    try:
        return clock.to_utc(clock.check_range(value), zone)
    except InvalidInput as error:
        raise InvalidInput(f"{source}: publish_at: {error}", field="publish_at") from None


def _tags(value: Any, source: str) -> list[str]:
    if value in (None, ""):
        return []
    if isinstance(value, str):
        return [name.strip() for name in value.split(",") if name.strip()]
    if isinstance(value, list):
        return [str(name).strip() for name in value if str(name).strip()]
    raise InvalidInput(f"{source}: tags must be a list like [grief, family].", field="tags")


def _part(value: Any, source: str) -> int | None:
    part = _integer(value, "series_part", source)
    if part is not None and part < 1:
        raise InvalidInput(f"{source}: series_part must be 1 or more.", field="series_part")
    return part


def _integer(value: Any, name: str, source: str) -> int | None:
    if value in (None, ""):
        return None
    number = numbers.whole(str(value).strip())
    if isinstance(value, bool) or not isinstance(value, int | str) or number is None:
        raise InvalidInput(f"{source}: {name} must be a whole number, not {value!r}.", field=name)
    return number


def _optional_text(value: Any) -> str | None:
    return str(value).strip() or None if value is not None else None

"""Bringing a WordPress site's images, audio and video along on import, through the same pipeline as an upload.

The images a WordPress export's bodies show, and the audio and video files its [audio] and [video] play, live
on the old site, under wp-content/uploads. They are read from a copy of that folder (as a folder or a zip) or,
only when asked, fetched from the old site itself; each is stored as an upload (an image checked, re-encoded,
resized, WebP beside it; a sound or film checked by its first bytes) and the bodies point at the new copy, a
player where the post had one. Each stored file remembers where it came from, so importing the same site again
finds it rather than storing it twice. A file that cannot be brought along is named in the report and left
pointing at the old site.
"""

from __future__ import annotations

import zipfile
import zlib
from collections import Counter
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from io import BytesIO
from pathlib import Path
from typing import Any
from urllib.error import HTTPError, URLError
from urllib.parse import quote, urlsplit
from urllib.request import HTTPRedirectHandler, Request, build_opener

from sqlalchemy import select

from cms.core import media_files, wordpress
from cms.core.documents import Batch, Report
from cms.core.errors import InvalidInput
from cms.core.numbers import file_size
from cms.extensions import db
from cms.models import Media, User
from cms.services import uploads

#: Seconds to wait for the old site, per image.
FETCH_TIMEOUT = 10
#: The largest zip of an old site's uploads the back office accepts.
MAX_ZIP_BYTES = 512 * 1024 * 1024
#: A zip with more entries than this is not a copy of one site's uploads; its directory alone would fill memory.
MAX_ZIP_ENTRIES = 200_000
#: How many files that could not be brought along the report names; the rest it counts.
NAMED = 5
_UPLOADS = "wp-content/uploads/"


@dataclass(frozen=True)
class Limits:
    """What one image may be, as for an upload on the writing screen; and one audio or video file."""

    max_bytes: int
    max_pixels: int
    max_animation_pixels: int
    max_audio_video_bytes: int

    @classmethod
    def from_config(cls, config: Mapping[str, Any]) -> Limits:
        return cls(max_bytes=config["UPLOAD_MAX_BYTES"], max_pixels=config["UPLOAD_MAX_PIXELS"],
                   max_animation_pixels=config["UPLOAD_MAX_ANIMATION_PIXELS"],
                   max_audio_video_bytes=config["UPLOAD_MAX_AUDIO_VIDEO_BYTES"])

    def bytes_of(self, kind: str) -> int:
        """The largest file of `kind` ("image", "audio", "video") an import brings along."""
        return self.max_bytes if kind == media_files.IMAGE else self.max_audio_video_bytes


class _Missing(Exception):
    """A file that cannot be read; its message says why, in a few words."""


@dataclass
class Finder:
    """Where an import reads the old site's files: a copy of its uploads folder, the old site, or both."""

    limits: Limits
    folder: Path | None = None
    archive: zipfile.ZipFile | None = None
    is_fetching: bool = False
    _entries: dict[str, zipfile.ZipInfo] = field(default_factory=dict)

    def read(self, site: str, path: str, *, max_bytes: int) -> bytes:
        """Return the bytes of upload `path` of the site at `site`, at most `max_bytes` of them; raises _Missing
        saying why not."""
        reasons = []
        for read in (self._from_folder, self._from_zip, self._fetched):
            try:
                data = read(site, path, max_bytes)
            except _Missing as missing:
                reasons.append(str(missing))
                continue
            if data is not None:
                return data
        raise _Missing(reasons[-1] if reasons else "not in the uploads folder")

    def _from_folder(self, site: str, path: str, max_bytes: int) -> bytes | None:
        if self.folder is None:
            return None
        root = self.folder.resolve()
        for base in (root / "wp-content" / "uploads", root / "uploads", root):
            candidate = (base / path).resolve()
            if candidate.is_relative_to(root) and candidate.is_file():  # a link may not lead out of the copy
                if candidate.stat().st_size > max_bytes:
                    raise _Missing(_too_large(max_bytes))
                return candidate.read_bytes()
        raise _Missing("not in the uploads folder")

    def _from_zip(self, site: str, path: str, max_bytes: int) -> bytes | None:
        if self.archive is None:
            return None
        if not self._entries:
            self._entries = _entries(self.archive)
        entry = self._entries.get(path)
        if entry is None:
            raise _Missing("not in the uploads zip")
        if entry.file_size > max_bytes:
            raise _Missing(_too_large(max_bytes))
        try:
            with self.archive.open(entry) as member:
                data = member.read(max_bytes + 1)  # the size an entry claims is not trusted
        except (zipfile.BadZipFile, RuntimeError, NotImplementedError, OSError, zlib.error):
            raise _Missing("damaged in the uploads zip") from None
        if len(data) > max_bytes:
            raise _Missing(_too_large(max_bytes))
        return data

    def _fetched(self, site: str, path: str, max_bytes: int) -> bytes | None:
        if not self.is_fetching:
            return None
        address = f"{site}/{_UPLOADS}{quote(path)}"
        if urlsplit(address).scheme not in ("http", "https"):
            raise _Missing("not at an http or https address")
        opener = build_opener(_SameSite(urlsplit(address).netloc))
        try:
            with opener.open(Request(address, headers={"User-Agent": "cms-import"}),  # noqa: S310 - http(s) checked above
                             timeout=FETCH_TIMEOUT) as response:
                data: bytes = response.read(max_bytes + 1)
        except HTTPError as error:
            raise _Missing(f"the old site answered {error.code}") from None
        except (URLError, OSError, ValueError):
            raise _Missing("the old site did not answer") from None
        if len(data) > max_bytes:
            raise _Missing(_too_large(max_bytes))
        return data


def _too_large(max_bytes: int) -> str:
    return f"larger than {file_size(max_bytes)}"


class _SameSite(HTTPRedirectHandler):
    """Follow a redirect only within the old site: a fetch never goes anywhere the export does not name."""

    def __init__(self, netloc: str) -> None:
        self.netloc = netloc

    def redirect_request(self, req: Request, fp: Any, code: int, msg: str, headers: Any,
                         newurl: str) -> Request | None:
        target = urlsplit(newurl)
        if target.scheme not in ("http", "https") or target.netloc.lower() != self.netloc.lower():
            return None  # urllib then raises the redirect as an HTTPError: the image is reported missing
        return super().redirect_request(req, fp, code, msg, headers, newurl)


def _entries(archive: zipfile.ZipFile) -> dict[str, zipfile.ZipInfo]:
    """The zip's files by their path under the uploads folder, however the copy was packed (the folder's
    content, uploads/ itself, or wp-content/uploads/ inside any folder). Nothing is ever extracted."""
    entries = archive.infolist()
    if len(entries) > MAX_ZIP_ENTRIES:
        raise InvalidInput(f"The uploads zip holds more than {MAX_ZIP_ENTRIES:,} files; "
                           "zip only the wp-content/uploads folder.")
    found: dict[str, zipfile.ZipInfo] = {}
    for entry in entries:
        name = entry.filename.replace("\\", "/")
        if entry.is_dir():
            continue
        if _UPLOADS in name:
            name = name.split(_UPLOADS, 1)[1]
        elif name.startswith("uploads/"):
            name = name.removeprefix("uploads/")
        found.setdefault(name, entry)
    return found


@contextmanager
def finder(uploads: Path | None, *, is_fetching: bool, limits: Limits) -> Iterator[Finder | None]:
    """Open the copy of the uploads folder at `uploads` (a folder or a zip), fetching from the old site too if
    `is_fetching`; yields None when neither is asked for. Raises InvalidInput if `uploads` is neither."""
    if uploads is None:
        yield Finder(limits=limits, is_fetching=True) if is_fetching else None
        return
    if uploads.is_dir():
        yield Finder(limits=limits, folder=uploads, is_fetching=is_fetching)
        return
    if not (uploads.is_file() and zipfile.is_zipfile(uploads)):
        raise InvalidInput(f"{uploads.name} is neither a folder nor a zip file of the old site's uploads.")
    try:
        archive = zipfile.ZipFile(uploads)
    except (zipfile.BadZipFile, OSError):
        raise InvalidInput(f"{uploads.name} is a damaged zip file.") from None
    with archive:
        yield Finder(limits=limits, archive=archive, is_fetching=is_fetching)


def bring(batch: Batch, found: Finder | None, *, by: User, now: datetime) -> None:
    """Store the old site's images that `batch`'s bodies show, and the audio and video files they link to, and
    point the bodies at the new copies; a "Listen: …" or "Watch: …" link of an [audio] or [video] becomes a
    player of the new copy.

    A file stored by an earlier import of the same site is used again, found by where it came from, even
    without `found`; counts and what could not be brought along go into the batch's report.
    """
    hosts = wordpress.site_hosts(batch.old_sites)
    if not hosts:
        return
    home = batch.old_sites[0]
    files: dict[str, Media | str] = {}  # by original path: the stored copy, or why there is none
    kinds: dict[str, str] = {}  # of the paths, for the report
    for document in batch.documents:
        new, played = {}, {}
        for address in wordpress.upload_addresses(document.body, hosts):
            key = address.original
            if key not in files:
                kinds[key] = address.kind
                files[key] = _brought(address, found, site=address.site or home, home=home, by=by, now=now,
                                      report=batch.report)
            stored = files[key]
            if isinstance(stored, Media):
                new[address.address] = f"/uploads/{stored.file_name}"
                if not stored.is_image:
                    played[new[address.address]] = stored.kind
        document.body = wordpress.players(wordpress.replace_addresses(document.body, new), played)
    _report_missing({path: reason for path, reason in files.items() if isinstance(reason, str)}, kinds, found,
                    batch=batch)


def _brought(address: wordpress.UploadAddress, found: Finder | None, *, site: str, home: str, by: User,
             now: datetime, report: Report) -> Media | str:
    """The stored copy of the file at `address` (of an image, its original, when WordPress made it a smaller
    copy), or why there is none."""
    if site.startswith("//"):
        site = f"{urlsplit(home).scheme}:{site}"
    paths = list(dict.fromkeys([address.original, address.path]))
    sources = [f"{urlsplit(home).netloc.lower()}/{_UPLOADS}{path}" for path in paths]
    existing = db.session.scalar(select(Media).where(Media.source.in_(sources)).order_by(Media.id))
    if existing is not None:
        report.count(existing.kind, "unchanged")
        return existing
    if found is None:
        return ""
    reason = ""
    limits = found.limits
    for path, source in zip(paths, sources, strict=True):
        name = path.rsplit("/", 1)[-1]
        try:
            data = found.read(site, path, max_bytes=limits.bytes_of(address.kind))
            if address.kind == media_files.IMAGE:
                media = uploads.save(BytesIO(data), by=by, now=now, filename=name, max_bytes=limits.max_bytes,
                                     max_pixels=limits.max_pixels, max_animation_pixels=limits.max_animation_pixels)
            else:
                media = uploads.save_file(BytesIO(data), by=by, now=now, filename=name,
                                          max_bytes=limits.max_audio_video_bytes)
        except _Missing as missing:
            reason = reason or str(missing)
            continue
        except InvalidInput as refused:
            reason = str(refused).rstrip(".")
            reason = reason[:1].lower() + reason[1:]  # inside a sentence of the report; MP3 stays MP3
            continue
        media.source = source
        db.session.flush()
        report.count(media.kind, "created")
        return media
    return reason


def _report_missing(missing: dict[str, str], kinds: dict[str, str], found: Finder | None, *, batch: Batch) -> None:
    if not missing:
        return
    counted = Counter(kinds[path] for path in missing)
    files = media_files.counted(counted)
    if found is None:
        fetched = "images" if set(counted) == {media_files.IMAGE} else "files"
        batch.report.note(f"Left pointing at the old site: {files}; import again with a copy of its uploads folder, "
                          f"or fetching {fetched} from it, to bring them along.")
        return
    named = "; ".join(f"{path} ({reason})" for path, reason in sorted(missing.items())[:NAMED])
    more = f"; and {len(missing) - NAMED} more" if len(missing) > NAMED else ""
    batch.report.note(f"Could not bring {files} along, so the bodies still point at the old site for: "
                      f"{named}{more}.")


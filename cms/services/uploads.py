"""Images for articles: checked by what they contain, re-encoded, resized, and kept in the database.

The name a browser sent and the type it claimed are never trusted. Pillow must recognise the bytes as one of
a few raster formats and decode every pixel; the stored original is re-encoded from those pixels, so camera
metadata (a location, a device) and anything hidden after the image data do not survive. SVG is refused: it
is a document that can carry script, not a picture.

Each image is kept with copies at a few smaller widths, in its own format and in WebP, all in the database:
every server of a site sees them, and `flask cms backup` carries them.

Audio and video files (brought along by a WordPress import) are kept in the database too, as they came, once
their first bytes show a format browsers play (`core.media_files`).
"""

from __future__ import annotations

import re
import secrets
import unicodedata
import warnings
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from io import BytesIO
from pathlib import Path
from typing import BinaryIO

from PIL import Image, ImageOps, UnidentifiedImageError
from sqlalchemy import select

from cms.core import images, media_files
from cms.core.errors import InvalidInput
from cms.core.numbers import file_size
from cms.extensions import db
from cms.models import Media, MediaFile, MediaVariant, User

#: Pillow format -> (stored extension, content type served).
FORMATS = {
    "JPEG": ("jpg", "image/jpeg"),
    "PNG": ("png", "image/png"),
    "GIF": ("gif", "image/gif"),
    "WEBP": ("webp", "image/webp"),
}
SAVE_OPTIONS: Mapping[str, Mapping[str, object]] = {
    "JPEG": {"quality": 90, "optimize": True}, "PNG": {"optimize": True}, "GIF": {}, "WEBP": {"quality": 90}}
#: Smaller copies are for screens, not for keeping: lighter settings, and WebP's slowest effort is not worth it.
VARIANT_OPTIONS: Mapping[str, Mapping[str, object]] = {
    "JPEG": {"quality": 82, "optimize": True, "progressive": True}, "PNG": {"optimize": True},
    "GIF": {}, "WEBP": {"quality": 80, "method": 4}}
CONTENT_TYPES = dict(FORMATS.values())
#: A stored name of the first release, kept in UPLOAD_FOLDER: 32 random hex digits and one of our extensions.
NAME = re.compile(r"[0-9a-f]{32}\.(" + "|".join(CONTENT_TYPES) + ")")
#: No WebP copy is made of an image wider than this at its full width: no screen asks for more, and encoding
#: 50 megapixels to WebP takes seconds. Its fallback original is still offered at full width.
MAX_WEBP_WIDTH = 2400
_SVG = re.compile(rb"^\s*(<\?xml[^>]*>\s*)?(<!--.*?-->\s*)*(<!doctype\s+svg|<svg)", re.IGNORECASE | re.DOTALL)


@dataclass(frozen=True)
class Served:
    """One stored encoding of an upload, ready to send."""

    data: bytes
    content_type: str
    etag: str
    created_at: datetime


def save(stream: BinaryIO, *, by: User | None, now: datetime, filename: str = "", alt: str = "",
         max_bytes: int, max_pixels: int, max_animation_pixels: int) -> Media:
    """Check the image in `stream`, store it with its smaller copies and return it (added and flushed).

    Raises InvalidInput if it is not a JPEG, PNG, GIF or WebP image within the limits: `max_pixels` bounds one
    frame, `max_animation_pixels` all frames of an animation together. Every frame is decoded and encoded
    again, so the work grows with both, and both are checked before any pixel is decoded.
    """
    data = stream.read(max_bytes + 1)
    if len(data) > max_bytes:
        raise InvalidInput(f"The image is larger than {file_size(max_bytes)}.", field="image")
    if not data:
        raise InvalidInput("The file is empty.", field="image")
    if _SVG.match(data[:4096]):
        raise InvalidInput("SVG images are not accepted, as they can carry scripts; upload a PNG instead.",
                           field="image")
    image, fmt = _decoded(data, max_pixels, max_animation_pixels)
    original, upright = _reencoded(image, fmt)
    return _stored(secrets.token_hex(16), fmt, original, upright, is_animated=_is_animated(image),
                   by=by, now=now, filename=filename, alt=alt)


def save_file(stream: BinaryIO, *, by: User | None, now: datetime, filename: str = "", max_bytes: int) -> Media:
    """Check the audio or video file in `stream`, store it as it came and return it (added and flushed).

    Raises InvalidInput, in one sentence, if it is empty, larger than `max_bytes`, or its first bytes are not
    those of a format `media_files` names. It is not decoded: a player in the browser does that.
    """
    data = stream.read(max_bytes + 1)
    found = media_files.check(data[:media_files.HEAD_BYTES], size=len(data), max_bytes=max_bytes)
    media = Media(key=secrets.token_hex(16), kind=found.kind, filename=_display_name(filename),
                  content_type=found.content_type, byte_size=len(data), uploaded_by=by, created_at=now)
    media.file = MediaFile(data=data)
    db.session.add(media)
    db.session.flush()
    return media


def import_folder(folder: Path, *, now: datetime) -> tuple[int, list[str]]:
    """Move the images of the first release's upload folder into the database, under the names they had, so
    their addresses keep working; return how many were added and the names of files that are not images.

    The files were re-encoded when uploaded, so their bytes are kept as they are. Files already in the
    database are skipped, so running it again adds nothing; the folder is left as it was.
    """
    added = 0
    refused: list[str] = []
    if not folder.is_dir():
        return added, refused
    known = set(db.session.scalars(select(Media.key)))
    for path in sorted(folder.iterdir()):
        if not (NAME.fullmatch(path.name) and path.is_file()) or path.stem in known:
            continue
        data = path.read_bytes()
        try:
            image, fmt = _decoded(data, max_pixels=Image.MAX_IMAGE_PIXELS or 10**9, max_animation_pixels=10**10)
        except InvalidInput:
            refused.append(path.name)
            continue
        _stored(path.stem, fmt, data, ImageOps.exif_transpose(image), is_animated=_is_animated(image),
                by=None, now=now, filename=path.name, alt="")
        added += 1
    return added, refused


def find(key: str) -> Media | None:
    """Return the upload with this key, if there is one."""
    return db.session.scalar(select(Media).where(Media.key == key))


def served(name: str) -> Served | None:
    """Return the stored encoding that the file name `name` asks for, or None.

    `<key>.<ext>` is the original; `<key>-<width>.<ext>` a copy at that width, in that format.
    """
    path = images.UPLOAD_PATH.fullmatch(f"/uploads/{name}")
    if path is None:
        return _served_file(name)
    fmt = images.FORMATS[path["ext"]]
    width = Media.width if path["width"] is None else int(path["width"])
    row = db.session.execute(
        select(MediaVariant.data, Media.created_at).join(Media)
        .where(Media.key == path["key"], MediaVariant.format == fmt, MediaVariant.width == width)).first()
    if row is None:
        return None
    return Served(data=row.data, content_type=CONTENT_TYPES[path["ext"]], etag=name, created_at=row.created_at)


def _served_file(name: str) -> Served | None:
    """An audio or video file, asked for under the extension its content type has, and no other."""
    path = media_files.UPLOAD_PATH.fullmatch(f"/uploads/{name}")
    if path is None:
        return None
    row = db.session.execute(
        select(MediaFile.data, Media.content_type, Media.created_at).join(Media)
        .where(Media.key == path["key"], Media.kind != media_files.IMAGE)).first()
    if row is None or media_files.BY_CONTENT_TYPE[row.content_type].extension != path["ext"]:
        return None
    return Served(data=row.data, content_type=row.content_type, etag=name, created_at=row.created_at)


def lookup(keys: list[str]) -> dict[str, images.ImageInfo]:
    """Return what rendering needs to know of each upload among `keys`: its size and the widths it is stored
    at (two queries, no image bytes)."""
    if not keys:
        return {}
    found = {media_id: (key, width, height, content_type) for media_id, key, width, height, content_type in
             db.session.execute(select(Media.id, Media.key, Media.width, Media.height, Media.content_type)
                                .where(Media.key.in_(keys), Media.kind == media_files.IMAGE))}
    widths: dict[tuple[int, str], list[int]] = {}
    for media_id, width, fmt in db.session.execute(
            select(MediaVariant.media_id, MediaVariant.width, MediaVariant.format)
            .where(MediaVariant.media_id.in_(found)).order_by(MediaVariant.width)):
        widths.setdefault((media_id, fmt), []).append(width)
    infos = {}
    for media_id, (key, full_width, full_height, content_type) in found.items():
        if full_width is None or full_height is None:  # only images were selected, and an image has both
            continue
        own = content_type.removeprefix("image/")
        infos[key] = images.ImageInfo(width=full_width, height=full_height, format=own,
                                      widths=tuple(widths.get((media_id, own), [full_width])),
                                      webp_widths=tuple(widths.get((media_id, "webp"), [])))
    return infos


def _stored(key: str, fmt: str, original: bytes, upright: Image.Image, *, is_animated: bool, by: User | None,
            now: datetime, filename: str, alt: str) -> Media:
    media = Media(key=key, filename=_display_name(filename), alt=" ".join(alt.split())[:500],
                  width=upright.width, height=upright.height, content_type=FORMATS[fmt][1],
                  byte_size=len(original), uploaded_by=by, created_at=now)
    media.variants = [MediaVariant(width=width, format=variant_format.lower(), data=data)
                      for width, variant_format, data in _variants(fmt, original, upright, is_animated)]
    db.session.add(media)
    db.session.flush()
    return media


def _variants(fmt: str, original: bytes, upright: Image.Image,
              is_animated: bool) -> list[tuple[int, str, bytes]]:
    """The original, then its copies: smaller ones in its own format, and WebP ones (an animation has none)."""
    made = [(upright.width, fmt, original)]
    if is_animated:
        return made
    resized = _rgb(upright)
    profile = upright.info.get("icc_profile")  # colours as the camera saw them, in every copy
    # Widest first, each copy made from the one before: a 24-megapixel photo is scaled down once, not four times.
    for width in reversed(images.variant_widths(upright.width, is_animated=False)):
        if width != resized.width:
            resized = resized.resize((width, max(1, round(upright.height * width / upright.width))),
                                     Image.Resampling.LANCZOS, reducing_gap=3.0)
        if width != upright.width:
            made.append((width, fmt, _encoded(resized, fmt, profile)))
        if fmt != "WEBP" and width <= MAX_WEBP_WIDTH:
            made.append((width, "WEBP", _encoded(resized, "WEBP", profile)))
    return made


def _rgb(image: Image.Image) -> Image.Image:
    has_alpha = image.mode in ("RGBA", "LA", "PA") or "transparency" in image.info
    return image.convert("RGBA" if has_alpha else "RGB")


def _encoded(image: Image.Image, fmt: str, profile: bytes | None) -> bytes:
    if fmt == "JPEG" and image.mode != "RGB":
        image = image.convert("RGB")
    options = dict(VARIANT_OPTIONS[fmt])
    if profile and fmt != "GIF":
        options["icc_profile"] = profile
    output = BytesIO()
    image.save(output, format=fmt, **options)
    return output.getvalue()


def _is_animated(image: Image.Image) -> bool:
    return bool(getattr(image, "is_animated", False))


def _display_name(filename: str) -> str:
    """The name as the uploader knew it, for the media screen: its last part, printable, bounded."""
    name = filename.replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(char for char in name if unicodedata.category(char)[0] != "C")
    return name.strip()[:255]


def _decoded(data: bytes, max_pixels: int, max_animation_pixels: int) -> tuple[Image.Image, str]:
    """The image, every pixel decoded, and its format: one of FORMATS, as Pillow named it when it checked."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(BytesIO(data)) as probe:
                fmt = probe.format or ""
                if fmt not in FORMATS:
                    raise InvalidInput(f"{fmt or 'Such'} images are not accepted; use JPEG, PNG, GIF or WebP.",
                                       field="image")
                if probe.width * probe.height > max_pixels:
                    raise InvalidInput(f"The image is too large ({probe.width} × {probe.height} pixels).",
                                       field="image")
                _check_frames(probe, max_animation_pixels)
                probe.verify()  # checksums and structure, before any pixel is decoded
            image = Image.open(BytesIO(data))
            image.load()
    except (UnidentifiedImageError, Image.DecompressionBombWarning, Image.DecompressionBombError):
        raise InvalidInput("The file is not an image (JPEG, PNG, GIF or WebP).", field="image") from None
    except (OSError, SyntaxError, ValueError, EOFError):
        raise InvalidInput("The image is damaged and cannot be read.", field="image") from None
    return image, fmt


def _check_frames(probe: Image.Image, max_animation_pixels: int) -> None:
    """Counting frames reads the file's frame headers only; no frame is decoded."""
    frames = getattr(probe, "n_frames", 1)
    if frames > 1 and probe.width * probe.height * frames > max_animation_pixels:
        raise InvalidInput(f"The animation is too large ({frames} frames of {probe.width} × {probe.height} pixels); "
                           f"keep it under {max_animation_pixels:,} pixels in all frames together.", field="image")


def _reencoded(image: Image.Image, fmt: str) -> tuple[bytes, Image.Image]:
    """The pixels alone, turned upright as the camera meant them, in the format they came in; and the upright
    image, to make the smaller copies from."""
    options = dict(SAVE_OPTIONS[fmt])
    if image.info.get("icc_profile"):
        options["icc_profile"] = image.info["icc_profile"]  # colours, not metadata
    if getattr(image, "is_animated", False):
        frames = image
        options.update(save_all=True, loop=image.info.get("loop", 0))
    else:
        frames = ImageOps.exif_transpose(image)
        if fmt == "JPEG" and frames.mode not in ("RGB", "L"):
            frames = frames.convert("RGB")
    output = BytesIO()
    frames.save(output, format=fmt, **options)
    return output.getvalue(), frames

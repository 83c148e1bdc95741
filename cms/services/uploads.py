"""Images for articles: checked by what they contain, re-encoded, stored under a random name.

The name a browser sent and the type it claimed are never trusted. Pillow must recognise the bytes as one of
a few raster formats and decode every pixel; the stored file is re-encoded from those pixels, so camera
metadata (a location, a device) and anything hidden after the image data do not survive. SVG is refused: it
is a document that can carry script, not a picture.
"""

from __future__ import annotations

import re
import secrets
import warnings
from dataclasses import dataclass
from io import BytesIO
from pathlib import Path
from typing import BinaryIO

from PIL import Image, ImageOps, UnidentifiedImageError

from cms.core.errors import InvalidInput

#: Pillow format -> (stored extension, content type served).
FORMATS = {
    "JPEG": ("jpg", "image/jpeg"),
    "PNG": ("png", "image/png"),
    "GIF": ("gif", "image/gif"),
    "WEBP": ("webp", "image/webp"),
}
SAVE_OPTIONS = {"JPEG": {"quality": 90, "optimize": True}, "PNG": {"optimize": True}, "GIF": {},
                "WEBP": {"quality": 90}}
CONTENT_TYPES = {extension: content_type for extension, content_type in FORMATS.values()}
#: A stored name: 32 random hex digits and one of our extensions; nothing else is ever served.
NAME = re.compile(r"[0-9a-f]{32}\.(" + "|".join(CONTENT_TYPES) + ")")
_SVG = re.compile(rb"^\s*(<\?xml[^>]*>\s*)?(<!--.*?-->\s*)*(<!doctype\s+svg|<svg)", re.IGNORECASE | re.DOTALL)


@dataclass(frozen=True)
class StoredImage:
    name: str
    content_type: str
    width: int
    height: int


def save(stream: BinaryIO, folder: Path, *, max_bytes: int, max_pixels: int,
         max_animation_pixels: int) -> StoredImage:
    """Check the image in `stream` and store it in `folder` under a new random name; raise InvalidInput if it is
    not a JPEG, PNG, GIF or WebP image within the limits.

    `max_pixels` bounds one frame, `max_animation_pixels` all frames of an animation together: every frame is
    decoded and encoded again, so the work grows with both, and both are checked before any pixel is decoded.
    """
    data = stream.read(max_bytes + 1)
    if len(data) > max_bytes:
        raise InvalidInput(f"The image is larger than {max_bytes // (1024 * 1024)} MB.", field="image")
    if not data:
        raise InvalidInput("The file is empty.", field="image")
    if _SVG.match(data[:4096]):
        raise InvalidInput("SVG images are not accepted, as they can carry scripts; upload a PNG instead.",
                           field="image")
    image = _decoded(data, max_pixels, max_animation_pixels)
    extension, content_type = FORMATS[image.format]
    folder.mkdir(parents=True, exist_ok=True)
    name = f"{secrets.token_hex(16)}.{extension}"
    encoded = _reencoded(image)
    draft = folder / f".{name}.part"
    draft.write_bytes(encoded)
    draft.replace(folder / name)  # readers never see half a file
    return StoredImage(name=name, content_type=content_type, width=image.width, height=image.height)


def path_of(name: str, folder: Path) -> Path | None:
    """Return where the stored image `name` is, or None if `name` is not one of ours or is missing."""
    if not NAME.fullmatch(name):
        return None
    path = folder / name
    return path if path.is_file() else None


def _decoded(data: bytes, max_pixels: int, max_animation_pixels: int) -> Image.Image:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(BytesIO(data)) as probe:
                if probe.format not in FORMATS:
                    raise InvalidInput(f"{probe.format} images are not accepted; use JPEG, PNG, GIF or WebP.",
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
    return image


def _check_frames(probe: Image.Image, max_animation_pixels: int) -> None:
    """Counting frames reads the file's frame headers only; no frame is decoded."""
    frames = getattr(probe, "n_frames", 1)
    if frames > 1 and probe.width * probe.height * frames > max_animation_pixels:
        raise InvalidInput(f"The animation is too large ({frames} frames of {probe.width} × {probe.height} pixels); "
                           f"keep it under {max_animation_pixels:,} pixels in all frames together.", field="image")


def _reencoded(image: Image.Image) -> bytes:
    """The pixels alone, turned upright as the camera meant them, in the format they came in."""
    fmt = image.format
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
    return output.getvalue()

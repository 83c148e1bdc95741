"""Responsive images: an <img> of one of our uploads becomes a <picture> with WebP and fallback widths.

Applied to HTML that `rendering.render` has sanitized, with what the database knows of each upload handed in,
so the stored Markdown stays `![alt](/uploads/<key>.jpg)` and this module needs no database. The markup it adds
is exactly what `rendering` allows (srcset naming our uploads only, one `sizes`, lazy loading), so sanitizing
its output again changes nothing.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from html import escape, unescape

#: Widths an upload is resized to, never beyond its own; the original's width is always offered too.
WIDTHS = (480, 800, 1200, 1600)
#: Pillow format <-> the extension in URLs.
EXTENSIONS = {"jpeg": "jpg", "png": "png", "gif": "gif", "webp": "webp"}
FORMATS = {extension: fmt for fmt, extension in EXTENSIONS.items()}
#: How wide a body image is drawn: the text column (site.css --measure, less main's padding), else the screen.
SIZES = "(min-width: 38rem) 36rem, 100vw"
#: How wide the other slots draw an upload (site.css): a card's thumbnail, the photo on the home page, the
#: author's photo in the author box.
CARD_SIZES = "(min-width: 40rem) 11rem, 6.5rem"
INTRO_PHOTO_SIZES = "(min-width: 40rem) 12rem, 7rem"
AUTHOR_PHOTO_SIZES = "6rem"
#: Every `sizes` the site writes; sanitizing keeps these and no other.
ALL_SIZES = frozenset({SIZES, CARD_SIZES, INTRO_PHOTO_SIZES, AUTHOR_PHOTO_SIZES})
#: The address of an original (/uploads/<key>.jpg) or a variant (/uploads/<key>-800.webp).
UPLOAD_PATH = re.compile(r"/uploads/(?P<key>[0-9a-f]{32})(?:-(?P<width>[1-9][0-9]{0,4}))?\.(?P<ext>jpg|png|gif|webp)")
#: A srcset of our variants only: "/uploads/<key>-480.webp 480w, …".
SRCSET = re.compile(r"/uploads/[0-9a-f]{32}-[1-9][0-9]{0,4}\.(?:jpg|png|gif|webp) [1-9][0-9]{0,4}w"
                    r"(?:, /uploads/[0-9a-f]{32}-[1-9][0-9]{0,4}\.(?:jpg|png|gif|webp) [1-9][0-9]{0,4}w)*")
# Sanitized HTML is bleach's serialization: every attribute value double-quoted, with `"` escaped, so a tag
# ends at the first ">" outside quotes.
_IMG = re.compile(r'<img\b(?:[^>"]|"[^"]*")*>')
_ATTRIBUTE = re.compile(r'([a-z-]+)(?:="([^"]*)")?')


@dataclass(frozen=True)
class ImageInfo:
    """What the database knows of one upload."""

    width: int
    height: int
    format: str  # of the original: jpeg, png, gif or webp
    widths: tuple[int, ...]  # in its own format, ascending, the original's last; (width,) for an animation
    webp_widths: tuple[int, ...] = ()  # of its WebP copies, ascending


def variant_widths(width: int, *, is_animated: bool) -> tuple[int, ...]:
    """Return the widths to store an image `width` pixels wide at: the smaller standard ones, then its own.

    An animation keeps its own width only: resizing every frame costs more than it saves.
    """
    if is_animated:
        return (width,)
    return (*(size for size in WIDTHS if size < width), width)


def upload_keys(html: str) -> list[str]:
    """Return the keys of our uploads that `html` (or Markdown) points at, in order, each once."""
    return list(dict.fromkeys(match["key"] for match in UPLOAD_PATH.finditer(html)))


def images_without_alt(html: str) -> list[str]:
    """Return the address of every image in sanitized `html` whose alt text is empty, in order."""
    missing = []
    for tag in _IMG.findall(html):
        attributes = _attributes(tag)
        if not attributes.get("alt", "").strip():
            missing.append(attributes.get("src", ""))
    return missing


def responsive(html: str, images: Mapping[str, ImageInfo], *, sizes: str = SIZES) -> str:
    """Return sanitized `html` with every image of a known upload served responsively.

    Such an image gets its stored width and height (so nothing jumps as it loads), a srcset of its widths in its
    own format inside a <picture> offering WebP first, and, from the second image on, lazy loading. Other images
    are left as they are. The alt text stays the one written in the body.
    """
    count = 0

    def replace(match: re.Match[str]) -> str:
        nonlocal count
        attributes = _attributes(match.group(0))
        path = UPLOAD_PATH.fullmatch(attributes.get("src", ""))
        info = images.get(path["key"]) if path else None
        count += 1
        if path is None or info is None:
            return match.group(0)
        return picture(path["key"], info, alt=attributes.get("alt", ""), title=attributes.get("title"),
                       sizes=sizes, is_lazy=count > 1)

    return _IMG.sub(replace, html)


def all_lazy(html: str) -> str:
    """Return sanitized `html` with every image loaded lazily: a body under a featured image, which is the one
    the reader sees first (a body's own first image is loaded at once, see `responsive`)."""

    def lazy(match: re.Match[str]) -> str:
        tag = match.group(0)
        if "loading" in _attributes(tag):
            return tag
        return tag[:-1] + ' loading="lazy" decoding="async">'

    return _IMG.sub(lazy, html)


def picture(key: str, info: ImageInfo, *, alt: str = "", title: str | None = None, sizes: str = SIZES,
            is_lazy: bool = True) -> str:
    """Return the <picture> (or, without variants, the <img>) that shows upload `key` at every width."""
    extension = EXTENSIONS[info.format]
    img = [("alt", alt), ("src", f"/uploads/{key}.{extension}")]
    if title:
        img.append(("title", title))
    has_variants = len(info.widths) > 1
    if has_variants:
        img += [("srcset", srcset(key, info.widths, extension)), ("sizes", sizes)]
    img += [("width", str(info.width)), ("height", str(info.height))]
    if is_lazy:
        img += [("loading", "lazy"), ("decoding", "async")]
    tag = "<img " + " ".join(f'{name}="{escape(value)}"' for name, value in img) + ">"
    if not info.webp_widths or info.format == "webp":
        return tag
    source = f'<source type="image/webp" srcset="{srcset(key, info.webp_widths, "webp")}" sizes="{escape(sizes)}">'
    return f"<picture>{source}{tag}</picture>"


def srcset(key: str, widths: tuple[int, ...], extension: str) -> str:
    """Return a srcset naming the variants of upload `key` in `extension` at `widths`."""
    return ", ".join(f"/uploads/{key}-{width}.{extension} {width}w" for width in widths)


def _attributes(tag: str) -> dict[str, str]:
    body = tag[len("<img"):-1]
    return {name: unescape(value or "") for name, value in _ATTRIBUTE.findall(body)}

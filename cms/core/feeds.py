"""Feeds and other copies of articles read away from the site: absolute links, stable ids, RSS and Atom."""

from __future__ import annotations

import re
from html import escape, unescape
from urllib.parse import urljoin

# Sanitized HTML quotes every attribute value with "…" (see core.rendering), so a tag can be read by pattern.
_LINKING_TAG = re.compile(r'<(?:a|img)\b(?:[^>"]|"[^"]*")*>', re.IGNORECASE)
_LINK_ATTRIBUTE = re.compile(r'(\s(?:href|src)=")([^"]*)(")', re.IGNORECASE)


def absolute_links(html: str, base_url: str) -> str:
    """Return sanitized `html` with every link and image address made absolute against `base_url`.

    A feed reader or an app shows the text away from the site, where "/contact" or "#fn1" would lead nowhere.
    """

    def absolute(attribute: re.Match) -> str:
        address = urljoin(base_url, unescape(attribute.group(2)))
        return attribute.group(1) + escape(address, quote=True) + attribute.group(3)

    return _LINKING_TAG.sub(lambda tag: _LINK_ATTRIBUTE.sub(absolute, tag.group(0)), html)

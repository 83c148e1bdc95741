"""Emails written out as bytes (RFC 5322 and MIME): CRLF lines, base64 parts, encoded words for non-ASCII."""

from __future__ import annotations

import base64
from collections.abc import Sequence
from email.header import Header

LINE = 76  # base64 line length (RFC 2045)


def header_text(text: str) -> str:
    """`text` as a header value on one line: itself if ASCII, else RFC 2047 encoded words."""
    text = " ".join(text.splitlines())  # a line break would start a header of its own
    if text.isascii():
        return text
    return Header(text, "utf-8").encode(maxlinelen=998)


def message(headers: Sequence[tuple[str, str]], parts: Sequence[tuple[str, str]], *, boundary: str) -> bytes:
    """The whole email: `headers` (name, ASCII value), then one part, or the `parts` as multipart/alternative
    (plainest first, as RFC 2046 orders them), each UTF-8 in base64."""
    lines = [f"{name}: {value}" for name, value in headers]
    lines.append("MIME-Version: 1.0")
    if len(parts) == 1:
        kind, body = parts[0]
        lines += [*_part_headers(kind), "", *_base64_lines(body)]
    else:
        lines += [f'Content-Type: multipart/alternative; boundary="{boundary}"', ""]
        for kind, body in parts:
            lines += [f"--{boundary}", *_part_headers(kind), "", *_base64_lines(body)]
        lines.append(f"--{boundary}--")
    return ("\r\n".join(lines) + "\r\n").encode("ascii")


def _part_headers(kind: str) -> list[str]:
    return [f'Content-Type: {kind}; charset="utf-8"', "Content-Transfer-Encoding: base64"]


def _base64_lines(text: str) -> list[str]:
    encoded = base64.b64encode(text.replace("\r\n", "\n").replace("\n", "\r\n").encode()).decode("ascii")
    return [encoded[start:start + LINE] for start in range(0, len(encoded), LINE)]

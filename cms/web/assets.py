"""Static files named by their content, so browsers and proxies may keep them for a year.

`url_for("static", filename="css/site.css")` gives `/static/css/site.css?v=<hash of the bytes>`: a changed
file gets a new address, so a long lifetime never serves an old stylesheet.
"""

from __future__ import annotations

import hashlib
from functools import cache
from pathlib import Path
from typing import Any

from flask import Flask, Response, request

YEAR = 365 * 24 * 3600


def register(app: Flask) -> None:
    folder = Path(app.static_folder or "")

    @cache
    def digest(filename: str, modified_ns: int) -> str:
        return hashlib.blake2b((folder / filename).read_bytes(), digest_size=6).hexdigest()

    @app.url_defaults
    def add_content_hash(endpoint: str, values: dict[str, Any]) -> None:
        if endpoint != "static" or "v" in values:
            return
        path = folder / values.get("filename", "")
        if path.is_file():
            values["v"] = digest(values["filename"], path.stat().st_mtime_ns)

    @app.after_request
    def cache_static(response: Response) -> Response:
        if request.endpoint == "static" and response.status_code in (200, 304):
            if request.args.get("v"):
                response.cache_control.public = True
                response.cache_control.max_age = YEAR
                response.cache_control.immutable = True
            else:
                response.cache_control.no_cache = True
        return response

"""Error pages in the site's design, and the 301 for content that moved."""

from flask import Flask, redirect, render_template, request
from flask.typing import ResponseReturnValue
from werkzeug.exceptions import HTTPException

from cms.core import clock
from cms.core.errors import NotAllowed
from cms.services import redirects
from cms.web import params, urls


def register(app: Flask) -> None:
    app.register_error_handler(404, not_found)
    app.register_error_handler(NotAllowed, forbidden)
    app.register_error_handler(HTTPException, http_error)


def not_found(error: HTTPException) -> ResponseReturnValue:
    """Before saying 404, look up whether the path moved (changed slug, imported permalink) to live content."""
    if not params.is_printable(request.path):  # refused before any view; not worth a query either
        return http_error(error)
    now = clock.now()
    for path in dict.fromkeys((request.path, request.path.rstrip("/") or "/")):  # as asked, then without its slash
        target = redirects.live_target(path, now)
        if target is not None:
            return redirect(urls.on_site(target), code=301)
    return http_error(error)


def forbidden(error: NotAllowed) -> ResponseReturnValue:
    return render_template("errors/error.html", code=403, title="Not allowed", message=str(error)), 403


def http_error(error: HTTPException) -> ResponseReturnValue:
    # What the error says beside its page: Allow of a 405, Content-Range of a 416 (the length a player may ask).
    headers = [(name, value) for name, value in error.get_headers() if name.lower() != "content-type"]
    if request.path.startswith("/api/"):
        return {"error": error.description}, error.code or 500, headers
    return render_template("errors/error.html", code=error.code, title=error.name,
                           message=MESSAGES.get(error.code or 500, error.description)), error.code or 500, headers


MESSAGES = {
    400: "The request could not be understood. Please go back and try again.",
    403: "You do not have permission to see this page.",
    404: "There is no page at this address. It may have moved, or the link may be mistyped.",
    405: "This address does not accept that kind of request.",
    500: "Something went wrong on our side. Please try again in a moment.",
}

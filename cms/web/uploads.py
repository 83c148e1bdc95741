"""Images for articles: uploaded by anyone signed in, served to everyone as plain images."""

from pathlib import Path

from flask import Blueprint, abort, current_app, request, send_file, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user

from cms.core.errors import InvalidInput
from cms.services import uploads

bp = Blueprint("uploads", __name__)

#: An image answers as an image and nothing else: opened on its own it runs nothing and loads nothing.
IMAGE_POLICY = "default-src 'none'; img-src 'self'; style-src 'unsafe-inline'; sandbox"


def folder() -> Path:
    """Where uploads live: UPLOAD_FOLDER, else `uploads` in the instance folder (back it up with the database)."""
    return Path(current_app.config.get("UPLOAD_FOLDER") or Path(current_app.instance_path) / "uploads")


@bp.post("/uploads")
def upload() -> ResponseReturnValue:
    """Store the image in the form field `image`; answer its URL and the Markdown that shows it (JSON)."""
    if not current_user.is_authenticated:
        return {"error": "Please sign in to upload images."}, 401
    file = request.files.get("image")
    if file is None or not file.filename:
        return {"error": "Choose an image to upload."}, 400
    try:
        stored = uploads.save(file.stream, folder(), max_bytes=current_app.config["UPLOAD_MAX_BYTES"],
                              max_pixels=current_app.config["UPLOAD_MAX_PIXELS"],
                              max_animation_pixels=current_app.config["UPLOAD_MAX_ANIMATION_PIXELS"])
    except InvalidInput as error:
        return {"error": str(error)}, 400
    url = url_for("uploads.image", name=stored.name)
    return {"url": url, "markdown": f"![]({url})", "width": stored.width, "height": stored.height}, 201


@bp.get("/uploads/<name>")
def image(name: str) -> ResponseReturnValue:
    path = uploads.path_of(name, folder())
    if path is None:
        abort(404)
    response = send_file(path, mimetype=uploads.CONTENT_TYPES[path.suffix.lstrip(".")], conditional=True,
                         max_age=365 * 24 * 3600)
    response.headers["Content-Security-Policy"] = IMAGE_POLICY
    response.headers["Content-Disposition"] = f'inline; filename="{name}"'
    response.cache_control.immutable = True  # a name is never reused for other content
    response.cache_control.public = True
    return response

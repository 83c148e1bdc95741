"""Images for articles: uploaded by anyone signed in, served to everyone as plain images."""

from io import BytesIO

from flask import Blueprint, abort, current_app, request, send_file, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user

from cms.core import clock
from cms.core.errors import InvalidInput
from cms.extensions import db
from cms.models import Media
from cms.services import uploads

bp = Blueprint("uploads", __name__)

#: An image answers as an image and nothing else: opened on its own it runs nothing and loads nothing.
IMAGE_POLICY = "default-src 'none'; img-src 'self'; style-src 'unsafe-inline'; sandbox"
#: An audio or video file opened on its own plays in the browser's player, and does nothing else.
PLAYER_POLICY = "default-src 'none'; media-src 'self'; style-src 'unsafe-inline'; sandbox"
ONE_YEAR = 365 * 24 * 3600


def store(file, *, alt: str = "") -> Media:  # noqa: ANN001 - a werkzeug FileStorage
    """Store an uploaded file for the signed-in user with the app's limits; raises InvalidInput."""
    return uploads.save(file.stream, by=current_user._get_current_object(), now=clock.now(),
                        filename=file.filename or "", alt=alt,
                        max_bytes=current_app.config["UPLOAD_MAX_BYTES"],
                        max_pixels=current_app.config["UPLOAD_MAX_PIXELS"],
                        max_animation_pixels=current_app.config["UPLOAD_MAX_ANIMATION_PIXELS"])


@bp.post("/uploads")
def upload() -> ResponseReturnValue:
    """Store the image in the form field `image` (described by `alt`, if sent); answer its URL and the Markdown
    that shows it (JSON)."""
    if not current_user.is_authenticated:
        return {"error": "Please sign in to upload images."}, 401
    file = request.files.get("image")
    if file is None or not file.filename:
        return {"error": "Choose an image to upload."}, 400
    alt = request.form.get("alt", "")
    try:
        media = store(file, alt=alt)
    except InvalidInput as error:
        db.session.rollback()
        return {"error": str(error)}, 400
    db.session.commit()
    url = url_for("uploads.image", name=media.file_name)
    markdown_alt = media.alt.replace("\\", "\\\\").replace("[", "\\[").replace("]", "\\]")
    return {"url": url, "markdown": f"![{markdown_alt}]({url})", "width": media.width, "height": media.height,
            "id": media.id, "alt": media.alt}, 201


@bp.get("/uploads/<name>")
def image(name: str) -> ResponseReturnValue:
    """The original (`<key>.jpg`) or a copy at one width (`<key>-800.webp`), as a plain image; or an audio or
    video file (`<key>.mp3`). Werkzeug answers a Range request with the part asked for (206), which is how a
    player seeks, and If-None-Match / If-Modified-Since with 304."""
    found = uploads.served(name)
    if found is None:
        abort(404)
    response = send_file(BytesIO(found.data), mimetype=found.content_type, conditional=True, etag=found.etag,
                         last_modified=found.created_at, max_age=ONE_YEAR)
    is_image = found.content_type.startswith("image/")
    response.headers["Content-Security-Policy"] = IMAGE_POLICY if is_image else PLAYER_POLICY
    response.headers["Content-Disposition"] = f'inline; filename="{name}"'
    response.cache_control.immutable = True  # a name is never reused for other content
    response.cache_control.public = True
    return response

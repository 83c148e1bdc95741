"""The media screen of the back office (/admin/media/): uploads with where each is used, their descriptions,
and deleting those nothing shows. Editors and admins see every upload; authors see their own."""

from __future__ import annotations

from flask import flash, redirect, request, url_for
from flask.typing import ResponseReturnValue
from flask_admin import Admin, BaseView, expose
from flask_login import current_user
from flask_wtf import FlaskForm
from werkzeug.wrappers import Response

from cms.admin import through_service
from cms.core import media_files
from cms.extensions import db
from cms.models import Media
from cms.services import media as media_service
from cms.web import params, uploads as upload_views
from cms.web.forms import ConfirmForm

PAGE_SIZE = 30
#: The copy shown as a thumbnail.
THUMBNAIL_WIDTH = 480


class MediaView(BaseView):
    def is_accessible(self) -> bool:
        return current_user.is_authenticated

    def inaccessible_callback(self, name: str, **kwargs: object) -> Response:  # Flask-Admin's hook
        return redirect(url_for("auth.login", next=request.full_path))

    @expose("/")
    def index(self) -> ResponseReturnValue:
        page = params.number(request.args.get("page")) or 1
        by = current_user._get_current_object()
        kinds = media_service.count_visible_by_kind(by)
        total = sum(kinds.values())
        items = list(db.session.scalars(media_service.visible_to(by).limit(PAGE_SIZE)
                                        .offset((page - 1) * PAGE_SIZE)))
        rows = [_row(item) for item in items]
        return self.render("admin/media.html", rows=rows, form=ConfirmForm(), page=page, total=total,
                           counted=media_files.counted(kinds), has_next=page * PAGE_SIZE < total)

    @expose("/upload", methods=["POST"])
    def upload(self) -> ResponseReturnValue:
        """Upload without JavaScript: the file and its description, from the form above the list."""
        if not FlaskForm().validate_on_submit():
            flash("The form expired; upload the image again.", "error")
            return redirect(url_for(".index"))
        file = request.files.get("image")
        if file is None or not file.filename:
            flash("Choose an image to upload.", "error")
            return redirect(url_for(".index"))
        if through_service(lambda: upload_views.store(file, alt=request.form.get("alt", ""))) is not False:
            flash(f"Uploaded “{file.filename}”.", "success")
        return redirect(url_for(".index"))

    @expose("/<int:media_id>/alt", methods=["POST"])
    def alt(self, media_id: int) -> ResponseReturnValue:
        item = db.get_or_404(Media, media_id)
        media_service.check_may_manage(item, current_user)
        if FlaskForm().validate_on_submit() and through_service(
                lambda: media_service.set_alt(item, request.form.get("alt", ""), by=current_user)) is not False:
            flash(f"Saved the description of “{item}”.", "success")
        return redirect(url_for(".index", page=params.number(request.args.get("page")) or 1))

    @expose("/<int:media_id>/delete", methods=["POST"])
    def delete(self, media_id: int) -> ResponseReturnValue:
        item = db.get_or_404(Media, media_id)
        media_service.check_may_manage(item, current_user)
        name = str(item)
        if FlaskForm().validate_on_submit() and through_service(
                lambda: media_service.delete(item, by=current_user)) is not False:
            flash(f"Deleted “{name}”.", "success")
        return redirect(url_for(".index"))


def _row(item: Media) -> dict:
    """What the list shows of one upload: its thumbnail (an audio or video file: a player that loads nothing
    until played), description and where it is used."""
    url = url_for("uploads.image", name=item.file_name)
    if not item.is_image:
        return {"media": item, "url": url, "usage": media_service.usage(item),
                "format": media_files.BY_CONTENT_TYPE[item.content_type].name}
    full_width, full_height = item.image_size
    width = min(full_width, THUMBNAIL_WIDTH)
    return {"media": item, "url": url,
            "thumbnail": url_for("uploads.image", name=item.thumbnail_name(THUMBNAIL_WIDTH)),
            "thumb_width": width, "thumb_height": max(1, round(full_height * width / full_width)),
            "usage": media_service.usage(item)}


def register(admin: Admin) -> None:
    """Add the media screen to the back office."""
    admin.add_view(MediaView(name="Media", endpoint="media", url="media"))

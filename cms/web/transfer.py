"""Import and export in the back office, for an admin who never opens a terminal (admins only, /admin/transfer/).

An upload is checked first: the import runs and is rolled back, and the admin sees its report. Only a
confirmation writes it, running the same import again on the file kept from the check.
"""

from __future__ import annotations

import secrets
from io import BytesIO
from pathlib import Path
from typing import Any

from flask import current_app, flash, redirect, request, send_file, session, url_for
from flask.typing import ResponseReturnValue
from flask_admin import Admin, BaseView, expose
from flask_login import current_user
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from werkzeug.utils import secure_filename
from wtforms import BooleanField, HiddenField, SubmitField
from wtforms.validators import InputRequired

from cms.admin import AdminsOnly
from cms.core import clock
from cms.core.errors import CMSError
from cms.extensions import db
from cms.services import site, transfer, wordpress_images

_SESSION_KEY = "transfer_upload"
_UPLOAD_SLACK = 1024 * 1024  # the form's own bytes around the file


class UploadForm(FlaskForm):
    file = FileField("WordPress export (.xml), Markdown file (.md) or zip of Markdown files",
                     validators=[FileRequired("Choose a file to import.")])
    images = FileField("The old site’s images, audio and video (optional): a zip of its wp-content/uploads folder")
    fetch_images = BooleanField("Fetch the images, audio and video that are not in the zip from the old WordPress "
                                "site")
    submit = SubmitField("Check the import")


class ConfirmForm(FlaskForm):
    token = HiddenField(validators=[InputRequired()])
    submit = SubmitField("Import")


class TransferView(AdminsOnly, BaseView):
    @expose("/")
    def index(self) -> ResponseReturnValue:
        return self.render("transfer/index.html", form=UploadForm())

    @expose("/check", methods=["POST"])
    def check(self) -> ResponseReturnValue:
        """Run the import on the upload and roll it back, to show what it would do."""
        request.max_content_length = transfer.MAX_BYTES + wordpress_images.MAX_ZIP_BYTES + _UPLOAD_SLACK
        form = UploadForm()
        if not form.validate_on_submit():
            return self.render("transfer/index.html", form=form), 400
        _forget_upload()
        token = secrets.token_urlsafe(16)
        upload = {"token": token, "name": secure_filename(form.file.data.filename or "") or "upload",
                  "has_images": bool(form.images.data), "is_fetching": form.fetch_images.data}
        if form.images.data:  # kept on disk, not in memory: a site's images may be hundreds of megabytes
            form.images.data.save(_upload_path(token, "images"))
        data = form.file.data.read()
        report = _dry_run(data, upload)
        if report is None:
            _upload_path(token, "images").unlink(missing_ok=True)
            return self.render("transfer/index.html", form=form), 400
        _upload_path(token).write_bytes(data)
        session[_SESSION_KEY] = upload
        return self.render("transfer/check.html", name=upload["name"], lines=report.lines(),
                           form=ConfirmForm(token=token))

    @expose("/confirm", methods=["POST"])
    def confirm(self) -> ResponseReturnValue:
        """Import the file checked before, for real, in one transaction."""
        form = ConfirmForm()
        upload = session.get(_SESSION_KEY)
        if not form.validate_on_submit() or not upload or form.token.data != upload["token"]:
            flash("That import is no longer waiting; upload the file again.", "error")
            return redirect(url_for(".index"))
        try:
            report = _imported(_upload_path(upload["token"]).read_bytes(), upload)
        except CMSError as error:
            db.session.rollback()
            flash(str(error), "error")
            return redirect(url_for(".index"))
        db.session.commit()
        _forget_upload()
        flash(f"Imported {upload['name']}. " + " ".join(report.lines()), "success")
        return redirect(url_for(".index"))

    @expose("/export")
    def export(self) -> ResponseReturnValue:
        """Every article and page as Markdown with front matter, in a zip."""
        data = transfer.export_zip(zone=_zone())
        stamp = clock.to_local(clock.now(), _zone()).strftime("%Y-%m-%d")
        return send_file(BytesIO(data), mimetype="application/zip", as_attachment=True,
                         download_name=f"export-{stamp}.zip")


def register(admin: Admin) -> None:
    """Add the import and export screen to the back office."""
    admin.add_view(TransferView(name="Import and export", endpoint="transfer", url="transfer"))


def _imported(data: bytes, upload: dict[str, Any]) -> transfer.Report:
    """Run the import of `data` as `upload` describes it (its name, the images zip beside it, fetching)."""
    batch = transfer.read_bytes(data, name=upload["name"], zone=_zone())
    images = _upload_path(upload["token"], "images") if upload.get("has_images") else None
    limits = wordpress_images.Limits.from_config(current_app.config)
    with wordpress_images.finder(images, is_fetching=bool(upload.get("is_fetching")), limits=limits) as found:
        return transfer.run(batch, by=current_user._get_current_object(), now=clock.now(), images=found)


def _dry_run(data: bytes, upload: dict[str, Any]) -> transfer.Report | None:
    try:
        return _imported(data, upload)
    except CMSError as error:
        flash(str(error), "error")
        return None
    finally:
        db.session.rollback()


def _zone() -> str:
    return site.timezone(current_app.config["SITE_TIMEZONE"])


def _upload_path(token: str, part: str = "upload") -> Path:
    folder = Path(current_app.config.get("IMPORT_FOLDER") or Path(current_app.instance_path) / "imports")
    folder.mkdir(parents=True, exist_ok=True)
    return folder / f"{secure_filename(token)}.{part}"


def _forget_upload() -> None:
    upload = session.pop(_SESSION_KEY, None)
    if upload:
        _upload_path(upload["token"]).unlink(missing_ok=True)
        _upload_path(upload["token"], "images").unlink(missing_ok=True)

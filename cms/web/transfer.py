"""Import and export in the back office, for an admin who never opens a terminal (admins only, /admin/transfer/).

An upload is checked first: the import runs and is rolled back, and the admin sees its report. Only a
confirmation writes it, running the same import again on the file kept from the check.
"""

from __future__ import annotations

import secrets
from io import BytesIO
from pathlib import Path

from flask import current_app, flash, redirect, request, send_file, session, url_for
from flask.typing import ResponseReturnValue
from flask_admin import Admin, BaseView, expose
from flask_login import current_user
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from werkzeug.utils import secure_filename
from wtforms import HiddenField, SubmitField
from wtforms.validators import InputRequired

from cms.admin import AdminsOnly
from cms.core import clock
from cms.core.errors import CMSError
from cms.extensions import db
from cms.services import site, transfer

_SESSION_KEY = "transfer_upload"
_UPLOAD_SLACK = 1024 * 1024  # the form's own bytes around the file


class UploadForm(FlaskForm):
    file = FileField("WordPress export (.xml), Markdown file (.md) or zip of Markdown files",
                     validators=[FileRequired("Choose a file to import.")])
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
        request.max_content_length = transfer.MAX_BYTES + _UPLOAD_SLACK
        form = UploadForm()
        if not form.validate_on_submit():
            return self.render("transfer/index.html", form=form), 400
        name = secure_filename(form.file.data.filename or "") or "upload"
        data = form.file.data.read()
        report = _dry_run(data, name)
        if report is None:
            return self.render("transfer/index.html", form=form), 400
        _forget_upload()
        token = secrets.token_urlsafe(16)
        _upload_path(token).write_bytes(data)
        session[_SESSION_KEY] = {"token": token, "name": name}
        return self.render("transfer/check.html", name=name, lines=report.lines(), form=ConfirmForm(token=token))

    @expose("/confirm", methods=["POST"])
    def confirm(self) -> ResponseReturnValue:
        """Import the file checked before, for real, in one transaction."""
        form = ConfirmForm()
        upload = session.get(_SESSION_KEY)
        if not form.validate_on_submit() or not upload or form.token.data != upload["token"]:
            flash("That import is no longer waiting; upload the file again.", "error")
            return redirect(url_for(".index"))
        path = _upload_path(upload["token"])
        try:
            batch = transfer.read_bytes(path.read_bytes(), name=upload["name"], zone=_zone())
            report = transfer.run(batch, by=current_user._get_current_object(), now=clock.now())
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


def _dry_run(data: bytes, name: str) -> transfer.Report | None:
    try:
        batch = transfer.read_bytes(data, name=name, zone=_zone())
        return transfer.run(batch, by=current_user._get_current_object(), now=clock.now())
    except CMSError as error:
        flash(str(error), "error")
        return None
    finally:
        db.session.rollback()


def _zone() -> str:
    return site.timezone(current_app.config["SITE_TIMEZONE"])


def _upload_path(token: str) -> Path:
    folder = Path(current_app.config.get("IMPORT_FOLDER") or Path(current_app.instance_path) / "imports")
    folder.mkdir(parents=True, exist_ok=True)
    return folder / f"{secure_filename(token)}.upload"


def _forget_upload() -> None:
    upload = session.pop(_SESSION_KEY, None)
    if upload:
        _upload_path(upload["token"]).unlink(missing_ok=True)

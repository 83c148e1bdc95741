"""The writing screen of pages (About, Fees, Contact): the article's screen, editor, preview and history, with a
page's own fields. Editors and admins write pages."""

from __future__ import annotations

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user

from cms.core import clock, workflow
from cms.core.errors import EditConflict, InvalidInput, NotAllowed
from cms.extensions import db, login_manager
from cms.models import Page
from cms.services import pages
from cms.web import writing
from cms.web.forms import PageForm

bp = Blueprint("page_writing", __name__, url_prefix="/admin/pages")


@bp.before_request
def require_an_editor() -> ResponseReturnValue | None:
    if not current_user.is_authenticated:
        return login_manager.unauthorized()
    if not workflow.may_edit_any(current_user.role):
        raise NotAllowed("Your role does not include this part of the back office.")
    return None


@bp.route("/write", methods=["GET", "POST"])
def new() -> ResponseReturnValue:
    form = PageForm()
    if request.method == "POST":
        return _save(None, form)
    return _writing_screen(None, form)


@bp.route("/<int:page_id>/edit", methods=["GET", "POST"])
def edit(page_id: int) -> ResponseReturnValue:
    page = db.get_or_404(Page, page_id)
    if request.method == "POST":
        return _save(page, PageForm())
    return _writing_screen(page, PageForm(data={"title": page.title, "slug": page.slug, "body_source": page.body_source,
                                                "is_published": page.is_published, "menu_order": page.menu_order,
                                                "version": str(page.version)}))


def _save(page: Page | None, form: PageForm) -> ResponseReturnValue:
    """Save the form through `pages.save`; a refusal lands on its field, and the text stays in the form."""
    if not form.validate():
        return _writing_screen(page, form, status=422)
    try:
        saved = pages.save(page, title=form.title.data or "", body_source=form.body_source.data or "",
                           slug=form.slug.data or "", is_published=bool(form.is_published.data),
                           menu_order=form.menu_order.data, by=current_user, now=clock.now(),
                           based_on_version=_version(form) if page is not None else None)
        db.session.commit()
    except EditConflict as conflict:
        db.session.rollback()
        flash(str(conflict), "error")
        form.version.data = str(page.version if page else "")  # saving again now replaces theirs, knowingly
        return _writing_screen(page, form, status=409)
    except InvalidInput as error:
        db.session.rollback()
        field = getattr(form, error.field or "", None)
        if field is not None:
            field.errors = [*field.errors, str(error)]
        else:
            flash(str(error), "error")
        return _writing_screen(page, form, status=422)
    flash(f"Saved “{saved.title}”." + ("" if saved.is_published else " Readers cannot see it until it is published."),
          "success")
    return redirect(url_for("page_writing.edit", page_id=saved.id))


def _version(form: PageForm) -> int:
    try:
        return int(form.version.data or "")
    except (TypeError, ValueError):
        abort(400)


def _writing_screen(page: Page | None, form: PageForm, *, status: int = 200) -> ResponseReturnValue:
    if page is not None and form.version.data in (None, ""):
        form.version.data = str(page.version)
    return render_template(
        "authoring/page.html", form=form, page=page, may_edit=True, noun="page",
        heading=page.title if page else "New page",
        form_action=url_for("page_writing.edit", page_id=page.id) if page else url_for("page_writing.new"),
        error_summary=writing.error_summary(form), preview_html=writing.preview_html(page, form.body_source.data or ""),
        compare_url=None,
    ), status


@bp.get("/<int:page_id>/preview")
def preview(page_id: int) -> ResponseReturnValue:
    """The page as readers see it (or will, once published); never cached."""
    page = db.get_or_404(Page, page_id)
    if not page.is_published:
        flash("Preview: readers cannot see this page until it is published.", "preview")
    response = current_app.make_response(render_template("public/page.html", page=page))
    response.headers["Cache-Control"] = "private, no-store"
    return response


@bp.get("/<int:page_id>/history")
def history(page_id: int) -> ResponseReturnValue:
    page = db.get_or_404(Page, page_id)
    return writing.history(page, "page", _links(page), may_edit=True)


@bp.get("/<int:page_id>/compare")
def compare(page_id: int) -> ResponseReturnValue:
    page = db.get_or_404(Page, page_id)
    return writing.compare(page, _links(page), request.args.get("old", ""), request.args.get("new", ""))


@bp.post("/<int:page_id>/revisions/<int:revision_id>/restore")
def restore(page_id: int, revision_id: int) -> ResponseReturnValue:
    page = db.get_or_404(Page, page_id)
    return writing.restore(page, revision_id,
                           lambda revision: pages.restore(page, revision, by=current_user, now=clock.now()),
                           url_for("page_writing.edit", page_id=page.id))


def _links(page: Page) -> writing.Links:
    return writing.Links(
        edit=url_for("page_writing.edit", page_id=page.id), history=url_for("page_writing.history", page_id=page.id),
        compare=url_for("page_writing.compare", page_id=page.id),
        restore=lambda revision_id: url_for("page_writing.restore", page_id=page.id, revision_id=revision_id))

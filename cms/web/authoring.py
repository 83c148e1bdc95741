"""The writing screen and what can be done to one article: save, move, preview, history, restore, related."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import datetime

from flask import Blueprint, abort, current_app, flash, jsonify, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user
from sqlalchemy.orm import joinedload
from sqlalchemy.orm.exc import StaleDataError
from wtforms import Field

from cms.core import clock, series as series_rules, workflow, zones
from cms.core.errors import EditConflict, InvalidInput, NotAllowed, TransitionError
from cms.core.visibility import is_live, shown_status
from cms.core.workflow import Status
from cms.extensions import db, login_manager
from cms.models import Article, Autosave, PreviewToken, Revision, Series
from cms.services import articles, media, reader, related, series as series_service, tags
from cms.web import edit_merge, params, public, writing
from cms.web.forms import ArticleForm, ConfirmForm
from cms.web.templating import local_time, show_settings_as_kept, shown_settings, site_zone

bp = Blueprint("authoring", __name__, url_prefix="/admin/articles")
preview_bp = Blueprint("preview", __name__)

SAVE = "save"


@bp.before_request
def require_sign_in() -> ResponseReturnValue | None:
    if not current_user.is_authenticated:
        return login_manager.unauthorized()
    if request.method == "GET":  # a screen only shows the settings; a save reads them as its transaction sees them
        show_settings_as_kept()
    return None


@bp.route("/write", methods=["GET", "POST"])
def new() -> ResponseReturnValue:
    form = ArticleForm()
    if request.method == "POST":
        return _save(None, form)
    offered = articles.pending_autosave(None, by=current_user)
    if offered is not None and request.args.get("restore") == "autosave":
        _fill_from_autosave(form, offered)
        offered = None
    return _writing_screen(None, form, offered=offered)


@bp.route("/<int:article_id>/edit", methods=["GET", "POST"])
def edit(article_id: int) -> ResponseReturnValue:
    # The form shows its tags and series: loaded with it, one query.
    article = db.get_or_404(Article, article_id, options=[joinedload(Article.tags), joinedload(Article.series)])
    articles.check_may_see(article, current_user)
    if request.method == "POST":
        articles.check_may_edit(article, current_user)
        return _save_edit(article)
    form = ArticleForm(data=_form_data(article))
    offered = articles.pending_autosave(article, by=current_user)
    if offered is not None and request.args.get("restore") == "autosave":
        _fill_from_autosave(form, offered)
        offered = None
    return _writing_screen(article, form, offered=offered)


def _save_edit(article: Article) -> ResponseReturnValue:
    """Save the writing screen; a form loaded before another save is merged with it, or comes back with the
    places both changed, side by side."""
    outcome = edit_merge.prepare(article, request.form, _form_values(article))
    if outcome.problem:
        flash(outcome.problem, "error")
        panel = edit_merge.Panel(base=request.form.get(edit_merge.BASE, ""), conflicts=outcome.conflicts,
                                 theirs_by=request.form.get("conflict-by", ""), choices=edit_merge.chosen(request.form))
        return _writing_screen(article, ArticleForm(formdata=outcome.formdata), status=422, merge=panel)
    if outcome.conflicts:
        now = clock.now()
        data, _ = _read(article, ArticleForm())
        articles.keep_conflicting(article, data, by=current_user, now=now)  # her text, whatever she picks next
        db.session.commit()
        flash(edit_merge.conflict_message(outcome.saved, by=current_user, now=now), "error")
        panel = edit_merge.Panel(base=edit_merge.snapshot(article, _form_values(article)), conflicts=outcome.conflicts,
                                 theirs_by=edit_merge.theirs_by(outcome.saved, by=current_user))
        return _writing_screen(article, ArticleForm(formdata=outcome.formdata), status=409, merge=panel,
                               compare_url=_compare_kept_url(article))
    return _save(article, ArticleForm(formdata=outcome.formdata), formdata=outcome.formdata,
                 merged_with=outcome.saved)


def _save(article: Article | None, form: ArticleForm, *, formdata: Mapping[str, str] | None = None,
          merged_with: Sequence[Revision] = ()) -> ResponseReturnValue:
    """Apply the form, then the move its button asked for; all or nothing, except a refused stale edit."""
    formdata = request.form if formdata is None else formdata
    target, is_new = _target(), article is None
    data, publish_at = _read(article, form)
    is_move_refused = False
    if target is not None:  # a move the role may not make is a 403 before any work
        try:
            workflow.check_transition(article.status if article else Status.DRAFT, target, current_user.role)
        except TransitionError as error:
            flash(str(error), "error")
            is_move_refused = True
    if form.errors or is_move_refused:
        db.session.rollback()  # a series created for this save goes with it
        return _writing_screen(article, form, status=422)
    now = clock.now()
    try:
        if article is None:
            article = articles.create(data, by=current_user, now=now)
        else:
            articles.update(article, data, by=current_user, now=now, based_on_version=_version(form))
        if "featured_media_id" in formdata:
            media.set_featured(article, params.number(formdata.get("featured_media_id", "")), by=current_user,
                               now=now)
        _move(article, target, publish_at, now)
        articles.discard_autosave(None if is_new else article, by=current_user)
        # What the answer says, read before the commit expires the article: no query to load it again.
        article_id, saved = article.id, _saved_message(article, target)
        created_series = article.series.title if (form.new_series.data or "").strip() and article.series else None
        db.session.commit()
    except EditConflict as conflict:
        if article is None:  # only a saved article has a version to be stale against
            raise
        db.session.commit()  # the refused text is kept as a revision
        return _conflict(article, form, conflict)
    except StaleDataError:  # someone saved between our read and our write
        if article is None:
            raise
        db.session.rollback()
        article = db.get_or_404(Article, article.id)  # deleted meanwhile: gone, as for any other visit
        kept = articles.keep_conflicting(article, data, by=current_user, now=now)
        db.session.commit()
        return _conflict(article, form, kept)
    except (InvalidInput, TransitionError) as error:
        db.session.rollback()
        _show_error(form, error)
        return _writing_screen(None if is_new else article, form, status=422)
    if created_series is not None:
        flash(f"The series “{created_series}” is created.", "success")
    flash(saved, "success")
    if merged_with:
        flash(edit_merge.merged_message(merged_with, by=current_user, now=now), "success")
    if target in (Status.SCHEDULED, Status.PUBLISHED):
        for name in media.missing_alt(article):
            flash(f"The image “{name}” has no description (alt text): readers who cannot see it will miss "
                  "it; add one.", "warning")
    return redirect(url_for("authoring.edit", article_id=article_id))


def _target() -> Status | None:
    action = request.form.get("action", SAVE)
    if action == SAVE:
        return None
    try:
        return Status(action)
    except ValueError:
        abort(400)


def _read(article: Article | None, form: ArticleForm) -> tuple[articles.ArticleInput, datetime | None]:
    """Return what the form says, collecting every refusal on its field (the form keeps what was typed)."""
    form.validate()
    series = _chosen_series(form)
    data = articles.ArticleInput(
        title=form.title.data or "", body_source=form.body_source.data or "", summary=form.summary.data or "",
        description=form.description.data or "", slug=form.slug.data or "",
        tags=tags.parse(form.tags.data or ""), series=series, series_part=form.series_part.data,
        is_autolink_enabled=form.is_autolink_enabled.data)
    for problem in articles.check_input(article, data, by=current_user):
        field = getattr(form, problem.field or "", None)
        if field is not None and not field.errors and not (problem.field == "series_part" and form.series.errors):
            field.errors.append(str(problem))
    typed = None if form.publish_at.errors else form.publish_at.data  # out of range: not convertible
    publish_at = clock.to_utc(typed, site_zone()) if typed is not None else None
    return data, publish_at


def _chosen_series(form: ArticleForm) -> Series | None:
    """The series named, or the new one asked for (created here, so the part number can be checked against it;
    a refused save rolls it back). A refusal lands on its field and gives None."""
    choice, title = (form.series.data or "").strip(), (form.new_series.data or "").strip()
    if form.series.errors or form.new_series.errors:  # too long to be a name
        return None
    if title and choice:
        _refuse(form.new_series, "Choose a series or name a new one, not both.")
    elif title:
        return _new_series(form, title)
    elif choice:
        series = series_service.find(choice)
        if series is None:
            _refuse(form.series, f"There is no series called “{choice}”; " + (
                "to start it, give its name under “Or create a new series”." if workflow.may_edit_any(
                    current_user.role) else "choose one from the list, or ask an editor to add it."))
        return series
    return None


def _refuse(field: Field, message: str) -> None:
    """Add `message` to the field's errors (the stubs call them a Sequence; after validation they are a list)."""
    field.errors = [*field.errors, message]


def _new_series(form: ArticleForm, title: str) -> Series | None:
    if not workflow.may_edit_any(current_user.role):
        _refuse(form.new_series, "Only an editor or an admin can create a series; choose one under Series.")
        return None
    existing = series_service.find(title)
    if existing is not None:
        _refuse(form.new_series, f"There is already a series called “{existing.title}”; choose it under Series.")
        return None
    return series_service.create(title)


def _move(article: Article, target: Status | None, publish_at: datetime | None, now: datetime) -> None:
    """A typed time is a plan (draft, review) or a reschedule; a button moves the article."""
    if target is Status.SCHEDULED:
        articles.change_status(article, target, by=current_user, now=now, publish_at=publish_at)
        return
    if target is not None:
        articles.change_status(article, target, by=current_user, now=now)
    if target in (None, Status.DRAFT, Status.REVIEW):
        articles.set_publish_at(article, publish_at, by=current_user, now=now)


def _version(form: ArticleForm) -> int:
    try:
        return int(form.version.data or "")
    except (TypeError, ValueError):
        abort(400)


def _conflict(article: Article, form: ArticleForm, conflict: EditConflict) -> ResponseReturnValue:
    flash(str(conflict), "error")
    form.version.data = str(article.version)  # saving again now replaces theirs, knowingly
    return _writing_screen(article, form, status=409, compare_url=_compare_kept_url(article))


def _compare_kept_url(article: Article) -> str:
    """The comparison of the last saved text with hers, just kept as not applied."""
    return url_for("authoring.compare", article_id=article.id, old=articles.last_revision_id(article),
                   new=articles.last_revision_id(article, kept_too=True))


def _show_error(form: ArticleForm, error: Exception) -> None:
    field = getattr(form, getattr(error, "field", None) or "", None)
    if field is not None:
        field.errors.append(str(error))
    else:
        flash(str(error), "error")


def _saved_message(article: Article, target: Status | None) -> str:
    if target is Status.SCHEDULED:
        return f"“{article.title}” is scheduled for {local_time(article.publish_at, 'datetime')}."
    if target is not None:
        return f"“{article.title}” is now {article.status}."
    return f"“{article.title}” is saved."


def _writing_screen(article: Article | None, form: ArticleForm, *, offered: Autosave | None = None,
                    status: int = 200, compare_url: str | None = None,
                    merge: edit_merge.Panel | None = None) -> ResponseReturnValue:
    role, now = current_user.role, clock.now()
    may_edit = article is None or _may_edit(article)
    stored = article.status if article else Status.DRAFT
    shown = shown_status(stored, article.publish_at, now) if article else Status.DRAFT
    # what the shown status offers, and the stored one permits: a live article is never rescheduled
    moves = [target for target in workflow.moves(shown, role) if target in workflow.moves(stored, role)] \
        if may_edit else []
    if article is not None and form.version.data in (None, ""):
        form.version.data = str(article.version)
    if article is not None and merge is None:  # a form showing an older version keeps the base it began from
        is_current = form.version.data == str(article.version)
        merge = edit_merge.Panel(base=edit_merge.snapshot(article, _form_values(article)) if is_current
                                 else request.form.get(edit_merge.BASE, ""))
    series_titles, is_every_series = series_service.suggested()
    explanations = related.explain(article, now, shown_settings()) if article else []
    return render_template(
        "authoring/edit.html", form=form, article=article, may_edit=may_edit,
        save_label="Save draft" if shown in (Status.DRAFT, Status.REVIEW) else "Save changes",
        noun="article", heading=article.title if article else "New article",
        form_action=url_for("authoring.edit", article_id=article.id) if article else url_for("authoring.new"),
        error_summary=writing.error_summary(form),
        preview_html=writing.preview_html(article, form.body_source.data or ""),
        shown_status=shown, is_live=article is not None and is_live(article.status, article.publish_at, now),
        moves=[(target, _button_label(shown, target)) for target in moves],
        offered=offered, compare_url=compare_url, site_city=zones.city(site_zone()), merge=merge,
        numbering=_numbering(article, now), may_create_series=workflow.may_edit_any(role),
        series_titles=series_titles, is_every_series=is_every_series,
        tag_names=tags.names_offered_to(current_user, now),
        preview_links=articles.preview_links(article) if article else [],
        confirm=ConfirmForm(),
        related_waiting=related.is_queued(article) if article else False,
        related_shown=[e for e in explanations if e.is_shown],
        related_chosen=[e for e in explanations if e.is_pinned or e.is_excluded],
        related_others=[e for e in explanations if e.is_live and not (e.is_shown or e.is_pinned or e.is_excluded)],
        link_suggestions=related.link_suggestions(article, now) if article else [],
        featured_choices=media.featured_choices(current_user, article),
    ), status


def _numbering(article: Article | None, now: datetime) -> str | None:
    """Why readers' "Part k of n" differs from the part number in the form, if it does."""
    if article is None or article.series_id is None or article.series_part is None:
        return None
    parts = reader.numbered_parts([article.series_id])[article.series_id]
    return series_rules.numbering_note(parts, article.slug, now, site_zone())


def _button_label(shown: Status, target: Status) -> str:
    if shown is Status.SCHEDULED and target is Status.SCHEDULED:
        return "Reschedule"
    return workflow.ACTIONS[target]


def _may_edit(article: Article) -> bool:
    try:
        articles.check_may_edit(article, current_user)
    except NotAllowed:
        return False
    return True


def _form_data(article: Article) -> dict:
    local = clock.to_local(article.publish_at, site_zone()).replace(tzinfo=None) if article.publish_at else None
    return {
        "title": article.title, "slug": article.slug, "body_source": article.body_source,
        "summary": article.summary, "description": article.description,
        "tags": ", ".join(tag.name for tag in article.tags),
        "series": article.series.title if article.series else "", "series_part": article.series_part,
        "publish_at": local, "is_autolink_enabled": article.is_autolink_enabled, "version": str(article.version),
    }


def _form_values(article: Article) -> dict[str, str]:
    """The article's fields as a freshly loaded writing screen posts them: what a merge compares."""
    form = ArticleForm(formdata=None, data=_form_data(article))
    values = {field.name: _posted_value(field) for field in form if field.name not in edit_merge.NOT_MERGED}
    values["featured_media_id"] = str(article.featured_media_id or "")
    return values


def _posted_value(field: Field) -> str:
    """What a browser posts for `field` as loaded: checkboxes "y" or nothing, selects their value, text as shown."""
    if field.type == "BooleanField":
        return "y" if field.data else ""
    if field.type == "SelectField":
        return str(field.data or "")
    return str(field._value())  # type: ignore[attr-defined]  # WTForms' shown-text hook, left out of its stubs


def _fill_from_autosave(form: ArticleForm, offered: Autosave) -> None:
    form.title.data, form.summary.data, form.body_source.data = offered.title, offered.summary, offered.body_source
    flash("Your autosaved text is back in the form. Save it to keep it.", "success")


@bp.post("/render")
def render() -> ResponseReturnValue:
    """The live preview: the body through the same pipeline readers get."""
    try:
        return jsonify(html=media.render_body(request.form.get("body_source", "")))
    except InvalidInput as error:
        return jsonify(error=str(error)), 400


@bp.get("/series-titles")
def series_titles() -> ResponseReturnValue:
    """The series whose titles contain what she typed in the writing screen's Series field, for its list."""
    return jsonify(titles=series_service.titles(matching=request.args.get("q", ""), limit=series_service.SUGGESTED))


@bp.post("/autosave")
def autosave() -> ResponseReturnValue:
    article_id = request.form.get("article_id", "")
    article = db.get_or_404(Article, params.number(article_id) or 0) if article_id else None
    try:
        slot = articles.autosave(article, by=current_user, now=clock.now(), title=request.form.get("title", ""),
                                 summary=request.form.get("summary", ""),
                                 body_source=request.form.get("body_source", ""))
    except InvalidInput as error:
        return jsonify(error=str(error)), 400
    db.session.commit()
    return jsonify(saved_at=local_time(slot.saved_at, "datetime"))


@bp.post("/autosave/discard")
def discard_autosave() -> ResponseReturnValue:
    article_id = request.form.get("article_id", "")
    article = db.get_or_404(Article, params.number(article_id) or 0) if article_id else None
    articles.discard_autosave(article, by=current_user)
    db.session.commit()
    flash("The autosaved text is discarded.", "success")
    return redirect(url_for("authoring.edit", article_id=article.id) if article else url_for("authoring.new"))


@bp.get("/<int:article_id>/preview")
def preview(article_id: int) -> ResponseReturnValue:
    article = db.get_or_404(Article, article_id)
    articles.check_may_see(article, current_user)
    return _as_readers_see(article)


@bp.get("/<int:article_id>/history")
def history(article_id: int) -> ResponseReturnValue:
    article = db.get_or_404(Article, article_id)
    articles.check_may_see(article, current_user)
    return writing.history(article, "article", _links(article), may_edit=_may_edit(article))


@bp.get("/<int:article_id>/compare")
def compare(article_id: int) -> ResponseReturnValue:
    article = db.get_or_404(Article, article_id)
    articles.check_may_see(article, current_user)
    return writing.compare(article, _links(article), request.args.get("old", ""), request.args.get("new", ""))


def _links(article: Article) -> writing.Links:
    return writing.Links(
        edit=url_for("authoring.edit", article_id=article.id),
        history=url_for("authoring.history", article_id=article.id),
        compare=url_for("authoring.compare", article_id=article.id),
        restore=lambda revision_id: url_for("authoring.restore", article_id=article.id, revision_id=revision_id))


@bp.post("/<int:article_id>/revisions/<int:revision_id>/restore")
def restore(article_id: int, revision_id: int) -> ResponseReturnValue:
    article = db.get_or_404(Article, article_id)
    return writing.restore(article, revision_id,
                           lambda revision: articles.restore(article, revision, by=current_user, now=clock.now()),
                           url_for("authoring.edit", article_id=article.id))


@bp.post("/<int:article_id>/preview-links")
def create_preview_link(article_id: int) -> ResponseReturnValue:
    article = db.get_or_404(Article, article_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    articles.create_preview_link(article, by=current_user, now=clock.now())
    db.session.commit()
    flash("A private preview link is ready; anyone with it can read this article until you revoke it.",
          "success")
    return redirect(url_for("authoring.edit", article_id=article.id) + "#preview-links")


@bp.post("/<int:article_id>/preview-links/<int:link_id>/revoke")
def revoke_preview_link(article_id: int, link_id: int) -> ResponseReturnValue:
    link = db.get_or_404(PreviewToken, link_id)
    if link.article_id != article_id:
        abort(404)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    articles.revoke_preview_link(link, by=current_user, now=clock.now())
    db.session.commit()
    flash("The preview link is revoked; it shows nothing now.", "success")
    return redirect(url_for("authoring.edit", article_id=article_id) + "#preview-links")


@bp.post("/<int:article_id>/related/<int:other_id>/pin")
def pin_related(article_id: int, other_id: int) -> ResponseReturnValue:
    return _choose_related(article_id, other_id, related.pin,
                           "“{title}” is pinned: readers see it first among the related articles.")


@bp.post("/<int:article_id>/related/<int:other_id>/exclude")
def exclude_related(article_id: int, other_id: int) -> ResponseReturnValue:
    return _choose_related(article_id, other_id, related.exclude,
                           "“{title}” is excluded: readers never see it among the related articles.")


@bp.post("/<int:article_id>/related/<int:other_id>/release")
def release_related(article_id: int, other_id: int) -> ResponseReturnValue:
    return _choose_related(article_id, other_id, related.release,
                           "“{title}” is released: the computed score decides again whether readers see it.")


def _choose_related(article_id: int, other_id: int, choose: Callable[[Article, Article], object],
                    message: str) -> ResponseReturnValue:
    """Pin, exclude or release `other` among the article's related articles; whoever may edit it may."""
    article = db.get_or_404(Article, article_id)
    other = db.get_or_404(Article, other_id)
    articles.check_may_edit(article, current_user)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    try:
        choose(article, other)
    except InvalidInput as error:
        db.session.rollback()
        flash(str(error), "error")
    else:
        db.session.commit()
        flash(message.format(title=other.title), "success")
    return redirect(url_for("authoring.edit", article_id=article.id) + "#related")


@preview_bp.get("/preview/<token>")
def shared(token: str) -> ResponseReturnValue:
    """A private preview link: the article as readers will see it, for someone without an account."""
    article = articles.find_by_preview_token(token) or abort(404)
    response = current_app.make_response(_as_readers_see(article))
    response.headers["X-Robots-Tag"] = "noindex, nofollow"
    response.headers["Referrer-Policy"] = "no-referrer"  # the token must not leak to sites it links to
    return response


def _as_readers_see(article: Article) -> ResponseReturnValue:
    """The public article template with the context the public view gives it; nothing is cached."""
    now = clock.now()
    if not is_live(article.status, article.publish_at, now):
        flash("Preview: readers cannot see this article yet.", "preview")
    response = current_app.make_response(public.render_article(article, now, is_preview=True))
    response.headers["Cache-Control"] = "private, no-store"
    return response


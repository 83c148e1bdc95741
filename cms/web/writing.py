"""What the writing screens of articles and pages share: the error summary, the preview of the text in the form,
and the history of revisions with its comparisons (templates authoring/_writing.html, history.html, compare.html)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from flask import abort, flash, redirect, render_template
from flask.typing import ResponseReturnValue
from flask_wtf import FlaskForm

from cms.core.errors import InvalidInput
from cms.extensions import db
from cms.models import Article, Page, Revision
from cms.services import media, revisions
from cms.web import params
from cms.web.forms import ConfirmForm


@dataclass(frozen=True)
class Links:
    """Where the history of one article or page leads."""

    edit: str
    history: str
    compare: str
    restore: Callable[[int], str]  # a revision's id -> the address that restores it


def error_summary(form: FlaskForm) -> list[tuple[str | None, str]]:
    """Each refusal as (the id of its field, or None for a hidden one, message), in the form's order."""
    return [(None if field.type in ("HiddenField", "CSRFTokenField") else field.id, message)
            for field in form if field.errors for message in field.errors[:1]]


def preview_html(saved: Article | Page | None, source: str) -> str:
    """The preview of `source`, the text in the form: the saved HTML when unchanged, else rendered now, so a refused
    save or a restored autosave does not show an empty or stale preview."""
    if saved is not None and source == saved.body_source:
        return saved.body_html
    try:
        return media.render_body(source)
    except InvalidInput:  # a body over the limits; its own error says so
        return ""


def history(item: Article | Page, noun: str, links: Links, *, may_edit: bool) -> str:
    """The history page of `item`: its revisions, numbered, to compare and restore."""
    return render_template("authoring/history.html", item=item, noun=noun, links=links, confirm=ConfirmForm(),
                           may_edit=may_edit, numbered=list(enumerate(item.revisions, start=1)))


def compare(item: Article | Page, links: Links, old_id: str, new_id: str) -> str:
    """The comparison of two revisions of `item` given by id; 404 if either is not one of its revisions."""
    old, new = revision_of(item, old_id), revision_of(item, new_id)
    return render_template("authoring/compare.html", item=item, links=links, old=old, new=new,
                           old_number=revisions.number(old), new_number=revisions.number(new),
                           fields=revisions.compare(old, new))


def restore(item: Article | Page, revision_id: int, apply: Callable[[Revision], object],
            back_to: str) -> ResponseReturnValue:
    """Bring back revision `revision_id` of `item` through `apply` (its service's restore), commit, and return to
    `back_to`; 404 if the revision is not one of its own."""
    revision = revision_of(item, str(revision_id))
    if not ConfirmForm().validate_on_submit():
        abort(400)
    number = revisions.number(revision)
    apply(revision)
    db.session.commit()
    flash(f"Revision {number} is restored; the text it replaced stays in the history.", "success")
    return redirect(back_to)


def revision_of(item: Article | Page, ident: str) -> Revision:
    """The revision of `item` with id `ident`; 404 if there is none."""
    number = params.number(ident)
    revision = db.session.get(Revision, number) if number is not None else None
    if revision is None or revision.owner is not item:
        abort(404)
    return revision

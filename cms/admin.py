"""The back office at /admin/: Flask-Admin, built afresh for every app.

Flask-Admin lists and filters; every change that the workflow or a public address depends on goes through a
service (the writing screen in `web.authoring`, `tags.rename`, `pages.save` …), so a rule holds whichever
door is used. Status, publish times and part numbers never appear in a Flask-Admin form.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from enum import Enum
from typing import Any

from flask import (
    Flask,
    Response,
    abort,
    after_this_request,
    before_render_template,
    current_app,
    flash,
    g,
    redirect,
    request,
    session,
    url_for,
)
from flask.typing import ResponseReturnValue
from flask_admin import Admin, AdminIndexView, BaseView, expose
from flask_admin.contrib.sqla import ModelView
from flask_admin.contrib.sqla.filters import FilterEqual
from flask_admin.menu import MenuView
from flask_admin.model import typefmt
from flask_admin.theme import Bootstrap4Theme
from flask_login import current_user
from flask_wtf import FlaskForm
from markupsafe import Markup
from sqlalchemy import select
from wtforms import FileField, PasswordField, RadioField, SelectField, StringField, TextAreaField
from wtforms.validators import InputRequired, NumberRange

from cms.core import clock, workflow, zones
from cms.core.documents import plural
from cms.core.errors import CMSError, InvalidInput, NotAllowed
from cms.core.series import MAX_PART
from cms.core.visibility import shown_status
from cms.core.workflow import Role, Status
from cms.extensions import db
from cms.models import Article, Page, Series, SiteSettings, Tag, User
from cms.services import articles, media, reader, series as series_service, site, tags, timezones, users
from cms.web import params, public, security, uploads as upload_views
from cms.web.auth import same_site_path
from cms.web.forms import ConfirmForm, TagMergeForm
from cms.web.templating import local_time, site_zone


class SignedInOnly:
    """Mixed into every back-office view: readers are sent to sign in, the wrong role gets a 403."""

    roles: frozenset[Role] = workflow.EVERYONE

    def is_accessible(self) -> bool:
        return current_user.is_authenticated and current_user.role in self.roles

    def inaccessible_callback(self, name: str, **kwargs: Any):  # noqa: ANN201 - Flask-Admin's hook
        if current_user.is_authenticated:
            raise NotAllowed("Your role does not include this part of the back office.")
        return redirect(url_for("auth.login", next=request.full_path))

    def _handle_view(self, name: str, **kwargs: Any) -> ResponseReturnValue | None:
        """Before any back-office view: refuse a return address (`url`) that leads off the site.

        Flask-Admin redirects to `url` after saving, deleting or refusing, and its own check lets
        `http:evil.example` through; no view ever sees a `url` that `same_site_path` refuses.
        """
        target = request.values.get("url")
        if target is not None and same_site_path(target) is None:
            if request.method in ("GET", "HEAD"):
                kept: dict[str, Any] = {key: request.args.getlist(key) for key in request.args if key != "url"}
                return redirect(url_for(request.endpoint or "admin.index", **(request.view_args or {}), **kept))
            abort(400, "The return address is not on this site.")
        return super()._handle_view(name, **kwargs)  # type: ignore[misc]  # Flask-Admin's BaseView, mixed in


class EditorsOnly(SignedInOnly):
    roles = workflow.EDITORS


class AdminsOnly(SignedInOnly):
    roles = frozenset({Role.ADMIN})


class DashboardView(SignedInOnly, AdminIndexView):
    @expose("/")
    def index(self):  # noqa: ANN201 - Flask-Admin's hook
        zone = site_zone()
        now = clock.now()
        month = params.month(request.args.get("month")) or clock.to_local(now, zone).date().replace(day=1)
        return self.render(
            "admin/dashboard.html",
            drafts=articles.with_status(Status.DRAFT, by=current_user),
            in_review=articles.with_status(Status.REVIEW, by=current_user),
            upcoming=articles.upcoming(now, by=current_user),
            weeks=articles.month_calendar(month.year, month.month, zone, by=current_user, now=now),
            month=month, previous_month=_shift(month, -1), next_month=_shift(month, 1), site_city=zones.city(zone),
        )


def _shift(month: date, months: int) -> date:
    index = month.year * 12 + month.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


class AdminForm(FlaskForm):
    """Flask-WTF's form (the app's CSRF token, which CSRFProtect checks on every post) with the `_obj` that
    Flask-Admin's Unique validator reads, so saving a row does not clash with itself."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._obj = kwargs.get("obj")


#: Flask-Admin's stock messages, in our words; `{name}` is what was saved (see `BackOfficeModelView.describe`).
OUR_MESSAGES: dict[str, tuple[str, str]] = {
    "Record was successfully created.": ("Created {name}.", "success"),
    "Record was successfully saved.": ("Saved {name}.", "success"),
    "Failed to create record.": ("Nothing was created: correct the fields marked below.", "error"),
    "Failed to save record.": ("Nothing was saved: correct the fields marked below.", "error"),
    "Record does not exist.": ("That no longer exists; it may have been deleted in another window.", "error"),
    "Permission denied.": ("Your role does not include this part of the back office.", "error"),
}


#: Flask-Admin's stock words in its templates (buttons, filters, search, sorting), in ours. Its templates ask for
#: them through `_gettext`, which `BackOfficeModelView.render` points here; a word not listed is shown as it is.
OUR_WORDS: dict[str, str] = {
    "List": "All", "Create": "New", "Create New Record": "New", "Edit": "Edit", "Edit Record": "Edit",
    "Add Filter": "Filter by", "Reset Filters": "Show all", "Apply": "Apply", "Search": "Search",
    "Save": "Save", "Save and Add Another": "Save and add another",
    "Save and Continue Editing": "Save and keep editing",
    "Cancel": "Cancel", "Sort by %(name)s": "Sort by %(name)s", "Select all records": "Select all",
    "Select record": "Select", "With selected": "With those selected",
    "Please select at least one record.": "Select at least one first.",
}  # not the delete confirmation: its handler is allowed by the hash of its exact text (security.py)


def our_words(text: str, **variables: Any) -> str:
    """Flask-Admin's `_gettext`, answering in our words."""
    shown = OUR_WORDS.get(text, text)
    return shown % variables if variables else shown


def _speak_our_words(_app: Flask, template: Any, context: dict[str, Any], **_extra: Any) -> None:
    """Before a back-office template renders: Flask-Admin puts its own `_gettext` in the context; ours replaces it."""
    if "admin_view" in context:
        context["_gettext"] = our_words


def _reword_flashes(response: Response | None = None) -> Response | None:
    """Replace Flask-Admin's stock messages waiting in the session with ours, naming what was saved.

    Flask-Admin flashes them after our hooks have run, so they are rewritten as they wait: before a page
    renders them (`render`) and once a view has answered (`after_this_request`), while `g` still knows the name.
    """
    waiting = session.get("_flashes")
    if waiting:
        name = g.get("back_office_saved", "it")
        session["_flashes"] = [
            (OUR_MESSAGES[text][1], OUR_MESSAGES[text][0].format(name=name)) if text in OUR_MESSAGES
            else (category, text) for category, text in waiting]
    return response


class BackOfficeModelView(ModelView):
    form_base_class = AdminForm
    can_view_details = False
    page_size = 50
    #: One row of this list in words ("page"), for headings such as "New page"; `plural` for counts ("3 pages").
    noun = "item"
    plural = ""
    list_template = "admin/list.html"
    create_template = "admin/create.html"
    edit_template = "admin/edit.html"
    # Statuses and roles as DESIGN.md writes them ("draft"), yes and no in words rather than icons.
    column_type_formatters = {**typefmt.BASE_FORMATTERS, Enum: lambda _view, value, _name: value.value,
                              bool: lambda _view, value, _name: "yes" if value else "no"}

    def describe(self, model: Any) -> str:
        """How messages name a row: its title in quotes."""
        return f"“{model}”"

    def heading(self, model: Any | None) -> str:
        """The page's one heading: the list's name, "New page", or "Edit “Fees and Booking”"."""
        if request.endpoint and request.endpoint.endswith(".create_view"):
            return f"New {self.noun}"
        if model is not None:
            return f"Edit {self.describe(model)}"
        return self.name

    def _prettify_name(self, name: str) -> str:
        """Column and field labels in plain words: "is_published" is "Published", "consultation_url" a link."""
        words = name.removeprefix("is_").removesuffix("_at").replace("_url", "_link").split("_")
        return " ".join(words).capitalize()

    def _handle_view(self, name: str, **kwargs: Any) -> ResponseReturnValue | None:
        after_this_request(_reword_flashes)
        return super()._handle_view(name, **kwargs)

    def counted(self, count: int) -> str:
        """How many rows the list holds, in words: "1 page", "3 series", "No pages yet"."""
        plural = self.plural or f"{self.noun}s"
        return f"No {plural} yet" if not count else f"{count} {self.noun if count == 1 else plural}"

    def search_placeholder(self) -> str | None:
        """The search box's words: "Find by title", not Flask-Admin's bare column names."""
        columns = super().search_placeholder()
        return f"Find by {columns.lower()}" if columns else None

    def get_empty_list_message(self) -> str:
        return f"No {self.plural or self.noun + 's'} yet."

    def render(self, template: str, **kwargs: Any) -> str:
        _reword_flashes()
        return super().render(template, **kwargs)

    def after_model_change(self, form: Any, model: Any, is_created: bool) -> None:
        g.back_office_saved = self.describe(model)

    def _get_list_extra_args(self):  # noqa: ANN202 - Flask-Admin's hook
        """Flask-Admin reads `page` with int(), which takes any size and sign; the database does not."""
        view_args = super()._get_list_extra_args()
        if not 0 <= view_args.page <= public.MAX_PAGE:
            abort(404)
        return view_args

    def get_one(self, id: str):  # noqa: ANN201 - Flask-Admin's hook and its name for the argument
        """The row `?id=` names, or None (Flask-Admin then says it does not exist) if it names no row at all."""
        number = params.number(id)
        return super().get_one(str(number)) if number is not None else None

    def _through_service(self, change: Callable[[], Any], *, saved: Any = None) -> Any:
        """`through_service`, then the row it created (its result) or `saved` gets Flask-Admin's
        `after_model_change`, which the services bypass, so the message that follows names it."""
        result = through_service(change)
        if result is False:
            return False
        row = saved if saved is not None else result
        if isinstance(row, db.Model):
            self.after_model_change(None, row, saved is None)
        return result


def through_service(change: Callable[[], Any]) -> Any:
    """Run one service call and commit, giving its result; a refusal is flashed in its own words, changes
    nothing and gives False."""
    try:
        result = change()
        db.session.commit()
    except CMSError as error:
        db.session.rollback()
        flash(str(error), "error")
        return False
    return result


def _local_formatter(_view: object, _context: object, model: object, name: str) -> str:
    return local_time(getattr(model, name), "datetime")


def _title_link(_view: object, _context: object, model: Article, _name: str) -> Markup:
    return Markup('<a href="{}">{}</a>').format(url_for("authoring.edit", article_id=model.id), model.title)


def _page_link(_view: object, _context: object, model: Page, _name: str) -> Markup:
    return Markup('<a href="{}">{}</a>').format(url_for("page_writing.edit", page_id=model.id), model.title)


def _edit_link(view, _context, model, name: str) -> Markup:  # noqa: ANN001 - Flask-Admin's formatter
    """The row's name opens its form, in place of Flask-Admin's unlabelled pencil icon."""
    return Markup('<a href="{}">{}</a>').format(view.get_url(".edit_view", id=model.id), getattr(model, name))


class StatusFilter(FilterEqual):
    """Status by its value ("draft"); Flask-Admin's own enum filter wants member names and fails on others."""

    def __init__(self) -> None:
        super().__init__(Article.status, "Status", options=[(status.value, status.value) for status in Status])

    def clean(self, value: str) -> Status:
        return Status(value)  # a ValueError makes Flask-Admin ignore the filter

    def apply(self, query, value: Status, alias=None):  # noqa: ANN001, ANN201 - Flask-Admin's hook
        """Filter by the status the list shows: a scheduled article whose time has passed is published."""
        now = clock.now()
        if value is Status.PUBLISHED:
            return query.filter(reader.is_live_clause(now))
        if value is Status.SCHEDULED:
            return query.filter(reader.is_coming_clause(now))
        return super().apply(query, value, alias)


def _status_formatter(_view: object, _context: object, model: Article, _name: str) -> str:
    return str(shown_status(model.status, model.publish_at, clock.now()).value)  # DESIGN's words, lower case


class ArticleView(SignedInOnly, BackOfficeModelView):
    """Every article, filtered and sorted; a title opens the writing screen. Authors see their own."""

    can_create = can_edit = can_delete = False
    noun = "article"
    column_display_actions = False  # the title opens the writing screen
    list_template = "admin/articles_list.html"
    column_list = ("title", "status", "author", "series", "series_part", "tags", "publish_at", "updated_at")
    column_labels = {"series_part": "Part", "publish_at": "Publish at", "updated_at": "Last saved",
                     "tags.name": "Tag", "series.title": "Series"}
    column_filters = (StatusFilter(), "tags.name", "series.title")
    named_filter_urls = True  # ?flt0_status_equals=draft, readable and stable
    column_sortable_list = ("title", "status", "publish_at", "updated_at", "series_part")
    column_searchable_list = ("title",)
    column_default_sort = ("updated_at", True)
    column_formatters = {"title": _title_link, "status": _status_formatter, "publish_at": _local_formatter,
                         "updated_at": _local_formatter}

    def get_query(self):  # noqa: ANN201 - Flask-Admin's hook
        return self._own(super().get_query())

    def get_count_query(self):  # noqa: ANN201 - Flask-Admin's hook
        return self._own(super().get_count_query())

    def _own(self, query):  # noqa: ANN001, ANN202 - a Flask-Admin (SQLAlchemy 1.x style) query, untyped
        return query.filter(articles.visible_clause(current_user))


class SeriesView(EditorsOnly, BackOfficeModelView):
    """Series; each one's parts are numbered on a page of their own."""

    can_delete = False
    noun = plural = "series"
    column_display_actions = False
    column_list = ("title", "slug", "parts")
    column_formatters = {"title": _edit_link,
                         "parts": lambda view, context, model, name: Markup('<a href="{}">{}: reorder</a>')
                         .format(url_for("series.parts", series_id=model.id), plural(len(model.articles), "part"))}
    form_columns = ("title", "description")
    column_searchable_list = ("title",)

    def create_model(self, form):  # noqa: ANN001, ANN201 - Flask-Admin's hook
        return self._through_service(lambda: series_service.create(form.title.data or "",
                                                                   form.description.data or ""))

    @expose("/<int:series_id>/parts", methods=["GET", "POST"])
    def parts(self, series_id: int):  # noqa: ANN201 - Flask-Admin's hook
        series = db.get_or_404(Series, series_id)
        form = ConfirmForm()
        if form.validate_on_submit():
            numbers = {article.id: params.number(request.form.get(f"part-{article.id}"), maximum=MAX_PART)
                       for article in series.articles}
            given = {article_id: number for article_id, number in numbers.items() if number is not None}
            if len(given) < len(numbers):
                flash(f"Give every part a whole number from 1 to {MAX_PART:,}.", "error")
            else:
                if self._through_service(lambda: articles.renumber_parts(series, given, by=current_user)) \
                        is not False:
                    flash(f"The parts of “{series.title}” are renumbered.", "success")
                    return redirect(url_for("series.parts", series_id=series.id))
        now = clock.now()
        return self.render("admin/series_parts.html", series=series, form=form,
                           parts=sorted(series.articles, key=lambda article: article.series_part or 0),
                           statuses={article.id: shown_status(article.status, article.publish_at, now)
                                     for article in series.articles})


class TagView(EditorsOnly, BackOfficeModelView):
    """Tags: renamed here (old addresses redirect), merged on a page of their own."""

    can_create = can_delete = False
    noun = "tag"
    column_display_actions = False
    list_template = "admin/tags_list.html"
    column_list = ("name", "slug", "articles")
    column_formatters = {"name": _edit_link, "articles": lambda view, context, model, name: len(model.articles)}
    column_default_sort = "name"
    column_searchable_list = ("name",)
    form_columns = ("name",)

    def update_model(self, form, model):  # noqa: ANN001, ANN201 - Flask-Admin's hook
        return self._through_service(lambda: tags.rename(model, form.name.data or ""), saved=model) is not False

    @expose("/merge", methods=["GET", "POST"])
    def merge(self):  # noqa: ANN201 - Flask-Admin's hook
        form = TagMergeForm()
        choices = [(tag.id, f"{tag.name} ({len(tag.articles)})") for tag in
                   db.session.scalars(select(Tag).order_by(Tag.name))]
        form.source.choices = form.target.choices = choices
        if form.validate_on_submit():
            # The choices were just read, so only a merge racing this one leaves a tag gone: 404, as for its address.
            source, target = db.get_or_404(Tag, form.source.data), db.get_or_404(Tag, form.target.data)
            name = source.name
            if self._through_service(lambda: tags.merge(source, target)) is not False:
                flash(f"“{name}” is merged into “{target.name}”.", "success")
                return redirect(url_for("tags.index_view"))
        return self.render("admin/tags_merge.html", form=form)


class PageView(EditorsOnly, BackOfficeModelView):
    """Pages (About, Fees, Contact), listed here and written on the writing screen (`web.page_writing`), with its
    preview and history, like articles."""

    can_delete = False
    noun = "page"
    column_display_actions = False
    column_list = ("title", "slug", "is_published", "menu_order", "updated_at")
    column_labels = {"is_published": "Published", "menu_order": "Menu order", "updated_at": "Last saved"}
    column_formatters = {"title": _page_link, "updated_at": _local_formatter}

    @expose("/new/", methods=("GET", "POST"))
    def create_view(self):  # noqa: ANN201 - Flask-Admin's hook
        return redirect(url_for("page_writing.new"))

    @expose("/edit/", methods=("GET", "POST"))
    def edit_view(self):  # noqa: ANN201 - Flask-Admin's hook
        page_id = params.number(request.args.get("id"))
        return redirect(url_for("page_writing.edit", page_id=page_id)) if page_id is not None else abort(404)


class UserView(AdminsOnly, BackOfficeModelView):
    """Accounts, changed only through the users service, which also ends the sessions a change should end."""

    can_delete = False  # a departed colleague is made inactive; their name stays on what they wrote
    noun = "user"
    column_display_actions = False
    column_list = ("email", "name", "role", "is_active", "created_at")
    column_labels = {"is_active": "Active", "created_at": "Added", "email": "Email address"}
    column_formatters = {"email": _edit_link, "created_at": _local_formatter}
    form_columns = ("email", "name", "role", "is_active", "password")
    form_extra_fields = {"password": PasswordField("Password", description="At least 10 characters.")}

    def scaffold_form(self):  # noqa: ANN201 - Flask-Admin's hook
        form_class = super().scaffold_form()
        # Flask-Admin's enum field marks the member *name* as selected, but offers the stored values: an
        # edited account would silently fall back to the first role. This one offers and selects values.
        form_class.role = SelectField("Role", choices=[(role.value, role.value) for role in Role],
                                      coerce=Role, default=Role.AUTHOR)
        return form_class

    def get_create_form(self):  # noqa: ANN201 - Flask-Admin's hook
        """A new account must be given a password: required here, and its hint says nothing of keeping one."""
        class CreateForm(super().get_create_form()):  # type: ignore[misc]  # a class Flask-Admin makes at run time
            password = PasswordField("Password", validators=[InputRequired("Give the new account a password.")],
                                     description="At least 10 characters.")
        return CreateForm

    def edit_form(self, obj=None):  # noqa: ANN001, ANN201 - Flask-Admin's hook
        """Only an existing account has a password to keep; a new one must be given one."""
        form = super().edit_form(obj)
        form.password.description = "At least 10 characters; leave it empty to keep the current one."
        return form

    def create_model(self, form):  # noqa: ANN001, ANN201 - Flask-Admin's hook
        return self._through_service(lambda: users.create_user(
            form.email.data or "", form.password.data or "", form.role.data, name=form.name.data or ""))

    def update_model(self, form, model):  # noqa: ANN001, ANN201 - Flask-Admin's hook
        return self._through_service(lambda: users.update(
            model, by=current_user._get_current_object(), email=form.email.data or "", name=form.name.data or "",
            role=form.role.data, is_active=bool(form.is_active.data), password=form.password.data or ""),
            saved=model) is not False


class SessionsView(SignedInOnly, BaseView):
    """Your sessions: every browser signed in to your account, and a way to sign the others out."""

    @expose("/")
    def index(self):  # noqa: ANN201 - Flask-Admin's hook
        return self.render("admin/sessions.html", sessions=users.sessions_of(current_user),
                           current_id=users.current_session_id(current_user))

    @expose("/sign-out-others", methods=["POST"])
    def sign_out_others(self):  # noqa: ANN201 - Flask-Admin's hook
        if ConfirmForm().validate_on_submit():
            ended = self._commit(lambda: users.sign_out_others(current_user))
            flash(f"Signed out of {ended} other session{'s' if ended != 1 else ''}.", "success")
        return redirect(url_for(".index"))

    @expose("/<int:session_id>/end", methods=["POST"])
    def end(self, session_id: int):  # noqa: ANN201 - Flask-Admin's hook
        if ConfirmForm().validate_on_submit():
            if self._commit(lambda: users.end_session(current_user, session_id)):
                flash("That session is signed out.", "success")
            else:
                flash("That session had already ended.", "error")
        return redirect(url_for(".index"))

    @staticmethod
    def _commit(change: Callable[[], Any]) -> Any:
        result = change()
        db.session.commit()
        return result


class SiteSettingsView(AdminsOnly, BackOfficeModelView):
    """The one settings row: the list leads straight to its form. The time zone has a page of its own, since
    changing it asks what becomes of scheduled articles."""

    can_create = can_delete = False
    noun = "site settings"
    edit_template = "admin/settings_edit.html"
    form_excluded_columns = ("timezone", "email_since")
    column_labels = {"title": "Site title", "author_name": "Your name", "author_credentials": "Your credentials",
                     "author_bio": "Your bio", "consultation_text": "Booking invitation",
                     "consultation_url": "Booking link", "contact_email": "Contact email address",
                     "street_address": "Street address", "locality": "City", "region": "State",
                     "postal_code": "ZIP code", "area_served": "Area served", "phone": "Phone",
                     "hours": "Office hours", "fees_note": "Insurance and fees",
                     "article_notice": "Notice on every article",
                     "feed_size": "Entries per feed", "related_count": "Related articles shown",
                     "related_min_score": "Minimum related score",
                     "is_email_full_text": "Email subscribers the whole article (otherwise its summary and a link)"}
    column_descriptions = {
        "title": "Your practice's name, as readers and search engines see it.",
        "consultation_url": "Where readers book: your scheduling page, or a page of this site such as /contact.",
        "street_address": "Leave the address empty if you see clients online only; say where in Area served.",
        "area_served": "For example: In person in Manhattan, online across New York State.",
        "hours": "For example: Monday to Thursday, 9 am to 7 pm.",
        "fees_note": "A sentence or two, e.g. out of network, superbills provided, a sliding scale.",
        "article_notice": "Shown at the end of every article, e.g. a crisis line. Empty: none.",
    }
    # A form posted without its fields must not blank the site: what every page shows is required.
    form_args = {
        "title": {"validators": [InputRequired("The site needs a title.")]},
        "feed_size": {"validators": [InputRequired("Say how many entries a feed holds."), NumberRange(1, 200)]},
        "related_count": {"validators": [InputRequired("Say how many related articles to show."),
                                         NumberRange(0, 20)]},
        "related_min_score": {"validators": [InputRequired("Give the minimum related score."), NumberRange(0, 1)]},
    }

    def describe(self, model: Any) -> str:
        return "the site settings"

    def heading(self, model: Any | None) -> str:
        return "Time zone" if request.endpoint == "site_settings.time_zone" else "Site settings"

    @expose("/")
    def index_view(self):  # noqa: ANN201 - Flask-Admin's hook
        row = site.settings()
        db.session.commit()
        return redirect(url_for("site_settings.edit_view", id=row.id))

    def render(self, template: str, **kwargs: Any) -> str:
        now = clock.now()
        return super().render(template, current_zone=zones.describe(site_zone(), now), **kwargs)

    @expose("/time-zone", methods=["GET", "POST"])
    def time_zone(self):  # noqa: ANN201 - Flask-Admin's hook
        """Step one: choose a zone. Step two (`confirm`): see which publish times move, and how, then apply."""
        form = TimeZoneForm()
        now = clock.now()
        default = current_app.config["SITE_TIMEZONE"]
        if not form.validate_on_submit():
            return self.render("admin/settings_timezone.html", form=form, choices=zones.choices(now), change=None)
        try:
            if form.confirm.data:
                change = timezones.change(form.zone.data or "", keep_wall_clock=form.keep.data != "moment",
                                              by=current_user, default=default, now=now)
                db.session.commit()
                flash(f"The site's time zone is now {zones.describe(change.new, now).label}.", "success")
                return redirect(url_for(".time_zone"))
            change = timezones.plan_change(form.zone.data or "", default=default, now=now)
        except CMSError as error:
            db.session.rollback()
            flash(str(error), "error")
            page = self.render("admin/settings_timezone.html", form=form, choices=zones.choices(now), change=None)
            return page, 422
        form.zone.data = change.new
        return self.render("admin/settings_timezone.html", form=form, choices=zones.choices(now), change=change,
                           new_zone=zones.describe(change.new, now))


class TimeZoneForm(FlaskForm):
    zone = StringField("Time zone", description="Type a city, e.g. New York, and pick it from the list.")
    keep = RadioField("Scheduled articles", choices=[("wall", "keep their clock time"),
                                                     ("moment", "keep their moment")], default="wall",
                      validate_choice=False)
    confirm = StringField()


class ProfileForm(FlaskForm):
    name = StringField("Display name", description="Shown as “By …” on your articles and in feeds.")
    credentials = StringField("Credentials", description="After your name in the author box, e.g. LMFT.")
    bio = TextAreaField("Bio", description="A few sentences under each of your articles. An empty line starts "
                                           "a new paragraph.")
    photo = SelectField("Photo", choices=[], validate_choice=False)
    upload = FileField("Or upload a new photo")


class ProfileView(SignedInOnly, BaseView):
    """Your profile: the name, credentials, bio and photo readers see with your articles."""

    @expose("/", methods=["GET", "POST"])
    def index(self):  # noqa: ANN201 - Flask-Admin's hook
        user = current_user._get_current_object()
        form = ProfileForm(obj=user) if request.method == "GET" else ProfileForm()
        if request.method == "GET":
            form.photo.data = str(user.photo.id) if user.photo is not None else ""
        photos = list(db.session.scalars(media.images_visible_to(user).limit(media.RECENT)))
        if user.photo is not None and user.photo not in photos:
            photos.insert(0, user.photo)
        form.photo.choices = [("", "No photo")] + [(str(photo.id), str(photo)) for photo in photos]
        if form.validate_on_submit():
            try:
                self._save(user, form)
                db.session.commit()
            except InvalidInput as error:  # NotAllowed (someone else's photo) is a 403, app-wide
                db.session.rollback()
                flash(str(error), "error")
                return self.render("admin/profile.html", form=form, user=user), 422
            flash("Your profile is saved.", "success")
            return redirect(url_for(".index"))
        return self.render("admin/profile.html", form=form, user=user)

    @staticmethod
    def _save(user: User, form: ProfileForm) -> None:
        photo_id = params.number(form.photo.data) if form.photo.data else None
        if form.photo.data and photo_id is None:
            raise InvalidInput("Choose a photo from the list.", field="photo")
        file = request.files.get("upload")
        if file is not None and file.filename:
            photo_id = upload_views.store(file, alt=" ".join((form.name.data or user.name or "The author").split())).id
        users.update_profile(user, name=form.name.data or "", credentials=form.credentials.data or "",
                             bio=form.bio.data or "", photo_id=photo_id)


#: The back office's one menu, in this order: each entry is a view's endpoint, and the blueprints whose screens
#: count as that entry (the writing screen belongs to Articles). Entries whose view the user may not open are left out.
MENU: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("admin", ()), ("articles", ("authoring",)), ("series", ()), ("tags", ()), ("pages", ("page_writing",)),
    ("media", ()), ("users", ()), ("site_settings", ()), ("transfer", ()), ("subscribers", ()), ("sessions", ()),
    ("profile", ()),
)


@dataclass(frozen=True)
class MenuItem:
    label: str
    url: str
    is_current: bool


class BackOffice(Admin):
    """Flask-Admin's Admin, keeping its views by endpoint so that every back-office screen (Flask-Admin's or a
    blueprint's, like the writing screen) draws the same menu from them."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        self.views_by_endpoint: dict[str, BaseView] = {}
        super().__init__(*args, **kwargs)

    def add_view(self, view: BaseView) -> None:
        self.views_by_endpoint[view.endpoint] = view
        super().add_view(view)

    def menu_for_request(self) -> list[MenuItem]:
        """The menu entries this user may open, the one this request belongs to marked current."""
        items = []
        for endpoint, also in MENU:
            view = self.views_by_endpoint.get(endpoint)
            if view is None or not (view.is_accessible() and view.is_visible()):
                continue
            url = MenuView(view.name, view).get_url() or ""
            items.append(MenuItem(view.name, url, request.blueprint in (endpoint, *also)))
        return items


def build_admin(app: Flask) -> Admin:
    """A fresh Admin for `app`: a module-level one would break the second app a process builds."""
    admin = BackOffice(app, name="Back office", url="/admin",
                  index_view=DashboardView(name="Dashboard", url="/admin"),
                  theme=Bootstrap4Theme(base_template="admin/cms_master.html"),
                  csp_nonce_generator=security.csp_nonce)
    admin.add_view(ArticleView(Article, db, name="Articles", endpoint="articles", url="/admin/articles"))
    admin.add_view(SeriesView(Series, db, name="Series", endpoint="series", url="/admin/series"))
    admin.add_view(TagView(Tag, db, name="Tags", endpoint="tags", url="/admin/tags"))
    admin.add_view(PageView(Page, db, name="Pages", endpoint="pages", url="/admin/pages"))
    admin.add_view(UserView(User, db, name="Users", endpoint="users", url="/admin/users"))
    admin.add_view(SiteSettingsView(SiteSettings, db, name="Site settings", endpoint="site_settings",
                                    url="/admin/settings"))
    admin.add_view(SessionsView(name="Your sessions", endpoint="sessions", url="/admin/sessions"))
    app.context_processor(lambda: {"back_office_menu": admin.menu_for_request})
    before_render_template.connect(_speak_our_words, app)
    admin.add_view(ProfileView(name="Your profile", endpoint="profile", url="/admin/profile"))
    return admin

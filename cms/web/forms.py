"""Forms, with their labels as people read them; CSRF comes with FlaskForm."""

import functools
from datetime import datetime
from typing import Any

from flask_wtf import FlaskForm
from markupsafe import Markup, escape
from wtforms import (
    BooleanField,
    DateTimeLocalField,
    EmailField,
    HiddenField,
    IntegerField,
    PasswordField,
    SelectField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.fields.choices import SelectFieldBase
from wtforms.validators import InputRequired, Length, NumberRange, Optional, ValidationError
from wtforms.widgets import Select, html_params

from cms.core import clock
from cms.core.errors import InvalidInput
from cms.core.series import MAX_PART, TOO_HIGH


def in_date_range(_form: FlaskForm, field: DateTimeLocalField) -> None:
    """The writing screen's door to `clock.check_range`: a date far out is refused on its field."""
    if isinstance(field.data, datetime):
        try:
            clock.check_range(field.data)
        except InvalidInput as error:
            raise ValidationError(str(error)) from None


class LoginForm(FlaskForm):
    email = EmailField("Email", validators=[InputRequired("Enter your email address.")],
                       render_kw={"autocomplete": "username"})
    password = PasswordField("Password", validators=[InputRequired("Enter your password.")],
                             render_kw={"autocomplete": "current-password"})
    submit = SubmitField("Sign in")


class LogoutForm(FlaskForm):
    submit = SubmitField("Sign out")


class LocalDateTimeField(DateTimeLocalField):
    """A time as typed in the site's zone; shows seconds only when the time has them, so nothing drifts."""

    def _value(self) -> str:
        if self.raw_data or self.data is None:
            return super()._value()  # type: ignore[misc]  # WTForms' documented display hook; its stubs omit it
        return f"{self.data:%Y-%m-%dT%H:%M:%S}" if self.data.second else f"{self.data:%Y-%m-%dT%H:%M}"


#: The series choice that asks for a new series; no slug starts with "+".
NEW_SERIES = "+new"


#: How the writing screen's body is written, for articles and pages alike.
BODY_HINT = ("Format with the toolbar or the usual shortcuts: Ctrl+B bold, Ctrl+I italic, Ctrl+K link. The text is "
             "kept as Markdown (## heading, **bold**, *italic*, [link](https://…), - list).")


class LongSelect(Select):
    """A select of as many choices as the site has series (4,000 at 100,000 articles), drawn straight from the
    field's (value, label) choices, the options of the last few lists kept drawn. WTForms' own drawing normalises
    every choice three times and formats its attributes one by one: at thousands of options, most of the writing
    screen's time."""

    def __call__(self, field: SelectFieldBase, **kwargs: Any) -> Markup:
        choices = getattr(field, "choices", None)
        drawn = _drawn(tuple(choices)) if isinstance(choices, list) else None
        if drawn is None:
            return super().__call__(field, **kwargs)  # groups, or options with attributes of their own
        kwargs.setdefault("id", field.id)
        for name in self.validation_attrs:  # as WTForms does: required and disabled from the field's validators
            if name not in kwargs and getattr(field.flags, name, False):
                kwargs[name] = getattr(field.flags, name)
        options, places = drawn
        if field.data in places:
            place, selected = places[field.data]
            options = (*options[:place], selected, *options[place + 1:])
        # html_params escapes the attributes, _drawn each value and label
        return Markup(f"<select {html_params(name=field.name, **kwargs)}>{''.join(options)}</select>")  # noqa: S704 - see above


@functools.lru_cache(maxsize=8)
def _drawn(choices: tuple[Any, ...]) -> tuple[tuple[str, ...], dict[Any, tuple[int, str]]] | None:
    """Each (value, label) choice's option, unselected, and by value the place of its first option with that option
    selected; None for choices of another shape."""
    if not all(isinstance(choice, tuple) and len(choice) == 2 for choice in choices):
        return None
    options = tuple(_option(value, label) for value, label in choices)
    places: dict[Any, tuple[int, str]] = {}
    for place, (value, label) in enumerate(choices):
        places.setdefault(value, (place, _option(value, label, "selected ")))
    return options, places


def _option(value: Any, label: Any, selected: str = "") -> str:
    return f'<option {selected}value="{escape(value)}">{escape(label)}</option>'


class ArticleForm(FlaskForm):
    """The writing screen. Field names are the names services use, so a refusal lands on its field."""

    title = StringField("Title", validators=[InputRequired("Give the article a title.")])
    slug = StringField("Slug", description="The last part of the address. Left empty, it is made from the title.")
    body_source = TextAreaField("Body", description=BODY_HINT, render_kw={"rows": 24})
    summary = TextAreaField("Summary", description="One or two sentences for lists, feeds and search results.",
                            render_kw={"rows": 3})
    tags = StringField("Tags", description="Separate tags with commas; new ones are created.")
    # Choices are the existing series (by slug), set per request; an unknown value gets its own sentence.
    series = SelectField("Series", validate_choice=False, widget=LongSelect())
    new_series = StringField("Or create a new series", validators=[Length(max=300, message="A series name is at "
                                                                          "most 300 characters long.")],
                             description="Its name, as readers will see it. Created when the article is saved.")
    series_part = IntegerField("Part", validators=[Optional(), NumberRange(min=1, message="Part numbers start at 1."),
                                                   NumberRange(max=MAX_PART, message=TOO_HIGH)],
                               # WTForms 3.3's keyword; the types-WTForms stubs still describe 3.2.
                               invalid_value_message="The part is a whole number, like 2.",  # type: ignore[call-arg]
                               description="Empty: the next part of the series.",
                               render_kw={"min": 1, "inputmode": "numeric"})
    publish_at = LocalDateTimeField("Publish at", validators=[Optional(), in_date_range],
                                    format=["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M",
                                            "%Y-%m-%d %H:%M:%S"],
                                    invalid_value_message=(  # type: ignore[call-arg]  # as for the part, above
                                        "Enter a date and time like 2025-02-11 09:00."),
                                    render_kw={"step": 1})
    description = StringField("SEO description", validators=[Length(max=300)],
                              description="What search engines show under the title; the summary if empty.")
    is_autolink_enabled = BooleanField("Link mentions of other articles", default=True)
    version = HiddenField()


class PageForm(FlaskForm):
    """The writing screen of a page (About, Fees): no date, tags or series, a place in the menu instead."""

    title = StringField("Title", validators=[InputRequired("Give the page a title.")])
    slug = StringField("Slug", description="Its address: the site's address, a slash, then this. Left empty, it is "
                                           "made from the title.")
    body_source = TextAreaField("Body", description=BODY_HINT, render_kw={"rows": 24})
    is_published = BooleanField("Published: readers can open it at its address", default=False)
    menu_order = IntegerField("Place in the site menu", validators=[Optional()],
                              invalid_value_message="The place is a whole number, like 2.",  # type: ignore[call-arg]
                              description="1 comes first. Empty: the page is not in the menu.",
                              render_kw={"min": 0, "inputmode": "numeric"})
    version = HiddenField()


class ConfirmForm(FlaskForm):
    """A button that posts: restore, revoke, discard. Only its CSRF token matters."""


class TagMergeForm(FlaskForm):
    source = SelectField("Merge the tag", coerce=int)
    target = SelectField("into the tag", coerce=int)
    submit = SubmitField("Merge tags")

"""Forms, with their labels as people read them; CSRF comes with FlaskForm."""

from datetime import datetime

from flask_wtf import FlaskForm
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
from wtforms.validators import InputRequired, Length, NumberRange, Optional, ValidationError

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


#: How the writing screen's body is written, for articles and pages alike.
BODY_HINT = ("Format with the toolbar or the usual shortcuts: Ctrl+B bold, Ctrl+I italic, Ctrl+K link. The text is "
             "kept as Markdown (## heading, **bold**, *italic*, [link](https://…), - list).")


class ArticleForm(FlaskForm):
    """The writing screen. Field names are the names services use, so a refusal lands on its field."""

    title = StringField("Title", validators=[InputRequired("Give the article a title.")])
    slug = StringField("Slug", description="The last part of the address. Left empty, it is made from the title.")
    body_source = TextAreaField("Body", description=BODY_HINT, render_kw={"rows": 24})
    summary = TextAreaField("Summary", description="One or two sentences for lists, feeds and search results.",
                            render_kw={"rows": 3})
    tags = StringField("Tags", description="Separate tags with commas; new ones are created.")
    # A series' title (or slug), from the writing screen's suggestions; an unknown one gets its own sentence.
    series = StringField("Series", validators=[Length(max=300, message="A series name is at most 300 characters "
                                                                       "long.")],
                         description="Start typing its title to choose it from the list; empty: no series.",
                         render_kw={"list": "series-titles", "autocomplete": "off"})
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

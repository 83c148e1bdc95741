"""Email subscriptions for readers: the subscribe form, and the signed links emails carry (confirm, manage,
one-click unsubscribe). No account, no session needed to use a link.

Two POSTs take no CSRF token: the subscribe form, which sits on cached public pages (a token would be one
visitor's; a forged request can only make us send a confirmation email, which changes nothing), and the
one-click unsubscribe that mail programs send (RFC 8058), which the signed link itself authorizes. Every other
form here carries its token.
"""

from __future__ import annotations

import math
from datetime import datetime

from flask import Blueprint, Flask, Response, current_app, make_response, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_wtf import FlaskForm
from wtforms import SubmitField

from cms.core import clock
from cms.core.errors import CMSError, InvalidInput
from cms.core.subscriptions import SITE, Topic
from cms.extensions import csrf, db
from cms.models import Article, Series, Subscriber, Tag
from cms.services import reader, subscriptions
from cms.web.auth import SignInLimits

bp = Blueprint("subscriptions", __name__)

SENT = ("Thank you. Unless this address already gets these emails, we have sent it a link: open it within "
        f"{subscriptions.CONFIRM_DAYS} days to confirm. Nothing is sent to you before you do.")


def limit_requests(app: Flask) -> None:
    """Count requests to subscribe as sign-ins are counted (see SignInLimits): per address from one client, and
    per client."""
    app.extensions["cms.subscribe_limits"] = SignInLimits(
        app.config["RATELIMIT_STORAGE_URI"], prefix=app.config["RATELIMIT_KEY_PREFIX"], purpose="subscribe",
        per_account=app.config["SUBSCRIBE_LIMIT_PER_EMAIL"], per_address=app.config["SUBSCRIBE_LIMIT_PER_ADDRESS"])


@bp.app_template_global()
def subscribe_choices(article: Article | None = None, series: Series | None = None,
                      tag: Tag | None = None) -> list[subscriptions.Choice]:
    """What the subscribe form on a page offers, most specific first: this series (or tag), then the whole site."""
    series = series or (article.series if article is not None else None)
    choices = [subscriptions.SITE_CHOICE]
    if series is not None:
        choices.insert(0, subscriptions.Choice(f"series:{series.slug}", "Email me when the next part is out"))
    elif tag is not None:
        choices.insert(0, subscriptions.tag_choice(tag))
    return choices


class ConfirmForm(FlaskForm):
    submit = SubmitField("Confirm my subscription")


class ManageForm(FlaskForm):
    submit = SubmitField("Save my choices")


@bp.get("/subscribe")
def subscribe_page() -> ResponseReturnValue:
    return _subscribe_page(chosen=request.args.get("topic", SITE))


@bp.post("/subscribe")
@csrf.exempt  # on cached public pages; see the module's docstring
def subscribe() -> ResponseReturnValue:
    email, chosen = request.form.get("email", ""), request.form.get("topic", SITE)
    now = clock.now()
    limits: SignInLimits = current_app.extensions["cms.subscribe_limits"]
    client = request.remote_addr or ""
    try:
        topic = subscriptions.topic_from_choice(chosen, now)
        wait = limits.seconds_to_wait(email, client)
        if wait:
            minutes = max(1, math.ceil(wait / 60))
            response = _subscribe_page(chosen=chosen, email=email, status=429,
                                       error=f"Too many requests to subscribe from your connection. Please wait "
                                             f"{minutes} minute{'s' if minutes != 1 else ''} and try again.")
            response.headers["Retry-After"] = str(wait)
            return response
        subscriptions.ask(email, topic, now=now)
    except InvalidInput as error:
        db.session.rollback()
        return _subscribe_page(chosen=chosen, email=email, error=str(error), status=400)
    limits.record(email, client)
    db.session.commit()
    return _message("Check your inbox", SENT)


def _subscribe_page(*, chosen: str, email: str = "", error: str | None = None, status: int = 200) -> Response:
    now = clock.now()
    choices = [subscriptions.SITE_CHOICE, *subscriptions.series_choices(now)]
    if chosen.startswith("tag:") and (tag := reader.tag(chosen[4:], now)) is not None:
        choices.append(subscriptions.tag_choice(tag))
    page = render_template("subscriptions/subscribe.html", choices=choices, chosen=chosen, email=email, error=error)
    return _private(make_response(page, status))


@bp.route("/subscriptions/confirm/<token>", methods=["GET", "POST"])
def confirm(token: str) -> ResponseReturnValue:
    """A GET asks (mail scanners open links), the button confirms."""
    now = clock.now()
    try:
        subscriber, topic = subscriptions.read_confirm_token(current_app.config["SECRET_KEY"], token, now=now)
        label = subscriptions.topic_label(topic)
        form = ConfirmForm()
        if not form.validate_on_submit():
            subscriptions.check_unconfirmed(subscriber, topic)
            status = 400 if form.is_submitted() else 200
            page = render_template("subscriptions/confirm.html", form=form, label=label, email=subscriber.email)
            return _private(make_response(page, status))
        subscriptions.confirm(subscriber, topic, now=now)
    except subscriptions.AlreadyDone as done:
        return _message("Nothing to do", str(done))
    except CMSError as error:
        db.session.rollback()
        return _message("This link does not work", str(error), status=400)
    db.session.commit()
    return _message("You are subscribed", f"{subscriber.email} is subscribed to {subscriptions.lower(label)}. "
                    "Every email has a link to change or end your subscriptions.")


@bp.route("/subscriptions/manage/<token>", methods=["GET", "POST"])
def manage(token: str) -> ResponseReturnValue:
    now = clock.now()
    try:
        subscriber = subscriptions.read_manage_token(current_app.config["SECRET_KEY"], token)
    except InvalidInput as error:
        return _message("This link does not work", str(error), status=400)
    form = ManageForm()
    choices = _manage_choices(subscriber, now)
    if form.validate_on_submit():
        offered = {choice.value: topic for choice, topic in choices}
        wanted = [offered[value] for value in request.form.getlist("topic") if value in offered]
        subscriptions.replace_topics(subscriber, wanted, now=now)
        db.session.commit()
        text = ("You are unsubscribed from everything; we send you nothing more." if not wanted
                else "Your choices are saved.")
        return _message("Saved", text, back=request.path)
    held = {topic.key for topic in subscriptions.topics(subscriber)}
    page = render_template("subscriptions/manage.html", form=form, email=subscriber.email,
                           choices=[(choice, topic.key in held) for choice, topic in choices],
                           unsubscribe_url=_unsubscribe_url(subscriber))
    return _private(make_response(page, 400 if form.is_submitted() else 200))


def _manage_choices(subscriber: Subscriber, now: datetime) -> list[tuple[subscriptions.Choice, Topic]]:
    """The site, every series with live parts, and whatever else the subscriber follows (a tag, say)."""
    offered: list[tuple[subscriptions.Choice, Topic]] = [(subscriptions.SITE_CHOICE, Topic(SITE))]
    offered += [(subscriptions.series_choice(series), Topic("series", series.id))
                for series, _ in reader.series_with_live_parts(now)]
    keys = {topic.key for _, topic in offered}
    for topic in subscriptions.topics(subscriber):
        choice = subscriptions.choice_for(topic)
        if topic.key not in keys and choice is not None:
            offered.append((choice, topic))
    return offered


def _unsubscribe_url(subscriber: Subscriber) -> str:
    return url_for(".unsubscribe", token=subscriptions.unsubscribe_token(current_app.config["SECRET_KEY"], subscriber))


@bp.route("/subscriptions/unsubscribe/<token>", methods=["GET", "POST"])
@csrf.exempt  # RFC 8058's one-click POST comes from a mail program, with no session; the signed link authorizes it
def unsubscribe(token: str) -> ResponseReturnValue:
    """A GET asks (link scanners open links), a POST unsubscribes: the mail program's one click, or the button."""
    try:
        subscriber = subscriptions.read_unsubscribe_token(current_app.config["SECRET_KEY"], token)
        if request.method != "POST":  # GET or HEAD
            if not subscriber.subscriptions:
                raise subscriptions.AlreadyDone("You are already unsubscribed; we send you nothing more.")
            page = render_template("subscriptions/unsubscribe.html", email=subscriber.email)
            return _private(make_response(page))
        subscriptions.unsubscribe(subscriber)
    except subscriptions.AlreadyDone as done:
        return _message("Nothing to do", str(done))
    except InvalidInput as error:
        return _message("This link does not work", str(error), status=400)
    db.session.commit()
    return _message("You are unsubscribed", f"We send nothing more to {subscriber.email}.")


def _message(heading: str, text: str, *, status: int = 200, back: str | None = None) -> Response:
    page = render_template("subscriptions/message.html", heading=heading, text=text, back=back)
    return _private(make_response(page, status))


def _private(response: Response) -> Response:
    """Answers about one subscriber are theirs alone: never kept by a browser's or a proxy's cache."""
    response.cache_control.no_store = True
    response.cache_control.private = True
    return response

"""Hostile values in every request value of every route answer 4xx, never 5xx, for readers and every role.

The walker enumerates `app.url_map`; every method and endpoint must be listed in ROUTES with the query
arguments and form fields it reads, so a new route without hostile-value coverage fails here. Each role walks
as a test of its own (so test processes share the walk), through one app and database made for it, with every
role's client signed in once, in the same order.
"""

from __future__ import annotations

import re
import traceback
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import quote

import pytest
from flask import Flask, current_app
from flask.testing import FlaskClient
from flask_migrate import stamp
from sqlalchemy import select, text

from cms import create_app
from cms.core.subscriptions import Topic
from cms.core.workflow import Role, Status
from cms.extensions import db
from cms.models import Article, Revision
from cms.services import articles, pages, series as series_service, subscriptions, users
from tests.conftest import csrf_token
from tests.factories import PASSWORD

#: Values hostile anywhere, as they travel on the wire (percent-encoded where they must be).
HOSTILE_ANYWHERE: Mapping[str, str] = {
    "NUL and a control character": "a%00%07b",  # PostgreSQL refuses NUL in text; XML refuses both
    "invalid UTF-8": "%FF%FE",
    "overlong string": "x" * 5000,
    "empty": "",
}
#: Values hostile where a number, date or identifier is read; free-text fields get only the ones above.
HOSTILE_NUMBERS_AND_DATES: Mapping[str, str] = {
    "superscript digits": "%C2%B9%C2%B2",  # str.isdigit() says yes, int() says no
    "huge number": "9" * 30,
    "2**40": str(2**40),  # fits SQLite's integers, not PostgreSQL's
    "negative number": "-1",
    "year zero": "0000-00-00",
    "last minute of 9999": "9999-12-31T23:59",
    "February 30": "2025-02-30",
    "year one": "0001-01-01T00:00",
    "month past 9999": "9999-12",
}
HOSTILE = {**HOSTILE_ANYWHERE, **HOSTILE_NUMBERS_AND_DATES}

ROLES = ("anonymous", "author", "editor", "admin")
SLUG = "grief"  # the article, series, tag and page made for the walk all answer to it


@dataclass(frozen=True)
class Case:
    """What one route reads, each with a valid value: query arguments, form fields, path values beyond the
    defaults; `text` names the arguments and fields that are free text."""

    query: Mapping[str, str] = field(default_factory=dict)
    form: Mapping[str, str] = field(default_factory=dict)
    path: Mapping[str, str] = field(default_factory=dict)
    text: tuple[str, ...] = ()


PAGED = Case(query={"page": "1"})
PLAIN = Case()
BACK = {"url": "/admin/"}  # where Flask-Admin returns after a save
REDIRECT_TARGETS = frozenset({"url", "next"})  # free text wherever they appear
ADMIN_LIST = Case(query={"page": "0", "sort": "0", "search": "grief", "flt0_status_equals": "draft"},
                  text=("search",))
ADMIN_ID = Case(query={"id": "{victim}", **BACK})
ADMIN_AJAX = Case(query={"name": "author", "query": "a", "offset": "0", "limit": "10"}, text=("query",))
ADMIN_ACTION = Case(form={"action": "delete", "rowid": "{victim}", **BACK})
ADMIN_DELETE = Case(form={"id": "{victim}", **BACK})
ADMIN_AJAX_UPDATE = Case(form={"list_form_pk": "{victim}", "name": "name"}, text=("name",))
ADMIN_EXPORT = Case(query={"page": "0", "search": "grief"}, path={"export_type": "csv"}, text=("search",))
CURRENT_VERSION = "current"  # replaced by the edited article's version when sent, so edits are not stale
ARTICLE_FORM = Case(form={"title": "A title", "slug": "", "body_source": "Body.", "summary": "",
                          "tags": "grief, anxiety", "series": "Grief", "new_series": "", "series_part": "",
                          "publish_at": "2030-02-11T09:00", "description": "", "is_autolink_enabled": "y",
                          "version": CURRENT_VERSION, "action": "save"},
                    text=("title", "slug", "body_source", "summary", "tags", "series", "new_series", "description"))
SERIES_FORM = {"title": "A series", "description": "About it."}
PAGE_FORM = {"title": "A page", "slug": "", "body_source": "Text.", "is_published": "y", "menu_order": "3"}
USER_FORM = {"email": "someone@example.com", "name": "Someone", "role": "author", "is_active": "y",
             "password": "a long enough password"}
SETTINGS_FORM = {"title": "My practice", "tagline": "", "author_name": "",
                 "author_credentials": "", "author_bio": "", "consultation_text": "", "consultation_url": "",
                 "contact_email": "", "street_address": "", "locality": "", "region": "", "postal_code": "",
                 "area_served": "", "phone": "", "hours": "", "fees_note": "", "article_notice": "",
                 "feed_size": "20", "related_count": "3", "related_min_score": "0.05"}
SETTINGS_TEXT = ("title", "tagline", "author_name", "author_credentials", "author_bio", "consultation_text",
                 "consultation_url", "contact_email", "street_address", "locality", "region", "postal_code",
                 "area_served", "phone", "hours", "fees_note", "article_notice")


def _model_view(name: str, form: Mapping[str, str], text: tuple[str, ...] = (),
                ident: str = "{victim}") -> dict[tuple[str, str], Case]:
    """The routes Flask-Admin adds for one model view."""
    return {
        ("GET", f"{name}.index_view"): ADMIN_LIST,
        ("GET", f"{name}.create_view"): Case(query=BACK),
        ("POST", f"{name}.create_view"): Case(query=BACK, form=form, text=text),
        ("GET", f"{name}.edit_view"): Case(query={"id": ident, **BACK}),
        ("POST", f"{name}.edit_view"): Case(query={"id": ident, **BACK}, form=form, text=text),
        ("GET", f"{name}.details_view"): ADMIN_ID,
        ("POST", f"{name}.delete_view"): ADMIN_DELETE,
        ("POST", f"{name}.action_view"): ADMIN_ACTION,
        ("GET", f"{name}.ajax_lookup"): ADMIN_AJAX,
        ("POST", f"{name}.ajax_update"): ADMIN_AJAX_UPDATE,
        ("GET", f"{name}.export"): ADMIN_EXPORT,
    }


ROUTES: Mapping[tuple[str, str], Case] = {
    ("GET", "static"): Case(path={"filename": "css/site.css"}),
    ("GET", "admin.static"): Case(path={"filename": "bootstrap/bootstrap4/css/bootstrap.min.css"}),
    ("GET", "public.home"): PAGED,
    ("GET", "public.article"): PLAIN,
    ("GET", "public.series_index"): PLAIN,
    ("GET", "public.series"): PLAIN,
    ("GET", "public.tag_index"): PLAIN,
    ("GET", "public.tag"): PAGED,
    ("GET", "public.archive"): Case(query={"year": "2025"}),
    ("GET", "public.search"): Case(query={"q": "grief", "page": "1"}, text=("q",)),
    ("GET", "public.sitemap"): PAGED,
    ("GET", "public.robots"): PLAIN,
    ("GET", "health.healthz"): PLAIN,
    ("GET", "health.readyz"): PLAIN,
    ("GET", "public.page"): PLAIN,
    ("GET", "feeds.site_feed"): PLAIN,
    ("GET", "feeds.series_feed"): PLAIN,
    ("GET", "feeds.tag_feed"): PLAIN,
    ("GET", "api.articles"): Case(query={"page": "1", "tag": SLUG, "series": SLUG}),
    ("GET", "api.article"): PLAIN,
    ("GET", "api.series_index"): PLAIN,
    ("GET", "api.series"): PLAIN,
    ("GET", "api.tags"): PLAIN,
    ("GET", "uploads.image"): Case(path={"name": "missing.png"}),
    ("POST", "uploads.upload"): Case(form={"image": "not a file"}),
    ("GET", "preview.shared"): PLAIN,
    ("GET", "auth.login"): Case(query={"next": "/admin/"}),
    ("POST", "auth.login"): Case(query={"next": "/admin/"},
                                 form={"email": "nobody@example.com", "password": "wrong one"}, text=("password",)),
    ("GET", "auth.logout"): PLAIN,
    ("POST", "auth.logout"): PLAIN,
    ("GET", "admin.index"): Case(query={"month": "2025-02"}),
    ("GET", "authoring.new"): Case(query={"restore": "autosave"}),
    ("POST", "authoring.new"): Case(form={**ARTICLE_FORM.form, "version": ""}, text=ARTICLE_FORM.text),
    ("GET", "authoring.edit"): Case(query={"restore": "autosave"}),
    ("POST", "authoring.edit"): Case(form=ARTICLE_FORM.form, path={"article_id": "{draft_id}"},
                                     text=ARTICLE_FORM.text),
    ("GET", "authoring.series_titles"): Case(query={"q": "grief"}, text=("q",)),
    ("POST", "authoring.render"): Case(form={"body_source": "Some *text*."}, text=("body_source",)),
    ("POST", "authoring.autosave"): Case(form={"article_id": "{article_id}", "title": "T", "summary": "S",
                                               "body_source": "B"}, text=("title", "summary", "body_source")),
    ("POST", "authoring.discard_autosave"): Case(form={"article_id": "{article_id}"}),
    ("GET", "authoring.preview"): PLAIN,
    ("GET", "authoring.history"): PLAIN,
    ("GET", "authoring.compare"): Case(query={"old": "{revision_id}", "new": "{revision_id}"}),
    ("POST", "authoring.restore"): PLAIN,
    ("POST", "authoring.create_preview_link"): PLAIN,
    ("POST", "authoring.revoke_preview_link"): PLAIN,
    ("POST", "authoring.pin_related"): PLAIN,
    ("POST", "authoring.exclude_related"): PLAIN,
    ("POST", "authoring.release_related"): PLAIN,
    ("GET", "page_writing.new"): PLAIN,
    ("POST", "page_writing.new"): Case(form=PAGE_FORM, text=("title", "slug", "body_source")),
    ("GET", "page_writing.edit"): Case(path={"page_id": "{page_id}"}),
    ("POST", "page_writing.edit"): Case(path={"page_id": "{page_id}"}, form={**PAGE_FORM, "version": "1"},
                                       text=("title", "slug", "body_source", "version")),
    ("GET", "page_writing.preview"): Case(path={"page_id": "{page_id}"}),
    ("GET", "page_writing.history"): Case(path={"page_id": "{page_id}"}),
    ("GET", "page_writing.compare"): Case(path={"page_id": "{page_id}"},
                                          query={"old": "{page_revision_id}", "new": "{page_revision_id}"}),
    ("POST", "page_writing.restore"): Case(path={"page_id": "{page_id}", "revision_id": "{page_revision_id}"}),
    ("GET", "series.parts"): PLAIN,
    ("POST", "series.parts"): Case(form={"part-{article_id}": "1"}),
    ("GET", "tags.merge"): PLAIN,
    ("POST", "tags.merge"): Case(form={"source": "{tag_id}", "target": "{tag_id}"}),
    ("GET", "transfer.index"): PLAIN,
    ("POST", "transfer.check"): Case(form={"file": "not a file"}),
    ("POST", "transfer.confirm"): Case(form={"token": "abc"}),
    ("GET", "transfer.export"): PLAIN,
    ("GET", "sessions.index"): PLAIN,
    ("POST", "sessions.sign_out_others"): PLAIN,
    ("POST", "sessions.end"): Case(path={"session_id": "1"}),
    ("GET", "media.index"): PLAIN,
    ("POST", "media.upload"): Case(form={"image": "not a file", "alt": "A description"}, text=("alt",)),
    ("POST", "media.alt"): Case(path={"media_id": "1"}, form={"alt": "A description"}, text=("alt",)),
    ("POST", "media.delete"): Case(path={"media_id": "1"}),
    ("GET", "subscriptions.subscribe_page"): Case(query={"topic": "series:grief"}),
    ("POST", "subscriptions.subscribe"): Case(form={"email": "reader@example.com", "topic": "series:grief"},
                                              text=("email",)),
    ("GET", "subscriptions.confirm"): Case(path={"token": "{confirm_token}"}),
    ("POST", "subscriptions.confirm"): Case(path={"token": "{confirm_token}"}),
    ("GET", "subscriptions.manage"): Case(path={"token": "{manage_token}"}),
    ("POST", "subscriptions.manage"): Case(path={"token": "{manage_token}"}, form={"topic": "series:grief"}),
    ("GET", "subscriptions.unsubscribe"): Case(path={"token": "{unsubscribe_token}"}),
    ("POST", "subscriptions.unsubscribe"): Case(path={"token": "{unsubscribe_token}"}),
    ("GET", "subscribers.index"): PLAIN,
    ("GET", "subscribers.export"): PLAIN,
    ("POST", "subscribers.delete"): Case(path={"subscriber_id": "{subscriber_id}"}),
    ("GET", "profile.index"): PLAIN,
    ("POST", "profile.index"): Case(form={"name": "Maya", "credentials": "LMFT", "bio": "Twenty years.",
                                          "photo": ""}, text=("name", "credentials", "bio")),
    ("GET", "site_settings.time_zone"): PLAIN,
    ("POST", "site_settings.time_zone"): Case(form={"zone": "Berlin", "keep": "wall", "confirm": "yes"},
                                              text=("zone", "keep", "confirm")),
    **_model_view("articles", {"title": "A title"}, text=("title",)),
    **_model_view("series", SERIES_FORM, text=("title", "description")),
    **_model_view("tags", {"name": "a new name"}, text=("name",)),
    **_model_view("pages", PAGE_FORM, text=("title", "slug", "body_source")),
    **_model_view("users", USER_FORM, text=("email", "name", "password")),
    **_model_view("site_settings", SETTINGS_FORM, text=SETTINGS_TEXT, ident="1"),
}


@pytest.fixture
def walk_app(tmp_path_factory: pytest.TempPathFactory, database_url: str | None) -> Iterator[Flask]:
    """One app and database for a walk; CSRF is off so posts reach the code that reads their fields."""
    folder = tmp_path_factory.mktemp("hostile")
    app = create_app({
        "TESTING": True, "SECRET_KEY": "test", "WTF_CSRF_ENABLED": False,
        "LOGIN_LIMIT_PER_ACCOUNT": "100000 per minute", "LOGIN_LIMIT_PER_ADDRESS": "100000 per minute",
        "SQLALCHEMY_DATABASE_URI": database_url or f"sqlite:///{folder / 'cms.sqlite'}",
        "SITE_URL": "http://127.0.0.1:5000", "SITE_TIMEZONE": "America/New_York",
        "UPLOAD_FOLDER": str(folder / "uploads"), "IMPORT_FOLDER": str(folder / "imports"),
        "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1",  # as every test's app (conftest.py): not what this test is about
    })
    with app.app_context():
        db.create_all()
        stamp(directory=app.extensions["migrate"].directory)  # at the newest migration, so /readyz says ready
        app.config["WALK_IDS"] = _seed()
    yield app
    with app.app_context():
        db.session.remove()
        db.drop_all()
        with db.engine.begin() as connection:
            connection.execute(text("DROP TABLE alembic_version"))
        db.engine.dispose()


def _seed() -> dict[str, str]:
    """A little of everything a route can name, all answering to SLUG; returns the ids routes need."""
    now = datetime.now(UTC)
    made = {role: users.create_user(f"{role}@example.com", PASSWORD, Role(role), name=role.title())
            for role in ("author", "editor", "admin")}
    victim = users.create_user("victim@example.com", PASSWORD, Role.AUTHOR, name="Victim")
    series = series_service.create("Grief")
    article = articles.create(articles.ArticleInput(title="Grief", body_source="On grief. Anxiety too.",
                                                    tags=("grief",), series=series), by=made["author"], now=now)
    other = articles.create(articles.ArticleInput(title="Anxiety", body_source="On anxiety and grief.",
                                                  tags=("grief", "anxiety")), by=made["author"], now=now)
    articles.update(article, articles.ArticleInput(title="Grief", body_source="On grief, again.", tags=("grief",),
                                                   series=series), by=made["author"], now=now)
    for item in (article, other):
        item.status, item.publish_at = Status.PUBLISHED, now - timedelta(days=1)
        item.published_at = item.publish_at
    draft = articles.create(articles.ArticleInput(title="Draft", body_source="Unfinished.", series=series),
                            by=made["author"], now=now)
    link = articles.create_preview_link(article, by=made["author"], now=now)
    page = pages.save(None, title="Grief", body_source="A page.")
    db.session.commit()
    revision = db.session.query(Revision).filter_by(article_id=article.id).first()
    subscriber = subscriptions.ask("reader@example.com", Topic("site"), now=now)
    subscriptions.confirm(subscriber, Topic("site"), now=now)
    db.session.commit()
    secret = current_app.config["SECRET_KEY"]
    return {"subscriber_id": str(subscriber.id),
            "confirm_token": subscriptions.confirm_token(secret, subscriber, Topic("series", series.id)),
            "manage_token": subscriptions.manage_token(secret, subscriber),
            "unsubscribe_token": subscriptions.unsubscribe_token(secret, subscriber),
            "article_id": str(article.id), "other_id": str(other.id), "revision_id": str(revision.id),
            "link_id": str(link.id), "series_id": str(series.id), "token": link.token, "slug": SLUG,
            "kind": "xml", "draft_id": str(draft.id), "victim": str(victim.id),
            "tag_id": str(article.tags[0].id), "page_id": str(page.id),
            "page_revision_id": str(page.revisions[0].id)}


@pytest.fixture
def clients(walk_app: Flask) -> dict[str, FlaskClient]:
    signed_in = {"anonymous": walk_app.test_client()}
    for role in ROLES[1:]:
        client = walk_app.test_client()
        response = client.post("/login", data={"email": f"{role}@example.com", "password": PASSWORD})
        assert response.status_code == 302, response.get_data(as_text=True)
        signed_in[role] = client
    return signed_in


def test_every_route_is_covered_by_the_hostile_value_walk(walk_app):
    registered = {(method, rule.endpoint) for rule in walk_app.url_map.iter_rules()
                  for method in rule.methods - {"HEAD", "OPTIONS"}}
    assert sorted(registered - set(ROUTES)) == [], "list these routes in ROUTES with the values they read"
    assert sorted(set(ROUTES) - registered) == [], "these routes are gone; remove them from ROUTES"


@pytest.mark.parametrize("role", ROLES)
def test_no_route_answers_a_hostile_value_with_a_server_error(walk_app, clients, role):
    failures = []
    rules = sorted(walk_app.url_map.iter_rules(), key=lambda rule: rule.endpoint == "auth.logout")  # sign-out last
    for rule in rules:
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            tries = _tries(rule.rule, ROUTES[method, rule.endpoint], walk_app.config["WALK_IDS"],
                           is_thorough=role == "admin")
            failures += [f"{role} {method} {rule.rule} {label}: {error}" for label, *request in tries
                         if (error := _send(clients[role], method, rule.rule, *request))]
    assert not failures, f"{len(failures)} server errors:\n" + "\n".join(failures)


Try = tuple[str, Mapping[str, str], Mapping[str, str], Mapping[str, str]]  # label, path, query, form


def _tries(rule: str, case: Case, ids: Mapping[str, str], *, is_thorough: bool) -> list[Try]:
    """The requests that bring each hostile value to each place the route reads one.

    Thorough (the admin, who reaches every route): one request per place and value, the rest valid, so no
    earlier refusal hides a later field. Otherwise one request per value, each place getting a different
    value, so that across them every place still meets every value once: the code that reads values is the
    same for every role, and what differs (sign-in, role checks, whose articles) is met by every request.
    """
    variables = re.findall(r"<(?:[^:>]+:)?([^>]+)>", rule)
    path = {name: quote(case.path.get(name, ids.get(name, "x")).format(**ids), safe="/") for name in variables}
    query = {name: quote(value.format(**ids)) for name, value in case.query.items()} or (
        {} if variables or case.form else {"page": "1"})
    form = {name.format(**ids): quote(value.format(**ids)) for name, value in case.form.items()}
    places = [("path", name) for name in variables] + [("query", name) for name in query] + [
        ("form", name) for name in form]
    text = {name.format(**ids) for name in case.text} | REDIRECT_TARGETS

    def values_for(name: str) -> list[tuple[str, str]]:
        return list((HOSTILE_ANYWHERE if name in text else HOSTILE).items())

    def request(changes: Mapping[tuple[str, str], str]) -> tuple[dict[str, str], dict[str, str], dict[str, str]]:
        pick = {kind: {name: value for (where, name), value in changes.items() if where == kind}
                for kind in ("path", "query", "form")}
        return {**path, **pick["path"]}, {**query, **pick["query"]}, {**form, **pick["form"]}

    if is_thorough:
        return [(f"{kind} {name}={label}", *request({(kind, name): wire}))
                for kind, name in places for label, wire in values_for(name)]
    tries = []
    for turn in range(len(HOSTILE)):
        changes = {place: values_for(place[1])[(turn + offset) % len(values_for(place[1]))]
                   for offset, place in enumerate(places)}
        label = ", ".join(f"{name}={value_label}" for (_, name), (value_label, _) in changes.items())
        tries.append((label, *request({place: wire for place, (_, wire) in changes.items()})))
    return tries


def _send(client: FlaskClient, method: str, rule: str, values: Mapping[str, str], query: Mapping[str, str],
          fields: Mapping[str, str]) -> str | None:
    """Make one request; say what went wrong if it answered with a server error or raised (a reader's 500)."""
    path = re.sub(r"<(?:[^:>]+:)?([^>]+)>", lambda match: values[match[1]], rule)
    if query:
        path += "?" + "&".join(f"{name}={value}" for name, value in query.items())
    draft_id = client.application.config["WALK_IDS"]["draft_id"]
    if fields.get("version") == CURRENT_VERSION and values.get("article_id") == draft_id:
        with client.application.app_context():
            fields = {**fields, "version": str(db.session.get(Article, int(draft_id)).version)}
    body = "&".join(f"{name}={value}" for name, value in fields.items())
    try:
        if method == "GET":
            status = client.get(path).status_code
        else:
            status = client.post(path, data=body.encode(), content_type="application/x-www-form-urlencoded").status_code
    except Exception as error:  # noqa: BLE001 - any exception is the 500 this test exists to find
        frames = traceback.extract_tb(error.__traceback__)
        ours = [frame for frame in frames if "/cms/" in frame.filename and "page_cache" not in frame.filename]
        where = (ours or frames)[-1]
        return f"{type(error).__name__}: {str(error)[:100]} at {Path(where.filename).name}:{where.lineno}"
    return f"status {status}" if status >= 500 else None


# The findings of issue 13, item 6 and 7, one by one, as readers and authors met them.

@pytest.mark.parametrize("path", ["/articles/a%00b", "/tags/a%00b", "/series/a%00b", "/a%00b", "/uploads/a%00b.png",
                                  "/preview/a%00b", "/tags/a%00b/feed.xml"])
def test_a_nul_in_a_path_answers_404(client, path):
    assert client.get(path).status_code == 404


def test_a_nul_in_an_api_path_answers_a_json_404(client):
    response = client.get("/api/articles/a%00b")
    assert response.status_code == 404 and "error" in response.get_json()


@pytest.mark.parametrize("query", ["q=grief%00", "q=%07", "page=1&q%00=grief"])
def test_a_control_character_in_a_query_argument_answers_400(client, query):
    assert client.get(f"/search?{query}").status_code == 400


def test_a_nul_in_the_sign_in_email_answers_400_and_signs_no_one_in(client, make):
    make.user("admin")
    response = client.post("/login", data={"email": "admin@example.com\x00", "password": PASSWORD,
                                           "csrf_token": csrf_token(client, "/login")})
    assert response.status_code == 400
    assert client.get("/admin/").status_code == 302  # still sent to sign in


@pytest.mark.parametrize("path", ["/search?q=grief&page=%C2%B9", "/tags/grief?page=%C2%B9",
                                  "/sitemap.xml?page=%C2%B9", "/archive/?year=%C2%B9%C2%B2%C2%B3%E2%81%B4",
                                  "/archive/?year=0000", "/archive/?year=9999", "/tags/grief?page=" + "9" * 30,
                                  "/archive/?month=%C2%B9%C2%B2%C2%B3%E2%81%B4-01", "/archive/?month=0000-01",
                                  "/archive/?month=2025-03&page=" + "9" * 30])
def test_a_page_or_year_that_is_not_ascii_digits_in_range_answers_404(client, make, path):
    make.article("Grief", tags=("grief",))
    assert client.get(path).status_code == 404


@pytest.mark.parametrize("path", ["/?page=%C2%B9", "/series/?page=%C2%B9", "/tags/?page=" + "9" * 30])
def test_a_page_that_lists_no_pages_ignores_a_hostile_page_number(client, path):
    response = client.get(path)
    assert response.status_code == 200
    assert '<link rel="canonical" href="http://127.0.0.1:5000/' in response.get_data(as_text=True)


def test_a_page_number_in_unicode_digits_answers_a_json_400(client):
    response = client.get("/api/articles?page=%C2%B9")
    assert response.status_code == 400
    assert response.get_json() == {"error": "The page must be a positive whole number."}


@pytest.mark.parametrize("month", ["9999-12", "0000-00", "2025-13", "%C2%B9%C2%B2-01", "1899-12"])
def test_the_dashboard_shows_this_month_for_a_month_out_of_range(client, auth, month):
    auth.login("editor")
    response = client.get(f"/admin/?month={month}")
    assert response.status_code == 200
    assert "Editorial calendar:" in response.get_data(as_text=True)


def test_the_dashboard_goes_as_far_as_december_2200(client, auth):
    auth.login("editor")
    assert "Editorial calendar: December 2200" in client.get("/admin/?month=2200-12").get_data(as_text=True)


@pytest.mark.parametrize("old", ["%C2%B9", "9" * 30, "-1", "a%00"])
def test_comparing_with_a_revision_that_is_not_a_number_answers_404_or_400(client, auth, make, old):
    article_id = make.article("Grief", status=Status.DRAFT)
    auth.login("author")
    assert client.get(f"/admin/articles/{article_id}/compare?old={old}&new=1").status_code in (400, 404)


@pytest.mark.parametrize("path", ["/admin/articles/{huge}/edit", "/admin/articles/{huge}/history",
                                  "/admin/series/{huge}/parts", "/admin/articles/1/compare?old={huge}&new=1"])
def test_an_id_too_large_for_the_database_answers_404(client, auth, make, path):
    make.article("Grief", status=Status.DRAFT)
    auth.login("admin")
    assert client.get(path.format(huge="9" * 30)).status_code == 404


def _write(client, **fields):
    form = {"title": "Grief", "body_source": "Text.", "summary": "", "tags": "", "series": "", "series_part": "",
            "publish_at": "", "description": "", "version": "", "action": "save", **fields}
    token = csrf_token(client, "/admin/articles/write")
    return client.post("/admin/articles/write", data={**form, "csrf_token": token})


@pytest.mark.parametrize(("fields", "message"), [
    ({"title": "t" * 301}, "A title can be at most 300 characters long."),
    ({"tags": "grief, " + "t" * 201}, "A tag can be at most 200 characters long."),
    ({"series": "Grief", "series_part": str(2**40)}, "Part numbers go up to 10,000."),
    ({"publish_at": "9999-12-31T23:59"},
     "The date 9999-12-31 is out of range; dates must lie between 1900-01-01 and 2200-12-31."),
    ({"publish_at": "1899-12-31T23:59"}, "The date 1899-12-31 is out of range"),
])
def test_the_writing_screen_refuses_values_too_large_to_keep_on_their_field(client, auth, make, fields, message):
    make.series("Grief")
    auth.login("editor")
    response = _write(client, **fields)
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    assert make.scalars(select(Article)) == []


def test_a_draft_planned_for_2200_is_saved(client, auth):
    auth.login("author")
    assert _write(client, publish_at="2200-12-31T23:59").status_code == 302


def test_autosave_refuses_an_overlong_title_in_one_sentence(client, auth):
    auth.login("author")
    response = client.post("/admin/articles/autosave", data={
        "title": "t" * 301, "summary": "", "body_source": "",
        "csrf_token": csrf_token(client, "/admin/articles/write")})
    assert response.status_code == 400
    assert response.get_json() == {"error": "A title can be at most 300 characters long."}


def test_renumbering_parts_refuses_a_number_past_the_last_part(client, auth, make):
    series_id = make.series("Grief")
    article_id = make.article("Grief", status=Status.DRAFT, series_id=series_id)
    auth.login("editor")
    url = f"/admin/series/{series_id}/parts"
    response = client.post(url, data={f"part-{article_id}": str(2**40), "csrf_token": csrf_token(client, url)})
    assert response.status_code == 200
    assert "Give every part a whole number from 1 to 10,000." in response.get_data(as_text=True)
    assert make.get(Article, article_id).series_part == 1


def test_a_site_time_zone_name_too_long_for_a_file_is_refused_in_one_sentence(client, auth):
    auth.login("admin")
    url = "/admin/settings/time-zone"
    response = client.post(url, data={"zone": "x" * 5000, "csrf_token": csrf_token(client, url)})
    assert response.status_code == 422
    assert "is not a time zone; choose a city from the list" in response.get_data(as_text=True)

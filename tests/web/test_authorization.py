"""Who may reach which URL: a table per URL and role, and sweeps over every route in `app.url_map`.

The sweeps pick up routes as they are added: every back-office route refuses readers, and every route that
changes something refuses a POST without a CSRF token, whoever sends it. The table states the expected status
for each URL × method × role; new back-office screens add their rows to it.
"""

from __future__ import annotations

import io
import re
from urllib.parse import urlsplit

import pytest
from PIL import Image
from sqlalchemy import select
from werkzeug.routing import Rule
from werkzeug.routing.converters import NumberConverter

from cms import create_app
from cms.core.workflow import Status
from cms.extensions import db
from cms.models import Article, Page, StatusChange, Tag
from cms.services import articles, site as site_service, uploads, users
from tests.conftest import Auth, csrf_token
from tests.factories import NOW, Factories

ROLES = ("anonymous", "author", "editor", "admin")
#: Endpoints that readers may reach: public pages, feeds, JSON, static files, signing in and out.
READER_BLUEPRINTS = ("public", "feeds", "api", "auth", "health", "subscriptions")
READER_ENDPOINTS = ("static", "uploads.image")
OK, GONE, REFUSED = 200, 404, 403
SIGN_IN = 302  # a reader sent to /login
MOVED = 302  # done, or a screen this view does not offer: back to a list or the writing screen
UNFIT = 422  # allowed, and the empty form is refused for what it lacks
BAD = 400  # allowed, and the request is refused for what it lacks
#: Who may do what, per DESIGN.md's role table.
EVERYONE = (SIGN_IN, OK, OK, OK)
EDITORS = (SIGN_IN, REFUSED, OK, OK)
ADMINS = (SIGN_IN, REFUSED, REFUSED, OK)
OWN = EVERYONE  # the author's own draft
OTHERS = EDITORS  # someone else's article

#: URL, method -> expected status for anonymous, author, editor, admin. A URL's {names} are filled with the
#: rows of `site`: the author's own draft and its revision and preview link, another author's draft and its
#: revision and preview link, a tag, a series, a page, a user and the settings row. Every POST carries a valid
#: CSRF token and the form fields in FORMS, so what it shows is who may, not whether the form was forged.
MATRIX: dict[tuple[str, str], tuple[int, int, int, int]] = {
    ("/login", "GET"): (200, 302, 302, 302),  # the signed-in go on to the back office
    ("/healthz", "GET"): (OK, OK, OK, OK),
    ("/readyz", "GET"): (503, 503, 503, 503),  # the tests' tables come without migrations: not ready, for anyone
    ("/logout", "GET"): (OK, OK, OK, OK),  # asks before signing out
    ("/logout", "POST"): (302, 302, 302, 302),
    ("/admin/", "GET"): EVERYONE,
    ("/uploads", "POST"): (401, BAD, BAD, BAD),  # no image sent
    ("/uploads/0123456789abcdef0123456789abcdef.png", "GET"): (GONE, GONE, GONE, GONE),
    ("/preview/{own_token}", "GET"): (OK, OK, OK, OK),  # a private link is for people without an account
    ("/preview/unknown-token", "GET"): (GONE, GONE, GONE, GONE),
    # The writing screen and what can be done to one article.
    ("/admin/articles/write", "GET"): EVERYONE,
    ("/admin/articles/write", "POST"): (SIGN_IN, UNFIT, UNFIT, UNFIT),
    ("/admin/articles/{own}/edit", "GET"): OWN,
    ("/admin/articles/{other}/edit", "GET"): OTHERS,
    ("/admin/articles/{own}/edit", "POST"): (SIGN_IN, UNFIT, UNFIT, UNFIT),
    ("/admin/articles/{other}/edit", "POST"): (SIGN_IN, REFUSED, UNFIT, UNFIT),
    ("/admin/articles/{own}/history", "GET"): OWN,
    ("/admin/articles/{other}/history", "GET"): OTHERS,
    ("/admin/articles/{own}/compare?old={own_revision}&new={own_revision}", "GET"): OWN,
    ("/admin/articles/{other}/compare?old={other_revision}&new={other_revision}", "GET"): OTHERS,
    ("/admin/articles/{own}/preview", "GET"): OWN,
    ("/admin/articles/{other}/preview", "GET"): OTHERS,
    ("/admin/articles/{own}/revisions/{own_revision}/restore", "POST"): (SIGN_IN, MOVED, MOVED, MOVED),
    ("/admin/articles/{other}/revisions/{other_revision}/restore", "POST"): (SIGN_IN, REFUSED, MOVED, MOVED),
    ("/admin/articles/{own}/preview-links", "POST"): (SIGN_IN, MOVED, MOVED, MOVED),
    ("/admin/articles/{other}/preview-links", "POST"): (SIGN_IN, REFUSED, MOVED, MOVED),
    ("/admin/articles/{own}/preview-links/{own_link}/revoke", "POST"): (SIGN_IN, MOVED, MOVED, MOVED),
    ("/admin/articles/{other}/preview-links/{other_link}/revoke", "POST"): (SIGN_IN, REFUSED, MOVED, MOVED),
    ("/admin/articles/{own}/related/{other}/pin", "POST"): (SIGN_IN, MOVED, MOVED, MOVED),
    ("/admin/articles/{other}/related/{own}/pin", "POST"): (SIGN_IN, REFUSED, MOVED, MOVED),
    ("/admin/articles/{own}/related/{other}/exclude", "POST"): (SIGN_IN, MOVED, MOVED, MOVED),
    ("/admin/articles/{other}/related/{own}/exclude", "POST"): (SIGN_IN, REFUSED, MOVED, MOVED),
    ("/admin/articles/{own}/related/{other}/release", "POST"): (SIGN_IN, MOVED, MOVED, MOVED),
    ("/admin/articles/{other}/related/{own}/release", "POST"): (SIGN_IN, REFUSED, MOVED, MOVED),
    ("/admin/articles/autosave", "POST"): EVERYONE,
    ("/admin/articles/autosave?of=own", "POST"): OWN,
    ("/admin/articles/autosave?of=other", "POST"): OTHERS,
    ("/admin/articles/autosave/discard", "POST"): (SIGN_IN, MOVED, MOVED, MOVED),
    ("/admin/articles/render", "POST"): EVERYONE,
    ("/admin/articles/series-titles?q=grief", "GET"): EVERYONE,
    # Flask-Admin's article list: everyone signed in, authors see their own; its other screens are not offered.
    ("/admin/articles/", "GET"): EVERYONE,
    ("/admin/articles/action/", "POST"): (SIGN_IN, MOVED, MOVED, MOVED),
    ("/admin/articles/ajax/lookup/?name=author&query=a", "GET"): (SIGN_IN, GONE, GONE, GONE),  # no lookups
    ("/admin/articles/ajax/update/", "POST"): (SIGN_IN, GONE, GONE, GONE),  # no editing in the list
    ("/admin/articles/delete/", "POST"): (SIGN_IN, MOVED, MOVED, MOVED),
    ("/admin/articles/details/?id={own}", "GET"): (SIGN_IN, MOVED, MOVED, MOVED),
    ("/admin/articles/edit/?id={own}", "GET"): (SIGN_IN, MOVED, MOVED, MOVED),
    ("/admin/articles/edit/?id={own}", "POST"): (SIGN_IN, MOVED, MOVED, MOVED),
    ("/admin/articles/export/csv/", "GET"): (SIGN_IN, MOVED, MOVED, MOVED),
    ("/admin/articles/new/", "GET"): (SIGN_IN, MOVED, MOVED, MOVED),
    ("/admin/articles/new/", "POST"): (SIGN_IN, MOVED, MOVED, MOVED),
    # Series, tags and pages: editors (no deleting, no details, no CSV export; tags are not created here).
    ("/admin/series/", "GET"): EDITORS,
    ("/admin/series/action/", "POST"): (SIGN_IN, REFUSED, MOVED, MOVED),
    ("/admin/series/ajax/lookup/?name=x&query=a", "GET"): (SIGN_IN, REFUSED, GONE, GONE),
    ("/admin/series/ajax/update/", "POST"): (SIGN_IN, REFUSED, GONE, GONE),
    ("/admin/series/delete/", "POST"): (SIGN_IN, REFUSED, MOVED, MOVED),
    ("/admin/series/details/?id={series}", "GET"): (SIGN_IN, REFUSED, MOVED, MOVED),
    ("/admin/series/edit/?id={series}", "GET"): EDITORS,
    ("/admin/series/edit/?id={series}", "POST"): EDITORS,
    ("/admin/series/export/csv/", "GET"): (SIGN_IN, REFUSED, MOVED, MOVED),
    ("/admin/series/new/", "GET"): EDITORS,
    ("/admin/series/new/", "POST"): EDITORS,
    ("/admin/tags/", "GET"): EDITORS,
    ("/admin/tags/action/", "POST"): (SIGN_IN, REFUSED, MOVED, MOVED),
    ("/admin/tags/ajax/lookup/?name=x&query=a", "GET"): (SIGN_IN, REFUSED, GONE, GONE),
    ("/admin/tags/ajax/update/", "POST"): (SIGN_IN, REFUSED, GONE, GONE),
    ("/admin/tags/delete/", "POST"): (SIGN_IN, REFUSED, MOVED, MOVED),
    ("/admin/tags/details/?id={tag}", "GET"): (SIGN_IN, REFUSED, MOVED, MOVED),
    ("/admin/tags/edit/?id={tag}", "GET"): EDITORS,
    ("/admin/tags/edit/?id={tag}", "POST"): EDITORS,
    ("/admin/tags/export/csv/", "GET"): (SIGN_IN, REFUSED, MOVED, MOVED),
    ("/admin/tags/new/", "GET"): (SIGN_IN, REFUSED, MOVED, MOVED),
    ("/admin/tags/new/", "POST"): (SIGN_IN, REFUSED, MOVED, MOVED),
    ("/admin/pages/", "GET"): EDITORS,
    ("/admin/pages/action/", "POST"): (SIGN_IN, REFUSED, MOVED, MOVED),
    ("/admin/pages/ajax/lookup/?name=x&query=a", "GET"): (SIGN_IN, REFUSED, GONE, GONE),
    ("/admin/pages/ajax/update/", "POST"): (SIGN_IN, REFUSED, GONE, GONE),
    ("/admin/pages/delete/", "POST"): (SIGN_IN, REFUSED, MOVED, MOVED),
    ("/admin/pages/details/?id={page}", "GET"): (SIGN_IN, REFUSED, MOVED, MOVED),
    ("/admin/pages/edit/?id={page}", "GET"): (SIGN_IN, REFUSED, MOVED, MOVED),  # to its writing screen
    ("/admin/pages/edit/?id={page}", "POST"): (SIGN_IN, REFUSED, MOVED, MOVED),
    ("/admin/pages/export/csv/", "GET"): (SIGN_IN, REFUSED, MOVED, MOVED),
    ("/admin/pages/new/", "GET"): (SIGN_IN, REFUSED, MOVED, MOVED),
    ("/admin/pages/new/", "POST"): (SIGN_IN, REFUSED, MOVED, MOVED),
    # A page's writing screen, preview and history: editors.
    ("/admin/pages/write", "GET"): EDITORS,
    ("/admin/pages/write", "POST"): (SIGN_IN, REFUSED, UNFIT, UNFIT),  # no title sent
    ("/admin/pages/{page}/edit", "GET"): EDITORS,
    ("/admin/pages/{page}/edit", "POST"): (SIGN_IN, REFUSED, UNFIT, UNFIT),
    ("/admin/pages/{page}/preview", "GET"): EDITORS,
    ("/admin/pages/{page}/history", "GET"): EDITORS,
    ("/admin/pages/{page}/compare?old={page_revision}&new={page_revision}", "GET"): EDITORS,
    ("/admin/pages/{page}/revisions/{page_revision}/restore", "POST"): (SIGN_IN, REFUSED, MOVED, MOVED),
    # Users and site settings: admins (settings lead straight to the one row's form).
    ("/admin/users/", "GET"): ADMINS,
    ("/admin/users/action/", "POST"): (SIGN_IN, REFUSED, REFUSED, MOVED),
    ("/admin/users/ajax/lookup/?name=x&query=a", "GET"): (SIGN_IN, REFUSED, REFUSED, GONE),
    ("/admin/users/ajax/update/", "POST"): (SIGN_IN, REFUSED, REFUSED, GONE),
    ("/admin/users/delete/", "POST"): (SIGN_IN, REFUSED, REFUSED, MOVED),
    ("/admin/users/details/?id={user}", "GET"): (SIGN_IN, REFUSED, REFUSED, MOVED),
    ("/admin/users/edit/?id={user}", "GET"): ADMINS,
    ("/admin/users/edit/?id={user}", "POST"): ADMINS,
    ("/admin/users/export/csv/", "GET"): (SIGN_IN, REFUSED, REFUSED, MOVED),
    ("/admin/users/new/", "GET"): ADMINS,
    ("/admin/users/new/", "POST"): ADMINS,
    # Your sessions: everyone's own; ending one that is not theirs (or gone) changes nothing.
    ("/admin/sessions/", "GET"): EVERYONE,
    ("/admin/sessions/sign-out-others", "POST"): (SIGN_IN, MOVED, MOVED, MOVED),
    ("/admin/sessions/999999/end", "POST"): (SIGN_IN, MOVED, MOVED, MOVED),
    # Your profile: everyone's own.
    ("/admin/profile/", "GET"): EVERYONE,
    ("/admin/profile/", "POST"): (SIGN_IN, MOVED, MOVED, MOVED),  # saved, back to the profile
    ("/admin/settings/time-zone", "GET"): ADMINS,
    ("/admin/settings/time-zone", "POST"): (SIGN_IN, REFUSED, REFUSED, UNFIT),  # no zone sent
    ("/admin/settings/", "GET"): (SIGN_IN, REFUSED, REFUSED, MOVED),
    ("/admin/settings/action/", "POST"): (SIGN_IN, REFUSED, REFUSED, MOVED),
    ("/admin/settings/ajax/lookup/?name=x&query=a", "GET"): (SIGN_IN, REFUSED, REFUSED, GONE),
    ("/admin/settings/ajax/update/", "POST"): (SIGN_IN, REFUSED, REFUSED, GONE),
    ("/admin/settings/delete/", "POST"): (SIGN_IN, REFUSED, REFUSED, MOVED),
    ("/admin/settings/details/?id={settings}", "GET"): (SIGN_IN, REFUSED, REFUSED, MOVED),
    ("/admin/settings/edit/?id={settings}", "GET"): ADMINS,
    ("/admin/settings/edit/?id={settings}", "POST"): (SIGN_IN, REFUSED, REFUSED, OK),  # fields missing: form again
    ("/admin/settings/export/csv/", "GET"): (SIGN_IN, REFUSED, REFUSED, MOVED),
    ("/admin/settings/new/", "GET"): (SIGN_IN, REFUSED, REFUSED, MOVED),
    ("/admin/settings/new/", "POST"): (SIGN_IN, REFUSED, REFUSED, MOVED),
    # Series parts and tag merging: editors.
    ("/admin/series/{series}/parts", "GET"): EDITORS,
    ("/admin/series/{series}/parts", "POST"): (SIGN_IN, REFUSED, MOVED, MOVED),
    ("/admin/tags/merge", "GET"): EDITORS,
    ("/admin/tags/merge", "POST"): EDITORS,  # no tags chosen: the form again
    # Import and export: admins.
    ("/admin/transfer/", "GET"): ADMINS,
    ("/admin/transfer/check", "POST"): (SIGN_IN, REFUSED, REFUSED, BAD),  # no file sent
    ("/admin/transfer/confirm", "POST"): (SIGN_IN, REFUSED, REFUSED, MOVED),  # nothing checked before
    ("/admin/transfer/export", "GET"): ADMINS,
    # The media screen: everyone signed in, authors see and change their own uploads. {media} belongs to
    # another author and is that author's draft's featured image, so deleting it is refused for everyone.
    ("/admin/media/", "GET"): EVERYONE,
    ("/admin/media/upload", "POST"): (SIGN_IN, MOVED, MOVED, MOVED),  # no file sent: back to the list
    ("/admin/media/{media}/alt", "POST"): (SIGN_IN, REFUSED, MOVED, MOVED),
    ("/admin/media/{media}/delete", "POST"): (SIGN_IN, REFUSED, MOVED, MOVED),
    # Subscribers: personal data, admins only; deleting one already gone goes back to the list.
    ("/admin/subscribers/", "GET"): ADMINS,
    ("/admin/subscribers/export.csv", "GET"): ADMINS,
    ("/admin/subscribers/999999/delete", "POST"): (SIGN_IN, REFUSED, REFUSED, MOVED),
}
#: Form fields a POST sends besides its CSRF token, by URL; `of` names the article it works on.
FORMS = {
    "/admin/articles/autosave?of=own": {"article_id": "{own}", "title": "Typed"},
    "/admin/articles/autosave?of=other": {"article_id": "{other}", "title": "Typed"},
}


def _is_back_office(rule: Rule) -> bool:
    if rule.endpoint in READER_ENDPOINTS or rule.endpoint.endswith(".static"):
        return False
    return rule.endpoint.split(".")[0] not in READER_BLUEPRINTS


def _example_url(rule: Rule) -> str:
    """The rule's path with every variable filled by a value of its type; access is checked before lookups."""
    values = {name: 1 if isinstance(converter, NumberConverter) else "x"
              for name, converter in rule._converters.items()}
    return rule.build(values, append_unknown=False)[1]


def _rules(predicate) -> list[tuple[str, str]]:
    app = create_app({"TESTING": True, "SECRET_KEY": "x", "SQLALCHEMY_DATABASE_URI": "sqlite://"})
    found = set()
    for rule in app.url_map.iter_rules():
        for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"}):
            if predicate(rule, method):
                found.add((_example_url(rule), method))
    return sorted(found)


BACK_OFFICE = _rules(lambda rule, method: _is_back_office(rule))
#: POSTs that take no CSRF token, on purpose: the subscribe form on cached public pages (a forged one can only
#: make us send a confirmation), and RFC 8058's one-click unsubscribe, authorized by its signed link.
WITHOUT_CSRF = {("/subscribe", "POST"), ("/subscriptions/unsubscribe/x", "POST")}
CHANGING = _rules(lambda rule, method: method in ("POST", "PUT", "PATCH", "DELETE"))
CHECKED_CHANGES = [change for change in CHANGING if change not in WITHOUT_CSRF]


def _client_as(role: str, client, auth):
    """The client signed in as `role`, by the session the sign-in form starts: signing in is not what these test
    (tests/web/test_auth.py does)."""
    if role != "anonymous":
        auth.start_session(role)
    return client


@pytest.fixture
def site(prebuilt) -> dict[str, int | str]:
    """The rows the matrix's URLs name and an account for each role, each made through the factories and
    services."""
    return prebuilt(_build_site)


def _build_site(make: Factories) -> dict[str, int | str]:
    app = make.app
    own = make.article("My own draft", status=Status.DRAFT, tags=("grief",))  # by author@example.com
    other = make.article("Someone else's draft", status=Status.DRAFT, author_email="other@example.com")
    for role in ROLES[2:]:
        make.user(role)
    with app.app_context():
        values: dict[str, int | str] = {"own": own, "other": other, "series": make.series(), "page": make.page()}
        for name, ident in (("own", own), ("other", other)):
            article = db.session.get(Article, ident)
            values[f"{name}_revision"] = article.revisions[-1].id
            link = articles.create_preview_link(article, by=article.author, now=NOW)
            values[f"{name}_link"], values[f"{name}_token"] = link.id, link.token
        values["page_revision"] = db.session.get(Page, values["page"]).revisions[0].id
        values["tag"] = db.session.scalar(select(Tag.id))
        values["user"] = users.find_by_email("other@example.com").id
        values["settings"] = site_service.settings().id
        other_article = db.session.get(Article, other)
        picture = uploads.save(io.BytesIO(_png()), by=other_article.author, now=NOW, filename="other.png",
                               max_bytes=10**6, max_pixels=10**6, max_animation_pixels=10**6)
        other_article.featured_media = picture
        values["media"] = picture.id
        db.session.commit()
    return values


def _png() -> bytes:
    output = io.BytesIO()
    Image.new("RGB", (20, 10), "teal").save(output, format="PNG")
    return output.getvalue()


@pytest.mark.parametrize("url, method", sorted(MATRIX))
def test_the_matrix(app, make, site, url, method):
    """Each role with its own client on the same rows; no request in the table changes what the next role gets."""
    observed = []
    for role in ROLES:
        client = app.test_client()
        _client_as(role, client, Auth(client, make))
        data = None
        if method != "GET":
            form = {name: value.format_map(site) for name, value in FORMS.get(url, {}).items()}
            page = "/login" if role == "anonymous" else "/logout"  # a form everyone reaches (signing out asks)
            data = {**form, "csrf_token": csrf_token(client, page)}
        response = client.open(url.format_map(site), method=method, data=data)
        observed.append(response.status_code)
        if response.status_code == SIGN_IN and role == "anonymous" and url.startswith("/admin"):
            assert response.location.startswith("/login")
    assert dict(zip(ROLES, observed, strict=True)) == dict(zip(ROLES, MATRIX[url, method], strict=True))


def test_the_matrix_has_a_row_for_every_back_office_route():
    app = create_app({"TESTING": True, "SECRET_KEY": "x", "SQLALCHEMY_DATABASE_URI": "sqlite://"})
    adapter = app.url_map.bind("localhost")
    placeholders = _Placeholders()
    covered = {(adapter.match(urlsplit(url.format_map(placeholders)).path, method)[0], method)
               for url, method in MATRIX}
    routes = {(rule.endpoint, method) for rule in app.url_map.iter_rules()
              if _is_back_office(rule) or rule.endpoint == "auth.logout"
              for method in (rule.methods or set()) - {"HEAD", "OPTIONS"}}
    assert routes - covered == set()


class _Placeholders(dict):
    def __missing__(self, key: str) -> int:
        return 1


def test_the_sweeps_see_the_back_office_and_every_form():
    assert set(CHANGING) >= WITHOUT_CSRF
    assert ("/admin/", "GET") in BACK_OFFICE and ("/uploads", "POST") in BACK_OFFICE
    assert {("/login", "POST"), ("/logout", "POST"), ("/uploads", "POST")} <= set(CHANGING)


@pytest.mark.parametrize("url, method", BACK_OFFICE)
def test_readers_never_get_into_the_back_office(client, url, method):
    token = {"csrf_token": _token(client)} if method != "GET" else None
    response = client.open(url, method=method, data=token)
    refused = response.status_code in (401, 403, 404, 405) or (
        response.status_code == 302 and response.location.startswith("/login"))
    assert refused, f"{method} {url} answered a reader {response.status_code}"


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("url, method", CHECKED_CHANGES)
def test_a_change_without_a_csrf_token_is_refused(client, auth, url, method, role):
    response = _client_as(role, client, auth).open(url, method=method, data={"anything": "1"})
    assert response.status_code == 400, f"{method} {url} as {role} answered {response.status_code}"
    if role != "anonymous":
        assert client.get("/admin/").status_code == 200  # still signed in: nothing happened


def _token(client) -> str:
    return csrf_token(client, "/login")


# One way through: whichever door moves an article, the move is `articles.change_status`.

MARKDOWN = b"---\ntitle: Letting Go of Resentment\nstatus: published\npublish_at: 2025-02-11T09:00:00\n---\n\nText.\n"


def _through_the_writing_screen(app, client, auth, tmp_path) -> None:
    auth.login("editor")
    url = "/admin/articles/write"
    response = client.post(url, data={"title": "Letting Go of Resentment", "body_source": "Text.", "summary": "",
                                      "tags": "", "series": "", "series_part": "", "publish_at": "", "slug": "",
                                      "description": "", "action": "published", "csrf_token": csrf_token(client, url)})
    assert response.status_code == 302


def _through_the_back_office_import(app, client, auth, tmp_path) -> None:
    app.config["IMPORT_FOLDER"] = str(tmp_path / "imports")
    auth.login("admin")
    checked = client.post("/admin/transfer/check", content_type="multipart/form-data",
                          data={"csrf_token": csrf_token(client, "/admin/transfer/"),
                                "file": (io.BytesIO(MARKDOWN), "resentment.md")})
    token = re.search(r'name="token" type="hidden" value="([^"]+)"', checked.get_data(as_text=True))[1]
    confirmed = client.post("/admin/transfer/confirm", data={"csrf_token": csrf_token(client, "/admin/transfer/"),
                                                             "token": token})
    assert confirmed.status_code == 302


def _through_the_import_command(app, client, auth, tmp_path) -> None:
    Factories(app).user("admin")
    (tmp_path / "resentment.md").write_bytes(MARKDOWN)
    result = app.test_cli_runner().invoke(args=["cms", "import", str(tmp_path / "resentment.md")])
    assert result.exit_code == 0, result.output


def _through_the_demo_command(app, client, auth, tmp_path) -> None:
    result = app.test_cli_runner().invoke(args=["cms", "demo"])
    assert result.exit_code == 0, result.output


@pytest.mark.parametrize("entrance", [_through_the_writing_screen, _through_the_back_office_import,
                                      _through_the_import_command, _through_the_demo_command])
def test_every_entrance_moves_articles_through_the_one_service(app, client, auth, tmp_path, monkeypatch, entrance):
    """Each move is recorded as a StatusChange; every one kept was made by `articles.change_status`.

    A check before an import runs the import and rolls it back, so the service may be called more often than
    rows are kept.
    """
    made = []
    change_status = articles.change_status

    def spy(*arguments, **keywords):
        change = change_status(*arguments, **keywords)
        made.append(change.id)
        return change

    monkeypatch.setattr(articles, "change_status", spy)
    entrance(app, client, auth, tmp_path)
    with app.app_context():
        recorded = db.session.scalars(select(StatusChange.id)).all()
        published = db.session.scalars(select(Article.id).where(Article.status == Status.PUBLISHED)).all()
    assert published and recorded
    assert set(recorded) <= set(made)

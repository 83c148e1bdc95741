"""The writing screen through the test client: roles, scheduling, history, conflicts, bad input, previews."""

from __future__ import annotations

import html
import re
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import event, func, select

from cms.core import clock
from cms.core.workflow import Status
from cms.extensions import db
from cms.models import Article, Autosave, PreviewToken, Redirect, Revision, StatusChange
from cms.services import articles
from tests.conftest import Auth, csrf_token
from tests.web.test_page_cache import counted_queries

WRITE = "/admin/articles/write"


def edit_url(article_id: int) -> str:
    return f"/admin/articles/{article_id}/edit"


def page_of(response) -> str:
    return response.get_data(as_text=True)


def field_value(page: str, name: str) -> str:
    match = re.search(rf'<input[^>]*name="{name}"[^>]*value="([^"]*)"', page)
    assert match, f"no input {name}"
    return html.unescape(match.group(1))


def errors(page: str) -> dict[str, str]:
    """Each field's error message, keyed by field id."""
    return {key: html.unescape(text) for key, text in
            re.findall(r'<p class="field-error" id="([a-z_]+)-error">([^<]+)</p>', page)}


def submit(client, url: str, action: str = "save", **fields) -> object:
    """Post the writing screen as a browser would: every field, the loaded version, the button pressed."""
    page = page_of(client.get(url))
    data = {"title": "Letting Go of Resentment", "body_source": "Some *Markdown*.", "summary": "", "tags": "",
            "series": "", "series_part": "", "publish_at": "", "slug": "", "description": "",
            "is_autolink_enabled": "y"}
    if field_value(page, "version"):  # an article being edited: what the screen shows
        for name in ("title", "slug", "tags", "series", "series_part", "publish_at", "description", "version"):
            data[name] = field_value(page, name)
        for name in ("body_source", "summary"):
            data[name] = html.unescape(re.search(rf'<textarea[^>]*name="{name}"[^>]*>\n?(.*?)</textarea>', page,
                                                 re.DOTALL).group(1))
    data.update(fields, action=action, csrf_token=csrf_token(client, url))
    return client.post(url, data=data)


def created_id(response) -> int:
    assert response.status_code == 302, page_of(response)
    return int(re.search(r"/admin/articles/(\d+)/edit", response.location).group(1))


def test_writing_needs_sign_in(client):
    response = client.get(WRITE)
    assert response.status_code == 302 and response.location.startswith("/login")


def test_writing_screen_labels_every_field_and_names_the_zone(client, auth):
    auth.login("author")
    page = page_of(client.get(WRITE))
    for label in ("Title", "Body", "Summary", "Tags", "Series", "Part", "Publish at", "Slug", "SEO description",
                  "Link mentions of other articles"):
        assert re.search(rf"<label for=\"\w+\">{label}</label>", page), label
    assert "New York time." in page  # the zone named by its city
    assert "<script>" not in page and 'src="/static/js/editor.js?v=' in page


def test_buttons_follow_the_role(client, auth):
    auth.login("author")
    buttons = re.findall(r'<button type="submit" name="action" value="\w+"[^>]*>([^<]+)</button>',
                         page_of(client.get(WRITE)))
    assert buttons == ["Save draft", "Submit for review"]


def test_editor_gets_schedule_and_publish_buttons(client, auth):
    auth.login("editor")
    buttons = re.findall(r'<button type="submit" name="action" value="\w+"[^>]*>([^<]+)</button>',
                         page_of(client.get(WRITE)))
    assert buttons == ["Save draft", "Submit for review", "Schedule", "Publish now"]


def test_author_writes_a_draft_in_markdown_with_tags(app, client, auth):
    auth.login("author")
    article_id = created_id(submit(client, WRITE, body_source="# Part one\n\nThe *bond*.",
                                   tags="grief, Mother daughter"))
    with app.app_context():
        article = db.session.get(Article, article_id)
        assert article.status is Status.DRAFT and article.slug == "letting-go-of-resentment"
        assert article.body_html == "<h2>Part one</h2>\n<p>The <em>bond</em>.</p>"
        assert sorted(tag.name for tag in article.tags) == ["Mother daughter", "grief"]
        assert len(article.revisions) == 1 and article.revisions[0].author.email == "author@example.com"
    page = page_of(client.get(edit_url(article_id)))
    assert "is saved" in page and set(field_value(page, "tags").split(", ")) == {"grief", "Mother daughter"}


@pytest.mark.parametrize("action", ["scheduled", "published"])
def test_author_cannot_publish_or_schedule(app, client, auth, make, action):
    auth.login("author")
    article_id = make.article("Mine", status=Status.DRAFT)
    response = submit(client, edit_url(article_id), action=action, title="Changed",
                      publish_at="2030-01-01T09:00")
    assert response.status_code == 403
    assert "Only an editor or an admin" in page_of(response)
    article = make.get(Article, article_id)
    assert article.status is Status.DRAFT and article.title == "Mine"


def test_author_cannot_publish_a_new_article_either(app, client, auth):
    auth.login("author")
    assert submit(client, WRITE, action="published").status_code == 403
    with app.app_context():
        assert db.session.scalars(select(Article)).all() == []


def test_author_cannot_open_someone_elses_article(client, auth, make):
    article_id = make.article("Hers", status=Status.DRAFT, author_email="other@example.com")
    auth.login("author")
    assert client.get(edit_url(article_id)).status_code == 403
    assert client.get(f"/admin/articles/{article_id}/history").status_code == 403


def test_author_submits_for_review_and_editor_schedules_in_site_time(app, client, auth, make, monkeypatch):
    monkeypatch.setattr(clock, "now", lambda: datetime(2030, 2, 1, 12, tzinfo=UTC))
    auth.login("author")
    article_id = created_id(submit(client, WRITE, action="review", publish_at="2030-02-12T09:00"))
    editor = client.application.test_client()
    Auth(editor, make).login("editor")
    response = submit(editor, edit_url(article_id), action="scheduled")
    assert response.status_code == 302
    article = make.get(Article, article_id)
    assert article.status is Status.SCHEDULED
    assert article.publish_at == datetime(2030, 2, 12, 14, tzinfo=UTC)  # 9:00 in New York is 14:00 UTC
    page = page_of(editor.get(edit_url(article_id)))
    assert "is scheduled for 12 February 2030, 09:00 EST" in page
    assert field_value(page, "publish_at") == "2030-02-12T09:00"
    history = page_of(editor.get(f"/admin/articles/{article_id}/history"))
    rows = re.findall(r"<tr>\s*<td>([^<]+)</td>\s*<td>([^<]+)</td>\s*<td>(\w+)</td>\s*<td>(\w+)</td>", history)
    assert [(who, old, new) for _when, who, old, new in rows] == [("Editor", "review", "scheduled"),
                                                                  ("Author", "draft", "review")]
    assert rows[0][0] == "1 February 2030, 07:00 EST"


def test_scheduled_article_is_absent_until_its_time(client, auth, make, monkeypatch):
    monkeypatch.setattr(clock, "now", lambda: datetime(2030, 2, 1, 12, tzinfo=UTC))
    auth.login("editor")
    article_id = created_id(submit(client, WRITE, action="scheduled", publish_at="2030-02-12T09:00"))
    slug = make.get(Article, article_id).slug
    assert client.get(f"/articles/{slug}").status_code == 404
    monkeypatch.setattr(clock, "now", lambda: datetime(2030, 2, 12, 13, 59, 59, tzinfo=UTC))
    assert client.get(f"/articles/{slug}").status_code == 404
    monkeypatch.setattr(clock, "now", lambda: datetime(2030, 2, 12, 14, tzinfo=UTC))
    assert client.get(f"/articles/{slug}").status_code == 200


def test_editor_reschedules_then_pulls_back_to_draft(app, client, auth, make, monkeypatch):
    monkeypatch.setattr(clock, "now", lambda: datetime(2030, 2, 1, 12, tzinfo=UTC))
    auth.login("editor")
    article_id = created_id(submit(client, WRITE, action="scheduled", publish_at="2030-02-12T09:00"))
    page = page_of(client.get(edit_url(article_id)))
    assert ">Reschedule</button>" in page and ">Back to draft</button>" in page
    submit(client, edit_url(article_id), publish_at="2030-02-19T09:00")  # a new time, saved, is a reschedule
    assert make.get(Article, article_id).publish_at == datetime(2030, 2, 19, 14, tzinfo=UTC)
    submit(client, edit_url(article_id), action="draft")
    article = make.get(Article, article_id)
    assert article.status is Status.DRAFT and article.published_at is None
    with app.app_context():
        moves = db.session.execute(select(StatusChange.from_status, StatusChange.to_status)
                                   .where(StatusChange.article_id == article_id).order_by(StatusChange.id)).all()
    assert moves == [(Status.DRAFT, Status.SCHEDULED), (Status.SCHEDULED, Status.SCHEDULED),
                     (Status.SCHEDULED, Status.DRAFT)]


def test_scheduling_in_the_past_is_refused_on_its_field(app, client, auth, monkeypatch):
    monkeypatch.setattr(clock, "now", lambda: datetime(2030, 2, 1, 12, tzinfo=UTC))
    auth.login("editor")
    response = submit(client, WRITE, action="scheduled", publish_at="2030-01-01T09:00", body_source="Kept.")
    assert response.status_code == 422
    assert errors(page_of(response)) == {"publish_at": "To schedule, choose a publish time in the future."}
    assert "Kept." in page_of(response)
    with app.app_context():
        assert db.session.scalars(select(Article)).all() == []


def test_publish_now_makes_the_article_live(client, auth, make):
    auth.login("editor")
    article_id = created_id(submit(client, WRITE, action="published"))
    assert make.get(Article, article_id).status is Status.PUBLISHED
    assert client.get("/articles/letting-go-of-resentment").status_code == 200
    assert submit(client, edit_url(article_id), body_source="Edited live.").status_code == 302  # time untouched


def test_bad_input_comes_back_with_one_message_per_field_and_the_text_kept(app, client, auth, make):
    series_id = make.series("Mother–Daughter Relationships")
    make.article("Life Stages", status=Status.DRAFT, series_id=series_id, series_part=1)
    auth.login("editor")
    response = submit(client, WRITE, title="  ", body_source="My long text.", publish_at="next tuesday",
                      series="No Such Series", series_part="1")
    assert response.status_code == 422
    page = page_of(response)
    assert errors(page) == {
        "title": "Give the article a title.",
        "publish_at": "Enter a date and time like 2025-02-11 09:00.",
        "series": ("There is no series called “No Such Series”; to start it, give its name under “Or create a new "
                   "series”."),
    }
    assert "My long text." in page and field_value(page, "publish_at") == "next tuesday"
    response = submit(client, WRITE, series="Mother–Daughter Relationships", series_part="two")
    assert errors(page_of(response)) == {"series_part": "The part is a whole number, like 2."}
    response = submit(client, WRITE, series="Mother–Daughter Relationships", series_part="1")
    assert errors(page_of(response)) == {"series_part": "Part 1 of “Mother–Daughter Relationships” is "
                                                        "already “Life Stages”."}
    assert field_value(page_of(response), "series_part") == "1"
    with app.app_context():
        assert len(db.session.scalars(select(Article)).all()) == 1


def test_series_and_next_part(client, auth, make):
    series_id = make.series("Mother–Daughter Relationships")
    make.article("Life Stages", status=Status.DRAFT, series_id=series_id, series_part=1)
    auth.login("editor")
    article_id = created_id(submit(client, WRITE, series="mother–daughter relationships"))
    article = make.get(Article, article_id)
    assert (article.series_id, article.series_part) == (series_id, 2)


def test_slug_is_made_from_the_title_and_a_live_change_redirects(app, client, auth, make):
    make.article("Letting Go of Resentment", status=Status.DRAFT, author_email="other@example.com")
    auth.login("editor")
    article_id = created_id(submit(client, WRITE, action="published"))
    assert make.get(Article, article_id).slug == "letting-go-of-resentment-2"
    response = submit(client, edit_url(article_id), slug="letting-go")
    assert response.status_code == 302
    old = client.get("/articles/letting-go-of-resentment-2")
    assert old.status_code == 301 and old.location.endswith("/articles/letting-go")
    response = submit(client, edit_url(article_id), slug="letting-go-of-resentment")
    assert errors(page_of(response)) == {"slug": "The slug 'letting-go-of-resentment' is already used by "
                                                 "“Letting Go of Resentment”."}


def test_second_session_is_refused_and_its_text_survives(app, client, auth, make):
    auth.login("editor")
    article_id = created_id(submit(client, WRITE, body_source="First text."))
    other = client.application.test_client()
    Auth(other, make).login("admin")
    first_page, second_page = page_of(client.get(edit_url(article_id))), page_of(other.get(edit_url(article_id)))
    loaded = field_value(first_page, "version")
    assert field_value(second_page, "version") == loaded
    token = csrf_token(client, edit_url(article_id))
    base = {"title": "Letting Go of Resentment", "summary": "", "tags": "", "series": "", "series_part": "",
            "publish_at": "", "slug": "", "description": "", "action": "save", "version": loaded}
    assert client.post(edit_url(article_id), data={**base, "body_source": "Editor's text.",
                                                   "csrf_token": token}).status_code == 302
    response = other.post(edit_url(article_id), data={**base, "body_source": "Admin's text.",
                                                      "csrf_token": csrf_token(other, edit_url(article_id))})
    assert response.status_code == 409
    page = page_of(response)
    assert "This article was saved by Editor (editor) while you were editing" in page
    assert "Admin&#39;s text." in page  # still in the form
    assert field_value(page, "version") != loaded  # saving again replaces theirs, knowingly
    compare = re.search(r'<a href="([^"]+)">Compare the saved text with yours</a>', page).group(1)
    assert "<del>Editor</del><ins>Admin</ins>&#39;s text." in page_of(client.get(html.unescape(compare)))
    with app.app_context():
        article = db.session.get(Article, article_id)
        assert article.body_source == "Editor's text."
        kept = article.revisions[-1]
        assert kept.body_source == "Admin's text." and kept.note == articles.NOT_APPLIED
    retry = other.post(edit_url(article_id), data={**base, "version": field_value(page, "version"),
                                                   "body_source": "Admin's text.",
                                                   "csrf_token": csrf_token(other, edit_url(article_id))})
    assert retry.status_code == 302
    assert make.get(Article, article_id).body_source == "Admin's text."


def test_a_save_racing_another_is_kept_as_a_conflict(app, client, auth, make, monkeypatch):
    """The version check in the database (StaleDataError) catches what the form's version cannot."""
    auth.login("editor")
    article_id = created_id(submit(client, WRITE, body_source="First text."))
    original = articles.update

    def someone_saves_first(article, data, **kwargs):
        with db.engine.begin() as connection:  # another process, between our read and our write
            connection.execute(Article.__table__.update().where(Article.id == article.id)
                               .values(version=Article.version + 1, body_source="Theirs."))
        return original(article, data, **kwargs)

    monkeypatch.setattr(articles, "update", someone_saves_first)
    response = submit(client, edit_url(article_id), body_source="Mine.")
    assert response.status_code == 409
    with app.app_context():
        article = db.session.get(Article, article_id)
        assert article.body_source == "Theirs."
        assert article.revisions[-1].body_source == "Mine." and article.revisions[-1].note == articles.NOT_APPLIED


def test_restore_brings_back_an_old_body_and_keeps_the_newer_one(app, client, auth):
    auth.login("author")
    article_id = created_id(submit(client, WRITE, body_source="The first version."))
    submit(client, edit_url(article_id), body_source="The second version.")
    with app.app_context():
        first, _second = db.session.get(Article, article_id).revisions
        first_id = first.id
    history = page_of(client.get(f"/admin/articles/{article_id}/history"))
    assert "Restore revision 1" in history
    response = client.post(f"/admin/articles/{article_id}/revisions/{first_id}/restore",
                           data={"csrf_token": csrf_token(client, f"/admin/articles/{article_id}/history")})
    assert response.status_code == 302
    assert "Revision 1 is restored" in page_of(client.get(response.location))
    with app.app_context():
        article = db.session.get(Article, article_id)
        assert article.body_source == "The first version."
        assert [r.body_source for r in article.revisions] == ["The first version.", "The second version.",
                                                              "The first version."]
        assert article.revisions[-1].note == "Restored from revision 1"


def test_compare_marks_removed_and_added_words(app, client, auth):
    auth.login("author")
    article_id = created_id(submit(client, WRITE, body_source="Grief has no timeline.\n\nA second paragraph."))
    submit(client, edit_url(article_id), body_source="Grief keeps no timeline.\n\nA second paragraph.")
    with app.app_context():
        old, new = (revision.id for revision in db.session.get(Article, article_id).revisions)
    page = page_of(client.get(f"/admin/articles/{article_id}/compare?old={old}&new={new}"))
    assert "<del>has</del><ins>keeps</ins>" in page
    assert "Title <small>(unchanged)</small>" in page
    assert client.get(f"/admin/articles/{article_id}/compare?old={old}&new=999").status_code == 404


def test_preview_shows_a_draft_as_readers_will_see_it(client, auth):
    auth.login("author")
    article_id = created_id(submit(client, WRITE, body_source="A *draft*."))
    response = client.get(f"/admin/articles/{article_id}/preview")
    assert response.status_code == 200 and response.headers["Cache-Control"] == "private, no-store"
    page = page_of(response)
    assert "<h1>Letting Go of Resentment</h1>" in page and "<em>draft</em>" in page
    assert "Preview: readers cannot see this article yet." in page
    assert client.get("/articles/letting-go-of-resentment").status_code == 404


def test_private_preview_link_works_without_an_account_until_revoked(app, client, auth):
    auth.login("author")
    article_id = created_id(submit(client, WRITE, body_source="For my supervisor."))
    client.post(f"/admin/articles/{article_id}/preview-links",
                data={"csrf_token": csrf_token(client, edit_url(article_id))})
    with app.app_context():
        link = db.session.scalars(select(PreviewToken)).one()
        token, link_id = link.token, link.id
    assert len(token) >= 40
    assert token in page_of(client.get(edit_url(article_id)))
    stranger = app.test_client()
    response = stranger.get(f"/preview/{token}")
    assert response.status_code == 200 and "For my supervisor." in page_of(response)
    assert response.headers["X-Robots-Tag"] == "noindex, nofollow"
    assert stranger.get("/preview/not-the-token").status_code == 404
    client.post(f"/admin/articles/{article_id}/preview-links/{link_id}/revoke",
                data={"csrf_token": csrf_token(client, edit_url(article_id))})
    assert stranger.get(f"/preview/{token}").status_code == 404


def test_live_preview_renders_through_the_readers_pipeline(client, auth):
    auth.login("author")
    response = client.post("/admin/articles/render", data={
        "body_source": "Hello *there*<script>alert(1)</script>", "csrf_token": csrf_token(client, WRITE)})
    assert response.json == {"html": "<p>Hello <em>there</em></p>"}
    assert client.post("/admin/articles/render", data={"body_source": "x"}).status_code == 400  # no CSRF token


def test_autosave_is_offered_back_and_cleared_by_a_save(app, client, auth, monkeypatch):
    auth.login("author")
    article_id = created_id(submit(client, WRITE, body_source="Saved text."))
    monkeypatch.setattr(clock, "now", lambda: datetime.now(UTC) + timedelta(minutes=5))
    response = client.post("/admin/articles/autosave", data={
        "article_id": article_id, "title": "Letting Go of Resentment", "summary": "",
        "body_source": "Typed, then the tab closed.", "csrf_token": csrf_token(client, WRITE)})
    assert response.status_code == 200 and "saved_at" in response.json
    page = page_of(client.get(edit_url(article_id)))
    assert "You have unsaved text from" in page and "Typed, then the tab closed." not in page
    restored = page_of(client.get(edit_url(article_id) + "?restore=autosave"))
    assert "Typed, then the tab closed." in restored
    submit(client, edit_url(article_id), body_source="Typed, then the tab closed.")
    with app.app_context():
        assert db.session.scalars(select(Autosave)).all() == []
    assert "You have unsaved text" not in page_of(client.get(edit_url(article_id)))


def test_autosave_of_a_new_article_is_offered_on_the_new_article_screen(client, auth):
    auth.login("author")
    client.post("/admin/articles/autosave", data={"title": "Half a thought", "summary": "", "body_source": "…",
                                                  "csrf_token": csrf_token(client, WRITE)})
    assert "You have unsaved text" in page_of(client.get(WRITE))
    client.post("/admin/articles/autosave/discard", data={"csrf_token": csrf_token(client, WRITE)})
    assert "You have unsaved text" not in page_of(client.get(WRITE))


def test_author_reads_but_cannot_change_her_scheduled_article(client, auth, make):
    article_id = make.article("Mine", status=Status.SCHEDULED, publish_at=datetime(2099, 1, 1, tzinfo=UTC))
    auth.login("author")
    page = page_of(client.get(edit_url(article_id)))
    assert "Only an editor can change an article once it is scheduled" in page and "<fieldset disabled>" in page
    assert submit(client, edit_url(article_id), title="Changed").status_code == 403


def test_unknown_action_is_a_bad_request(client, auth):
    auth.login("editor")
    assert submit(client, WRITE, action="deleted").status_code == 400


def test_redirect_rows_are_not_made_for_drafts(app, client, auth):
    auth.login("author")
    article_id = created_id(submit(client, WRITE))
    submit(client, edit_url(article_id), slug="another-slug")
    with app.app_context():
        assert db.session.scalars(select(Redirect)).all() == []
        assert db.session.get(Article, article_id).slug == "another-slug"
        assert len(db.session.scalars(select(Revision)).all()) == 2


def test_live_preview_refuses_thousands_of_unclosed_tags_in_one_sentence(client, auth):
    """They once took a worker past its timeout; how fast the refusal is, `make bench` measures (bench_limits)."""
    auth.login("author")
    response = client.post("/admin/articles/render", data={
        "body_source": "<b>" * 80_000, "csrf_token": csrf_token(client, WRITE)})
    assert response.status_code == 400
    assert "more than 100 deep" in response.json["error"]


def test_saving_a_body_over_the_limit_says_so_and_saves_nothing(app, client, auth):
    auth.login("author")
    response = submit(client, WRITE, body_source="word " * 220_000)
    assert "longer than 1,048,576 characters" in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(func.count(Article.id))) == 0


def test_the_writing_screen_reads_no_revision_however_many_saves_came_before(app, client, auth):
    auth.login("editor")
    article_id = created_id(submit(client, WRITE))
    for number in range(30):
        assert submit(client, edit_url(article_id), body_source=f"Draft {number}.").status_code == 302
    loaded: list[int] = []

    def note(revision: Revision, _context: object) -> None:
        loaded.append(revision.id)

    event.listen(Revision, "load", note)
    try:
        page = page_of(client.get(edit_url(article_id)))
    finally:
        event.remove(Revision, "load", note)
    with app.app_context():
        last = db.session.scalar(select(func.max(Revision.id)).where(Revision.article_id == article_id))
    assert loaded == []  # the merge base, the last one saved, is asked of the database as a number
    assert f'{{"revision": {last}, ' in html.unescape(page) and "Draft 29." in page


def test_the_writing_screen_makes_the_same_queries_however_large_the_site(app, client, auth, make):
    """Eleven statements for an article in a series, with tags and saves behind it, at any size of site: the
    sign-in, the content state, the article with its tags and series, its autosave, its last revision, its related
    articles, its series' parts (no bodies), the tag names, its preview links, its place in the related queue, the
    recent images."""
    series_id = make.series("Grief")
    auth.login("editor")
    article_id = created_id(submit(client, WRITE, tags="grief, loss", series="Grief"))

    def queries() -> list[str]:
        assert client.get(edit_url(article_id)).status_code == 200  # what a write since left to read again
        with counted_queries(app) as statements:
            assert client.get(edit_url(article_id)).status_code == 200
        return statements

    make.article("Loss", tags=("grief",), series_id=series_id, series_part=2)
    small = queries()
    for number in range(20):
        make.series(f"Series {number}")
        make.article(f"Grief {number}", tags=("grief", f"tag {number}"), series_id=series_id, series_part=number + 3)
        assert submit(client, edit_url(article_id), body_source=f"Draft {number}.").status_code == 302
    assert len(queries()) == len(small) <= 11, "\n".join(small)

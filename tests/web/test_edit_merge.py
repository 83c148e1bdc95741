"""Two windows saving the same article from the same version: merged when they changed different paragraphs,
handed back side by side when they changed the same one, and never a word lost."""

from __future__ import annotations

import html
import re
from html.parser import HTMLParser

from werkzeug.datastructures import MultiDict

from cms.extensions import db
from cms.models import Article
from cms.services import articles
from tests.conftest import Auth

WRITE = "/admin/articles/write"
BODY = "Grief has no timeline.\n\nIt comes in waves.\n\nSome days are lighter.\n\nOthers are not."


def edit_url(article_id: int) -> str:
    return f"/admin/articles/{article_id}/edit"


class _WritingForm(HTMLParser):
    """What a browser would post from the writing form: every input, checked box, selected option, text box."""

    def __init__(self) -> None:
        super().__init__()
        self.data, self._in_form, self._text, self._select = MultiDict(), False, None, None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form" and "data-editor" in a:
            self._in_form = True
        if not self._in_form or ("name" not in a and tag != "option"):
            return
        if tag == "input" and a.get("type") not in ("radio", "checkbox", "submit"):
            self.data.add(a["name"], a.get("value") or "")
        elif tag == "input" and "checked" in a:
            self.data.add(a["name"], a.get("value") or "on")
        elif tag == "textarea":
            self._text = (a["name"], [])
        elif tag == "select":
            self._select = a["name"]
        elif tag == "option" and self._select and "selected" in a:
            self.data.add(self._select, a.get("value", ""))

    def handle_data(self, data):
        if self._text:
            self._text[1].append(data)

    def handle_endtag(self, tag):
        if tag == "textarea" and self._text:
            text = "".join(self._text[1])  # a browser drops the newline right after <textarea>
            self.data.add(self._text[0], text.removeprefix("\r\n") if text.startswith("\r\n") else
                          text.removeprefix("\n"))
            self._text = None
        elif tag == "select":
            self._select = None
        elif tag == "form":
            self._in_form = False


def form_of(page: str) -> MultiDict:
    parser = _WritingForm()
    parser.feed(page)
    return parser.data


def load(client, article_id: int) -> MultiDict:
    """Open the writing screen in a new window: the form as it stands."""
    return form_of(client.get(edit_url(article_id)).get_data(as_text=True))


def save(client, article_id: int, form: MultiDict, **changes: str):
    form = MultiDict(form)
    for name, value in changes.items():
        form.setlist(name.replace("__", "-"), [value])
    form["action"] = "save"
    return client.post(edit_url(article_id), data=form)


def body_of(make, article_id: int) -> str:
    return make.get(Article, article_id).body_source


def stored(app, article_id: int) -> dict:
    """What the database holds of the article now."""
    with app.app_context():
        article = db.session.get(Article, article_id)
        return {"title": article.title, "summary": article.summary, "body": article.body_source,
                "tags": sorted(tag.name for tag in article.tags),
                "revisions": [(r.id, r.note, r.body_source) for r in article.revisions]}


def messages(page: str) -> str:
    return html.unescape(re.sub(r"\s+", " ", page))


def new_article(client) -> int:
    form = form_of(client.get(WRITE).get_data(as_text=True))
    for name, value in {"title": "Grief Has No Timeline", "body_source": BODY, "tags": "grief, loss",
                        "action": "save"}.items():
        form[name] = value
    response = client.post(WRITE, data=form)
    assert response.status_code == 302, response.get_data(as_text=True)
    return int(response.location.rstrip("/edit").rsplit("/", 1)[1])


def test_two_windows_changing_different_paragraphs_both_land(app, client, auth, make):
    auth.login("author")
    article_id = new_article(client)
    first, second = load(client, article_id), load(client, article_id)
    assert save(client, article_id, first, body_source=BODY.replace("waves.", "waves, and they pass."),
                tags="grief, loss, waves").status_code == 302
    response = save(client, article_id, second, body_source=BODY.replace("Others are not.", "Others are heavy."),
                    summary="On the shape of grief.", tags="loss")
    assert response.status_code == 302
    assert body_of(make, article_id) == BODY.replace("waves.", "waves, and they pass.").replace(
        "Others are not.", "Others are heavy.")
    assert (stored(app, article_id)["summary"], stored(app, article_id)["tags"]) == ("On the shape of grief.",
                                                                                     ["loss", "waves"])
    page = messages(client.get(response.location).get_data(as_text=True))
    assert re.search(r"Your changes were merged with changes saved in another of your windows at \d\d:\d\d\.", page)


def test_a_merge_with_another_person_names_them(client, auth, make):
    auth.login("editor")
    article_id = new_article(client)
    other = client.application.test_client()
    Auth(other, make).login("admin")
    mine, theirs = load(client, article_id), load(other, article_id)
    assert save(other, article_id, theirs, title="Grief Keeps No Timeline").status_code == 302
    response = save(client, article_id, mine, body_source=BODY + "\n\nA last word.")
    assert response.status_code == 302
    article = make.get(Article, article_id)
    assert (article.title, article.body_source) == ("Grief Keeps No Timeline", BODY + "\n\nA last word.")
    page = messages(client.get(response.location).get_data(as_text=True))
    assert re.search(r"merged with changes saved by Admin \(admin\) at \d\d:\d\d\.", page)


def test_the_same_paragraph_changed_in_two_windows_shows_both_and_loses_neither(app, client, auth, make):
    auth.login("author")
    article_id = new_article(client)
    first, second = load(client, article_id), load(client, article_id)
    theirs_body = BODY.replace("It comes in waves.", "It comes in waves, then leaves.").replace("Others", "Many")
    assert save(client, article_id, first, body_source=theirs_body).status_code == 302
    response = save(client, article_id, second, body_source=BODY.replace("It comes in waves.", "It comes like tide."))
    assert response.status_code == 409
    page = response.get_data(as_text=True)
    assert "touch the same places as yours" in messages(page) and "in another of your windows" in messages(page)
    returned = form_of(page)
    assert (returned["conflict-0-theirs"], returned["conflict-0-mine"]) == ("It comes in waves, then leaves.",
                                                                          "It comes like tide.")
    assert returned["body_source"] == theirs_body.replace("It comes in waves, then leaves.", "It comes like tide.")
    assert body_of(make, article_id) == theirs_body  # nothing applied yet
    assert stored(app, article_id)["revisions"][-1][1:] == (articles.NOT_APPLIED, BODY.replace(
        "It comes in waves.", "It comes like tide."))
    unchosen = save(client, article_id, returned)
    assert unchosen.status_code == 422 and "Choose, for each place" in messages(unchosen.get_data(as_text=True))
    assert body_of(make, article_id) == theirs_body
    resolved = save(client, article_id, returned, conflict__0__choice="edit",
                    conflict__0__text="It comes in waves, like the tide, then leaves.")
    assert resolved.status_code == 302
    assert body_of(make, article_id) == theirs_body.replace("It comes in waves, then leaves.",
                                                            "It comes in waves, like the tide, then leaves.")


def test_keeping_theirs_puts_their_paragraph_back(client, auth, make):
    auth.login("author")
    article_id = new_article(client)
    mine, theirs = load(client, article_id), load(client, article_id)
    assert save(client, article_id, theirs, body_source=BODY.replace("lighter", "brighter")).status_code == 302
    response = save(client, article_id, mine, body_source=BODY.replace("lighter", "softer"),
                    title="Grief Has No Clock")
    assert response.status_code == 409
    resolved = save(client, article_id, form_of(response.get_data(as_text=True)), conflict__0__choice="theirs")
    assert resolved.status_code == 302
    article = make.get(Article, article_id)
    assert (article.title, article.body_source) == ("Grief Has No Clock", BODY.replace("lighter", "brighter"))


def test_the_conflict_message_names_the_other_person(client, auth, make):
    auth.login("editor")
    article_id = new_article(client)
    other = client.application.test_client()
    Auth(other, make).login("admin")
    mine, theirs = load(client, article_id), load(other, article_id)
    assert save(other, article_id, theirs, title="On Grief").status_code == 302
    response = save(client, article_id, mine, title="Grief, Again")
    assert response.status_code == 409
    page = messages(response.get_data(as_text=True))
    assert re.search(r"Changes saved by Admin \(admin\) at \d\d:\d\d touch the same places as yours", page)
    returned = form_of(response.get_data(as_text=True))
    assert (returned["conflict-0-field"], returned["conflict-0-theirs"], returned["title"]) == (
        "title", "On Grief", "Grief, Again")


def test_compare_calls_a_reordering_of_tags_no_change(app, client, auth):
    auth.login("author")
    article_id = new_article(client)
    assert save(client, article_id, load(client, article_id), tags="loss, grief",
                body_source=BODY + "\n\nMore.").status_code == 302
    (old, _, _), (new, _, _) = stored(app, article_id)["revisions"]
    page = client.get(f"/admin/articles/{article_id}/compare?old={old}&new={new}")
    assert re.search(r"Tags <small>\(unchanged\)</small>", page.get_data(as_text=True))

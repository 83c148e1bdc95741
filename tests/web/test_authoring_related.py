"""Related articles and link suggestions on the writing screen: explanations, pins, exclusions, releases."""

from __future__ import annotations

import re

import lxml.html
import pytest
from sqlalchemy import select

from cms.core.workflow import Status
from cms.extensions import db
from cms.models import Article, RelatedChoice
from cms.services import related
from tests.conftest import csrf_token
from tests.core.related_corpus import CORPUS
from tests.factories import Factories
from tests.web.test_authoring import submit


def edit_url(article_id: int) -> str:
    return f"/admin/articles/{article_id}/edit"


def choice_url(article_id: int, other_id: int, action: str) -> str:
    return f"/admin/articles/{article_id}/related/{other_id}/{action}"


def texts(tree, xpath: str) -> list[str]:
    return [" ".join(node.text_content().split()) for node in tree.xpath(xpath)]


def page(client, url: str):
    response = client.get(url)
    assert response.status_code == 200, url
    return lxml.html.fromstring(response.get_data(as_text=True))


@pytest.fixture
def site(prebuilt) -> dict[str, int]:
    """Live untagged articles on anxiety and grief (two tagged "anxiety"), scored: title -> id."""
    return prebuilt(_build_site)


def _build_site(make: Factories) -> dict[str, int]:
    app = make.app
    ids = {}
    for topic in ("anxiety", "grief"):
        for title, summary, body in CORPUS[topic][:4]:
            tags = ("anxiety",) if title in ("Understanding Anxiety", "Anxiety in the Body") else ()
            ids[title] = make.article(title, summary=summary, body_source=body, tags=tags)
    with app.app_context():
        related.rebuild()
        db.session.commit()
    return ids


def press(client, article_id: int, other_id: int, action: str):
    """Press the writing screen's button as a browser does: the form it names, sent to its own address."""
    url = choice_url(article_id, other_id, action)
    [button] = page(client, edit_url(article_id)).xpath(f"//section[@id='related']//button[@formaction='{url}']")
    response = client.post(url, data=dict(button.getroottree().getroot().get_element_by_id(button.get("form"))
                                          .form_values()))
    assert response.status_code == 302, response.get_data(as_text=True)
    return response


def choose(client, article_id: int, other_id: int, action: str, status: int = 302):
    token = csrf_token(client, edit_url(article_id))
    response = client.post(choice_url(article_id, other_id, action), data={"csrf_token": token})
    assert response.status_code == status, response.get_data(as_text=True)
    return response


def public_related(client, slug: str) -> list[str]:
    return texts(page(client, f"/articles/{slug}"), "//section[@class='related']//a")


def api_related(client, slug: str) -> list[str]:
    return [item["title"] for item in client.get(f"/api/articles/{slug}").get_json()["related"]]


def shown_in_editor(client, article_id: int) -> list[str]:
    return texts(page(client, edit_url(article_id)), "//ol[@class='related-shown']/li//p/a")


def test_the_section_lists_what_readers_see_and_why(client, auth, site):
    auth.login("editor")
    tree = page(client, edit_url(site["Understanding Anxiety"]))
    shown = texts(tree, "//ol[@class='related-shown']/li//p/a")
    assert shown == public_related(client, "understanding-anxiety")
    assert set(shown) <= {"Anxiety in the Body", "When Panic Attacks Strike", "Anxiety and Relationships"}
    assert len(shown) == 3
    body = tree.xpath("//ol[@class='related-shown']/li[.//p/a[.='Anxiety in the Body']]")[0]
    reasons = texts(body, ".//ul[@class='related-reasons']/li")
    assert any(re.fullmatch(r"Shared tags: anxiety \(weight [01]\.\d\d\)", reason) for reason in reasons)
    assert any(reason.startswith("Shared terms: ") and "anxiety" in reason for reason in reasons)
    assert texts(body, ".//button") == ["Pin", "Exclude"]
    assert tree.xpath("//ul[@class='related-others']//p/a")  # the grief articles, offered to pin


def test_pin_puts_an_article_first_on_the_public_page(client, auth, site):
    auth.login("editor")
    grief_title = CORPUS["grief"][0][0]
    assert grief_title not in public_related(client, "understanding-anxiety")
    response = press(client, site["Understanding Anxiety"], site[grief_title], "pin")
    assert response.headers["Location"].endswith(edit_url(site["Understanding Anxiety"]) + "#related")
    assert public_related(client, "understanding-anxiety")[0] == grief_title
    assert api_related(client, "understanding-anxiety")[0] == grief_title
    tree = page(client, edit_url(site["Understanding Anxiety"]))
    assert texts(tree, "//ul[@class='related-chosen']//p/a") == [grief_title]
    assert "Pinned" in texts(tree, "//ul[@class='related-chosen']//p")[0]


def test_exclude_removes_it_from_the_public_page_and_the_api_and_release_undoes(client, auth, site):
    auth.login("editor")
    first = public_related(client, "understanding-anxiety")[0]
    press(client, site["Understanding Anxiety"], site[first], "exclude")
    assert first not in public_related(client, "understanding-anxiety")
    assert first not in api_related(client, "understanding-anxiety")
    assert first not in shown_in_editor(client, site["Understanding Anxiety"])
    assert len(public_related(client, "understanding-anxiety")) == 3  # the next closest fills in
    press(client, site["Understanding Anxiety"], site[first], "release")
    assert public_related(client, "understanding-anxiety")[0] == first
    assert api_related(client, "understanding-anxiety")[0] == first
    tree = page(client, edit_url(site["Understanding Anxiety"]))
    assert not tree.xpath("//ul[@class='related-chosen']")


def test_release_undoes_a_pin(client, auth, site):
    auth.login("editor")
    before = public_related(client, "understanding-anxiety")
    choose(client, site["Understanding Anxiety"], site["Anxiety and Relationships"], "pin")
    assert public_related(client, "understanding-anxiety")[0] == "Anxiety and Relationships"
    choose(client, site["Understanding Anxiety"], site["Anxiety and Relationships"], "release")
    assert public_related(client, "understanding-anxiety") == before


def test_an_author_cannot_pin_on_someone_elses_article(client, auth, make, app, site):
    theirs = make.article("Their draft", status=Status.DRAFT, author_email="other@example.com",
                          body_source=CORPUS["anxiety"][0][2])
    auth.login("author")
    token = csrf_token(client, edit_url(make.article("My draft", status=Status.DRAFT)))
    response = client.post(choice_url(theirs, site["Anxiety in the Body"], "pin"), data={"csrf_token": token})
    assert response.status_code == 403
    with app.app_context():
        assert db.session.scalars(select(RelatedChoice)).all() == []


def test_an_author_may_pin_on_their_own_draft_but_not_their_published_article(client, auth, make, app, site):
    mine = make.article("My draft", status=Status.DRAFT, body_source=CORPUS["anxiety"][1][2])
    auth.login("author")  # the site's articles are author@example.com's too
    choose(client, mine, site["Anxiety in the Body"], "pin")
    with app.app_context():
        assert [(c.other_id, c.is_pinned) for c in db.session.scalars(select(RelatedChoice))] == [
            (site["Anxiety in the Body"], True)]
    choose(client, site["Understanding Anxiety"], site["Anxiety in the Body"], "exclude", status=403)
    tree = page(client, edit_url(site["Understanding Anxiety"]))
    assert tree.xpath("//ol[@class='related-shown']/li") and not tree.xpath("//section[@id='related']//button")


def test_without_a_csrf_token_nothing_changes(client, auth, app, site):
    auth.login("editor")
    response = client.post(choice_url(site["Understanding Anxiety"], site["Anxiety in the Body"], "exclude"))
    assert response.status_code == 400
    with app.app_context():
        assert db.session.scalars(select(RelatedChoice)).all() == []


def test_an_article_cannot_be_pinned_to_itself(client, auth, app, site):
    auth.login("editor")
    ident = site["Understanding Anxiety"]
    choose(client, ident, ident, "pin")
    tree = page(client, edit_url(ident))
    assert "An article cannot be related to itself." in texts(tree, "//*[contains(@class, 'flash')]")[0]
    with app.app_context():
        assert db.session.scalars(select(RelatedChoice)).all() == []


def test_a_missing_article_is_a_404(client, auth, site):
    auth.login("editor")
    token = csrf_token(client, edit_url(site["Understanding Anxiety"]))
    response = client.post(choice_url(site["Understanding Anxiety"], 9999, "pin"), data={"csrf_token": token})
    assert response.status_code == 404


def test_suggestions_list_a_mentioned_live_title_and_not_a_drafts(client, auth, make):
    make.article("Panic Attacks", body_source="The heart races.")
    make.article("Sleepless Nights", status=Status.DRAFT, body_source="Not yet.")
    ident = make.article("Worry", status=Status.DRAFT,
                         body_source="After a panic attack, sleepless nights follow. More on panic attacks.")
    auth.login("author")
    tree = page(client, edit_url(ident))
    suggestions = tree.xpath("//div[@id='link-suggestions']//li/a")
    assert [(a.text_content(), a.get("href")) for a in suggestions] == [("Panic Attacks", "/articles/panic-attacks")]
    assert "becomes a link" in texts(tree, "//div[@id='link-suggestions']/p")[0]


def test_suggestions_say_when_linking_is_off_or_nothing_is_mentioned(client, auth, make):
    make.article("Panic Attacks", body_source="The heart races.")
    off = make.article("Worry", status=Status.DRAFT, body_source="About panic attacks.", is_autolink_enabled=False)
    none = make.article("Calm", status=Status.DRAFT, body_source="Nothing to link.")
    auth.login("author")
    tree = page(client, edit_url(off))
    assert texts(tree, "//div[@id='link-suggestions']//li") == ["Panic Attacks"]
    assert texts(tree, "//div[@id='link-suggestions']/p")[0].startswith("Turned off")
    assert texts(page(client, edit_url(none)), "//div[@id='link-suggestions']/p") == [
        "The saved text mentions no other live article by its title."]


def test_after_a_save_the_section_says_its_list_follows_within_seconds(client, auth, make, site):
    auth.login("editor")
    url = edit_url(site["Understanding Anxiety"])
    waiting = "These are from before your last save: they are brought up to date within a few seconds."
    assert waiting not in texts(page(client, url), "//section[@id='related']//p")
    submit(client, url, body_source="Anxiety, worry and the body, said again.")
    assert waiting in texts(page(client, url), "//section[@id='related']//p")
    make.worker_caught_up()
    assert waiting not in texts(page(client, url), "//section[@id='related']//p")


def test_a_new_article_has_no_related_section(client, auth):
    auth.login("author")
    tree = page(client, "/admin/articles/write")
    assert not tree.xpath("//section[@id='related']") and not tree.xpath("//div[@id='link-suggestions']")


def test_the_pinned_article_is_stored_once_whatever_the_clicks(client, auth, app, site):
    auth.login("editor")
    for _ in range(2):
        choose(client, site["Understanding Anxiety"], site["Anxiety in the Body"], "pin")
    with app.app_context():
        rows = db.session.scalars(select(RelatedChoice)).all()
        assert [(row.other_id, row.is_pinned, row.position) for row in rows] == [
            (site["Anxiety in the Body"], True, 0)]
        assert db.session.get(Article, site["Anxiety in the Body"]).status is Status.PUBLISHED


def test_a_shared_tag_shows_the_weight_it_learned_from_the_texts(client, auth, app, make):
    ids = {}
    for topic in ("anxiety", "grief", "sleep", "couples"):
        for position, (title, summary, body) in enumerate(CORPUS[topic]):
            tags = ("worry",) if topic == "anxiety" else ()
            ids[title] = make.article(title, summary=summary, body_source=body,
                                      tags=(*tags, "hurried") if position == 0 else tags)
    with app.app_context():
        related.rebuild()
        db.session.commit()
    auth.login("editor")
    tree = page(client, edit_url(ids["Understanding Anxiety"]))
    reasons = " ".join(texts(tree, "//section[@id='related']//ul[@class='related-reasons']/li"))
    weights = {name: float(weight) for name, weight in re.findall(r"(\w+) \(weight (\d\.\d\d)\)", reasons)}
    assert weights["worry"] > 0.5 > weights["hurried"]  # the hurried tag joins anxiety, grief, sleep, couples
    assert "weight is learned from your articles" in " ".join(texts(tree, "//section[@id='related']/p"))

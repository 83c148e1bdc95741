"""Only what readers can see invalidates what readers get: work on drafts leaves every public ETag as it was."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from cms.core.workflow import Status
from cms.extensions import db
from cms.models import Article, ContentVersion, Revision
from cms.services import related, users
from tests.conftest import csrf_token
from tests.web.reading_site import reading_site  # noqa: F401 - the fixture
from tests.web.test_authoring import WRITE, created_id, edit_url, submit

PUBLIC_URLS = ["/", "/articles/ambivalence", "/articles/life-stages", "/series/", "/series/mothers-and-daughters",
               "/series/grief", "/tags/", "/tags/grief", "/tags/mother-daughter", "/archive/", "/search?q=grief",
               "/about", "/sitemap.xml", "/feed.xml", "/feed.atom", "/series/mothers-and-daughters/feed.xml",
               "/tags/grief/feed.atom", "/api/articles", "/api/articles/ambivalence", "/api/series", "/api/tags"]


def public_etags(app) -> dict[str, str]:
    reader = app.test_client()  # no cookies: what any reader, or a proxy, is given
    answers = {url: reader.get(url) for url in PUBLIC_URLS}
    assert all(answer.status_code == 200 for answer in answers.values()), [
        url for url, answer in answers.items() if answer.status_code != 200]
    return {url: answer.headers["ETag"] for url, answer in answers.items()}


def article_id(app, slug: str) -> int:
    with app.app_context():
        return db.session.scalar(select(Article.id).where(Article.slug == slug))


def test_work_readers_cannot_see_leaves_every_public_etag_unchanged(app, client, auth, make, reading_site):
    before = public_etags(app)
    auth.login("editor")
    draft, scheduled = article_id(app, "draft-part"), article_id(app, "scheduled-part")
    token = csrf_token(client, WRITE)

    # A draft saved, with a new tag and a new series; then sent for review.
    submit(client, edit_url(draft), body_source="Second thoughts about zeppelins.", tags="secret topic, brand new")
    submit(client, edit_url(draft), action="review")
    new_id = created_id(submit(client, WRITE, title="A new draft",
                               new_series="A series nobody sees yet"))
    # An autosave, of a draft and of a live article; a preview link; a revision brought back.
    for article in (draft, article_id(app, "ambivalence")):
        assert client.post("/admin/articles/autosave", data={
            "article_id": article, "title": "Typed", "summary": "", "body_source": "Typing…",
            "csrf_token": token}).status_code == 200
    assert client.post(f"/admin/articles/{new_id}/preview-links", data={"csrf_token": token}).status_code == 302
    with app.app_context():
        first = db.session.scalars(select(Revision.id).where(Revision.article_id == draft)).first()
    assert client.post(f"/admin/articles/{draft}/revisions/{first}/restore",
                       data={"csrf_token": token}).status_code == 302
    # A scheduled article's text, edited before its time.
    submit(client, edit_url(scheduled), body_source="Resentment softens, said again before Tuesday.")
    assert public_etags(app) == before
    make.worker_caught_up()  # the related articles of what was saved, computed by the worker

    assert public_etags(app) == before
    with app.app_context():  # every save above was stored
        assert db.session.get(Article, scheduled).body_source.startswith("Resentment softens, said again")
        assert db.session.get(Article, draft).status.value == "review"


def test_a_live_edit_changes_the_pages_that_show_it(app, client, auth, reading_site):
    before = public_etags(app)
    auth.login("editor")
    submit(client, edit_url(article_id(app, "ambivalence")), summary="Love and anger, held together.")
    after = public_etags(app)
    for url in ("/articles/ambivalence", "/", "/series/mothers-and-daughters", "/tags/mother-daughter",
                "/feed.xml", "/api/articles/ambivalence", "/sitemap.xml"):
        assert after[url] != before[url], url
    reader = app.test_client()
    assert "Love and anger, held together." in reader.get("/series/mothers-and-daughters").get_data(as_text=True)
    assert "Love and anger, held together." in reader.get("/feed.xml").get_data(as_text=True)


def test_publishing_a_draft_changes_the_public_etags(app, client, auth, reading_site):
    before = public_etags(app)
    auth.login("editor")
    draft = article_id(app, "draft-part")
    submit(client, edit_url(draft), action="review")
    assert public_etags(app) == before
    submit(client, edit_url(draft), action="published")
    assert public_etags(app)["/"] != before["/"]
    assert "A draft about guilt" in app.test_client().get("/").get_data(as_text=True)


def test_an_authors_new_bio_changes_the_pages_of_her_live_articles(app, reading_site):
    before = public_etags(app)
    with app.app_context():
        author = users.find_by_email("author@example.com")
        users.update_profile(author, name="Dana Reyes", credentials="LMFT", bio="Twenty years with families.",
                             photo_id=None)
        db.session.commit()
    assert public_etags(app)["/articles/ambivalence"] != before["/articles/ambivalence"]
    assert "Twenty years with families." in app.test_client().get("/articles/ambivalence").get_data(as_text=True)


def test_scheduling_a_part_changes_the_series_pages_that_announce_it_and_its_text_does_not(app, client, auth,
                                                                                           reading_site):
    auth.login("editor")
    draft = article_id(app, "in-review")  # part 4 of "Grief", whose three parts are live
    before = public_etags(app)
    submit(client, edit_url(draft), body_source="Still waiting for the editor.")
    assert public_etags(app) == before
    when = (reading_site.scheduled_at + timedelta(days=1)).strftime("%Y-%m-%dT%H:%M")
    submit(client, edit_url(draft), action="scheduled", publish_at=when)
    page = app.test_client().get("/series/grief")
    assert page.headers["ETag"] != before["/series/grief"]
    assert "Part 4" in page.get_data(as_text=True)
    scheduled = public_etags(app)
    submit(client, edit_url(draft), body_source="Text changed before its time.")
    assert public_etags(app) == scheduled


def test_linked_titles_follow_live_changes_without_reading_every_article_again(app, app_config, make, monkeypatch):
    from cms import create_app
    from cms.core import clock
    from cms.core.workflow import Status
    from cms.models import User
    from cms.services import articles
    from tests.web.test_page_cache import counted_queries

    other = create_app(app_config)  # a second server: it learns of writes from the database alone
    go_live = datetime.now(UTC).replace(microsecond=0) + timedelta(hours=1)
    make.article("Anticipatory Grief", slug="anticipatory-grief")
    make.article("Letting Go", slug="letting-go", body_source="On anticipatory grief, insomnia and guilt.")
    make.article("Insomnia", slug="insomnia", status=Status.SCHEDULED, publish_at=go_live)
    renamed = make.article("Shame", slug="guilt-and-shame")
    reader = other.test_client()
    reader.set_cookie("signed-in", "1")  # rendered every time

    def linked() -> list[str]:
        body = reader.get("/articles/letting-go").get_data(as_text=True)
        return re.findall(r'<a href="/articles/([a-z-]+)">(?:anticipatory grief|insomnia|guilt)</a>', body)

    assert linked() == ["anticipatory-grief"]
    with app.app_context():  # a live title changed, through the first server
        editor = db.session.get(User, make.user("editor"))
        article = db.session.get(Article, renamed)
        articles.update(article, articles.ArticleInput(title="Guilt", slug="guilt-and-shame"), by=editor,
                        now=clock.now())
        db.session.commit()
    with counted_queries(other) as statements:
        assert linked() == ["anticipatory-grief", "guilt-and-shame"]
    every_title = [statement for statement in statements
                   if "articles.title, articles.slug" in statement and "seen_version" not in statement]
    assert every_title == []  # only what changed was read
    monkeypatch.setattr(clock, "now", lambda: go_live)
    assert linked() == ["anticipatory-grief", "insomnia", "guilt-and-shame"]
    with app.app_context():  # withdrawn
        articles.change_status(db.session.get(Article, renamed), Status.DRAFT,
                               by=db.session.get(User, make.user("editor", email="second@example.com")),
                               now=go_live)
        db.session.commit()
    assert linked() == ["anticipatory-grief", "insomnia"]



def test_a_live_edit_in_place_changes_the_pages_showing_the_article_and_not_the_site(app, client, auth, reading_site):
    before = public_etags(app)
    with app.app_context():
        site_before = db.session.get(ContentVersion, 1).site_version
    auth.login("editor")
    submit(client, edit_url(article_id(app, "grief-2")), summary="The calendar keeps its own count.",
           body_source="Dates return every year, and the body remembers them, quietly.")
    after = public_etags(app)
    with app.app_context():  # one article changed, not what places it: keys of the site as a whole hold
        assert db.session.get(ContentVersion, 1).site_version == site_before
    changed = {url for url in PUBLIC_URLS if after[url] != before[url]}
    assert changed >= {"/", "/series/grief", "/tags/grief", "/feed.xml", "/feed.atom", "/tags/grief/feed.atom",
                       "/api/articles", "/search?q=grief", "/sitemap.xml"}
    assert not changed & {"/about", "/archive/", "/series/", "/tags/", "/api/series", "/api/tags"}
    reader = app.test_client()
    assert "The calendar keeps its own count." in reader.get("/series/grief").get_data(as_text=True)
    assert "The calendar keeps its own count." in reader.get("/").get_data(as_text=True)


def test_a_live_edit_leaves_the_pages_of_an_unrelated_article_as_they_were(app, client, auth, make):
    edited = make.article("Quokkas", slug="quokkas", tags=("marsupials",), summary="Small and cheerful.",
                          body_source="Quokkas smile on Rottnest island.")
    make.article("Zeppelins", slug="zeppelins", tags=("airships",), body_source="Zeppelins float over Lake Constance.")
    reader = app.test_client()
    urls = ["/", "/articles/quokkas", "/articles/zeppelins", "/tags/airships", "/tags/marsupials", "/about"]
    make.page("About", body_source="About the practice.")
    before = {url: reader.get(url).headers["ETag"] for url in urls}
    auth.login("editor")
    submit(client, edit_url(edited), summary="Small, cheerful and nocturnal.", tags="marsupials",
           body_source="Quokkas smile on Rottnest island at night.")
    make.worker_caught_up()
    after = {url: reader.get(url) for url in urls}
    assert {url for url in urls if after[url].headers["ETag"] != before[url]} == {
        "/", "/articles/quokkas", "/tags/marsupials"}
    assert "Small, cheerful and nocturnal." in after["/tags/marsupials"].get_data(as_text=True)
    assert "at night" in after["/articles/quokkas"].get_data(as_text=True)



def test_after_a_drafts_save_a_kept_page_costs_one_query_and_after_an_unrelated_edit_two(app, client, auth, make):
    from tests.web.test_page_cache import counted_queries

    edited = make.article("Quokkas", slug="quokkas", tags=("marsupials",), body_source="Quokkas smile on Rottnest.")
    make.article("Zeppelins", slug="zeppelins", tags=("airships",), body_source="Zeppelins float over Constance.")
    draft = make.article("Plans", status=Status.DRAFT, body_source="Plans for spring.")
    reader = app.test_client()
    assert reader.get("/articles/zeppelins").status_code == 200  # kept
    auth.login("editor")
    submit(client, edit_url(draft), body_source="Plans for the summer.")
    with counted_queries(app) as statements:
        assert reader.get("/articles/zeppelins").status_code == 200
    assert len(statements) == 1 and "FROM content_version" in statements[0]  # not the live set's times again
    submit(client, edit_url(edited), summary="Small and cheerful.")
    with counted_queries(app) as statements:
        assert reader.get("/articles/zeppelins").status_code == 200
    assert len(statements) == 2 and "seen_version >" in statements[1]  # which articles were marked; no rendering
    with counted_queries(app) as statements:
        assert reader.get("/articles/zeppelins").status_code == 200
    assert len(statements) == 1  # the marks are known in this process from then on


def test_a_live_edit_changes_the_pages_whose_related_lists_it_moves(app, client, auth, make):
    make.article("Quokkas of Rottnest", slug="quokkas", body_source="Quokkas smile and hop on Rottnest island.")
    edited = make.article("Travel notes", slug="island-notes", body_source="Zeppelins float over Lake Constance.")
    make.article("Green tea", slug="tea", body_source="Sencha steeps for a minute in cool water.")
    reader = app.test_client()
    before = {url: reader.get(url) for url in ("/articles/quokkas", "/articles/tea")}
    assert "/articles/island-notes" not in before["/articles/quokkas"].get_data(as_text=True)
    auth.login("editor")
    submit(client, edit_url(edited), body_source="Quokkas hop on Rottnest island, and they smile.")
    assert reader.get("/articles/quokkas").headers["ETag"] == before["/articles/quokkas"].headers["ETag"]
    make.worker_caught_up()
    quokkas = reader.get("/articles/quokkas")
    assert 'href="/articles/island-notes"' in quokkas.get_data(as_text=True)  # now among its related articles
    assert quokkas.headers["ETag"] != before["/articles/quokkas"].headers["ETag"]
    assert reader.get("/articles/tea").headers["ETag"] == before["/articles/tea"].headers["ETag"]


def test_a_related_card_shows_the_new_summary_of_an_article_edited_in_place(app, client, auth, make):
    edited = make.article("Quokkas of Rottnest", slug="quokkas", summary="Small and cheerful.",
                          body_source="Quokkas smile and hop on Rottnest island.")
    make.article("Quokka mornings", slug="mornings", body_source="Quokkas hop on Rottnest island every morning.")
    make.article("Green tea", slug="tea", body_source="Sencha steeps for a minute in cool water.")
    with app.app_context():
        related.rebuild()
        db.session.commit()
    past_cache = app.test_client()
    past_cache.set_cookie("signed-in", "1")  # rendered each time, from what is kept per content state
    for reader in (app.test_client(), past_cache):
        assert "Small and cheerful." in reader.get("/articles/mornings").get_data(as_text=True)
    auth.login("editor")
    submit(client, edit_url(edited), summary="Small, cheerful and nocturnal.",
           body_source="Quokkas smile and hop on Rottnest island.")
    for reader in (app.test_client(), past_cache):
        page = reader.get("/articles/mornings").get_data(as_text=True)
        assert "Small, cheerful and nocturnal." in page and "Small and cheerful." not in page


def test_rendered_pages_follow_every_change_to_which_articles_they_list(app, app_config, make, monkeypatch):
    """Which articles a page lists is kept per content state (freshness.kept_keys), and whole pages in the page
    cache: each change readers see must still reach a second server, which learns of writes from the database
    alone, rendered or cached."""
    from cms import create_app
    from cms.core import clock
    from cms.models import User
    from cms.services import articles

    other = create_app(app_config)
    reader, cached = other.test_client(), other.test_client()
    reader.set_cookie("signed-in", "1")  # past the page cache: rendered every time
    second = datetime.now(UTC).replace(microsecond=0) + timedelta(hours=1)
    series_id = make.series("Grief")
    make.article("Grief and dates", slug="dates", series_id=series_id, series_part=1, tags=("grief",),
                 summary="Anniversaries return.")
    make.article("Early riser", slug="early", status=Status.SCHEDULED, series_id=series_id, series_part=2,
                 tags=("grief",), publish_at=second + timedelta(milliseconds=100))
    make.article("Late riser", slug="late", status=Status.SCHEDULED, series_id=series_id, series_part=3,
                 tags=("grief",), publish_at=second + timedelta(milliseconds=600))
    untagged = make.article("Sleep", slug="sleep", summary="Rest comes back.")
    lists = ["/", "/tags/grief", "/series/grief", "/feed.xml", "/tags/grief/feed.xml", "/series/grief/feed.xml"]

    def listed(url: str) -> set[str]:
        """The articles `url` lists, rendered and as the page cache gives it, which must agree."""
        found = []
        for client in (reader, cached):
            response = client.get(url)
            assert response.status_code == 200, url
            found.append({slug for slug in ("dates", "early", "late", "sleep") if f"/articles/{slug}" in response.text})
        assert found[0] == found[1], url
        return found[0]

    assert all(listed(url) >= {"dates"} and not listed(url) & {"early", "late"} for url in lists)
    monkeypatch.setattr(clock, "now", lambda: second + timedelta(milliseconds=300))  # one of two in the second
    assert all("early" in listed(url) and "late" not in listed(url) for url in lists)
    assert reader.get("/articles/late").status_code == 404
    monkeypatch.setattr(clock, "now", lambda: second + timedelta(milliseconds=800))  # the same second, both
    assert all({"early", "late"} <= listed(url) for url in lists)
    assert reader.get("/articles/late").status_code == 200

    editor_id = make.user("editor")
    with app.app_context():  # through the first server: a tag given to a live article, a summary edited in place
        editor = db.session.get(User, editor_id)
        article = db.session.get(Article, untagged)
        articles.update(article, articles.ArticleInput(title="Sleep", slug="sleep", tags=("grief",),
                                                       summary="Rest comes back, slowly."), by=editor, now=clock.now())
        db.session.commit()
    assert "sleep" in listed("/tags/grief") and "sleep" in listed("/tags/grief/feed.xml")
    assert "Rest comes back, slowly." in reader.get("/tags/grief").text
    assert "Rest comes back, slowly." in reader.get("/").text
    with app.app_context():  # withdrawn
        articles.change_status(db.session.get(Article, untagged), Status.DRAFT, by=db.session.get(User, editor_id),
                               now=clock.now())
        db.session.commit()
    assert all("sleep" not in listed(url) for url in lists)
    assert reader.get("/articles/sleep").status_code == 404

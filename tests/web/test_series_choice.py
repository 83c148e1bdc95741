"""Series are chosen by title from a list that suggests them, or created on purpose, and the writing screen explains
readers' numbering."""

from __future__ import annotations

import html
import re
from datetime import UTC, datetime, timedelta

from sqlalchemy import select, update

from cms import create_app
from cms.core import clock
from cms.core.workflow import Status
from cms.extensions import db
from cms.models import Article, Series
from cms.services import series as series_service
from tests.web.test_authoring import WRITE, created_id, edit_url, errors, page_of, submit
from tests.web.test_error_summary import summary

NOW = datetime(2025, 11, 20, 12, tzinfo=UTC)


def series_titles(app) -> list[str]:
    with app.app_context():
        return list(db.session.scalars(select(Series.title).order_by(Series.title)))


def options(page: str) -> list[str]:
    """The titles the Series field's list suggests, as written in the page."""
    listed = re.search(r'<datalist id="series-titles">(.*?)</datalist>', page, re.DOTALL).group(1)
    return re.findall(r'<option value="([^"]*)">', listed)


def test_series_are_suggested_by_title_and_editors_may_name_a_new_one(client, auth, make):
    make.series("Mother–Daughter Relationships")
    make.series("Grief and Loss")
    auth.login("editor")
    page = page_of(client.get(WRITE))
    assert options(page) == ["Grief and Loss", "Mother–Daughter Relationships"]
    assert re.search(r'<input [^>]*list="series-titles"[^>]*name="series" type="text" value="">', page)
    assert '<label for="new_series">Or create a new series</label>' in page
    assert "data-series-search" not in page  # every series is in the list: nothing to ask as she types


def test_an_author_picks_but_cannot_create(app, client, auth, make):
    make.series("Grief and Loss")
    auth.login("author")
    page = page_of(client.get(WRITE))
    assert options(page) == ["Grief and Loss"] and 'name="new_series"' not in page
    response = submit(client, WRITE, new_series="Her Own Series")
    assert response.status_code == 422
    assert summary(page_of(response)) == [
        ("#new_series", "Only an editor or an admin can create a series; choose one under Series.")]
    response = submit(client, WRITE, series="Her Own Series")
    assert errors(page_of(response))["series"] == ("There is no series called “Her Own Series”; choose one from "
                                                   "the list, or ask an editor to add it.")
    assert series_titles(app) == ["Grief and Loss"]


def test_a_title_in_any_case_or_a_slug_puts_the_article_in_that_series(app, client, auth, make):
    series_id = make.series("Grief and Loss")
    auth.login("editor")
    for typed in ("Grief and Loss", "grief and loss", "grief-and-loss"):
        article_id = created_id(submit(client, WRITE, series=typed))
        assert make.get(Article, article_id).series_id == series_id
        assert re.search(r'name="series" type="text" value="Grief and Loss"', page_of(client.get(edit_url(article_id))))


def test_a_series_title_is_shown_as_written_never_as_markup(client, auth, make):
    make.series('Fear & <b>"Courage"</b>')
    auth.login("editor")
    page = page_of(client.get(WRITE))
    assert '<option value="Fear &amp; &lt;b&gt;&#34;Courage&#34;&lt;/b&gt;">' in page
    assert options(page) == ["Fear &amp; &lt;b&gt;&#34;Courage&#34;&lt;/b&gt;"]


def test_a_site_with_more_series_than_the_list_holds_suggests_the_newest_and_finds_the_rest_as_she_types(
        client, auth, make):
    for number in range(1, series_service.SUGGESTED + 21):
        make.series(f"Series {number:03}")
    auth.login("author")
    page = page_of(client.get(WRITE))
    newest = [f"Series {number:03}" for number in range(21, series_service.SUGGESTED + 21)]
    assert options(page) == newest
    assert 'data-series-search="/admin/articles/series-titles"' in page
    found = client.get("/admin/articles/series-titles?q=SERIES 00").get_json()
    assert found == {"titles": [f"Series {number:03}" for number in range(1, 10)]}
    assert len(client.get("/admin/articles/series-titles?q=series").get_json()["titles"]) == series_service.SUGGESTED
    assert client.get("/admin/articles/series-titles?q=%00").status_code == 400  # as every control character


def test_series_titles_are_for_the_signed_in_only(client, make):
    make.series("Grief and Loss")
    assert client.get("/admin/articles/series-titles?q=grief").status_code == 302


def test_a_new_series_is_created_only_when_asked_and_said(app, client, auth):
    auth.login("editor")
    response = submit(client, WRITE, series="Mother - Daughter Relationships")  # a typed name is no request
    assert errors(page_of(response))["series"] == ("There is no series called “Mother - Daughter Relationships”; "
                                                   "to start it, give its name under “Or create a new series”.")
    assert series_titles(app) == []
    response = submit(client, WRITE, new_series="Mother–Daughter Relationships", series_part="1")
    article_id = created_id(response)
    assert series_titles(app) == ["Mother–Daughter Relationships"]
    assert make_part(app, article_id) == ("Mother–Daughter Relationships", 1)
    assert "The series “Mother–Daughter Relationships” is created." in page_of(client.get(edit_url(article_id)))


def make_part(app, article_id: int) -> tuple[str, int | None]:
    with app.app_context():
        article = db.session.get(Article, article_id)
        return article.series.title, article.series_part


def test_a_refused_save_creates_no_series_and_keeps_the_request(app, client, auth, make):
    make.article("Fees and Booking", slug="fees")
    auth.login("editor")
    response = submit(client, WRITE, new_series="Grief and Loss", slug="fees")
    page = page_of(response)
    assert response.status_code == 422 and series_titles(app) == []
    assert 'name="new_series" type="text" value="Grief and Loss"' in page


def test_the_list_follows_every_series_added_renamed_or_removed_on_any_server(app, app_config, client, auth, make):
    make.series("Grief and Loss")
    auth.login("editor")
    assert options(page_of(client.get(WRITE))) == ["Grief and Loss"]
    other = create_app(app_config)  # another server of the same site: none of its writes is this process's own

    def named(slug: str) -> Series:
        return db.session.scalars(select(Series).where(Series.slug == slug)).one()

    changes = [
        (lambda: series_service.create("Anxiety"), ["Anxiety", "Grief and Loss"]),
        (lambda: setattr(named("grief-and-loss"), "title", "Bereavement"), ["Anxiety", "Bereavement"]),
        (lambda: db.session.execute(update(Series).where(Series.slug == "anxiety").values(title="Worry")),
         ["Bereavement", "Worry"]),
        (lambda: db.session.delete(named("anxiety")), ["Bereavement"]),
    ]
    for change, listed in changes:
        with other.app_context():
            change()
            db.session.commit()
        assert options(page_of(client.get(WRITE))) == listed
    response = submit(client, WRITE, new_series="Couples", series_part="0")  # refused: rolled back
    assert response.status_code == 422 and options(page_of(response)) == ["Bereavement"]
    with other.app_context():
        series_service.create("Shame")
        db.session.commit()
    assert options(page_of(client.get(WRITE))) == ["Bereavement", "Shame"]


def test_an_existing_or_doubly_chosen_new_series_is_refused(app, client, auth, make):
    make.series("Grief and Loss")
    auth.login("editor")
    cases = [({"new_series": "grief and loss"},
              "There is already a series called “Grief and Loss”; choose it under Series."),
             ({"series": "Grief and Loss", "new_series": "Another"}, "Choose a series or name a new one, not both.")]
    for fields, message in cases:
        response = submit(client, WRITE, **fields)
        assert response.status_code == 422 and errors(page_of(response))["new_series"] == message
    assert series_titles(app) == ["Grief and Loss"]


def test_the_part_field_explains_when_readers_numbering_differs(client, auth, make, monkeypatch):
    monkeypatch.setattr(clock, "now", lambda: NOW)
    series_id = make.series("Mother–Daughter Relationships")
    fourth = 0
    for number in range(1, 5):
        fourth = make.article(f"Part {number}", series_id=series_id, series_part=number,
                              publish_at=NOW - timedelta(days=9))
    make.article("Part 5", status=Status.SCHEDULED, series_id=series_id, series_part=5,
                 publish_at=datetime(2025, 12, 1, 14, tzinfo=UTC))
    sixth = make.article("Part 6", series_id=series_id, series_part=6, publish_at=NOW - timedelta(days=1))
    seventh = make.article("Part 7", series_id=series_id, series_part=7, status=Status.DRAFT)
    auth.login("editor")
    assert part_hint(client, sixth) == ("Empty: the next part of the series. "
                                       "Readers see Part 5 of 5 until Part 5 goes live on 1 December at 09:00.")
    assert part_hint(client, seventh).endswith(
        "Published now, readers would see Part 6 of 6 until Part 5 goes live on 1 December at 09:00.")
    assert part_hint(client, fourth) == "Empty: the next part of the series."


def part_hint(client, article_id: int) -> str:
    page = page_of(client.get(edit_url(article_id)))
    assert 'aria-describedby="series_part-hint"' in page
    return html.unescape(re.search(r'<p class="hint" id="series_part-hint">([^<]+)</p>', page).group(1))


def test_an_overlong_new_series_name_is_refused_in_one_sentence(app, client, auth):
    auth.login("editor")
    response = submit(client, WRITE, new_series="x" * 301)
    assert response.status_code == 422
    assert errors(page_of(response))["new_series"] == "A series name is at most 300 characters long."
    assert series_titles(app) == []

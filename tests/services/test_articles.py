"""The article use cases the writing screen relies on, with fixed times."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest

from cms.core.errors import EditConflict, InvalidInput, NotAllowed
from cms.core.workflow import Role, Status
from cms.extensions import db
from cms.models import Article, Series, User
from cms.services import articles, revisions, tags, users
from tests.factories import NOW, PASSWORD

LATER = NOW + timedelta(hours=1)


@pytest.fixture
def ctx(app):
    with app.app_context():
        yield


def person(role: str = "author", email: str | None = None) -> User:
    user = users.create_user(email or f"{role}@example.com", PASSWORD, Role(role), name=role.title())
    db.session.flush()
    return user


def draft(by: User, title: str = "Grief Has No Timeline", **fields) -> Article:
    return articles.create(articles.ArticleInput(title=title, body_source="First.", **fields), by=by, now=NOW)


def test_saving_the_same_text_makes_no_revision(ctx):
    author = person()
    article = draft(author, tags=("grief",))
    articles.update(article, articles.ArticleInput(title=" Grief  Has No Timeline", body_source="First.",
                                                   tags=("Grief",)), by=author, now=LATER)
    assert len(article.revisions) == 1


def test_tags_are_found_by_slug_or_by_name_in_any_letter_case_and_new_ones_made_once(ctx):
    author = person()
    first = draft(author, tags=("Grief", "Mother and daughter"))
    second = draft(author, title="Another", tags=("grief", "MOTHER AND DAUGHTER", "mother-and-daughter", "Sleep",
                                                   "sleep", " Sleep "))
    assert [tag.name for tag in second.tags] == ["Grief", "Mother and daughter", "Sleep"]
    assert {tag.id for tag in first.tags} <= {tag.id for tag in second.tags}
    assert draft(author, title="Empty", tags=("", "  ")).tags == []


def test_renaming_a_tag_to_another_tags_name_in_any_letter_case_or_slug_is_refused(ctx):
    author = person()
    grief, _ = draft(author, tags=("Grief", "Mother and daughter")).tags
    refusal = re.escape("There is already a tag “Mother and daughter”; merge into it instead.")
    for taken in ("mother and DAUGHTER", "mother-and-daughter"):
        with pytest.raises(InvalidInput, match=refusal):
            tags.rename(grief, taken)
    assert tags.rename(grief, "GRIEF").name == "GRIEF"  # its own name in other letters


def test_a_stale_save_is_kept_as_a_revision_and_refused(ctx):
    author = person()
    article = draft(author)
    loaded = article.version
    articles.update(article, articles.ArticleInput(title=article.title, body_source="Second."), by=author,
                    now=LATER)
    with pytest.raises(EditConflict, match="saved in another of your windows while you were editing"):
        articles.update(article, articles.ArticleInput(title=article.title, body_source="Stale."), by=author,
                        now=LATER, based_on_version=loaded)
    assert article.body_source == "Second."
    assert [(r.body_source, r.note) for r in article.revisions][-1] == ("Stale.", articles.NOT_APPLIED)


def test_restore_makes_a_new_revision_and_keeps_the_placement(ctx):
    author = person()
    series = Series(title="Grief", slug="grief")
    db.session.add(series)
    article = draft(author, series=series, tags=("old tag",))
    first = article.revisions[0]
    articles.update(article, articles.ArticleInput(title="A New Title", body_source="Second.", series=series,
                                                   tags=("new tag",)), by=author, now=LATER)
    articles.restore(article, first, by=author, now=LATER)
    assert (article.title, article.body_source, [t.name for t in article.tags]) == (
        "Grief Has No Timeline", "First.", ["old tag"])
    assert (article.slug, article.series, article.series_part) == ("grief-has-no-timeline", series, 1)
    assert [r.note for r in article.revisions] == ["", "", "Restored from revision 1"]


def test_restore_refuses_a_revision_of_another_article(ctx):
    author = person()
    one, other = draft(author), draft(author, "Another")
    with pytest.raises(InvalidInput):
        articles.restore(one, other.revisions[0], by=author, now=LATER)


def test_compare_names_the_fields_that_changed(ctx):
    author = person()
    article = draft(author)
    articles.update(article, articles.ArticleInput(title=article.title, body_source="Second."), by=author,
                    now=LATER)
    changed = {field.label for field in revisions.compare(*article.revisions) if field.is_changed}
    assert changed == {"Body"}


def test_check_input_reports_every_problem_at_once(ctx):
    author = person()
    series = Series(title="Grief", slug="grief")
    db.session.add(series)
    draft(author, "Taken", series=series, series_part=1)
    problems = articles.check_input(None, articles.ArticleInput(title=" ", slug="taken", tags=("!!",),
                                                                series=series, series_part=1), by=author)
    assert [problem.field for problem in problems] == ["title", "slug", "tags", "series_part"]


def test_a_typed_time_on_a_draft_is_a_plan_and_on_a_scheduled_article_a_reschedule(ctx):
    author, editor = person(), person("editor")
    article = draft(author)
    articles.set_publish_at(article, NOW + timedelta(days=7), by=author, now=NOW)
    assert article.status is Status.DRAFT and article.publish_at == NOW + timedelta(days=7)
    articles.change_status(article, Status.SCHEDULED, by=editor, now=NOW, publish_at=article.publish_at)
    articles.set_publish_at(article, NOW + timedelta(days=8), by=editor, now=NOW)
    assert [(c.from_status, c.to_status, c.publish_at) for c in article.status_changes][-1] == (
        Status.SCHEDULED, Status.SCHEDULED, NOW + timedelta(days=8))
    with pytest.raises(NotAllowed):
        articles.set_publish_at(article, NOW + timedelta(days=9), by=author, now=NOW)
    with pytest.raises(InvalidInput, match="needs a publish time"):
        articles.set_publish_at(article, None, by=editor, now=NOW)


def test_a_published_article_keeps_its_time_but_a_form_may_drop_microseconds(ctx):
    editor = person("editor")
    article = draft(editor)
    moment = NOW.replace(microsecond=123456)
    articles.change_status(article, Status.PUBLISHED, by=editor, now=moment)
    articles.set_publish_at(article, moment.replace(microsecond=0), by=editor, now=LATER)  # untouched field
    assert article.publish_at == moment
    with pytest.raises(InvalidInput, match="cannot be changed"):
        articles.set_publish_at(article, NOW - timedelta(days=1), by=editor, now=LATER)


def test_parts_are_renumbered_at_once_even_when_swapped(ctx):
    editor = person("editor")
    series = Series(title="Grief", slug="grief")
    db.session.add(series)
    one, two, three = (draft(editor, f"Part {n}", series=series) for n in (1, 2, 3))
    articles.renumber_parts(series, {one.id: 3, two.id: 1, three.id: 2}, by=editor)
    assert (one.series_part, two.series_part, three.series_part) == (3, 1, 2)
    with pytest.raises(InvalidInput, match="same number"):
        articles.renumber_parts(series, {one.id: 1, two.id: 1, three.id: 2}, by=editor)
    with pytest.raises(InvalidInput, match="every part"):
        articles.renumber_parts(series, {one.id: 1}, by=editor)
    with pytest.raises(NotAllowed):
        articles.renumber_parts(series, {one.id: 1, two.id: 2, three.id: 3}, by=person())


def test_a_series_without_parts_is_renumbered_to_nothing(ctx):
    series = Series(title="Empty", slug="empty")
    db.session.add(series)
    articles.renumber_parts(series, {}, by=person("editor"))
    assert series.articles == []


def test_autosave_is_offered_only_when_newer_and_different(ctx):
    author = person()
    article = draft(author)
    articles.autosave(article, by=author, now=NOW - timedelta(minutes=1), title=article.title, summary="",
                      body_source="Older than the save.")
    assert articles.pending_autosave(article, by=author) is None
    articles.autosave(article, by=author, now=LATER, title=article.title, summary="", body_source="First.")
    assert articles.pending_autosave(article, by=author) is None  # the same text as saved
    slot = articles.autosave(article, by=author, now=LATER, title=article.title, summary="",
                             body_source="Typed after the save.")
    assert articles.pending_autosave(article, by=author) is slot
    assert articles.pending_autosave(article, by=person("editor")) is None  # each person has their own slot
    articles.discard_autosave(article, by=author)
    assert articles.pending_autosave(article, by=author) is None


def test_autosave_refuses_someone_elses_draft(ctx):
    article = draft(person())
    with pytest.raises(NotAllowed):
        articles.autosave(article, by=person("author", "other@example.com"), now=LATER, title="", summary="",
                          body_source="")


def test_preview_links_are_unguessable_and_revocable(ctx):
    author = person()
    article = draft(author)
    first = articles.create_preview_link(article, by=author, now=NOW)
    second = articles.create_preview_link(article, by=author, now=NOW)
    assert first.token != second.token and len(first.token) >= 40
    assert articles.find_by_preview_token(first.token) is article
    articles.revoke_preview_link(first, by=author, now=LATER)
    assert articles.find_by_preview_token(first.token) is None
    assert articles.preview_links(article) == [second]
    with pytest.raises(NotAllowed):
        articles.create_preview_link(article, by=person("author", "other@example.com"), now=NOW)


def test_month_calendar_puts_articles_on_their_local_day(ctx):
    editor = person("editor")
    late = draft(editor, "Late")
    articles.change_status(late, Status.SCHEDULED, by=editor, now=NOW,
                           publish_at=datetime(2025, 3, 1, 4, 30, tzinfo=UTC))  # 28 February, 23:30 in New York
    weeks = articles.month_calendar(2025, 2, "America/New_York", by=editor, now=NOW)
    days = {day.day.isoformat(): day for week in weeks for day in week}
    assert [a.title for a in days["2025-02-28"].articles] == ["Late"] and days["2025-02-28"].in_month
    assert days["2025-03-01"].articles == [] and not days["2025-03-01"].in_month
    assert all(len(week) == 7 and week[0].day.weekday() == 0 for week in weeks)


def test_lists_show_authors_only_their_own(ctx):
    author, other, editor = person(), person("author", "other@example.com"), person("editor")
    draft(author, "Mine"), draft(other, "Theirs")
    assert [a.title for a in articles.with_status(Status.DRAFT, by=author)] == ["Mine"]
    assert {a.title for a in articles.with_status(Status.DRAFT, by=editor)} == {"Mine", "Theirs"}
    scheduled = draft(editor, "Soon")
    articles.change_status(scheduled, Status.SCHEDULED, by=editor, now=NOW, publish_at=LATER)
    assert articles.upcoming(NOW, by=editor) == [scheduled]
    assert articles.upcoming(LATER, by=editor) == []

"""Related articles through the services: queued on save, stored by the worker's catch-up, read live only, pinned,
excluded, explained, linked."""

import gc
import io
import threading
from datetime import timedelta

import pytest
import sqlalchemy
from sqlalchemy import select
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from cms.core.errors import InvalidInput
from cms.core.workflow import Status
from cms.extensions import db
from cms.mailer import FolderTransport
from cms.models import Article, ContentVersion, RelatedScore, Series, User
from cms.services import articles, freshness, related, site
from cms.worker import Worker
from tests.core.related_corpus import CORPUS
from tests.factories import NOW


@pytest.fixture
def editor(app, make):
    editor_id = make.user("editor")
    with app.app_context():
        yield db.session.get(User, editor_id)


def write(editor: User, title: str, summary: str = "", body: str = "", *, status: Status = Status.PUBLISHED,
          publish_at=None, tags=(), series: Series | None = None) -> Article:
    data = articles.ArticleInput(title=title, summary=summary, body_source=body, tags=tags, series=series)
    article = articles.create(data, by=editor, now=NOW)
    if status is not Status.DRAFT:
        publish_at = publish_at or NOW - timedelta(days=1)
        articles.change_status(article, status, by=editor, now=NOW, publish_at=publish_at)
    return article


def topic(editor: User, name: str, count: int = 4, **fields) -> list[Article]:
    return [write(editor, *text, **fields) for text in CORPUS[name][:count]]


def shown(article: Article, now=NOW) -> list[str]:
    return [other.title for other in related.for_article(article, now, site.settings())]


def caught_up() -> related.CaughtUp:
    """What the worker does a moment after a save: compute what was queued, and commit."""
    done = related.catch_up(NOW)
    db.session.commit()
    return done


def stored(article: Article) -> dict[int, RelatedScore]:
    query = select(RelatedScore).where(RelatedScore.article_id == article.id)
    return {row.other_id: row for row in db.session.scalars(query)}


def test_publishing_stores_scores_with_reasons_and_readers_get_the_closest(editor):
    anxiety, grief = topic(editor, "anxiety"), topic(editor, "grief")
    db.session.commit()
    caught_up()
    assert set(shown(anxiety[0])) <= {article.title for article in anxiety[1:]}
    assert len(shown(anxiety[0])) == 3
    row = stored(grief[0])[grief[2].id]
    assert row.score > 0 and "grief" in row.reasons["terms"] and row.reasons["series"] is False


def test_an_article_that_is_not_live_is_never_related_even_before_any_recomputation(editor):
    first, second = topic(editor, "anxiety", 2)
    db.session.commit()
    caught_up()
    assert shown(first) == [second.title]
    second.status = Status.DRAFT  # behind the services' back: no recomputation runs
    db.session.commit()
    assert shown(first) == []
    second.status = Status.PUBLISHED
    articles.change_status(second, Status.DRAFT, by=editor, now=NOW)
    db.session.commit()
    caught_up()
    assert second.id not in stored(first)


def test_a_scheduled_article_is_scored_ahead_and_shown_from_its_time(editor):
    first = write(editor, *CORPUS["sleep"][0])
    later = write(editor, *CORPUS["sleep"][1], status=Status.SCHEDULED, publish_at=NOW + timedelta(hours=2))
    db.session.commit()
    caught_up()
    assert later.id in stored(first)
    assert shown(first) == []
    assert shown(first, NOW + timedelta(hours=3)) == [later.title]


def test_pins_come_first_and_exclusions_are_never_shown(editor):
    anxiety = topic(editor, "anxiety")
    garden = write(editor, "Tomatoes", body="Sun, water and patience.")
    caught_up()
    closest = [other.id for other in related.for_article(anxiety[0], NOW, site.settings())]
    related.pin(anxiety[0], garden)
    related.exclude(anxiety[0], db.session.get(Article, closest[0]))
    db.session.commit()
    titles = shown(anxiety[0])
    assert titles[0] == "Tomatoes" and db.session.get(Article, closest[0]).title not in titles
    assert len(titles) == 3
    related.release(anxiety[0], garden)
    assert "Tomatoes" not in shown(anxiety[0])


def test_pins_keep_their_order_and_can_be_moved(editor):
    first, *others = topic(editor, "couples")
    for other in others:
        related.pin(first, other)
    related.pin(first, others[2], position=0)
    db.session.commit()
    assert shown(first) == [others[2].title, others[0].title, others[1].title]


def test_an_article_cannot_be_pinned_to_itself(editor):
    article = write(editor, "Alone")
    with pytest.raises(InvalidInput, match="itself"):
        related.pin(article, article)


def test_parts_of_the_same_series_only_fill_in(editor):
    series = Series(slug="sleep", title="Sleep")
    db.session.add(series)
    parts = topic(editor, "sleep", 3, series=series)
    outsider = write(editor, *CORPUS["sleep"][3])
    db.session.commit()
    caught_up()
    titles = shown(parts[0])
    assert titles[0] == outsider.title and set(titles[1:]) == {parts[1].title, parts[2].title}
    assert stored(parts[0])[parts[1].id].reasons["series"] is True


def test_a_save_rewrites_only_the_rows_it_touches(editor):
    anxiety, sleep = topic(editor, "anxiety"), topic(editor, "sleep")
    caught_up()
    before = {article.id: {other: row.score for other, row in stored(article).items()} for article in anxiety}
    title, summary, body = CORPUS["sleep"][2]
    edit = articles.ArticleInput(title=title, summary=summary, body_source=body + " Nightmares.")
    articles.update(sleep[2], edit, by=editor, now=NOW)
    db.session.commit()
    assert caught_up().articles == 1
    after = {article.id: {other: row.score for other, row in stored(article).items()} for article in anxiety}
    unchanged = [ident for ident in before if before[ident] == after[ident]]
    related.queue(sleep[2])
    assert unchanged and caught_up() == related.CaughtUp(articles=1, changed=0)


def test_a_rolled_back_catch_up_leaves_nothing_behind_in_the_index(editor):
    first = write(editor, *CORPUS["grief"][0])
    caught_up()
    articles.update(first, articles.ArticleInput(title="Tomatoes", body_source="Sun, water and patience."),
                    by=editor, now=NOW)
    related.catch_up(NOW)
    db.session.rollback()
    second = write(editor, *CORPUS["grief"][1])
    caught_up()
    assert shown(second) == [first.title]


def test_explain_says_why_each_candidate_is_or_is_not_shown(editor):
    anxiety = topic(editor, "anxiety")
    draft = write(editor, "Panic at night", body="Panic attacks, a racing heart and anxiety at night.",
                  status=Status.DRAFT)
    related.exclude(anxiety[0], anxiety[1])
    caught_up()
    explanations = related.explain(anxiety[0], NOW)
    assert [e.other.id for e in explanations if e.is_shown] == [o.id for o in related.for_article(
        anxiety[0], NOW, site.settings())]
    excluded = next(e for e in explanations if e.other.id == anxiety[1].id)
    assert excluded.is_excluded and not excluded.is_shown and excluded.terms
    assert draft.id not in {e.other.id for e in explanations}
    assert {e.other.id for e in related.explain(draft, NOW)} & {a.id for a in anxiety}  # a draft gets its own


def test_the_body_readers_see_links_live_titles_only_and_can_be_turned_off(editor):
    grief = write(editor, "Grief", body="Loss.")
    write(editor, "Insomnia", body="Sleep.", status=Status.SCHEDULED, publish_at=NOW + timedelta(days=1))
    article = write(editor, "Notes", body="On grief and insomnia.")
    db.session.commit()
    assert related.body_for_readers(article, NOW) == (
        '<p>On <a href="/articles/grief">grief</a> and insomnia.</p>')
    assert [target.title for target in related.link_suggestions(article, NOW)] == ["Grief"]
    assert [target.title for target in related.link_suggestions(article, NOW + timedelta(days=2))] == [
        "Grief", "Insomnia"]
    assert related.link_suggestions(article, NOW, html="<p>No mention.</p>") == []
    article.is_autolink_enabled = False
    assert related.body_for_readers(article, NOW) == article.body_html
    assert related.body_for_readers(grief, NOW) == "<p>Loss.</p>"


def test_reindex_rebuilds_scores_and_says_what_it_did(app, editor):
    anxiety = topic(editor, "anxiety", 2)
    db.session.execute(db.delete(RelatedScore))
    db.session.commit()
    result = app.test_cli_runner().invoke(args=["cms", "reindex"])
    assert result.exit_code == 0, result.output
    assert "computed for 2 articles" in result.output and "2 stored scores changed" in result.output
    assert "Search index" in result.output
    db.session.expire_all()
    assert anxiety[1].id in stored(anxiety[0])
    again = app.test_cli_runner().invoke(args=["cms", "reindex"])
    assert "0 stored scores changed" in again.output


def test_an_article_indexed_in_a_rolled_back_transaction_is_read_again(editor):
    """Another process may reuse the id and reach the same version; the index must not trust its copy."""
    garden = write(editor, "Tomatoes", body="Sun, water and patience.")
    related.catch_up(NOW)
    ident, version, author_id = garden.id, garden.version, editor.id
    db.session.rollback()
    title, summary, body = CORPUS["grief"][0]
    other = Article(id=ident, slug="grief", title=title, summary=summary, body_text=body, author_id=author_id,
                    status=Status.PUBLISHED, publish_at=NOW - timedelta(days=1))
    db.session.add(other)  # as another process would write it, without this process's services
    db.session.flush()
    while other.version < version:
        other.updated_at = other.updated_at + timedelta(seconds=1)
        db.session.flush()
    db.session.commit()
    second = write(editor, *CORPUS["grief"][1])
    caught_up()
    assert shown(second) == [title]


def test_a_save_only_queues_and_the_worker_computes_what_was_queued(app, editor):
    first, second = topic(editor, "couples", 2)
    db.session.commit()
    assert stored(first) == {} and stored(second) == {}
    result = app.test_cli_runner().invoke(args=["cms", "worker", "--once"])
    assert result.exit_code == 0, result.output
    assert "Related articles computed for 2 saved articles." in result.output
    db.session.expire_all()
    assert set(stored(first)) == {second.id} and set(stored(second)) == {first.id}
    assert caught_up() == related.CaughtUp(articles=0, changed=0)  # the queue is empty


def test_scores_that_move_no_list_readers_see_leave_the_content_version_alone(editor):
    """The worker writes stored scores and marks the pages they change itself: the scores take no turn at the
    content version, which every save takes until it commits (on PostgreSQL, a row lock a save would wait on)."""
    topic(editor, "sleep", 3)
    caught_up()
    draft = write(editor, *CORPUS["sleep"][3], status=Status.DRAFT)
    db.session.commit()
    versions = db.session.execute(select(ContentVersion.version, ContentVersion.public_version)).one()
    assert caught_up().changed > 0 and stored(draft)
    assert db.session.execute(select(ContentVersion.version, ContentVersion.public_version)).one() == versions


def test_a_large_title_index_is_built_apart_from_the_garbage_collector_which_runs_again_after(editor, monkeypatch):
    monkeypatch.setattr(related, "_FROZEN_FROM", 2)  # as large as a site whose collections are felt
    topic(editor, "sleep", 3)
    db.session.commit()
    frozen = gc.get_freeze_count()
    assert len(related.live_titles(NOW)) == 3
    assert gc.isenabled() and gc.get_freeze_count() > frozen


def test_an_article_changed_by_another_process_is_read_again_before_the_next_update(editor):
    first = write(editor, *CORPUS["sleep"][0])
    caught_up()
    with Session(db.engine) as elsewhere:  # another worker's session, with its own transaction
        changed = elsewhere.get(Article, first.id)
        changed.title, changed.summary, changed.body_text = CORPUS["grief"][0]
        elsewhere.commit()
    db.session.expire_all()
    second = write(editor, *CORPUS["grief"][1])
    caught_up()
    assert shown(second) == [CORPUS["grief"][0][0]]


def test_a_worker_started_on_a_site_reads_the_stored_lists_and_computes_saves_as_a_full_computation_does(
        editor, monkeypatch):
    articles_by_topic = [topic(editor, name, 3) for name in ("anxiety", "grief", "sleep")]
    caught_up()
    # A worker started again, as after a deploy: its index is read from the database.
    monkeypatch.setattr(related, "_caches", freshness.PerEngine())
    grief = articles_by_topic[1][0]
    articles.update(grief, articles.ArticleInput(title=grief.title, summary=grief.summary,
                                                 body_source=CORPUS["sleep"][3][2]), by=editor, now=NOW)
    caught_up()
    after_restart = {article.id: {other: row.score for other, row in stored(article).items()}
                     for topic_articles in articles_by_topic for article in topic_articles}
    related.rebuild()
    db.session.commit()
    db.session.expire_all()
    recomputed = {article.id: {other: row.score for other, row in stored(article).items()}
                  for topic_articles in articles_by_topic for article in topic_articles}
    assert after_restart == recomputed
    assert CORPUS["sleep"][0][0] in shown(grief)


def test_the_worker_computes_every_queued_article_before_it_writes_so_no_save_waits_on_its_computing(editor,
                                                                                                    monkeypatch):
    """A write holds other writers until the commit (SQLite's lock, PostgreSQL's row locks on what it wrote), and
    the worker computes at a lower priority than the site: its writes come last, in one short burst."""
    topic(editor, "sleep", 2)
    write(editor, *CORPUS["grief"][0], status=Status.DRAFT)
    site.settings()  # made by `flask cms init` on a real site; a test's database makes it on first use
    db.session.commit()
    events: list[str] = []

    def computing(method):
        def wrapped(index, *args):
            events.append("compute")
            return method(index, *args)
        return wrapped

    for name in ("upsert", "remove", "query"):
        monkeypatch.setattr(related.Index, name, computing(getattr(related.Index, name)))

    def statement(conn, cursor, sql, *_):
        if sql.lstrip().split(None, 1)[0].upper() in ("INSERT", "UPDATE", "DELETE"):
            events.append("write")

    sqlalchemy.event.listen(db.engine, "before_cursor_execute", statement)
    try:
        assert caught_up().articles == 3
    finally:
        sqlalchemy.event.remove(db.engine, "before_cursor_execute", statement)
    assert events.count("compute") >= 3 and "write" in events
    assert "compute" not in events[events.index("write"):]


def test_a_running_worker_computes_a_save_within_seconds_and_tries_again_after_a_failure(app, editor, monkeypatch):
    first = write(editor, *CORPUS["couples"][0])
    caught_up()
    catch_up, calls, computed = related.catch_up, [], threading.Event()

    def failing_once(now):
        calls.append(now)
        if len(calls) == 1:
            raise OperationalError("SELECT", {}, Exception("the database went away"))
        done = catch_up(now)
        if done.articles:
            computed.set()
        return done

    monkeypatch.setattr(related, "catch_up", failing_once)
    log = io.StringIO()
    worker = Worker(app, FolderTransport(app.instance_path), log=log)
    running = threading.Thread(target=worker.run)
    running.start()
    try:
        second = write(editor, *CORPUS["couples"][1])
        db.session.commit()
        assert computed.wait(timeout=10), "the worker never computed the save"
    finally:
        worker.stop()
        running.join(timeout=10)
    db.session.rollback()  # read what the worker committed
    assert second.id in stored(first) and first.id in stored(second)
    assert "Related articles wait: the database went away" in log.getvalue()
    assert "Related articles computed for 1 saved article." in log.getvalue()

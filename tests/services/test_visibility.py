"""The live rule's twins agree: `core.visibility` in Python and `services.reader` in SQL, on this test's engine.

Hypothesis draws statuses and times, many of them on or next to `now`, where a `<` written for a `<=` would
show; every example is written, queried and rolled back.
"""

import functools
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st
from sqlalchemy import select

from cms.core import visibility
from cms.core.workflow import Status
from cms.extensions import db
from cms.models import Article, User
from cms.services import reader

MOMENTS = st.datetimes(min_value=datetime(2000, 1, 1), max_value=datetime(2100, 1, 1), timezones=st.just(UTC))
NEAR = st.sampled_from([timedelta(0), timedelta(microseconds=1), timedelta(microseconds=-1), timedelta(seconds=1),
                        timedelta(seconds=-1), timedelta(days=-365)])


@st.composite
def articles_and_now(draw: st.DrawFn) -> tuple[list[tuple[Status, datetime | None]], datetime]:
    now = draw(MOMENTS)
    publish_at = st.one_of(st.none(), MOMENTS, NEAR.map(lambda offset: now + offset))
    return draw(st.lists(st.tuples(st.sampled_from(Status), publish_at), min_size=1, max_size=8)), now


@pytest.fixture
def author_id(app, make) -> int:
    return make.user("author")


# One app and database for every example: each example rolls back what it wrote.
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(drawn=articles_and_now())
def test_the_sql_twins_select_exactly_what_the_python_rules_accept(app, author_id, drawn):
    rows, now = drawn
    with app.app_context():
        author = db.session.get(User, author_id)
        written = [Article(slug=f"a-{number}", title=f"A {number}", author=author, status=status, publish_at=moment)
                   for number, (status, moment) in enumerate(rows)]
        db.session.add_all(written)
        db.session.flush()
        try:
            for rule, clause in ((visibility.is_live, reader.is_live_clause),
                                 (visibility.is_live, functools.partial(reader.is_live_clause, by_date=True)),
                                 (visibility.is_coming, reader.is_coming_clause)):
                selected = set(db.session.scalars(select(Article.id).where(clause(now))))
                accepted = {article.id for article in written if rule(article.status, article.publish_at, now)}
                assert selected == accepted, rule.__name__
        finally:
            db.session.rollback()


def test_an_article_is_live_or_coming_only_when_set_to_go_live():
    now = datetime(2025, 2, 11, 14, tzinfo=UTC)
    assert visibility.is_live(Status.PUBLISHED, now, now) and not visibility.is_coming(Status.PUBLISHED, now, now)
    later = now + timedelta(seconds=1)
    assert visibility.is_coming(Status.SCHEDULED, later, now) and not visibility.is_live(Status.SCHEDULED, later, now)
    for rule in (visibility.is_live, visibility.is_coming):
        assert not (rule(Status.DRAFT, now, now) or rule(Status.ARCHIVED, later, now)
                    or rule(Status.SCHEDULED, None, now))

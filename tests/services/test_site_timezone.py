"""Changing the site's time zone: scheduled articles keep their clock time unless told to keep their moment."""

from datetime import UTC, datetime, timedelta

import pytest

from cms.core.errors import InvalidInput
from cms.core.workflow import Status
from cms.extensions import db
from cms.models import Article, StatusChange
from cms.services import site, timezones, users
from tests.factories import Factories

NOW = datetime(2030, 1, 7, 12, tzinfo=UTC)
TUESDAY_9_NEW_YORK = datetime(2030, 1, 8, 14, tzinfo=UTC)  # 09:00 EST


@pytest.fixture
def planned(app, make: Factories) -> dict[str, int]:
    made = {"scheduled": make.article("Scheduled", status=Status.SCHEDULED, publish_at=TUESDAY_9_NEW_YORK),
            "draft": make.article("Planned draft", status=Status.DRAFT),
            "live": make.article("Live", status=Status.PUBLISHED, publish_at=NOW - timedelta(days=1)),
            "admin": make.user("admin")}
    with app.app_context():
        db.session.get(Article, made["draft"]).publish_at = TUESDAY_9_NEW_YORK  # planned for whoever schedules it
        db.session.commit()
    return made


def test_keeping_the_clock_time_moves_scheduled_articles_to_9_00_in_the_new_zone(app, planned):
    with app.app_context():
        admin = db.session.get(users.User, planned["admin"])
        change = timezones.change("Berlin", keep_wall_clock=True, by=admin, default="America/New_York", now=NOW)
        db.session.commit()
        assert [move.article.title for move in change.moves] == ["Scheduled", "Planned draft"]
        berlin_9 = datetime(2030, 1, 8, 8, tzinfo=UTC)  # 09:00 CET
        assert db.session.get(Article, planned["scheduled"]).publish_at == berlin_9
        assert db.session.get(Article, planned["draft"]).publish_at == berlin_9
        assert db.session.get(Article, planned["live"]).publish_at == NOW - timedelta(days=1)
        assert site.settings().timezone == "Europe/Berlin"
        reschedule = db.session.scalars(db.select(StatusChange).where(
            StatusChange.article_id == planned["scheduled"]).order_by(StatusChange.id.desc())).first()
        assert reschedule.publish_at == berlin_9 and reschedule.actor_id == admin.id


def test_keeping_the_moment_leaves_every_publish_time_alone(app, planned):
    with app.app_context():
        admin = db.session.get(users.User, planned["admin"])
        timezones.change("Europe/Berlin", keep_wall_clock=False, by=admin, default="America/New_York", now=NOW)
        db.session.commit()
        assert db.session.get(Article, planned["scheduled"]).publish_at == TUESDAY_9_NEW_YORK
        assert site.settings().timezone == "Europe/Berlin"


def test_the_plan_shows_each_move_and_changes_nothing(app, planned):
    with app.app_context():
        change = timezones.plan_change("Los Angeles", default="America/New_York", now=NOW)
        assert (change.old, change.new) == ("America/New_York", "America/Los_Angeles")
        assert change.moves[0].publish_at == TUESDAY_9_NEW_YORK
        assert change.moves[0].keeping_wall_clock == datetime(2030, 1, 8, 17, tzinfo=UTC)  # 09:00 PST
        assert site.settings().timezone is None


@pytest.mark.parametrize(("typed", "message"), [
    ("Atlantis", "“Atlantis” is not a time zone; choose a city from the list, e.g. New York."),
    ("New York", "The site is already on New York (America/New_York, UTC−05:00)."),
])
def test_an_unknown_or_unchanged_zone_is_refused_in_one_sentence(app, planned, typed, message):
    with app.app_context():
        admin = db.session.get(users.User, planned["admin"])
        with pytest.raises(InvalidInput, match=message.replace("(", r"\(").replace(")", r"\)")):
            timezones.change(typed, keep_wall_clock=True, by=admin, default="America/New_York", now=NOW)
        assert db.session.get(Article, planned["scheduled"]).publish_at == TUESDAY_9_NEW_YORK


def test_a_new_site_is_on_new_york_time_not_utc(tmp_path):
    from cms import create_app

    app = create_app({"SECRET_KEY": "x", "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'site.sqlite'}"})
    assert app.config["SITE_TIMEZONE"] == "America/New_York"

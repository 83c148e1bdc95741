"""The `flask cms` commands, run as a person runs them."""

import re

import pytest
from sqlalchemy import func, select, update

from cms import create_app
from cms.core import clock
from cms.core.workflow import Status
from cms.extensions import db
from cms.models import Article, Page, Series, User, is_search_object
from cms.services import reader
from tests import factories
from tests.conftest import csrf_token


@pytest.fixture
def fresh_app(app_config):
    """An app whose schema comes from the migrations, as `flask cms init` makes it."""
    app = create_app(app_config)
    with app.app_context():
        db.drop_all()  # on PostgreSQL the suite keeps its tables between tests (see conftest.py)
    yield app
    with app.app_context():
        db.session.remove()
        db.drop_all()
        db.session.execute(db.text("DROP TABLE IF EXISTS alembic_version"))
        db.session.commit()
        db.engine.dispose()


def test_init_twice_is_harmless(fresh_app):
    runner = fresh_app.test_cli_runner()
    first = runner.invoke(args=["cms", "init"])
    second = runner.invoke(args=["cms", "init"])
    assert first.exit_code == 0 and second.exit_code == 0, first.output + second.output
    assert "The database is up to date." in second.output


def test_init_renders_stale_bodies_again_without_counting_an_edit(fresh_app):
    """An upgrade's new Markdown pipeline must not move edit versions: editors' open tabs would all conflict."""
    runner = fresh_app.test_cli_runner()
    runner.invoke(args=["cms", "init"])
    make = factories.Factories(fresh_app)
    article_id, page_id = make.article(body_source="Some *words*."), make.page(body_source="About *me*.")
    with fresh_app.app_context():
        for model in (Article, Page):
            db.session.execute(update(model.__table__).values(body_html="<p>old</p>", html_version=0,
                                                              updated_at=model.__table__.c.updated_at))
        db.session.commit()
    before = [(item.version, item.updated_at) for item in (make.get(Article, article_id), make.get(Page, page_id))]
    result = runner.invoke(args=["cms", "init"])
    assert result.exit_code == 0, result.output
    assert "Re-rendered 2 articles and pages." in result.output
    after = [make.get(Article, article_id), make.get(Page, page_id)]
    assert [(item.version, item.updated_at) for item in after] == before
    assert [item.body_html for item in after] == ["<p>Some <em>words</em>.</p>", "<p>About <em>me</em>.</p>"]


def test_migrations_match_the_models(fresh_app):
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    assert fresh_app.test_cli_runner().invoke(args=["cms", "init"]).exit_code == 0
    with fresh_app.app_context(), db.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={
            "compare_type": True, "include_name": lambda name, *_: not is_search_object(name)})
        assert compare_metadata(context, db.metadata) == []


def test_create_user_reads_the_password_from_stdin(fresh_app):
    runner = fresh_app.test_cli_runner()
    runner.invoke(args=["cms", "init"])
    result = runner.invoke(args=["cms", "create-user", "Maya@Example.com", "--role", "editor",
                                 "--password-stdin"], input="a long enough password\n")
    assert result.exit_code == 0, result.output
    assert "Created editor maya@example.com." in result.output
    with fresh_app.app_context():
        user = db.session.scalar(select(User))
        assert user.check_password("a long enough password")


def test_create_user_refuses_a_short_password_in_one_sentence(fresh_app):
    runner = fresh_app.test_cli_runner()
    runner.invoke(args=["cms", "init"])
    result = runner.invoke(args=["cms", "create-user", "maya@example.com", "--password-stdin"], input="short\n")
    assert result.exit_code == 1
    assert result.output.strip() == "Error: The password must be at least 10 characters long."


def test_demo_loads_the_sample_site_and_its_admin_can_sign_in(fresh_app):
    runner = fresh_app.test_cli_runner()
    runner.invoke(args=["cms", "init"])
    result = runner.invoke(args=["cms", "demo"])
    assert result.exit_code == 0, result.output
    password = re.search(r"with the password: (\S+)", result.output)[1]
    with fresh_app.app_context():
        now = clock.now()
        series_parts = {series.title: parts for series, parts in reader.series_with_live_parts(now)}
        assert len(db.session.scalars(select(Series)).all()) == 3
        assert all(len(series.articles) >= 3 for series in db.session.scalars(select(Series)))
        assert len(series_parts) == 3
        statuses = db.session.scalars(select(Article.status)).all()
        assert statuses.count(Status.DRAFT) == 1
        scheduled = db.session.scalar(select(Article).where(Article.status == Status.SCHEDULED))
        assert scheduled.publish_at > now
        assert db.session.scalar(select(Page).where(Page.slug == "about")).is_published
    client = fresh_app.test_client()
    home = client.get("/").get_data(as_text=True)
    assert all(title in home for title in series_parts)
    response = client.post("/login", data={"email": "admin@example.com", "password": password,
                                           "csrf_token": csrf_token(client, "/login")})
    assert response.status_code == 302
    assert client.get("/admin/").status_code == 200


def test_demo_leaves_a_site_with_content_alone(fresh_app):
    runner = fresh_app.test_cli_runner()
    runner.invoke(args=["cms", "init"])
    runner.invoke(args=["cms", "demo"])
    result = runner.invoke(args=["cms", "demo"])
    assert result.exit_code == 0
    assert "already has articles or accounts" in result.output
    with fresh_app.app_context():
        assert db.session.scalar(select(func.count(User.id))) == 1


def test_unreachable_database_stops_init_with_one_sentence(tmp_path):
    app = create_app({"TESTING": True, "SECRET_KEY": "x",
                      "SQLALCHEMY_DATABASE_URI": "postgresql+psycopg://nobody@127.0.0.1:1/nowhere"})
    result = app.test_cli_runner().invoke(args=["cms", "init"])
    assert result.exit_code == 1
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("Error: Cannot use the database at postgresql+psycopg://")

"""Each test starts from nothing, however the suite shares its tables and processes to be fast (conftest.py)."""

import pytest
from sqlalchemy import func, inspect, select

from cms.extensions import db
from tests.factories import Article, Page


@pytest.mark.parametrize("round_", range(3))  # each round checks what the one before it left, in any process
def test_every_test_starts_on_empty_tables_whose_ids_start_at_one(app, make, round_):
    with app.app_context():
        for table in inspect(db.engine).get_table_names():
            if table in db.metadata.tables:
                assert db.session.scalar(select(func.count()).select_from(db.metadata.tables[table])) == 0, table
    assert make.article(f"Round {round_}", slug=f"round-{round_}") == 1
    assert make.page(f"Page {round_}") == 1
    assert make.get(Article, 1).title == f"Round {round_}" and make.get(Page, 1) is not None

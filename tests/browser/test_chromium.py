"""The browser tests' Chromium keeps every feature Playwright turns off, and opens no address-bar popup page."""

from __future__ import annotations

import os
from pathlib import Path

from tests.browser.chromium import BROWSER_TESTS, CHROMIUM, LAUNCH_ARGS, NO_ADDRESS_BAR_POPUP, PLAYWRIGHT_DISABLES

pytestmark = BROWSER_TESTS


def test_our_feature_list_keeps_every_feature_playwright_turns_off(chromium):
    """Chromium launched by Playwright with its own feature list, as read from a renderer's command line (the
    browser process rewrites its own): everything in it is in ours."""
    with_defaults = chromium.browser_type.launch(executable_path=str(CHROMIUM), args=LAUNCH_ARGS)
    try:
        with_defaults.new_page().set_content("<p>A page</p>")
        lists = _features_off_in_our_renderers()
    finally:
        with_defaults.close()
    playwrights = [features for features in lists if not features & set(NO_ADDRESS_BAR_POPUP)]
    assert playwrights, f"no renderer of Chromium with Playwright's feature list among {lists}"
    assert all(features <= set(PLAYWRIGHT_DISABLES) for features in playwrights), \
        f"Playwright turns off {playwrights[0] - set(PLAYWRIGHT_DISABLES)} too: add them to PLAYWRIGHT_DISABLES"


def test_a_browser_context_opens_no_address_bar_popup_page(browser):
    browser.new_context().new_page()
    targets = browser.new_browser_cdp_session().send("Target.getTargets", {"filter": [{}]})["targetInfos"]
    assert not [target["url"] for target in targets if target["url"].startswith("chrome://omnibox-popup")]


def _features_off_in_our_renderers() -> list[set[str]]:
    """The features turned off in each Chromium renderer this test process started (through Playwright)."""
    processes: dict[int, tuple[int, list[str]]] = {}  # pid -> parent pid, arguments
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            parent = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            # a renderer sets its own title: its arguments are then one string, split by spaces
            arguments = (entry / "cmdline").read_bytes().decode(errors="replace").replace("\0", " ").split()
        except (OSError, ValueError, IndexError):
            continue  # a process that has just ended
        processes[int(entry.name)] = (parent, arguments)
    ours = {os.getpid()}
    for _ in range(6):  # this process -> Playwright's driver -> Chromium -> its zygotes -> renderers
        ours |= {pid for pid, (parent, _) in processes.items() if parent in ours}
    return [set(argument.removeprefix("--disable-features=").split(","))
            for pid in ours for argument in processes[pid][1]
            if argument.startswith("--disable-features=") and "--type=renderer" in processes[pid][1]]

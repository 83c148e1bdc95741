"""The browser fixtures: one Chromium per test process, since each launch costs a second or more; every test
still opens its own contexts (cookies, storage, cache and pages of their own), all closed after it, unless a
module's tests share one on purpose (the reader's pages, which they only read)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.browser.chromium import launched
from tests.browser.tools import installed


@pytest.fixture(scope="session")
def chromium() -> Iterator:
    """This test process's Chromium, launched when a test first needs it."""
    with launched() as browser:
        yield browser


@pytest.fixture
def browser(chromium) -> Iterator:
    """Chromium, with the contexts this test opens closed after it."""
    before = set(chromium.contexts)
    yield chromium
    for context in set(chromium.contexts) - before:
        context.close()


@pytest.fixture(scope="session")
def axe() -> None:
    """axe-core as pinned in tests/browser/package.json, installed if missing; tools.serious_violations runs it."""
    installed("axe-core/axe.min.js", "axe-core")

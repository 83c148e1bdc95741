"""The browser fixtures: one Chromium per test process, since each launch costs a second or more; every test
still opens its own contexts (cookies, storage, cache and pages of their own), all closed after it."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.browser.chromium import launched


@pytest.fixture(scope="session")
def chromium() -> Iterator:
    """This test process's Chromium, launched when a test first needs it."""
    with launched() as browser:
        yield browser


@pytest.fixture
def browser(chromium) -> Iterator:
    """Chromium, without a context or page left over from another test."""
    yield chromium
    for context in chromium.contexts:
        context.close()

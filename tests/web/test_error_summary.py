"""A refused save answers with a summary of what to fix at the top, the text kept and its preview shown."""

from __future__ import annotations

import html
import re

from tests.web.test_authoring import WRITE, page_of, submit


def summary(page: str) -> list[tuple[str, str]]:
    """The (link, message) pairs of the error summary, which must come before the heading of the screen."""
    match = re.search(r'<div class="error-summary" role="alert" tabindex="-1"[^>]*>(.*?)</div>', page, re.DOTALL)
    assert match, "no error summary"
    assert page.index("error-summary") < page.index("<h1")
    return [(href, html.unescape(text)) for href, text in re.findall(r'<a href="([^"]+)">([^<]+)</a>', match.group(1))]


def test_a_taken_slug_is_summarised_at_the_top_with_text_and_preview_kept(client, auth, make):
    auth.login("editor")
    make.article("Fees and Booking", slug="fees")
    response = submit(client, WRITE, title="Letting Go", slug="fees", body_source="Resentment is *heavy*.")
    page = page_of(response)
    assert response.status_code == 422
    assert summary(page) == [("#slug", "The slug 'fees' is already used by “Fees and Booking”.")]
    assert '<input aria-describedby="slug-hint slug-error" aria-invalid="true" id="slug"' in page
    assert "Resentment is *heavy*." in page  # the text box keeps it
    preview = re.search(r'<div class="article-body" id="live-preview">(.*?)</div>', page, re.DOTALL).group(1)
    assert "<em>heavy</em>" in preview


def test_every_refused_field_is_listed_in_form_order(client, auth):
    auth.login("editor")
    response = submit(client, WRITE, title="", series_part="0")
    assert response.status_code == 422
    assert [href for href, _ in summary(page_of(response))] == ["#title", "#series_part"]


def test_a_screen_without_errors_has_no_summary(client, auth):
    auth.login("editor")
    assert "error-summary" not in page_of(client.get(WRITE))

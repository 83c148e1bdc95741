"""Pages are written on the writing screen articles use: editor, preview, history, compare and restore."""

from __future__ import annotations

import re

from cms.models import Page
from tests.conftest import csrf_token


def text(response) -> str:
    return response.get_data(as_text=True)


def save(client, url: str, **fields: str):
    form = {"title": "Fees", "slug": "", "body_source": "Sliding scale.", "menu_order": "", **fields}
    return client.post(url, data={**form, "csrf_token": csrf_token(client, url)})


def test_a_page_is_written_previewed_and_its_history_compared_and_restored(app, make, client, auth):
    auth.login("editor")
    screen = text(client.get("/admin/pages/write"))
    assert "data-editor" in screen and 'id="live-preview"' in screen and "<h1>New page</h1>" in screen
    created = save(client, "/admin/pages/write", title="Fees", body_source="Sliding scale.", is_published="y")
    assert created.status_code == 302
    page_id = int(re.search(r"/admin/pages/(\d+)/edit", created.location).group(1))
    edit_url = f"/admin/pages/{page_id}/edit"
    screen = text(client.get(edit_url, follow_redirects=True))
    assert "Saved “Fees”." in screen and "<strong>Sliding scale.</strong>" not in screen
    assert f'href="/admin/pages/{page_id}/history">History</a>' in screen
    assert 'href="/fees">Public address</a>' in screen
    version = make.get(Page, page_id).version
    save(client, edit_url, title="Fees", body_source="**Sliding scale.**", is_published="y", version=str(version))
    assert make.get(Page, page_id).body_html == "<p><strong>Sliding scale.</strong></p>"

    history = text(client.get(f"/admin/pages/{page_id}/history"))
    first, second = sorted(int(ident) for ident in re.findall(r'name="old" value="(\d+)"', history))
    assert "Status changes" not in history and "Restore revision 1" in history
    compared = text(client.get(f"/admin/pages/{page_id}/compare?old={first}&new={second}"))
    headings = re.findall(r'<h2 id="diff-\d+">([^<]+)', compared)
    assert [heading.strip() for heading in headings] == ["Title", "Body"]  # a page has no tags, summary or series
    assert "<ins>**</ins>" in compared
    assert "Sliding scale." in text(client.get(f"/admin/pages/{page_id}/preview"))

    restore_url = f"/admin/pages/{page_id}/revisions/{first}/restore"
    restored = client.post(restore_url, data={"csrf_token": csrf_token(client, f"/admin/pages/{page_id}/history")},
                           follow_redirects=True)
    assert "Revision 1 is restored" in text(restored)
    assert make.get(Page, page_id).body_source == "Sliding scale."
    assert "Restored from revision 1" in text(client.get(f"/admin/pages/{page_id}/history"))


def test_a_refused_page_keeps_its_text_and_says_why_at_the_top(make, client, auth):
    auth.login("editor")
    response = save(client, "/admin/pages/write", title="Fees", slug="admin", body_source="Kept *text*.")
    screen = text(response)
    assert response.status_code == 422
    assert "The page is not saved. Fix this and save again:" in screen
    assert '<a href="#slug">The slug &#39;admin&#39; cannot be used for a page; choose another.</a>' in screen
    assert "Kept *text*.</textarea>" in screen and "<em>text</em>" in screen  # the text and its preview stay
    too_long = save(client, "/admin/pages/write", title="Fees " * 100)
    assert too_long.status_code == 422 and "A title can be at most 300 characters long." in text(too_long)


def test_a_stale_page_form_changes_nothing_and_keeps_the_text(make, client, auth):
    page_id = make.page("Fees", body_source="Theirs.")
    auth.login("editor")
    edit_url = f"/admin/pages/{page_id}/edit"
    stale = make.get(Page, page_id).version
    save(client, edit_url, title="Fees", body_source="Saved first.", version=str(stale))
    response = save(client, edit_url, title="Fees", body_source="Mine.", version=str(stale))
    assert response.status_code == 409 and "Mine.</textarea>" in text(response)
    assert "saved by someone else while you were editing" in text(response)
    assert make.get(Page, page_id).body_source == "Saved first."


def test_authors_do_not_write_pages(make, client, auth):
    page_id = make.page("Fees")
    auth.login("author")
    assert client.get("/admin/pages/write").status_code == 403
    assert client.get(f"/admin/pages/{page_id}/history").status_code == 403

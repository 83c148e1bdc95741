"""The content policy in a real browser: the site and the back office work under it, injected script does not."""

from __future__ import annotations

import pytest

from cms.extensions import db
from cms.web import security
from tests.browser.chromium import BROWSER_TESTS, served
from tests.browser.tools import sign_in

pytestmark = BROWSER_TESTS


@pytest.fixture
def site(app, make):
    """The app served from a thread, with a Tag list in the back office under Flask-Admin's nonce."""
    from flask_admin.contrib.sqla import ModelView

    from cms.models import Tag

    admin = app.extensions["admin"][0]
    admin.csp_nonce_generator = security.csp_nonce  # the one-line change asked of cms/admin.py
    admin.add_view(ModelView(Tag, db, endpoint="test_tags"))
    make.user("admin", email="admin@example.com")
    make.article("Grief has no timeline", slug="grief", tags=("grief",),
                 body_source='Words.\n\n<img src=x onerror="document.title=\'pwned\'">\n\n'
                             '<a href="javascript:document.title=\'pwned\'">link</a>')
    with served(app) as url:
        yield url


@pytest.fixture
def page(browser):
    page = browser.new_page()
    page.violations = []
    page.on("console", lambda message: "Content Security Policy" in message.text
            and page.violations.append(message.text))
    return page


def test_the_back_office_works_under_the_policy(site, page):
    sign_in(page, "admin@example.com", site)
    page.wait_for_url(f"{site}/admin/")
    page.goto(f"{site}/admin/test_tags/")
    assert page.evaluate("typeof window.jQuery === 'function' && typeof window.faHelpers === 'object'")
    dialogs = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    page.click("form.icon button[title='Delete Record']")
    assert dialogs == ["Are you sure you want to delete this record?"]  # the hashed handler ran
    assert page.locator("td.col-name", has_text="grief").count() == 1  # dismissed: nothing deleted
    page.goto(f"{site}/admin/test_tags/new/")
    page.wait_for_load_state("load")
    assert page.violations == []


def test_injected_handlers_and_scripts_would_be_blocked_even_if_they_got_through(site, page):
    page.goto(f"{site}/articles/grief")
    assert page.violations == []  # the sanitized body tried nothing
    refused = lambda message: "Content Security Policy" in message.text  # noqa: E731 - a one-line predicate
    with page.expect_console_message(refused):
        page.evaluate("""() => {
            const script = document.createElement('script');
            script.textContent = "document.title = 'pwned'";
            document.body.appendChild(script);
        }""")
    with page.expect_console_message(refused):
        page.evaluate("""() => document.querySelector('.body').insertAdjacentHTML(
            'beforeend', '<img src="/nothing" onerror="document.title=\\'pwned\\'">')""")
    assert page.title() != "pwned"

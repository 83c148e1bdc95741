"""Audio and video a WordPress import brought along, in Chromium: the post's player loads our copy (a seek is a
Range request answered in part), the site's policy lets it, and nothing overflows a phone; the media screen shows
the files by name, kind and size. Set SCREENSHOTS=/some/folder to keep screenshots of each."""

from __future__ import annotations

import pytest

from cms.core.workflow import Role
from cms.extensions import db
from cms.services import users
from tests import media_samples as samples
from tests.browser.chromium import BROWSER_TESTS, served
from tests.browser.tools import shoot, sign_in
from tests.factories import PASSWORD
from tests.services.test_wordpress_media import AUDIO, EXPORT, SLUG, import_cli, uploads_folder

pytestmark = BROWSER_TESTS
WIDTHS = (1280, 375)


@pytest.fixture
def site(app, tmp_path):
    """The gallery and breathing-exercise export, imported with its files; the audio a real WAV (of a second), so
    Chromium can play it."""
    import_cli(app, EXPORT, "--uploads", str(uploads_folder(tmp_path / "uploads", {AUDIO: samples.wav(8000)})))
    with app.app_context():
        users.create_user("editor@example.com", PASSWORD, Role.EDITOR, name="Maya")
        db.session.commit()




@pytest.mark.parametrize("width", WIDTHS)
def test_the_audio_player_plays_our_copy_and_seeks_in_parts(app, site, browser, width):
    with served(app) as base:
        page = browser.new_page(viewport={"width": width, "height": 900})
        refused = []
        page.on("console", lambda message: refused.append(message.text)
                if "Content Security Policy" in message.text else None)
        answered = []
        page.on("response", lambda response: answered.append((response.url, response.status))
                if "/uploads/" in response.url else None)
        page.goto(f"{base}/articles/{SLUG}")
        duration = page.eval_on_selector(".body audio", """audio => new Promise((done, failed) => {
            if (audio.readyState >= 1) { done(audio.duration); return; }
            audio.addEventListener("loadedmetadata", () => done(audio.duration));
            audio.addEventListener("error", () => failed(String(audio.error && audio.error.code)));
            audio.load();
        })""")
        assert duration == pytest.approx(1.0, abs=0.01)
        assert page.eval_on_selector(".body audio", "audio => audio.currentSrc").endswith(".wav")
        assert any(url.endswith(".wav") and status in (200, 206) for url, status in answered), answered
        assert refused == []
        assert page.evaluate("document.documentElement.scrollWidth") <= width
        page.locator(".body audio").scroll_into_view_if_needed()
        shoot(page, f"players-{width}")


@pytest.mark.parametrize("width", WIDTHS)
def test_the_media_screen_shows_files_without_a_broken_thumbnail(app, site, browser, width):
    with served(app) as base:
        page = browser.new_page(viewport={"width": width, "height": 900})
        sign_in(page, "editor@example.com", base)
        page.goto(f"{base}/admin/media/")
        page.wait_for_load_state("networkidle")
        assert page.locator(".media-item").count() == 6
        assert page.locator(".media-item audio").count() == 1 and page.locator(".media-item video").count() == 1
        for image in page.query_selector_all(".media-item img"):  # lazily loaded: bring each on screen
            image.scroll_into_view_if_needed()
        page.wait_for_load_state("networkidle")
        broken = page.eval_on_selector_all(".media-item img", "images => images.filter(img => !img.naturalWidth)"
                                                              ".map(img => img.src)")
        assert broken == []
        assert page.evaluate("document.documentElement.scrollWidth") <= width
        shoot(page, f"media-files-{width}")

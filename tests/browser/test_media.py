"""Uploaded images in Chromium: the reader's browser picks a WebP copy fit for the screen, and nothing overflows
a phone; the media screen fits one too. Set SCREENSHOTS=/some/folder to keep screenshots of each."""

from __future__ import annotations

import io
import re

import pytest
from PIL import Image, ImageDraw

from cms.core.workflow import Role
from cms.extensions import db
from cms.models import Article, User
from cms.services import uploads, users
from tests.browser.chromium import BROWSER_TESTS, served
from tests.browser.tools import shoot, sign_in
from tests.factories import NOW, PASSWORD

pytestmark = BROWSER_TESTS
WIDTHS = (1280, 375)


def photo(size: tuple[int, int], hue: int) -> bytes:
    """A picture with gradients and shapes, so copies look like photographs do when scaled."""
    image = Image.new("RGB", size)
    draw = ImageDraw.Draw(image)
    for y in range(size[1]):
        colour = ((hue + y // 8) % 256, 140 - y * 100 // size[1], 90 + y * 120 // size[1])
        draw.line([(0, y), (size[0], y)], fill=colour)
    draw.ellipse([size[0] // 4, size[1] // 4, size[0] // 2, size[1] // 2 + size[1] // 4], fill=(240, 220, 160))
    output = io.BytesIO()
    image.save(output, format="JPEG", quality=90)
    return output.getvalue()


@pytest.fixture
def site(prebuilt) -> str:
    """An editor's article with a featured photo and two more in its text; its slug. Made once a process and
    copied for each later test: making each photo's copies is most of what a test here costs."""
    return prebuilt(_build_site)


def _build_site(make) -> str:
    app = make.app
    editor_id = make.user("editor")
    with app.app_context():
        editor = db.session.get(User, editor_id)
        stored = [uploads.save(io.BytesIO(photo((2400, 1350), hue)), by=editor, now=NOW, filename=name, alt=alt,
                               max_bytes=10**7, max_pixels=10**8, max_animation_pixels=10**8)
                  for hue, name, alt in ((20, "garden.jpg", "A garden path in June"),
                                         (120, "bench.jpg", "A bench under an old tree"),
                                         (200, "lake.jpg", ""))]
        db.session.commit()
        keys = [item.key for item in stored]
        featured = stored[0].id
    body = ("The first weeks after a loss are rarely what people expect.\n\n"
            f"![A bench under an old tree](/uploads/{keys[1]}.jpg)\n\n" + "Grief comes in waves. " * 60 +
            f"\n\n![](/uploads/{keys[2]}.jpg)\n\nAnd then, slowly, the days change.\n")
    ident = make.article("Grief has no timeline", body_source=body, author_email="editor@example.com",
                         summary="What the first year can look like.")
    with app.app_context():
        article = db.session.get(Article, ident)
        article.featured_media_id = featured
        db.session.commit()
        return article.slug




@pytest.mark.parametrize("width", WIDTHS)
def test_readers_get_a_webp_copy_that_fits_their_screen(app, site, browser, width):
    with served(app) as base:
        page = browser.new_page(viewport={"width": width, "height": 900}, device_scale_factor=2)
        page.goto(f"{base}/articles/{site}")
        page.wait_for_load_state("networkidle")
        source, shown = page.eval_on_selector(".featured-image img", "img => [img.currentSrc, img.clientWidth]")
        chosen = int(re.search(r"-(\d+)\.webp$", source).group(1))
        assert chosen >= min(shown * 2, 2400)  # sharp on a screen of two pixels per point
        assert chosen < 2400 or shown * 2 > 1600  # and no bigger than needed
        assert page.evaluate("document.documentElement.scrollWidth") <= width
        for image in page.query_selector_all(".body img"):
            image.scroll_into_view_if_needed()
        page.wait_for_load_state("networkidle")
        sources = page.eval_on_selector_all(".body img", "images => images.map(img => img.currentSrc)")
        assert len(sources) == 2 and all(source.endswith(".webp") for source in sources)
        shoot(page, f"article-{width}")


@pytest.mark.parametrize("width", WIDTHS)
def test_the_media_screen_fits_the_screen(app, site, browser, width):
    with app.app_context():
        if users.find_by_email("admin@example.com") is None:
            users.create_user("admin@example.com", PASSWORD, Role.ADMIN, name="Admin")
            db.session.commit()
    with served(app) as base:
        page = browser.new_page(viewport={"width": width, "height": 900})
        sign_in(page, "editor@example.com", base)
        page.goto(f"{base}/admin/media/")
        assert page.locator(".media-item").count() == 3
        assert "Grief has no timeline (featured image)" in page.inner_text(".media-list")
        assert page.evaluate("document.documentElement.scrollWidth") <= width
        shoot(page, f"media-{width}")

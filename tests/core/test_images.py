"""Responsive images from sanitized HTML: what the database knows of each upload in, markup the sanitizer keeps."""

import pytest

from cms.core import images, rendering

KEY = "0123456789abcdef0123456789abcdef"
PHOTO = images.ImageInfo(width=2000, height=1000, format="jpeg", widths=(480, 800, 1200, 1600, 2000),
                         webp_widths=(480, 800, 1200, 1600, 2000))


def test_only_the_standard_widths_below_an_image_and_its_own_are_stored():
    assert images.variant_widths(2000, is_animated=False) == (480, 800, 1200, 1600, 2000)
    assert images.variant_widths(800, is_animated=False) == (480, 800)
    assert images.variant_widths(300, is_animated=False) == (300,)
    assert images.variant_widths(2000, is_animated=True) == (2000,)


def test_the_sanitizer_keeps_exactly_what_responsive_images_add():
    html = rendering.render(f"![A garden](/uploads/{KEY}.jpg)\n\n![Again](/uploads/{KEY}.jpg)")
    responsive = images.responsive(html, {KEY: PHOTO})
    assert responsive.count("<picture>") == 2 and 'loading="lazy"' in responsive
    assert rendering.sanitize(responsive) == responsive


def test_all_lazy_loads_every_image_lazily_and_keeps_a_choice_already_made():
    html = images.responsive(rendering.render(f"![A garden](/uploads/{KEY}.jpg)\n\n![Away](https://example.org/a.jpg)"),
                             {KEY: PHOTO})
    lazy = images.all_lazy(html)
    assert lazy.count('loading="lazy"') == 2 and lazy.count('decoding="async"') == 2
    assert images.all_lazy(lazy) == lazy
    assert rendering.sanitize(lazy) == lazy


@pytest.mark.parametrize("typed", [
    '<img src="/x.jpg" srcset="https://tracker.example/p.gif 1w">',
    '<img src="/x.jpg" srcset="javascript:alert(1) 1w">',
    '<img src="/x.jpg" sizes="100vw" loading="eager" decoding="sync">',
    '<picture><source src="/x.webp" type="text/html" srcset="/uploads/x.webp"></picture>',
])
def test_typed_responsive_attributes_survive_only_when_they_are_ours(typed):
    cleaned = rendering.sanitize(typed)
    for word in ("tracker", "javascript", "sizes", "loading", "decoding", "text/html", "srcset", 'src="/x.webp"'):
        assert word not in cleaned


def test_an_image_not_among_our_uploads_is_left_as_written():
    html = '<p><img src="https://example.org/a.jpg" alt="a"><img src="/uploads/' + "f" * 32 + '.jpg" alt="b"></p>'
    assert images.responsive(html, {KEY: PHOTO}) == html


def test_images_without_alt_are_named_by_address():
    html = rendering.render(f"![](/uploads/{KEY}.jpg) ![ok](/a.png) ![ ](/b.png)")
    assert images.images_without_alt(images.responsive(html, {KEY: PHOTO})) == [f"/uploads/{KEY}.jpg", "/b.png"]

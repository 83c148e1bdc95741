"""Pictures in lists, as readers meet them on the sample site with its pictures: a series' parts, related articles,
a tag's and the home page's articles are cards with a title and a summary, and a thumbnail when the article has a
featured image (responsive, sized, fetched lazily); an article without one gets no empty frame."""

from __future__ import annotations

import lxml.html
import pytest

from cms.core import clock
from cms.extensions import db
from cms.services import demo
from tests.browser.pictures import FEATURED, add_pictures
from tests.factories import Factories

WITH_PICTURES = {slug for slug, _colour, _alt in FEATURED}
DESCRIBED = {alt for _slug, _colour, alt in FEATURED}


@pytest.fixture
def sample_site(prebuilt) -> None:
    prebuilt(_build_sample_site)


def _build_sample_site(make: Factories) -> None:
    with make.app.app_context():
        demo.load(now=clock.now(), zone="America/New_York")
        db.session.commit()
    make.worker_caught_up()
    add_pictures(make.app)


def cards(client, url: str, xpath: str) -> list:
    response = client.get(url)
    assert response.status_code == 200, url
    return lxml.html.fromstring(response.get_data(as_text=True)).xpath(xpath)


@pytest.mark.parametrize(("url", "xpath"), [
    ("/series/mother-daughter-relationships", "//ol[@class='parts']/li/article"),
    ("/articles/life-stages", "//section[@class='related']/article"),
    ("/tags/mother-daughter", "//main/article"),
    ("/", "//section[@class='latest']//article"),
])
def test_lists_show_articles_as_cards_with_a_thumbnail_when_they_have_a_picture(client, sample_site, url, xpath):
    found = cards(client, url, xpath)
    assert found, url
    pictured = 0
    for card in found:
        slug = card.xpath("string(.//*[@class='card-title']/a/@href)").rsplit("/", 1)[1]
        assert card.xpath("string(.//*[@class='card-title'])").strip() and card.xpath(".//p[@class='summary']"), slug
        images = card.xpath(".//div[@class='card-image']//img")
        assert ("has-image" in card.get("class")) is (slug in WITH_PICTURES) is bool(images), slug
        for image in images:
            pictured += 1
            assert image.get("alt") in DESCRIBED and image.get("width") and image.get("height")
            assert image.get("loading") == "lazy" and image.get("sizes") and "480w" in image.get("srcset")
            assert card.xpath(".//source[@type='image/webp']/@srcset")
    assert pictured, f"{url} lists an article with a picture"

"""The practice as readers meet it: its details from the site settings on the home page, in the footer and on
the contact page; structured data for search engines; the notice on articles; a table of contents."""

from __future__ import annotations

import io
import json
import re
from pathlib import Path

import lxml.html
import pytest

from cms.core import clock
from cms.extensions import db
from cms.models import Article, User
from cms.services import site, uploads, users
from tests.browser.pictures import LIMITS, calm_picture
from tests.web.reading_site import reading_site  # noqa: F401 - the fixture

SITE_CSS = Path(__file__).resolve().parents[2] / "static" / "css" / "site.css"
NEW_YORK = {"street_address": "150 West 56th Street, Suite 4B", "locality": "New York", "region": "NY",
            "postal_code": "10019", "area_served": "Online across New York State", "phone": "(212) 555-0148",
            "hours": "Monday to Thursday, 9 am to 7 pm", "fees_note": "Out of network; superbills provided.",
            "article_notice": "These articles are not therapy; if you are in crisis call or text 988."}


def page(client, url: str):
    response = client.get(url)
    assert response.status_code == 200, url
    return lxml.html.fromstring(response.get_data(as_text=True))


def text(tree, xpath: str) -> str:
    return " ".join(" ".join(node.text_content().split()) for node in tree.xpath(xpath))


def structured(tree) -> dict[str, dict]:
    """The page's JSON-LD items by type, parsed."""
    items = [json.loads(script.text) for script in tree.xpath("//script[@type='application/ld+json']")]
    return {item["@type"]: item for item in items}


@pytest.fixture
def practice(app, reading_site):
    with app.app_context():
        settings = site.settings()
        for name, value in NEW_YORK.items():
            setattr(settings, name, value)
        settings.consultation_url = "https://booking.example.com/maya"
        db.session.commit()


def test_the_home_page_introduces_her_with_a_booking_button_and_her_phone(client, practice):
    tree = page(client, "/")
    intro = tree.xpath("//section[@class='intro']")[0]
    assert text(intro, ".//h1") == "Maya Ellison Therapy"
    assert "Maya works with families" in text(intro, ".")
    assert intro.xpath(".//a[@class='button']/@href") == ["https://booking.example.com/maya"]
    assert intro.xpath(".//a[starts-with(@href, 'tel:')]/@href") == ["tel:2125550148"]
    assert "Online across New York State" in text(intro, ".")


def test_the_home_page_shows_the_site_authors_photo(app, client, make, practice):
    assert not page(client, "/").xpath("//div[@class='intro-photo']")
    user_id = make.user("admin")
    with app.app_context():
        author = db.session.get(User, user_id)
        photo = uploads.save(io.BytesIO(calm_picture((800, 800), (200, 205, 200), is_portrait=True)), by=author,
                             now=clock.now(), filename="maya.jpg", alt="Dr. Maya Ellison", **LIMITS)
        users.update_profile(author, name="Dr. Maya Ellison", credentials="LMFT", bio="", photo_id=photo.id)
        db.session.commit()
        key = photo.key
    image = page(client, "/").xpath("//div[@class='intro-photo']//img")[0]
    assert image.get("alt") == "Dr. Maya Ellison" and image.get("src") == f"/uploads/{key}.jpg"
    assert image.get("loading") is None and image.get("sizes")  # at the top: fetched at once, at its size


def test_the_home_page_shows_how_far_each_series_has_got(client, practice):
    tree = page(client, "/")
    mothers = tree.xpath("//li[@class='series-card'][h3/a='Mothers and Daughters']")[0]
    assert text(mothers, ".//p[@class='meta']").startswith("2 parts so far · Part 3 coming ")
    assert mothers.xpath(".//a[starts-with(., 'Start with Part 1')]/@href") == ["/articles/life-stages"]


def test_the_footer_and_the_contact_page_give_the_practice_details(client, make, practice):
    make.page("Contact", body_source="I'd be glad to hear from you.")
    footer = text(page(client, "/articles/ambivalence"), "//footer[@class='site-footer']")
    for detail in ("150 West 56th Street, Suite 4B", "New York, NY 10019", "(212) 555-0148",
                   "Monday to Thursday, 9 am to 7 pm"):
        assert detail in footer
    contact = page(client, "/contact")
    card = text(contact, "//main//section[@class='practice']")
    assert "Out of network; superbills provided." in card and "(212) 555-0148" in card
    assert contact.xpath("//main//a[@class='button']/@href") == ["https://booking.example.com/maya"]
    assert structured(contact)["ProfessionalService"]["telephone"] == "(212) 555-0148"


def test_an_admin_sets_the_practice_details_in_site_settings(app, client, auth, reading_site):
    auth.login("admin")
    url = client.get("/admin/settings/").location
    form = lxml.html.fromstring(client.get(url).get_data(as_text=True)).xpath("//form[.//input[@name='title']]")[0]
    data = {**dict(form.form_values()), "phone": "(212) 555-0199", "area_served": "Online across New York State"}
    assert client.post(url, data=data).status_code == 302
    footer = text(page(client, "/"), "//footer")
    assert "(212) 555-0199" in footer and "Online across New York State" in footer


def test_structured_data_names_the_practice_as_a_local_professional_service(client, practice):
    service = structured(page(client, "/"))["ProfessionalService"]
    assert service["name"] == "Maya Ellison Therapy" and service["url"] == "http://127.0.0.1:5000/"
    assert service["telephone"] == "(212) 555-0148"
    assert service["areaServed"] == "Online across New York State"
    assert service["address"] == {"@type": "PostalAddress", "streetAddress": "150 West 56th Street, Suite 4B",
                                  "addressLocality": "New York", "addressRegion": "NY", "postalCode": "10019"}
    assert service["founder"] == {"@type": "Person", "name": "Dr. Maya Ellison", "honorificSuffix": "LMFT"}


def test_structured_data_leaves_out_details_not_set(client, reading_site):
    service = structured(page(client, "/"))["ProfessionalService"]
    assert "telephone" not in service and "address" not in service and "areaServed" not in service


def test_a_blog_posting_has_its_image_and_author_and_a_part_its_breadcrumbs(app, client, practice):
    with app.app_context():
        author = db.session.scalar(db.select(User))
        stored = uploads.save(io.BytesIO(calm_picture((1200, 800), (150, 175, 180))), by=author, now=clock.now(),
                              filename="path.jpg", alt="A path in a park", **LIMITS)
        article = db.session.scalar(db.select(Article).where(Article.slug == "ambivalence"))
        article.featured_media_id = stored.id
        users.update_profile(article.author, name="Maya", credentials="", bio="", photo_id=None)
        db.session.commit()
        image_url = f"http://127.0.0.1:5000/uploads/{stored.key}.jpg"
    data = structured(page(client, "/articles/ambivalence"))
    posting = data["BlogPosting"]
    assert posting["image"] == {"@type": "ImageObject", "url": image_url, "width": 1200, "height": 800}
    assert posting["author"] == {"@type": "Person", "name": "Maya"}
    assert [item["name"] for item in data["BreadcrumbList"]["itemListElement"]] == [
        "Home", "Series", "Mothers and Daughters", "Ambivalence"]
    assert data["ProfessionalService"]["telephone"] == "(212) 555-0148"


def test_every_article_shows_the_notice_when_one_is_set(client, app, practice):
    assert text(page(client, "/articles/choosing"), "//aside[@class='notice']") == NEW_YORK["article_notice"]
    with app.app_context():
        site.settings().article_notice = ""
        db.session.commit()
    assert not page(client, "/articles/choosing").xpath("//aside[@class='notice']")


def test_an_article_with_three_sections_gets_a_table_of_contents(client, make):
    make.article("Long", slug="long", body_source="Intro.\n\n## First\n\nA.\n\n## Second\n\nB.\n\n## Third\n\nC.")
    make.article("Short", slug="short", body_source="Intro.\n\n## First\n\nA.\n\n## Second\n\nB.")
    tree = page(client, "/articles/long")
    assert tree.xpath("//nav[@class='toc']//a/@href") == ["#section-first", "#section-second", "#section-third"]
    assert tree.xpath("//div[@class='body']/h2/@id") == ["section-first", "section-second", "section-third"]
    assert not page(client, "/articles/short").xpath("//nav[@class='toc']")


def test_the_public_stylesheet_is_small_and_draws_from_its_tokens():
    css = SITE_CSS.read_text(encoding="utf-8")
    assert len(css.encode()) <= 25 * 1024
    # Past the tokens (the first two :root blocks and the print sheet's), sizes and colours name a token.
    rules = re.sub(r":root\s*\{[^}]*\}", "", css)
    literal = re.findall(r"(?:font-size|[^-]color|background)\s*:\s*(#[0-9a-f]{3,6}|\d[\d.]*(?:rem|px|em))", rules)
    assert literal == []


def test_shared_links_to_the_home_page_and_a_series_show_a_picture(app, client, make, practice):
    with app.app_context():
        author = db.session.scalar(db.select(User))
        stored = uploads.save(io.BytesIO(calm_picture((1200, 800), (150, 175, 180))), by=author, now=clock.now(),
                              filename="path.jpg", alt="A path in a park", **LIMITS)
        db.session.scalar(db.select(Article).where(Article.slug == "ambivalence")).featured_media_id = stored.id
        users.update_profile(author, name="Dr. Maya Ellison", credentials="", bio="", photo_id=stored.id)
        db.session.commit()
        image_url = f"http://127.0.0.1:5000/uploads/{stored.key}.jpg"
    for url in ("/", "/series/mothers-and-daughters"):
        tree = page(client, url)
        assert tree.xpath("string(//meta[@property='og:image']/@content)") == image_url, url
        assert tree.xpath("string(//meta[@property='og:image:alt']/@content)") == "A path in a park", url

import json
from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qs, urlsplit
from zoneinfo import ZoneInfo

import lxml.html
import pytest
from lxml import etree

from cms.core import clock
from cms.core.clock import now
from cms.core.workflow import Status
from cms.extensions import db
from cms.models import Article, RelatedScore, User
from cms.services import articles
from cms.web import public
from tests.web.reading_site import reading_site  # noqa: F401 - the fixture
from tests.web.test_page_cache import counted_queries

SITEMAP = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9"}

PUBLIC_URLS = ["/", "/articles/ambivalence", "/articles/choosing", "/series/", "/series/mothers-and-daughters",
               "/tags/", "/tags/grief", "/archive/", "/search?q=grief", "/search", "/about"]


def html(client, url: str, status: int = 200):
    response = client.get(url)
    assert response.status_code == status, url
    return lxml.html.fromstring(response.get_data(as_text=True))


def texts(tree, xpath: str) -> list[str]:
    return [" ".join(node.text_content().split()) for node in tree.xpath(xpath)]


def test_home_lists_live_articles_newest_first_and_the_series(client, reading_site):
    tree = html(client, "/")
    linked = [href.rsplit("/", 1)[1] for href in tree.xpath("//main//article//h3/a/@href")]
    assert linked == list(reading_site.live_slugs)
    assert texts(tree, "//section[@aria-labelledby='series-heading']//li/h3/a") == ["Grief", "Mothers and Daughters"]


def test_home_shows_the_most_recently_continued_series_and_links_to_all(client, make):
    for number in range(1, 9):  # series 8 continued most recently
        series_id = make.series(f"Series {number}")
        make.article(f"Part of {number}", series_id=series_id, series_part=1,
                     publish_at=now() - timedelta(days=10 - number))
    tree = html(client, "/")
    shown = texts(tree, "//section[@aria-labelledby='series-heading']//li/h3/a")
    assert shown == [f"Series {number}" for number in range(8, 5, -1)]
    assert tree.xpath("//section[@aria-labelledby='series-heading']//a[text()='All series']/@href") == ["/series/"]
    assert len(texts(html(client, "/series/"), "//main//h2/a")) == 8


@pytest.mark.parametrize("url", PUBLIC_URLS)
def test_no_public_url_shows_what_is_not_live(client, reading_site, url):
    page = client.get(url).get_data(as_text=True)
    for hidden in ("A draft about guilt", "Letting go", "Old news", "In review", "Empty series", "secret topic",
                   "Secret plans", "zeppelins", "Quokkas"):
        assert hidden not in page


@pytest.mark.parametrize("url", PUBLIC_URLS)
def test_every_public_page_has_one_h1_a_title_a_description_and_a_canonical_url(client, reading_site, url):
    tree = html(client, url)
    assert len(tree.xpath("//h1")) == 1
    assert tree.xpath("string(//title)").strip()
    assert tree.xpath("string(//meta[@name='description']/@content)").strip()
    if not url.startswith("/search"):
        assert tree.xpath("string(//link[@rel='canonical']/@href)") == "http://127.0.0.1:5000" + url
        assert tree.xpath("string(//meta[@property='og:url']/@content)") == "http://127.0.0.1:5000" + url


@pytest.mark.parametrize("url", [*PUBLIC_URLS, "/articles/no-such-thing"])
def test_no_public_page_needs_javascript(client, reading_site, url):
    response = client.get(url)
    tree = lxml.html.fromstring(response.get_data(as_text=True))
    assert tree.xpath("//script[not(@type='application/ld+json')]") == []  # structured data is not a script
    assert tree.xpath("//@*[starts-with(name(), 'on')]") == []


@pytest.mark.parametrize("slug", ["draft-part", "in-review", "scheduled-part", "archived", "no-such-thing"])
def test_an_article_that_is_not_live_is_not_found(client, reading_site, slug):
    tree = html(client, f"/articles/{slug}", 404)
    assert texts(tree, "//h1") == ["Not Found"]
    assert tree.xpath("//nav[@aria-label='Site']"), "the 404 page keeps the site's design"


def test_an_article_shows_its_place_in_the_series_counting_live_parts_only(client, reading_site):
    tree = html(client, "/articles/ambivalence")
    assert texts(tree, "//p[@class='series-position']") == [
        "Part 2 of 2 in the series Mothers and Daughters"]
    assert tree.xpath("//p[@class='series-position']/a/@href") == ["/series/mothers-and-daughters"]
    contents = tree.xpath("//details[@class='series-contents']//li")
    assert [" ".join(item.text_content().split()) for item in contents] == [
        "Life stages", "Ambivalence (you are here)"]
    assert contents[1].xpath("span[@aria-current='page']")


def test_previous_and_next_links_carry_titles(client, reading_site):
    tree = html(client, "/articles/grief-2")
    assert tree.xpath("//a[@rel='prev']/@href") == ["/articles/grief-1"]
    assert texts(tree, "//a[@rel='prev']") == ["← Previous: Part 1 Grief has no timeline"]
    assert tree.xpath("//a[@rel='next']/@href") == ["/articles/grief-3"]
    assert texts(tree, "//a[@rel='next']") == ["Next: Part 3 → Anticipatory grief"]


def test_a_scheduled_next_part_is_announced_with_its_date_and_no_link(client, reading_site):
    tree = html(client, "/articles/ambivalence")
    date = f"{reading_site.scheduled_at.astimezone(ZoneInfo('America/New_York')):%-d %B %Y}"
    assert texts(tree, "//nav[@class='series-pager']//p[@class='coming']") == [f"Part 3 coming {date}"]
    assert not tree.xpath("//a[@rel='next']")
    assert "scheduled-part" not in lxml.html.tostring(tree, encoding="unicode")


def test_the_last_part_of_a_finished_series_says_so(client, reading_site):
    tree = html(client, "/articles/grief-3")
    assert texts(tree, "//p[@class='series-end']") == ["This is the last part of Grief."]


def test_an_article_ends_with_the_author_block_and_the_consultation_link(client, reading_site):
    tree = html(client, "/articles/choosing")
    author = tree.xpath("//aside[@class='author']")[0]
    assert "Dr. Maya Ellison, LMFT" in author.text_content()
    assert "Maya works with families" in author.text_content()
    assert author.xpath(".//a[@class='button']/@href") == ["/about"]
    assert texts(author, ".//a[@class='button']") == ["Book a free consultation"]
    assert author.xpath(".//a[starts-with(@href, 'mailto:')]/@href") == ["mailto:maya@example.com"]


def test_an_article_shows_tags_date_and_reading_time(client, reading_site):
    tree = html(client, "/articles/grief-3")
    assert texts(tree, "//ul[@class='tags']/li") == ["family", "grief"]
    assert tree.xpath("//ul[@class='tags']//a/@href") == ["/tags/family", "/tags/grief"]
    assert "1 min read" in texts(tree, "//header[@class='article-header']/p[@class='meta']")[0]


def test_related_links_shown_are_live_articles(client, app, reading_site):
    with app.app_context():
        ids = {a.slug: a.id for a in db.session.scalars(db.select(Article))}
        db.session.execute(db.delete(RelatedScore).where(RelatedScore.article_id == ids["grief-3"]))
        for other, score in (("scheduled-part", 0.9), ("draft-part", 0.8), ("grief-1", 0.5), ("archived", 0.7)):
            db.session.add(RelatedScore(article_id=ids["grief-3"], other_id=ids[other], score=score, reasons={}))
        db.session.commit()
    tree = html(client, "/articles/grief-3")
    related = tree.xpath("//section[@class='related']//a/@href")
    assert related == ["/articles/grief-1"]


def test_the_series_page_lists_live_parts_in_order_with_summaries_and_a_start_link(client, reading_site):
    tree = html(client, "/series/mothers-and-daughters")
    assert texts(tree, "//h1") == ["Mothers and Daughters"]
    assert "How the bond changes over a lifetime." in texts(tree, "//p[@class='lede']")
    assert texts(tree, "//ol[@class='parts']//h2") == ["Part 1: Life stages", "Part 2: Ambivalence"]
    assert texts(tree, "//ol[@class='parts']//p[@class='summary']") == [
        "The seasons of the bond.", "Two feelings at once."]
    assert all("min read" in meta for meta in texts(tree, "//ol[@class='parts']//p[@class='meta']"))
    assert tree.xpath("//main//a[@class='button']/@href") == ["/articles/life-stages"]
    assert texts(tree, "//p[@class='coming']")[0].startswith("Part 3 coming ")


def test_the_series_index_lists_series_with_live_parts(client, reading_site):
    tree = html(client, "/series/")
    assert texts(tree, "//main//h2") == ["Grief", "Mothers and Daughters"]
    assert texts(tree, "//main//p[@class='meta']") == ["3 parts", "2 parts"]


def test_a_series_without_live_parts_is_not_found(client, reading_site):
    html(client, "/series/empty-series", 404)


def test_tags_count_live_articles_only(client, reading_site):
    tree = html(client, "/tags/")
    assert texts(tree, "//ul[@class='tag-index']/li") == [
        "family (2 articles)", "grief (3 articles)", "mother daughter (2 articles)", "therapy (1 article)"]


@pytest.mark.parametrize("slug", ["secret-topic", "resentment", "archived-topic", "nothing"])
def test_a_tag_without_live_articles_is_not_found(client, reading_site, slug):
    html(client, f"/tags/{slug}", 404)


def test_a_tag_page_lists_its_live_articles_newest_first(client, reading_site):
    tree = html(client, "/tags/mother-daughter")
    assert texts(tree, "//h1") == ["Articles tagged “mother daughter”"]
    assert tree.xpath("//main//h2/a/@href") == ["/articles/ambivalence", "/articles/life-stages"]


def test_a_long_tag_page_is_paged(client, make):
    for number in range(21):
        make.article(f"Note {number:02}", tags=("notes",))
    first = html(client, "/tags/notes")
    assert len(first.xpath("//main//h2[@class='card-title']")) == 20
    assert first.xpath("//nav[@class='pager']//a[@rel='next']/@href") == ["/tags/notes?page=2"]
    second = html(client, "/tags/notes?page=2")
    assert len(second.xpath("//main//h2[@class='card-title']")) == 1
    assert second.xpath("//a[@rel='prev']/@href") == ["/tags/notes"]
    assert second.xpath("string(//link[@rel='canonical']/@href)") == "http://127.0.0.1:5000/tags/notes?page=2"
    for bad in ("3", "0", "-1", "x", "1e3"):
        assert client.get(f"/tags/notes?page={bad}").status_code == 404


def test_the_archive_groups_by_month_in_site_time(client, make, monkeypatch):
    # 03:00 UTC on 1 March is still 28 February in New York (the test site's time zone).
    make.article("Late February", publish_at=datetime(2025, 3, 1, 3, tzinfo=UTC))
    make.article("Early March", publish_at=datetime(2025, 3, 2, 15, tzinfo=UTC))
    tree = html(client, "/archive/")
    assert texts(tree, "//main//h2") == ["March 2025", "February 2025"]
    assert texts(tree, "//section[h2='February 2025']//a") == ["Late February"]
    monkeypatch.setattr(public.reader, "ARCHIVE_PER_PAGE", 1)  # a year too long to list: its months, counted
    assert texts(html(client, "/archive/?year=2025"), "//ul[@class='archive-months']/li") == [
        "March 2025 1 article", "February 2025 1 article"]


def test_the_archive_shows_one_year_and_links_to_the_others(client, make):
    make.article("New year", publish_at=datetime(2025, 1, 10, 15, tzinfo=UTC))
    make.article("Last winter", publish_at=datetime(2024, 12, 20, 15, tzinfo=UTC))
    make.article("Long ago", publish_at=datetime(2022, 6, 1, 15, tzinfo=UTC))
    tree = html(client, "/archive/")
    assert texts(tree, "//main//h2") == ["January 2025"]
    assert texts(tree, "//nav[@aria-label='Years']//a") == ["2025", "2024", "2022"]  # no empty 2023
    assert tree.xpath("//nav[@aria-label='Years']//a[@aria-current='page']/text()") == ["2025"]
    older = html(client, "/archive/?year=2024")
    assert texts(older, "//main//h2") == ["December 2024"] and texts(older, "//main//section//a") == ["Last winter"]
    for missing in ("2023", "1999", "20x4", "-1"):
        assert client.get(f"/archive/?year={missing}").status_code == 404


def test_an_article_published_again_stays_in_the_archive_under_the_date_readers_see(client, app, make):
    first_seen = datetime(2024, 6, 3, 15, tzinfo=UTC)
    article_id = make.article("Published twice", publish_at=datetime(2025, 1, 10, 15, tzinfo=UTC))
    make.article("New year", publish_at=datetime(2025, 2, 1, 15, tzinfo=UTC))
    with app.app_context():  # archived in 2024, then published again in 2025: it keeps its first date
        db.session.get(Article, article_id).published_at = first_seen
        db.session.commit()
    assert texts(html(client, "/archive/?year=2025"), "//main//section//a") == ["New year"]
    older = html(client, "/archive/?year=2024")
    assert texts(older, "//main//h2") == ["June 2024"] and texts(older, "//main//section//a") == ["Published twice"]


def test_pages_are_served_at_their_slug_and_listed_in_menu_order(client, reading_site):
    tree = html(client, "/fees")
    assert texts(tree, "//h1") == ["Fees"]
    assert texts(tree, "//nav[@aria-label='Site']//li")[-2:] == ["About", "Fees"]
    assert tree.xpath("//nav[@aria-label='Site']//a[@aria-current='page']/@href") == ["/fees"]
    assert client.get("/privacy").status_code == 200
    assert client.get("/secret-plans").status_code == 404


def test_a_changed_slug_answers_301_to_the_new_address(client, app, make, reading_site):
    editor_id = make.user("editor")
    with app.app_context():
        article = articles.find_by_slug("choosing")
        editor = db.session.get(User, editor_id)
        data = articles.ArticleInput(title=article.title, body_source=article.body_source, slug="choosing-well")
        articles.update(article, data, by=editor, now=now())
        db.session.commit()
    response = client.get("/articles/choosing")
    assert response.status_code == 301 and response.location == "/articles/choosing-well"


def test_article_structured_data_describes_a_blog_posting_in_a_series(client, reading_site):
    tree = html(client, "/articles/ambivalence")
    data = [json.loads(script.text) for script in tree.xpath("//script[@type='application/ld+json']")]
    posting, breadcrumbs, practice = data
    assert posting["@type"] == "BlogPosting" and posting["headline"] == "Ambivalence"
    assert posting["url"] == "http://127.0.0.1:5000/articles/ambivalence"
    assert posting["author"] == {"@type": "Person", "name": "Author"}  # the article's author, not the site's
    assert posting["isPartOf"]["name"] == "Mothers and Daughters"
    assert [item["name"] for item in breadcrumbs["itemListElement"]] == [
        "Home", "Series", "Mothers and Daughters", "Ambivalence"]
    assert practice["@type"] == "ProfessionalService" and practice["name"] == "Maya Ellison Therapy"
    assert tree.xpath("string(//meta[@property='og:type']/@content)") == "article"
    assert tree.xpath("string(//meta[@name='twitter:card']/@content)") == "summary"


def test_the_sitemap_lists_live_articles_series_tags_and_pages_with_lastmod(client, reading_site):
    response = client.get("/sitemap.xml")
    assert response.mimetype == "application/xml"
    namespace = SITEMAP
    root = etree.fromstring(response.data)
    locations = root.xpath("//s:loc/text()", namespaces=namespace)
    base = "http://127.0.0.1:5000"
    assert {f"{base}/articles/{slug}" for slug in reading_site.live_slugs} <= set(locations)
    assert {f"{base}/series/grief", f"{base}/tags/grief", f"{base}/about", f"{base}/privacy"} <= set(locations)
    for hidden in (*reading_site.hidden_slugs, "empty-series", "secret-topic", "secret-plans"):
        assert not any(location.endswith("/" + hidden) for location in locations)
    for url in root.xpath("//s:url[s:lastmod]", namespaces=namespace):
        datetime.strptime(url.xpath("string(s:lastmod)", namespaces=namespace), "%Y-%m-%dT%H:%M:%SZ")
    dated = set(root.xpath("//s:url[s:lastmod]/s:loc/text()", namespaces=namespace))
    # An article's or a page's own last change; a series' or a tag's would take reading every article in it.
    assert {f"{base}/articles/{slug}" for slug in reading_site.live_slugs} | {f"{base}/about"} <= dated
    assert not any("/series/" in location or "/tags/" in location for location in dated)


def test_a_site_too_large_for_one_sitemap_gets_an_index_of_sitemaps(client, reading_site, monkeypatch):
    monkeypatch.setattr(public, "SITEMAP_URLS", 5)  # as 500 would be for a site of 100,000 articles
    index = etree.fromstring(client.get("/sitemap.xml").data)
    assert index.tag == "{http://www.sitemaps.org/schemas/sitemap/0.9}sitemapindex"
    sitemaps = index.xpath("//s:sitemap/s:loc/text()", namespaces=SITEMAP)
    assert sitemaps == [f"http://127.0.0.1:5000/sitemap.xml?page={n}" for n in range(1, len(sitemaps) + 1)]
    listed = []
    for location in sitemaps:
        part = etree.fromstring(client.get(location.removeprefix("http://127.0.0.1:5000")).data)
        listed += part.xpath("//s:url/s:loc/text()", namespaces=SITEMAP)
        assert len(part.xpath("//s:url", namespaces=SITEMAP)) <= 5
    base = "http://127.0.0.1:5000"
    assert len(listed) == len(set(listed)) > 5 and f"{base}/" in listed
    assert {f"{base}/articles/{slug}" for slug in reading_site.live_slugs} <= set(listed)
    assert client.get(f"/sitemap.xml?page={len(sitemaps) + 1}").status_code == 404


def test_each_sitemap_part_lists_live_urls_among_its_ids_and_one_with_none_still_names_a_page(client, make,
                                                                                               monkeypatch):
    monkeypatch.setattr(public, "SITEMAP_URLS", 3)
    live = [make.article(f"Live {number}", slug=f"live-{number}") for number in range(1, 4)]
    hidden = [make.article(f"Draft {number}", slug=f"draft-{number}", status=Status.DRAFT) for number in range(1, 4)]
    scheduled = make.article("Soon", slug="soon", status=Status.SCHEDULED,
                             publish_at=datetime.now(UTC) + timedelta(days=1))
    assert live + hidden + [scheduled] == list(range(1, 8))  # parts: ids 1-3, 4-6 (drafts), 7 (scheduled)
    index = etree.fromstring(client.get("/sitemap.xml").data)
    assert len(index.xpath("//s:sitemap", namespaces=SITEMAP)) == 3
    parts = [etree.fromstring(client.get(f"/sitemap.xml?page={number}").data).xpath("//s:loc/text()",
                                                                                       namespaces=SITEMAP)
             for number in (1, 2, 3)]
    base = "http://127.0.0.1:5000"
    assert parts[0] == [f"{base}/", *(f"{base}/articles/live-{number}" for number in range(1, 4))]
    assert parts[1] == parts[2] == [f"{base}/"]  # an empty list of URLs is not a valid sitemap


def test_a_scheduled_article_enters_the_sitemap_and_its_archive_month_at_its_time(client, make, monkeypatch):
    go_live = datetime(2025, 3, 4, 14, tzinfo=UTC)
    make.article("Soon", slug="soon", status=Status.SCHEDULED, publish_at=go_live)
    monkeypatch.setattr(public.reader, "ARCHIVE_PER_PAGE", 1)
    make.article("Earlier", slug="earlier", publish_at=datetime(2025, 3, 2, 14, tzinfo=UTC))
    for moment, is_listed in ((go_live - timedelta(seconds=1), False), (go_live, True)):
        monkeypatch.setattr(clock, "now", lambda moment=moment: moment)
        sitemap = client.get("/sitemap.xml").get_data(as_text=True)
        month = html(client, "/archive/?month=2025-03")
        assert ("/articles/soon<" in sitemap) is is_listed
        assert (texts(month, "//ul[@class='archive-list']/li/a") == ["Soon"]) is is_listed


def test_a_year_longer_than_a_page_lists_its_months_each_a_page_at_a_time(client, make, monkeypatch):
    monkeypatch.setattr(public.reader, "ARCHIVE_PER_PAGE", 2)
    for day in (3, 5, 7):  # March 2025, newest last
        make.article(f"March {day}", publish_at=datetime(2025, 3, day, 15, tzinfo=UTC))
    make.article("January", publish_at=datetime(2025, 1, 10, 15, tzinfo=UTC))
    make.article("Long ago", publish_at=datetime(2022, 6, 1, 15, tzinfo=UTC))
    year = html(client, "/archive/")
    assert texts(year, "//ul[@class='archive-months']/li") == ["March 2025 3 articles", "January 2025 1 article"]
    assert year.xpath("//ul[@class='archive-months']//a/@href") == ["/archive/?month=2025-03",
                                                                    "/archive/?month=2025-01"]
    first = html(client, "/archive/?month=2025-03")
    assert texts(first, "//h1") == ["Archive: March 2025"]
    assert texts(first, "//ul[@class='archive-list']/li/a") == ["March 7", "March 5"]
    [older] = first.xpath("//nav[@class='pager']//a[@rel='next']/@href")
    assert parse_qs(urlsplit(older).query) == {"month": ["2025-03"], "page": ["2"]}
    second = html(client, older)
    canonical = urlsplit(second.xpath("string(//link[@rel='canonical']/@href)"))
    assert canonical.path == "/archive/" and parse_qs(canonical.query) == {"month": ["2025-03"], "page": ["2"]}
    assert html(client, "/archive/?year=2022").xpath("string(//link[@rel='canonical']/@href)") == (
        "http://127.0.0.1:5000/archive/?year=2022")
    assert texts(second, "//ul[@class='archive-list']/li/a") == ["March 3"]
    assert second.xpath("//nav[@class='pager']//a/@href") == ["/archive/?month=2025-03"]
    assert texts(html(client, "/archive/?year=2022"), "//main//section//a") == ["Long ago"]  # a short year: listed
    for missing in ("month=2025-03&page=3", "month=2025-02", "month=2025-13", "month=2025-3", "month=x",
                    "year=2025&month=2025-03", "year=2025&page=2", "page=2"):
        assert client.get(f"/archive/?{missing}").status_code == 404, missing


def test_sitemap_and_archive_pages_make_a_fixed_number_of_queries_however_large_the_site(app, make, monkeypatch):
    monkeypatch.setattr(public, "SITEMAP_URLS", 4)  # as 500 would be for a site of 100,000 articles
    monkeypatch.setattr(public.reader, "ARCHIVE_PER_PAGE", 3)
    reader = app.test_client()
    reader.set_cookie("signed-in", "1")  # past the page cache, as an editor's browser
    urls = ["/sitemap.xml", "/sitemap.xml?page=1", "/sitemap.xml?page=2", "/archive/", "/archive/?year=2024",
            "/archive/?month=2025-03", "/archive/?month=2025-03&page=2"]

    def counts() -> dict[str, int]:
        for url in urls:  # what is read once per content state (the menu, the years)
            reader.get(url)
        found = {}
        for url in urls:
            with counted_queries(app) as statements:
                assert reader.get(url).status_code == 200, url
            found[url] = len(statements)
        return found

    def add(first: int, last: int) -> None:
        for number in range(first, last):
            make.article(f"Note {number}", tags=("notes",),
                         publish_at=datetime(2025, 3, 1, 15, tzinfo=UTC) + timedelta(hours=number))
        make.article(f"Old note {first}", tags=("notes",), publish_at=datetime(2024, 6, 1, 15, tzinfo=UTC))

    add(0, 8)
    few = counts()
    assert few == {"/sitemap.xml": 2, "/sitemap.xml?page=1": 4, "/sitemap.xml?page=2": 3, "/archive/": 3,
                   "/archive/?year=2024": 2, "/archive/?month=2025-03": 2, "/archive/?month=2025-03&page=2": 2}
    add(8, 40)
    assert counts() == few


def test_robots_txt_points_to_the_sitemap_and_keeps_crawlers_out_of_the_back_office(client):
    body = client.get("/robots.txt").get_data(as_text=True)
    assert "Sitemap: http://127.0.0.1:5000/sitemap.xml" in body
    assert "Disallow: /admin/" in body


def test_an_error_inside_a_view_gets_a_friendly_500_page(app, client, reading_site, monkeypatch):
    from cms.services import reader

    def broken(*args, **kwargs):
        raise RuntimeError("the disk is on fire")

    monkeypatch.setattr(reader, "keys", broken)  # what the home page lists
    app.config["PROPAGATE_EXCEPTIONS"] = False
    tree = html(client, "/", 500)
    assert "Something went wrong on our side" in tree.text_content()
    assert "disk is on fire" not in lxml.html.tostring(tree, encoding="unicode")


def test_archiving_makes_an_article_disappear_at_once(client, app, make, reading_site):
    editor_id = make.user("editor")
    assert client.get("/articles/choosing").status_code == 200
    with app.app_context():
        editor = db.session.get(User, editor_id)
        articles.change_status(articles.find_by_slug("choosing"), Status.ARCHIVED, by=editor, now=now())
        db.session.commit()
    assert client.get("/articles/choosing").status_code == 404
    assert "Choosing a therapist" not in client.get("/").get_data(as_text=True)


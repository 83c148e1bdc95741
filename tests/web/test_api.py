import json
from datetime import UTC, datetime, timedelta

import feedparser
import lxml.html
import pytest

from cms.core.feeds import absolute_links
from cms.extensions import db
from cms.models import Article, RelatedScore
from tests.web.reading_site import reading_site  # noqa: F401 - the fixture

BASE = "http://127.0.0.1:5000"


def get_json(client, url: str, status: int = 200):
    response = client.get(url)
    assert response.status_code == status, response.get_data(as_text=True)
    assert response.mimetype == "application/json"
    return response.get_json()


def test_one_article_has_the_shape_design_promises(client, reading_site):
    article = get_json(client, "/api/articles/ambivalence")
    assert set(article) == {"slug", "title", "url", "summary", "html", "published_at", "updated_at", "tags",
                            "series", "related"}
    assert article["slug"] == "ambivalence" and article["title"] == "Ambivalence"
    assert article["url"] == f"{BASE}/articles/ambivalence"
    assert article["summary"] == "Two feelings at once."
    assert article["html"] == "<p>Holding love and frustration together is ambivalence.</p>"
    for key in ("published_at", "updated_at"):
        datetime.strptime(article[key], "%Y-%m-%dT%H:%M:%SZ")
    assert article["tags"] == [{"slug": "mother-daughter", "name": "mother daughter"}]
    assert article["series"] == {"slug": "mothers-and-daughters", "title": "Mothers and Daughters", "part": 2,
                                 "total": 2, "previous": {"slug": "life-stages", "title": "Life stages"},
                                 "next": None}


def test_an_article_outside_a_series_has_none(client, reading_site):
    assert get_json(client, "/api/articles/choosing")["series"] is None


@pytest.mark.parametrize("slug", ["draft-part", "in-review", "scheduled-part", "archived", "missing"])
def test_what_is_not_live_is_a_json_404(client, reading_site, slug):
    assert get_json(client, f"/api/articles/{slug}", 404) == {"error": f"There is no article {slug!r}."}


def test_related_articles_in_the_api_are_live(client, app, reading_site):
    with app.app_context():
        ids = {a.slug: a.id for a in db.session.scalars(db.select(Article))}
        db.session.execute(db.delete(RelatedScore).where(RelatedScore.article_id == ids["grief-1"]))
        for other in ("scheduled-part", "draft-part", "grief-2"):
            db.session.add(RelatedScore(article_id=ids["grief-1"], other_id=ids[other], score=0.9, reasons={}))
        db.session.commit()
    assert get_json(client, "/api/articles/grief-1")["related"] == [
        {"slug": "grief-2", "title": "Anniversaries", "url": f"{BASE}/articles/grief-2"}]


def test_links_inside_article_html_are_absolute(client, make):
    make.article("Linked", slug="linked", body_source="[Fees](/fees), [note](#fn1) and ![a tree](/uploads/tree.png)")
    html = get_json(client, "/api/articles/linked")["html"]
    assert f'href="{BASE}/fees"' in html and f'href="{BASE}/articles/linked#fn1"' in html
    assert f'src="{BASE}/uploads/tree.png"' in html


def test_the_list_is_live_articles_newest_first(client, reading_site):
    listing = get_json(client, "/api/articles")
    assert [item["slug"] for item in listing["items"]] == list(reading_site.live_slugs)
    assert listing["next"] is None


@pytest.mark.parametrize(("query", "slugs"), [
    ("tag=grief", ["grief-3", "grief-2", "grief-1"]),
    ("series=mothers-and-daughters", ["ambivalence", "life-stages"]),
    ("tag=family&series=grief", ["grief-3"]),
])
def test_the_list_filters_by_tag_and_series(client, reading_site, query, slugs):
    assert [item["slug"] for item in get_json(client, f"/api/articles?{query}")["items"]] == slugs


def test_the_list_is_paged_with_an_absolute_next_url(client, make):
    for number in range(23):
        make.article(f"Note {number:02}", tags=("notes",))
    first = get_json(client, "/api/articles?tag=notes")
    assert len(first["items"]) == 20
    assert first["next"] == f"{BASE}/api/articles?page=2&tag=notes"
    second = get_json(client, first["next"].removeprefix(BASE))
    assert len(second["items"]) == 3 and second["next"] is None
    assert {item["slug"] for item in first["items"]}.isdisjoint(item["slug"] for item in second["items"])


@pytest.mark.parametrize(("query", "status", "error"), [
    ("page=0", 400, "The page must be a positive whole number."),
    ("page=abc", 400, "The page must be a positive whole number."),
    ("page=9", 404, "There is no page 9 of articles."),
    ("tag=secret-topic", 404, "There is no tag 'secret-topic'."),
    ("series=empty-series", 404, "There is no series 'empty-series'."),
])
def test_bad_list_requests_get_a_one_sentence_json_error(client, reading_site, query, status, error):
    assert get_json(client, f"/api/articles?{query}", status) == {"error": error}


def test_series_list_and_one_series(client, reading_site):
    listing = get_json(client, "/api/series")
    assert [(item["slug"], item["total"]) for item in listing["items"]] == [
        ("grief", 3), ("mothers-and-daughters", 2)]
    one = get_json(client, "/api/series/mothers-and-daughters")
    assert one["description"] == "How the bond changes over a lifetime."
    assert one["parts"] == [
        {"slug": "life-stages", "title": "Life stages", "url": f"{BASE}/articles/life-stages", "part": 1},
        {"slug": "ambivalence", "title": "Ambivalence", "url": f"{BASE}/articles/ambivalence", "part": 2}]
    assert one["coming"] == {"part": 3, "publish_at": reading_site.scheduled_at.strftime("%Y-%m-%dT%H:%M:%SZ")}
    get_json(client, "/api/series/empty-series", 404)


def test_tags_count_live_articles(client, reading_site):
    tags = get_json(client, "/api/tags")["items"]
    assert [(tag["slug"], tag["articles"]) for tag in tags] == [
        ("family", 2), ("grief", 3), ("mother-daughter", 2), ("therapy", 1)]
    assert tags[0]["url"] == f"{BASE}/tags/family"


def test_the_api_the_page_and_the_feeds_agree_on_dates_and_body(app, client, make):
    """Republished after its first publication and edited since: every surface shows the same three facts."""
    first_published, republished, edited = (datetime.now(UTC) - timedelta(days=days) for days in (9, 5, 2))
    make.article("Grief", body_source="On loss.", publish_at=first_published - timedelta(days=30))
    ident = make.article("Letting go", body_source="After Grief, letting go.", publish_at=republished)
    with app.app_context():
        article = db.session.get(Article, ident)
        article.published_at, article.updated_at = first_published, edited
        db.session.commit()
    shown = {"published": _utc_text(first_published), "updated": _utc_text(edited)}
    api = get_json(client, "/api/articles/letting-go")
    assert (api["published_at"], api["updated_at"]) == (shown["published"], shown["updated"])
    assert f'<a href="{BASE}/articles/grief">Grief</a>' in api["html"]

    page = lxml.html.fromstring(client.get("/articles/letting-go").get_data(as_text=True))
    posting = json.loads(page.xpath("string(//script[@type='application/ld+json'])"))
    assert (posting["datePublished"], posting["dateModified"]) == (shown["published"], shown["updated"])
    meta = {name: page.xpath(f"string(//meta[@property='article:{name}_time']/@content)")
            for name in ("published", "modified")}
    assert meta == {"published": shown["published"], "modified": shown["updated"]}
    body = page.xpath("//div[@class='body']")[0]
    assert absolute_links("".join(lxml.html.tostring(child, encoding="unicode") for child in body),
                          f"{BASE}/articles/letting-go") == api["html"]

    for kind in ("atom", "xml"):
        entry = next(entry for entry in feedparser.parse(client.get(f"/feed.{kind}").get_data()).entries
                     if entry.link == f"{BASE}/articles/letting-go")
        assert _utc_text(datetime(*entry.published_parsed[:6], tzinfo=UTC)) == shown["published"]
        if kind == "atom":  # RSS 2.0 has no updated date per item
            assert _utc_text(datetime(*entry.updated_parsed[:6], tzinfo=UTC)) == shown["updated"]
        assert entry.content[0].value == api["html"]


def _utc_text(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")

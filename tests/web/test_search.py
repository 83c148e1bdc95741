import lxml.html
import pytest

from cms.services.search import fts5_query, highlight
from tests.web.reading_site import reading_site  # noqa: F401 - the fixture

ODD_QUERIES = ['"', '""', "'", "grief\"", 'AND', "OR", "NOT", "grief AND OR NOT", "NEAR(grief)", "*", "grief*",
               "title:grief", "^grief", "-", "--", "-grief", "(grief", "grief)", "{grief}", "[grief]", "\\",
               "%", "_", "'; DROP TABLE articles; --", "<script>alert(1)</script>", "grief:*", "!!", "&|",
               "\ue000grief\ue001", "ünïcödé", "悲しみ", "🙂", "a" * 500, "grief " * 100]


def search_page(client, query: str, status: int = 200):
    response = client.get("/search", query_string={"q": query})
    assert response.status_code == status, query
    return lxml.html.fromstring(response.get_data(as_text=True))


def result_slugs(tree) -> list[str]:
    return [href.rsplit("/", 1)[1] for href in tree.xpath("//ol[@class='search-results']//h2/a/@href")]


def test_search_finds_an_article_by_a_word_from_its_body(client, reading_site):
    assert result_slugs(search_page(client, "remembers")) == ["grief-2"]


def test_search_stems_words(client, reading_site):
    assert result_slugs(search_page(client, "remember")) == ["grief-2"]


def test_excerpts_highlight_the_words_found(client, reading_site):
    tree = search_page(client, "remembers")
    excerpt = tree.xpath("//p[@class='excerpt']")[0]
    assert [mark.text for mark in excerpt.xpath("mark")] == ["remembers"]
    assert "Dates return every year" in excerpt.text_content()


def test_a_title_match_ranks_above_a_body_match(client, make):
    make.article("Notes on sleep", slug="body-only", body_source="Some words about anxiety at night.")
    make.article("Anxiety explained", slug="in-title", body_source="What it is and what helps.")
    assert result_slugs(search_page(client, "anxiety")) == ["in-title", "body-only"]


def test_a_word_in_more_articles_than_are_ranked_is_ranked_among_the_newest_matches(client, make, monkeypatch):
    monkeypatch.setattr("cms.services.search.RANKED_MATCHES", 2)
    make.article("Anxiety explained", slug="oldest-best", body_source="Anxiety, anxiety and anxiety.")
    make.article("Notes on sleep", slug="middle", body_source="Some words about anxiety at night.")
    make.article("Notes on rest", slug="newest", body_source="A word on anxiety.")
    make.article("Notes on nothing", slug="unmatched", body_source="Nothing to find here.")
    assert set(result_slugs(search_page(client, "anxiety"))) == {"middle", "newest"}
    monkeypatch.setattr("cms.services.search.RANKED_MATCHES", 2000)
    assert result_slugs(search_page(client, "Anxiety"))[0] == "oldest-best"  # another address: not the kept page


def test_each_result_shows_its_own_excerpt_in_rank_order(client, make):
    for number, repeats in ((1, 1), (2, 3), (3, 2)):
        make.article(f"Notes, part {number}", slug=f"notes-{number}",
                     body_source=f"Grief returns on day {number}. " + "Grief. " * repeats)
    tree = search_page(client, "grief")
    assert result_slugs(tree) == ["notes-2", "notes-3", "notes-1"]
    for item in tree.xpath("//ol[@class='search-results']/li"):
        number = item.xpath(".//h2/a/@href")[0].rsplit("-", 1)[1]
        assert f"on day {number}." in item.xpath(".//p[@class='excerpt']")[0].text_content()


@pytest.mark.parametrize("word", ["zeppelins", "Quokkas", "Nobody", "Waiting"])
def test_search_never_finds_what_is_not_live(client, reading_site, word):
    tree = search_page(client, word)
    assert result_slugs(tree) == []
    assert "No article matches" in tree.text_content()


def test_phrases_alternatives_and_exclusions(client, reading_site):
    assert result_slugs(search_page(client, '"follow stages"')) == ["grief-1"]
    assert result_slugs(search_page(client, '"stages follow"')) == []
    assert set(result_slugs(search_page(client, "remembers or mourning"))) == {"grief-2", "grief-3"}
    assert set(result_slugs(search_page(client, "grief"))) == {"grief-1", "grief-3"}
    assert result_slugs(search_page(client, "grief -mourning")) == ["grief-1"]


def test_odd_queries_never_error(client, reading_site):
    for query in ODD_QUERIES:  # one site for them all: building it is the slow part
        tree = search_page(client, query)
        assert len(tree.xpath("//h1")) == 1, query


def test_the_query_is_shown_escaped(client, reading_site):
    response = client.get("/search", query_string={"q": "<script>alert(1)</script>"})
    page = response.get_data(as_text=True)
    assert "<script>alert" not in page and "&lt;script&gt;alert(1)&lt;/script&gt;" in page


def test_an_empty_search_explains_how_to_search(client, reading_site):
    tree = search_page(client, "")
    assert "Type a few words" in tree.text_content()
    assert tree.xpath("string(//meta[@name='robots']/@content)") == "noindex"


def test_search_results_are_paged(client, make):
    for number in range(21):
        make.article(f"Worry {number:02}", body_source="Worry visits everyone.")
    first = search_page(client, "worry")
    assert len(result_slugs(first)) == 20
    assert first.xpath("//nav[@class='pager']//a[@rel='next']/@href") == ["/search?page=2&q=worry"]
    second = lxml.html.fromstring(client.get("/search?q=worry&page=2").get_data(as_text=True))
    assert len(result_slugs(second)) == 1
    assert set(result_slugs(first)).isdisjoint(result_slugs(second))


@pytest.mark.parametrize(("typed", "expression"), [
    ("grief", '"grief"'),
    ("grief anniversaries", '"grief" "anniversaries"'),
    ('"letting go" resentment', '"letting go" "resentment"'),
    ("grief or loss", '"grief" OR "loss"'),
    ("or grief or", '"grief"'),
    ("grief -stages", '("grief") NOT "stages"'),
    ('grief -"five stages"', '("grief") NOT "five stages"'),
    ('say "hi', '"say" "hi"'),
    ('title:grief NEAR(x)', '"title:grief" "NEAR(x)"'),
    ('a"b', '"a""b"'),
    ("-grief", ""),
    ("* ^ ( ) - ! ?", ""),
    ("", ""),
])
def test_what_a_reader_types_becomes_a_quoted_fts5_expression(typed, expression):
    assert fts5_query(typed) == expression


def test_highlight_escapes_text_and_marks_matches():
    assert highlight("a <b> \ue000word\ue001 & \ue000cut") == "a &lt;b&gt; <mark>word</mark> &amp; cut"

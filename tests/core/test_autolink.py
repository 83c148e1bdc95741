import pytest

from cms.core import rendering
from cms.core.autolink import Target, link_titles, mentions

ANXIETY = Target("Understanding Anxiety", "/articles/understanding-anxiety")
LIFE_STAGES = Target("Mother–Daughter Relationships: Life Stages", "/articles/life-stages")
GRIEF = Target("Grief", "/articles/grief")
TARGETS = [ANXIETY, LIFE_STAGES, GRIEF]
SELF = "/articles/this-one"


def link(source: str, targets=TARGETS, self_url: str = SELF) -> str:
    return link_titles(rendering.render(source), targets, self_url)


def test_the_first_mention_in_running_text_becomes_a_link():
    html = link("More on understanding anxiety later. Understanding anxiety again.")
    assert html == ('<p>More on <a href="/articles/understanding-anxiety">understanding anxiety</a> later. '
                    "Understanding anxiety again.</p>")


@pytest.mark.parametrize("mention", [
    "mother-daughter relationships, life stages",
    "Mother–Daughter Relationships: Life Stages",
    "mother daughter relationship life stage",
    "MOTHER/DAUGHTER RELATIONSHIPS; LIFE-STAGES",
])
def test_case_punctuation_hyphens_and_a_plural_s_do_not_matter(mention):
    assert f'<a href="/articles/life-stages">{mention}</a>' in link(f"See {mention}.")


def test_plural_and_possessive_forms_match():
    assert '<a href="/articles/grief">griefs</a>' in link("Old griefs return.")
    assert '<a href="/articles/grief">grief’s</a>' in link("The grief’s weight.")


@pytest.mark.parametrize("source", [
    "[understanding anxiety](/elsewhere)",
    "## Understanding anxiety",
    "Use `understanding anxiety` here.",
    "```\nunderstanding anxiety\n```",
    "<kbd>understanding anxiety</kbd>",
])
def test_no_link_inside_links_headings_or_code(source):
    assert "/articles/understanding-anxiety" not in link(source)


def test_a_mention_after_a_skipped_element_is_linked():
    html = link("## Understanding anxiety\n\n`grief` and *understanding anxiety*.")
    assert html.count("/articles/understanding-anxiety") == 1
    assert '<em><a href="/articles/understanding-anxiety">understanding anxiety</a></em>' in html
    assert "/articles/grief" not in html


@pytest.mark.parametrize("source", ["Griefless days.", "A grieving mother.", "Misunderstanding anxiety."])
def test_parts_of_words_are_not_mentions(source):
    html = link(source)
    assert "/articles/grief" not in html and "understanding-anxiety" not in html


def test_an_article_never_links_to_itself():
    assert "<a" not in link("Grief comes in waves.", self_url="/articles/grief")


def test_overlapping_titles_prefer_the_longest():
    targets = [Target("Anxiety", "/articles/anxiety"), ANXIETY, Target("Anxiety in the Body", "/articles/body")]
    html = link("Understanding anxiety in the body starts here.", targets)
    assert html == '<p>Understanding <a href="/articles/body">anxiety in the body</a> starts here.</p>'
    html = link("Anxiety in the body, then understanding anxiety, then anxiety.", targets)
    assert html == ('<p><a href="/articles/body">Anxiety in the body</a>, then '
                    '<a href="/articles/understanding-anxiety">understanding anxiety</a>, then '
                    '<a href="/articles/anxiety">anxiety</a>.</p>')


def test_a_title_the_author_already_linked_by_hand_is_left_alone():
    html = link("[my piece](/articles/grief) on grief.")
    assert html.count("/articles/grief") == 1


def test_markup_and_entities_around_a_mention_survive():
    source = 'Fees &amp; grief, <img src="x.png" alt="grief"> and <strong>more</strong>.'
    html = link(source)
    assert html == ('<p>Fees &amp; <a href="/articles/grief">grief</a>, <img src="x.png" alt="grief"> and '
                    "<strong>more</strong>.</p>")


def test_titles_with_characters_that_need_escaping_link_safely():
    targets = [Target("Fees & Insurance", '/articles/fees?a="1"')]
    html = link_titles("<p>About fees &amp; insurance.</p>", targets, SELF)
    assert html == '<p>About <a href="/articles/fees?a=&quot;1&quot;">fees &amp; insurance</a>.</p>'


def test_mentions_are_the_suggestions_in_reading_order():
    html = rendering.render("Grief, then understanding anxiety. Grief again.")
    assert mentions(html, TARGETS, SELF) == [GRIEF, ANXIETY]
    assert mentions(html, [], SELF) == []

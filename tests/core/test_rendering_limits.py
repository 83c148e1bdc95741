"""The pipeline's bounds: a body too long, or markup that would make the sanitizer's work grow faster than the
text, is refused in one sentence before the work; anything within them renders as one piece would."""


import pytest

from cms.core import rendering
from cms.core.errors import InvalidInput


def test_a_body_over_the_limit_is_refused_before_any_rendering():
    with pytest.raises(InvalidInput, match="longer than 1,048,576 characters") as error:
        rendering.render("a" * (rendering.MAX_BODY_CHARS + 1))
    assert error.value.field == "body_source"


@pytest.mark.parametrize("markup", ["<b>", "<div>", "<ul><li>", "<span>", "<rt>", "<li><section>"],
                         ids=["bold", "div", "list", "span", "ruby-text", "list-section"])
def test_tags_opened_by_the_thousand_are_refused_in_one_sentence(markup):
    with pytest.raises(InvalidInput, match=r"^[^\n]*\.$"):  # how fast, `make bench` measures (bench_limits)
        rendering.render(markup * 80_000)  # 240 KB of "<b>" took a worker past its timeout


def test_paragraphs_after_unclosed_formatting_do_not_multiply_it():
    source = "".join(f'<p><b title="{number}">x</p>\n' for number in range(400))
    html = rendering.render(source)
    assert len(html) < 3 * len(source)  # the parser used to reopen every earlier <b> in each paragraph
    assert html.count("x") == 400


def test_a_list_with_more_items_than_any_article_needs_is_refused():
    rendering.render("".join(f"- item {number}\n" for number in range(rendering.MAX_CHILDREN)))
    with pytest.raises(InvalidInput, match="split the list or table"):
        rendering.render("".join(f"- item {number}\n" for number in range(rendering.MAX_CHILDREN + 1)))


def test_one_paragraph_longer_than_a_piece_is_refused():
    with pytest.raises(InvalidInput, match="add paragraphs"):
        rendering.render("&amp;" * (rendering.MAX_PIECE_CHARS // 4))


def test_a_long_article_renders_the_same_as_its_paragraphs_one_by_one():
    paragraphs = [f"Paragraph {number} with *emphasis*, a [link](https://example.org/{number}) and "
                  f"<b>bold</b> & more.[^{number}]\n\n[^{number}]: Note {number}." for number in range(300)]
    whole = rendering.render("\n\n".join(paragraphs))
    assert len(whole) > 8 * rendering._PIECE_TARGET  # cut into many pieces
    assert whole.count("<p>") == 600 and whole.count('class="footnote-ref"') == 300
    for number in (0, 150, 299):
        assert f'<a href="https://example.org/{number}">link</a> and <b>bold</b> &amp; more.' in whole


def test_unclosed_tags_inside_script_and_comments_do_not_count():
    html = rendering.render("<script>" + "<b>" * 500 + "</script><!--" + "<i>" * 500 + "-->After")
    assert html == "After"

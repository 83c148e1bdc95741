from cms.core.contents import Section, with_contents


def test_three_sections_get_anchors_and_a_table_of_contents():
    html = "<p>Intro</p><h2>Why it <em>matters</em></h2><p>a</p><h2>Signs &amp; patterns</h2><h2>Why it matters</h2>"
    shown, sections = with_contents(html)
    assert sections == [Section("section-why-it-matters", "Why it matters"),
                        Section("section-signs-patterns", "Signs & patterns"),
                        Section("section-why-it-matters-2", "Why it matters")]
    assert '<h2 id="section-why-it-matters">Why it <em>matters</em></h2>' in shown
    assert '<h2 id="section-why-it-matters-2">' in shown


def test_a_short_article_has_no_table_of_contents():
    html = "<h2>One</h2><p>a</p><h2>Two</h2><h3>Three</h3>"
    assert with_contents(html) == (html, [])


def test_a_heading_with_no_letters_still_gets_a_unique_anchor():
    _, sections = with_contents("<h2>?</h2><h2>!</h2><h2>Done</h2>")
    assert [section.anchor for section in sections] == ["section-1", "section-2", "section-done"]

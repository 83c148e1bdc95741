from cms.core import rendering


def test_markdown_renders_commonmark_tables_and_footnotes():
    html = rendering.render("Some *emphasis*.[^1]\n\n| a | b |\n|:--|--:|\n| 1 | 2 |\n\n[^1]: A note.")
    assert "<em>emphasis</em>" in html
    assert '<td style="text-align:right;">2</td>' in html
    assert 'class="footnote-ref"' in html and 'id="fn1"' in html


def test_a_heading_in_the_body_never_competes_with_the_title():
    assert rendering.render("# Section") == "<h2>Section</h2>"


def test_scripts_and_handlers_are_removed_but_text_survives():
    html = rendering.render('Hello <script>alert(1)</script><img src="x.png" onerror="alert(2)"> <b>world</b>')
    assert "script" not in html and "alert" not in html and "onerror" not in html
    assert '<img src="x.png">' in html and "<b>world</b>" in html


def test_script_urls_never_become_links():
    html = rendering.render("[click](javascript:alert(1)) <a href=\"vbscript:x\">v</a>")
    assert "javascript:" not in html.replace("[click](javascript:alert(1))", "") and "vbscript" not in html
    assert "href" not in html


def test_links_opening_elsewhere_get_noopener():
    html = rendering.render('<a href="https://example.org" target="_blank">away</a> [here](/about)')
    assert 'rel="noopener noreferrer"' in html
    assert '<a href="/about">here</a>' in html


def test_free_ids_and_classes_are_dropped():
    assert rendering.render('<p id="content" class="x">hi</p>') == "<p>hi</p>"


def test_reading_time_is_at_least_a_minute():
    assert rendering.reading_minutes("<p>one</p>") == 1
    assert rendering.reading_minutes("<p>" + "word " * 460 + "</p>") == 2

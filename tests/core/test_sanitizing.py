"""The sanitizer against the classic XSS filter-evasion vectors (tests/data/xss_vectors.txt), class by class."""

import re

import pytest

from cms.core import rendering
from tests.xss import dangers, elements, load_vectors, url_scheme

VECTORS = load_vectors()
ALL_VECTORS = [vector for vectors in VECTORS.values() for vector in vectors]
PIPELINES = {"html": rendering.sanitize, "markdown": rendering.render}


def _outputs(vector: str):
    for name, pipeline in PIPELINES.items():
        yield name, pipeline(vector)


def test_the_list_is_large_and_covers_every_class():
    assert set(VECTORS) == {"script-tags", "event-handlers", "script-urls", "markdown-links",
                            "entities-and-whitespace", "svg-mathml", "style", "embedding", "parser-confusion"}
    assert len(ALL_VECTORS) >= 250
    assert all(len(vectors) >= 15 for vectors in VECTORS.values())


@pytest.mark.parametrize("vector", ALL_VECTORS)
def test_no_vector_survives_either_pipeline(vector):
    for pipeline, html in _outputs(vector):
        assert dangers(html) == [], f"{pipeline}: {vector!r} -> {html!r}"
        unexpected = {tag for tag, _ in elements(html)} - rendering.ALLOWED_TAGS
        assert not unexpected, f"{pipeline}: {vector!r} -> {html!r}"


@pytest.mark.parametrize("vector", ALL_VECTORS)
def test_sanitized_html_is_stable_when_sanitized_again(vector):
    """Stored HTML is sanitized again on every re-render, so sanitizing must not drift."""
    for _, html in _outputs(vector):
        assert rendering.sanitize(html) == html


@pytest.mark.parametrize("vector", VECTORS["script-tags"])
def test_script_elements_never_survive_and_their_code_is_not_shown_as_text(vector):
    for pipeline, html in _outputs(vector):
        assert not any(tag == "script" for tag, _ in elements(html)), f"{pipeline}: {html!r}"
        if re.fullmatch(r"<script>[^<]*</script>", vector, re.IGNORECASE):
            assert html == "", f"{pipeline}: {html!r}"


@pytest.mark.parametrize("vector", VECTORS["event-handlers"])
def test_event_handler_attributes_never_survive(vector):
    for pipeline, html in _outputs(vector):
        handlers = [name for _, attributes in elements(html) for name in attributes if name.startswith("on")]
        assert handlers == [], f"{pipeline}: {vector!r} -> {html!r}"


@pytest.mark.parametrize("vector", VECTORS["script-urls"] + VECTORS["entities-and-whitespace"])
def test_only_web_mail_and_phone_urls_survive_in_attributes(vector):
    for pipeline, html in _outputs(vector):
        schemes = {url_scheme(value) for _, attributes in elements(html) for name, value in attributes.items()
                   if name in ("href", "src", "cite", "action", "formaction", "data", "background", "poster")}
        assert schemes <= {None, "http", "https", "mailto", "tel"}, f"{pipeline}: {vector!r} -> {html!r}"


@pytest.mark.parametrize("vector", VECTORS["markdown-links"])
def test_markdown_links_and_images_to_scripts_lose_their_target(vector):
    html = rendering.render(vector)
    for _tag, attributes in elements(html):
        for name in ("href", "src"):
            if name in attributes:
                assert url_scheme(attributes[name]) in (None, "http", "https"), f"{vector!r} -> {html!r}"


@pytest.mark.parametrize("vector", VECTORS["svg-mathml"])
def test_svg_and_mathml_go_whole(vector):
    """What HTML parsing lifts out of foreign content (an <img> ends an <svg>) is sanitized like the rest."""
    for pipeline, html in _outputs(vector):
        parsed = list(elements(html))
        assert not {tag for tag, _ in parsed} & {"svg", "math", "style", "script", "a"}, f"{pipeline}: {html!r}"
        assert not [name for _, attributes in parsed for name in attributes if name.startswith("on")]


@pytest.mark.parametrize("vector", VECTORS["style"])
def test_styles_keep_nothing_but_column_alignment(vector):
    for pipeline, html in _outputs(vector):
        for tag, attributes in elements(html):
            assert tag != "style"
            if "style" in attributes:
                assert tag in ("th", "td") and re.fullmatch(r"text-align:(left|right|center|justify);",
                                                           attributes["style"]), f"{pipeline}: {html!r}"


@pytest.mark.parametrize("vector", VECTORS["embedding"])
def test_frames_objects_forms_and_document_metadata_never_survive(vector):
    embedding = {"iframe", "frame", "frameset", "object", "embed", "applet", "param", "form", "input", "button",
                 "meta", "base", "link", "portal", "xml", "dialog"}
    for pipeline, html in _outputs(vector):
        assert not {tag for tag, _ in elements(html)} & embedding, f"{pipeline}: {vector!r} -> {html!r}"


@pytest.mark.parametrize("vector", VECTORS["parser-confusion"])
def test_parser_tricks_leave_no_markup_outside_the_allow_list(vector):
    for pipeline, html in _outputs(vector):
        for _tag, attributes in elements(html):
            assert not {"name", "form"} & set(attributes), f"{pipeline}: {html!r}"  # no DOM clobbering
            if "id" in attributes:  # only footnote anchors keep an id
                assert re.fullmatch(r"fn(ref)?\d+(:\d+)?", attributes["id"]), f"{pipeline}: {html!r}"
            if attributes.get("target") == "_blank":
                assert attributes.get("rel") == "noopener noreferrer"
            assert attributes.get("target") in (None, "_blank")


def test_the_checker_itself_sees_what_a_browser_would_run():
    assert dangers('<img src=x onerror="alert(1)">') == ["onerror handler on <img>"]
    assert dangers('<a href=" jav&#x09;ascript:alert(1)">x</a>') == ["javascript: URL in href of <a>"]
    assert dangers("<svg><script>alert(1)</script></svg>") == ["<svg> element", "<script> element"]
    assert dangers('<p style="background:url(x)">x</p>') == ["style='background:url(x)' on <p>"]
    assert dangers('<a href="https://example.org">x</a> <a href="/about">y</a>') == []


HARMLESS = [
    ("Some *emphasis*, **strength** and `code`.",
     "<p>Some <em>emphasis</em>, <strong>strength</strong> and <code>code</code>.</p>"),
    ("## A section", "<h2>A section</h2>"),
    ("> A quotation\n> over two lines.", "<blockquote>\n<p>A quotation\nover two lines.</p>\n</blockquote>"),
    ("- one\n- two", "<ul>\n<li>one</li>\n<li>two</li>\n</ul>"),
    ("3. three\n4. four", '<ol start="3">\n<li>three</li>\n<li>four</li>\n</ol>'),
    ("[a link](https://example.org/page?a=1&b=2 \"Its title\")",
     '<p><a href="https://example.org/page?a=1&amp;b=2" title="Its title">a link</a></p>'),
    ("[write to me](mailto:me@example.org) or [call](tel:+15551234567)",
     '<p><a href="mailto:me@example.org">write to me</a> or <a href="tel:+15551234567">call</a></p>'),
    ("[about](/about) and [a part](../articles/life-stages#start)",
     '<p><a href="/about">about</a> and <a href="../articles/life-stages#start">a part</a></p>'),
    ("![A quiet room](/uploads/0123456789abcdef0123456789abcdef.jpg \"Room\")",
     '<p><img src="/uploads/0123456789abcdef0123456789abcdef.jpg" alt="A quiet room" title="Room"></p>'),
    ("```\n<script>alert(1)</script>\n```", "<pre><code>&lt;script&gt;alert(1)&lt;/script&gt;\n</code></pre>"),
    ("Explaining `<img onerror>` in a sentence.", "<p>Explaining <code>&lt;img onerror&gt;</code> in a sentence.</p>"),
    ("Visit www.example.org today.", '<p>Visit <a href="http://www.example.org">www.example.org</a> today.</p>'),
    ('<a href="https://example.org" target="_blank">away</a>',
     '<p><a href="https://example.org" target="_blank" rel="noopener noreferrer">away</a></p>'),
    ("<figure><img src=\"/uploads/a.png\" alt=\"A\"><figcaption>Caption</figcaption></figure>",
     '<figure><img src="/uploads/a.png" alt="A"><figcaption>Caption</figcaption></figure>'),
    ("H<sub>2</sub>O, x<sup>2</sup>, <abbr title=\"cognitive behavioural therapy\">CBT</abbr>, <mark>this</mark>",
     '<p>H<sub>2</sub>O, x<sup>2</sup>, <abbr title="cognitive behavioural therapy">CBT</abbr>, <mark>this</mark></p>'),
    ("| Left | Centre |\n|:-----|:------:|\n| a | b |", '<th style="text-align:center;">Centre</th>'),
    ("A footnote.[^1]\n\n[^1]: The note.", '<li id="fn1" class="footnote-item"><p>The note.'),
    ("Mother & daughter < 1 > 0 \"quoted\"", "<p>Mother &amp; daughter &lt; 1 &gt; 0 “quoted”</p>"),
    ("Ünïcödé — “typographic” quotes…", "<p>Ünïcödé — “typographic” quotes…</p>"),
]


@pytest.mark.parametrize("source, expected", HARMLESS)
def test_harmless_formatting_survives(source, expected):
    assert expected in rendering.render(source)


def test_text_around_a_removed_script_survives():
    html = rendering.render('<p title="<script>">Before</p><script>alert(1)</script>\n\nAfter the script.')
    assert rendering.plain_text(html) == "Before After the script."


OUR_AUDIO = "/uploads/0123456789abcdef0123456789abcdef.mp3"
OUR_VIDEO = "/uploads/0123456789abcdef0123456789abcdef.webm"


@pytest.mark.parametrize("tag, src", [("audio", OUR_AUDIO), ("video", OUR_VIDEO)])
def test_a_player_of_our_own_upload_survives_with_its_controls_and_fallback_link(tag, src):
    html = f'<{tag} controls src="{src}"><a href="{src}">Listen</a></{tag}>'
    assert rendering.sanitize(html) == html
    assert rendering.render(f"Before\n\n{html}\n\nAfter") == f"<p>Before</p>\n<p>{html}</p>\n<p>After</p>"


@pytest.mark.parametrize("html, expected", [
    ('<audio controls src="https://elsewhere.example/a.mp3"><a href="https://elsewhere.example/a.mp3">Listen</a>'
     "</audio>", '<a href="https://elsewhere.example/a.mp3">Listen</a>'),
    ('<video controls src="//elsewhere.example/uploads/0123456789abcdef0123456789abcdef.mp4">Watch</video>', "Watch"),
    ('<audio controls src="/uploads/0123456789abcdef0123456789abcdef.jpg">an image is no sound</audio>',
     "an image is no sound"),
    ("<video controls>no source</video>", "no source"),
    (f'<video controls src="{OUR_VIDEO}" autoplay loop muted poster="https://tracker.example/p.gif" '
     f'onplay="alert(1)" crossorigin="use-credentials">x</video>', f'<video controls src="{OUR_VIDEO}">x</video>'),
    (f'<audio controls src="{OUR_AUDIO}"><video controls src="{OUR_VIDEO}">x</video></audio>',
     f'<audio controls src="{OUR_AUDIO}">x</audio>'),  # a player inside a player is unwrapped
    (f'<p><a href="/x"><audio controls src="{OUR_AUDIO}">x</audio></a></p>', '<p><a href="/x">x</a></p>'),
    (f'<audio controls src="{OUR_AUDIO}"><source src="https://elsewhere.example/a.mp3">x</audio>',
     f'<audio controls src="{OUR_AUDIO}"><source>x</audio>'),
], ids=["other-site", "other-site-same-path", "image", "no-source", "extra-attributes", "nested", "in-link",
        "other-source"])
def test_a_player_of_anything_else_goes_and_what_it_held_stays(html, expected):
    assert rendering.sanitize(html) == expected
    assert rendering.sanitize(expected) == expected

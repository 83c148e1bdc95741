"""What a browser would run in a piece of HTML, found by parsing it the way a browser does (html5lib)."""

from __future__ import annotations

import json
import re
from pathlib import Path

import html5lib

VECTORS_FILE = Path(__file__).parent / "data" / "xss_vectors.txt"
ESCAPES = {"{TAB}": "\t", "{NL}": "\n", "{CR}": "\r", "{NUL}": "\0", "{FF}": "\f"}
SAFE_SCHEMES = frozenset({"http", "https", "mailto", "tel"})
#: Attributes a browser loads or navigates to.
URL_ATTRIBUTES = frozenset({
    "href", "src", "action", "formaction", "data", "codebase", "background", "poster", "cite", "longdesc",
    "dynsrc", "lowsrc", "ping", "srcdoc", "to", "values", "from", "by",
})
#: Elements that run, load or submit something, or change how the page is read; none belongs in content.
ACTIVE_ELEMENTS = frozenset({
    "script", "iframe", "frame", "frameset", "object", "embed", "applet", "form", "input", "button",
    "textarea", "select", "meta", "base", "link", "style", "svg", "math", "portal", "template", "noscript",
    "isindex", "keygen", "xml", "import", "use", "animate", "set", "foreignobject", "bgsound",
})
_STYLE_DANGER = re.compile(r"expression|url\s*\(|javascript|vbscript|behavior|binding|@import|\\", re.IGNORECASE)
_SCHEME = re.compile(r"([a-zA-Z][a-zA-Z0-9+.-]*):")
_C0_AND_SPACE = "".join(map(chr, range(0x21)))


def load_vectors() -> dict[str, list[str]]:
    """Return the vectors of tests/data/xss_vectors.txt by class, escapes replaced."""
    classes: dict[str, list[str]] = {}
    current = None
    for line in VECTORS_FILE.read_text(encoding="utf-8").splitlines():
        if line.startswith("# class:"):
            current = classes.setdefault(line.removeprefix("# class:").strip(), [])
        elif line.strip() and not line.startswith("#"):
            assert current is not None, f"vector before any class: {line!r}"
            vector = line
            for escape, character in ESCAPES.items():
                vector = vector.replace(escape, character)
            current.append(vector)
    return classes


def url_scheme(value: str) -> str | None:
    """The scheme a browser's URL parser finds in an attribute value, lowercased; None for a relative URL."""
    value = re.sub(r"[\t\n\r]", "", value.strip(_C0_AND_SPACE))
    match = _SCHEME.match(value)
    return match.group(1).lower() if match else None


def elements(html: str):
    """Every element of `html` parsed as a fragment, with its name and attribute names without namespaces."""
    fragment = html5lib.parseFragment(html, namespaceHTMLElements=False)
    for element in fragment.iter():
        if element is not fragment and isinstance(element.tag, str):
            yield _local(element.tag).lower(), {_local(name).lower(): value for name, value in element.attrib.items()}


def dangers(html: str) -> list[str]:
    """Return what in `html` could run script, load active content or leave the site's control; [] when safe."""
    found = []
    for tag, attributes in elements(html):
        if tag in ACTIVE_ELEMENTS:
            found.append(f"<{tag}> element")
        found += _attribute_dangers(tag, attributes)
        found += [f"{name}={value!r} on <{tag}>" for name, value in attributes.items()
                  if name == "srcset" or (name == "style" and _STYLE_DANGER.search(value))]
    return found


def _local(name: str) -> str:
    return name.rsplit("}", 1)[-1]


def page_dangers(html: str) -> list[str]:
    """Return what in a whole page could run a script that is not one of the site's own static files."""
    found = []
    for element in html5lib.parse(html, namespaceHTMLElements=False).iter():
        if not isinstance(element.tag, str):
            continue
        tag = _local(element.tag).lower()
        attributes = {_local(name).lower(): value for name, value in element.attrib.items()}
        if tag == "script" and attributes.get("type") == "application/ld+json":
            found += _structured_data_dangers(element.text or "")
        elif tag == "script" and ((element.text or "").strip() or not attributes.get("src", "").startswith("/static/")):
            found.append("a script that is not a static file of the site")
        if tag in ("iframe", "frame", "object", "embed", "applet", "base"):
            found.append(f"<{tag}> element")
        found += _attribute_dangers(tag, attributes)
    return found


def _structured_data_dangers(text: str) -> list[str]:
    """JSON-LD is data, not code, as long as it is valid JSON with no markup that could close the element."""
    try:
        json.loads(text)
    except ValueError:
        return ["JSON-LD that is not valid JSON"]
    return ["markup inside JSON-LD"] if "<" in text else []


def _attribute_dangers(tag: str, attributes: dict[str, str]) -> list[str]:
    found = []
    for name, value in attributes.items():
        if name.startswith("on"):
            found.append(f"{name} handler on <{tag}>")
        elif name in URL_ATTRIBUTES and url_scheme(value) not in (None, *SAFE_SCHEMES):
            found.append(f"{url_scheme(value)}: URL in {name} of <{tag}>")
    return found

"""Reading a WordPress export (WXR 1.1/1.2) into documents the Markdown import writes.

The XML is parsed with defusedxml and no DTD at all, so neither an entity bomb nor an external entity is ever
expanded or read. Post HTML goes through the editor's sanitizer, then becomes Markdown block by block where the
Markdown renders to the same HTML; a block Markdown cannot say (an image with its size, a figure) stays HTML.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, datetime
from html import unescape
from urllib.parse import unquote, urlsplit
from xml.etree.ElementTree import Element

import defusedxml.ElementTree as SafeXML
from bs4 import BeautifulSoup, Tag as HTMLTag
from bs4.element import PageElement
from defusedxml import DefusedXmlException, DTDForbidden
from markdownify import markdownify

from cms.core import clock, numbers, rendering
from cms.core.documents import Batch, Document, Report, SeriesInfo, plural
from cms.core.errors import InvalidInput
from cms.core.slugs import slugify
from cms.core.workflow import Status

MAX_BYTES = 64 * 1024 * 1024
_WP_NAMESPACE = re.compile(r"\{(http://wordpress\.org/export/1\.[0-9]/)\}wxr_version")
_CONTENT = "{http://purl.org/rss/1.0/modules/content/}encoded"
_EXCERPT = re.compile(r"\{http://wordpress\.org/export/1\.[0-9]/excerpt/\}encoded")
_CREATOR = "{http://purl.org/dc/elements/1.1/}creator"

#: WordPress statuses of posts, as DESIGN.md maps them; a post in any other status is skipped.
STATUSES = {"publish": Status.PUBLISHED, "future": Status.SCHEDULED, "draft": Status.DRAFT,
            "private": Status.DRAFT, "pending": Status.REVIEW}
#: What is skipped rather than imported, by post type; other unknown types are skipped by their name.
SKIPPED_TYPES = {"attachment": "attachment", "nav_menu_item": "menu item", "revision": "revision"}
_NO_DATE = "0000-00-00 00:00:00"


def read(data: bytes, *, source: str, zone: str, max_bytes: int = MAX_BYTES) -> Batch:
    """Return the articles, pages and series a WXR file holds, with what it skips counted.

    Raises InvalidInput, in one sentence naming `source`, for anything that is not a readable WordPress export.
    """
    channel, wp = _channel(data, source=source, max_bytes=max_bytes)
    report = Report()
    authors = {_text(author, wp + "author_login"): _text(author, wp + "author_email")
               for author in channel.findall(wp + "author")}
    series: dict[str, SeriesInfo] = {}
    for term in channel.findall(wp + "term"):
        if _text(term, wp + "term_taxonomy") == "series":
            name = _plain(_text(term, wp + "term_name"))
            slug = slugify(unquote(_text(term, wp + "term_slug")) or name)
            series[slug] = SeriesInfo(title=name, slug=slug,
                                      description=_plain(_text(term, wp + "term_description")))
    documents: list[tuple[tuple[bool, datetime, int], Document]] = []
    conversion = _Conversion(report)
    for number, item in enumerate(channel.findall("item"), 1):
        where = f"{source}, item {number}"
        comments = len(item.findall(wp + "comment"))
        report.skip("comment", comments)
        post_type, status = _text(item, wp + "post_type"), _text(item, wp + "status")
        if post_type not in ("post", "page"):
            report.skip(SKIPPED_TYPES.get(post_type, f"{post_type or 'untyped'} item"))
            continue
        if status == "trash":
            report.skip(f"trashed {post_type}")
            continue
        if status not in STATUSES:
            report.skip(f"{post_type} with status {status or 'none'}")
            continue
        document = _document(item, wp, where=where, zone=zone, authors=authors, series=series,
                             conversion=conversion)
        if document.status is not STATUSES[status]:
            report.note(f"“{document.title}” is password-protected in WordPress, so it was imported as a draft.")
        order = (document.series_part is None, document.publish_at or datetime.max.replace(tzinfo=UTC), number)
        documents.append((order, document))
    conversion.summarize()
    documents.sort(key=lambda pair: pair[0])  # numbered parts first, then the rest by date, so parts follow
    return Batch(source=source, documents=[document for _, document in documents],
                 series=sorted(series.values(), key=lambda info: info.slug), report=report)


def _channel(data: bytes, *, source: str, max_bytes: int) -> tuple[Element, str]:
    """Parse safely and return the <channel> and the WordPress namespace, or refuse in one sentence."""
    if len(data) > max_bytes:
        raise InvalidInput(f"{source} is {_megabytes(len(data))}, more than the {_megabytes(max_bytes)} "
                           "an import accepts.")
    if b"\x00" in data[:4096]:
        raise InvalidInput(f"{source} is binary data, not a WordPress export (WXR).")
    try:
        root = SafeXML.fromstring(data, forbid_dtd=True)
    except DTDForbidden:
        raise InvalidInput(f"{source} declares a DTD, which a WordPress export never does, "
                           "so it was refused unread.") from None
    except DefusedXmlException:
        raise InvalidInput(f"{source} declares XML entities, which a WordPress export never does, "
                           "so it was refused unread.") from None
    except SafeXML.ParseError as error:
        line, column = error.position
        raise InvalidInput(f"{source} is not well-formed XML at line {line}, column {column + 1} "
                           "(it may be truncated).") from None
    channel = root.find("channel") if root.tag == "rss" else None
    match = next((m for element in (channel if channel is not None else [])
                  if (m := _WP_NAMESPACE.fullmatch(element.tag))), None)
    if channel is None or match is None:
        raise InvalidInput(f"{source} is XML but not a WordPress export (WXR): it has no "
                           "<rss><channel> with a wp:wxr_version.")
    return channel, "{" + match[1] + "}"


def _document(item: Element, wp: str, *, where: str, zone: str, authors: dict[str, str],
              series: dict[str, SeriesInfo], conversion: _Conversion) -> Document:
    title = _plain(_text(item, "title")) or "Untitled"
    where = f"{where} “{title}”"
    post_type, status = _text(item, wp + "post_type"), STATUSES[_text(item, wp + "status")]
    if _text(item, wp + "post_password"):
        status = Status.DRAFT
    html = _text(item, _CONTENT)
    body, teaser = conversion.convert(html, title=title)
    excerpt = next((element.text or "" for element in item if _EXCERPT.fullmatch(element.tag)), "")
    summary = _plain(excerpt) or (rendering.plain_text(rendering.render(teaser)) if teaser else "")
    tags, series_slug = [], None
    for category in item.findall("category"):
        domain, nicename = category.get("domain"), unquote(category.get("nicename") or "")
        name = _plain(category.text or "")
        if domain == "post_tag" or (domain == "category" and nicename != "uncategorized"):
            tags.append(name)
        elif domain == "series" and name:
            series_slug = slugify(nicename or name)
            series.setdefault(series_slug, SeriesInfo(title=name, slug=series_slug))
    part = _meta(item, wp, "_series_part")
    if post_type == "page":  # a page is published or not
        status = Status.PUBLISHED if status is Status.PUBLISHED else Status.DRAFT
    return Document(
        kind="page" if post_type == "page" else "article", title=title, body=body,
        slug=unquote(_text(item, wp + "post_name")), status=status,
        publish_at=_published(item, wp, zone, where) if status in (Status.PUBLISHED, Status.SCHEDULED) else None,
        tags=tags if post_type == "post" else [], series=series_slug if post_type == "post" else None,
        series_part=_part(part, where) if series_slug and post_type == "post" else None,
        summary=summary if post_type == "post" else "",
        source_key=_source_key(item, wp), author_email=authors.get(_text(item, _CREATOR)) or None,
        old_paths=_old_paths(_text(item, "link")), where=where,
    )


def _published(item: Element, wp: str, zone: str, where: str) -> datetime:
    """The GMT date, else the local one read in the site's zone (WordPress leaves GMT empty on some posts)."""
    gmt, local = _text(item, wp + "post_date_gmt"), _text(item, wp + "post_date")
    try:
        if gmt and gmt != _NO_DATE:
            return clock.check_range(datetime.fromisoformat(gmt)).replace(tzinfo=UTC)
        return clock.to_utc(clock.check_range(datetime.fromisoformat(local)), zone)
    except InvalidInput as error:
        raise InvalidInput(f"{where}: {error}") from None
    except ValueError:
        raise InvalidInput(f"{where}: the date {gmt or local!r} is not a date and time.") from None


def _source_key(item: Element, wp: str) -> str:
    """What identifies the post across exports of the same WordPress site: its guid, else its id."""
    return "wordpress:" + (_text(item, "guid") or f"post-{_text(item, wp + 'post_id')}")[:480]


def _old_paths(link: str) -> list[str]:
    path = unquote(urlsplit(link).path) if link else ""
    return [path] if path.strip("/") else []  # `?p=12` links of drafts have no path worth keeping


def _meta(item: Element, wp: str, key: str) -> str:
    for meta in item.findall(wp + "postmeta"):
        if _text(meta, wp + "meta_key") == key:
            return _text(meta, wp + "meta_value")
    return ""


def _part(value: str, where: str) -> int | None:
    if not value:
        return None
    part = numbers.whole(value)
    if part is None or part < 1:
        raise InvalidInput(f"{where}: the series part {value!r} is not a whole number of 1 or more.")
    return part


def _text(element: Element, tag: str) -> str:
    found = element.find(tag)
    return (found.text or "").strip() if found is not None else ""


def _plain(text: str) -> str:
    """Titles and terms as WordPress stores them may hold entities and tags; readers saw neither."""
    return " ".join(unescape(re.sub(r"<[^>]*>", "", text)).split())


def _megabytes(size: int) -> str:
    return f"{size / 1024 / 1024:.1f} MB"


# Post content: Gutenberg comments, shortcodes, paragraphs, then Markdown where it is faithful.

_BLOCK_COMMENT = re.compile(r"<!--\s*/?wp:.*?-->", re.DOTALL)
_MORE = re.compile(r"<!--more(.*?)?-->", re.IGNORECASE)
_NEXTPAGE = re.compile(r"<!--nextpage-->", re.IGNORECASE)
_SHORTCODE = re.compile(
    r"\[(\[?)([A-Za-z][\w-]*)((?:\s+[^\]]*?)?)(/?)\](?:(.*?)\[/\2\])?(\]?)", re.DOTALL)
_STANDALONE_SHORTCODE = re.compile(r"<p>\s*(\[([A-Za-z][\w-]*)[^\]]*\](?:.*?\[/\2\])?)\s*</p>", re.DOTALL)
_EDGE_BREAKS = re.compile(r"(<p>)(?:\s*<br\s*/?>)+\s*|\s*(?:<br\s*/?>\s*)+(</p>)", re.IGNORECASE)
_CAPTIONED = re.compile(r"^\s*((?:<a\b[^>]*>\s*)?<img\b[^>]*>(?:\s*</a>)?)(.*)$", re.DOTALL | re.IGNORECASE)
_ATTRIBUTE = re.compile(r"""([\w-]+)\s*=\s*(?:"([^"]*)"|'([^']*)'|(\S+))""")
#: Shortcodes that WordPress itself defines; any other bracketed word counts as one only with attributes,
#: a closing tag or a self-closing slash, so "[sic]" in prose stays prose.
_CORE_SHORTCODES = {"caption", "wp_caption", "gallery", "audio", "video", "playlist", "embed"}
_BLOCKS = (r"(?:table|thead|tfoot|caption|col|colgroup|tbody|tr|td|th|div|dl|dd|dt|ul|ol|li|pre|form|"
           r"blockquote|address|math|style|p|h[1-6]|hr|fieldset|legend|section|article|aside|hgroup|header|"
           r"footer|nav|figure|figcaption|details|menu|summary)")
_PRE = re.compile(r"<pre\b.*?</pre>", re.DOTALL | re.IGNORECASE)
_INLINE_MARKS = str.maketrans({"“": '"', "”": '"', "‘": "'", "’": "'", "–": "-", "—": "-", "…": "..."})


@dataclass
class _Conversion:
    """Converts post bodies and remembers, for the report, what it removed or could not turn into Markdown."""

    report: Report
    shortcodes: dict[str, list[str]] = field(default_factory=lambda: defaultdict(list))
    html_blocks: int = 0
    html_items: int = 0

    def convert(self, html: str, *, title: str) -> tuple[str, str]:
        """Return the Markdown body of a post and the teaser before its <!--more-->, if any."""
        has_blocks = "<!-- wp:" in html
        html = _BLOCK_COMMENT.sub("", html.replace("\r\n", "\n"))
        if not has_blocks:  # WordPress adds paragraphs to classic posts only, before it runs shortcodes
            html = _STANDALONE_SHORTCODE.sub(r"\1", autop(html))
        html = _EDGE_BREAKS.sub(lambda match: match[1] or match[2], self._shortcodes(html, title))
        teaser = _MORE.split(html, maxsplit=1)[0] if _MORE.search(html) else ""
        html = _NEXTPAGE.sub("", _MORE.sub("", html))
        body, kept = to_markdown(rendering.sanitize(html))
        if kept:
            self.html_blocks += kept
            self.html_items += 1
        return body, teaser

    def _shortcodes(self, html: str, title: str) -> str:
        def replace(match: re.Match[str]) -> str:
            escaped, name, attributes, closing, inner, escaped_end = match.groups()
            if escaped and escaped_end:
                return match.group(0)[1:-1]  # [[gallery]] is how WordPress writes a literal [gallery]
            if name not in _CORE_SHORTCODES and "=" not in attributes and not closing and inner is None:
                return match.group(0)
            if name in ("caption", "wp_caption"):
                return _figure(inner or "", _attributes(attributes).get("caption", ""))
            self.shortcodes[name].append(title)
            return escaped + (inner or "") + escaped_end
        return _SHORTCODE.sub(replace, html)

    def summarize(self) -> None:
        for name, titles in sorted(self.shortcodes.items()):
            unique = list(dict.fromkeys(titles))
            shown = ", ".join(f"“{title}”" for title in unique[:3]) + (" …" if len(unique) > 3 else "")
            self.report.note(f"Removed the unknown shortcode [{name}] from {plural(len(unique), 'item')}: "
                             f"{shown}.")
        if self.html_blocks:
            self.report.note(f"Kept {plural(self.html_blocks, 'block')} as HTML in "
                             f"{plural(self.html_items, 'item')}, where Markdown would have changed them.")


def _attributes(text: str) -> dict[str, str]:
    return {match[1].lower(): next(value for value in match.groups()[1:] if value is not None)
            for match in _ATTRIBUTE.finditer(text or "")}


def _figure(inner: str, caption: str) -> str:
    """[caption]<img …> Words[/caption] as WordPress writes it, or with caption="Words"."""
    match = _CAPTIONED.match(inner)
    image, text = (match[1], match[2].strip()) if match else (inner.strip(), "")
    caption = text or unescape(caption)
    caption_html = f"<figcaption>{caption}</figcaption>" if caption else ""
    return f"<figure>{image}{caption_html}</figure>"


def autop(text: str) -> str:
    """Wrap the paragraphs of a classic WordPress post in <p> and its single line breaks in <br>, as wpautop."""
    if not text.strip():
        return ""
    kept: list[str] = []

    def keep(match: re.Match[str]) -> str:
        kept.append(match.group(0))
        return f"<pre data-kept=\"{len(kept) - 1}\"></pre>"

    text = _PRE.sub(keep, text.replace("\r\n", "\n"))
    text = re.sub(rf"(<{_BLOCKS}[\s/>])", r"\n\n\1", text, flags=re.IGNORECASE)
    text = re.sub(rf"(</{_BLOCKS}>)", r"\1\n\n", text, flags=re.IGNORECASE)
    chunks = [chunk.strip() for chunk in re.split(r"\n\s*\n", text) if chunk.strip()]
    html = "".join(f"<p>{chunk}</p>\n" for chunk in chunks)
    html = re.sub(r"<p><blockquote([^>]*)>", r"<blockquote\1><p>", html, flags=re.IGNORECASE)
    html = html.replace("</blockquote></p>", "</p></blockquote>")
    html = re.sub(rf"<p>\s*(</?{_BLOCKS}[^>]*>)", r"\1", html, flags=re.IGNORECASE)
    html = re.sub(rf"(</?{_BLOCKS}[^>]*>)\s*</p>", r"\1", html, flags=re.IGNORECASE)
    html = re.sub(r"(?<!<br>)\s*\n(?!$)", "<br>\n", html)
    html = re.sub(rf"(</?{_BLOCKS}[^>]*>)\s*<br>", r"\1", html, flags=re.IGNORECASE)
    html = re.sub(r"<br>(\s*</?(?:p|li|div|dl|dd|dt|th|pre|td|ul|ol)[^>]*>)", r"\1", html, flags=re.IGNORECASE)
    return re.sub(r"<pre data-kept=\"(\d+)\"></pre>", lambda match: kept[int(match[1])], html)


def to_markdown(html: str) -> tuple[str, int]:
    """Return Markdown that renders to `html` (sanitized), and how many blocks had to stay HTML.

    Each top-level block becomes Markdown only if Markdown renders it back to the same HTML; otherwise the
    block stays as an HTML block, which the renderer passes through its sanitizer unchanged.
    """
    if not html.strip():
        return "", 0
    parts, kept = [], 0
    for block in _top_level_blocks(html):
        markdown = markdownify(block, heading_style="ATX", bullets="-", newline_style="backslash",
                               escape_misc=False).strip()
        if markdown and _same(rendering.render(markdown), block):
            parts.append(markdown)
        else:
            parts.append(_html_block(block))
            kept += 1
    body = "\n\n".join(parts)
    if not _same(rendering.render(body), html):  # blocks that merge when joined: keep the whole as HTML
        return "\n".join(_html_block(block) for block in _top_level_blocks(html)), len(parts)
    return body, kept


def _top_level_blocks(html: str) -> list[str]:
    """The top-level elements of `html`; stray inline content between them is wrapped in a paragraph."""
    blocks, inline = [], ""
    for node in BeautifulSoup(html, "html.parser").contents:
        if isinstance(node, HTMLTag) and re.fullmatch(_BLOCKS, node.name):
            if inline.strip():
                blocks.append(f"<p>{inline.strip()}</p>")
            inline = ""
            if node.name != "p" or node.contents:  # what a removed element leaves: nothing to read
                blocks.append(str(node))
        else:
            inline += str(node) if isinstance(node, HTMLTag) else _escaped(node)
    if inline.strip():
        blocks.append(f"<p>{inline.strip()}</p>")
    return blocks


def _escaped(node: PageElement) -> str:
    return str(node).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _html_block(block: str) -> str:
    """One HTML block for Markdown: a blank line would end it and turn the rest into Markdown."""
    return block if "<pre" in block else re.sub(r"\n\s*\n", "\n", block)


def _same(first: str, second: str) -> bool:
    return _canonical(first) == _canonical(second)


def _canonical(html: str) -> str:
    """A form of `html` that ignores what readers cannot see: attribute order, layout whitespace, and the
    typographic quotes and dashes that both WordPress and our renderer put in on display."""
    out: list[str] = []

    def walk(node: HTMLTag) -> None:
        for child in node.children:
            if isinstance(child, HTMLTag):
                attributes = " ".join(f'{key}="{child[key]}"' for key in sorted(child.attrs))
                out.append(f"<{child.name} {attributes}>")
                walk(child)
                out.append(f"</{child.name}>")
            else:
                out.append(str(child))

    walk(BeautifulSoup(html, "html.parser"))
    text = " ".join("".join(out).translate(_INLINE_MARKS).split())
    return re.sub(rf"\s*(</?(?:{_BLOCKS}|br)\b[^>]*>)\s*", r"\1", text).replace("<p ></p>", "")

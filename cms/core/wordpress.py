"""Reading a WordPress export (WXR 1.1/1.2) into documents the Markdown import writes.

The XML is parsed with defusedxml and no DTD at all, so neither an entity bomb nor an external entity is ever
expanded or read. Post HTML goes through the editor's sanitizer, then becomes Markdown block by block where the
Markdown renders to the same HTML; a block Markdown cannot say (an image with its size, a figure) stays HTML.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from html import escape, unescape
from io import BytesIO
from pathlib import PurePosixPath
from urllib.parse import unquote, urlsplit
from xml.etree.ElementTree import Element

import defusedxml.ElementTree as SafeXML
from bs4 import BeautifulSoup, Tag as HTMLTag
from bs4.element import PageElement
from defusedxml import DefusedXmlException, DTDForbidden
from markdownify import markdownify

from cms.core import clock, media_files, numbers, rendering
from cms.core.documents import Batch, Document, Report, SeriesInfo, plural
from cms.core.errors import InvalidInput
from cms.core.numbers import file_size
from cms.core.slugs import slugify
from cms.core.workflow import Status

MAX_BYTES = 64 * 1024 * 1024
#: The namespaces a WXR file's prefixes stand for when it does not bind them, as WordPress's importer assumes.
#: Whatever URI a file binds to a prefix is the one read: WordPress.com and the Theme Unit Test data bind `wp`
#: to https://wordpress.org/export/1.2/.
DEFAULT_NAMESPACES = {"wp": "http://wordpress.org/export/1.1/", "excerpt": "http://wordpress.org/export/1.1/excerpt/",
                      "content": "http://purl.org/rss/1.0/modules/content/", "dc": "http://purl.org/dc/elements/1.1/"}
#: What WordPress accepts as a wxr_version; anything else is not a WXR file.
_VERSION = re.compile(r"[0-9]+\.[0-9]+")

#: WordPress statuses of posts, as DESIGN.md maps them; a post in any other status is skipped.
STATUSES = {"publish": Status.PUBLISHED, "future": Status.SCHEDULED, "draft": Status.DRAFT,
            "private": Status.DRAFT, "pending": Status.REVIEW}
#: What is skipped rather than imported, by post type; other unknown types are skipped by their name.
SKIPPED_TYPES = {"attachment": "attachment", "nav_menu_item": "menu item", "revision": "revision"}
_NO_DATE = "0000-00-00 00:00:00"


def read(data: bytes, *, source: str, zone: str, max_bytes: int = MAX_BYTES) -> Batch:
    """Return the articles, pages and series a WXR file holds, with what it skips counted.

    Raises InvalidInput, in one sentence naming `source`, for anything that is not a readable WordPress export,
    and for two items that claim to be the same post.
    """
    channel, names = _channel(data, source=source, max_bytes=max_bytes)
    wp = names.wp
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
    items = [(number, item) for number, item in enumerate(channel.findall("item"), 1)]
    wanted = [(number, item) for number, item in items if _is_imported(item, wp)]
    keys = _source_keys(wanted, wp, source=source, report=report)
    documents: list[tuple[tuple[bool, datetime, int], Document]] = []
    conversion = _Conversion(report, _attachments(items, wp))
    for number, item in items:
        report.skip("comment", len(item.findall(wp + "comment")))
        post_type, status = _text(item, wp + "post_type"), _text(item, wp + "status")
        if post_type not in ("post", "page"):
            report.skip(SKIPPED_TYPES.get(post_type, f"{post_type or 'untyped'} item"))
        elif status == "trash":
            report.skip(f"trashed {post_type}")
        elif status not in STATUSES:
            report.skip(f"{post_type} with status {status or 'none'}")
        else:
            document = _document(item, names, where=f"{source}, item {number}", zone=zone, authors=authors,
                                 series=series, conversion=conversion, source_key=keys[number])
            order = (document.series_part is None, document.publish_at or datetime.max.replace(tzinfo=UTC),
                     number)
            documents.append((order, document))
    conversion.summarize()
    _note_unused_terms(channel, [item for _, item in wanted], wp, report)
    documents.sort(key=lambda pair: pair[0])  # numbered parts first, then the rest by date, so parts follow
    return Batch(source=source, documents=[document for _, document in documents],
                 series=sorted(series.values(), key=lambda info: info.slug), report=report,
                 old_sites=_old_sites(channel, wp))


@dataclass(frozen=True)
class _Names:
    """The tags of one file, in the namespaces its prefixes are bound to."""

    wp: str
    content: str
    excerpt: str
    creator: str


def _channel(data: bytes, *, source: str, max_bytes: int) -> tuple[Element, _Names]:
    """Parse safely and return the <channel> and the file's namespaces, or refuse in one sentence."""
    if len(data) > max_bytes:
        raise InvalidInput(f"{source} is {file_size(len(data))}, more than the {file_size(max_bytes)} "
                           "an import accepts.")
    if b"\x00" in data[:4096]:
        raise InvalidInput(f"{source} is binary data, not a WordPress export (WXR).")
    bound: dict[str, str] = {}
    try:
        parsing = SafeXML.iterparse(BytesIO(data), events=("start-ns",), forbid_dtd=True)
        for _, (prefix, uri) in parsing:
            bound.setdefault(prefix, uri)  # the outermost binding, which the channel's tags use
        root = parsing.root  # type: ignore[attr-defined]  # set once parsing ends; typeshed omits it
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
    namespaces = {prefix: "{" + bound.get(prefix, uri) + "}" for prefix, uri in DEFAULT_NAMESPACES.items()}
    names = _Names(wp=namespaces["wp"], content=namespaces["content"] + "encoded",
                   excerpt=namespaces["excerpt"] + "encoded", creator=namespaces["dc"] + "creator")
    channel = root.find("channel") if root is not None and root.tag == "rss" else None
    version = channel.find(names.wp + "wxr_version") if channel is not None else None
    if channel is None or version is None:
        raise InvalidInput(f"{source} is XML but not a WordPress export (WXR): it has no "
                           "<rss><channel> with a wp:wxr_version.")
    if not _VERSION.fullmatch((version.text or "").strip()):
        raise InvalidInput(f"{source} is not a WordPress export (WXR): its wp:wxr_version "
                           f"{(version.text or '').strip()[:20]!r} is not a version number such as 1.2.")
    return channel, names


def _is_imported(item: Element, wp: str) -> bool:
    return (_text(item, wp + "post_type") in ("post", "page")
            and _text(item, wp + "status") in STATUSES)


def _source_keys(items: list[tuple[int, Element]], wp: str, *, source: str, report: Report) -> dict[int, str]:
    """What identifies each post across exports of the same site: its guid, else its id.

    Two items of one file are never the same post: where they share a guid, each is told apart by its post id
    (and the report says so); items that share both cannot be told apart, and the file is refused.
    """
    guids = Counter(_text(item, "guid") for _, item in items)
    keys: dict[int, str] = {}
    numbers: dict[str, int] = {}
    for number, item in items:
        guid, post_id = _text(item, "guid"), _text(item, wp + "post_id")
        key = guid or f"post-{post_id}"
        if guid and guids[guid] > 1:
            key = f"{guid}#post-{post_id}"
        key = "wordpress:" + key[:480]
        if key in numbers:
            raise InvalidInput(f"{source}: items {numbers[key]} and {number} have the same guid and post id, "
                               "so they cannot be told apart; remove one of them and import again.")
        numbers[key] = number
    for guid, count in sorted(guids.items()):
        if guid and count > 1:
            *others, last = [str(number) for number, item in items if _text(item, "guid") == guid]
            shown = f"{', '.join(others)} and {last}"
            report.note(f"Items {shown} share the guid {guid}; they were told apart by their post ids and "
                        f"imported as {count} separate items.")
    for key, number in numbers.items():
        keys[number] = key
    return keys


def _attachments(items: list[tuple[int, Element]], wp: str) -> dict[str, _Attachment]:
    """The files the export lists (images, audio, video), by their post id, for galleries and players."""
    found = {}
    for _, item in items:
        url = _text(item, wp + "attachment_url")
        if _text(item, wp + "post_type") == "attachment" and url:
            order = numbers.whole(_text(item, wp + "menu_order") or "0") or 0
            found[_text(item, wp + "post_id")] = _Attachment(
                url=url, parent=_text(item, wp + "post_parent"), order=order,
                alt=_plain(_meta(item, wp, "_wp_attachment_image_alt")))
    return found


def _note_unused_terms(channel: Element, items: list[Element], wp: str, report: Report) -> None:
    """Categories and tags become tags only with the articles that carry them: a tag without articles would be
    an empty page here. The report says how many the file defines that no imported post uses."""
    used = {(category.get("domain"), unquote(category.get("nicename") or ""))
            for item in items for category in item.findall("category")}
    defined = {("category", unquote(_text(term, wp + "category_nicename")))
               for term in channel.findall(wp + "category")}
    defined |= {("post_tag", unquote(_text(term, wp + "tag_slug"))) for term in channel.findall(wp + "tag")}
    defined |= {(_text(term, wp + "term_taxonomy"), unquote(_text(term, wp + "term_slug")))
                for term in channel.findall(wp + "term")
                if _text(term, wp + "term_taxonomy") in ("category", "post_tag")}
    unused = Counter(domain for domain, slug in defined - used if slug and slug != "uncategorized")
    if unused:
        counted = " and ".join(f"{number} {word if number == 1 else words}" for number, word, words in (
            (unused["category"], "category", "categories"), (unused["post_tag"], "tag", "tags")) if number)
        report.note(f"{counted} without articles in this file were not imported: here a tag exists through "
                    "the articles that carry it.")


def _old_sites(channel: Element, wp: str) -> list[str]:
    """The old site's addresses, under which its uploads are found."""
    sites = [_text(channel, wp + "base_site_url"), _text(channel, wp + "base_blog_url"), _text(channel, "link")]
    return list(dict.fromkeys(site.rstrip("/") for site in sites if urlsplit(site).scheme in ("http", "https")))


def _document(item: Element, names: _Names, *, where: str, zone: str, authors: dict[str, str],
              series: dict[str, SeriesInfo], conversion: _Conversion, source_key: str) -> Document:
    wp = names.wp
    title = _plain(_text(item, "title")) or "Untitled"
    where = f"{where} “{title}”"
    post_type, status = _text(item, wp + "post_type"), STATUSES[_text(item, wp + "status")]
    report = conversion.report
    if _text(item, wp + "post_password"):
        status = Status.DRAFT
        report.note(f"“{title}” is password-protected in WordPress, so it was imported as a draft.")
    html = _text(item, names.content)
    body, teaser = conversion.convert(html, title=title, post_id=_text(item, wp + "post_id"))
    summary = _plain(_text(item, names.excerpt)) or (
        rendering.plain_text(rendering.render(teaser)) if teaser else "")
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
    publish_at = _published(item, wp, zone, where) if status in (Status.PUBLISHED, Status.SCHEDULED) else None
    if publish_at is None and status is Status.SCHEDULED:
        status = Status.DRAFT
        report.note(f"“{title}” is scheduled in WordPress but has no date, so it was imported as a draft.")
    elif publish_at is None and status is Status.PUBLISHED and post_type == "post":
        report.note(f"“{title}” has no date in the export, so it is dated at its first import.")
    return Document(
        kind="page" if post_type == "page" else "article", title=title, body=body,
        slug=unquote(_text(item, wp + "post_name")), status=status, publish_at=publish_at,
        tags=tags if post_type == "post" else [], series=series_slug if post_type == "post" else None,
        series_part=_part(part, where) if series_slug and post_type == "post" else None,
        summary=summary if post_type == "post" else "",
        source_key=source_key, author_email=authors.get(_text(item, names.creator)) or None,
        old_paths=_old_paths(_text(item, "link")), where=where,
    )


def _published(item: Element, wp: str, zone: str, where: str) -> datetime | None:
    """The GMT date, else the local one read in the site's zone (WordPress leaves GMT empty or zero on some
    posts), else None: a post without any date is not a broken file."""
    gmt, local = _text(item, wp + "post_date_gmt"), _text(item, wp + "post_date")
    try:
        if gmt and gmt != _NO_DATE:
            return clock.check_range(datetime.fromisoformat(gmt)).replace(tzinfo=UTC)
        if local and local != _NO_DATE:
            return clock.to_utc(clock.check_range(datetime.fromisoformat(local)), zone)
        return None
    except InvalidInput as error:
        raise InvalidInput(f"{where}: {error}") from None
    except ValueError:
        raise InvalidInput(f"{where}: the date {gmt or local!r} is not a date and time.") from None



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


# Post content: Gutenberg comments, shortcodes, paragraphs, then Markdown where it is faithful.

_BLOCK_COMMENT = re.compile(r"<!--\s*/?wp:.*?-->", re.DOTALL)
_MORE = re.compile(r"<!--more(.*?)?-->", re.IGNORECASE)
_NEXTPAGE = re.compile(r"<!--nextpage-->", re.IGNORECASE)
_SHORTCODE = re.compile(
    r"\[(\[?)([A-Za-z][\w-]*)((?:\s+[^\]]*?)?)(/?)\](?:(.*?)\[/\2\])?(\]?)", re.DOTALL)
_STANDALONE_SHORTCODE = re.compile(r"<p>\s*(\[([A-Za-z][\w-]*)[^\]]*\](?:.*?\[/\2\])?)\s*</p>", re.DOTALL)
#: Line breaks at the edge of a paragraph, or beside a figure a shortcode put inside one: nothing to read.
_EDGE_BREAKS = re.compile(r"(<p>|</figure>)(?:\s*<br\s*/?>)+\s*|\s*(?:<br\s*/?>\s*)+(</p>|<figure>)",
                          re.IGNORECASE)
_CAPTIONED = re.compile(r"^\s*((?:<a\b[^>]*>\s*)?<img\b[^>]*>(?:\s*</a>)?)(.*)$", re.DOTALL | re.IGNORECASE)
_ATTRIBUTE = re.compile(r"""([\w-]+)\s*=\s*(?:"([^"]*)"|'([^']*)'|(\S+))""")
#: An <audio> or <video> of a post, alone or in the figure of WordPress's block, with the block's caption.
_PLAYER = re.compile(
    r"(?:<figure\b[^>]*>\s*)?<(?P<name>audio|video)\b(?P<attributes>[^>]*)>(?P<inner>.*?)</(?P=name)\s*>"
    r"(?:\s*<figcaption\b[^>]*>(?P<caption>.*?)</figcaption>\s*</figure>|\s*</figure>)?",
    re.DOTALL | re.IGNORECASE)
_SOURCE = re.compile(r"<source\b([^>]*)>", re.IGNORECASE)
#: Shortcodes that WordPress itself defines; any other bracketed word counts as one only with attributes,
#: a closing tag or a self-closing slash, so "[sic]" in prose stays prose.
_CORE_SHORTCODES = {"caption", "wp_caption", "gallery", "audio", "video", "playlist", "embed"}
_BLOCKS = (r"(?:table|thead|tfoot|caption|col|colgroup|tbody|tr|td|th|div|dl|dd|dt|ul|ol|li|pre|form|"
           r"blockquote|address|math|style|p|h[1-6]|hr|fieldset|legend|section|article|aside|hgroup|header|"
           r"footer|nav|figure|figcaption|details|menu|summary)")
_PRE = re.compile(r"<pre\b.*?</pre>", re.DOTALL | re.IGNORECASE)
_INLINE_MARKS = str.maketrans({"“": '"', "”": '"', "‘": "'", "’": "'", "–": "-", "—": "-", "…": "..."})


#: What a file's extension says it holds, for [audio], [video] and galleries.
AUDIO = ("mp3", "m4a", "ogg", "oga", "wav", "flac")
VIDEO = ("mp4", "m4v", "webm", "ogv", "mov")
IMAGES = ("jpg", "jpeg", "png", "gif", "webp")


@dataclass(frozen=True)
class _Attachment:
    """A file the export lists as an attachment: what galleries and players point at by post id."""

    url: str
    parent: str  # the post id it was uploaded to
    order: int
    alt: str

    @property
    def extension(self) -> str:
        return _extension(self.url)


def _extension(url: str) -> str:
    return PurePosixPath(urlsplit(url).path).suffix.lower().lstrip(".")


@dataclass
class _Conversion:
    """Converts post bodies and remembers, for the report, what it removed or could not turn into Markdown."""

    report: Report
    attachments: Mapping[str, _Attachment] = field(default_factory=dict)
    shortcodes: dict[str, list[str]] = field(default_factory=lambda: defaultdict(list))
    linked: dict[str, list[str]] = field(default_factory=lambda: defaultdict(list))  # audio, video: titles
    missing: dict[str, int] = field(default_factory=lambda: defaultdict(int))  # gallery images not listed
    html_blocks: int = 0
    html_items: int = 0

    def convert(self, html: str, *, title: str, post_id: str = "") -> tuple[str, str]:
        """Return the Markdown body of a post and the teaser before its <!--more-->, if any."""
        has_blocks = "<!-- wp:" in html
        html = _BLOCK_COMMENT.sub("", html.replace("\r\n", "\n"))
        if not has_blocks:  # WordPress adds paragraphs to classic posts only, before it runs shortcodes
            html = _STANDALONE_SHORTCODE.sub(r"\1", autop(html))
        html = self._players(self._shortcodes(html, title, post_id), title, post_id)
        html = _EDGE_BREAKS.sub(lambda match: match[1] or match[2], html)
        teaser = _MORE.split(html, maxsplit=1)[0] if _MORE.search(html) else ""
        html = _NEXTPAGE.sub("", _MORE.sub("", html))
        body, kept = to_markdown(rendering.sanitize(html))
        if kept:
            self.html_blocks += kept
            self.html_items += 1
        return body, teaser

    def _shortcodes(self, html: str, title: str, post_id: str) -> str:
        def replace(match: re.Match[str]) -> str:
            escaped, name, attributes, closing, inner, escaped_end = match.groups()
            if escaped and escaped_end:
                return match.group(0)[1:-1]  # [[gallery]] is how WordPress writes a literal [gallery]
            if name not in _CORE_SHORTCODES and "=" not in attributes and not closing and inner is None:
                return match.group(0)
            if name in ("caption", "wp_caption"):
                return _figure(inner or "", _attributes(attributes).get("caption", ""))
            if name == "gallery" and (gallery := self._gallery(_attributes(attributes), title, post_id)):
                return gallery
            if name in ("audio", "video") and (link := self._link(name, _attributes(attributes), title, post_id)):
                return link
            self.shortcodes[name].append(title)
            return escaped + (inner or "") + escaped_end
        return _SHORTCODE.sub(replace, html)

    def _players(self, html: str, title: str, post_id: str) -> str:
        """<audio> and <video> elements as WordPress's blocks write them (in a figure, with a caption): the same
        link as their shortcodes, the caption a paragraph after it; a player of no web address is left to the
        sanitizer, which keeps what it held."""
        def replace(match: re.Match[str]) -> str:
            source = _SOURCE.search(match["inner"])
            attributes = _attributes(match["attributes"])
            if not attributes.get("src") and source:
                attributes["src"] = _attributes(source[1]).get("src", "")
            link = self._link(match["name"].lower(), attributes, title, post_id) if attributes.get("src") else ""
            if not link:
                return match[0]
            return link + (f"<p>{match['caption'].strip()}</p>" if (match["caption"] or "").strip() else "")
        return _PLAYER.sub(replace, html)

    def _gallery(self, attributes: dict[str, str], title: str, post_id: str) -> str:
        """[gallery ids="…"], or a bare [gallery] of the images uploaded to the post: a figure of its images,
        which the site shows as a grid. Images the export does not list are counted for the report."""
        ids = [part.strip() for part in (attributes.get("ids") or attributes.get("include") or "").split(",")]
        chosen = [part for part in ids if part]
        if not chosen:
            children = sorted(((attachment.order, number, key) for key, attachment in self.attachments.items()
                               if attachment.parent == post_id and (number := numbers.whole(key)) is not None))
            chosen = [key for _, _, key in children]
        excluded = {part.strip() for part in attributes.get("exclude", "").split(",")}
        found = [self.attachments[key] for key in chosen if key in self.attachments and key not in excluded
                 and self.attachments[key].extension in IMAGES]
        self.missing[title] += len([key for key in chosen if key not in self.attachments])
        if not found:
            return ""
        shown = "".join(f'<img src="{escape(image.url)}" alt="{escape(image.alt)}">' for image in found)
        return f"<figure>{shown}</figure>"

    def _link(self, name: str, attributes: dict[str, str], title: str, post_id: str) -> str:
        """[audio] and [video] become a link to their file, in a paragraph of its own: the import brings the
        file along from the old site's uploads and makes the link a player of the new copy (`players`); a file
        it cannot bring along stays a link to its old address."""
        kinds = AUDIO if name == "audio" else VIDEO
        url = attributes.get("src") or next((attributes[kind] for kind in kinds if attributes.get(kind)), "")
        if not url:  # WordPress plays the first such file uploaded to the post
            url = next((attachment.url for key, attachment in sorted(self.attachments.items())
                        if attachment.parent == post_id and attachment.extension in kinds), "")
        if urlsplit(url).scheme not in ("http", "https"):
            return ""
        self.linked[name].append(title)
        verb = "Listen" if name == "audio" else "Watch"
        name = escape(unquote(PurePosixPath(urlsplit(url).path).name))
        return f'<p><a href="{escape(url)}">{verb}: {name}</a></p>'

    def summarize(self) -> None:
        for name, titles in sorted(self.shortcodes.items()):
            self.report.note(f"Removed the unknown shortcode [{name}] from {_items(titles)}.")
        for name, titles in sorted(self.linked.items()):
            self.report.note(f"[{name}] in {_items(titles)} became a player of its file brought along into the "
                             "media library, or, where the file stayed behind, a link to it on the old site.")
        for title, number in self.missing.items():
            if number:
                self.report.note(f"The gallery of “{title}” names {plural(number, 'image')} the export does not "
                                 "list; the gallery shows the others.")
        if self.html_blocks:
            self.report.note(f"Kept {plural(self.html_blocks, 'block')} as HTML in "
                             f"{plural(self.html_items, 'item')}, where Markdown would have changed them.")


def _items(titles: list[str]) -> str:
    """"2 items: “A”, “B”" with at most three titles named."""
    unique = list(dict.fromkeys(titles))
    return (f"{plural(len(unique), 'item')}: " + ", ".join(f"“{title}”" for title in unique[:3])
            + (" …" if len(unique) > 3 else ""))



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


# The old site's uploads: which addresses in imported bodies are its images, and pointing them at new copies.

_DELIMITER = r"\s\"'<>()\[\]"
_UPLOAD_ADDRESS = re.compile(
    rf"(?P<site>(?:https?:)?//[^{_DELIMITER}/?#]+(?:/[^{_DELIMITER}?#]*?)?)?/wp-content/uploads/"
    rf"(?P<path>[^{_DELIMITER}?#]+?\.(?:{'|'.join(IMAGES + AUDIO + VIDEO)}))(?:\?[^{_DELIMITER}]*)?"
    rf"(?![^{_DELIMITER}])",
    re.IGNORECASE)
#: The paragraph `_Conversion._link` writes, as Markdown, once the import pointed it at our copy of the file.
_PLAYER_LINK = re.compile(r"^\[(?P<label>(?:Listen|Watch): (?:[^\[\]\\\n]|\\.)*)\]"
                          r"\((?P<src>/uploads/[0-9a-f]{32}\.[a-z0-9]{2,5})\)$", re.MULTILINE)
#: WordPress's own copies of an upload: kitchen-300x200.jpg, or kitchen-scaled.jpg for a big photo.
_RESIZED = re.compile(r"-(?:[0-9]{1,5}x[0-9]{1,5}|scaled)(?=\.[A-Za-z]+$)")


@dataclass(frozen=True)
class UploadAddress:
    """An image, audio or video file of the old site's uploads, as a body points at it."""

    address: str  # as written in the body
    site: str  # the site address it was written under ("https://old.example.com/blog"); "" for "/wp-content/…"
    path: str  # under wp-content/uploads: "2024/10/kitchen-300x200.jpg"

    @property
    def kind(self) -> str:
        """"image", "audio" or "video", as the file's extension says (its bytes decide when it is stored)."""
        extension = _extension(self.path)
        return "audio" if extension in AUDIO else "video" if extension in VIDEO else "image"

    @property
    def original(self) -> str:
        """The path of the upload WordPress made this copy from (the path itself when it is no copy); WordPress
        makes smaller copies of images only."""
        return _RESIZED.sub("", self.path) if self.kind == "image" else self.path


def site_hosts(sites: Collection[str]) -> set[str]:
    """The host (with its port, if any) of each of `sites`, as upload addresses are matched against."""
    return {urlsplit(site).netloc.lower() for site in sites if urlsplit(site).netloc}


def upload_addresses(body: str, hosts: Collection[str]) -> list[UploadAddress]:
    """Return the addresses in `body` (Markdown or HTML) of images uploaded to a site at `hosts`, each once.

    An address whose path climbs out of the uploads folder ("..") is no upload and is left out.
    """
    found: dict[str, UploadAddress] = {}
    for match in _UPLOAD_ADDRESS.finditer(body):
        site, path = match["site"] or "", _safe_path(match["path"])
        if path and (not site or urlsplit(site).netloc.lower() in hosts):
            found.setdefault(match[0], UploadAddress(address=match[0], site=site, path=path))
    return list(found.values())


def replace_addresses(body: str, new: Mapping[str, str]) -> str:
    """Return `body` with every upload address that `new` names replaced by its new address."""
    return _UPLOAD_ADDRESS.sub(lambda match: new.get(match[0], match[0]), body)


def players(body: str, kinds: Mapping[str, str]) -> str:
    """Return Markdown `body` with each paragraph that is only a "Listen: …" or "Watch: …" link to one of our
    uploads that `kinds` names ("/uploads/<key>.mp3": "audio") made a player of it, the link inside."""
    def replace(match: re.Match[str]) -> str:
        kind = kinds.get(match["src"])
        return media_files.player(kind, match["src"], match["label"]) if kind else match[0]
    return _PLAYER_LINK.sub(replace, body)


def _safe_path(path: str) -> str:
    """The path under the uploads folder, decoded, or "" if it could name anything outside it."""
    parts = unquote(path).replace("\\", "/").split("/")
    return "" if any(part in ("", ".", "..") for part in parts) else "/".join(parts)

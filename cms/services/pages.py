"""Pages: undated pieces such as About, Fees and Contact, served at /<slug>. Each save that changes the title or
the text is a revision, as for articles."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select

from cms.core import rendering
from cms.core.errors import EditConflict, InvalidInput
from cms.core.slugs import slugify
from cms.extensions import column_length, db
from cms.models import Page, Revision, User
from cms.services import media, redirects, revisions

#: First path segments the site itself answers; a page there would be unreachable.
RESERVED_SLUGS = frozenset({
    "admin", "api", "archive", "articles", "authoring", "feed.atom", "feed.xml", "login", "logout", "pages",
    "preview", "robots.txt", "search", "series", "sitemap.xml", "static", "tags", "uploads",
})
#: Menus hold a handful of pages; a larger number is a typing slip (and past what the column holds).
MAX_MENU_ORDER = 10_000
#: As long as the column that keeps it.
MAX_TITLE = column_length(Page.__table__.c.title)


def save(page: Page | None, *, title: str, body_source: str, slug: str = "", is_published: bool = True,
         menu_order: int | None = None, by: User | None = None, now: datetime | None = None,
         based_on_version: int | None = None, note: str = "") -> Page:
    """Create a page (when `page` is None) or update it; a published page's old slug redirects.

    A new title or text is kept as a revision by `by` at `now` (an import's has no author). `based_on_version` is
    the version the form loaded: if someone saved since, nothing changes and EditConflict says so.
    """
    if page is not None and based_on_version is not None and based_on_version != page.version:
        raise EditConflict("This page was saved by someone else while you were editing; your text is below. "
                           "Compare it with the saved page in its history, then save again to replace it.")
    title = " ".join(title.split())
    if not title:
        raise InvalidInput("Give the page a title.", field="title")
    if len(title) > MAX_TITLE:
        raise InvalidInput(f"A title can be at most {MAX_TITLE} characters long.", field="title")
    if menu_order is not None and not 0 <= menu_order <= MAX_MENU_ORDER:
        raise InvalidInput(f"The menu order must be a whole number from 0 to {MAX_MENU_ORDER:,}.",
                           field="menu_order")
    slug = slugify(slug or title)
    if not slug or slug in RESERVED_SLUGS:
        raise InvalidInput(f"The slug {slug!r} cannot be used for a page; choose another.", field="slug")
    owner = find_by_slug(slug)
    if owner is not None and owner is not page:
        raise InvalidInput(f"The slug {slug!r} is already used by the page “{owner.title}”.", field="slug")
    is_new_text = page is None or (page.title, page.body_source) != (title, body_source)
    if page is None:
        page = Page()
        db.session.add(page)
    elif page.slug != slug and page.is_published:
        redirects.add(redirects.PAGE_PATH.format(slug=page.slug), redirects.PAGE_PATH.format(slug=slug))
    page.title, page.slug, page.body_source = title, slug, body_source
    page.body_html = media.render_body(body_source)
    page.html_version = rendering.PIPELINE_VERSION
    page.is_published, page.menu_order = is_published, menu_order
    if is_new_text or note:
        db.session.add(Revision(page=page, author=by, title=title, body_source=body_source, note=note,
                                **({"created_at": now} if now is not None else {})))
    db.session.flush()
    return page


def restore(page: Page, revision: Revision, *, by: User, now: datetime) -> Page:
    """Bring back the title and text of `revision` as a new revision; the page keeps its address and menu place."""
    if revision.page_id != page.id:
        raise InvalidInput("That revision belongs to something else.", field="revision")
    return save(page, title=revision.title, body_source=revision.body_source, slug=page.slug,
                is_published=page.is_published, menu_order=page.menu_order, by=by, now=now,
                note=f"Restored from revision {revisions.number(revision)}")


def find_by_slug(slug: str) -> Page | None:
    """Return the page with this slug, published or not."""
    return db.session.scalar(select(Page).where(Page.slug == slug))

"""What every template may use: the site's settings, its navigation, and times shown in site time."""

from dataclasses import dataclass
from datetime import datetime

from flask import Blueprint, Flask, current_app, g, render_template, request
from markupsafe import Markup

from cms.core import clock
from cms.models import SiteSettings
from cms.services import freshness, reader, site


def register(app: Flask) -> None:
    app.context_processor(_site_context)
    app.add_template_filter(local_time)
    app.add_template_filter(zone_time)


def serves_readers(blueprint: Blueprint) -> None:
    """Give `blueprint`'s pages, all readers' requests that write nothing, reads in autocommit
    (`freshness.reads_only`) and the settings kept per content state (`site.shown`) rather than a read of the row
    each."""

    @blueprint.before_request
    def read_settings_as_shown() -> None:
        freshness.reads_only()
        show_settings_as_kept()


def show_settings_as_kept() -> None:
    """Show this request the settings kept per content state (`site.shown`), for a request that only shows them:
    no read of the row, and the content state it is kept by is read once a request anyway."""
    g.shown_settings = site.shown(clock.now())


def shown_settings() -> SiteSettings:
    """The settings this request shows: as kept for readers on their pages, else the row (the back office's)."""
    kept: SiteSettings | None = g.get("shown_settings")
    return kept if kept is not None else site.settings()


def _site_context() -> dict:
    return {"site": shown_settings(), "site_zone": site_zone(), "site_header": site_header,
            "site_footer": site_footer}


def site_header() -> Markup:
    """The site's header and menu, drawn once per content state for each page the menu may mark as current."""
    slug = (request.view_args or {}).get("slug") if request.endpoint == "public.page" else None
    current = (request.endpoint, slug)
    return _headers.get(clock.now(), current, lambda: drawn("public/_header.html", current=current,
                                                             menu_pages=_menu.get(clock.now(), "menu", _menu_links)))


def site_footer() -> Markup:
    """The site's footer, the practice's details in it, drawn once per content state."""
    return _footers.get(clock.now(), "footer", lambda: drawn("public/_footer.html"))


def drawn(template: str, **values: object) -> Markup:
    """`template` drawn as a piece of a page, to be kept (see freshness.PerState) and shown as it is."""
    return Markup(render_template(template, **values).strip())  # noqa: S704 - a template's own autoescaped output


@dataclass(frozen=True)
class MenuLink:
    slug: str
    title: str


def _menu_links() -> tuple[MenuLink, ...]:
    return tuple(MenuLink(page.slug, page.title) for page in reader.menu_pages())


_menu: freshness.PerState[tuple[MenuLink, ...]] = freshness.PerState(size=1)  # the same on every page
_headers: freshness.PerState[Markup] = freshness.PerState(size=64)  # by the page the menu marks as current
_footers: freshness.PerState[Markup] = freshness.PerState(size=1)


def site_zone() -> str:
    return site.timezone(current_app.config["SITE_TIMEZONE"], shown_settings())


def local_time(moment: datetime | None, style: str = "date") -> str:
    """Format an aware UTC time in the site's zone: "date" (11 February 2025) or "datetime" (with time and zone)."""
    if moment is None:
        return ""
    local = clock.to_local(moment, site_zone())
    if style == "datetime":
        return f"{local:%-d %B %Y, %H:%M} {local.tzname()}"
    if style == "iso":
        return local.isoformat()
    return f"{local:%-d %B %Y}"


def zone_time(moment: datetime, zone: str) -> str:
    """Format an aware time as clock time in `zone`, for comparing zones (a time zone change, say)."""
    local = clock.to_local(moment, zone)
    return f"{local:%a %-d %B %Y, %H:%M} {local.tzname()}"

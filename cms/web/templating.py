"""What every template may use: the site's settings, its navigation, and times shown in site time."""

from dataclasses import dataclass
from datetime import datetime

from flask import Flask, current_app

from cms.core import clock
from cms.services import freshness, reader, site


def register(app: Flask) -> None:
    app.context_processor(_site_context)
    app.add_template_filter(local_time)
    app.add_template_filter(zone_time)


def _site_context() -> dict:
    return {"site": site.settings(), "menu_pages": _menu.get(clock.now(), "menu", _menu_links),
            "site_zone": site_zone()}


@dataclass(frozen=True)
class MenuLink:
    slug: str
    title: str


def _menu_links() -> tuple[MenuLink, ...]:
    return tuple(MenuLink(page.slug, page.title) for page in reader.menu_pages())


_menu: freshness.PerState[tuple[MenuLink, ...]] = freshness.PerState(size=1)  # the same on every page


def site_zone() -> str:
    return site.timezone(current_app.config["SITE_TIMEZONE"])


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

"""What every template may use: the site's settings, its navigation, and times shown in site time."""

from datetime import datetime

from flask import Flask, current_app

from cms.core import clock
from cms.services import reader, site


def register(app: Flask) -> None:
    app.context_processor(_site_context)
    app.add_template_filter(local_time)
    app.add_template_filter(zone_time)


def _site_context() -> dict:
    return {"site": site.settings(), "menu_pages": reader.menu_pages(), "site_zone": site_zone()}


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

"""The site's settings row."""

from __future__ import annotations

from cms.extensions import db
from cms.models import SiteSettings


def settings() -> SiteSettings:
    """Return the settings row, creating it with defaults the first time."""
    row = db.session.get(SiteSettings, 1)
    if row is None:
        row = SiteSettings(id=1)
        db.session.add(row)
        db.session.flush()
    # The identity map holds rows weakly: without this, every call of a request would read the row again.
    db.session.info[_HELD] = row
    return row


_HELD = "cms_site_settings"


def timezone(default: str) -> str:
    """Return the site's time zone name: the one set in the back office, else `default` (SITE_TIMEZONE)."""
    return settings().timezone or default

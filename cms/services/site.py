"""The site's settings row."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import inspect

from cms.extensions import db
from cms.models import SiteSettings
from cms.services import freshness


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


def timezone(default: str, chosen: SiteSettings | None = None) -> str:
    """Return the site's time zone name: the one set in the back office, else `default` (SITE_TIMEZONE).
    `chosen`: the settings already at hand (a reader's page has them as `shown`), else the row is read."""
    return (chosen or settings()).timezone or default


def shown(now: datetime) -> SiteSettings:
    """Return the settings as readers see them at `now`: a copy in no session, read once per content state (every
    change to the settings is one readers see), so a reader's page reads no row for them.

    For readers' requests only, which write nothing: a request that changes the settings must read `settings()`.
    """
    return _shown.get(now, "settings", _copy)


def _copy() -> SiteSettings:
    row = settings()
    return SiteSettings(**{column.key: getattr(row, column.key) for column in inspect(SiteSettings).column_attrs})


_shown: freshness.PerState[SiteSettings] = freshness.PerState(size=1)

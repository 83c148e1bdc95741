"""The sample site: a therapist's articles in three series, loaded through the Markdown import."""

from __future__ import annotations

import secrets
from datetime import datetime, timedelta
from itertools import zip_longest
from pathlib import Path
from zoneinfo import ZoneInfo

import yaml
from sqlalchemy import func, select

from cms.core.workflow import Role, Status
from cms.extensions import db
from cms.models import Article, User
from cms.services import site, transfer, users
from cms.services.transfer import Document

SAMPLE_DIR = Path(__file__).resolve().parent.parent / "demo"
ADMIN_EMAIL = "admin@example.com"
TUESDAY, NINE_AM = 1, 9  # the author's publishing rhythm


def is_empty() -> bool:
    """Whether the site has no articles and no accounts yet."""
    return not db.session.scalar(select(func.count(Article.id))) and not db.session.scalar(
        select(func.count(User.id)))


def load(*, now: datetime, zone: str) -> tuple[User, str]:
    """Load the sample site into an empty database; return the admin account and its new password.

    Published articles are dated on past Tuesdays at 9:00 site time, the scheduled one on the next.
    """
    password = secrets.token_urlsafe(12)
    admin = users.create_user(ADMIN_EMAIL, password, Role.ADMIN, name="Site admin")
    settings = site.settings()
    for key, value in yaml.safe_load((SAMPLE_DIR / "site.yaml").read_text(encoding="utf-8")).items():
        setattr(settings, key, value)
    users.update_profile(admin, name=settings.author_name, credentials=settings.author_credentials,
                         bio=settings.author_bio, photo_id=None)  # her articles carry her byline
    documents = [transfer.parse_markdown(path.read_text(encoding="utf-8"), source=path.name, zone=zone)
                 for path in sorted(SAMPLE_DIR.glob("*.md"))]
    _date(documents, now=now, zone=ZoneInfo(zone))
    for document in documents:
        transfer.apply(document, by=admin, now=now)
    return admin, password


def _date(documents: list[Document], *, now: datetime, zone: ZoneInfo) -> None:
    tuesdays = _tuesdays_before(now, zone)
    published = [doc for doc in documents if doc.kind == "article" and doc.status is Status.PUBLISHED]
    # Series run side by side, one part a week, so the newest articles come from every series.
    by_series: dict[str | None, list[Document]] = {}
    for doc in sorted(published, key=lambda doc: doc.series_part or 0):
        by_series.setdefault(doc.series, []).append(doc)
    in_order = [doc for round_ in zip_longest(*by_series.values()) for doc in round_ if doc is not None]
    for doc, tuesday in zip(reversed(in_order), tuesdays, strict=False):  # only the newest year gets Tuesdays
        doc.publish_at = tuesday
    for doc in documents:
        if doc.status is Status.SCHEDULED:
            doc.publish_at = _tuesdays_before(now + timedelta(days=7), zone)[0]
        if doc.kind == "page":
            doc.status = Status.PUBLISHED


def _tuesdays_before(moment: datetime, zone: ZoneInfo, count: int = 52) -> list[datetime]:
    """Tuesdays at 9:00 in `zone` strictly before `moment`, newest first."""
    local = moment.astimezone(zone)
    day = local.date() - timedelta(days=(local.weekday() - TUESDAY) % 7)
    first = datetime(day.year, day.month, day.day, NINE_AM, tzinfo=zone)
    if first >= local:
        first -= timedelta(days=7)
    return [first - timedelta(weeks=week) for week in range(count)]

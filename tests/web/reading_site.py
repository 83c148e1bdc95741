"""A small site as readers meet it: two series (one with a draft and a scheduled part), tags, pages.

Times are relative to the real clock, because public views ask `clock.now()`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import pytest

from cms.core.workflow import Status
from cms.extensions import db
from cms.services import site
from tests.factories import Factories

SOON = timedelta(days=7)


def days_ago(days: float) -> datetime:
    return datetime.now(UTC).replace(microsecond=0) - timedelta(days=days)


@dataclass(frozen=True)
class ReadingSite:
    scheduled_at: datetime  # when the scheduled part of "Mothers and Daughters" goes live
    live_slugs: tuple[str, ...]  # every live article, newest first
    hidden_slugs: tuple[str, ...]  # a draft, a part in review, a scheduled part, an archived article


def build(make: Factories) -> ReadingSite:
    mothers = make.series("Mothers and Daughters", description="How the bond changes over a lifetime.")
    grief = make.series("Grief", description="Living with loss.")
    empty = make.series("Empty series")  # only a draft in it: readers never see it
    scheduled_at = datetime.now(UTC).replace(microsecond=0) + SOON
    make.article("Life stages", slug="life-stages", series_id=mothers, series_part=1, publish_at=days_ago(30),
                 tags=("mother daughter", "family"), summary="The seasons of the bond.",
                 body_source="The bond between a mother and her daughter keeps changing shape.\n\n" * 3)
    make.article("A draft about guilt", slug="draft-part", status=Status.DRAFT, series_id=mothers,
                 series_part=2, tags=("secret topic",), body_source="Unfinished thoughts about zeppelins.")
    make.article("Ambivalence", slug="ambivalence", series_id=mothers, series_part=3, publish_at=days_ago(20),
                 tags=("mother daughter",), summary="Two feelings at once.",
                 body_source="Holding love and frustration together is ambivalence.")
    make.article("Letting go", slug="scheduled-part", status=Status.SCHEDULED, series_id=mothers,
                 series_part=4, publish_at=scheduled_at, tags=("mother daughter", "resentment"),
                 body_source="Resentment softens when it is understood. Quokkas are never mentioned elsewhere.")
    make.article("Grief has no timeline", slug="grief-1", series_id=grief, series_part=1, publish_at=days_ago(15),
                 tags=("grief",), body_source="Grief does not follow stages in a tidy order.")
    make.article("Anniversaries", slug="grief-2", series_id=grief, series_part=2, publish_at=days_ago(10),
                 tags=("grief",), body_source="Dates return every year, and the body remembers them.")
    make.article("Anticipatory grief", slug="grief-3", series_id=grief, series_part=3, publish_at=days_ago(5),
                 tags=("grief", "family"), body_source="Mourning can begin before a loss.")
    make.article("Choosing a therapist", slug="choosing", publish_at=days_ago(2), tags=("therapy",),
                 summary="What to ask in a first call.", body_source="Ask about fees, approach and fit.")
    make.article("Old news", slug="archived", status=Status.ARCHIVED, publish_at=days_ago(60),
                 tags=("archived topic",), body_source="Nobody should read this any more.")
    make.article("In review", slug="in-review", status=Status.REVIEW, series_id=grief, series_part=4,
                 body_source="Waiting for the editor.")
    make.article("Plans", slug="plans", status=Status.DRAFT, series_id=empty, series_part=1)
    make.page("About", body_source="About the practice.", menu_order=1)
    make.page("Fees", body_source="Sliding scale.", menu_order=2)
    make.page("Privacy", body_source="No trackers.")  # published, not in the menu
    make.page("Secret plans", body_source="Not yet.", is_published=False)
    with make.app.app_context():
        settings = site.settings()
        settings.title = "Maya Ellison Therapy"
        settings.author_name = "Dr. Maya Ellison"
        settings.author_credentials = "LMFT"
        settings.author_bio = "Maya works with families on relationships, anxiety and grief."
        settings.consultation_text = "Book a free consultation"
        settings.consultation_url = "/about"
        settings.contact_email = "maya@example.com"
        db.session.commit()
    return ReadingSite(
        scheduled_at=scheduled_at,
        live_slugs=("choosing", "grief-3", "grief-2", "grief-1", "ambivalence", "life-stages"),
        hidden_slugs=("draft-part", "in-review", "scheduled-part", "archived"),
    )


@pytest.fixture
def reading_site(prebuilt) -> ReadingSite:
    return prebuilt(build)

"""Revisions of articles and pages alike: numbered as their history shows them, and compared field by field."""

from __future__ import annotations

from cms.core import diff
from cms.models import Revision


def number(revision: Revision) -> int:
    """Return the 1-based position of `revision` in its article's or page's history, as the history shows it."""
    return revision.owner.revisions.index(revision) + 1


def compare(old: Revision, new: Revision) -> list[diff.FieldDiff]:
    """Return what changed from revision `old` to revision `new`, field by field."""
    return diff.compare(_text(old), _text(new))


def _text(revision: Revision) -> dict[str, str]:
    if revision.page_id is not None:  # a page has a title and a body, nothing else
        return {"Title": revision.title, "Body": revision.body_source}
    series = f"{revision.series_title}, part {revision.series_part}" if revision.series_title else ""
    return {"Title": revision.title, "Summary": revision.summary, "Body": revision.body_source,
            "Tags": ", ".join(sorted(revision.tags, key=str.casefold)),  # a set: reordering is no change
            "Series": series}

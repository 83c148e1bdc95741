"""A save begun from an older version of an article: merged with what was saved since, or handed back with the
places both sides changed, side by side, for her to choose."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from werkzeug.datastructures import MultiDict

from cms.core import clock, merge
from cms.core.merge import Conflict
from cms.models import Article, Revision, User
from cms.services import articles
from cms.web.templating import local_time, site_zone

BASE = "merge_base"  # the hidden field: what the form showed when it was loaded
TEXTS, SETS = frozenset({"body_source"}), frozenset({"tags"})
NOT_MERGED = frozenset({"csrf_token", "version", "action", "new_series", BASE})  # new_series asks, holds nothing
CHOICES = ("mine", "theirs", "edit")
CHECKBOX = "is_autolink_enabled"
LABELS = {"body_source": "A paragraph of the body", "title": "The title", "summary": "The summary",
          "tags": "The tags", "series": "The series", "series_part": "The part", "publish_at": "The publish time",
          "slug": "The slug", "description": "The SEO description", "featured_media_id": "The featured image"}


@dataclass(frozen=True)
class Panel:
    """What the writing screen shows of a merge: the base to post back and the conflicts to choose from."""

    base: str = ""
    conflicts: tuple[Conflict, ...] = ()
    theirs_by: str = ""  # "in another of your windows", "by Jess (author)"
    choices: Mapping[str, str] = field(default_factory=dict)  # posted back: the choice of each conflict

    @property
    def labels(self) -> Mapping[str, str]:
        return LABELS


@dataclass(frozen=True)
class Outcome:
    formdata: MultiDict
    saved: list[Revision] = field(default_factory=list)  # saved since her form was loaded; empty: not stale
    conflicts: tuple[Conflict, ...] = ()
    problem: str = ""  # her choices could not be applied


def snapshot(article: Article, values: Mapping[str, str]) -> str:
    """The merge base a form loaded now carries: the last saved revision and the fields' values as shown."""
    fields = {name: value for name, value in values.items() if name not in TEXTS and name not in NOT_MERGED}
    return json.dumps({"revision": articles.last_revision_id(article), "fields": fields})


def prepare(article: Article, posted: MultiDict, theirs: Mapping[str, str]) -> Outcome:
    """Apply her choices for earlier conflicts, then merge a stale form with what was saved since.

    `theirs` is the article as a freshly loaded form shows it. A form without a merge base (sent before merging
    existed) is left as it is, and the save refuses it as stale.
    """
    formdata = MultiDict(posted)
    problem = _apply_choices(formdata, conflicts_posted(posted), posted)
    if problem:
        return Outcome(MultiDict(posted), problem=problem, conflicts=conflicts_posted(posted))
    base = _base(article, posted.get(BASE, ""))
    if base is None or posted.get("version") == str(article.version):
        return Outcome(formdata)
    base_revision, base_values = base
    mine = {name: formdata.get(name, "") for name in theirs
            if name not in NOT_MERGED and (name in formdata or name == CHECKBOX)}  # unticked: not posted
    merged = merge.merge_fields(base_values, mine, theirs, texts=TEXTS, sets=SETS)
    for name, value in merged.values.items():
        _put(formdata, name, value)
    formdata["version"] = str(article.version)
    saved = articles.saved_since(article, base_revision)
    if not saved:
        last = articles.last_saved(article)
        saved = [last] if last else []
    return Outcome(formdata, saved=saved, conflicts=merged.conflicts)


def conflicts_posted(posted: Mapping[str, str]) -> tuple[Conflict, ...]:
    """The conflicts a form handed back carries, as hidden fields conflict-N-*."""
    found = []
    index = 0
    while f"conflict-{index}-field" in posted:
        prefix = f"conflict-{index}-"
        try:
            at, count = int(posted.get(prefix + "at", 0)), int(posted.get(prefix + "count", 0))
        except ValueError:
            at, count = 0, 0
        found.append(Conflict(posted[prefix + "field"], posted.get(prefix + "mine", ""),
                              posted.get(prefix + "theirs", ""), max(at, 0), max(count, 0)))
        index += 1
    return tuple(found)


def chosen(posted: Mapping[str, str]) -> dict[str, str]:
    """Her choice and edited text for each conflict, to show them again when the form comes back."""
    return {name: value for name, value in posted.items() if name.startswith("conflict-")}


def merged_message(saved: Sequence[Revision], *, by: User, now: datetime) -> str:
    return f"Your changes were merged with changes saved {_who_when(saved, by=by, now=now)}."


def conflict_message(saved: Sequence[Revision], *, by: User, now: datetime) -> str:
    return (f"Changes saved {_who_when(saved, by=by, now=now)} touch the same places as yours. For each one "
            "below, keep yours, keep theirs, or edit both into one, then save; everything else is merged, and "
            "your text is also kept in the history.")


def theirs_by(saved: Sequence[Revision], *, by: User) -> str:
    return articles.savers(saved, by=by)


def _who_when(saved: Sequence[Revision], *, by: User, now: datetime) -> str:
    last = max(revision.created_at for revision in saved)
    local, today = clock.to_local(last, site_zone()), clock.to_local(now, site_zone())
    when = f"{local:%H:%M}" if local.date() == today.date() else local_time(last, "datetime")
    return f"{articles.savers(saved, by=by)} at {when}"


def _base(article: Article, text: str) -> tuple[int, dict[str, str]] | None:
    """The revision id and field values a form started from; its body is that revision's."""
    try:
        loaded = json.loads(text)
        revision_id, fields = int(loaded["revision"]), loaded["fields"]
    except (ValueError, TypeError, KeyError):
        return None
    if not isinstance(fields, dict) or not all(isinstance(v, str) for v in fields.values()):
        return None
    revision = next((r for r in article.revisions if r.id == revision_id), None)
    if revision is None:
        return None
    return revision_id, {**fields, "body_source": revision.body_source}


def _apply_choices(formdata: MultiDict, conflicts: Sequence[Conflict], posted: Mapping[str, str]) -> str:
    """Put the chosen version of each conflict into `formdata`; return what stops it, or ""."""
    for index in reversed(range(len(conflicts))):  # from the end, so earlier places do not move
        conflict, prefix = conflicts[index], f"conflict-{index}-"
        choice = posted.get(prefix + "choice", "")
        if choice not in CHOICES:
            return "Choose, for each place you both changed, whether to keep yours, keep theirs or edit both."
        if choice == "mine":
            continue
        replacement = conflict.theirs if choice == "theirs" else posted.get(prefix + "text", "")
        if conflict.field in TEXTS:
            resolved = merge.resolve(formdata.get(conflict.field, ""), conflict, replacement)
            if resolved is None:
                return ("You also changed a paragraph you both changed in the text box, so your choice for it "
                        "cannot be placed: choose “Keep mine” for it, or edit it in the text box.")
            formdata[conflict.field] = resolved
        else:
            _put(formdata, conflict.field, replacement)
    return ""


def _put(formdata: MultiDict, name: str, value: str) -> None:
    formdata.setlist(name, [value] if value or name != CHECKBOX else [])

"""Three-way merge of two edits begun from the same text: what merges, what conflicts, and that nothing is lost."""

from __future__ import annotations

from hypothesis import given, strategies as st

from cms.core.merge import Conflict, join, merge_fields, merge_set, merge_text, paragraphs, resolve

BASE = "Grief has no timeline.\n\nIt comes in waves.\n\nSome days are lighter.\n\nOthers are not."

words = st.text(alphabet="abcdefgh *", min_size=1, max_size=12).map(str.strip).filter(bool)
texts = st.lists(words, max_size=6).map(join)


def test_edits_to_different_paragraphs_both_land():
    mine = BASE.replace("It comes in waves.", "It comes in waves, and they pass.")
    theirs = BASE.replace("Others are not.", "Others are heavy.")
    assert merge_text(BASE, mine, theirs) == (
        "Grief has no timeline.\n\nIt comes in waves, and they pass.\n\nSome days are lighter.\n\nOthers are heavy.",
        [])


def test_edits_to_neighbouring_paragraphs_both_land():
    mine = BASE.replace("It comes in waves.", "It comes in waves, and they pass.")
    theirs = BASE.replace("Some days are lighter.", "Some days are lighter than others.")
    merged, conflicts = merge_text(BASE, mine, theirs)
    assert conflicts == [] and "and they pass" in merged and "lighter than others" in merged


def test_a_paragraph_added_beside_one_edited_on_the_other_side_keeps_both():
    mine = BASE.replace("It comes in waves.", "A new thought.\n\nIt comes in waves.")
    theirs = BASE.replace("It comes in waves.", "It comes in great waves.")
    assert merge_text(BASE, mine, theirs)[0] == BASE.replace("It comes in waves.",
                                                             "A new thought.\n\nIt comes in great waves.")


def test_the_same_paragraph_changed_twice_conflicts_and_the_merge_holds_mine():
    mine = BASE.replace("It comes in waves.", "It comes like the tide.")
    theirs = BASE.replace("It comes in waves.", "It comes in waves, then leaves.").replace("Others", "Many")
    merged, conflicts = merge_text(BASE, mine, theirs)
    assert conflicts == [Conflict("body_source", "It comes like the tide.", "It comes in waves, then leaves.", 1, 1)]
    assert merged == mine.replace("Others", "Many")  # their other change still lands


def test_a_paragraph_deleted_on_one_side_and_edited_on_the_other_conflicts():
    mine = BASE.replace("Some days are lighter.\n\n", "")
    theirs = BASE.replace("Some days are lighter.", "Some days are much lighter.")
    merged, conflicts = merge_text(BASE, mine, theirs)
    assert merged == mine and conflicts == [Conflict("body_source", "", "Some days are much lighter.", 2, 0)]


def test_resolving_a_conflict_puts_the_choice_where_mine_was():
    mine = BASE.replace("It comes in waves.", "It comes like the tide.")
    theirs = BASE.replace("It comes in waves.", "It comes in waves, then leaves.")
    merged, [conflict] = merge_text(BASE, mine, theirs)
    assert resolve(merged, conflict, conflict.theirs) == theirs
    assert resolve(merged, conflict, "One.\n\nTwo.") == BASE.replace("It comes in waves.", "One.\n\nTwo.")
    assert resolve(merged.replace("tide", "sea"), conflict, conflict.theirs) is None  # she rewrote it meanwhile


def test_resolving_a_deletion_conflict_brings_the_paragraph_back_in_place():
    mine = BASE.replace("Some days are lighter.\n\n", "")
    theirs = BASE.replace("Some days are lighter.", "Some days are much lighter.")
    merged, [conflict] = merge_text(BASE, mine, theirs)
    assert resolve(merged, conflict, conflict.theirs) == theirs


def test_whole_fields_merge_by_value_and_tags_as_a_set():
    base = {"title": "Grief", "summary": "Old.", "tags": "grief, loss", "body_source": BASE}
    mine = {"title": "Grief Has No Timeline", "summary": "Old.", "tags": "loss, Grief, waves",
            "body_source": BASE}
    theirs = {"title": "Grief", "summary": "New.", "tags": "grief, mourning", "body_source": BASE + "\n\nEnd."}
    merged = merge_fields(base, mine, theirs, texts={"body_source"}, sets={"tags"})
    assert merged.conflicts == ()
    assert merged.values == {"title": "Grief Has No Timeline", "summary": "New.", "tags": "Grief, waves, mourning",
                             "body_source": BASE + "\n\nEnd."}


def test_a_value_both_sides_changed_differently_conflicts():
    merged = merge_fields({"title": "Grief"}, {"title": "Grief, Again"}, {"title": "On Grief"})
    assert merged.values == {"title": "Grief, Again"}
    assert merged.conflicts == (Conflict("title", "Grief, Again", "On Grief"),)


def test_tags_reordered_on_one_side_are_no_change():
    assert merge_set(["a", "b"], ["b", "a"], ["a", "b", "c"]) == ["b", "a", "c"]


@given(texts, texts)
def test_an_untouched_side_gives_the_other(base, edited):
    assert merge_text(base, base, edited) == (edited, [])
    assert merge_text(base, edited, base) == (edited, [])


@given(texts, texts)
def test_both_sides_equal_gives_it(base, edited):
    assert merge_text(base, edited, edited) == (edited, [])


@st.composite
def disjoint_edits(draw):
    """A text of distinct paragraphs and two sets of replacements at indices no side shares."""
    size = draw(st.integers(min_value=2, max_value=8))
    base = [f"Paragraph {index}." for index in range(size)]
    owners = draw(st.lists(st.sampled_from(["none", "mine", "theirs"]), min_size=size, max_size=size))
    mine = [f"Mine {index}." if owner == "mine" else text
            for index, (text, owner) in enumerate(zip(base, owners, strict=True))]
    theirs = [f"Theirs {index}." if owner == "theirs" else text
              for index, (text, owner) in enumerate(zip(base, owners, strict=True))]
    both = [f"{owner.title()} {index}." if owner != "none" else text
            for index, (text, owner) in enumerate(zip(base, owners, strict=True))]
    return join(base), join(mine), join(theirs), join(both)


@given(disjoint_edits())
def test_disjoint_edits_merge_and_commute(edits):
    base, mine, theirs, both = edits
    assert merge_text(base, mine, theirs) == (both, [])
    assert merge_text(base, theirs, mine) == (both, [])


@given(texts, texts, texts)
def test_nothing_of_either_side_is_lost(base, mine, theirs):
    """Every paragraph of each side is in the merge, or in a conflict shown beside it."""
    merged, conflicts = merge_text(base, mine, theirs)
    kept = set(paragraphs(merged)) | {block for c in conflicts for block in paragraphs(c.theirs)}
    base_blocks = set(paragraphs(base))
    assert set(paragraphs(mine)) - base_blocks <= kept
    assert set(paragraphs(theirs)) - base_blocks <= kept

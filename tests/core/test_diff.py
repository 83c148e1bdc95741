from cms.core import diff
from cms.core.diff import Block, Segment


def test_a_changed_word_is_marked_inside_its_paragraph():
    blocks = diff.text_blocks("Grief has no timeline.", "Grief keeps no timeline.")
    assert blocks == [Block("changed", (Segment("same", "Grief "), Segment("removed", "has"),
                                        Segment("added", "keeps"), Segment("same", " no timeline.")))]


def test_unchanged_lines_far_from_a_change_are_left_out():
    old = "\n".join(f"line {n}" for n in range(1, 11))
    new = old.replace("line 6", "line six")
    kinds = [(block.kind, block.skipped) for block in diff.text_blocks(old, new, context=2)]
    assert kinds == [("skipped", 3), ("same", 0), ("same", 0), ("changed", 0), ("same", 0), ("same", 0),
                     ("skipped", 2)]


def test_added_and_removed_paragraphs():
    blocks = diff.text_blocks("One.\n\nTwo.", "One.\n\nTwo.\n\nThree.", context=5)
    assert blocks[-1] == Block("changed", (Segment("added", "\nThree."),))
    assert diff.text_blocks("One.\nTwo.", "One.", context=5)[-1] == Block("changed", (Segment("removed", "Two."),))


def test_compare_reports_each_field_and_whether_it_changed():
    fields = diff.compare({"Title": "A", "Body": "Same."}, {"Title": "B", "Body": "Same."})
    assert [(field.label, field.is_changed) for field in fields] == [("Title", True), ("Body", False)]


def test_a_whole_rewrite_of_a_long_text_is_shown_whole():
    old, new = "word " * 3000, "other " * 3000
    assert [segment.kind for segment in diff.word_segments(old, new)] == ["removed", "added"]

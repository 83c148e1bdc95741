"""YAML anchors and aliases in imported files are refused before any value is built."""

from __future__ import annotations

import io
import zipfile

import pytest

from cms.core.errors import InvalidInput
from cms.services import transfer

ZONE = "America/New_York"
#: Nine levels of nine aliases each: 388 bytes that expand to 9**9 copies of "lol".
BILLION_LAUGHS = "---\n" + "a: &a [" + ",".join(['"lol"'] * 9) + "]\n" + "".join(
    f"{chr(98 + level)}: &{chr(98 + level)} [{','.join(['*' + chr(97 + level)] * 9)}]\n" for level in range(8)
) + "title: *i\n---\nBody.\n"


def test_front_matter_with_aliases_is_refused_in_one_sentence(app):
    with app.app_context(), pytest.raises(InvalidInput) as error:
        transfer.read_bytes(BILLION_LAUGHS.encode(), name="laughs.md", zone=ZONE)
    assert str(error.value) == ("laughs.md: the front matter uses a YAML anchor or alias (& or *) at line 2; "
                                "write the values out instead.")


def test_a_single_alias_is_refused_too(app):
    source = "---\ntitle: &t Letting Go\nsummary: *t\n---\nBody.\n"
    with app.app_context(), pytest.raises(InvalidInput, match="anchor or alias"):
        transfer.read_bytes(source.encode(), name="one.md", zone=ZONE)


def test_a_series_file_with_aliases_is_refused(app):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("a.md", "---\ntitle: A\n---\nBody.\n")
        archive.writestr(transfer.SERIES_FILE, "- &s {title: Grief}\n- *s\n")
    with app.app_context(), pytest.raises(InvalidInput, match=r"^series.yaml is not valid YAML.$"):
        transfer.read_bytes(buffer.getvalue(), name="site.zip", zone=ZONE)


def test_plain_front_matter_still_reads(app):
    source = "---\ntitle: Letting Go\ntags: [grief, 'mother: daughter']\nseries_part: 2\n---\nBody.\n"
    with app.app_context():
        batch = transfer.read_bytes(source.encode(), name="plain.md", zone=ZONE)
    assert batch.documents[0].title == "Letting Go" and batch.documents[0].tags == ["grief", "mother: daughter"]

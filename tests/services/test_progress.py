"""Long `flask cms` commands say how far they are: plain lines when their output is not a terminal (issue 17)."""

import re

import pytest

from cms import progress
from tests.services.test_backup import load_sample
from tests.services.test_transfer import DATA, make_admin, other_app  # noqa: F401 - other_app: a fixture

LINE = re.compile(r"^(?P<label>.+): (?P<done>[\d,]+) of (?P<total>[\d,]+) (?P<unit>\w+) \((?P<percent>\d+)%\), "
                  r"(about \d+:\d\d:\d\d left|done in \d+:\d\d:\d\d)$")


@pytest.fixture
def every_tenth(monkeypatch):
    """A line at every tenth of the way, however fast the command runs."""
    monkeypatch.setattr(progress, "PLAIN_LINE_EVERY", 0)


def _progress_lines(stderr: str, label: str) -> list[re.Match]:
    lines = [LINE.match(line) for line in stderr.splitlines() if line.startswith(f"{label}: ")]
    assert lines and all(lines), stderr
    return lines


def _check_counts(lines: list[re.Match], unit: str) -> None:
    percents = [int(line["percent"]) for line in lines]
    assert percents == sorted(set(percents)) and percents[-1] == 100 and len(percents) <= 10
    assert {line["unit"] for line in lines} == {unit}
    assert lines[-1]["done"] == lines[-1]["total"] and lines[-1].group(0).split(", ")[-1].startswith("done in ")
    assert all(line.group(0).split(", ")[-1].startswith("about ") for line in lines[:-1])


def test_backup_restore_export_and_reindex_print_progress_lines(app, other_app, tmp_path, every_tenth):
    load_sample(app)
    runner = app.test_cli_runner()
    backed_up = runner.invoke(args=["cms", "backup", str(tmp_path / "site.backup")])
    assert backed_up.exit_code == 0, backed_up.output
    _check_counts(_progress_lines(backed_up.stderr, f"Backing up to {tmp_path / 'site.backup'}"), "rows")
    assert backed_up.stdout.startswith("Backed up ")  # the result stays on stdout, the progress on stderr

    restored = other_app.test_cli_runner().invoke(args=["cms", "restore", str(tmp_path / "site.backup")])
    assert restored.exit_code == 0, restored.output
    _check_counts(_progress_lines(restored.stderr, f"Restoring {tmp_path / 'site.backup'}"), "rows")

    exported = runner.invoke(args=["cms", "export", str(tmp_path / "out")])
    assert exported.exit_code == 0, exported.output
    _check_counts(_progress_lines(exported.stderr, f"Exporting to {tmp_path / 'out'}"), "files")

    reindexed = runner.invoke(args=["cms", "reindex"])
    assert reindexed.exit_code == 0, reindexed.output
    _check_counts(_progress_lines(reindexed.stderr, "Computing related articles"), "articles")


def test_import_prints_progress_lines(app, every_tenth):
    make_admin(app)
    result = app.test_cli_runner().invoke(args=["cms", "import", str(DATA / "wordpress.xml")])
    assert result.exit_code == 0, result.output
    _check_counts(_progress_lines(result.stderr, "Importing wordpress.xml"), "items")


def test_a_quick_command_prints_no_progress_line(app, tmp_path):
    load_sample(app)
    result = app.test_cli_runner().invoke(args=["cms", "backup", str(tmp_path / "site.backup")])
    assert result.exit_code == 0 and result.stderr == ""


"""Index hygiene: a folder walk takes scripts only (a project's LICENSE, README, CHANGELOG and plain prose
are reported as skipped, unless named explicitly) and leaves out what --exclude names."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from click.testing import CliRunner

from simcheck.cli import cli
from simcheck.read.walk import excluded, screenplay_problem, walk_scripts

FIXTURES = Path(__file__).parent / "fixtures" / "compare"
FORMATS = Path(__file__).parent / "fixtures" / "formats"
LICENSE = """MIT License

Copyright (c) 2024 Somebody

Permission is hereby granted, free of charge, to any person obtaining a copy of this software.

THE SOFTWARE IS PROVIDED "AS IS", WITHOUT WARRANTY OF ANY KIND, EXPRESS OR IMPLIED.
"""
PROSE = """The keeper climbed the stairs every night for forty years. Nobody thanked him.

When the storm came, his granddaughter ran for the spare weights while he turned the crank by hand.
"""


def make_refs(root: Path) -> Path:
    refs = root / "refs"
    (refs / "old").mkdir(parents=True)
    shutil.copy(FIXTURES / "keepers_daughter.fountain", refs / "keepers_daughter.fountain")
    shutil.copy(FIXTURES / "night_shift.fountain", refs / "old" / "night_shift.fountain")
    shutil.copy(FORMATS / "layout.txt", refs / "layout.txt")  # a script laid out in plain text: kept
    (refs / "LICENSE-MIT.txt").write_text(LICENSE, encoding="utf-8")
    (refs / "README.fountain").write_text(
        "Title: notes\n\nHow these references were chosen.\n", encoding="utf-8"
    )
    (refs / "CHANGELOG.txt").write_text("v2: added scripts\n", encoding="utf-8")
    (refs / "retelling.txt").write_text(PROSE, encoding="utf-8")
    return refs


def test_only_scripts_are_found_in_folders_and_the_rest_is_reported(tmp_path: Path) -> None:
    refs = make_refs(tmp_path)
    found, skipped = walk_scripts([str(refs)])
    assert sorted(Path(f.path).name for f in found) == [
        "keepers_daughter.fountain",
        "layout.txt",
        "night_shift.fountain",
    ]
    reasons = {Path(s.path).name: s.problem for s in skipped}
    assert set(reasons) == {"LICENSE-MIT.txt", "README.fountain", "CHANGELOG.txt", "retelling.txt"}
    assert reasons["LICENSE-MIT.txt"].startswith("not a script (a project file such as LICENSE or README")
    assert reasons["retelling.txt"].startswith("not a script (plain prose: no scene heading, no cast")


def test_files_named_explicitly_are_read_whatever_they_are(tmp_path: Path) -> None:
    refs = make_refs(tmp_path)
    named = [str(refs / "retelling.txt"), str(refs / "LICENSE-MIT.txt")]
    found, skipped = walk_scripts(named)
    assert [f.path for f in found] == named and skipped == []
    assert screenplay_problem(str(refs / "keepers_daughter.fountain")) is None


def test_exclude_globs_match_names_and_paths_below_the_root(tmp_path: Path) -> None:
    refs = make_refs(tmp_path)
    root = str(refs)
    assert excluded(root, str(refs / "old" / "night_shift.fountain"), ["old"])
    assert excluded(root, str(refs / "old" / "night_shift.fountain"), ["old/*"])
    assert excluded(root, str(refs / "layout.txt"), ["*.txt"])
    assert not excluded(root, str(refs / "keepers_daughter.fountain"), ["old", "*.txt", "keep"])
    found, _ = walk_scripts([root], exclude=["old", "*.txt"])
    assert [Path(f.path).name for f in found] == ["keepers_daughter.fountain"]


def test_simcheck_index_reports_skipped_files_and_honours_exclude(tmp_path: Path) -> None:
    refs = make_refs(tmp_path)
    idx = tmp_path / "idx"
    args = ["index", str(refs), "--index", str(idx), "--model", "hash-16", "-q"]
    result = CliRunner().invoke(cli, [*args, "--exclude", "old"])
    assert result.exit_code == 0, result.output
    assert f"skipped {refs / 'LICENSE-MIT.txt'}: not a script (a project file" in result.stderr
    assert f"skipped {refs / 'retelling.txt'}: not a script (plain prose" in result.stderr
    assert "2 scripts" in result.stdout  # keepers_daughter and layout.txt; old/ excluded
    info = CliRunner().invoke(cli, ["info", "--index", str(idx)])
    assert "2 scripts" in info.stdout


def test_compare_against_a_folder_uses_the_same_walk(tmp_path: Path) -> None:
    refs = make_refs(tmp_path)
    draft = str(FIXTURES / "salt_and_signal.fountain")
    base = ["compare", draft, "--against", str(refs), "--model", "hash-64", "--format", "json"]
    report = json.loads(CliRunner().invoke(cli, base).stdout)
    assert report["index"]["scripts"] == 3  # no LICENSE, README, CHANGELOG or prose among the references
    report = json.loads(CliRunner().invoke(cli, [*base, "--exclude", "old", "--exclude", "*.txt"]).stdout)
    assert report["index"]["scripts"] == 1

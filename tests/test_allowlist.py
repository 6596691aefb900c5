from __future__ import annotations

from pathlib import Path

import pytest

from simcheck.errors import InputError, UsageError
from simcheck.match.allowlist import Allowlist, parse_entry, read_allowlist


def test_relative_paths_resolve_against_the_base(tmp_path: Path) -> None:
    entry = parse_entry("refs/pilot.fountain", tmp_path)
    assert entry.whole_script
    assert entry.matches_path(str((tmp_path / "refs" / "pilot.fountain").resolve()))
    assert not entry.matches_path(str(tmp_path / "refs" / "other.fountain"))


def test_a_bare_glob_matches_file_names_anywhere(tmp_path: Path) -> None:
    entry = parse_entry("episode-*.fountain", tmp_path)
    assert entry.matches_path("/somewhere/else/episode-01.fountain")
    assert not entry.matches_path("/somewhere/episode-01.fdx")


def test_a_folder_glob_covers_sub_folders(tmp_path: Path) -> None:
    entry = parse_entry("own/*", tmp_path)
    assert entry.matches_path(f"{tmp_path}/own/season1/ep1.fountain")
    assert not entry.matches_path(f"{tmp_path}/others/ep1.fountain")


def test_line_ranges_allow_only_passages_inside_them(tmp_path: Path) -> None:
    allow = Allowlist((parse_entry("/refs/a.fountain:10-20", tmp_path),))
    assert allow.script("/refs/a.fountain") is None
    assert allow.passage("/refs/a.fountain", 12, 18, "", "") is not None
    assert allow.passage("/refs/a.fountain", 12, 25, "", "") is None
    assert allow.passage("/refs/b.fountain", 12, 18, "", "") is None


def test_bad_line_range_is_a_usage_error(tmp_path: Path) -> None:
    with pytest.raises(UsageError, match="line range"):
        parse_entry("/refs/a.fountain:20-10", tmp_path)


def test_quotes_allow_evidence_inside_them(tmp_path: Path) -> None:
    entry = parse_entry("quote: Shall I compare thee to a summer's day? Thou art more lovely", tmp_path)
    allow = Allowlist((entry,))
    assert allow.passage("/x", 1, 1, "shall I compare thee to a summer's day", "") is entry
    assert allow.passage("/x", 1, 1, "", "Thou art more lovely!") is entry
    assert allow.passage("/x", 1, 1, "shall I compare thee to a winter's night in the rain", "") is None
    with pytest.raises(UsageError, match="no words"):
        parse_entry("quote: ...", tmp_path)


def test_allowlist_file_skips_comments_and_resolves_next_to_itself(tmp_path: Path) -> None:
    folder = tmp_path / "conf"
    folder.mkdir()
    file = folder / "allow.txt"
    file.write_text("# my own episodes\n\n../own/ep1.fountain\nquote: to be or not to be\n", encoding="utf-8")
    entries = read_allowlist(file)
    assert [e.text for e in entries] == ["../own/ep1.fountain", "quote: to be or not to be"]
    assert entries[0].matches_path(str((tmp_path / "own" / "ep1.fountain").resolve()))


def test_missing_allowlist_file_names_the_file(tmp_path: Path) -> None:
    missing = tmp_path / "nope.txt"
    with pytest.raises(InputError) as info:
        read_allowlist(missing)
    assert str(info.value) == f"{missing}: allowlist file not found"


def test_build_combines_entries_and_files(tmp_path: Path) -> None:
    file = tmp_path / "allow.txt"
    file.write_text("b.fountain\n", encoding="utf-8")
    allow = Allowlist.build(["a.fountain"], [file], base=tmp_path)
    assert allow
    assert allow.script("/x/a.fountain") is not None
    assert allow.script("/x/b.fountain") is not None
    assert allow.script("/x/c.fountain") is None
    assert not Allowlist.build([], [])

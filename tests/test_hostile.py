"""Hostile and real-world input (issue 15): nothing escapes the folders given, nothing hangs or blows up.

The whole hostile set (``tests/hostile.py``) runs first, each command in a fresh process, timed and
measured: no traceback, no run over 30 s or 2 GB, the exit code and the one line each must end with.
The tests after it check what the set cannot see from outside: what was indexed or compared, that JSON
keeps the data it escapes, the messages for system errors, reference paths and provenance.
"""

from __future__ import annotations

import errno
import json
import os
import re
import shutil
import zlib
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner
from hostile import (
    FIXTURES,
    TERMINAL_CONTROL,
    build,
    fountain_script,
    run,
)

import simcheck.read.decode as decode
import simcheck.text.passages as passages_module
from simcheck.cli import cli
from simcheck.compare import compare, open_references
from simcheck.errors import InputError, problem_text
from simcheck.index import Index
from simcheck.read import read_script
from simcheck.read.caps import _inflated_size, check_text
from simcheck.read.walk import LEADS_OUTSIDE, walk_scripts
from simcheck.settings import MAX_LINE_CHARS, IndexSettings

SHARED = Path(__file__).resolve().parents[1].parent / "shared"
SECRET = "quartermaster"  # a word only the private file outside the references holds


def test_the_hostile_set_holds_up(tmp_path: Path) -> None:
    """Every hostile input: no traceback, under 30 s and 2 GB, the expected exit and one-line error."""
    cases = build(tmp_path)
    assert len(cases) >= 35
    failures = []
    for case in cases:
        outcome = run(case, tmp_path)
        if not outcome.ok:
            failures.append(f"{case.name}: {'; '.join(outcome.problems)}\n{outcome.stderr[-600:]}")
    assert not failures, "\n".join(failures)


# --- confinement -------------------------------------------------------------------------------


def _refs_with_links(tmp_path: Path) -> Path:
    refs = tmp_path / "refs"
    refs.mkdir()
    for name in ("keepers_daughter.fountain", "orchard_debts.fountain"):
        shutil.copy(FIXTURES / name, refs / name)
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "private.fountain").write_text(
        fountain_script(f"Private {SECRET}", 2, seed=3), encoding="utf-8"
    )
    (refs / "shadow.fountain").symlink_to(outside / "private.fountain")
    (refs / "more").symlink_to(outside, target_is_directory=True)
    (refs / "inside.fountain").symlink_to(refs / "orchard_debts.fountain")  # inside: followed, found once
    return refs


def test_links_out_of_an_indexed_folder_are_listed_not_read(tmp_path: Path, hash_embedder) -> None:
    refs = _refs_with_links(tmp_path)
    index = Index.create(tmp_path / "idx", IndexSettings(), hash_embedder)
    summary = index.add([refs])
    assert {(s.path, s.problem) for s in summary.skipped} == {
        (str(refs / "shadow.fountain"), LEADS_OUTSIDE),
        (str(refs / "more"), LEADS_OUTSIDE),
    }
    indexed = [s.path for s in index.scripts()]
    assert indexed == [str(refs / "keepers_daughter.fountain"), str(refs / "orchard_debts.fountain")]
    assert not any(SECRET in p.text for p in index.passages(range(index.n_passages)))
    followed = index.add([refs], follow_links=True)
    assert followed.added == (str(tmp_path / "outside" / "private.fountain"),) and not followed.skipped


def test_index_command_lists_the_links_it_did_not_follow(tmp_path: Path) -> None:
    refs = _refs_with_links(tmp_path)
    result = CliRunner().invoke(
        cli, ["index", str(refs), "--index", str(tmp_path / "idx"), "--model", "hash-64"]
    )
    assert result.exit_code == 0, result.output
    assert f"skipped {refs / 'more'}: {LEADS_OUTSIDE}" in result.stderr.splitlines()
    assert "2 scripts" in result.stdout and "2 skipped" in result.stdout
    again = ["index", str(refs), "--index", str(tmp_path / "idx"), "--model", "hash-64", "--follow-links"]
    assert "1 added" in CliRunner().invoke(cli, again).stdout


def test_links_out_of_an_against_folder_are_not_followed(tmp_path: Path, hash_embedder) -> None:
    refs = _refs_with_links(tmp_path)
    draft = FIXTURES / "salt_and_signal.fountain"
    report = compare(draft, against=[refs], embedder=hash_embedder)
    assert report.index.scripts == 2
    assert set(report.warnings) == {f"more: {LEADS_OUTSIDE}", f"shadow.fountain: {LEADS_OUTSIDE}"}
    assert SECRET not in report.to_json()
    references, _, source = open_references(None, [refs], hash_embedder, follow_links=True)
    assert len(references.scripts()) == 3 and source.skipped == ()


def test_a_folder_given_through_a_link_is_its_own_area(tmp_path: Path) -> None:
    """The folder named on the command line is taken as given, link or not; links inside that lead back
    into it are followed (and found once)."""
    refs = _refs_with_links(tmp_path)
    link = tmp_path / "refs-link"
    link.symlink_to(refs, target_is_directory=True)
    found, skipped = walk_scripts([str(link)])
    assert sorted(f.real for f in found) == [
        str(refs / "keepers_daughter.fountain"),
        str(refs / "orchard_debts.fountain"),
    ]
    assert {s.path for s in skipped} == {str(link / "more"), str(link / "shadow.fountain")}


# --- gate honesty --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "read"),
    [
        (
            "Title: Nothing\nAuthor: Nobody\n",
            "0 scenes, 0 words to compare, a title page: nothing to compare",
        ),
        (
            "/*\nAll of it in the boneyard, every word.\n*/\n",
            "0 scenes, 0 words to compare: nothing to compare",
        ),
        ("INT. ROOM - DAY\n\nEXT. YARD - NIGHT\n", "2 scenes, 0 words to compare: nothing to compare"),
        ("INT. ROOM - DAY\n\nShe waits.\n", "1 scene, 2 words to compare: too few words to compare"),
    ],
)
def test_a_draft_read_as_nothing_never_passes_the_gate(
    tmp_path: Path, text: str, read: str, hash_embedder
) -> None:
    draft = tmp_path / "draft.fountain"
    draft.write_text(text, encoding="utf-8")
    result = CliRunner().invoke(
        cli, ["compare", str(draft), "--against", str(FIXTURES / "bakery.fountain"), "--model", "hash-64"]
    )
    assert result.exit_code == 1
    assert result.stderr == f"Error: {draft}: read as fountain: {read} (simcheck parse shows what was read)\n"
    with pytest.raises(InputError, match="to compare"):
        compare(draft, against=[FIXTURES / "bakery.fountain"], embedder=hash_embedder)


# --- path options and control characters -------------------------------------------------------


def test_an_unreadable_draft_is_one_line_and_exit_1(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    draft = tmp_path / "draft.fountain"
    draft.write_text("INT. ROOM - DAY\n\nShe waits by the door for a long while.\n", encoding="utf-8")
    real_open = os.open

    def refuse(path, flags, *args):
        if str(path) == str(draft):
            raise PermissionError(errno.EACCES, os.strerror(errno.EACCES), str(path))
        return real_open(path, flags, *args)

    monkeypatch.setattr(decode.os, "open", refuse)
    result = CliRunner().invoke(cli, ["compare", str(draft), "--against", str(FIXTURES / "bakery.fountain")])
    assert (result.exit_code, result.stderr) == (
        1,
        f"Error: {draft}: cannot read the file: permission denied\n",
    )


@pytest.mark.skipif(os.name != "posix" or os.geteuid() == 0, reason="root reads any file")
def test_a_draft_without_read_permission(tmp_path: Path) -> None:
    draft = tmp_path / "draft.fountain"
    draft.write_text("INT. ROOM - DAY\n\nShe waits.\n", encoding="utf-8")
    draft.chmod(0)
    result = CliRunner().invoke(cli, ["parse", str(draft)])
    assert (result.exit_code, result.stderr) == (
        1,
        f"Error: {draft}: cannot read the file: permission denied\n",
    )


ESCAPES = "\x1b]0;pwned\x07\x1b[2J\x9b31m\u202e"


def test_parse_prints_no_control_character_and_json_keeps_the_data(tmp_path: Path) -> None:
    script = tmp_path / "escapes.fountain"
    script.write_text(
        f"Title: Night{ESCAPES} Shift\n\nINT. ROOM{ESCAPES} - NIGHT\n\n"
        f"She waits{ESCAPES}.\n\nMARA{ESCAPES}\nGo.\n",
        encoding="utf-8",
    )
    text = CliRunner().invoke(cli, ["parse", str(script)], color=True)  # as on a terminal: nothing stripped
    assert text.exit_code == 0 and not TERMINAL_CONTROL.search(text.stdout.replace("\t", " "))
    assert "title: Night]0;pwned[2J31m Shift" in text.stdout
    raw = CliRunner().invoke(cli, ["parse", str(script), "--format", "json"], color=True).stdout
    assert not TERMINAL_CONTROL.search(raw)
    assert json.loads(raw)["title"] == f"Night{ESCAPES} Shift"  # escaped, not lost


def test_error_lines_and_summaries_print_no_control_character(tmp_path: Path) -> None:
    bad = tmp_path / f"draft{ESCAPES}\nline two.docx"
    bad.write_text("x", encoding="utf-8")
    result = CliRunner().invoke(cli, ["parse", str(bad)], color=True)
    assert result.exit_code == 1 and len(result.stderr.splitlines()) == 1
    assert not TERMINAL_CONTROL.search(result.stderr.rstrip("\n"))
    ref = tmp_path / "ref.fountain"
    ref.write_text(
        (FIXTURES / "keepers_daughter.fountain").read_text().replace("Title: ", f"Title: {ESCAPES}")
    )
    summary = CliRunner().invoke(
        cli,
        [
            "compare",
            str(FIXTURES / "salt_and_signal.fountain"),
            "--against",
            str(ref),
            "--format",
            "text",
            "--model",
            "hash-64",
        ],
        color=True,
    )
    assert summary.exit_code == 3 and "Keeper's Daughter" in summary.stdout
    sgr = re.compile(r"\x1b\[[0-9;]*m")  # the summary's own colours
    assert not TERMINAL_CONTROL.search(sgr.sub("", summary.stdout))


# --- caps ----------------------------------------------------------------------------------------


def test_caps_leave_long_real_text_alone() -> None:
    """The PAN prose documents with the longest line (72,117 characters) and the most passages read."""
    for name in ("src/source-document00534.txt", "src/source-document03204.txt"):
        path = SHARED / "pan13" / "train_corpus" / name
        if not path.exists():
            pytest.skip(f"{path} not found")
        passages_module.make_passages(read_script(path), IndexSettings())


def test_line_caps_count_every_line_break() -> None:
    check_text("a\r" * 50_000, "x.txt")  # 50,001 lines of one character: fine
    with pytest.raises(InputError, match=r"x\.txt: line 3 is 100,001 characters long \(limit 100,000\)"):
        check_text("a\rb\r\n" + "c" * (MAX_LINE_CHARS + 1), "x.txt")
    with pytest.raises(InputError, match=r"100,001 lines \(limit 100,000\)"):
        check_text("\r\n" * 100_000, "x.txt")


def test_a_flate_bomb_is_measured_without_inflating_it_in_memory() -> None:
    bomb = zlib.compress(b"\0" * 50_000_000, 1)
    assert _inflated_size(memoryview(b"junk" + bomb), 4, 10_000_000) <= 10_000_000 + (1 << 20)
    assert _inflated_size(memoryview(bomb), 0, 100_000_000) == 50_000_000
    assert _inflated_size(memoryview(b"not zlib data at all"), 0, 100) == 0


def test_passage_sizes_are_capped() -> None:
    with pytest.raises(ValueError, match="between 1 and 512 words"):
        IndexSettings(passage_max_words=100_000)


def test_passages_per_script_are_capped(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(passages_module, "MAX_PASSAGES", 10)
    draft = tmp_path / "long.fountain"
    draft.write_text(fountain_script("Long", 6), encoding="utf-8")
    with pytest.raises(InputError, match=r"long\.fountain: more than 10 passages to compare"):
        passages_module.make_passages(read_script(draft), IndexSettings())


# --- system errors -------------------------------------------------------------------------------


def test_disk_full_and_permission_problems_are_told_in_words(tmp_path: Path) -> None:
    import faiss

    full = "no space left on the device (free some space, then run again)"
    with open("/dev/full", "wb", buffering=0) as handle, pytest.raises(OSError) as numpy_error:
        np.save(handle, np.zeros((1000, 100)), allow_pickle=False)
    assert problem_text(numpy_error.value) == full
    index = faiss.IndexFlatIP(8)
    index.add(np.zeros((1000, 8), dtype="float32"))
    with pytest.raises(RuntimeError) as faiss_error:
        faiss.write_index(index, "/dev/full")
    assert problem_text(faiss_error.value) == full
    assert problem_text(OSError(errno.EROFS, os.strerror(errno.EROFS))).startswith("read-only file system")
    assert problem_text(PermissionError(errno.EACCES, os.strerror(errno.EACCES))) == "permission denied"
    assert problem_text(OSError(errno.EDQUOT, os.strerror(errno.EDQUOT))).startswith("disk quota exceeded")
    report = tmp_path / "report.json"
    report.symlink_to("/dev/full")  # a report written to a full disk
    result = CliRunner().invoke(
        cli,
        [
            "compare",
            str(FIXTURES / "bakery.fountain"),
            "--against",
            str(FIXTURES / "night_shift.fountain"),
            "--model",
            "hash-64",
            "-o",
            str(report),
        ],
    )
    assert (result.exit_code, result.stderr) == (1, f"Error: cannot write {report}: {full}\n")


# --- reference paths and provenance ---------------------------------------------------------------


def _compare_json(args: list[str]) -> dict:
    result = CliRunner().invoke(cli, ["compare", *args, "--model", "hash-64", "--format", "json"])
    assert result.exit_code in (0, 3), result.output
    return json.loads(result.stdout)


def test_reports_name_references_relative_to_the_indexed_folder(tmp_path: Path) -> None:
    """Two copies of one reference folder in two places give the same report (paths relative to the
    folder indexed); ``--absolute-paths`` names the files in full."""
    draft = str(FIXTURES / "salt_and_signal.fountain")
    reports = []
    for place in ("alice/clients/acme", "bob"):
        refs = tmp_path / place / "refs"
        (refs / "sub").mkdir(parents=True)
        shutil.copy(FIXTURES / "keepers_daughter.fountain", refs / "sub")
        shutil.copy(FIXTURES / "orchard_debts.fountain", refs)
        index = tmp_path / place / "idx"
        assert (
            CliRunner()
            .invoke(cli, ["index", str(refs), "--index", str(index), "--model", "hash-64"])
            .exit_code
            == 0
        )
        reports.append(_compare_json([draft, "--index", str(index)]))
    first, second = reports
    assert first["references"][0]["path"] == "sub/keepers_daughter.fountain"
    assert {m["reference"] for m in first["matches"]} == {"sub/keepers_daughter.fountain"}
    assert first["index"]["paths_relative_to"] == "refs"
    assert first["index"]["references_sha256"] == second["index"]["references_sha256"]
    assert "alice" not in json.dumps(first["references"]) + json.dumps(first["matches"])
    assert first["references"] == second["references"] and first["matches"] == second["matches"]
    absolute = _compare_json([draft, "--index", str(tmp_path / "bob" / "idx"), "--absolute-paths"])
    assert absolute["references"][0]["path"] == str(
        tmp_path / "bob" / "refs" / "sub" / "keepers_daughter.fountain"
    )
    assert (
        absolute["index"]["paths_relative_to"] is None and absolute["settings"]["compare"]["absolute_paths"]
    )


def test_a_pairwise_report_is_the_same_wherever_the_files_lie(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    outputs = []
    for place in ("one/deep/folder", "two"):
        folder = tmp_path / place
        (folder / "refs").mkdir(parents=True)
        shutil.copy(FIXTURES / "keepers_daughter.fountain", folder / "refs")
        shutil.copy(FIXTURES / "salt_and_signal.fountain", folder / "draft.fountain")
        monkeypatch.chdir(folder)
        result = CliRunner().invoke(
            cli,
            [
                "compare",
                "draft.fountain",
                "--against",
                str(folder / "refs"),
                "--model",
                "hash-64",
                "--format",
                "json",
            ],
        )
        assert result.exit_code == 3, result.output
        outputs.append(result.stdout)
    assert outputs[0] == outputs[1]
    assert json.loads(outputs[0])["references"][0]["path"] == "keepers_daughter.fountain"

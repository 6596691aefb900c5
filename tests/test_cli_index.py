from __future__ import annotations

import fcntl
import re
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from simcheck.cli import cli

SCRIPT_A = """Title: Salt and Iron

INT. FORGE - NIGHT

Sparks jump from the anvil as the smith hammers a horseshoe that glows like a small sun.

BRAM
Hold the tongs steady or we will both be wearing this iron by morning, my friend.

ELKE
My hands are steady. It is the anvil that keeps moving under your hammer.
"""

SCRIPT_B = """INT. LIGHTHOUSE - DAWN

The lamp turns slowly while the keeper writes the names of passing ships into a damp ledger.

KEEPER
Nine ships tonight and not a single one of them answered my signal lamp.
"""


@pytest.fixture
def refs(tmp_path: Path) -> Path:
    folder = tmp_path / "refs"
    folder.mkdir()
    (folder / "forge.fountain").write_text(SCRIPT_A)
    (folder / "lighthouse.fountain").write_text(SCRIPT_B)
    return folder


def _run(*args: str, env: dict[str, str] | None = None) -> Result:
    return CliRunner().invoke(cli, list(args), env=env)


def test_index_then_rerun_then_info(tmp_path: Path, refs: Path) -> None:
    idx = str(tmp_path / "idx")
    first = _run("index", str(refs), "--index", idx, "--model", "hash-32")
    assert first.exit_code == 0, first.output
    assert re.fullmatch(
        rf"{re.escape(idx)}: 2 scripts, 2 scenes, \d+ passages \(2 added, 0 updated, 0 removed, 0 unchanged; "
        r"\d+ passages embedded\) in \d+\.\d s\n",
        first.stdout,
    )
    assert first.stderr == ""  # no progress bar when stderr is not a terminal
    again = _run("index", str(refs), "--index", idx)
    assert again.exit_code == 0
    assert "(0 added, 0 updated, 0 removed, 2 unchanged)" in again.stdout

    info = _run("info", "--index", idx, "--verify")
    assert info.exit_code == 0, info.output
    assert "Model:     hash-32 (32 dimensions)" in info.stdout
    assert "Contents:  2 scripts, 2 scenes," in info.stdout
    assert "Semantic:  exact (FAISS IndexFlatIP)" in info.stdout
    assert "Segments:  1\n" in info.stdout
    assert info.stdout.endswith("Verified:  OK (9 files match their checksums)\n")


def test_default_index_location_from_environment(tmp_path: Path, refs: Path) -> None:
    idx = tmp_path / "from-env"
    result = _run(
        "index", str(refs / "forge.fountain"), "--model", "hash-16", env={"SIMCHECK_INDEX": str(idx)}
    )
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith(f"{idx}: 1 scripts")
    assert (idx / "manifest.json").exists()


def test_skipped_files_are_listed_one_line_each(tmp_path: Path, refs: Path) -> None:
    (refs / "broken.fdx").write_bytes(b"<?xml version='1.0'?><FinalDraft><Content><Para")
    (refs / "gone.fountain").symlink_to(tmp_path / "nowhere.fountain")
    result = _run("index", str(refs), "--index", str(tmp_path / "idx"), "--model", "hash-16")
    assert result.exit_code == 0
    lines = result.stderr.splitlines()
    assert len(lines) == 2
    assert lines[0].startswith(f"skipped {refs / 'broken.fdx'}: ")
    assert lines[1] == f"skipped {refs / 'gone.fountain'}: broken symbolic link"
    assert "2 scripts" in result.stdout and "2 skipped" in result.stdout


def test_nothing_to_index_is_an_error(tmp_path: Path) -> None:
    empty = tmp_path / "empty"
    empty.mkdir()
    result = _run("index", str(empty), "--index", str(tmp_path / "idx"), "--model", "hash-16")
    assert result.exit_code == 1
    assert result.stderr == f"Error: {empty}: no script files found\n"


def test_model_mismatch_message(tmp_path: Path, refs: Path) -> None:
    idx = tmp_path / "idx"
    assert _run("index", str(refs), "--index", str(idx), "--model", "hash-32").exit_code == 0
    result = _run("index", str(refs), "--index", str(idx), "--model", "hash-64")
    assert result.exit_code == 2
    assert result.stderr == (
        f"Error: index {idx} was built with model hash-32, not hash-64: use --model hash-32, "
        "or build a new index with --model hash-64 and another --index\n"
    )


def test_missing_index_message(tmp_path: Path) -> None:
    idx = tmp_path / "none"
    result = _run("info", "--index", str(idx))
    assert result.exit_code == 1
    assert result.stderr == f"Error: no index at {idx}: create one with `simcheck index PATH --index {idx}`\n"


def test_locked_index_message(tmp_path: Path, refs: Path) -> None:
    idx = tmp_path / "idx"
    assert (
        _run("index", str(refs / "forge.fountain"), "--index", str(idx), "--model", "hash-16").exit_code == 0
    )
    with open(idx / "lock", "w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        result = _run("index", str(refs), "--index", str(idx))
    assert result.exit_code == 1
    assert result.stderr == (
        f"Error: index {idx} is being written by another simcheck process; "
        "wait for it to finish or use another --index\n"
    )


def test_verify_reports_damage(tmp_path: Path, refs: Path) -> None:
    idx = tmp_path / "idx"
    assert _run("index", str(refs), "--index", str(idx), "--model", "hash-16").exit_code == 0
    target = next(idx.glob("seg-*/signatures.npy"))
    data = bytearray(target.read_bytes())
    data[-1] ^= 0x01
    target.write_bytes(bytes(data))
    result = _run("info", "--index", str(idx), "--verify")
    assert result.exit_code == 1
    assert result.stderr == (
        f"damaged: {target.parent.name}/signatures.npy: checksum mismatch (damaged or modified)\n"
        f"Error: index {idx} is damaged (1 problem); rebuild it with simcheck index\n"
    )
    truncated = _run("info", "--index", str(idx))
    assert truncated.exit_code == 0  # same size: only --verify can tell
    target.write_bytes(bytes(data[:100]))
    result = _run("info", "--index", str(idx))
    assert result.exit_code == 1
    assert result.stderr == (
        f"Error: index {idx} is corrupt: {target.parent.name}/signatures.npy is truncated or damaged "
        f"(100 bytes, expected {len(data)}); rebuild the index\n"
    )


def test_remove(tmp_path: Path, refs: Path) -> None:
    idx = tmp_path / "idx"
    assert _run("index", str(refs), "--index", str(idx), "--model", "hash-16").exit_code == 0
    result = _run("remove", str(refs / "forge.fountain"), "--index", str(idx))
    assert result.exit_code == 0
    assert result.stdout.splitlines()[0] == f"removed {refs / 'forge.fountain'}"
    assert result.stdout.splitlines()[1].startswith(f"{idx}: 1 scripts, ")
    again = _run("remove", str(refs / "forge.fountain"), "--index", str(idx))
    assert again.exit_code == 2
    assert again.stderr == (
        f"not in the index: {refs / 'forge.fountain'}\n"
        f"Error: nothing removed: {refs / 'forge.fountain'} not in index {idx}\n"
    )


def test_index_measures_the_calibration_once_so_compare_does_not(tmp_path: Path) -> None:
    from simcheck.calibration import needs_measuring
    from simcheck.index.store import Index
    from simcheck.settings import MIN_SCRIPTS, CompareSettings

    words = "harbour lantern ledger anvil orchard violin quarry saddle kettle compass".split()
    folder = tmp_path / "refs"
    folder.mkdir()
    for n in range(MIN_SCRIPTS):
        lines = [f"INT. ROOM {n} - DAY", "", " ".join(words[(n + k) % 10] for k in range(14)) + ".", ""]
        for k in range(4):
            lines += [f"PERSON{k}", " ".join(words[(n * 3 + k * 7 + j) % 10] for j in range(12)) + ".", ""]
        (folder / f"script{n:02d}.fountain").write_text("\n".join(lines))
    idx = tmp_path / "idx"
    first = _run("index", str(folder), "--index", str(idx), "--model", "hash-32")
    assert first.exit_code == 0, first.output
    assert "Calibrating: measuring how alike unrelated scripts in the index are..." in first.output
    assert not needs_measuring(Index.open(idx), CompareSettings())
    again = _run("index", str(folder), "--index", str(idx), "--model", "hash-32")
    assert again.exit_code == 0 and "Calibrating" not in again.output  # nothing changed: nothing to measure
    quiet = tmp_path / "quiet"
    silent = _run("index", str(folder), "--index", str(quiet), "--model", "hash-32", "--quiet")
    assert silent.exit_code == 0 and "Calibrat" not in silent.output
    assert not needs_measuring(Index.open(quiet), CompareSettings())

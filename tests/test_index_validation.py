"""A tampered or damaged index: one line ("index DIR is corrupt: ..."), never a traceback, never a read
outside the index folder, never a report from bytes that do not match the manifest; and the CLI's
index hygiene: list, info --json, a failed first index leaves nothing behind, --compact."""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import threading
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from fakes import HashEmbedder

from simcheck.cli import cli
from simcheck.compare import compare
from simcheck.errors import IndexCorrupt, IndexWriteError
from simcheck.index.store import Index
from simcheck.settings import IndexSettings

FIXTURES = Path(__file__).parent / "fixtures" / "compare"
REFS = ("keepers_daughter.fountain", "orchard_debts.fountain", "night_shift.fountain")


def _run(*args: str) -> Result:
    return CliRunner().invoke(cli, list(args))


@pytest.fixture
def index_dir(tmp_path: Path) -> Path:
    folder = tmp_path / "idx"
    Index.create(folder, IndexSettings(), HashEmbedder(64)).add([FIXTURES / name for name in REFS])
    return folder


def _manifest(folder: Path) -> dict:
    return json.loads((folder / "manifest.json").read_text())


def _tamper(folder: Path, change) -> None:
    manifest = _manifest(folder)
    change(manifest)
    (folder / "manifest.json").write_text(json.dumps(manifest))


@pytest.mark.parametrize(
    ("change", "problem"),
    [
        (lambda m: m["segments"][0].update(name="../outside"), "segments[0].name must be seg-NNNNNN"),
        (lambda m: m["segments"][0].update(name="/etc"), "segments[0].name must be seg-NNNNNN"),
        (lambda m: m["segments"][0].update(layout=1, name="gen-../x"), "segments[0].name must be gen-NNNNNN"),
        (
            lambda m: m["segments"][0]["files"].update({"../../dev/zero": {"bytes": 1, "sha256": "0" * 64}}),
            "segments[0].files names an unknown file '../../dev/zero'",
        ),
        (
            lambda m: m["segments"][0]["files"]["meta.sqlite"].update(bytes="many"),
            "segments[0].files.meta.sqlite.bytes must be an integer >= 0",
        ),
        (lambda m: m["segments"][0]["files"].pop("signatures.npy"), "segments[0].files lacks signatures.npy"),
        (lambda m: m["segments"][0].update(deleted=[99]), "segments[0].deleted must list script ids"),
        (lambda m: m.update(segments={"a": 1}), "segments must be a list"),
        (lambda m: m.update(dimension="384"), "dimension must be an integer >= 1"),
        (lambda m: m["settings"].update(num_perm="128"), "settings"),
        (lambda m: m.update(counts=[1, 2]), "counts must be an object"),
        (lambda m: m["segments"].append(m["segments"][0]), "is listed twice"),
        (
            lambda m: m.update(format_version=1, generation="../gen-000001", files={}),
            "generation must be gen-",
        ),
    ],
)
def test_tampered_manifest_is_one_line_index_corrupt(index_dir: Path, change, problem: str) -> None:
    _tamper(index_dir, change)
    with pytest.raises(IndexCorrupt) as error:
        Index.open(index_dir)
    message = str(error.value)
    assert message.startswith(f"index {index_dir} is corrupt: manifest.json: ") and problem in message
    assert "\n" not in message
    result = _run("info", "--index", str(index_dir), "--verify")
    assert result.exit_code == 1 and result.stderr == f"Error: {message}\n"


def test_links_devices_and_fifos_are_never_read(index_dir: Path, tmp_path: Path) -> None:
    segment = next(index_dir.glob("seg-*"))
    target = segment / "signatures.npy"
    target.unlink()
    target.symlink_to("/dev/zero")
    with pytest.raises(IndexCorrupt, match="signatures.npy is not a regular file"):
        Index.open(index_dir)
    target.unlink()
    os.mkfifo(target)  # a FIFO would block a reader forever

    outcome: list[Result] = []
    worker = threading.Thread(
        target=lambda: outcome.append(_run("info", "--index", str(index_dir), "--verify"))
    )
    worker.start()
    worker.join(timeout=20)
    assert not worker.is_alive(), "info --verify hung on a FIFO"
    assert outcome[0].exit_code == 1 and "signatures.npy is not a regular file" in outcome[0].stderr
    manifest = index_dir / "manifest.json"
    manifest.rename(tmp_path / "real-manifest.json")
    manifest.symlink_to(tmp_path / "real-manifest.json")
    with pytest.raises(IndexCorrupt, match="manifest.json is not a regular file"):
        Index.open(index_dir)


def test_extras_never_follow_links(index_dir: Path, tmp_path: Path) -> None:
    index = Index.open(index_dir)
    index.write_extra("calibration", {"a": 1})
    assert Index.open(index_dir).read_extra("calibration") == {"a": 1}
    target = index_dir / "extra" / "calibration.json"
    target.unlink()
    target.symlink_to("/dev/zero")
    assert Index.open(index_dir).read_extra("calibration") is None  # not read, and no hang
    shutil.rmtree(index_dir / "extra")
    (tmp_path / "elsewhere").mkdir()
    (tmp_path / "elsewhere" / "calibration.json").write_text('{"b": 2}')
    (index_dir / "extra").symlink_to(tmp_path / "elsewhere")
    assert Index.open(index_dir).read_extra("calibration") is None
    with pytest.raises(IndexWriteError):
        Index.open(index_dir).write_extra("calibration", {"c": 3})
    assert (tmp_path / "elsewhere" / "calibration.json").read_text() == '{"b": 2}'


def test_compare_never_reports_from_bytes_that_do_not_match(index_dir: Path) -> None:
    segment = next(index_dir.glob("seg-*"))
    target = segment / "meta.sqlite"
    title = sqlite3.connect(target).execute("SELECT title FROM scripts WHERE id = 0").fetchone()[0]
    data = target.read_bytes()
    assert title.encode() in data
    target.write_bytes(data.replace(title.encode(), b"X" * len(title.encode())))  # same size
    with pytest.raises(IndexCorrupt, match=r"seg-000001/meta.sqlite does not match its checksum"):
        compare(FIXTURES / "salt_and_signal.fountain", index=index_dir, embedder=HashEmbedder(64))


@pytest.mark.parametrize("name", ["vectors.f16.npy", "band_keys.npy", "shingles.npy", "signatures.npy"])
def test_a_flipped_bit_in_any_array_stops_compare(index_dir: Path, name: str) -> None:
    target = next(index_dir.glob("seg-*")) / name
    data = bytearray(target.read_bytes())
    data[-1] ^= 0x01
    target.write_bytes(bytes(data))
    with pytest.raises(IndexCorrupt, match=f"{name} does not match its checksum"):
        compare(FIXTURES / "salt_and_signal.fountain", index=index_dir, embedder=HashEmbedder(64))


def test_list_and_info_json(index_dir: Path) -> None:
    listed = _run("list", "--index", str(index_dir), "--json")
    assert listed.exit_code == 0, listed.output
    scripts = json.loads(listed.stdout)
    assert [s["path"] for s in scripts] == [str((FIXTURES / n).resolve()) for n in sorted(REFS)]
    assert set(scripts[0]) == {"id", "path", "title", "scenes", "passages"}
    text = _run("list", "--index", str(index_dir))
    assert text.exit_code == 0 and len(text.stdout.splitlines()) == 3
    info = _run("info", "--index", str(index_dir), "--json", "--verify")
    assert info.exit_code == 0, info.output
    data = json.loads(info.stdout)
    assert data["scripts"] == 3 and data["model"] == "hash-64" and data["segments"] == 1
    assert data["passages"] == sum(s["passages"] for s in scripts) and data["scenes"] > 0
    assert data["verified"]["ok"] is True


def test_a_failed_first_index_leaves_nothing_behind(tmp_path: Path) -> None:
    empty = tmp_path / "empty"
    empty.mkdir()
    idx = tmp_path / "new" / "deeper" / "idx"
    result = _run("index", str(empty), "--index", str(idx), "--model", "hash-16")
    assert result.exit_code == 1 and not (tmp_path / "new").exists()
    garbage = tmp_path / "garbage"
    garbage.mkdir()
    (garbage / "noise.fountain").write_bytes(b"\x00\x01\x02\xff" * 100)
    result = _run("index", str(garbage), "--index", str(idx), "--model", "hash-16")
    assert result.exit_code == 1 and "no script could be read" in result.stderr
    assert not (tmp_path / "new").exists()
    existing = tmp_path / "existing"
    existing.mkdir()
    result = _run("index", str(empty), "--index", str(existing), "--model", "hash-16")
    assert result.exit_code == 1 and existing.is_dir() and list(existing.iterdir()) == []


def test_compact_from_the_command_line(tmp_path: Path) -> None:
    idx = str(tmp_path / "idx")
    for name in REFS:
        assert _run("index", str(FIXTURES / name), "--index", idx, "--model", "hash-16").exit_code == 0
    assert json.loads(_run("info", "--index", idx, "--json").stdout)["segments"] == 3
    result = _run("index", "--compact", "--index", idx)
    assert result.exit_code == 0 and result.stdout == f"{idx}: compacted\n"
    assert json.loads(_run("info", "--index", idx, "--json").stdout)["segments"] == 1
    assert _run("index", "--compact", "--index", idx).stdout == f"{idx}: already compact\n"
    nothing = _run("index", "--index", idx)
    assert nothing.exit_code == 2 and nothing.stderr == "Error: give PATHS to index, or --compact\n"

"""``simcheck parse``: text and JSON output, strict mode, one-line errors with exit codes."""

from __future__ import annotations

import io
import json
import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner

from simcheck.cli import cli

FIXTURES = Path(__file__).parent / "fixtures" / "formats"


def _zip_with_bytes_cut_from_its_member() -> bytes:
    """A Fade In archive whose central directory no longer points at its member (bytes went missing)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("document.xml", "<document><paragraphs/></document>" * 4)
    data = buffer.getvalue()
    return data[:60] + data[76:]  # 16 bytes gone from the stored member: its offset becomes negative


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, ["parse", *args])
    return result.exit_code, result.stdout, result.stderr


def test_json_output_has_the_contract_fields_and_exact_offsets() -> None:
    path = FIXTURES / "ferry.fountain"
    code, out, _ = run(str(path), "--format", "json")
    assert code == 0
    data = json.loads(out)
    assert {"path", "format", "title", "cast", "scenes"} <= set(data)
    assert (data["path"], data["format"], data["title"]) == (
        str(path),
        "fountain",
        "The Last Ferry A test script",
    )
    assert data["cast"] == ["ANNA", "BOATMAN", "MCGREGOR"]
    assert data["scenes"][0]["heading"] is None
    assert [s["number"] for s in data["scenes"]] == [1, 2, 3, 4, 5]
    text = path.read_text(encoding="utf-8")
    for scene in data["scenes"]:
        assert {"number", "heading", "start", "end", "line", "elements"} <= set(scene)
        for element in scene["elements"]:
            assert {"kind", "text", "start", "end", "line"} <= set(element)
            assert text.count("\n", 0, element["start"]) + 1 == element["line"]
    cue = data["scenes"][1]["elements"][6]
    assert cue == {
        "kind": "character", "text": "BOATMAN", "start": cue["start"], "end": cue["start"] + 14, "line": 22,
        "character": "BOATMAN", "extension": "O.S.", "page": 1,
    }  # fmt: skip
    assert text[cue["start"] : cue["end"]] == "BOATMAN (O.S.)"


def test_text_output_shows_scenes_elements_and_assumptions() -> None:
    code, out, _ = run(str(FIXTURES / "ferry.fountain"))
    assert code == 0
    assert "cast (3): ANNA, BOATMAN, MCGREGOR" in out
    assert "scene 2 #1: EXT. FERRY DOCK - NIGHT  [line 12]" in out
    assert "line 22  CUE        BOATMAN (O.S.)" in out
    assert "assumptions (2):\n  line 54: treated 'EXT. ISLAND - DAWN' as a scene heading" in out
    code, strict_out, _ = run(str(FIXTURES / "ferry.fountain"), "--strict")
    assert code == 0 and strict_out.rstrip().endswith("strict reading: no lenient assumptions made")


@pytest.mark.parametrize(
    ("name", "data", "message", "exit_code"),
    [
        ("empty.fountain", b"", "empty file", 1),
        ("blob.fountain", bytes(range(256)) * 4, "binary file, not a script", 1),
        ("notes.docx", b"PK\x03\x04", "unknown extension '.docx' (supported: .fadein, .fdx, .fountain, "
         ".highland, .pdf, .spmd, .text, .txt)", 1),
        ("cut.fadein", b"PK\x03\x04\x14\x00\x00\x00", "truncated or invalid zip archive", 1),
        ("bad.fdx", b"<FinalDraft><Content>", "malformed XML: no element found: line 1, column 21", 1),
        ("enc.fdx", b'<?xml version="1.0" encoding="MTF-8"?><FinalDraft/>',
         "malformed XML: unknown encoding: MTF-8", 1),
        ("moved.fadein", _zip_with_bytes_cut_from_its_member(), "truncated or invalid zip archive", 1),
    ],
)  # fmt: skip
def test_bad_input_gives_one_line_and_exit_code(
    tmp_path: Path, name: str, data: bytes, message: str, exit_code: int
) -> None:
    path = tmp_path / name
    path.write_bytes(data)
    code, out, err = run(str(path))
    assert code == exit_code
    assert out == ""
    assert err == f"Error: {path}: {message}\n"


def test_directory_and_missing_file(tmp_path: Path) -> None:
    code, _, err = run(str(tmp_path))
    assert (code, err) == (1, f"Error: {tmp_path}: is a directory, not a file\n")
    code, _, err = run(str(tmp_path / "nope.fountain"))
    assert (code, err) == (1, f"Error: {tmp_path / 'nope.fountain'}: no such file\n")


def test_too_large_file(tmp_path: Path) -> None:
    path = tmp_path / "huge.fountain"
    with path.open("wb") as handle:
        handle.truncate(50 * 1024 * 1024)
    code, _, err = run(str(path))
    assert (code, err) == (1, f"Error: {path}: file too large (52.4 MB, limit 50 MB)\n")


def test_script_without_headings_is_one_implicit_scene(tmp_path: Path) -> None:
    path = tmp_path / "prose.fountain"
    path.write_text("Just prose.\n\nMore prose.\n")
    code, out, _ = run(str(path), "--format", "json")
    assert code == 0
    scenes = json.loads(out)["scenes"]
    assert len(scenes) == 1 and scenes[0]["heading"] is None
    assert [e["text"] for e in scenes[0]["elements"]] == ["Just prose.", "More prose."]


def test_a_reader_bug_is_one_line_not_a_traceback(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import simcheck.read.reader as formats

    def broken(name: str, data: bytes, strict: bool) -> None:
        raise ValueError("no speaker\n  for this line")

    monkeypatch.setitem(formats.READERS, ".fountain", broken)
    path = tmp_path / "odd.fountain"
    path.write_text("INT. ROOM - DAY\n\nHello.\n", encoding="utf-8")
    code, out, err = run(str(path))
    assert (code, out) == (1, "")
    assert err == (
        f"Error: {path}: could not be read (ValueError: no speaker for this line); "
        "please report this simcheck bug\n"
    )

"""Bytes to text: BOMs, UTF-16 without BOM, cp1252, latin-1, binary and size checks."""

from __future__ import annotations

from pathlib import Path

import pytest

from simcheck.errors import InputError, NotAFile
from simcheck.model import Lines
from simcheck.read import decode, read_script
from simcheck.read.decode import decode_bytes, read_bytes

SCRIPT = "INT. CAFÉ - DAY\r\n\r\nZOË\r\nCrème brûlée — “now”.\r\n"


@pytest.mark.parametrize(
    ("data", "encoding"),
    [
        (SCRIPT.encode("utf-8"), "utf-8"),
        (b"\xef\xbb\xbf" + SCRIPT.encode("utf-8"), "utf-8-sig"),
        (b"\xff\xfe" + SCRIPT.encode("utf-16-le"), "utf-16-le"),
        (b"\xfe\xff" + SCRIPT.encode("utf-16-be"), "utf-16-be"),
        (SCRIPT.encode("utf-16-le"), "utf-16-le"),
        (SCRIPT.encode("utf-16-be"), "utf-16-be"),
        (SCRIPT.encode("cp1252"), "cp1252"),
    ],
)
def test_encodings_decode_to_the_same_text(data: bytes, encoding: str) -> None:
    text, found = decode_bytes(data, "x.fountain")
    assert (text, found) == (SCRIPT, encoding)


def test_latin1_is_the_last_resort() -> None:
    data = "caf\xe9 \x81".encode("latin-1")  # 0x81 is undefined in cp1252
    assert decode_bytes(data, "x.txt") == ("caf\xe9 \x81", "latin-1")


@pytest.mark.parametrize(
    "data",
    [
        b"\x00\x01\x02\x03binary\x00\xff" * 20,
        b"%PDF-1.4 fake",
        b"\x89PNG\r\n\x1a\n....",
        b"\x01\x02\x03\x04" * 50,
    ],
)
def test_binary_is_refused(data: bytes) -> None:
    with pytest.raises(InputError, match=r"^x\.fountain: binary file, not a script$"):
        decode_bytes(data, "x.fountain")


def test_whitespace_only_is_empty() -> None:
    with pytest.raises(InputError, match="empty file"):
        decode_bytes(b" \r\n\t\n", "x.fountain")


def test_read_bytes_checks(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    empty = tmp_path / "empty.fountain"
    empty.write_bytes(b"")
    with pytest.raises(InputError, match=r"empty\.fountain: empty file$"):
        read_bytes(empty)
    with pytest.raises(NotAFile, match="is a directory, not a file"):
        read_bytes(tmp_path)
    with pytest.raises(InputError, match="no such file"):
        read_bytes(tmp_path / "missing.fountain")
    big = tmp_path / "big.fountain"
    big.write_bytes(b"x" * 2000)
    monkeypatch.setattr(decode, "MAX_FILE_BYTES", 1000)
    with pytest.raises(InputError, match=r"file too large \(0\.0 MB, limit 0 MB\)"):
        read_bytes(big)


def test_a_50_mb_file_is_refused_without_reading_it(tmp_path: Path) -> None:
    big = tmp_path / "huge.fountain"
    with big.open("wb") as handle:  # sparse: no 50 MB written to disk
        handle.truncate(52 * 1024 * 1024)
    with pytest.raises(InputError, match=r"^.*huge\.fountain: file too large \(54\.5 MB, limit 50 MB\)$"):
        read_script(big)


def test_split_lines_only_breaks_on_lf_crlf_cr() -> None:
    text = "a\r\nb\rc\nd\u2028e\x0cf\x85g\n"
    lines = Lines.of(text)
    assert [text[s:e] for s, e in zip(lines.starts, lines.ends, strict=True)] == [
        "a", "b", "c", "d\u2028e\x0cf\x85g", "",
    ]  # fmt: skip
    assert lines.number(0) == 1 and lines.number(3) == 2 and lines.number(7) == 4
    assert Lines.of("").starts == (0,)


def test_utf16_script_reads_with_offsets_into_decoded_text(tmp_path: Path) -> None:
    path = tmp_path / "wide.fountain"
    path.write_bytes(b"\xff\xfe" + SCRIPT.encode("utf-16-le"))
    script = read_script(path)
    assert script.encoding == "utf-16-le"
    assert script.text == SCRIPT
    cue = script.scenes[0].elements[1]
    assert (cue.kind, script.raw(cue), cue.line) == ("character", "ZOË", 3)


def test_a_few_stray_nuls_are_text_not_binary() -> None:
    script = "INT. DINER - NIGHT\n\nMAE pours coffee. She waits.\n" * 20 + "MAE\nMore?\x00\n"
    text, encoding = decode_bytes(script.encode("utf-8"), "x.fountain")
    assert (text, encoding) == (script, "utf-8")  # kept as written: offsets stay exact

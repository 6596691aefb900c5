"""Every parser fixture of ../shared/fixtures/formats (MIT, three projects) and our own parse, with
offsets that round-trip to the source text."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

import pytest

from simcheck.model import Lines, Script, line_of
from simcheck.read import SUPPORTED_EXTENSIONS, read_script

SHARED = Path(__file__).resolve().parents[1].parent / "shared" / "fixtures" / "formats"
OWN = Path(__file__).parent / "fixtures" / "formats"
SCRIPT_EXTENSIONS = tuple(e for e in SUPPORTED_EXTENSIONS if e not in (".txt", ".text"))


def _files(root: Path) -> list[Path]:
    return (
        sorted(p for p in root.rglob("*") if p.suffix.lower() in SUPPORTED_EXTENSIONS)
        if root.exists()
        else []
    )


SHARED_FILES = _files(SHARED)
OWN_FILES = _files(OWN)


def check_round_trip(script: Script) -> None:
    lines = Lines.of(script.text)
    elements = [e for scene in script.scenes for e in scene.elements] + list(script.title_page)
    for element in elements:
        raw = script.text[element.start : element.end]
        assert raw == raw.strip(), element
        assert element.line == line_of(script.text, element.start) == lines.number(element.start)
        if element.kind in ("action", "dialogue", "scene_heading") and script.format not in ("pdf",):
            assert element.text.split()[:1] == [] or element.text.split()[0].strip("*_!.@>~") in raw
    previous = -1
    for scene in script.scenes:
        assert scene.start >= previous
        assert scene.elements and scene.start == scene.elements[0].start
        previous = scene.end
    assert [s.number for s in script.scenes] == list(range(1, len(script.scenes) + 1))


@pytest.mark.skipif(not SHARED_FILES, reason=f"shared fixtures not found at {SHARED}")
@pytest.mark.parametrize("path", SHARED_FILES, ids=[str(p.relative_to(SHARED)) for p in SHARED_FILES])
def test_shared_fixture_parses_and_round_trips(path: Path) -> None:
    script = read_script(path)
    check_round_trip(script)
    strict = read_script(path, strict=True)
    check_round_trip(strict)
    assert strict.assumptions == ()


@pytest.mark.parametrize("path", OWN_FILES, ids=[p.name for p in OWN_FILES])
def test_own_fixture_parses_and_round_trips(path: Path) -> None:
    check_round_trip(read_script(path))


def _collapse(kinds: Iterable[str]) -> list[str]:
    """Kinds with repeats merged: FDX splits a speech into one paragraph per line."""
    out: list[str] = []
    for kind in kinds:
        if not out or out[-1] != kind:
            out.append(kind)
    return out


@pytest.mark.skipif(not SHARED_FILES, reason="shared fixtures not found")
def test_fdx_and_fountain_twins_agree() -> None:
    """screenplain ships the same script as .fountain and .fdx: both read to the same elements."""
    twins = [p for p in SHARED_FILES if p.suffix == ".fdx" and p.with_suffix(".fountain").exists()]
    assert len(twins) >= 8
    for fdx in twins:
        a = read_script(fdx)
        b = read_script(fdx.with_suffix(".fountain"))
        compared = {"scene_heading", "character", "dialogue", "parenthetical"}
        ka = [(e.kind, e.text) for s in a.scenes for e in s.elements if e.kind in compared]
        kb = [(e.kind, " ".join(e.text.split())) for s in b.scenes for e in s.elements if e.kind in compared]
        assert a.cast == b.cast, fdx.name
        assert _collapse(k for k, _ in ka) == _collapse(k for k, _ in kb), fdx.name


@pytest.mark.skipif(not SHARED_FILES, reason="shared fixtures not found")
def test_crlf_and_bom_fixtures_keep_newlines_as_written() -> None:
    script = read_script(SHARED / "screenplain" / "utf-8-bom.fountain")
    assert script.encoding == "utf-8-sig"
    assert "\r\n" in script.text and not script.text.startswith("\ufeff")
    multi = next(e for s in script.scenes for e in s.elements if "\r\n" in script.raw(e))
    assert "\r" not in multi.text

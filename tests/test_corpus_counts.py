"""Every script of the shared corpus parses; its scene and speech counts equal SOURCES.md."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from simcheck.model import CHARACTER, SCENE_HEADING
from simcheck.read import read_script

CORPUS = Path(__file__).resolve().parents[1].parent / "shared" / "corpus"
_ROW = re.compile(r"^\| (\S+\.fountain) \|.*\| (\d+) \| (\d+) \| (\d+) \|$")


def _rows() -> list[tuple[str, int, int]]:
    sources = CORPUS / "SOURCES.md"
    if not sources.exists():
        return []
    rows = []
    for line in sources.read_text(encoding="utf-8").splitlines():
        match = _ROW.match(line)
        if match:
            rows.append((match.group(1), int(match.group(2)), int(match.group(3))))
    return rows


ROWS = _rows()
pytestmark = pytest.mark.skipif(not ROWS, reason=f"shared corpus not found at {CORPUS}")


def test_sources_lists_every_corpus_file() -> None:
    listed = {name for name, _, _ in ROWS}
    on_disk = {str(p.relative_to(CORPUS)) for p in CORPUS.rglob("*.fountain")}
    assert listed == on_disk
    assert len(listed) == 83


@pytest.mark.parametrize(("name", "scenes", "speeches"), ROWS, ids=[r[0] for r in ROWS])
def test_counts_match_sources(name: str, scenes: int, speeches: int) -> None:
    script = read_script(CORPUS / name)
    elements = [e for scene in script.scenes for e in scene.elements]
    assert sum(e.kind == SCENE_HEADING for e in elements) == scenes
    assert sum(e.kind == CHARACTER for e in elements) == speeches
    assert sum(s.heading is not None for s in script.scenes) == scenes
    for element in elements:
        assert script.text[element.start : element.end].strip() == script.text[element.start : element.end]

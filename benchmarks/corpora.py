"""Many scripts from the shared corpus: its 83 scripts cut into pieces, written as Fountain files.

A studio's registry holds thousands of scripts; the shared corpus holds 83. ``split_corpus`` cuts every
corpus script into pieces of about ``passages`` passages (at speech and paragraph boundaries, a piece
that starts inside a scene repeating that scene's heading), so that the same 51k passages make an index
of ~1,000 scripts of ~50 passages, or of a few hundred tiny scripts. The passages of a piece are almost
all the corpus's own passage texts, so an index of the pieces can be derived from an index of the
corpus without embedding again (``derive_index``: copy, add the pieces, remove the originals; the index
reuses the vector of every passage text it already holds). Nothing is copied into the repository: the
pieces are written to a folder the caller gives (a temporary one in the benchmarks).
"""

from __future__ import annotations

import bisect
import json
import shutil
from collections.abc import Sequence
from pathlib import Path

from simcheck.model import ACTION, CENTERED, CHARACTER, LYRIC, Script
from simcheck.read import read_script
from simcheck.settings import IndexSettings
from simcheck.text.passages import make_passages

_UNIT_STARTS = frozenset({CHARACTER, ACTION, CENTERED, LYRIC})


def _units(script: Script) -> list[tuple[int, int, int, int]]:
    """(scene number, raw start, raw end, passages starting inside) of every speech or paragraph."""
    starts = sorted(p.start for p in make_passages(script, IndexSettings()))
    out: list[tuple[int, int, int, int]] = []
    for scene in script.scenes:
        current: list[int] | None = None
        for element in scene.elements:
            if element.kind in _UNIT_STARTS or current is None:
                if current is not None:
                    out.append((scene.number, current[0], current[1], 0))
                current = [element.start, element.end]
            else:
                current[1] = max(current[1], element.end)
        if current is not None:
            out.append((scene.number, current[0], current[1], 0))
    counted: list[tuple[int, int, int, int]] = []
    for i, (scene, a, b, _n) in enumerate(out):
        end = out[i + 1][1] if i + 1 < len(out) else len(script.text) + 1
        n = bisect.bisect_left(starts, end) - bisect.bisect_left(starts, a)
        counted.append((scene, a, b, n))
    return counted


def _piece_text(script: Script, title: str, part: int, units: Sequence[tuple[int, int, int, int]]) -> str:
    headings = {s.number: s.heading for s in script.scenes}
    out = [f"Title: {title} (part {part})", ""]
    scene = None
    for number, a, b, _n in units:
        if number != scene:
            scene = number
            out += [f".{headings.get(number) or 'SCENE'} (part {part})", ""]
        out += [script.text[a:b].strip("\n"), ""]
    return "\n".join(out)


def split_script(path: Path, passages: int) -> list[str]:
    """The Fountain texts of the pieces of one script, each about ``passages`` passages long."""
    script = read_script(path)
    units = _units(script)
    title = script.title or path.stem
    pieces: list[str] = []
    current: list[tuple[int, int, int, int]] = []
    count = 0
    for unit in units:
        current.append(unit)
        count += unit[3]
        if count >= passages:
            pieces.append(_piece_text(script, title, len(pieces) + 1, current))
            current, count = [], 0
    if current and (count >= max(1, passages // 3) or not pieces):
        pieces.append(_piece_text(script, title, len(pieces) + 1, current))
    elif current:  # a short tail joins the last piece
        pieces[-1] = _piece_text(script, title, len(pieces), _last_units(units, current, passages))
    return pieces


def _last_units(
    units: Sequence[tuple[int, int, int, int]], tail: Sequence[tuple[int, int, int, int]], passages: int
) -> list[tuple[int, int, int, int]]:
    """The units of the last full piece plus the short tail."""
    end = len(units) - len(tail)
    start, count = end, 0
    while start > 0 and count < passages:
        start -= 1
        count += units[start][3]
    return list(units[start:])


def split_corpus(files: Sequence[Path], out: Path, passages: int, limit: int | None = None) -> list[Path]:
    """Cut ``files`` into pieces of about ``passages`` passages under ``out`` (at most ``limit``
    pieces, taken in turn from each file so that they come from many scripts)."""
    out.mkdir(parents=True, exist_ok=True)
    per_file = [(path, split_script(path, passages)) for path in sorted(files)]
    chosen: list[tuple[Path, int, str]] = []
    if limit is None:
        chosen = [(path, i, text) for path, texts in per_file for i, text in enumerate(texts)]
    else:
        depth = 0
        while len(chosen) < limit and any(depth < len(texts) for _p, texts in per_file):
            for path, texts in per_file:
                if depth < len(texts) and len(chosen) < limit:
                    chosen.append((path, depth, texts[depth]))
            depth += 1
    written: list[Path] = []
    for path, i, text in chosen:
        target = out / f"{path.stem}--{i + 1:04d}.fountain"
        target.write_text(text, encoding="utf-8")
        written.append(target)
    return written


def derive_index(base: Path, target: Path, add: Sequence[Path], remove: Sequence[str]) -> Path:
    """A copy of the index ``base`` at ``target`` with ``add`` indexed and ``remove`` dropped (passage
    texts the index already holds keep their vectors: nothing known is embedded again)."""
    from simcheck.index import Index

    if target.exists():
        shutil.rmtree(target)
    target.mkdir(parents=True)
    manifest = json.loads((base / "manifest.json").read_text(encoding="utf-8"))
    shutil.copytree(
        base / manifest["generation"], target / manifest["generation"], ignore=shutil.ignore_patterns("extra")
    )
    shutil.copy2(base / "manifest.json", target / "manifest.json")
    index = Index.open(target)
    if add:
        index.add([str(p) for p in add])
    if remove:
        index.remove(list(remove))
    index.close()
    return target


TINY_WORDS = "harbour lantern ledger anvil orchard violin quarry saddle kettle compass".split()


def tiny_scripts(out: Path, count: int) -> list[Path]:
    """``count`` tiny scripts (one scene: an action line and four speeches) written from the same ten
    words, like the tests' scripts: every passage shares word shingles with almost every other, the
    worst case for lexical candidates."""
    out.mkdir(parents=True, exist_ok=True)
    words = TINY_WORDS
    written: list[Path] = []
    for n in range(count):
        lines = [f"INT. ROOM {n} - DAY", "", " ".join(words[(n + k) % 10] for k in range(14)) + ".", ""]
        for k in range(4):
            lines += [f"PERSON{k}", " ".join(words[(n * 3 + k * 7 + j) % 10] for j in range(12)) + ".", ""]
        target = out / f"tiny{n:04d}.fountain"
        target.write_text("\n".join(lines), encoding="utf-8")
        written.append(target)
    return written


REPEATED_SENTENCE = "The old man walked down to the harbour and watched the boats."  # 12 words


def repeated_line_file(path: Path, passages: int = 4167) -> Path:
    """A file of a single line: one 12-word sentence repeated so that it cuts into ``passages``
    identical 96-word passages (the default: ~2 MB, the hostile file of issue 13)."""
    per_passage = IndexSettings().passage_max_words // len(REPEATED_SENTENCE.split())
    path.write_text(" ".join([REPEATED_SENTENCE] * (per_passage * passages)) + "\n", encoding="utf-8")
    return path

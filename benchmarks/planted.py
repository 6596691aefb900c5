"""Planted-copy cases: drafts with known copied material, and the exact ground truth.

A case is a small draft in Fountain: a few consecutive scenes of a *host* script (original with
respect to the reference index: the host is never indexed) and one planted piece taken from a
*source* script (which is indexed), disguised by one obfuscation:

- ``verbatim``: a run of consecutive speeches copied as they are, as a new scene;
- ``renamed``: the same, every speaker renamed (cues and mentions in the text);
- ``word_edits``: the same, about 15% of the dialogue words replaced, deleted or swapped;
- ``partial``: the first half of each of 3-5 consecutive speeches, dropped into the middle of an
  otherwise original host scene;
- ``shuffled``: the speeches of the run in a different order.

Ground truth is character spans: every planted block is a ``Segment`` with its span in the draft's
text and in the source file's text (``draft[draft_start:draft_end] == segment.draft_text``,
``source[source_start:source_end] == segment.source_text``). Host scenes are recorded the same way.

The generator reads scripts with its own block splitter (blank-line separated blocks of the shared
corpus's Fountain), not with simcheck's parser: the ground truth must not depend on the system under
test. Everything is driven by one ``random.Random(seed)``: the same seed gives byte-identical drafts.
Drafts are written to a directory the caller gives (a temporary one, never the repository).
"""

from __future__ import annotations

import json
import random
import re
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from pathlib import Path

OBFUSCATIONS = ("verbatim", "renamed", "word_edits", "partial", "shuffled")

HEADING = "heading"
SPEECH = "speech"
ACTION = "action"

_WORD = re.compile(r"\w+(?:['\u2019]\w+)*")
_PLACES = (
    "A ROOM",
    "A STREET",
    "THE GARDEN",
    "A HALL",
    "OUTSIDE THE GATES",
    "THE KITCHEN",
    "A CORRIDOR",
    "THE TERRACE",
)
# Invented names, unlikely to occur in the shared corpus.
_NEW_NAMES = (
    "ZELDANE",
    "BRISKOW",
    "TAMSINE",
    "OKONDRA",
    "FERRANDE",
    "HALVARDO",
    "MIRELKA",
    "QUENTLY",
    "VASHTOR",
    "JOLANDER",
    "PERIWEN",
    "DROSKE",
)
_CUE_STOPWORDS = frozenset(
    (
        "A AN THE OF AND TO IN ON AT FOR WITH BY FIRST SECOND THIRD "
        + "LADY LORD SIR KING QUEEN DUKE OLD YOUNG"
    ).split()
)

HOST_SCENE_MAX_WORDS = 700  # host scenes are cut (at a block boundary) to keep drafts small
CHUNK_MIN_WORDS = 120
CHUNK_MAX_WORDS = 350
CHUNK_MIN_SPEECHES = 5
WORD_EDIT_RATE = 0.15


@dataclass(frozen=True)
class Block:
    """A blank-line separated block of a Fountain file; ``text == file_text[start:end]``."""

    kind: str  # HEADING | SPEECH | ACTION
    start: int
    end: int
    text: str
    cue: str | None = None  # first line of a speech

    @property
    def words(self) -> int:
        return len(_WORD.findall(self.text))


@dataclass(frozen=True)
class Segment:
    """One planted (or host) block: where it is in the draft and where it came from."""

    draft_start: int
    draft_end: int
    source_start: int
    source_end: int
    draft_text: str
    source_text: str


@dataclass(frozen=True)
class DraftScene:
    """A scene of a generated draft (heading to last block), and whether it holds planted text."""

    start: int
    end: int
    planted: bool
    host_segments: tuple[Segment, ...]  # the host blocks it contains (source_* point into the host)


@dataclass(frozen=True)
class PlantedCase:
    id: str
    obfuscation: str
    draft_path: str
    host: str
    source: str
    segments: tuple[Segment, ...]  # planted blocks; source_* point into ``source``
    scenes: tuple[DraftScene, ...]
    names: tuple[tuple[str, str], ...] = ()  # renamed: (source cue, new cue)

    @property
    def planted_span(self) -> tuple[int, int]:
        return min(s.draft_start for s in self.segments), max(s.draft_end for s in self.segments)

    def to_dict(self) -> dict[str, object]:
        return asdict(self)


def read_text(path: str | Path) -> str:
    """The file's decoded text with its newlines as written."""
    with open(path, encoding="utf-8", newline="") as handle:
        return handle.read()


def _is_cue(line: str) -> bool:
    stripped = line.strip()
    letters = [ch for ch in stripped if ch.isalpha()]
    return (
        bool(letters)
        and stripped == stripped.upper()
        and len(stripped) <= 60
        and not stripped.startswith(".")
    )


def read_blocks(text: str) -> list[Block]:
    """Blocks after the title page: headings (forced ``.X``), speeches (cue + lines) and action."""
    blocks: list[Block] = []
    pos = 0
    seen_heading = False
    block_start: int | None = None
    block_end = 0
    n = len(text)

    def close(start: int, end: int) -> None:
        nonlocal seen_heading
        body = text[start:end]
        lines = body.split("\n")
        first = lines[0]
        if first.startswith(".") and not first.startswith("..") and len(lines) == 1:
            seen_heading = True
            blocks.append(Block(HEADING, start, end, body))
        elif not seen_heading:
            return  # title page
        elif len(lines) >= 2 and _is_cue(first):
            blocks.append(Block(SPEECH, start, end, body, cue=first.strip()))
        else:
            blocks.append(Block(ACTION, start, end, body))

    while pos <= n:
        nl = text.find("\n", pos)
        line_end = n if nl < 0 else nl
        line = text[pos:line_end].rstrip("\r")
        if line.strip():
            if block_start is None:
                block_start = pos
            block_end = pos + len(line)
        elif block_start is not None:
            close(block_start, block_end)
            block_start = None
        if nl < 0:
            break
        pos = nl + 1
    if block_start is not None:
        close(block_start, block_end)
    return blocks


def split_scenes(blocks: Sequence[Block]) -> list[tuple[Block, list[Block]]]:
    """(heading, body blocks) per scene."""
    scenes: list[tuple[Block, list[Block]]] = []
    for block in blocks:
        if block.kind == HEADING:
            scenes.append((block, []))
        elif scenes:
            scenes[-1][1].append(block)
    return scenes


@dataclass
class _Draft:
    """Accumulates draft text and ground truth while a case is written."""

    parts: list[str]
    length: int = 0

    def add(self, text: str) -> tuple[int, int]:
        start = self.length
        self.parts.append(text)
        self.length += len(text)
        return start, self.length

    @property
    def text(self) -> str:
        return "".join(self.parts)


def _place(heading: str) -> str:
    if " - " in heading:
        return heading.split(" - ", 1)[1].strip() or "A ROOM"
    return "A ROOM"


def _host_body(body: Sequence[Block]) -> list[Block]:
    """The first blocks of a host scene, up to HOST_SCENE_MAX_WORDS words (at least one block)."""
    kept: list[Block] = []
    words = 0
    for block in body:
        if kept and words + block.words > HOST_SCENE_MAX_WORDS:
            break
        kept.append(block)
        words += block.words
    return kept


def _chunks(body: Sequence[Block]) -> list[tuple[int, int]]:
    """Runs [i, j) of consecutive speech/action blocks that make a plantable exchange."""
    found: list[tuple[int, int]] = []
    for i in range(len(body)):
        if body[i].kind != SPEECH:
            continue
        words = speeches = 0
        for j in range(i, len(body)):
            words += body[j].words
            speeches += body[j].kind == SPEECH
            if words > CHUNK_MAX_WORDS:
                break
            if words >= CHUNK_MIN_WORDS and speeches >= CHUNK_MIN_SPEECHES and body[j].kind == SPEECH:
                found.append((i, j + 1))
                break
    return found


def _partial_runs(body: Sequence[Block]) -> list[tuple[int, int]]:
    """Runs of 3-5 consecutive speeches of at least 16 words each."""
    runs: list[tuple[int, int]] = []
    for i in range(len(body)):
        j = i
        while j < len(body) and j - i < 5 and body[j].kind == SPEECH and body[j].words >= 16:
            j += 1
        if j - i >= 3:
            runs.append((i, j))
    return runs


def _half_speech(block: Block) -> tuple[int, int]:
    """Span (relative to the block) of the cue and the first ~55% of the dialogue words."""
    first_nl = block.text.index("\n")
    matches = list(_WORD.finditer(block.text, first_nl))
    keep = max(8, int(len(matches) * 0.55))
    keep = min(keep, len(matches))
    return 0, matches[keep - 1].end()


def _rename(text: str, mapping: dict[str, str]) -> str:
    """Replace each cue (whole line) and each name word (UPPER or Capitalised) by the new name."""
    lines = text.split("\n")
    out: list[str] = []
    word_map: dict[str, str] = {}
    for old, new in mapping.items():
        for word in _WORD.findall(old):
            if word.upper() not in _CUE_STOPWORDS and len(word) > 1:
                word_map[word.upper()] = new
                word_map[word.capitalize()] = new.capitalize()
    pattern = (
        re.compile(r"\b(" + "|".join(re.escape(w) for w in sorted(word_map, key=len, reverse=True)) + r")\b")
        if word_map
        else None
    )
    for index, line in enumerate(lines):
        if index == 0 and line.strip() in mapping:
            out.append(mapping[line.strip()])
        elif pattern is not None:
            out.append(pattern.sub(lambda m: word_map[m.group(1)], line))
        else:
            out.append(line)
    return "\n".join(out)


def _edit_words(text: str, rng: random.Random, vocabulary: Sequence[str]) -> str:
    """Replace, delete or swap about WORD_EDIT_RATE of the dialogue words (the cue line is kept)."""
    cue, _, dialogue = text.partition("\n")
    out: list[str] = []
    for line in dialogue.split("\n"):
        if line.startswith("(") or not line.strip():
            out.append(line)
            continue
        tokens = line.split(" ")
        i = 0
        result: list[str] = []
        while i < len(tokens):
            token = tokens[i]
            if _WORD.search(token) and rng.random() < WORD_EDIT_RATE:
                op = rng.randrange(3)
                if op == 0:
                    result.append(rng.choice(vocabulary))
                elif op == 1:
                    pass  # deleted
                elif i + 1 < len(tokens):
                    result.extend([tokens[i + 1], token])
                    i += 1
                else:
                    result.append(rng.choice(vocabulary))
            else:
                result.append(token)
            i += 1
        out.append(" ".join(result) if result else tokens[0])
    return cue + "\n" + "\n".join(out)


@dataclass(frozen=True)
class _Script:
    path: str
    text: str
    scenes: list[tuple[Block, list[Block]]]


def _load(path: Path) -> _Script:
    text = read_text(path)
    return _Script(str(path.resolve()), text, split_scenes(read_blocks(text)))


def generate(
    out_dir: str | Path,
    *,
    hosts: Sequence[str | Path],
    sources: Sequence[str | Path],
    per_obfuscation: int,
    seed: int,
    host_scenes_per_case: int = 2,
    obfuscations: Sequence[str] = OBFUSCATIONS,
) -> list[PlantedCase]:
    """Write ``per_obfuscation`` drafts per obfuscation into ``out_dir``; return their ground truth.

    Host scenes are not reused across cases (each innocent scene is counted once); sources are
    cycled in a shuffled order. Also writes ``truth.json`` (all cases) into ``out_dir``.
    """
    for name in obfuscations:
        if name not in OBFUSCATIONS:
            raise ValueError(f"unknown obfuscation {name!r}; choose from {', '.join(OBFUSCATIONS)}")
    rng = random.Random(seed)
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    host_scripts = [_load(Path(p)) for p in sorted(str(p) for p in hosts)]
    source_scripts = [_load(Path(p)) for p in sorted(str(p) for p in sources)]

    # Pool of host windows: consecutive scenes, never shared between cases.
    windows: list[tuple[_Script, list[tuple[Block, list[Block]]]]] = []
    for host in host_scripts:
        usable = [(h, _host_body(b)) for h, b in host.scenes if b and any(x.kind == SPEECH for x in b)]
        for i in range(0, len(usable) - host_scenes_per_case + 1, host_scenes_per_case):
            windows.append((host, usable[i : i + host_scenes_per_case]))
    rng.shuffle(windows)
    n_cases = per_obfuscation * len(obfuscations)
    if len(windows) < n_cases:
        raise ValueError(f"hosts give {len(windows)} scene windows, {n_cases} cases need one each: add hosts")

    # Candidate exchanges per source script.
    chunk_pool: list[tuple[_Script, list[Block]]] = []
    partial_pool: list[tuple[_Script, list[Block]]] = []
    for source in source_scripts:
        chunks = [(body, span) for _, body in source.scenes for span in _chunks(body)]
        partials = [(body, span) for _, body in source.scenes for span in _partial_runs(body)]
        if chunks:
            body, (i, j) = chunks[rng.randrange(len(chunks))]
            chunk_pool.append((source, body[i:j]))
        if partials:
            body, (i, j) = partials[rng.randrange(len(partials))]
            partial_pool.append((source, body[i:j]))
    if not chunk_pool or not partial_pool:
        raise ValueError("no source script has a plantable exchange")
    rng.shuffle(chunk_pool)
    rng.shuffle(partial_pool)

    vocabulary = sorted({w for h in host_scripts for w in _WORD.findall(h.text[:200_000]) if w.islower()})
    cases: list[PlantedCase] = []
    counter = 0
    for round_ in range(per_obfuscation):
        for obfuscation in obfuscations:
            host, host_scenes = windows[counter]
            if obfuscation == "partial":
                source, planted = partial_pool[round_ % len(partial_pool)]
            else:
                source, planted = chunk_pool[counter % len(chunk_pool)]
            case_id = f"case{counter + 1:03d}-{obfuscation}"
            cases.append(
                _write_case(
                    out / f"{case_id}.fountain",
                    case_id,
                    obfuscation,
                    host,
                    host_scenes,
                    source,
                    planted,
                    rng,
                    vocabulary,
                )
            )
            counter += 1
    (out / "truth.json").write_text(
        json.dumps([c.to_dict() for c in cases], indent=1, ensure_ascii=False), encoding="utf-8"
    )
    return cases


def _write_case(
    path: Path,
    case_id: str,
    obfuscation: str,
    host: _Script,
    host_scenes: list[tuple[Block, list[Block]]],
    source: _Script,
    planted: list[Block],
    rng: random.Random,
    vocabulary: Sequence[str],
) -> PlantedCase:
    draft = _Draft(parts=[])
    draft.add(f"Title: {case_id}\nAuthor: simcheck benchmark generator\n\n")
    segments: list[Segment] = []
    scenes: list[DraftScene] = []
    names: dict[str, str] = {}

    # What is planted, as (draft text, source span) per block.
    pieces: list[tuple[str, int, int]] = []
    if obfuscation == "partial":
        for block in planted:
            a, b = _half_speech(block)
            pieces.append((block.text[a:b], block.start + a, block.start + b))
    else:
        order = list(range(len(planted)))
        if obfuscation == "shuffled":
            while order == sorted(order):
                rng.shuffle(order)
        if obfuscation == "renamed":
            cues = sorted({b.cue for b in planted if b.cue})
            new_names = rng.sample(_NEW_NAMES, k=min(len(cues), len(_NEW_NAMES)))
            names = dict(zip(cues, new_names, strict=False))
        for index in order:
            block = planted[index]
            text = block.text
            if obfuscation == "renamed":
                text = _rename(text, names)
            elif obfuscation == "word_edits" and block.kind == SPEECH:
                text = _edit_words(text, rng, vocabulary)
            pieces.append((text, block.start, block.end))

    def add_blocks(items: list[tuple[str, int, int, bool]]) -> tuple[list[Segment], list[Segment]]:
        planted_segments: list[Segment] = []
        host_segments: list[Segment] = []
        for i, (text, s_start, s_end, is_planted) in enumerate(items):
            start, end = draft.add(text)
            segment = Segment(
                start, end, s_start, s_end, text, (source if is_planted else host).text[s_start:s_end]
            )
            (planted_segments if is_planted else host_segments).append(segment)
            draft.add("\n\n" if i < len(items) - 1 else "")
        return planted_segments, host_segments

    plant_at = rng.randrange(len(host_scenes) + 1) if obfuscation != "partial" else -1
    partial_scene = rng.randrange(len(host_scenes)) if obfuscation == "partial" else -1
    number = 0

    def add_scene(heading: str, items: list[tuple[str, int, int, bool]], is_planted: bool) -> None:
        nonlocal number
        number += 1
        if number > 1:
            draft.add("\n\n")
        start, _ = draft.add(f".SCENE {number} - {heading}\n\n")
        planted_segments, host_segments = add_blocks(items)
        segments.extend(planted_segments)
        scenes.append(DraftScene(start, draft.length, is_planted, tuple(host_segments)))

    for k, (heading, body) in enumerate(host_scenes):
        if k == plant_at:
            add_scene(rng.choice(_PLACES), [(t, a, b, True) for t, a, b in pieces], True)
        items = [(b.text, b.start, b.end, False) for b in body]
        if k == partial_scene:
            at = rng.randrange(1, len(items)) if len(items) > 1 else 1
            items = items[:at] + [(t, a, b, True) for t, a, b in pieces] + items[at:]
        add_scene(_place(heading.text), items, k == partial_scene)
    if plant_at == len(host_scenes):
        add_scene(rng.choice(_PLACES), [(t, a, b, True) for t, a, b in pieces], True)
    draft.add("\n")

    path.write_text(draft.text, encoding="utf-8", newline="")
    return PlantedCase(
        id=case_id,
        obfuscation=obfuscation,
        draft_path=str(path),
        host=host.path,
        source=source.path,
        segments=tuple(segments),
        scenes=tuple(scenes),
        names=tuple(sorted(names.items())),
    )

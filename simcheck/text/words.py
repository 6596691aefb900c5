"""The compared words of a script, with exact source offsets: what lexical evidence is aligned on.

The words are those of the elements passages are made of (``model.COMPARED_KINDS``: action,
dialogue, parentheticals, lyrics, centred text), never scene headings, character cues, transitions,
notes or page furniture such as ``(MORE)``. Each word is normalised and, when it is a capitalised
name of the script's own cast, masked (``normalize.tokenize``), so renamed characters still align.
Offsets point into ``script.text`` (``text[starts[i]:ends[i]]`` is the word as written; markup such
as ``*emphasis*`` stays outside). Words are grouped into *units*: a speech (the dialogue after one
cue; its id is the cue's offset) or an action paragraph (its own offset).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np

from simcheck.model import CHARACTER, COMPARED_KINDS, DIALOGUE, LYRIC, PARENTHETICAL, Element, Script
from simcheck.text.tokens import fold, masked_words, name_words

SPEECH_KINDS = frozenset({DIALOGUE, PARENTHETICAL, LYRIC})

# A line that is nothing but page furniture: (MORE), (CONT'D), CONTINUED:, (CONTINUING) ...
_FURNITURE = re.compile(
    r"^\W*(?:more|cont(?:['\u2019]d|inued|inuing|d)?\.?)\W*$",
    re.IGNORECASE,
)


def is_furniture(text: str) -> bool:
    """True for a line that is only page furniture such as ``(MORE)`` or ``(CONT'D)``."""
    return bool(_FURNITURE.match(text.strip()))


@dataclass(frozen=True)
class ScriptWords:
    norms: tuple[str, ...]
    starts: np.ndarray  # int64 offsets into script.text
    ends: np.ndarray
    units: np.ndarray  # int64 unit id per word (offset of the speech's cue or of the paragraph)
    speakers: dict[int, str]  # unit id -> speaker, for speeches
    scene_bounds: np.ndarray  # scene k (1-based) has words scene_bounds[k-1]:scene_bounds[k]

    def __len__(self) -> int:
        return len(self.norms)

    def scene_range(self, scene: int) -> tuple[int, int]:
        return int(self.scene_bounds[scene - 1]), int(self.scene_bounds[scene])

    def scene_of(self, word: int) -> int:
        """1-based scene number of word index ``word``."""
        return int(np.searchsorted(self.scene_bounds, word, side="right"))

    def word_range(self, start: int, end: int) -> tuple[int, int]:
        """Word indices ``[i, j)`` of the words starting inside characters ``[start, end)``."""
        i = int(np.searchsorted(self.starts, start, side="left"))
        j = int(np.searchsorted(self.starts, end, side="left"))
        return i, j

    def offsets(self, i: int, j: int) -> tuple[int, int]:
        """Character range from the start of word ``i`` to the end of word ``j - 1``."""
        return int(self.starts[i]), int(self.ends[j - 1])


@dataclass(frozen=True)
class SceneWords:
    """The compared words of one scene (offsets into the script's text)."""

    norms: tuple[str, ...]
    starts: np.ndarray
    ends: np.ndarray
    units: np.ndarray
    speakers: dict[int, str]


def scene_words(script: Script, number: int, names: frozenset[str] | None = None) -> SceneWords:
    """The compared words of scene ``number`` (1-based) of ``script``."""
    if names is None:
        names = name_words(script.cast)
    scene = script.scenes[number - 1]
    norms: list[str] = []
    starts: list[int] = []
    ends: list[int] = []
    units: list[int] = []
    speakers: dict[int, str] = {}
    unit: int | None = None
    for element in scene.elements:
        if element.kind == CHARACTER:
            unit = element.start
            speaker = element.character or element.text.strip()
            if speaker:
                speakers[unit] = speaker
            continue
        if element.kind not in COMPARED_KINDS or is_furniture(element.text):
            if element.kind not in SPEECH_KINDS:
                unit = None
            continue
        if element.kind in SPEECH_KINDS and unit is not None:
            current = unit
        else:
            current = element.start
            if element.kind in SPEECH_KINDS and element.character:
                speakers[current] = element.character
                unit = current
            else:
                unit = None
        for norm, start, end in _element_words(script.text, element, names):
            norms.append(norm)
            starts.append(start)
            ends.append(end)
            units.append(current)
    return SceneWords(
        norms=tuple(norms),
        starts=np.asarray(starts, dtype=np.int64),
        ends=np.asarray(ends, dtype=np.int64),
        units=np.asarray(units, dtype=np.int64),
        speakers=speakers,
    )


def assemble(n_scenes: int, scenes: dict[int, SceneWords]) -> ScriptWords:
    """A ``ScriptWords`` holding the given scenes (the others have no words), in scene order."""
    parts = [scenes[k] for k in sorted(scenes)]
    bounds = [0]
    for number in range(1, n_scenes + 1):
        found = scenes.get(number)
        bounds.append(bounds[-1] + (len(found.norms) if found is not None else 0))
    speakers: dict[int, str] = {}
    for part in parts:
        speakers.update(part.speakers)

    def cat(name: str) -> np.ndarray:
        arrays = [getattr(part, name) for part in parts]
        return np.concatenate(arrays) if arrays else np.zeros(0, dtype=np.int64)

    return ScriptWords(
        norms=tuple(norm for part in parts for norm in part.norms),
        starts=cat("starts"),
        ends=cat("ends"),
        units=cat("units"),
        speakers=speakers,
        scene_bounds=np.asarray(bounds, dtype=np.int64),
    )


def script_words(script: Script) -> ScriptWords:
    """The compared words of every scene of ``script`` (see the module docstring)."""
    names = name_words(script.cast)
    scenes = {scene.number: scene_words(script, scene.number, names) for scene in script.scenes}
    return assemble(len(script.scenes), scenes)


def _element_words(text: str, element: Element, names: frozenset[str]) -> list[tuple[str, int, int]]:
    """(masked norm, start, end) of the element's clean words, offsets found in its raw source.

    The clean text (``element.text``) has notes, boneyard and markup removed; when it differs from the
    raw source, its words are matched in order to the raw words of ``text[element.start:element.end]``
    (raw words that are not in the clean text, such as a note's, are skipped). A clean word not found
    gets a zero-width position after the previous one.
    """
    clean = element.text
    if text.startswith(clean, element.start) and element.end - element.start == len(clean):
        return masked_words(text, element.start, element.end, names)  # the common case: the same text
    words = masked_words(clean, 0, len(clean), names)
    raw = masked_words(text, element.start, element.end)
    raw_keys = [norm.replace("_", "") for norm, _, _ in raw]
    out: list[tuple[str, int, int]] = []
    j = 0
    last = element.start
    for norm, cstart, cend in words:
        key = fold(clean[cstart:cend]).replace("_", "")
        found = -1
        for k in range(j, min(len(raw), j + 64)):
            if raw_keys[k] == key:
                found = k
                break
        if found >= 0:
            out.append((norm, raw[found][1], raw[found][2]))
            last = raw[found][2]
            j = found + 1
        else:
            out.append((norm, last, last))
    return out


def nothing_to_compare(script: Script, passages: int | None = None) -> str | None:
    """Why ``script`` cannot be checked at all, in one line saying what was read; None when it can.

    A draft read as 0 scenes or 0 compared words (a title page only, everything in boneyard, only scene
    headings, a layout nothing recognised) must never pass a gate as "0 scenes checked". With
    ``passages`` (how many it was cut into), words too few to make one passage are the same.
    """
    words = len(script_words(script)) if script.scenes else 0
    scenes = len(script.scenes)
    if scenes and words and passages != 0:
        return None
    read = [
        f"{scenes} scene{'s' if scenes != 1 else ''}",
        f"{words:,} word{'s' if words != 1 else ''} to compare",
    ]
    if script.title_page:
        read.append("a title page")
    why = "too few words to compare" if scenes and words else "nothing to compare"
    return f"read as {script.format}: {', '.join(read)}: {why} (simcheck parse shows what was read)"

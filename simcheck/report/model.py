"""The result of a comparison: frozen dataclasses that serialise to the versioned JSON contract.

``Report.to_dict()`` is the JSON document of ``simcheck compare --format json`` and what the text and
HTML renderers read. It is deterministic: no timestamps, floats rounded to ``FLOAT_DIGITS`` decimals,
every list in a fixed order (see ``simcheck.report.build`` for the ordering rules). Offsets are character
offsets into the decoded text of each file (``text[start:end]`` is the passage), scene numbers are
1-based, levels are ``"low" | "medium" | "high"`` (``"none"`` only in ``overall`` when nothing was
found). The meaning of every number is documented in ``simcheck.match.scoring`` and
``simcheck.calibration.load``.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from typing import Any

from simcheck.match.names import NameMapping
from simcheck.settings import level_rank

__all__ = [  # the report contract, re-exported by ``simcheck.report``
    *("CalibrationInfo", "DraftInfo", "Evidence", "IndexInfo", "Location", "Match", "NameMapping"),
    *("Overall", "ReferenceResult", "Report", "SceneInfo"),
    *("EVIDENCE_KINDS", "FUZZY", "NO_LEVEL", "SCHEMA_VERSION", "SEMANTIC", "VERBATIM"),
]

SCHEMA_VERSION = 1
FLOAT_DIGITS = 4
NO_LEVEL = "none"

VERBATIM = "verbatim"
FUZZY = "fuzzy"
SEMANTIC = "semantic"
EVIDENCE_KINDS = (VERBATIM, FUZZY, SEMANTIC)


@dataclass(frozen=True)
class Location:
    """A passage in one file: ``text[start:end]``, starting on 1-based ``line``.

    The writer's coordinates, where the source has them (each left out of the JSON when it is ``None``):
    a PDF's ``page`` and ``page_line`` (1-based; every printed line of the page counts, headers
    included) and ``top`` (points from the top of the page) where the passage's first paragraph
    starts, ``end_page``/``end_page_line`` where its last paragraph starts; for Final Draft and Fade
    In, the ``paragraph`` of the scene where it starts and ``end_paragraph`` where it ends (1-based,
    the scene heading is paragraph 1); ``scene_number``: the scene number written in the script, if
    any. For Fountain and plain text, ``line`` is the line of the file. (Added in simcheck 0.1:
    optional fields of schema version 1.)
    """

    start: int
    end: int
    line: int
    page: int | None = None
    page_line: int | None = None
    top: float | None = None
    end_page: int | None = None
    end_page_line: int | None = None
    paragraph: int | None = None
    end_paragraph: int | None = None
    scene_number: str | None = None


LOCATION_OPTIONAL = (
    *("page", "page_line", "top", "end_page", "end_page_line"),
    *("paragraph", "end_paragraph", "scene_number"),
)


@dataclass(frozen=True)
class Evidence:
    """One aligned pair of passages that backs a match.

    ``similarity``: 1.0 for ``verbatim``; for ``fuzzy`` the multiset Dice coefficient of the two
    token ranges (share of common words, order-insensitive); for ``semantic`` the cosine of the two
    passages' embeddings, or, when ``reworded`` (a passage found by aligning its words that shares their
    vocabulary in other sentences: the same content in other words), the multiset Dice coefficient.
    ``reworded`` is left out of the JSON when false (an optional field of schema version 1).
    ``strength`` in [0, 1] is how much this piece counts towards the scores (see
    ``simcheck.match.scoring``); ``draft_speaker``/``reference_speaker`` the speakers, if speeches.
    """

    kind: str
    similarity: float
    draft: Location
    reference: Location
    draft_text: str
    reference_text: str
    strength: float = 1.0
    words: int = 0  # draft words in this piece
    draft_speaker: str | None = None
    reference_speaker: str | None = None
    allowed_by: str | None = None  # the allowlist entry covering this piece (it then does not count)
    reworded: bool = False  # a semantic item found by aligning words (see the class docstring)


@dataclass(frozen=True)
class Match:
    """A draft scene that is unusually close to one reference scene, with the evidence."""

    draft_scene: int
    reference: str  # path as indexed
    reference_scene: int
    score: float
    level: str
    lexical: float
    semantic: float
    names: tuple[NameMapping, ...]
    evidence: tuple[Evidence, ...]
    allowed: bool = False
    allowed_by: str | None = None  # the allowlist entry that matched
    draft_scene_heading: str | None = None
    reference_scene_heading: str | None = None
    reference_title: str | None = None
    reference_line: int = 1  # line of the reference scene
    reference_page: int | None = None  # PDF: page where the reference scene starts (else left out)
    rarity: float = 0.0  # -log10 of the chance that an unrelated scene has this much evidence
    evidence_words: float = 0.0  # strength-weighted draft words covered by evidence


@dataclass(frozen=True)
class ReferenceResult:
    """One reference script with at least one match."""

    path: str
    title: str | None
    score: float
    level: str
    scenes_matched: int
    coverage: float
    sequence: float
    scenes: int = 0
    reference_coverage: float = 0.0
    sequence_scenes: int = 0
    allowed: bool = False
    allowed_by: str | None = None
    names: tuple[NameMapping, ...] = ()


@dataclass(frozen=True)
class SceneInfo:
    number: int
    heading: str | None
    start: int
    end: int
    line: int
    words: int = 0
    page: int | None = None  # PDF: page where the scene starts (else left out)
    scene_number: str | None = None  # the number written in the script, if any (else left out)


@dataclass(frozen=True)
class DraftInfo:
    path: str
    sha256: str
    title: str | None
    format: str
    words: int
    scenes: tuple[SceneInfo, ...]


@dataclass(frozen=True)
class IndexInfo:
    """What the draft was compared with: an on-disk index, or scripts given with ``--against``."""

    path: str | None
    kind: str  # "index" | "pairwise"
    model: str
    scripts: int
    scenes: int
    passages: int
    manifest_sha256: str | None = None
    paths_relative_to: str | None = None  # name of the folder reference paths are relative to
    references_sha256: str | None = None  # every reference's relative path and content sha256


@dataclass(frozen=True)
class CalibrationInfo:
    """Where the levels' thresholds come from (see ``simcheck.calibration.load``)."""

    source: str  # "index" (measured on these references) | "default" (shipped constants)
    samples: int
    low: float  # rarity thresholds (-log10 chance for an unrelated scene)
    medium: float
    high: float
    note: str = ""


@dataclass(frozen=True)
class Overall:
    """One-line summary: the highest level among flagged (not allowed) matches."""

    level: str  # "none" | "low" | "medium" | "high"
    matches: int
    flagged: int  # matches not allowed
    allowed: int
    references: int  # references with a flagged match
    summary: str


@dataclass(frozen=True)
class Report:
    simcheck_version: str
    settings: dict[str, Any]
    index: IndexInfo
    draft: DraftInfo
    references: tuple[ReferenceResult, ...]
    matches: tuple[Match, ...]
    overall: Overall
    calibration: CalibrationInfo
    schema_version: int = SCHEMA_VERSION
    warnings: tuple[str, ...] = field(default=())

    def to_dict(self) -> dict[str, Any]:
        """The JSON contract (schema_version first), floats rounded, tuples as lists."""
        raw = asdict(self)
        ordered: dict[str, Any] = {"schema_version": raw.pop("schema_version")}
        ordered["simcheck_version"] = raw.pop("simcheck_version")
        for key in ("settings", "index", "draft", "overall", "references", "matches", "calibration"):
            ordered[key] = raw.pop(key)
        ordered.update(raw)
        result: dict[str, Any] = _clean(ordered)
        _drop_unset(result)
        return result

    def to_json(self) -> str:
        """``to_dict()`` as pretty-printed JSON ending in a newline; byte-identical for equal reports."""
        return json.dumps(self.to_dict(), indent=2, ensure_ascii=False) + "\n"

    def reaches(self, level: str) -> bool:
        """Does a flagged (not allowed) match reach ``level``? Never true for ``"never"``."""
        if level == "never":
            return False
        rank = level_rank(level)
        return any(not m.allowed and level_rank(m.level) >= rank for m in self.matches)


def _drop_unset(report: dict[str, Any]) -> None:
    """Leave out the optional coordinates a source does not have (schema 1 readers never see them)."""
    for match in report["matches"]:
        if match.get("reference_page") is None:
            match.pop("reference_page", None)
        for evidence in match["evidence"]:
            if not evidence.get("reworded"):
                evidence.pop("reworded", None)
            for side in ("draft", "reference"):
                location = evidence[side]
                for key in LOCATION_OPTIONAL:
                    if location.get(key) is None:
                        location.pop(key, None)
    for scene in report["draft"]["scenes"]:
        for key in ("page", "scene_number"):
            if scene.get(key) is None:
                scene.pop(key, None)


def _clean(value: Any) -> Any:
    if isinstance(value, float):
        rounded = round(value, FLOAT_DIGITS)
        return 0.0 if rounded == 0 else rounded  # no "-0.0"
    if isinstance(value, dict):
        return {k: _clean(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_clean(v) for v in value]
    return value

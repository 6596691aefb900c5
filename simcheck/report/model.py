"""The result of a comparison: frozen dataclasses that serialise to the versioned JSON contract.

``Report.to_dict()`` is the JSON document of ``simcheck compare --format json`` and what the text and
HTML renderers read. It is deterministic: no timestamps, floats rounded to ``FLOAT_DIGITS`` decimals,
every list in a fixed order (see ``simcheck.report.build`` for the ordering rules). Offsets are character
offsets into the decoded text of each file (``text[start:end]`` is the passage), scene numbers are
1-based, levels are ``"low" | "medium" | "high"`` (``"none"`` only in ``overall`` when nothing was
found). The meaning of every number is documented in ``simcheck.match.scoring``,
``simcheck.match.story`` and ``simcheck.calibration.load``.

Schema version 2 adds the story layer: ``references[].story`` (a ``StoryFinding``, ``null`` when the
reference's story is not unusually close) and ``overall.stories``. A schema 1 reader that ignores
unknown keys reads everything else as before; ``references`` may now hold references with a story
finding and no match (``scenes_matched`` 0).
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from typing import Any

from simcheck.match.names import NameMapping
from simcheck.settings import level_rank

__all__ = [  # the report contract, re-exported by ``simcheck.report``
    *("CalibrationInfo", "Condensation", "DraftInfo", "Evidence", "IndexInfo", "Location", "Match"),
    "NameMapping",
    *("Overall", "ReferenceResult", "Report", "SceneInfo", "StoryFinding", "StoryLink", "CharacterLink"),
    *("EVIDENCE_KINDS", "FUZZY", "NO_LEVEL", "SCHEMA_VERSION", "SEMANTIC", "VERBATIM"),
]

SCHEMA_VERSION = 2
READABLE_SCHEMAS = (1, 2)  # report versions this simcheck reads back (``simcheck diff``)
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
class StoryLink:
    """One link of an aligned story chain: a draft unit and the reference scene (or beat) it tells.

    A story unit is a scene of a screenplay (a long one split into beats) or a passage of a prose
    draft cut at paragraphs (``simcheck.text.units``). ``draft_scene``/``draft_unit``: the draft scene
    the unit lies in and the unit's own number (1-based; a prose draft has one scene and many units);
    ``reference_scene``/``reference_unit`` likewise on the reference side. ``similarity`` in [0, 1]: how
    alike the two units' content is with character names masked (not their wording; see
    ``simcheck.match.story``). ``draft``/``reference``: where the whole unit lies (``text[start:end]``
    is the unit); ``draft_text``/``reference_text``: its opening lines as written, a prefix of the
    unit (``STORY_EXCERPT_LINES``, at most ``STORY_EXCERPT_CHARS``), ``draft_words``/``reference_words``
    the unit's length in words. ``shared``: the content words both units share (names masked, lightly
    stemmed), most telling first: the plot elements a reader can look for in the two texts.
    Condensation shows as several links with the same draft unit (several reference scenes told in
    one unit) or the same reference scene (one scene spread over several units).
    """

    draft_scene: int
    draft_unit: int
    reference_scene: int
    reference_unit: int
    similarity: float
    draft: Location
    reference: Location
    draft_heading: str | None
    reference_heading: str | None
    draft_text: str
    reference_text: str
    draft_words: int = 0
    reference_words: int = 0
    shared: tuple[str, ...] = ()


@dataclass(frozen=True)
class CharacterLink:
    """A draft character inferred to play a reference character, from the aligned story's structure
    (who is present with whom in aligned units), never from the names: a renamed cast still maps.

    ``support``: chain links where both are present (in aligned units together); ``share`` in [0, 1]:
    ``support`` over the links where either of them is present (1: they always appear together).
    """

    draft: str
    reference: str
    support: int
    share: float


@dataclass(frozen=True)
class StoryFinding:
    """The story of a reference told in the draft: a chain of draft units that follow reference scenes
    in the same order, told in other words, with other names if need be.

    ``rarity``: -log10 of the chance that an unrelated reference aligns this well with the draft, over
    all references tested (``simcheck.match.story``); ``level``: that rarity on the calibration's scale
    (the same thresholds as the matches: low, medium, high; a chain below low is not reported).
    ``coverage`` in [0, 1]: share of the draft's words in units on the chain; ``reference_coverage``:
    share of the reference's words in scenes on the chain; ``score`` in [0, 1]: the larger of the two
    (as a reference's ``score``): how much of either story the chain spans. ``units``: story units of
    the draft; ``prose``: the draft was cut as prose (no screenplay layout). ``chain``: the links in
    draft order; ``characters``: the mapped cast, best supported first. ``allowed``: the reference
    passages on the chain are all on the allowlist (``allowed_by`` names the entry); an allowed story
    finding is shown but not flagged. ``background``: how many unrelated reference scripts were aligned
    with the draft to measure the chance (0: too few references, the tail shipped with simcheck, measured
    on a public corpus, was used).
    """

    score: float
    level: str
    rarity: float
    coverage: float
    reference_coverage: float
    units: int
    prose: bool
    chain: tuple[StoryLink, ...]
    characters: tuple[CharacterLink, ...] = ()
    allowed: bool = False
    allowed_by: str | None = None
    background: int = 0

    @property
    def draft_units(self) -> int:
        """Distinct draft units on the chain."""
        return len({link.draft_unit for link in self.chain})

    @property
    def reference_scenes(self) -> int:
        """Distinct reference scenes on the chain."""
        return len({link.reference_scene for link in self.chain})


@dataclass(frozen=True)
class Echo:
    """A reference passage that a draft passage holding semantic evidence also resembles, at a chance
    of at most ``CONDENSED_ECHO_CHANCE`` for an unrelated pair (``report.condense``): the reference may
    say there what the draft says once. ``similarity``: the cosine of the two passages' embeddings."""

    draft: Location
    reference: Location
    similarity: float


@dataclass(frozen=True)
class Condensation:
    """A short stretch of the draft whose evidence against one reference is spread over a stretch of
    the reference at least ``CONDENSED_MIN_RATIO`` times longer, as when a draft tells it in fewer
    words (a summary, a synopsis, a scene that condenses several). It groups evidence already shown in
    the matches, and adds no level, score or coverage. ``draft``/``reference``: from the first evidence
    item's (or echo's) start to the last one's end on each side (``*_end_line``: the line where it
    ends); ``evidence``: how many items it groups; ``echoes``: the other reference passages its draft
    passages also resemble closely (left out of the JSON when there is none). (An optional field of
    schema version 2: left out when there is none.)"""

    draft: Location
    reference: Location
    draft_end_line: int
    reference_end_line: int
    evidence: int
    echoes: tuple[Echo, ...] = ()


@dataclass(frozen=True)
class ReferenceResult:
    """One reference script with at least one match or a story finding.

    ``level``: the higher of its matches' level (or their same-order chain's) and its story finding's;
    ``coverage``/``reference_coverage``: the larger of the share covered by match evidence and the
    share on the story chain (a retelling in other words covers most of the draft through its story);
    ``score``: the larger of the two; ``scenes_matched``, ``sequence``, ``sequence_scenes`` and
    ``names`` come from the matches alone (0 and empty for a story-only reference); ``story``: the story
    finding, ``None`` when the reference's story is not unusually close.
    """

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
    story: StoryFinding | None = None
    condensed: tuple[Condensation, ...] = ()


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
    """One-line summary: the highest level among flagged (not allowed) matches and story findings."""

    level: str  # "none" | "low" | "medium" | "high"
    matches: int
    flagged: int  # matches not allowed
    allowed: int
    references: int  # references with a flagged match or a flagged story finding
    summary: str
    stories: int = 0  # flagged (not allowed) story findings


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
        """Does a flagged (not allowed) match or story finding reach ``level``? Never for ``"never"``."""
        if level == "never":
            return False
        rank = level_rank(level)
        if any(not m.allowed and level_rank(m.level) >= rank for m in self.matches):
            return True
        stories = (r.story for r in self.references if r.story is not None)
        return any(not s.allowed and level_rank(s.level) >= rank for s in stories)


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
    for reference in report["references"]:
        condensed = reference.get("condensed")
        if not condensed:
            reference.pop("condensed", None)
        for item in condensed or ():
            if not item.get("echoes"):
                item.pop("echoes", None)
            for place in (item, *item.get("echoes", ())):
                for side in ("draft", "reference"):
                    for key in LOCATION_OPTIONAL:
                        if place[side].get(key) is None:
                            place[side].pop(key, None)
        story = reference.get("story")
        if story is None:
            continue
        for link in story["chain"]:
            for side in ("draft", "reference"):
                for key in LOCATION_OPTIONAL:
                    if link[side].get(key) is None:
                        link[side].pop(key, None)


def _clean(value: Any) -> Any:
    if isinstance(value, float):
        rounded = round(value, FLOAT_DIGITS)
        return 0.0 if rounded == 0 else rounded  # no "-0.0"
    if isinstance(value, dict):
        return {k: _clean(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_clean(v) for v in value]
    return value

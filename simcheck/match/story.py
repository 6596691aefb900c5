"""Story proximity: the same plot, characters and order of events, told in other words.

``judge_story`` aligns the draft's story units (``simcheck.text.units``) with the scenes of candidate
references found through the index, scores each chain against unrelated references, and infers which
draft character plays which reference character from the structure of the aligned story.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from simcheck.match.draft import Probe, ReferenceCache
from simcheck.match.rarity import Calibration
from simcheck.search.references import References
from simcheck.settings import CompareSettings
from simcheck.text.units import StoryUnit


@dataclass(frozen=True)
class StoryPair:
    """One link of an aligned chain: a draft unit and the reference unit (scene or beat) it tells."""

    unit: StoryUnit  # of the draft
    reference_unit: StoryUnit  # of the reference
    similarity: float  # in [0, 1]: how alike their content is with names masked
    shared: tuple[str, ...]  # the content words both share, most telling first


@dataclass(frozen=True)
class CastPair:
    """A draft character inferred to play a reference character, from the aligned story."""

    draft: str
    reference: str
    support: int  # chain links where both are present
    share: float  # in [0, 1]: support / links where either is present


@dataclass(frozen=True)
class StoryResult:
    """The story finding of one reference script (no level yet: the report gives it)."""

    script_id: int
    rarity: float  # -log10 chance that an unrelated reference aligns this well, for all references tested
    chain: tuple[StoryPair, ...]  # in draft order
    characters: tuple[CastPair, ...]
    units: int  # story units of the draft
    prose: bool  # the draft was cut as prose
    coverage: float  # share of the draft's words in units on the chain
    reference_coverage: float  # share of the reference's words in scenes on the chain


def judge_story(
    probe: Probe,
    references: References,
    cache: ReferenceCache,
    calibration: Calibration,
    settings: CompareSettings,
    also: Iterable[int] = (),
) -> dict[int, StoryResult]:
    """Story findings of ``probe`` by reference script id; ``also``: script ids to consider besides
    the candidates the index proposes (those with lexical or semantic matches)."""
    return {}  # placeholder until the story layer lands

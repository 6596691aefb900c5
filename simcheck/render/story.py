"""The story findings of a report as the renderers read them (``references[].story``, schema 2).

Tolerant like the rest of the view model (``simcheck.render.view``): a missing or odd field becomes
``None`` or empty, and a report without story findings (schema 1) has none. Only reads, counts and
words what the report says; the renderers draw it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from simcheck.render.fields import as_dict, as_float, as_int, as_list, as_str, level_of
from simcheck.render.passages import Where, read_where
from simcheck.render.wording import plural


@dataclass(frozen=True)
class StoryLinkView:
    """One link of the chain: a draft unit beside the reference scene it tells."""

    draft_scene: int | None
    draft_unit: int | None
    reference_scene: int | None
    reference_unit: int | None
    similarity: float | None
    draft_heading: str | None
    reference_heading: str | None
    draft_text: str
    reference_text: str
    draft_words: int | None
    reference_words: int | None
    shared: tuple[str, ...]
    draft_where: Where
    reference_where: Where


@dataclass(frozen=True)
class CharacterView:
    draft: str
    reference: str
    support: int | None
    share: float | None

    def together(self) -> str:
        """``present together in 6 aligned scenes``."""
        if self.support is None:
            return "mapped from the aligned story"
        return f"present together in {plural(self.support, 'aligned scene')}"


@dataclass(frozen=True)
class StoryView:
    score: float | None
    level: str
    rarity: float | None
    coverage: float | None
    reference_coverage: float | None
    units: int | None
    prose: bool
    chain: tuple[StoryLinkView, ...]
    characters: tuple[CharacterView, ...]
    allowed: bool = False
    allowed_by: str | None = None
    background: int = 0  # unrelated scripts measured for the chance (0: the shipped tail)

    @property
    def draft_units(self) -> int:
        """Distinct draft units on the chain."""
        return len({link.draft_unit for link in self.chain if link.draft_unit is not None})

    @property
    def reference_scenes(self) -> int:
        """Distinct reference scenes on the chain."""
        return len({link.reference_scene for link in self.chain if link.reference_scene is not None})

    def follows(self) -> str:
        """``12 draft units follow 10 of its scenes in order``."""
        units = self.draft_units
        verb = "follows" if units == 1 else "follow"
        return f"{plural(units, 'draft unit')} {verb} {self.reference_scenes} of its scenes in order"


def read_story(value: Any) -> StoryView | None:
    """A reference's ``story`` object, or ``None`` when there is none (or it is not an object)."""
    if not isinstance(value, Mapping):
        return None
    chain = tuple(_link(as_dict(item)) for item in as_list(value.get("chain")) if isinstance(item, Mapping))
    characters = []
    for item in as_list(value.get("characters")):
        cast = as_dict(item)
        draft, reference = as_str(cast.get("draft")), as_str(cast.get("reference"))
        if draft is not None and reference is not None:
            characters.append(
                CharacterView(draft, reference, as_int(cast.get("support")), as_float(cast.get("share")))
            )
    return StoryView(
        score=as_float(value.get("score")),
        level=level_of(value.get("level")),
        rarity=as_float(value.get("rarity")),
        coverage=as_float(value.get("coverage")),
        reference_coverage=as_float(value.get("reference_coverage")),
        units=as_int(value.get("units")),
        prose=value.get("prose") is True,
        chain=tuple(sorted(chain, key=lambda link: (link.draft_unit or 0, link.reference_unit or 0))),
        characters=tuple(characters),
        allowed=value.get("allowed") is True,
        allowed_by=as_str(value.get("allowed_by")) or None,
        background=as_int(value.get("background")) or 0,
    )


def _link(item: Mapping[str, Any]) -> StoryLinkView:
    draft_text = as_str(item.get("draft_text")) or ""
    reference_text = as_str(item.get("reference_text")) or ""
    return StoryLinkView(
        draft_scene=as_int(item.get("draft_scene")),
        draft_unit=as_int(item.get("draft_unit")),
        reference_scene=as_int(item.get("reference_scene")),
        reference_unit=as_int(item.get("reference_unit")),
        similarity=as_float(item.get("similarity")),
        draft_heading=as_str(item.get("draft_heading")),
        reference_heading=as_str(item.get("reference_heading")),
        draft_text=draft_text,
        reference_text=reference_text,
        draft_words=as_int(item.get("draft_words")),
        reference_words=as_int(item.get("reference_words")),
        shared=tuple(s for s in (as_str(w) for w in as_list(item.get("shared"))) if s),
        draft_where=read_where(item.get("draft"), draft_text),
        reference_where=read_where(item.get("reference"), reference_text),
    )

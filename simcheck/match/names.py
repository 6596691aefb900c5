"""Which draft character speaks which reference character's lines: ``KANE -> MARLOWE, 12 speeches``.

Renaming characters is the cheapest disguise, so names are masked before comparison (see
``simcheck.text.tokens``). Once speeches are aligned, the mapping is read back from them: every aligned
pair of speeches (a lexical span or a semantic passage pair with a speaker on both sides) is a
``SpeechLink``. Each draft speech votes once, for the reference speaker it shares the most aligned
words with; the votes are then assigned one-to-one, largest count first (ties by name), so that a
draft character maps to at most one reference character and back. ``speeches`` is the number of draft
speeches behind a pair.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass


@dataclass(frozen=True)
class NameMapping:
    """A draft character who speaks the lines of a reference character: ``KANE -> MARLOWE, 12 speeches``."""

    draft: str
    reference: str
    speeches: int

    def describe(self) -> str:
        plural = "speech" if self.speeches == 1 else "speeches"
        return f"{self.draft} -> {self.reference}, {self.speeches} {plural}"


@dataclass(frozen=True)
class SpeechLink:
    """One draft speech aligned with one reference speech, ``weight`` aligned words."""

    draft_speech: int  # any id unique within the draft (e.g. the offset of its cue)
    draft_speaker: str
    reference_speech: int
    reference_speaker: str
    weight: float


def infer_names(links: Iterable[SpeechLink]) -> tuple[NameMapping, ...]:
    """The one-to-one character mapping the links support, most speeches first."""
    # each draft speech: aligned weight per reference speaker
    per_speech: dict[tuple[str, int], dict[str, float]] = defaultdict(lambda: defaultdict(float))
    for link in links:
        if not link.draft_speaker or not link.reference_speaker or link.weight <= 0:
            continue
        per_speech[(link.draft_speaker, link.draft_speech)][link.reference_speaker] += link.weight
    votes: dict[tuple[str, str], int] = defaultdict(int)
    for (draft_speaker, _), weights in per_speech.items():
        best = min(weights.items(), key=lambda item: (-item[1], item[0]))[0]
        votes[(draft_speaker, best)] += 1
    mapping: list[NameMapping] = []
    used_draft: set[str] = set()
    used_reference: set[str] = set()
    for (draft, reference), count in sorted(votes.items(), key=lambda item: (-item[1], item[0])):
        if draft in used_draft or reference in used_reference:
            continue
        used_draft.add(draft)
        used_reference.add(reference)
        mapping.append(NameMapping(draft=draft, reference=reference, speeches=count))
    return tuple(mapping)


def renamed(mapping: Iterable[NameMapping]) -> tuple[NameMapping, ...]:
    """The pairs whose names differ (the disguise worth pointing out)."""
    return tuple(m for m in mapping if m.draft != m.reference)

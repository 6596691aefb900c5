"""The planted-copy generator's ground truth is exact: planted text sits at the recorded offsets."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from benchmarks import planted

SHARED = Path(__file__).resolve().parents[1].parent / "shared"
PLAYS = SHARED / "corpus" / "plays"

HOST_TEXT = """Title: Fixture
Author: Nobody

.ACT I, SCENE 1 - A QUAY AT DAWN

Fog. PELL waits with a lantern.

PELL
Nobody comes down here before the bells.
Nobody but me and the gulls.

ARDO
(out of breath)
Then count me a gull.

.ACT I, SCENE 2 - THE COUNTING HOUSE

ARDO
Ledgers, ledgers.
"""


def test_read_blocks_offsets_and_kinds() -> None:
    blocks = planted.read_blocks(HOST_TEXT)
    assert [b.kind for b in blocks] == ["heading", "action", "speech", "speech", "heading", "speech"]
    for block in blocks:
        assert HOST_TEXT[block.start : block.end] == block.text
    assert blocks[3].cue == "ARDO"
    assert blocks[3].text.endswith("Then count me a gull.")
    scenes = planted.split_scenes(blocks)
    assert [h.text for h, _ in scenes] == [
        ".ACT I, SCENE 1 - A QUAY AT DAWN",
        ".ACT I, SCENE 2 - THE COUNTING HOUSE",
    ]


def test_rename_replaces_cues_and_mentions() -> None:
    text = "LADY PELL\nWhere is Ardo? ARDO! Ardo's coat is here."
    renamed = planted._rename(text, {"LADY PELL": "ZELDANE", "ARDO": "BRISKOW"})
    assert renamed == "ZELDANE\nWhere is Briskow? BRISKOW! Briskow's coat is here."


def _sources(hosts: list[Path]) -> list[Path]:
    every = sorted(PLAYS.glob("*/*.fountain"))
    return [p for p in every if p not in hosts][:12]


@pytest.fixture(scope="module")
def cases(tmp_path_factory: pytest.TempPathFactory) -> list[planted.PlantedCase]:
    if not PLAYS.is_dir():
        pytest.skip(f"shared corpus not found at {PLAYS}")
    hosts = [PLAYS / "shakespeare" / "macbeth.fountain", PLAYS / "gutenberg" / "pygmalion.fountain"]
    out = tmp_path_factory.mktemp("planted")
    return planted.generate(out, hosts=hosts, sources=_sources(hosts), per_obfuscation=2, seed=11)


def test_every_obfuscation_is_generated(cases: list[planted.PlantedCase]) -> None:
    assert sorted({c.obfuscation for c in cases}) == sorted(planted.OBFUSCATIONS)
    assert len(cases) == 2 * len(planted.OBFUSCATIONS)


def test_planted_text_is_at_the_recorded_offsets(cases: list[planted.PlantedCase]) -> None:
    for case in cases:
        draft = planted.read_text(case.draft_path)
        source = planted.read_text(case.source)
        assert case.segments, case.id
        for seg in case.segments:
            assert draft[seg.draft_start : seg.draft_end] == seg.draft_text, case.id
            assert source[seg.source_start : seg.source_end] == seg.source_text, case.id
            if case.obfuscation in ("verbatim", "shuffled", "partial"):
                assert seg.draft_text == seg.source_text, case.id
        if case.obfuscation == "partial":
            # each planted piece is a prefix of a source speech, cut at a word end
            for seg in case.segments:
                assert re.search(r"\w$", seg.draft_text), case.id


def test_host_text_is_at_the_recorded_offsets(cases: list[planted.PlantedCase]) -> None:
    for case in cases:
        draft = planted.read_text(case.draft_path)
        host = planted.read_text(case.host)
        for scene in case.scenes:
            for seg in scene.host_segments:
                assert draft[seg.draft_start : seg.draft_end] == host[seg.source_start : seg.source_end]
        planted_scenes = [s for s in case.scenes if s.planted]
        assert len(planted_scenes) == 1, case.id
        start, end = case.planted_span
        assert planted_scenes[0].start <= start < end <= planted_scenes[0].end


def test_obfuscations_change_what_they_should(cases: list[planted.PlantedCase]) -> None:
    for case in cases:
        if case.obfuscation == "renamed":
            assert case.names
            joined = "\n".join(s.draft_text for s in case.segments)
            for old, new in case.names:
                assert new in joined
                assert not re.search(rf"(?m)^{re.escape(old)}$", joined), (case.id, old)
        if case.obfuscation == "word_edits":
            changed = [s for s in case.segments if s.draft_text != s.source_text]
            assert changed, case.id
        if case.obfuscation == "shuffled":
            starts = [s.source_start for s in case.segments]
            assert starts != sorted(starts), case.id


def test_innocent_host_scenes_are_not_reused(cases: list[planted.PlantedCase]) -> None:
    seen: set[tuple[str, int]] = set()
    for case in cases:
        for scene in case.scenes:
            for seg in scene.host_segments:
                key = (case.host, seg.source_start)
                assert key not in seen
                seen.add(key)


def test_same_seed_same_drafts(tmp_path: Path, cases: list[planted.PlantedCase]) -> None:
    hosts = [PLAYS / "shakespeare" / "macbeth.fountain", PLAYS / "gutenberg" / "pygmalion.fountain"]
    again = planted.generate(tmp_path / "a", hosts=hosts, sources=_sources(hosts), per_obfuscation=2, seed=11)
    assert [planted.read_text(c.draft_path) for c in again] == [
        planted.read_text(c.draft_path) for c in cases
    ]
    other = planted.generate(tmp_path / "b", hosts=hosts, sources=_sources(hosts), per_obfuscation=2, seed=12)
    assert [planted.read_text(c.draft_path) for c in other] != [
        planted.read_text(c.draft_path) for c in cases
    ]

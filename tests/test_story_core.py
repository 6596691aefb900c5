"""The story layer's core: units, chains in order, the null, characters from structure.

Fast tests use the fake embedder (``tests/fakes.py``) on original stories (``tests/story_texts.py``):
a lighthouse story, its retelling with every character renamed and every line reworded, an unrelated
bakery story and ten filler scripts of ordinary words. One test uses the real model.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import numpy as np
import pytest
from fakes import HashEmbedder

from simcheck.calibration import default_calibration
from simcheck.embed import Embedder
from simcheck.match.draft import Probe, ReferenceCache, draft_probe
from simcheck.match.seeds import stem
from simcheck.match.story import StoryResult, judge_story
from simcheck.match.story_features import column_of, content_words, unit_words
from simcheck.model import Script
from simcheck.read import read_script
from simcheck.search.memory import MemoryReferences
from simcheck.settings import (
    STORY_HASH_BITS,
    STORY_PROSE_MIN_UNITS,
    STORY_UNIT_MAX_WORDS,
    STORY_UNIT_MIN_WORDS,
    STORY_UNIT_TARGET_WORDS,
    CompareSettings,
    IndexSettings,
)
from simcheck.text.passages import make_passages
from simcheck.text.tokens import WORD
from simcheck.text.units import _balanced, is_prose, prose_characters, prose_names, story_units
from tests.story_texts import BAKERY, LIGHTHOUSE, RETOLD, as_script, filler

SOURCE = "/refs/lighthouse.fountain"
UNRELATED = "/refs/bakery.fountain"


def _references(embedder: Embedder) -> MemoryReferences:
    scripts = [as_script(LIGHTHOUSE, SOURCE), as_script(BAKERY, UNRELATED)]
    scripts += [as_script(filler(seed), f"/refs/filler-{seed}.fountain") for seed in range(10)]
    return MemoryReferences.build(scripts, IndexSettings(), embedder)


@pytest.fixture(scope="module")
def fake_refs() -> MemoryReferences:
    return _references(HashEmbedder(64))


def _probe(
    script: Script, references: MemoryReferences, embedder: Embedder, exclude: frozenset[int] = frozenset()
) -> Probe:
    passages = make_passages(script, references.settings)
    vectors = embedder.embed([p.text for p in passages])
    return draft_probe(script, passages, vectors, references, exclude)


def _judge(script: Script, references: MemoryReferences, embedder: Embedder) -> dict[str, StoryResult]:
    probe = _probe(script, references, embedder)
    calibration = default_calibration(references.model_name)
    found = judge_story(probe, references, ReferenceCache(references), calibration, CompareSettings())
    paths = {s.id: s.path for s in references.scripts()}
    return {paths[k]: v for k, v in found.items()}


def _rarity(results: dict[str, StoryResult], path: str) -> float:
    found = results.get(path)
    return found.rarity if found else 0.0


# --- units ----------------------------------------------------------------------------------------


def _prose_text(stories: int = 3) -> str:
    paragraphs = []
    for story in ((LIGHTHOUSE, BAKERY)[k % 2] for k in range(stories)):
        for _heading, action, lines in story:
            said = " ".join(f"\u201c{line}\u201d said {speaker.title()}." for speaker, line in lines)
            paragraphs.append(f"{action} {said}")
    return "\n\n".join(paragraphs) + "\n"


@pytest.mark.parametrize("stories", [3, 9])
def test_prose_is_cut_at_paragraphs_within_bounds(tmp_path: Path, stories: int) -> None:
    path = tmp_path / "retelling.txt"
    text = _prose_text(stories)
    path.write_text(text, encoding="utf-8")
    script = read_script(str(path))
    assert is_prose(script)
    units = story_units(script)
    total = sum(u.words for u in units)
    assert total == len(text.split())
    if total >= STORY_PROSE_MIN_UNITS * STORY_UNIT_TARGET_WORDS:  # long: units of the target size
        assert len(units) == total // STORY_UNIT_TARGET_WORDS
        low, high = 100, 400
    else:  # short (a synopsis): cut finer, so that a chain can be long enough to be rare
        assert total < 1000
        assert len(units) == min(STORY_PROSE_MIN_UNITS, total // STORY_UNIT_MIN_WORDS)
        low, high = 25, 150
    starts = {0} | {i + 2 for i in range(len(text)) if text.startswith("\n\n", i)}
    for unit in units:
        assert low <= unit.words <= high, unit.words
        assert unit.start in starts  # a unit begins a paragraph...
        assert text[unit.end : unit.end + 2] in ("\n\n", "\n")  # ...and ends one
        assert script.text[unit.start : unit.end].split() == unit.text.split()
    assert [u.number for u in units] == list(range(1, len(units) + 1))
    # the name-like words are the characters (mid-sentence capitals), not sentence-initial words
    names = prose_names(script)
    assert {"maren", "tobias", "isolde", "pim", "rosa", "lorenz"} <= names
    assert "the" not in names and "fishing" not in names
    assert units[0].speakers[0] in ("MAREN", "TOBIAS")


def test_screenplay_units_are_scenes_and_long_scenes_are_beats() -> None:
    script = as_script(LIGHTHOUSE, SOURCE)
    assert not is_prose(script)
    units = story_units(script)
    assert [u.scene for u in units] == list(range(1, 9))
    assert units[6].speakers == ("ISOLDE", "MAREN")  # most words first
    long_scene = as_script([(h, a, lines * 40) for h, a, lines in LIGHTHOUSE[:1]], SOURCE)
    beats = story_units(long_scene)
    words = sum(u.words for u in beats)
    assert len(beats) >= 2 and all(u.scene == 1 for u in beats)
    assert all(u.words <= STORY_UNIT_MAX_WORDS * 1.2 for u in beats)
    assert sum(u.words for u in beats) == words
    assert all(a.end <= b.start for a, b in zip(beats, beats[1:], strict=False))


def _balanced_by_definition(sizes: list[int], count: int, allowed: list[int] | None) -> list[tuple[int, int]]:
    """Each cut at the allowed position whose running total is nearest to an equal share (the earlier
    one on a tie), kept when past the previous cut."""
    n = len(sizes)
    positions = list(range(1, n)) if allowed is None else allowed
    if count <= 1 or not positions:
        return [(0, n)]
    running = [sum(sizes[:i]) for i in range(n + 1)]
    cuts: list[int] = []
    for k in range(1, count):
        goal = running[-1] * k / count
        best = min(positions, key=lambda i: (abs(running[i] - goal), i))
        if (not cuts or best > cuts[-1]) and best < n:
            cuts.append(best)
    bounds = [0, *cuts, n]
    return [(a, b) for a, b in zip(bounds[:-1], bounds[1:], strict=True) if b > a]


def test_balanced_cuts_are_the_nearest_allowed_to_equal_shares() -> None:
    rng = np.random.default_rng(7)
    for _ in range(3000):
        n = int(rng.integers(0, 25))
        sizes = [int(x) for x in rng.choice([0, 0, 3, 40, 120, 600, 900], size=n)]
        count = int(rng.integers(0, 7))
        allowed = None
        if n > 1 and rng.random() < 0.6:
            allowed = sorted(
                int(i) for i in rng.choice(np.arange(1, n), size=int(rng.integers(0, n)), replace=False)
            )
        assert _balanced(sizes, count, allowed) == _balanced_by_definition(sizes, count, allowed)


# --- chains ---------------------------------------------------------------------------------------


def test_retelling_aligns_in_order_over_an_unrelated_story(fake_refs: MemoryReferences) -> None:
    embedder = HashEmbedder(64)
    results = _judge(as_script(RETOLD, "/drafts/retold.fountain"), fake_refs, embedder)
    source = results[SOURCE]
    assert source.rarity >= 4.0  # medium on the shared scale
    assert source.rarity > _rarity(results, UNRELATED) + 2.0
    pairs = [(p.unit.number, p.reference_unit.number) for p in source.chain]
    assert len({d for d, _ in pairs}) >= 6
    assert pairs == sorted(pairs)  # monotone in both stories
    assert sum(d == r for d, r in pairs) >= 6  # scene k told by scene k
    assert source.coverage >= 0.7
    assert all(0.0 <= p.similarity <= 1.0 for p in source.chain)
    storm = next(p for p in source.chain if p.unit.number == 4 and p.reference_unit.number == 4)
    assert set(storm.shared) & {"oil", "spare", "smugglers", "wick", "schooner"}
    assert "OWEN" not in " ".join(" ".join(p.shared) for p in source.chain).upper()  # names masked


def test_a_single_shared_trope_makes_no_chain(fake_refs: MemoryReferences) -> None:
    embedder = HashEmbedder(64)
    story = list(BAKERY)
    story[4] = RETOLD[3]  # the bakery story with the storm in the lantern room in the middle
    results = _judge(as_script(story, "/drafts/trope.fountain"), fake_refs, embedder)
    assert _rarity(results, SOURCE) < 2.0  # not even low


def test_reordering_the_scenes_breaks_the_chain(fake_refs: MemoryReferences) -> None:
    embedder = HashEmbedder(64)
    in_order = _judge(as_script(RETOLD, "/drafts/retold.fountain"), fake_refs, embedder)[SOURCE]
    shuffled = as_script(RETOLD, "/drafts/shuffled.fountain", order=[5, 2, 7, 0, 3, 6, 1, 4])
    reordered = _judge(shuffled, fake_refs, embedder).get(SOURCE)
    assert reordered is None or reordered.score < 0.5 * in_order.score
    assert reordered is None or reordered.rarity < in_order.rarity - 2.0


def test_characters_map_by_structure_with_names_changed(fake_refs: MemoryReferences) -> None:
    results = _judge(as_script(RETOLD, "/drafts/retold.fountain"), fake_refs, HashEmbedder(64))
    mapping = {c.draft: c.reference for c in results[SOURCE].characters}
    assert mapping["JUNE"] == "MAREN"
    assert mapping["OWEN"] == "TOBIAS"
    assert mapping["VERA"] == "ISOLDE"
    june = next(c for c in results[SOURCE].characters if c.draft == "JUNE")
    assert june.support >= 6 and 0.0 < june.share <= 1.0


def test_story_results_are_deterministic(fake_refs: MemoryReferences) -> None:
    embedder = HashEmbedder(64)
    draft = as_script(RETOLD, "/drafts/retold.fountain")
    first = _judge(draft, fake_refs, embedder)
    again = _judge(draft, _references(HashEmbedder(64)), embedder)
    assert first == again


def test_the_excluded_draft_itself_is_never_a_story_finding(fake_refs: MemoryReferences) -> None:
    embedder = HashEmbedder(64)
    script = as_script(LIGHTHOUSE, "/drafts/lighthouse.fountain")
    own = next(s.id for s in fake_refs.scripts() if s.path == SOURCE)
    probe = _probe(script, fake_refs, embedder, frozenset({own}))
    calibration = default_calibration(fake_refs.model_name)
    found = judge_story(probe, fake_refs, ReferenceCache(fake_refs), calibration, CompareSettings())
    assert own not in found


# --- the real model -------------------------------------------------------------------------------


def test_retelling_finds_its_story_with_the_real_model() -> None:
    from simcheck.embed import load_embedder

    embedder = load_embedder(IndexSettings().model)
    references = _references(embedder)
    results = _judge(as_script(RETOLD, "/drafts/retold.fountain"), references, embedder)
    ranked = sorted(results.items(), key=lambda item: -item[1].rarity)
    assert ranked and ranked[0][0] == SOURCE
    assert ranked[0][1].rarity >= 4.0
    assert ranked[0][1].rarity > _rarity(results, UNRELATED) + 2.0
    assert ranked[0][1].coverage >= 0.7


def test_prose_cast_leaves_out_places_and_titles_but_masks_them(tmp_path: Path) -> None:
    text = (
        "Long ago the Duke of Ormala sent for his niece. Tessa rode from Ormala at dawn, and the road\n\n"
        "was long. In Ormala the bells rang for Tessa, and Tessa met Brannoc at the gate, where\n\n"
        "the Abbot waited. Brannoc bowed to Tessa. Then the Abbot spoke, and Brannoc left for Ormala.\n"
    )
    path = tmp_path / "tale.txt"
    path.write_text(text, encoding="utf-8")
    script = read_script(str(path))
    names = prose_names(script)
    assert {"tessa", "brannoc", "ormala"} <= names  # all masked: none of them is story content
    cast = prose_characters(script)
    assert {"tessa", "brannoc"} <= cast and "ormala" not in cast and "abbot" not in cast


def test_unit_words_mask_names_keep_first_forms_and_hash_like_the_words() -> None:
    texts = [
        "Mara's lantern flickers; the Lantern fell. Harbour lights and harbour bells.",
        "MARA climbs the tower with 12 lanterns while mara sleeps.",
    ]
    words = content_words(texts, frozenset({"mara"}))
    first, second = words.bag(0), words.bag(1)
    assert first[stem("lantern")] == 2 and first[stem("harbour")] == 2
    assert stem("mara") not in first  # capitalised name masked, possessive too
    assert second[stem("mara")] == 1  # a lower-case "mara" is a word, not the name
    assert stem("lanterns") in second and "12" not in second and stem("the") not in second
    assert words.surface[stem("lantern")] == "lantern"  # the first form met, folded
    tf = words.term_matrix()
    assert tf.shape == (2, 1 << STORY_HASH_BITS)
    expected = np.zeros(1 << STORY_HASH_BITS)
    for word, count in first.items():
        expected[column_of(word)] += 1.0 + np.log(count)
    assert np.allclose(tf.toarray()[0], expected)
    # pieces grouped into units give the sum of the pieces' bags
    pieces = [WORD.findall(t) for t in texts]
    joined = unit_words(pieces, [(0, 1)], frozenset({"mara"}))
    assert joined.bag(0) == Counter(first) + Counter(second)

from __future__ import annotations

import dataclasses
import math

import numpy as np
import pytest
from fakes import HashEmbedder

from simcheck import settings
from simcheck.calibration import calibrate, default_calibration, load_calibration, needs_measuring
from simcheck.calibration.load import EXTRA_NAME, fingerprint
from simcheck.match.rarity import Calibration, EvidenceNull, SemanticNull, Tail
from simcheck.match.scoring import PairScore
from simcheck.model import ACTION, CHARACTER, DIALOGUE, Script
from simcheck.search.memory import MemoryReferences
from simcheck.settings import CompareSettings, IndexSettings
from tests.handmade import build_script

_WORDS = """
harbour lamp letter orchard kettle ledger storm ferry rope gull cider frost biscuit ward lantern
crank tide board clock boot net wall market herring sail anchor fog reef bell stair copper window
bread canal duck barge flour apron bench kitchen attic ladder garden hedge river bridge pebble
"""
VOCAB = tuple(_WORDS.split())


def _random_script(rng: np.random.Generator, number: int, n_scenes: int = 3) -> Script:
    def sentence(n: int) -> str:
        return " ".join(rng.choice(VOCAB, size=n)).capitalize() + "."

    scenes = []
    for s in range(n_scenes):
        elements: list[tuple[str, ...]] = [(ACTION, sentence(12))]
        for k in range(4):
            elements.append((CHARACTER, f"PERSON{number}X{k % 2}"))
            elements.append((DIALOGUE, sentence(int(rng.integers(8, 20)))))
        scenes.append((f"INT. ROOM {s} - DAY", elements))
    script = build_script(scenes, path=f"/refs/random{number}.fountain", title=f"Random {number}")
    return dataclasses.replace(script, sha256=f"{number:064d}")


def _references(count: int) -> MemoryReferences:
    rng = np.random.default_rng(7)
    scripts = [_random_script(rng, i) for i in range(count)]
    return MemoryReferences.build(scripts, IndexSettings(), HashEmbedder(32))


def test_tail_is_empirical_inside_the_sample_and_exponential_beyond() -> None:
    tail = Tail.of(np.arange(100, dtype=float), 0.5)
    assert tail.chance(-5) == 1.0
    assert tail.chance(50) == pytest.approx(0.5)
    inside = tail.chance(95)
    beyond = tail.chance(150)
    assert 0 < beyond < inside
    assert tail.chance(160) < beyond  # keeps falling
    assert tail.rarity(150) == pytest.approx(-math.log10(beyond))


def test_tail_of_a_mostly_zero_sample_uses_its_non_zero_part() -> None:
    tail = Tail.of([0.0] * 95 + [1, 2, 3, 4, 5], 1.0)
    assert tail.u == 0.0
    assert tail.chance(0.0) == 1.0
    assert tail.chance(3.0) < 0.05
    assert tail.chance(40.0) < 1e-5


def test_empty_tail_never_claims_rarity() -> None:
    assert Tail.of([], 1.0).chance(100.0) == 1.0


def _null(n_passages: int = 10_000) -> SemanticNull:
    bins = tuple(Tail.of(np.linspace(0.3, 0.6, 200), 0.005) for _ in range(len(settings.LENGTH_BINS) + 1))
    return SemanticNull(n_passages, bins)


def test_semantic_chance_is_converted_to_the_number_of_reference_passages() -> None:
    null = _null()
    assert null.chance(0.55, 30, 10_000) == pytest.approx(
        Tail.of(np.linspace(0.3, 0.6, 200), 0.005).chance(0.55)
    )
    assert null.chance(0.55, 30, 100) < null.chance(0.55, 30, 10_000)  # fewer passages, fewer chances
    assert null.threshold(30, 100, 2.0) < null.threshold(30, 10_000, 2.0)


def test_random_pair_shares_set_the_chance_for_small_reference_sets() -> None:
    grid = np.asarray(settings.COSINE_GRID)
    pairs = tuple(tuple(float(x) for x in np.clip((0.6 - grid) / 0.8, 0.0, 1.0) ** 4) for _ in range(4))
    null = dataclasses.replace(_null(), pairs=pairs)
    # in the bulk, where the top-1 law says nothing about single pairs, the pair shares decide
    assert null.chance(0.35, 30, 20) > _null().chance(0.35, 30, 20)
    assert null.chance(0.35, 30, 20) == pytest.approx(
        1 - math.exp(-20 * float(np.interp(0.35, grid, pairs[0])))
    )
    # never above the top-1 law of the full index
    assert null.chance(0.35, 30, 9_999) <= null.bins[2].chance(0.35)
    assert null.threshold(30, 20, 2.0) > _null().threshold(30, 20, 2.0)


def test_semantic_strength_ramps_between_the_evidence_and_full_rarities() -> None:
    null = _null()
    low = null.threshold(30, 10_000, settings.SEMANTIC_EVIDENCE)
    full = null.threshold(30, 10_000, settings.SEMANTIC_FULL)
    assert null.strength(low - 0.01, 30, 10_000) == 0.0
    assert 0.0 < null.strength((low + full) / 2, 30, 10_000) < 1.0
    assert null.strength(min(1.0, full + 0.01), 30, 10_000) == 1.0


def test_levels_follow_the_documented_rarity_thresholds() -> None:
    calibration = default_calibration("all-MiniLM-L6-v2")
    assert calibration.level(1.99) is None
    assert calibration.level(2.0) == "low"
    assert calibration.level(4.0) == "medium"
    assert calibration.level(6.0) == "high"


def test_evidence_rarity_takes_the_most_unusual_measure() -> None:
    flat = Tail.of(np.linspace(0, 50, 100), 2.0)
    zeros = Tail.of([0.0] * 100, 2.0)
    null = EvidenceNull(lexical=zeros, semantic=flat, combined=flat)
    lexical = PairScore(0.1, 0.0, 0.1, 20.0, 0.0, 20.0)
    semantic = PairScore(0.0, 0.1, 0.1, 0.0, 20.0, 20.0)
    assert null.rarity(lexical) > null.rarity(semantic)  # 20 copied words are rarer than 20 similar ones
    assert null.rarity(PairScore(0, 0, 0, 0, 0, 0)) == 0.0


def test_calibration_round_trips_through_json() -> None:
    calibration = default_calibration("all-MiniLM-L6-v2")
    again = Calibration.from_dict(calibration.to_dict(), source="default")
    assert again.semantic == calibration.semantic
    assert again.evidence == calibration.evidence
    with pytest.raises(ValueError):
        Calibration.from_dict({**calibration.to_dict(), "version": 999})


def test_default_calibration_says_when_the_model_differs() -> None:
    assert "approximate" not in default_calibration("all-MiniLM-L6-v2").note
    assert "approximate" in default_calibration("hash-32").note


def test_few_references_use_the_shipped_defaults() -> None:
    refs = _references(3)
    calibration = load_calibration(refs, CompareSettings())
    assert calibration.source == "default"
    assert refs.read_extra(EXTRA_NAME) is None


def test_enough_references_are_measured_once_and_cached(monkeypatch: pytest.MonkeyPatch) -> None:
    refs = _references(settings.MIN_SCRIPTS)
    assert calibrate(refs, CompareSettings()) is not None
    calibration = load_calibration(refs, CompareSettings())
    assert calibration.source == "index"
    assert calibration.scene_samples == sum(s.scenes for s in refs.scripts())  # fewer scenes than samples
    assert all(len(t.values) >= settings.MIN_BIN_SAMPLES for t in calibration.semantic.bins)
    cached = refs.read_extra(EXTRA_NAME)
    assert cached is not None and cached["fingerprint"] == fingerprint(refs, CompareSettings())
    assert len(calibration.semantic.pairs) == len(settings.LENGTH_BINS) + 1

    def fail(*args: object, **kwargs: object) -> None:
        raise AssertionError("measured again")

    monkeypatch.setattr("simcheck.calibration.load.measure_state", fail)
    again = load_calibration(refs, CompareSettings())
    assert again.evidence == calibration.evidence
    assert calibrate(refs, CompareSettings()) is None


def test_measurement_is_deterministic() -> None:
    a = load_calibration(_references(settings.MIN_SCRIPTS), CompareSettings())
    b = load_calibration(_references(settings.MIN_SCRIPTS), CompareSettings())
    assert a.to_dict() == b.to_dict()


def test_fingerprint_changes_with_the_references() -> None:
    assert fingerprint(_references(settings.MIN_SCRIPTS)) != fingerprint(
        _references(settings.MIN_SCRIPTS + 1)
    )


def test_an_isolated_passage_pair_is_judged_against_a_large_reference_set() -> None:
    null = _null()
    cosine = null.threshold(30, 100, settings.SEMANTIC_FULL)  # full strength among 100 passages
    assert null.strength(cosine, 30, 100, alone=False) == pytest.approx(1.0)
    assert null.strength(cosine, 30, 100, alone=True) < 1.0  # as if among MIN_SEMANTIC_PASSAGES
    assert null.strength(cosine, 30, 100, alone=True) == null.strength(
        cosine, 30, settings.MIN_SEMANTIC_PASSAGES
    )


def test_needs_measuring_until_cached() -> None:
    refs = _references(settings.MIN_SCRIPTS)
    assert needs_measuring(refs, CompareSettings())
    load_calibration(refs, CompareSettings())  # a compare measures for itself and saves nothing
    assert needs_measuring(refs, CompareSettings())
    calibrate(refs, CompareSettings())
    assert not needs_measuring(refs, CompareSettings())
    assert needs_measuring(refs, CompareSettings(min_verbatim_tokens=20))  # other settings, other null
    assert not needs_measuring(_references(3), CompareSettings())  # defaults: nothing to measure

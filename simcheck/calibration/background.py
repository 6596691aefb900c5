"""Measure the background of a set of references, or bring a measurement up to date (see
``simcheck.calibration`` for what is measured and why).

Reference material is used as pseudo-drafts against the *other* reference scripts, through the same
candidate search and verification as a real draft, using the stored vectors and signatures. The
sample depends only on the references' content (``sample``); the searches are batched (``passages``,
``scenes``). Given the ``State`` of an earlier measurement with the same method, only what the change
calls for is measured: new samples, kept samples against the scripts added, and samples that depended
on a script removed or were judged in references of a too different size. Every other sample's result
is the one a new measurement would find, so an update equals a new measurement up to the drift that
``CALIBRATION_REFRESH`` bounds (``scenes.stale``).
"""

from __future__ import annotations

from dataclasses import dataclass

from simcheck.calibration.passages import extend_passages, measure_passages, semantic_null
from simcheck.calibration.sample import census
from simcheck.calibration.scenes import SceneSample, affected, judged_floors, measure_scenes, stale
from simcheck.calibration.state import State
from simcheck.match.rarity import Calibration, EvidenceNull, SemanticNull, Tail
from simcheck.search.references import References
from simcheck.settings import PASSAGE_SAMPLES, SCENE_SAMPLES, CompareSettings


@dataclass(frozen=True)
class Measurement:
    calibration: Calibration
    state: State
    passages_measured: int  # samples measured now (the others were kept from the earlier state)
    scenes_measured: int


def measure(
    references: References,
    settings: CompareSettings,
    key: str,
    passage_samples: int = PASSAGE_SAMPLES,
    scene_samples: int = SCENE_SAMPLES,
) -> Calibration:
    """Measure both backgrounds on ``references`` (``key``: their calibration fingerprint)."""
    return measure_state(references, settings, key, "", None, passage_samples, scene_samples).calibration


def measure_state(
    references: References,
    settings: CompareSettings,
    key: str,
    method: str,
    previous: State | None = None,
    passage_samples: int = PASSAGE_SAMPLES,
    scene_samples: int = SCENE_SAMPLES,
) -> Measurement:
    """Measure, or update ``previous`` (measured with the same ``method``), and return the new state."""
    counted = census(references, passage_samples, scene_samples)
    old = previous if previous is not None and previous.method == method else None
    before = set(old.scripts) if old is not None else set()
    added = sorted(set(counted.scripts_of) - before) if old is not None else []
    removed = before - set(counted.scripts_of)

    kept_passages = {s.key: s for s in old.passages} if old is not None else {}
    keep, todo = [], []
    for unit in counted.passages:
        sample = kept_passages.get(unit.key)
        if sample is not None and sample.source not in removed:
            keep.append((unit, sample))
        else:
            todo.append(unit)
    passages = sorted(
        [*extend_passages(references, counted, keep, added), *measure_passages(references, counted, todo)],
        key=lambda s: s.key,
    )
    semantic = semantic_null(references, counted, passages)
    provisional = _calibration(references, key, semantic, EvidenceNull(*(Tail.of([], 2.0),) * 3), 0, 0)

    kept_scenes = {s.key: s for s in old.scenes} if old is not None else {}
    floors = judged_floors(provisional, counted.n_passages)
    candidates = [
        u
        for u in counted.scenes
        if u.key in kept_scenes
        and not stale(kept_scenes[u.key], counted, floors)
        and not _depends(kept_scenes[u.key], removed)
    ]
    hit = affected(references, counted, provisional, candidates, added)
    kept = {u.key: kept_scenes[u.key] for u in candidates if u.key not in hit}
    measured = measure_scenes(
        references, settings, counted, provisional, [u for u in counted.scenes if u.key not in kept]
    )
    scenes = sorted([*kept.values(), *measured], key=lambda s: s.key)
    evidence = EvidenceNull.of(
        [s.best[0] for s in scenes], [s.best[1] for s in scenes], [s.best[2] for s in scenes]
    )
    calibration = _calibration(references, key, semantic, evidence, len(passages), len(scenes))
    state = State(
        method, tuple(sorted(counted.scripts_of)), counted.n_passages, tuple(passages), tuple(scenes)
    )
    return Measurement(calibration, state, len(todo), len(measured))


def _depends(sample: SceneSample, removed: set[str]) -> bool:
    if not removed:
        return False
    if sample.touched is None:
        return True
    return bool(removed.intersection(sample.touched)) or bool(removed.intersection(sample.sources))


def _calibration(
    references: References,
    key: str,
    semantic: SemanticNull,
    evidence: EvidenceNull,
    passage_samples: int,
    scene_samples: int,
) -> Calibration:
    return Calibration(
        source="index",
        model=references.model_name,
        fingerprint=key,
        passage_samples=passage_samples,
        scene_samples=scene_samples,
        semantic=semantic,
        evidence=evidence,
        note="measured on these references",
    )

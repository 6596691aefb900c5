"""Calibration that scales: content-keyed samples, batched measurement, updates instead of re-measuring.

The incremental update is checked against a full measurement of the same references: same samples,
same passage values, and the same scene values except where an update legitimately keeps a sample's
earlier result (nothing it could meet changed).
"""

from __future__ import annotations

import dataclasses
import math
from pathlib import Path

import numpy as np
import pytest
from fakes import HashEmbedder

from simcheck import settings
from simcheck.calibration import calibrate, is_current, load_calibration, needs_measuring
from simcheck.calibration import scenes as scene_module
from simcheck.calibration.background import Measurement, measure_state
from simcheck.calibration.load import EXTRA_NAME, fingerprint, method_key
from simcheck.calibration.sample import census
from simcheck.calibration.state import State
from simcheck.calibration.update import refresh
from simcheck.errors import IndexLocked
from simcheck.index import Index
from simcheck.index.layout import WriteLock
from simcheck.model import ACTION, CHARACTER, DIALOGUE, Script
from simcheck.search.memory import MemoryReferences
from simcheck.settings import CompareSettings, IndexSettings
from tests.handmade import build_script
from tests.test_calibration import _random_script

SETTINGS = CompareSettings()


def _script(number: int, scenes: int = 3) -> Script:
    return _random_script(np.random.default_rng(number), number, scenes)


def _copy_of_scene(source: Script, scene: int, number: int) -> Script:
    """A new script whose only scene repeats ``source``'s scene ``scene`` word for word."""
    elements = [
        (e.kind, e.text) for e in source.scenes[scene - 1].elements if e.kind in (ACTION, CHARACTER, DIALOGUE)
    ]
    script = build_script([("INT. COPY - NIGHT", elements)], path=f"/refs/copy{number}.fountain")
    return dataclasses.replace(script, sha256=f"{number:064x}")


def _refs(scripts: list[Script]) -> MemoryReferences:
    return MemoryReferences.build(scripts, IndexSettings(), HashEmbedder(32))


def _measure(refs: MemoryReferences, previous: State | None = None) -> Measurement:
    return measure_state(refs, SETTINGS, fingerprint(refs, SETTINGS), method_key(refs, SETTINGS), previous)


BASE = [_script(i) for i in range(14)]


def test_the_sample_and_the_calibration_do_not_depend_on_the_order_of_scripts() -> None:
    forward, backward = _refs(BASE), _refs(list(reversed(BASE)))
    a, b = census(forward), census(backward)
    assert [u.key for u in a.passages] == [u.key for u in b.passages]
    assert [(u.key, u.sha256, u.scene) for u in a.scenes] == [(u.key, u.sha256, u.scene) for u in b.scenes]
    assert [u.passage for u in a.passages] != [u.passage for u in b.passages]  # other ids, same units
    first, second = _measure(forward), _measure(backward)
    assert first.calibration.to_dict() == second.calibration.to_dict()
    assert first.state == second.state


def test_identical_passages_are_one_unit_and_a_huge_scene_is_left_out(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    line = "The old man walked down to the harbour and watched the boats go by again"
    repeated = build_script(
        [("INT. ECHO - DAY", [(ACTION, line)] * 40)], path="/refs/echo.fountain", title="Echo"
    )
    repeated = dataclasses.replace(repeated, sha256="e" * 64)
    refs = _refs([*BASE, repeated])
    counted = census(refs)
    echo = [u for u in counted.passages if u.sha256 == "e" * 64]
    assert len(echo) == 1  # 40 identical passages, one unit
    scene = next(u for u in counted.scenes if u.sha256 == "e" * 64)
    assert len(scene.passages) == 1 and not scene.complete
    monkeypatch.setattr("simcheck.calibration.sample.SCENE_MAX_PASSAGES", 3)
    assert all(len(u.passages) <= 3 for u in census(refs).scenes)


def test_a_passage_whose_nearest_neighbours_are_all_its_own_is_searched_further() -> None:
    line = "The old man walked down to the harbour and watched the boats go by again"
    repeated = build_script(
        [("INT. ECHO - DAY", [(ACTION, line)] * (settings.SEARCH_K + 10))], path="/refs/echo.fountain"
    )
    refs = _refs([*BASE, dataclasses.replace(repeated, sha256="e" * 64)])
    result = _measure(refs)
    counted = census(refs)
    key = next(u.key for u in counted.passages if u.sha256 == "e" * 64)
    sample = next(s for s in result.state.passages if s.key == key)
    assert sample.source is not None and sample.source != "e" * 64  # found in another script
    assert sample.value < 0.999  # not its own copy


def _compare(update: Measurement, full: Measurement) -> None:
    """An update gives the same samples and passage values as a full measurement; a kept scene sample
    may differ by the drift of what it was judged with (a cosine floor moved by less than
    ``CALIBRATION_FLOOR_DRIFT``), which changes a few hundredths of a word here."""
    assert [s.key for s in update.state.passages] == [s.key for s in full.state.passages]
    for a, b in zip(update.state.passages, full.state.passages, strict=True):
        assert a.value == pytest.approx(b.value, abs=1e-5) and a.source == b.source
    assert [s.key for s in update.state.scenes] == [s.key for s in full.state.scenes]
    for a, b in zip(update.state.scenes, full.state.scenes, strict=True):
        assert a.best == pytest.approx(b.best, rel=0.05, abs=0.05)
    for mine, theirs in zip(_thresholds(update), _thresholds(full), strict=True):
        assert mine == pytest.approx(theirs, rel=0.02)


def _thresholds(result: Measurement) -> list[float]:
    """Words of evidence that make a low, a medium and a high match, for each measure."""
    out = []
    evidence = result.calibration.evidence
    for tail in (evidence.lexical, evidence.semantic, evidence.combined):
        for rarity in (2.0, 4.0, 6.0):
            lo, hi = 0.0, 5000.0
            for _ in range(50):
                mid = (lo + hi) / 2
                lo, hi = (lo, mid) if tail.rarity(mid) - math.log10(3.0) >= rarity else (mid, hi)
            out.append(hi)
    return out


MANY = [_script(i) for i in range(40)]


def test_adding_a_script_measures_only_what_it_changes_and_matches_a_full_measurement() -> None:
    before = _measure(_refs(MANY))
    refs = _refs([*MANY, _script(101, scenes=1)])
    update = _measure(refs, before.state)
    full = _measure(refs)
    _compare(update, full)
    assert update.scenes_measured <= 3 and update.passages_measured < len(update.state.passages) / 10
    assert sum(a.best == b.best for a, b in zip(update.state.scenes, full.state.scenes, strict=True)) > 100


def test_a_copy_added_is_found_by_the_samples_it_copies() -> None:
    before = _measure(_refs(MANY))
    source = MANY[3]
    copy = _copy_of_scene(source, 2, 100)
    refs = _refs([*MANY, copy])
    update = _measure(refs, before.state)
    _compare(update, _measure(refs))
    copied = next(u.key for u in census(refs).scenes if u.sha256 == source.sha256 and u.scene == 2)
    sample = next(s for s in update.state.scenes if s.key == copied)
    assert sample.best[0] > 20 and sample.sources[0] == copy.sha256  # the copied words, from the copy
    assert update.state.passages != before.state.passages  # its passages now meet their copies


def test_removing_a_script_re_measures_only_the_samples_that_met_it() -> None:
    before = _measure(_refs([*MANY, _script(101, scenes=1)]))
    refs = _refs(MANY)
    update = _measure(refs, before.state)
    full = _measure(refs)
    _compare(update, full)
    assert update.scenes_measured < len(full.state.scenes) / 10


def test_samples_judged_in_references_of_another_size_are_measured_again(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr("simcheck.calibration.scenes.CALIBRATION_FLOOR_DRIFT", 1.0)  # the size rule alone
    before = _measure(_refs(MANY))
    slightly = _measure(_refs([*MANY, _script(101, scenes=1)]), before.state)
    assert slightly.scenes_measured < 5
    grown = _measure(_refs([*MANY, *(_script(200 + i) for i in range(6))]), before.state)  # 15% more
    assert grown.scenes_measured == len(grown.state.scenes)


def test_another_method_is_measured_from_scratch() -> None:
    before = _measure(_refs(BASE))
    other = dataclasses.replace(before.state, method="another")
    update = _measure(_refs(BASE), other)
    assert update.scenes_measured == len(update.state.scenes)
    assert update.passages_measured == len(update.state.passages)


def test_the_verified_pairs_per_sample_are_capped(monkeypatch: pytest.MonkeyPatch) -> None:
    words = "harbour lantern ledger anvil orchard violin quarry saddle kettle compass".split()
    alike = []
    for n in range(30):  # every script made of the same few sentences: every pair is a candidate
        elements: list[tuple[str, ...]] = [(ACTION, " ".join(words[(n + k) % 10] for k in range(14)))]
        for k in range(4):
            elements += [
                (CHARACTER, f"PERSON{k}"),
                (DIALOGUE, " ".join(words[(k * 7 + j) % 10] for j in range(12))),
            ]
        script = build_script([(f"INT. ROOM {n} - DAY", elements)], path=f"/refs/t{n}.fountain")
        alike.append(dataclasses.replace(script, sha256=f"{n + 1:064x}"))
    refs = _refs(alike)
    calls: list[int] = []
    real = scene_module.verify_script

    def counting(probe, cache, script_id, pairs, *args, **kwargs):  # type: ignore[no-untyped-def]
        calls.append(len(pairs))
        return real(probe, cache, script_id, pairs, *args, **kwargs)

    monkeypatch.setattr(scene_module, "verify_script", counting)
    monkeypatch.setattr(scene_module, "CALIBRATION_MAX_PAIRS", 5)
    result = _measure(refs)
    assert sum(calls) <= 5 * len(result.state.scenes)
    assert len(calls) > len(result.state.scenes)  # several scripts per sample, but not all 29


def test_compare_never_writes_and_says_what_it_used() -> None:
    refs = _refs(MANY)
    assert needs_measuring(refs, SETTINGS) and not is_current(refs, SETTINGS)
    measured = load_calibration(refs, SETTINGS)
    assert measured.source == "index" and "not saved" in measured.note
    assert refs.read_extra(EXTRA_NAME) is None
    assert calibrate(refs, SETTINGS) is not None
    assert is_current(refs, SETTINGS) and not needs_measuring(refs, SETTINGS)
    assert calibrate(refs, SETTINGS) is None  # nothing left to measure
    assert load_calibration(refs, SETTINGS).to_dict() == measured.to_dict()
    grown = _refs([*MANY, _script(101, scenes=1)])
    grown.write_extra(EXTRA_NAME, refs.read_extra(EXTRA_NAME) or {})
    earlier = load_calibration(grown, SETTINGS)
    assert "earlier state" in earlier.note and earlier.evidence == measured.evidence
    assert not needs_measuring(grown, SETTINGS) and not is_current(grown, SETTINGS)
    result = calibrate(grown, SETTINGS)  # an update from the earlier state
    assert result is not None and result.scenes_measured < len(result.state.scenes)
    assert is_current(grown, SETTINGS)


def test_a_foreign_or_damaged_state_is_measured_again() -> None:
    refs = _refs(MANY)
    calibrate(refs, SETTINGS)
    document = refs.read_extra(EXTRA_NAME) or {}
    grown = _refs([*MANY, _script(101, scenes=1)])
    grown.write_extra(EXTRA_NAME, {**document, "samples": {"version": 99}})
    result = calibrate(grown, SETTINGS)
    assert result is not None and result.scenes_measured == len(result.state.scenes)


def _write_scripts(folder: Path, scripts: list[Script]) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    for script in scripts:
        (folder / Path(script.path).name).write_text(script.text, encoding="utf-8")


def test_an_index_is_calibrated_under_its_lock_and_updated_incrementally(tmp_path: Path) -> None:
    refs = tmp_path / "refs"
    _write_scripts(refs, MANY)
    index = Index.create(tmp_path / "idx", IndexSettings(model="hash-32"))
    index.add([str(refs)])
    first = refresh(index, SETTINGS)
    assert first is not None and first.scenes_measured == len(first.state.scenes)
    assert refresh(index, SETTINGS) is None  # current
    previous = index.read_extra(EXTRA_NAME)
    _write_scripts(refs, [_script(101, scenes=1)])
    index.add([str(refs)])
    assert index.read_extra(EXTRA_NAME) == previous  # kept beside the index, but no longer current
    assert not is_current(index, SETTINGS)
    with WriteLock(index.path), pytest.raises(IndexLocked):
        refresh(index, SETTINGS, previous)  # another writer holds the lock: nothing measured in parallel
    second = refresh(index, SETTINGS, previous)
    assert second is not None and second.scenes_measured < len(second.state.scenes)
    full = measure_state(index, SETTINGS, fingerprint(index, SETTINGS), method_key(index, SETTINGS))
    for a, b in zip(second.state.scenes, full.state.scenes, strict=True):
        assert a.key == b.key and a.best == pytest.approx(b.best, rel=0.05, abs=0.05)
    assert is_current(Index.open(tmp_path / "idx"), SETTINGS)


def test_a_compare_during_the_update_uses_the_last_valid_calibration(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import simcheck.calibration.update as update

    refs = tmp_path / "refs"
    _write_scripts(refs, MANY)
    index = Index.create(tmp_path / "idx", IndexSettings(model="hash-32"))
    index.add([str(refs)])
    refresh(index, SETTINGS)
    previous = index.read_extra(EXTRA_NAME)
    _write_scripts(refs, [_script(101, scenes=1)])
    index.add([str(refs)])
    notes: list[str] = []
    real = update.calibrate

    def meanwhile(*args: object, **kwargs: object) -> Measurement | None:
        other = Index.open(tmp_path / "idx")  # another process's compare, while the index is being calibrated
        notes.append(load_calibration(other, SETTINGS).note)
        return real(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(update, "calibrate", meanwhile)
    refresh(index, SETTINGS, previous)
    assert notes and "earlier state" in notes[0]
    assert load_calibration(Index.open(tmp_path / "idx"), SETTINGS).note == "measured on these references"


def test_simcheck_index_and_remove_update_the_calibration(tmp_path: Path) -> None:
    from click.testing import CliRunner

    from simcheck.cli import cli

    refs, idx = tmp_path / "refs", str(tmp_path / "idx")
    _write_scripts(refs, MANY)
    first = CliRunner().invoke(cli, ["index", str(refs), "--index", idx, "--model", "hash-32"])
    assert first.exit_code == 0, first.output
    assert "Calibrated in" in first.stderr and "measured 120 of 120 scene samples" in first.stderr
    _write_scripts(refs, [_script(101, scenes=1)])
    second = CliRunner().invoke(cli, ["index", str(refs), "--index", idx, "--model", "hash-32"])
    assert second.exit_code == 0, second.output
    measured = int(second.stderr.split("(measured ")[1].split(" of ")[0])
    assert measured < 10  # the new script's scene and the few samples it meets
    assert is_current(Index.open(idx), SETTINGS)
    removed = CliRunner().invoke(cli, ["remove", str(refs / "random101.fountain"), "--index", idx])
    assert removed.exit_code == 0, removed.output
    assert is_current(Index.open(idx), SETTINGS)

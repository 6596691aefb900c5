"""compare(): evidence-backed matches, disguises, no false accusations (fake embedder, in-memory refs)."""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pytest
from fakes import HashEmbedder

from simcheck.compare import Comparer, compare, compare_many
from simcheck.errors import IndexMismatch
from simcheck.model import ACTION, CHARACTER, DIALOGUE
from simcheck.read import read_script as read_draft
from simcheck.report.model import Report
from simcheck.search.memory import MemoryReferences
from simcheck.settings import CompareSettings, IndexSettings
from simcheck.text.tokens import words
from tests.handmade import build_script

FIXTURES = Path(__file__).parent / "fixtures" / "compare"
REFS = [
    FIXTURES / name
    for name in ("keepers_daughter.fountain", "orchard_debts.fountain", "night_shift.fountain")
]
KEEPER = str(FIXTURES / "keepers_daughter.fountain")
KEEPER_SHOWN = "keepers_daughter.fountain"  # reports name references relative to their common folder


@pytest.fixture(scope="module")
def references() -> MemoryReferences:
    return MemoryReferences.build([read_draft(str(p)) for p in REFS], IndexSettings(), HashEmbedder(64))


def _compare(references: MemoryReferences, draft: Path | str, **settings: object) -> Report:
    comparer = Comparer(references, HashEmbedder(64), CompareSettings(**settings))  # type: ignore[arg-type]
    return comparer.compare_scripts([read_draft(str(draft))])[0]


@pytest.fixture(scope="module")
def planted(references: MemoryReferences) -> Report:
    return _compare(references, FIXTURES / "salt_and_signal.fountain")


def _pairs(report: Report) -> dict[tuple[int, int], str]:
    return {
        (m.draft_scene, m.reference_scene): m.level for m in report.matches if m.reference == KEEPER_SHOWN
    }


def test_verbatim_scene_with_renamed_characters_is_high(planted: Report) -> None:
    assert _pairs(planted)[(2, 4)] == "high"
    match = next(m for m in planted.matches if (m.draft_scene, m.reference_scene) == (2, 4))
    assert match.lexical > 0.9
    # the same words with the characters renamed: "fuzzy" (lightly edited), never "verbatim", which
    # promises the very same words; lines without a name may still be verbatim
    assert any(e.kind == "fuzzy" for e in match.evidence)
    for e in match.evidence:
        assert (e.kind == "verbatim") == (words(e.draft_text) == words(e.reference_text))
    names = {(n.draft, n.reference) for n in match.names}
    assert ("TOBIAS", "HALVARD") in names and ("ELSIE", "MAREN") in names


def test_shuffled_speeches_and_a_dropped_exchange_are_found(planted: Report) -> None:
    pairs = _pairs(planted)
    assert pairs[(3, 2)] in ("medium", "high")  # speeches shuffled within the scene
    assert pairs[(4, 3)] in ("medium", "high")  # a copied exchange inside an original scene
    exchange = next(m for m in planted.matches if (m.draft_scene, m.reference_scene) == (4, 3))
    assert exchange.score < 0.9  # most of the draft scene is original


def test_original_scenes_are_not_matched(planted: Report) -> None:
    assert {m.draft_scene for m in planted.matches} == {2, 3, 4}


def test_every_evidence_offset_points_at_its_text(planted: Report) -> None:
    draft_text = read_draft(str(FIXTURES / "salt_and_signal.fountain")).text
    ref_text = read_draft(KEEPER).text
    assert planted.matches
    for match in planted.matches:
        assert match.evidence, "no evidence, no match"
        for evidence in match.evidence:
            assert draft_text[evidence.draft.start : evidence.draft.end] == evidence.draft_text
            assert ref_text[evidence.reference.start : evidence.reference.end] == evidence.reference_text
            assert evidence.draft.line == draft_text[: evidence.draft.start].count("\n") + 1
            assert evidence.reference.line == ref_text[: evidence.reference.start].count("\n") + 1
            assert 0.0 <= evidence.similarity <= 1.0


def test_reference_summary_has_coverage_sequence_and_names(planted: Report) -> None:
    (ref,) = planted.references
    assert ref.path == KEEPER_SHOWN and ref.level == "high" and not ref.allowed
    assert ref.scenes_matched == 3
    assert 0.3 < ref.coverage < 1.0
    assert ref.sequence_scenes == 2  # draft 3->2 and 4->3 keep the reference's order; 2->4 does not
    assert ref.sequence == pytest.approx(2 / 3)
    names = {(n.draft, n.reference): n.speeches for n in ref.names}
    assert names[("TOBIAS", "HALVARD")] >= 3 and names[("ELSIE", "MAREN")] >= 3
    assert planted.overall.level == "high"
    assert planted.reaches("high") and planted.reaches("low")


def test_an_innocent_draft_has_no_match(references: MemoryReferences) -> None:
    report = _compare(references, FIXTURES / "bakery.fountain")
    assert report.matches == () and report.references == ()
    assert report.overall.level == "none"
    assert not report.reaches("low")


def test_same_inputs_give_byte_identical_json(references: MemoryReferences, planted: Report) -> None:
    again = _compare(references, FIXTURES / "salt_and_signal.fountain")
    assert again.to_json() == planted.to_json()


def test_an_allowed_reference_is_shown_but_not_flagged(references: MemoryReferences) -> None:
    report = _compare(references, FIXTURES / "salt_and_signal.fountain", allow=(KEEPER,))
    assert report.matches and all(m.allowed for m in report.matches)
    assert all(m.allowed_by == KEEPER for m in report.matches)
    assert report.references[0].allowed
    assert not report.reaches("low")
    assert report.overall.level == "none" and report.overall.allowed == len(report.matches)


def test_an_allowed_quote_covers_only_its_passage(references: MemoryReferences) -> None:
    quote = (
        "quote: He did whistle on the stairs. Father believes whistling calls the wind, and he has forty "
        "years of storms to prove it. And what do you believe? I believe the wind comes whether anyone "
        "whistles or not, and somebody has to be awake when it does. sent the last lad home in tears. Said "
        "he whistled on the stairs. Did he whistle on the stairs?"
    )
    report = _compare(references, FIXTURES / "salt_and_signal.fountain", allow=(quote,))
    pairs = {(m.draft_scene, m.reference_scene): m for m in report.matches}
    assert pairs[(4, 3)].allowed
    assert not pairs[(2, 4)].allowed and pairs[(2, 4)].level == "high"


def _write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def test_a_shared_scene_heading_is_not_evidence(references: MemoryReferences, tmp_path: Path) -> None:
    draft = _write(
        tmp_path / "heading.fountain",
        "INT. LAMP ROOM - NIGHT\n\nPIP, a child, builds a tower of playing cards on the floor.\n\n"
        "PIP\nIf this one stands I get to stay up for the fireworks, that was the deal.\n",
    )
    assert _compare(references, draft).matches == ()


def test_generic_short_lines_do_not_match(tmp_path: Path) -> None:
    lines = ["Yes.", "What?", "No.", "Why not?", "I don't know.", "Come here.", "Now?", "Yes, now."]
    speakers = ("ANN", "BOB")

    def scene(order: Sequence[int], action: str) -> list[tuple[str, ...]]:
        out: list[tuple[str, ...]] = [(ACTION, action)]
        for k, i in enumerate(order):
            out += [(CHARACTER, speakers[k % 2]), (DIALOGUE, lines[i])]
        return out

    reference = build_script(
        [("INT. HALL - DAY", scene(range(8), "They stand in the doorway of a small grey house by the sea."))],
        path="/refs/generic.fountain",
    )
    reference = dataclasses.replace(reference, sha256="1" * 64)
    refs = MemoryReferences.build([reference], IndexSettings(), HashEmbedder(64))
    shuffled = scene([3, 0, 6, 2, 7, 5, 1, 4], "Two strangers share an umbrella at a bus stop in the rain.")
    draft = build_script([("INT. CAR - NIGHT", shuffled)], path="/drafts/d.fountain")
    report = Comparer(refs, HashEmbedder(64)).compare_scripts([draft])[0]
    assert report.warnings == ()
    assert not any(e.kind in ("verbatim", "fuzzy") for m in report.matches for e in m.evidence)
    # the same lines in the same order would be a verbatim run
    same = build_script([("INT. CAR - NIGHT", scene(range(8), "Rain."))], path="/drafts/same.fountain")
    report = Comparer(refs, HashEmbedder(64)).compare_scripts([same])[0]
    assert any(e.kind == "verbatim" for m in report.matches for e in m.evidence)


def test_the_draft_itself_in_the_references_is_skipped_with_a_warning(references: MemoryReferences) -> None:
    report = _compare(references, KEEPER)
    assert report.matches == ()
    assert report.warnings == (f"{KEEPER_SHOWN} is the draft itself (same content): not compared",)


def test_stock_phrases_found_in_many_references_do_not_make_evidence() -> None:
    stock = "What are you doing here at this time of night, with the door wide open and the lights off?"
    rng = np.random.default_rng(3)
    words = [
        "kettle",
        "lamp",
        "ledger",
        "harbour",
        "orchard",
        "biscuit",
        "ferry",
        "lantern",
        "attic",
        "canal",
    ]
    scripts = []
    for n in range(8):
        filler = " ".join(rng.choice(words, size=14)).capitalize() + "."
        scene = [
            (ACTION, filler),
            (CHARACTER, f"A{n}"),
            (DIALOGUE, stock),
            (CHARACTER, f"B{n}"),
            (DIALOGUE, filler),
        ]
        script = build_script([("INT. ROOM - NIGHT", scene)], path=f"/refs/r{n}.fountain")
        scripts.append(dataclasses.replace(script, sha256=f"{n + 1:064d}"))
    refs = MemoryReferences.build(scripts, IndexSettings(), HashEmbedder(64))
    draft = build_script(
        [("INT. SHED - NIGHT", [(ACTION, "Rain on a tin roof."), (CHARACTER, "ZED"), (DIALOGUE, stock)])],
        path="/drafts/stock.fountain",
    )
    report = Comparer(refs, HashEmbedder(64)).compare_scripts([draft])[0]
    assert not any(e.kind in ("verbatim", "fuzzy") for m in report.matches for e in m.evidence)
    # the same sentence in a single reference is distinctive
    alone = MemoryReferences.build(scripts[:1], IndexSettings(), HashEmbedder(64))
    report = Comparer(alone, HashEmbedder(64)).compare_scripts([draft])[0]
    assert any(e.kind == "verbatim" for m in report.matches for e in m.evidence)


class CountingEmbedder(HashEmbedder):
    calls = 0

    def embed(self, texts: Sequence[str], progress: object = None) -> np.ndarray:
        CountingEmbedder.calls += 1
        return super().embed(texts)


def test_several_drafts_share_one_embedding_batch(references: MemoryReferences) -> None:
    embedder = CountingEmbedder(64)
    CountingEmbedder.calls = 0
    drafts = [read_draft(str(FIXTURES / n)) for n in ("salt_and_signal.fountain", "bakery.fountain")]
    reports = Comparer(references, embedder).compare_scripts(drafts)
    assert CountingEmbedder.calls == 1
    assert [r.draft.title for r in reports] == ["Salt and Signal", "Proving Time"]
    assert reports[0].matches and not reports[1].matches


def test_compare_many_and_compare_api(tmp_path: Path) -> None:
    reports = compare_many(
        [FIXTURES / "bakery.fountain"], against=[FIXTURES], embedder=HashEmbedder(64)
    )  # a folder: every script in it (the draft itself included here)
    assert reports[0].index.kind == "pairwise"
    assert reports[0].index.scripts == len(list(FIXTURES.glob("*.fountain")))
    report = compare(FIXTURES / "bakery.fountain", against=REFS, embedder=HashEmbedder(64))
    assert report.draft.path == str(FIXTURES / "bakery.fountain")
    assert report.calibration.source == "default"


def test_a_model_mismatch_is_a_clear_error(references: MemoryReferences) -> None:
    with pytest.raises(IndexMismatch, match="hash-64, not hash-32"):
        Comparer(references, HashEmbedder(32))


def test_plain_prose_pairwise_finds_the_copied_paragraph(tmp_path: Path) -> None:
    copied = (
        "The cartographer kept her maps in a tin trunk lined with newspaper from the year of the flood, "
        "and every evening she unrolled one of them on the kitchen table and corrected the coastline by hand."
    )
    source = _write(
        tmp_path / "source.txt",
        "Nobody in the village remembered the lighthouse being built.\r\n\r\n" + copied + "\r\n\r\n"
        "In the spring the gulls returned and nested on the chimney pots of the empty houses.\r\n",
    )
    suspicious = _write(
        tmp_path / "suspicious.txt",
        "A tram rattled past the bakery while the boy counted coins on the counter.\n\n"
        + copied.replace("kitchen table", "table in the kitchen")
        + "\n\nHe bought two rolls and walked home the long way, along the canal.\n",
    )
    report = compare(suspicious, against=[source], embedder=HashEmbedder(64))
    assert report.matches
    text_a = read_draft(str(suspicious)).text
    text_b = read_draft(str(source)).text
    lexical = [e for m in report.matches for e in m.evidence if e.kind != "semantic"]
    assert lexical
    for evidence in lexical:
        assert text_a[evidence.draft.start : evidence.draft.end] == evidence.draft_text
        assert text_b[evidence.reference.start : evidence.reference.end] == evidence.reference_text
    covered = sum(e.draft.end - e.draft.start for e in lexical)
    assert covered > 0.8 * len(copied)
    assert all(e.reference.line == 3 for e in lexical)  # CRLF counted as one line break


@pytest.mark.model
def test_reworded_scenes_are_found_with_the_real_model() -> None:
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
    from simcheck.embed import load_embedder

    embedder = load_embedder()
    refs = MemoryReferences.build([read_draft(str(p)) for p in REFS], IndexSettings(), embedder)
    comparer = Comparer(refs, embedder)
    drafts = [read_draft(str(FIXTURES / n)) for n in ("reworded.fountain", "bakery.fountain")]
    reworded, innocent = comparer.compare_scripts(drafts)
    pairs = {(m.draft_scene, m.reference_scene): m for m in reworded.matches if m.reference == KEEPER_SHOWN}
    assert set(pairs) == {(1, 2), (2, 4)}  # each reworded scene with its source scene, nothing else
    for match in pairs.values():
        assert match.semantic > 0.3
        assert sum(e.kind == "semantic" for e in match.evidence) >= 3
    assert pairs[(1, 2)].level in ("medium", "high")
    assert reworded.references[0].level == "high"
    assert reworded.references[0].path == KEEPER_SHOWN
    assert {(n.draft, n.reference) for n in reworded.references[0].names} >= {("OSKAR", "HALVARD")}
    assert reworded.references[0].sequence_scenes == 2  # same plot in the same order, in new words
    assert innocent.matches == ()

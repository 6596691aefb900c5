"""Evidence that reads true, in the writer's coordinates: PDF page and line, Final Draft paragraph and
scene number, Fountain line; labels that say what was found; long spans as line-level correspondences;
no X -> X mapping; odds and underlines that do not overstate (fake embedder, real readers)."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from click.testing import CliRunner
from handmade import screenplay_fdx, screenplay_pdf

from simcheck.cli import cli
from simcheck.match.align import REWORDED, align
from simcheck.match.runs import in_order_share, line_pieces
from simcheck.render.cards import mark_pair
from simcheck.render.html import render_html
from simcheck.render.text import render_text
from simcheck.settings import EVIDENCE_MAX_WORDS, FUZZY_MIN_RUN_SHARE
from simcheck.text.tokens import words

FIXTURES = Path(__file__).parent / "fixtures" / "compare"
KEEPER = FIXTURES / "keepers_daughter.fountain"
PLANTED = FIXTURES / "salt_and_signal.fountain"
HEADING = re.compile(r"^(?:INT|EXT)\. .*$", re.MULTILINE)


def body(path: Path) -> str:
    """A Fountain file without its title page."""
    text = path.read_text(encoding="utf-8")
    return text[HEADING.search(text).start() :]  # type: ignore[union-attr]


def compare(draft: Path, *refs: Path) -> dict:
    against = [x for ref in (refs or (KEEPER,)) for x in ("--against", str(ref))]
    result = CliRunner().invoke(
        cli, ["compare", str(draft), *against, "--model", "hash-64", "--format", "json"]
    )
    assert result.exit_code in (0, 3), result.output
    report: dict = json.loads(result.stdout)
    return report


@pytest.fixture(scope="module")
def pdf_report(tmp_path_factory: pytest.TempPathFactory) -> dict:
    draft = tmp_path_factory.mktemp("pdf") / "salt.pdf"
    draft.write_bytes(screenplay_pdf(body(PLANTED), lines_per_page=30))
    return compare(draft)


def lamp_room(report: dict) -> dict:
    return next(m for m in report["matches"] if m["draft_scene"] == 2 and m["reference_scene"] == 4)


def test_pdf_evidence_has_page_line_and_top(pdf_report: dict) -> None:
    evidence = lamp_room(pdf_report)["evidence"][0]
    # the copied scene starts at line 16 of page 1 (heading), its action at line 17, 312 pt... down
    assert (evidence["draft"]["page"], evidence["draft"]["page_line"]) == (1, 17)
    assert evidence["draft"]["top"] == pytest.approx(326.3, abs=0.5)
    assert evidence["draft"]["end_page"] == 2  # the scene runs onto page 2
    assert "page" not in evidence["reference"]  # a Fountain reference: its own lines are the place
    assert evidence["reference"]["line"] >= 1
    scenes = {s["number"]: s for s in pdf_report["draft"]["scenes"]}
    assert scenes[2]["page"] == 1 and scenes[3]["page"] == 2


def test_pdf_pages_are_shown_in_text_and_html(pdf_report: dict) -> None:
    text = render_text(pdf_report, width=160)
    assert "draft p.1 l.17 \u2013 p.2 l.17" in text
    page = render_html(pdf_report)
    assert "Draft \u00b7 scene 2 \u00b7 page 1, line 17 \u2013 page 2, line 17" in page
    assert "lines 10" not in page  # no line numbers of simcheck's reconstructed text


def test_final_draft_evidence_has_scene_number_and_paragraphs(tmp_path: Path) -> None:
    draft = tmp_path / "salt.fdx"
    draft.write_bytes(screenplay_fdx(body(PLANTED)))
    report = compare(draft)
    evidence = lamp_room(report)["evidence"][0]
    # heading = paragraph 1; the copied action is paragraph 2, the last speech paragraph 13
    assert evidence["draft"]["scene_number"] == "2A"
    assert (evidence["draft"]["paragraph"], evidence["draft"]["end_paragraph"]) == (2, 13)
    assert "page" not in evidence["draft"]
    page = render_html(report)
    assert "Draft \u00b7 scene 2 (numbered 2A) \u00b7 paragraphs 2\u201313" in page
    assert 'data-n="\u00b62"' in page  # the gutter counts paragraphs
    assert "draft \u00b62\u201313" in render_text(report, width=160)


def test_fountain_evidence_keeps_its_lines_and_adds_nothing() -> None:
    report = compare(PLANTED)
    for match in report["matches"]:
        for evidence in match["evidence"]:
            assert set(evidence["draft"]) == {"start", "end", "line"}
    assert all("page" not in scene for scene in report["draft"]["scenes"])


def test_labels_say_what_was_found() -> None:
    report = compare(PLANTED)
    for match in report["matches"]:
        for ev in match["evidence"]:
            if ev["kind"] == "verbatim":  # the very same words, names included
                assert words(ev["draft_text"]) == words(ev["reference_text"])
            if ev["kind"] == "fuzzy":  # the same words lightly edited: mostly in same-order runs
                assert words(ev["draft_text"]) != words(ev["reference_text"])
                assert in_order_share(words(ev["draft_text"]), words(ev["reference_text"]), 3) >= 0.5
    names = [(n["draft"], n["reference"]) for m in report["matches"] for n in m["names"]]
    names += [(n["draft"], n["reference"]) for r in report["references"] for n in r["names"]]
    assert ("TOBIAS", "HALVARD") in names
    assert all(d != r for d, r in names)  # never "PRUDHOE -> PRUDHOE"


def test_a_paraphrase_is_never_labelled_fuzzy(tmp_path: Path) -> None:
    # every sentence of a copied scene with its words in reverse order: the same vocabulary, no wording
    scene = body(KEEPER).split("\nINT. LAMP ROOM")[1].split("\nINT.")[0]
    reversed_text = re.sub(r"[A-Za-z][^.!?\n]*", lambda m: " ".join(reversed(m.group().split())), scene)
    draft = tmp_path / "paraphrase.fountain"
    draft.write_text("INT. TOWER - NIGHT\n" + reversed_text, encoding="utf-8")
    spans = align(words(reversed_text), words(scene))
    assert spans and all(s.kind == REWORDED and s.in_order < FUZZY_MIN_RUN_SHARE for s in spans)
    report = compare(draft)
    kinds = {e["kind"] for m in report["matches"] for e in m["evidence"]}
    assert "fuzzy" not in kinds and "verbatim" not in kinds
    assert kinds == {"semantic"}  # shown for what it is: the same content in other words


def test_a_long_lexical_span_is_shown_as_line_level_correspondences(tmp_path: Path) -> None:
    # one long copied scene: 14 speeches of ~25 words, then compared with its source
    speeches = [
        f"KEEPER\nThe lamp on night {k} burned with oil from the {k}th barrel while the tide ran {k} feet "
        f"over the reef and the gulls counted {k} boats home before the weather closed the sound."
        for k in range(1, 15)
    ]
    source = tmp_path / "source.fountain"
    source.write_text("INT. LAMP ROOM - NIGHT\n\n" + "\n\n".join(speeches) + "\n", encoding="utf-8")
    edited = [s.replace("gulls", "terns") for s in speeches]
    draft = tmp_path / "draft.fountain"
    draft.write_text("INT. TOWER - NIGHT\n\n" + "\n\n".join(edited) + "\n", encoding="utf-8")
    report = compare(draft, source)
    items = report["matches"][0]["evidence"]
    lexical = [e for e in items if e["kind"] in ("verbatim", "fuzzy")]
    assert len(lexical) >= 3
    assert all(e["words"] <= EVIDENCE_MAX_WORDS for e in lexical)
    assert sum(e["words"] for e in lexical) >= 300  # together they still show the whole copy
    for e in lexical:  # whole lines on both sides, each answering its own
        assert e["draft_text"].startswith("The lamp on night")
        assert words(e["draft_text"])[4] == words(e["reference_text"])[4]  # the same night


def test_line_pieces_cut_whole_lines_and_follow_the_alignment() -> None:
    a = [w for k in range(6) for w in (f"line{k}", *["x"] * 49)]  # 6 lines of 50 tokens
    b = ["extra"] * 10 + a  # the same lines, 10 tokens later
    cuts_a = [50 * k for k in range(1, 6)]
    cuts_b = [10 + 50 * k for k in range(6)]
    pieces = line_pieces(a, b, cuts_a, cuts_b, 120)
    assert [(a0, a1) for a0, a1, _, _ in pieces] == [(0, 100), (100, 200), (200, 300)]
    assert [(b0, b1) for _, _, b0, b1 in pieces][1:] == [(110, 210), (210, 310)]


def test_function_words_alone_are_not_underlined_and_long_passages_are_diffed_whole() -> None:
    draft, ref = mark_pair("The end of a long road are near", "Some end of a winding path are far", "fuzzy")
    assert '<span class="w">end of a</span>' in draft  # a run with a content word is marked
    assert '<span class="w">are</span>' not in draft  # "are" alone is not
    long_a = " ".join(f"word{k} changed{k}" if k % 50 == 0 else f"word{k}" for k in range(3000))
    long_b = " ".join(f"word{k}" for k in range(3000))
    marked, _ = mark_pair(long_a, long_b, "fuzzy")
    assert marked.count('class="chg"') == 60  # every change found, however long the passage


def test_a_reworded_stretch_is_shown_as_semantic_and_scored_as_found(tmp_path: Path) -> None:
    scene = body(KEEPER).split("\nINT. LAMP ROOM")[1].split("\nINT.")[0]
    reversed_text = re.sub(r"[A-Za-z][^.!?\n]*", lambda m: " ".join(reversed(m.group().split())), scene)
    draft = tmp_path / "paraphrase.fountain"
    draft.write_text("INT. TOWER - NIGHT\n" + reversed_text, encoding="utf-8")
    match = compare(draft)["matches"][0]
    reworded = [e for e in match["evidence"] if e.get("reworded")]
    assert reworded and all(e["kind"] == "semantic" for e in reworded)
    assert all(0 < e["similarity"] <= 1 and e["words"] <= EVIDENCE_MAX_WORDS for e in reworded)
    assert sum(e["words"] for e in reworded) >= 0.8 * len(words(reversed_text))  # the whole stretch
    assert match["lexical"] > 0.5  # found in its words, and scored so: only the label says "semantic"
    assert match["level"] == "high"


def test_reworded_items_say_so_in_text_and_html(tmp_path: Path) -> None:
    scene = body(KEEPER).split("\nINT. LAMP ROOM")[1].split("\nINT.")[0]
    reversed_text = re.sub(r"[A-Za-z][^.!?\n]*", lambda m: " ".join(reversed(m.group().split())), scene)
    draft = tmp_path / "paraphrase.fountain"
    draft.write_text("INT. TOWER - NIGHT\n" + reversed_text, encoding="utf-8")
    report = compare(draft)
    assert "semantic (reworded)" in render_text(report, width=160)
    page = render_html(report)
    assert (
        "the same content in other words (reworded: found through the vocabulary both share), common words"
        in (page)
    )

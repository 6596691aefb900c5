"""The story finding in the report (schema 2) and its renderers: JSON, HTML, text, CSV and diff.

The story layer itself (``simcheck.match.story.judge_story``) is replaced by a stand-in that returns
hand-built ``StoryResult`` objects over the real draft and reference texts, so that these tests check
what the report and the renderers make of a story result, whatever the story layer finds (fake
embedder, in-memory references; the story layer's own tests measure what it finds).
"""

from __future__ import annotations

import copy
import csv
import dataclasses
import importlib
import io
import json
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from fakes import HashEmbedder

from simcheck.cli import cli
from simcheck.compare import Comparer
from simcheck.match.allowlist import Allowlist
from simcheck.match.story import CastPair, StoryPair, StoryResult
from simcheck.model import Script
from simcheck.read import read_script
from simcheck.render.csv import render_csv
from simcheck.render.html import render_html
from simcheck.render.text import render_text
from simcheck.report.diff import diff_reports, load_report
from simcheck.report.model import ReferenceResult, Report, StoryFinding
from simcheck.report.story import excerpt, with_story
from simcheck.search.memory import MemoryReferences
from simcheck.settings import STORY_EXCERPT_CHARS, STORY_EXCERPT_LINES, CompareSettings, IndexSettings
from simcheck.text.units import StoryUnit

FIXTURES = Path(__file__).parent / "fixtures" / "compare"
REFS = [FIXTURES / n for n in ("keepers_daughter.fountain", "orchard_debts.fountain", "night_shift.fountain")]
SAMPLE = Path(__file__).parent / "data" / "report_sample.json"
COMPARE = importlib.import_module("simcheck.compare")  # the module (``simcheck.compare`` is also a function)
HOSTILE = "<script>alert('story')</script><img src=x onerror=alert(2)>"

# An original draft (written for this test): the story of a lighthouse keeper's daughter, retold in a
# bakery, every name changed. Its first scene carries hostile markup, which must stay inert text.
DRAFT = f"""Title: The Night Loaf

INT. BAKERY - BACK ROOM - NIGHT

Rain on the skylight. MARGIT, sixty, checks the ovens one by one. {HOSTILE}

MARGIT
The fires must not go out. Not tonight, not any night.

INT. BAKERY - FLAT UPSTAIRS - NIGHT

Her daughter ILSE, twenty, reads a letter by candlelight and hides it when the stairs creak.

ILSE
Nothing. A bill from the mill.

EXT. HARBOUR ROAD - DAWN

Ilse runs through the rain with the letter, to the boat that will take her away from the ovens.

INT. BAKERY - BACK ROOM - DAY

Margit alone. The fires are out for the first time in forty years. She lights them again.
"""


def _units(script: Script) -> list[StoryUnit]:
    """One story unit per scene (what the story layer does for short scenes)."""
    return [
        StoryUnit(
            number=s.number,
            scene=s.number,
            start=s.start,
            end=s.end,
            line=s.line,
            words=len(script.text[s.start : s.end].split()),
            text=script.text[s.start : s.end],
            speakers=(),
        )
        for s in script.scenes
    ]


class FakeStory:
    """Stands in for ``judge_story``: one chain against the reference whose file name is ``name``."""

    def __init__(self, name: str = "keepers_daughter.fountain", rarity: float | None = None) -> None:
        self.name = name
        self.rarity = rarity
        self.calls = 0

    def __call__(
        self,
        probe: Any,
        references: Any,
        cache: Any,
        calibration: Any,
        settings: Any,
        also: Iterable[int] = (),
    ) -> dict[int, StoryResult]:
        self.calls += 1
        ref_id = next(s.id for s in references.scripts() if s.path.endswith(self.name))
        ref = cache.get(ref_id).script
        draft_units, ref_units = _units(probe.script), _units(ref)
        pairs = [(0, 0), (1, 1), (2, 3), (3, 4)]  # draft scene 3 tells reference scene 4: scene 3 skipped
        chain = tuple(
            StoryPair(draft_units[a], ref_units[b], 0.4 + 0.1 * k, ("fires", "letter", "ovens", "rain"))
            for k, (a, b) in enumerate(pairs)
        )
        rarity = self.rarity if self.rarity is not None else calibration.medium + 0.5
        return {
            ref_id: StoryResult(
                script_id=ref_id,
                rarity=rarity,
                chain=chain,
                characters=(CastPair("ILSE", "NELL", 2, 0.5), CastPair("MARGIT", "MARTHA", 3, 0.75)),
                units=len(draft_units),
                prose=False,
                coverage=0.92,
                reference_coverage=0.71,
            )
        }


@pytest.fixture(scope="module")
def references() -> MemoryReferences:
    return MemoryReferences.build([read_script(str(p)) for p in REFS], IndexSettings(), HashEmbedder(64))


@pytest.fixture(scope="module")
def draft(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("story") / "night_loaf.fountain"
    path.write_text(DRAFT, encoding="utf-8")
    return path


@pytest.fixture
def fake_story(monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeStory]:
    fake = FakeStory()
    monkeypatch.setattr(COMPARE, "judge_story", fake)
    yield fake


def _compare(references: MemoryReferences, draft: Path, allow: tuple[str, ...] = (), **kw: Any) -> Report:
    settings = CompareSettings(allow=allow, **kw)
    allowlist = Allowlist.build(allow, base=FIXTURES)
    comparer = Comparer(references, HashEmbedder(64), settings, allowlist=allowlist)
    return comparer.compare_scripts([read_script(str(draft))])[0]


def _story_ref(data: dict[str, Any]) -> dict[str, Any]:
    return next(r for r in data["references"] if r["story"] is not None)


# --- the report -------------------------------------------------------------------------------


def test_json_has_the_story_finding_with_chain_and_characters(
    references: MemoryReferences, draft: Path, fake_story: FakeStory
) -> None:
    report = _compare(references, draft)
    data = report.to_dict()
    assert data["schema_version"] == 2 and fake_story.calls == 1
    assert data["settings"]["compare"]["story"] is True
    ref = _story_ref(data)
    assert ref["path"] == "keepers_daughter.fountain"
    story = ref["story"]
    assert set(story) >= {"score", "level", "rarity", "coverage", "reference_coverage", "chain", "characters"}
    assert story["level"] == "medium" and story["score"] == 0.92  # the larger of the two coverages
    assert [(link["draft_scene"], link["reference_scene"]) for link in story["chain"]] == [
        (1, 1),
        (2, 2),
        (3, 4),
        (4, 5),
    ]
    assert [link["similarity"] for link in story["chain"]] == [0.4, 0.5, 0.6, 0.7]
    assert story["characters"] == [  # best supported first
        {"draft": "MARGIT", "reference": "MARTHA", "support": 3, "share": 0.75},
        {"draft": "ILSE", "reference": "NELL", "support": 2, "share": 0.5},
    ]
    script = read_script(str(draft))
    first = story["chain"][0]
    assert first["draft_heading"] == "INT. BAKERY - BACK ROOM - NIGHT"
    # the opening lines as written, a prefix of the unit, its heading left out: line numbers hold
    assert first["draft_text"].startswith("Rain on the skylight.")
    assert script.text[first["draft"]["start"] :].startswith(first["draft_text"])
    assert first["draft"]["line"] == script.text[: first["draft"]["start"]].count("\n") + 1
    assert first["shared"] == ["fires", "letter", "ovens", "rain"]
    assert first["reference_heading"] and first["reference_text"]
    # coverage reads true: the reference covers most of the draft through its story
    assert ref["coverage"] == 0.92 and ref["reference_coverage"] == 0.71 and ref["level"] == "medium"
    assert ref["scenes_matched"] == 0  # no match of wording: listed for its story alone
    assert data["overall"]["stories"] == 1 and data["overall"]["level"] == "medium"
    summary = data["overall"]["summary"]
    assert "4 draft units follow 4 of its scenes in order (medium)" in summary
    assert "not a finding of copying" in summary
    assert report.reaches("medium") and not report.reaches("high")
    assert json.loads(report.to_json()) == data  # plain JSON, deterministic
    assert _compare(references, draft).to_json() == report.to_json()


def test_a_chain_below_low_is_not_reported(
    references: MemoryReferences, draft: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(COMPARE, "judge_story", FakeStory(rarity=0.5))
    data = _compare(references, draft).to_dict()
    assert all(r["story"] is None for r in data["references"])
    assert data["overall"]["stories"] == 0 and not _compare(references, draft).reaches("low")


def test_no_story_skips_the_story_layer_and_says_so(
    references: MemoryReferences, draft: Path, fake_story: FakeStory
) -> None:
    data = _compare(references, draft, story=False).to_dict()
    assert fake_story.calls == 0
    assert data["settings"]["compare"]["story"] is False
    assert all(r["story"] is None for r in data["references"])


def test_an_allowlisted_reference_keeps_its_story_shown_but_not_flagged(
    references: MemoryReferences, draft: Path, fake_story: FakeStory
) -> None:
    report = _compare(references, draft, allow=("keepers_daughter.fountain",))
    ref = next(r for r in report.references if r.story is not None)
    assert ref.allowed and ref.story is not None and ref.story.allowed
    assert ref.story.allowed_by == "keepers_daughter.fountain"
    assert not report.reaches("low") and report.overall.stories == 0


def _result(level: str, allowed: bool = False, coverage: float = 0.1) -> ReferenceResult:
    return ReferenceResult("r.fountain", "R", coverage, level, 2, coverage, 0.5, 9, 0.05, allowed=allowed)


def _finding(level: str, allowed: bool = False) -> StoryFinding:
    return StoryFinding(0.8, level, 4.5, 0.8, 0.6, 10, False, (), allowed=allowed)


def test_the_reference_level_is_the_higher_and_coverage_the_larger() -> None:
    ref: Any = type("Ref", (), {"path": "r.fountain", "title": "R", "script": None})()
    raised = with_story(_result("low"), _finding("medium"), ref)
    assert raised is not None and (raised.level, raised.coverage, raised.reference_coverage) == (
        "medium",
        0.8,
        0.6,
    )
    assert raised.score == 0.8 and raised.scenes_matched == 2 and raised.story is not None
    kept = with_story(_result("high", coverage=0.3), _finding("low"), ref)
    assert kept is not None and (kept.level, kept.coverage) == ("high", 0.8)
    # an allowed story neither raises a flagged reference's level nor its coverage
    shown = with_story(_result("low"), _finding("high", allowed=True), ref)
    assert shown is not None and (shown.level, shown.coverage, shown.allowed) == ("low", 0.1, False)
    # a flagged story flags a reference whose matches were all allowed, measured on the story alone
    flagged = with_story(_result("high", allowed=True), _finding("low"), ref)
    assert flagged is not None and (flagged.level, flagged.allowed, flagged.allowed_by) == (
        "low",
        False,
        None,
    )
    assert with_story(_result("low"), None, ref) == _result("low")


def test_excerpt_is_a_prefix_of_a_few_lines_within_the_character_cap() -> None:
    lines = [f"Line {k} of the unit, with some words." for k in range(1, 10)]
    text = "HEADING\n\n" + "\n\n".join(lines) + "\n"
    start = text.index("Line 1")
    shown = excerpt(text, start, len(text))
    assert text[start:].startswith(shown)
    assert sum(1 for line in shown.splitlines() if line.strip()) == STORY_EXCERPT_LINES
    paragraph = "word " * 400  # a prose paragraph on one line: cut at a word end
    cut = excerpt(paragraph, 0, len(paragraph))
    assert paragraph.startswith(cut) and len(cut) <= STORY_EXCERPT_CHARS and cut.endswith("word")


# --- renderers ---------------------------------------------------------------------------------


@pytest.fixture
def story_report(references: MemoryReferences, draft: Path, fake_story: FakeStory) -> dict[str, Any]:
    return _compare(references, draft).to_dict()


def test_html_shows_the_chain_side_by_side_with_hostile_text_inert(story_report: dict[str, Any]) -> None:
    report = copy.deepcopy(story_report)
    story = _story_ref(report)["story"]
    story["chain"][1]["reference_heading"] = HOSTILE
    story["chain"][1]["shared"] = ["<b>bold</b>"]
    story["characters"][0]["draft"] = "<svg onload=alert(3)>"
    page = render_html(report)
    assert "<script>alert" not in page and "<img src=x" not in page and "<svg onload" not in page
    assert "&lt;script&gt;alert(&#x27;story&#x27;)&lt;/script&gt;" in page  # shown, as text
    assert '<section class="block" id="story"' in page and 'href="#story"' in page
    section = page[page.index('id="story"') : page.index('id="evidence"')]
    assert section.count('class="ev story-link"') == 4
    assert 'id="story-r1-3"' in section and "scene 4" in section  # draft scene 3 tells reference scene 4
    assert "<mark>Rain</mark>" in section and "<mark>ovens</mark>" in section  # shared words marked
    assert "present together in 3 aligned scenes" in section and "MARTHA" in section
    assert "medium: a chain this long and this close is rare between unrelated scripts" in section
    assert "4 draft units follow 4 of its scenes in order" in section
    # the scene map draws the chain: outlined cells linked to its rows, joined by a line
    assert page.count('class="chain-cell"') == 4 and 'href="#story-r1-1"' in page and "<polyline" in page
    # the summary names the story, and the reference table says what its level rests on
    assert "The story of \u201cThe Keeper" in page
    assert "the story: 4 draft units follow 4 of its scenes in order" in page


def test_html_for_a_prose_draft_maps_the_chain_by_unit(story_report: dict[str, Any]) -> None:
    report = copy.deepcopy(story_report)
    story = _story_ref(report)["story"]
    story["prose"] = True
    story["units"] = 12
    for k, link in enumerate(story["chain"]):
        link["draft_scene"], link["draft_unit"] = 1, 3 * k + 1
    page = render_html(report)
    assert "draft unit \u2192" in page and "passage 4" in page and page.count('class="chain-cell"') == 4


def test_text_summary_prints_the_story_finding(story_report: dict[str, Any]) -> None:
    text = render_text(story_report, width=120)
    assert "Story" in text and "the story of The Keeper" in text
    assert "4 draft units follow 4 of its scenes in order" in text
    assert "MARGIT \u2194 MARTHA (present together in 3 aligned scenes)" in text
    assert "unit 3 \u2194 scene 4" in text and "shared: fires, letter, ovens, rain" in text
    assert "\u2026and 1 more link" in text
    assert "<script>alert('story')</script>" in text  # printed as written, never as markup


def test_csv_has_one_row_per_story_link(story_report: dict[str, Any]) -> None:
    rows = list(csv.DictReader(io.StringIO(render_csv([story_report]))))
    story = [r for r in rows if r["kind"] == "story"]
    assert [(r["draft_scene"], r["reference_scene"], r["level"]) for r in story] == [
        ("1", "1", "medium"),
        ("2", "2", "medium"),
        ("3", "4", "medium"),
        ("4", "5", "medium"),
    ]


def test_renderers_tolerate_odd_story_fields() -> None:
    report = json.loads(SAMPLE.read_text(encoding="utf-8"))
    report["references"][0]["story"] = {"level": 7, "chain": [None, {"draft_scene": "x"}], "characters": [3]}
    report["references"][1]["story"] = "not an object"
    assert "<html" in render_html(report) and render_text(report)


# --- diff ------------------------------------------------------------------------------------------


def test_diff_reads_a_schema_1_report_against_a_schema_2_one(
    tmp_path: Path, story_report: dict[str, Any]
) -> None:
    new = tmp_path / "new.json"
    new.write_text(json.dumps(story_report), encoding="utf-8")
    old_data, new_data = load_report(SAMPLE), load_report(new)
    assert (old_data["schema_version"], new_data["schema_version"]) == (1, 2)
    diff = diff_reports(old_data, new_data)
    assert [(c["change"], c["old_level"], c["new_level"]) for c in diff.story] == [("new", None, "medium")]
    assert diff.reaches("medium") and not diff.reaches("high")
    result = CliRunner().invoke(cli, ["diff", str(SAMPLE), str(new), "--fail-on", "never"])
    assert result.exit_code == 0, result.output
    assert "Story findings (1)" in result.stdout
    assert "the story of The Keeper's Daughter: new (4 links on the chain)" in result.stdout
    assert CliRunner().invoke(cli, ["diff", str(SAMPLE), str(new), "--fail-on", "medium"]).exit_code == 3
    backwards = diff_reports(new_data, old_data)
    assert [c["change"] for c in backwards.story] == ["resolved"]
    assert not dataclasses.replace(backwards, new=()).reaches("low")  # a resolved story trips nothing


def test_diff_shows_a_story_level_moving(tmp_path: Path, story_report: dict[str, Any]) -> None:
    lowered = copy.deepcopy(story_report)
    _story_ref(lowered)["story"]["level"] = "low"
    diff = diff_reports(lowered, story_report)
    assert [(c["change"], c["old_level"], c["new_level"]) for c in diff.story] == [
        ("raised", "low", "medium")
    ]
    assert diff.reaches("medium")
    page = CliRunner()
    old, new = tmp_path / "old.json", tmp_path / "new.json"
    old.write_text(json.dumps(lowered), encoding="utf-8")
    new.write_text(json.dumps(story_report), encoding="utf-8")
    html = page.invoke(cli, ["diff", str(old), str(new), "--format", "html", "--fail-on", "never"]).stdout
    assert '<section id="story">' in html and "level raised (was low" in html
    future = tmp_path / "future.json"
    future.write_text(json.dumps({**story_report, "schema_version": 3}), encoding="utf-8")
    result = page.invoke(cli, ["diff", str(future), str(new)])
    assert result.exit_code == 1 and "this simcheck reads 1 and 2" in result.stderr


# --- the command line ------------------------------------------------------------------------------


def test_cli_no_story_flag_reaches_the_settings(draft: Path, fake_story: FakeStory) -> None:
    against = [x for ref in REFS for x in ("--against", str(ref))]
    args = ["compare", str(draft), *against, "--model", "hash-64", "--format", "json", "--fail-on", "never"]
    result = CliRunner().invoke(cli, [*args, "--no-story"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["settings"]["compare"]["story"] is False and fake_story.calls == 0
    result = CliRunner().invoke(cli, [*args[:-2], "--fail-on", "medium"])
    assert result.exit_code == 3, result.output  # a medium story finding alone trips --fail-on medium
    assert fake_story.calls == 1


def test_a_unit_telling_several_scenes_is_shown_once(story_report: dict[str, Any]) -> None:
    report = copy.deepcopy(story_report)
    chain = _story_ref(report)["story"]["chain"]
    chain[2].update(draft_scene=2, draft_unit=2)  # draft unit 2 tells reference scenes 2 and 4
    page = render_html(report)
    section = page[page.index('id="story"') : page.index('id="evidence"')]
    assert "the same draft unit as link 2" in section
    assert section.count("Her daughter ILSE, twenty, reads a") == 1
    text = render_text(report, width=120)
    assert text.count("Her daughter ILSE, twenty, reads a letter") == 1


def test_the_story_chance_is_never_stated_beyond_its_own_null(story_report: dict[str, Any]) -> None:
    from simcheck.render.wording import fmt_story_chance

    story = next(r["story"] for r in story_report["references"] if r.get("story"))
    assert story["background"] == 0  # the stand-in measured no background: the shipped tail
    assert "on the shipped background" in render_text(story_report, width=120)
    assert fmt_story_chance(4.5, 24) == "rarer than 1 in 24 measured"
    assert fmt_story_chance(1.2, 24) == "about 1 in 20"
    assert fmt_story_chance(0.0, 24) is None

"""simcheck diff: findings new, resolved and persisting between the reports of two successive drafts,
paired by reference scene and evidence overlap whatever the draft's scene numbers (CliRunner, fake
embedder)."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from simcheck.cli import cli
from simcheck.report.diff import diff_reports

FIXTURES = Path(__file__).parent / "fixtures" / "compare"
KEEPER = FIXTURES / "keepers_daughter.fountain"
NIGHT = FIXTURES / "night_shift.fountain"
REFS = [KEEPER, FIXTURES / "orchard_debts.fountain", NIGHT]
PLANTED = FIXTURES / "salt_and_signal.fountain"
HEADING = re.compile(r"^(?:INT|EXT)\. .*$", re.MULTILINE)


def scenes(path: Path) -> tuple[str, list[str]]:
    """A Fountain file's title page and its scenes, each from its heading."""
    text = path.read_text(encoding="utf-8")
    starts = [m.start() for m in HEADING.finditer(text)]
    return text[: starts[0]], [text[a:b] for a, b in zip(starts, [*starts[1:], len(text)], strict=True)]


def compare_json(draft: Path, out: Path) -> Path:
    against = [x for ref in REFS for x in ("--against", str(ref))]
    result = CliRunner().invoke(cli, ["compare", str(draft), *against, "--model", "hash-64", "-o", str(out)])
    assert result.exit_code in (0, 3), result.output
    return out


@pytest.fixture(scope="module")
def reports(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """The planted draft's report, and the report of its next draft: a new opening scene (every scene
    renumbered), the copied exchange (scene 4) rewritten away, and a scene lifted from Night Shift."""
    folder = tmp_path_factory.mktemp("diff")
    title, planted = scenes(PLANTED)
    _, night = scenes(NIGHT)
    opening = "EXT. CLIFF PATH - DAY\n\nA new opening: wind over the heather, nobody in sight for miles.\n\n"
    rewritten = "EXT. MARKET SQUARE - DAY\n\nThe market packs up in the rain. Nobody says a word.\n\n"
    parts = [opening, planted[0], planted[1], planted[2], rewritten, planted[4], night[1]]
    nxt = title + "\n\n".join(part.strip() for part in parts) + "\n"
    draft2 = folder / "salt_v2.fountain"
    draft2.write_text(nxt, encoding="utf-8")
    return compare_json(PLANTED, folder / "v1.json"), compare_json(draft2, folder / "v2.json")


def run(*args: str) -> Result:
    return CliRunner().invoke(cli, ["diff", *args])


def test_new_resolved_and_persisting_across_renumbered_scenes(reports: tuple[Path, Path]) -> None:
    old, new = reports
    result = run(str(old), str(new), "--format", "json", "--fail-on", "never")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert list(data) == ["new", "resolved", "persisting", "story"]
    pairs = {
        (p["old"]["draft_scene"], p["new"]["draft_scene"], p["new"]["reference_scene"])
        for p in data["persisting"]
    }
    assert (2, 3, 4) in pairs and (3, 4, 2) in pairs  # the same findings, one scene later in the new draft
    assert {(m["draft_scene"], Path(m["reference"]).name) for m in data["resolved"]} == {(4, KEEPER.name)}
    assert {Path(m["reference"]).name for m in data["new"]} == {NIGHT.name}
    assert all(m["draft_scene"] == 7 for m in data["new"])


def test_a_new_finding_at_fail_on_exits_3(reports: tuple[Path, Path]) -> None:
    old, new = reports
    assert run(str(old), str(new)).exit_code == 3  # the lifted scene is high
    assert run(str(old), str(new), "--fail-on", "never").exit_code == 0
    assert run(str(new), str(old)).exit_code == 3  # backwards: the exchange is new
    assert run(str(old), str(old)).exit_code == 0  # nothing new


def test_the_same_report_persists_entirely(reports: tuple[Path, Path]) -> None:
    old, _ = reports
    data = json.loads(old.read_text(encoding="utf-8"))
    diff = diff_reports(data, data)
    assert not diff.new and not diff.resolved and len(diff.persisting) == len(data["matches"])


def test_text_and_html(reports: tuple[Path, Path]) -> None:
    old, new = reports
    text = run(str(old), str(new), "--fail-on", "never").stdout
    assert text.splitlines()[1].startswith("1 new finding") or "new findings" in text.splitlines()[1]
    assert "Persisting findings (" in text and "(was draft scene 2)" in text
    assert "Resolved findings (1)" in text and "draft scene 4 \u2194 The Keeper's Daughter scene" in text
    page = run(str(old), str(new), "--format", "html", "--fail-on", "never").stdout
    assert page.startswith("<!DOCTYPE html>") and '<section id="new">' in page
    assert "default-src &#x27;none&#x27;" in page  # nothing fetched


def test_bad_reports_are_one_line_errors(tmp_path: Path, reports: tuple[Path, Path]) -> None:
    old, _ = reports
    missing = tmp_path / "missing.json"
    result = run(str(old), str(missing))
    assert (result.exit_code, result.stderr) == (1, f"Error: {missing}: no such file\n")
    broken = tmp_path / "broken.json"
    broken.write_text("{not json", encoding="utf-8")
    result = run(str(broken), str(old))
    assert (result.exit_code, result.stderr) == (1, f"Error: {broken}: not a JSON report (JSONDecodeError)\n")
    other = tmp_path / "other.json"
    other.write_text('{"a": 1}', encoding="utf-8")
    assert (
        run(str(other), str(old)).stderr
        == f"Error: {other}: not a simcheck compare report (no list of matches)\n"
    )
    several = tmp_path / "several.json"
    report = json.loads(old.read_text(encoding="utf-8"))
    several.write_text(json.dumps({"schema_version": 1, "reports": [report, report]}), encoding="utf-8")
    result = run(str(several), str(old))
    assert result.exit_code == 2 and "holds the reports of 2 drafts" in result.stderr
    one = tmp_path / "one.json"
    one.write_text(json.dumps({"schema_version": 1, "reports": [report]}), encoding="utf-8")
    assert run(str(one), str(old)).exit_code == 0

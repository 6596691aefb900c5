"""compare's outputs: the format from --format or -o's suffix, refused suffixes, several drafts, CSV, the
progress display, allowlist entries that match nothing, exit codes as the README gives them, and the
pre-commit hook definition (CliRunner, fake embedder)."""

from __future__ import annotations

import csv
import io
import json
import re
import shutil
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner
from test_cli_compare import INNOCENT, KEEPER, PLANTED, REFS, run

from simcheck.cli import cli
from simcheck.cli.progress import CompareProgress
from simcheck.compare import Step
from simcheck.render.csv import COLUMNS, render_csv

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.parametrize(
    "name,check",
    [
        ("r.json", lambda text: json.loads(text)["schema_version"] == 2),
        ("r.html", lambda text: text.lower().startswith("<!doctype html")),
        ("r.txt", lambda text: text.startswith("simcheck similarity evidence: Salt and Signal")),
        ("r.csv", lambda text: text.startswith(",".join(COLUMNS[:6]))),
        ("R.CSV", lambda text: text.startswith("draft,draft_scene,reference,reference_scene,level,kind")),
    ],
)
def test_the_suffix_sets_the_format(tmp_path: Path, name: str, check: object) -> None:
    target = tmp_path / name
    result = run(PLANTED, "-o", str(target))
    assert result.exit_code == 3, result.output
    assert callable(check) and check(target.read_text(encoding="utf-8"))


@pytest.mark.parametrize("name", ["report.pdf", "report.csvx", "report", "notes.md"])
def test_any_other_suffix_is_refused_before_any_work(tmp_path: Path, name: str) -> None:
    target = tmp_path / name
    # a missing reference would fail later: the suffix is refused first, with one line and nothing written
    result = CliRunner().invoke(cli, ["compare", PLANTED, "--against", "missing.fountain", "-o", str(target)])
    assert result.exit_code == 2
    assert result.stderr.count("\n") == 1 and result.stderr.startswith(
        f"Error: {target}: unknown report suffix"
    )
    assert ".csv, .html, .json, .txt" in result.stderr
    assert list(tmp_path.iterdir()) == []


def test_a_format_that_contradicts_the_suffix_is_refused(tmp_path: Path) -> None:
    result = run(PLANTED, "-o", str(tmp_path / "r.html"), "--format", "json")
    assert result.exit_code == 2
    assert result.stderr == f"Error: {tmp_path / 'r.html'}: the suffix says html, but --format says json\n"
    assert list(tmp_path.iterdir()) == []


def test_several_drafts_need_a_folder_and_get_one_report_each(tmp_path: Path) -> None:
    refused = run(PLANTED, INNOCENT, "-o", str(tmp_path / "both.html"))
    assert refused.exit_code == 2
    assert "with several drafts, -o must be a folder" in refused.stderr
    assert list(tmp_path.iterdir()) == []
    out = tmp_path / "reports"
    result = run(PLANTED, INNOCENT, "-o", str(out))  # no suffix, several drafts: a folder, HTML by default
    assert result.exit_code == 3
    assert sorted(p.name for p in out.iterdir()) == ["bakery.simcheck.html", "salt_and_signal.simcheck.html"]
    csv_out = tmp_path / "csv"
    csv_out.mkdir()
    assert run(PLANTED, "-o", str(csv_out), "--format", "csv").exit_code == 3  # one draft into a folder
    assert [p.name for p in csv_out.iterdir()] == ["salt_and_signal.simcheck.csv"]


def test_several_drafts_json_is_one_document_and_csv_has_one_header() -> None:
    document = json.loads(run(PLANTED, INNOCENT, "--format", "json").stdout)
    assert list(document) == ["schema_version", "reports"] and document["schema_version"] == 2
    assert [r["draft"]["path"] for r in document["reports"]] == [PLANTED, INNOCENT]
    text = run(PLANTED, INNOCENT, "--format", "csv").stdout
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0] == list(COLUMNS) and rows.count(list(COLUMNS)) == 1
    assert {r[0] for r in rows[1:]} == {PLANTED}  # the innocent draft has no evidence rows


def test_csv_has_one_row_per_evidence_item_with_positions_and_texts() -> None:
    report = json.loads(run(PLANTED, "--format", "json").stdout)
    rows = list(csv.DictReader(io.StringIO(render_csv([report]))))
    items = [(m, e) for m in report["matches"] for e in m["evidence"]]
    assert len(rows) == len(items) > 0
    first = next(r for r in rows if r["draft_scene"] == "2")
    match, evidence = next((m, e) for m, e in items if m["draft_scene"] == 2)
    assert first["reference"] == Path(KEEPER).name  # relative to the folder compared with
    assert first["reference_scene"] == str(match["reference_scene"])
    assert first["level"] == match["level"] and first["kind"] == evidence["kind"]
    assert first["draft_line"] == str(evidence["draft"]["line"])
    assert (
        first["draft_text"] == evidence["draft_text"]
        and first["reference_text"] == evidence["reference_text"]
    )


def test_csv_cells_never_run_as_spreadsheet_formulas() -> None:
    report = {
        "draft": {"path": "=cmd.fountain"},
        "matches": [
            {
                "draft_scene": 1,
                "reference": "ref.fountain",
                "reference_scene": 2,
                "level": "high",
                "evidence": [{"kind": "verbatim", "draft_text": "=HYPERLINK(1)", "reference_text": "+1"}],
            }
        ],
    }
    row = list(csv.DictReader(io.StringIO(render_csv([report]))))[0]
    assert (row["draft"], row["draft_text"], row["reference_text"]) == (
        "'=cmd.fountain",
        "'=HYPERLINK(1)",
        "'+1",
    )


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_progress_is_drawn_per_draft_and_stage_on_a_terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    screen = _Terminal()
    monkeypatch.setattr(sys, "stderr", screen)
    progress = CompareProgress(enabled=True)
    progress.read(0, 2, "drafts/one.fountain")
    for done in (0, 40, 80):
        progress(Step(0, 2, "", "embed", done, 80))
    for draft, path in ((1, "drafts/one.fountain"), (2, "drafts/two.fdx")):
        progress(Step(draft, 2, path, "candidates", 0, 1))
        for done in range(3):
            progress(Step(draft, 2, path, "evidence", done, 3))
        progress(Step(draft, 2, path, "report", 3, 3))
    progress.close()
    drawn = screen.getvalue()
    assert "Reading   one.fountain" in drawn
    assert "Embedding 2 drafts (passages)" in drawn and "80/80" in drawn
    assert "Comparing [1/2] one.fountain" in drawn and "Comparing [2/2] two.fdx" in drawn


def test_no_progress_off_a_terminal() -> None:
    result = run(PLANTED, INNOCENT, "--format", "json")  # CliRunner's stderr is not a terminal
    assert result.stderr == ""
    quiet = CompareProgress(enabled=False)
    quiet(Step(0, 1, "", "embed", 1, 2))
    quiet.close()


def test_an_allow_entry_that_matches_nothing_gets_a_warning(tmp_path: Path) -> None:
    result = run(
        PLANTED, "--allow", "refs/no-such-script.fountain", "--allow", "quote: never said in any script"
    )
    assert result.exit_code == 3
    assert (
        "warning: allow entry 'refs/no-such-script.fountain' matches no reference script\n" in result.stderr
    )
    assert "warning: allow entry 'quote: never said in any script' matched no evidence in this run\n" in (
        result.stderr
    )
    used = run(PLANTED, "--allow", KEEPER)
    assert used.exit_code == 0 and "warning" not in used.stderr


@pytest.mark.parametrize(
    "name,data,code",
    [
        ("notes.docx", b"PK\x03\x04", 1),  # unsupported input
        ("empty.fountain", b"", 1),  # unreadable input
        ("binary.fountain", b"\x00\x01\x02" * 100, 1),
        ("folder", None, 1),  # a folder where a draft goes
    ],
)
def test_exit_codes_are_the_readmes(tmp_path: Path, name: str, data: bytes | None, code: int) -> None:
    path = tmp_path / name
    if data is None:
        path.mkdir()
    else:
        path.write_bytes(data)
    result = run(str(path))
    assert result.exit_code == code
    assert result.stderr.startswith(f"Error: {path}: ") and result.stderr.count("\n") == 1
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "`1` unreadable or unsupported input or index" in readme and "`2` usage error" in readme


def test_usage_errors_are_exit_2() -> None:
    assert run(PLANTED, "--fail-on", "severe").exit_code == 2
    assert CliRunner().invoke(cli, ["compare", PLANTED, "--exclude", "*.pdf"]).exit_code == 2


def test_help_describes_outputs_and_the_index_it_uses() -> None:
    text = CliRunner().invoke(cli, ["compare", "--help"], terminal_width=200).stdout
    assert ".json, .html, .txt or .csv" in text and "any other suffix is refused" in text
    assert "SIMCHECK_INDEX" in text and "simcheck.toml" in text and "[tool.simcheck]" in text


def test_the_pre_commit_hook_runs_a_text_summary_with_the_gate(tmp_path: Path) -> None:
    yaml = pytest.importorskip("yaml")
    hooks = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))
    hook = next(h for h in hooks if h["id"] == "simcheck")
    entry = hook["entry"].split()
    assert entry[:2] == ["simcheck", "compare"] and "--fail-on" in entry
    assert entry[entry.index("--format") + 1] == "text"
    files = re.compile(hook["files"])
    assert all(files.search(n) for n in ("a.fountain", "b/c.fdx", "d.pdf", "e.fadein", "f.highland"))
    assert not any(files.search(n) for n in ("README.md", "LICENSE.txt", "notes.docx"))
    # what the hook runs: a concise summary and exit status 3 that blocks the commit
    draft = tmp_path / "salt.fountain"
    shutil.copy(PLANTED, draft)
    args = [a for a in entry[2:]] + [str(draft), "--model", "hash-64"]
    result = CliRunner().invoke(cli, ["compare", *args, *[x for r in REFS for x in ("--against", r)]])
    assert result.exit_code == 3
    assert result.stdout.startswith("simcheck similarity evidence") and len(result.stdout) < 8000

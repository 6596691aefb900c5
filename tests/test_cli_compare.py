"""The compare command: formats, outputs, exit codes 0/1/2/3 and exact error lines (fake embedder)."""

from __future__ import annotations

import io
import json
import shutil
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from simcheck.cli import cli

FIXTURES = Path(__file__).parent / "fixtures" / "compare"
KEEPER = str(FIXTURES / "keepers_daughter.fountain")
REFS = [KEEPER, str(FIXTURES / "orchard_debts.fountain"), str(FIXTURES / "night_shift.fountain")]
PLANTED = str(FIXTURES / "salt_and_signal.fountain")
INNOCENT = str(FIXTURES / "bakery.fountain")


def run(*args: str) -> Result:
    against = [x for ref in REFS for x in ("--against", ref)]
    return CliRunner().invoke(cli, ["compare", *args, *against, "--model", "hash-64"])


def test_json_report_and_exit_3_when_high_is_reached() -> None:
    result = run(PLANTED, "--format", "json")
    assert result.exit_code == 3, result.output
    report = json.loads(result.stdout)
    assert report["schema_version"] == 2
    assert report["draft"]["path"] == PLANTED
    assert report["overall"]["level"] == "high"
    assert report["references"][0]["path"] == "keepers_daughter.fountain"  # relative to the folder given


def test_innocent_draft_exits_0_even_with_fail_on_low() -> None:
    result = run(INNOCENT, "--fail-on", "low")
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)  # not a terminal: JSON by default
    assert report["matches"] == []


def test_fail_on_sets_the_threshold() -> None:
    assert run(PLANTED, "--fail-on", "medium").exit_code == 3
    result = CliRunner().invoke(
        cli, ["compare", PLANTED, "--against", str(FIXTURES / "orchard_debts.fountain")]
    )
    assert result.exit_code in (0, 1)  # (real model may be missing here: only the exit path is checked)


def test_allowed_reference_does_not_fail_the_gate() -> None:
    result = run(PLANTED, "--allow", KEEPER, "--fail-on", "low")
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert report["matches"] and all(m["allowed"] for m in report["matches"])


def test_allowlist_file(tmp_path: Path) -> None:
    file = tmp_path / "allow.txt"
    file.write_text(f"# adaptation source\n{KEEPER}\n", encoding="utf-8")
    assert run(PLANTED, "--allowlist", str(file)).exit_code == 0
    missing = tmp_path / "missing.txt"
    result = run(PLANTED, "--allowlist", str(missing))
    assert result.exit_code == 1
    assert result.stderr == f"Error: {missing}: allowlist file not found\n"


def test_unreadable_draft_is_exit_1_with_one_line(tmp_path: Path) -> None:
    missing = tmp_path / "nope.fountain"
    result = run(str(missing))
    assert result.exit_code == 1
    assert result.stderr == f"Error: {missing}: no such file\n"


def test_unknown_extension_is_a_usage_error(tmp_path: Path) -> None:
    draft = tmp_path / "draft.docx"
    draft.write_bytes(b"PK")
    result = run(str(draft))
    assert result.exit_code == 1  # unsupported input is an input problem, like an unreadable one
    assert result.stderr == (
        f"Error: {draft}: unknown extension '.docx' "
        "(supported: .fadein, .fdx, .fountain, .highland, .pdf, .spmd, .text, .txt)\n"
    )


def test_index_and_against_together_is_a_usage_error() -> None:
    result = CliRunner().invoke(cli, ["compare", PLANTED, "--index", "x", "--against", KEEPER])
    assert result.exit_code == 2
    assert result.stderr == "Error: give either --index or --against, not both\n"


def test_bad_option_values_are_usage_errors() -> None:
    assert run(PLANTED, "--fail-on", "severe").exit_code == 2
    assert CliRunner().invoke(cli, ["compare"]).exit_code == 2


def test_empty_against_folder_is_exit_1(tmp_path: Path) -> None:
    result = CliRunner().invoke(cli, ["compare", PLANTED, "--against", str(tmp_path), "--model", "hash-64"])
    assert result.exit_code == 1
    assert result.stderr == f"Error: {tmp_path}: no script files in this folder\n"


def test_missing_index_is_exit_1(tmp_path: Path) -> None:
    idx = tmp_path / "idx"
    result = CliRunner().invoke(cli, ["compare", PLANTED, "--index", str(idx), "--model", "hash-64"])
    assert result.exit_code == 1
    assert result.stderr == f"Error: no index at {idx}: create one with `simcheck index PATH --index {idx}`\n"


def test_html_goes_next_to_the_draft_by_default(tmp_path: Path) -> None:
    draft = tmp_path / "salt.fountain"
    shutil.copy(PLANTED, draft)
    result = run(str(draft), "--format", "html")
    assert result.exit_code == 3, result.output
    page = tmp_path / "salt.simcheck.html"
    assert page.is_file()
    assert page.read_text(encoding="utf-8").lstrip().lower().startswith("<!doctype html")
    assert str(page) in result.stderr
    assert result.stdout == ""


def test_output_file_format_from_suffix_and_deterministic(tmp_path: Path) -> None:
    target = tmp_path / "report.json"
    result = run(PLANTED, "-o", str(target))
    assert result.exit_code == 3
    first = target.read_text(encoding="utf-8")
    assert json.loads(first)["schema_version"] == 2
    run(PLANTED, "-o", str(target))
    assert target.read_text(encoding="utf-8") == first
    assert json.loads(run(PLANTED, "--format", "json").stdout) == json.loads(first)


def test_several_drafts(tmp_path: Path) -> None:
    result = run(PLANTED, INNOCENT, "--format", "json")
    assert result.exit_code == 3
    document = json.loads(result.stdout)  # one JSON document: {"schema_version": 2, "reports": [...]}
    assert document["schema_version"] == 2
    assert [r["draft"]["path"] for r in document["reports"]] == [PLANTED, INNOCENT]
    out = tmp_path / "reports"
    result = run(PLANTED, INNOCENT, "--format", "json", "-o", str(out))
    assert sorted(p.name for p in out.iterdir()) == ["bakery.simcheck.json", "salt_and_signal.simcheck.json"]
    existing = tmp_path / "file.json"
    existing.write_text("{}", encoding="utf-8")
    result = run(PLANTED, INNOCENT, "-o", str(existing))
    assert result.exit_code == 2
    assert (
        result.stderr
        == f"Error: {existing}: with several drafts, -o must be a folder (one report per draft)\n"
    )


def test_text_format_is_a_summary() -> None:
    result = run(PLANTED, "--format", "text")
    assert result.exit_code == 3
    assert "Salt and Signal" in result.stdout
    assert "The Keeper's Daughter" in result.stdout


def test_compare_with_an_on_disk_index(tmp_path: Path) -> None:
    from fakes import HashEmbedder

    from simcheck.index.store import Index
    from simcheck.settings import IndexSettings

    idx = tmp_path / "idx"
    index = Index.create(idx, IndexSettings(model="hash-64"), embedder=HashEmbedder(64))
    index.add(REFS)
    index.close()
    result = CliRunner().invoke(cli, ["compare", PLANTED, "--index", str(idx), "--format", "json"])
    assert result.exit_code == 3, result.output
    report = json.loads(result.stdout)
    assert report["index"]["kind"] == "index"
    assert report["index"]["path"] == str(idx)
    assert report["index"]["scripts"] == 3
    assert len(report["index"]["manifest_sha256"]) == 64
    assert {m["reference_scene"] for m in report["matches"] if m["draft_scene"] == 2} == {4}


def test_help_mentions_exit_codes_and_defaults() -> None:
    result = CliRunner().invoke(cli, ["compare", "--help"])
    assert result.exit_code == 0
    assert "3 when one does" in result.stdout and "[default: high]" in result.stdout


def test_html_and_text_show_the_date_of_the_run_and_json_has_none(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")  # 2023-11-14 (UTC): pins the date
    page = tmp_path / "report.html"
    assert run(PLANTED, "-o", str(page)).exit_code == 3
    header = page.read_text(encoding="utf-8").split("</header>", 1)[0]
    assert "<span>Generated 2023-11-14</span>" in header
    assert "generated 2023-11-14" in run(PLANTED, "--format", "text").stdout
    assert "generated" not in run(PLANTED, "--format", "json").stdout


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_text_summary_is_the_default_on_a_terminal_json_when_piped(monkeypatch: pytest.MonkeyPatch) -> None:
    from simcheck.cli.compare import output_plan

    monkeypatch.setattr(sys, "stdout", _Terminal())
    assert output_plan(None, None, 1) == ("text", None)
    assert output_plan("report.html", None, 1) == ("html", None)  # -o's suffix decides, terminal or not
    monkeypatch.setattr(sys, "stdout", io.StringIO())
    assert output_plan(None, None, 1) == ("json", None)
    assert output_plan("out.json", None, 1) == ("json", None)
    assert output_plan("out.csv", None, 1) == ("csv", None)
    assert output_plan("out.txt", None, 1) == ("text", None)

"""``simcheck compare``: drafts against an index or scripts, and the evidence report."""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import click

from simcheck.cli.options import (
    check_output,
    exclude_option,
    fail_on_option,
    follow_links_option,
    index_location,
    index_option,
    model_option,
    quiet_option,
    reports_errors,
    story_option,
    write_output,
)
from simcheck.cli.progress import CompareProgress
from simcheck.cli.terminal import clean_data, dumps, echo
from simcheck.errors import IndexNotFound, UsageError
from simcheck.settings import CompareSettings

FORMATS = ("text", "json", "html", "csv")
SUFFIX_FORMATS = {".json": "json", ".html": "html", ".htm": "html", ".txt": "text", ".csv": "csv"}
FILE_SUFFIX = {
    "html": ".simcheck.html",
    "json": ".simcheck.json",
    "text": ".simcheck.txt",
    "csv": ".simcheck.csv",
}
FOLDER_FORMAT = "html"  # what -o FOLDER writes when --format does not say
REPORTS_SCHEMA_VERSION = 2  # {"schema_version": 2, "reports": [...]}: several drafts' JSON on stdout
# (the reports' own version, simcheck.report.model.SCHEMA_VERSION; not imported: the CLI loads fast)


@click.command("compare")
@click.argument("drafts", nargs=-1, required=True, type=click.Path(path_type=str))
@index_option("The index to compare with (built by simcheck index).")
@click.option(
    "--against",
    multiple=True,
    type=click.Path(path_type=str),
    help="Compare directly with this script or folder of scripts, without an index (repeatable).",
)
@exclude_option("Skip files under --against folders whose path or name matches GLOB (repeatable).")
@click.option(
    "--format",
    "output_format",
    type=click.Choice(FORMATS),
    default=None,
    show_default="from -o's suffix; else text on a terminal, json off one; html for -o FOLDER",
    help="Output: the text summary, the JSON report, a self-contained HTML page, or CSV (one row per "
    "evidence item).",
)
@click.option(
    "-o",
    "--output",
    type=click.Path(path_type=str),
    default=None,
    help="Write the report to this file (.json, .html, .txt or .csv: the suffix sets the format; any "
    "other suffix is refused) or into this folder (one DRAFT.simcheck.EXT per draft; required for "
    "several drafts). Without -o, HTML goes to DRAFT.simcheck.html beside the draft.",
)
@fail_on_option(
    "Exit with status 3 when a flagged match or story finding reaches this level ('never': always exit 0)."
)
@click.option(
    "--allow",
    multiple=True,
    metavar="ENTRY",
    help="What the writer may use: a path or glob, PATH:FIRST-LAST lines, or 'quote: TEXT' (repeatable).",
)
@click.option(
    "--allowlist",
    multiple=True,
    type=click.Path(path_type=str),
    help="A file of allowlist entries, one per line, # comments (repeatable).",
)
@model_option("the index's model; all-MiniLM-L6-v2 with --against", "Embedding model name or local folder.")
@story_option()
@quiet_option("No progress display (there is none either when stderr is not a terminal).")
@follow_links_option("--against folders")
@click.option(
    "--absolute-paths",
    is_flag=True,
    help="Name references by absolute path in the report (default: relative to the folder indexed).",
)
@reports_errors
def compare_command(
    drafts: tuple[str, ...],
    index_dir: str | None,
    against: tuple[str, ...],
    exclude: tuple[str, ...],
    output_format: str | None,
    output: str | None,
    fail_on: str,
    allow: tuple[str, ...],
    allowlist: tuple[str, ...],
    model: str | None,
    story: bool,
    quiet: bool,
    follow_links: bool,
    absolute_paths: bool,
) -> None:
    """Compare each DRAFT with the references, scene by scene, and show the evidence.

    Exit status: 0 when no flagged finding reaches --fail-on, 3 when one does (a match or a story
    finding), 1 when an input or the index cannot be read (or is not a script format simcheck reads), 2
    for usage errors.
    Levels say how unusual the evidence is among unrelated scripts, not whether copying happened. With
    several drafts and JSON on stdout, the output is {"schema_version": 2, "reports": [...]}, one report
    per draft.
    """
    # the library loads when a command runs, so that `simcheck --help` takes 0.1 s, not 0.6 s (measured)
    from simcheck.calibration import needs_measuring
    from simcheck.compare import Comparer, open_references
    from simcheck.embed import load_embedder
    from simcheck.match.allowlist import Allowlist
    from simcheck.match.draft import check_content
    from simcheck.read import read_script

    if index_dir is not None and against:
        raise UsageError("give either --index or --against, not both")
    if exclude and not against:
        raise UsageError("--exclude applies to --against folders: exclude files when indexing instead")
    fmt, folder = output_plan(output, output_format, len(drafts))
    if folder is not None or output is not None or fmt == "html":  # a FIFO where a report goes: say so now
        for draft in drafts:
            check_output(_output_path(draft, output, fmt, folder))
    settings = CompareSettings(
        fail_on=fail_on, allow=allow, allowlist_files=allowlist, absolute_paths=absolute_paths, story=story
    )
    allowed = Allowlist.build(settings.allow, settings.allowlist_files)
    progress = CompareProgress(enabled=not quiet and sys.stderr.isatty())
    try:
        scripts = []
        for done, draft in enumerate(drafts):  # unreadable drafts fail before the model loads
            progress.read(done, len(drafts), draft)
            scripts.append(read_script(draft))
            check_content(scripts[-1])  # read as 0 scenes or 0 words: an error, never "0 scenes checked"
        progress.read(len(drafts), len(drafts), drafts[-1])
        embedder = load_embedder(model) if model else None
        location = None if against else index_location(index_dir)
        try:
            references, embedder, source = open_references(
                location.path if location else None,
                against,
                embedder,
                exclude=exclude,
                follow_links=follow_links,
            )
        except IndexNotFound as error:
            if location is None or location.source == "--index":
                raise
            raise IndexNotFound(f"{error} (the index named by {location.source})") from None
        comparer = Comparer(references, embedder, settings, source, allowed)
        if needs_measuring(references, settings):
            progress.close()
            click.echo(
                "Measuring what unrelated scripts in the index look like (once per index change)...",
                err=True,
            )
        reports = comparer.compare_scripts(scripts, progress=progress)
    finally:
        progress.close()
    dicts = [report.to_dict() for report in reports]
    if folder is not None or output is not None or fmt != "text":  # (the text summary lists them itself)
        for skipped in source.skipped:
            echo(f"skipped {skipped}", err=True)
    for warning in unmatched_allow_entries(allowed, [s.path for s in references.scripts()], dicts):
        echo(f"warning: {warning}", err=True)
    if folder is None and output is None and fmt != "html":
        click.echo(_render_many(dicts, fmt, color=sys.stdout.isatty()), nl=False)
    else:
        for draft, data in zip(drafts, dicts, strict=True):
            target = _output_path(draft, output, fmt, folder)
            write_output(target, _render(data, fmt, color=False))
            echo(f"{draft}: {data['overall']['summary']} Report: {target}", err=True)
    if any(report.reaches(fail_on) for report in reports):
        sys.exit(3)


def output_plan(output: str | None, output_format: str | None, n_drafts: int) -> tuple[str, Path | None]:
    """The format to write and, when ``-o`` is a folder, that folder; checked before any work is done.

    ``-o FILE``: the suffix gives the format (``.json .html .htm .txt .csv``); any other suffix, or a
    ``--format`` that disagrees with it, is a usage error. ``-o FOLDER`` (an existing folder, a name
    ending in ``/``, or any ``-o`` with several drafts): one file per draft, in ``--format`` or HTML.
    """
    if output is None:
        return output_format or ("text" if sys.stdout.isatty() else "json"), None
    path = Path(output)
    is_folder = path.is_dir() or output.endswith(("/", os.sep))
    if n_drafts > 1 and not is_folder:
        if path.exists() or path.suffix.lower() in SUFFIX_FORMATS:
            raise UsageError(f"{output}: with several drafts, -o must be a folder (one report per draft)")
        is_folder = True
    if is_folder:
        if path.exists() and not path.is_dir():
            raise UsageError(f"{output}: with several drafts, -o must be a folder (one report per draft)")
        return output_format or FOLDER_FORMAT, path
    suffix = path.suffix.lower()
    fmt = SUFFIX_FORMATS.get(suffix)
    if fmt is None:
        wanted = ", ".join(sorted({s for s in SUFFIX_FORMATS if s != ".htm"}))
        raise UsageError(
            f"{output}: unknown report suffix '{path.suffix}' (use {wanted}, or -o FOLDER/ with --format)"
        )
    if output_format is not None and output_format != fmt:
        raise UsageError(f"{output}: the suffix says {fmt}, but --format says {output_format}")
    return fmt, None


def unmatched_allow_entries(
    allowed: Any, reference_paths: Sequence[str], reports: Sequence[dict[str, Any]]
) -> list[str]:
    """One line for each allowlist entry that matched nothing: a path or glob naming no reference
    script, or a quote that allowed no evidence in any draft of this run."""
    used = {
        evidence.get("allowed_by")
        for report in reports
        for match in report.get("matches", [])
        for evidence in match.get("evidence", [])
    }
    lines = []
    for entry in allowed.entries:
        if entry.pattern is not None and not any(entry.matches_path(p) for p in reference_paths):
            lines.append(f"allow entry {entry.text!r} matches no reference script")
        elif entry.pattern is None and entry.text not in used:
            lines.append(f"allow entry {entry.text!r} matched no evidence in this run")
    return lines


def _output_path(draft: str, output: str | None, fmt: str, folder: Path | None) -> Path:
    name = Path(draft).name
    stem = name[: -len(Path(name).suffix)] if Path(name).suffix else name
    if folder is not None:
        return folder / (stem + FILE_SUFFIX[fmt])
    if output is None:
        return Path(draft).with_name(stem + FILE_SUFFIX[fmt])
    return Path(output)


def _report_date() -> str:
    """Today's date (UTC) for the page and summary; ``SOURCE_DATE_EPOCH`` pins it (reproducible output).

    A date, not a time: re-running on the same day gives the same bytes. The JSON has no date at all.
    """
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    seconds = float(epoch) if epoch.isdigit() else time.time()
    return time.strftime("%Y-%m-%d", time.gmtime(seconds))


def _render_many(reports: list[dict[str, Any]], fmt: str, color: bool) -> str:
    """Several reports on stdout: JSON as one document, CSV with one header, text one after another."""
    if fmt == "json" and len(reports) > 1:
        return dumps({"schema_version": REPORTS_SCHEMA_VERSION, "reports": reports}) + "\n"
    if fmt == "csv":
        from simcheck.render.csv import render_csv

        return render_csv([clean_data(report) for report in reports])
    return "".join(_render(report, fmt, color) for report in reports)


def _render(report: dict[str, Any], fmt: str, color: bool) -> str:
    # renderers load only for the format asked (rich, for the text summary, takes 0.1 s: measured)
    if fmt == "html":
        from simcheck.render.html import render_html

        return render_html(report, generated_at=_report_date())
    if fmt == "text":
        from simcheck.render.text import render_text

        # the report's strings lose their control characters first; the renderer then adds its colours
        text = render_text(clean_data(report), color, generated_at=_report_date())
        return text if text.endswith("\n") else text + "\n"
    if fmt == "csv":
        from simcheck.render.csv import render_csv

        return render_csv([clean_data(report)])  # cells without control characters
    return dumps(report) + "\n"  # control characters as \u escapes: inert, the data unchanged

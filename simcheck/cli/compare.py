"""``simcheck compare``: drafts against an index or scripts, and the evidence report."""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path
from typing import Any

import click

from simcheck.cli.options import (
    check_output,
    follow_links_option,
    index_option,
    model_option,
    reports_errors,
    write_output,
)
from simcheck.cli.terminal import clean_data, dumps, echo
from simcheck.errors import UsageError
from simcheck.settings import FAIL_ON, FAIL_ON_CHOICES, CompareSettings

_FORMATS = ("text", "json", "html")
_SUFFIX_FORMATS = {".html": "html", ".htm": "html", ".json": "json", ".txt": "text"}


@click.command("compare")
@click.argument("drafts", nargs=-1, required=True, type=click.Path(path_type=str))
@index_option("The index to compare with (built by simcheck index).")
@click.option(
    "--against",
    multiple=True,
    type=click.Path(path_type=str),
    help="Compare directly with this script or folder of scripts, without an index (repeatable).",
)
@click.option(
    "--format",
    "output_format",
    type=click.Choice(_FORMATS),
    default=None,
    show_default="text on a terminal, else from -o's suffix, else json",
    help="Output: text summary, the JSON report, or a self-contained HTML page.",
)
@click.option(
    "-o",
    "--output",
    type=click.Path(path_type=str),
    default=None,
    help="Write the report here (a folder when several drafts). HTML defaults to DRAFT.simcheck.html.",
)
@click.option(
    "--fail-on",
    type=click.Choice(FAIL_ON_CHOICES),
    default=FAIL_ON,
    show_default=True,
    help="Exit with status 3 when a flagged match reaches this level ('never': always exit 0).",
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
    output_format: str | None,
    output: str | None,
    fail_on: str,
    allow: tuple[str, ...],
    allowlist: tuple[str, ...],
    model: str | None,
    follow_links: bool,
    absolute_paths: bool,
) -> None:
    """Compare each DRAFT with the references, scene by scene, and show the evidence.

    Exit status: 0 when no flagged match reaches --fail-on, 3 when one does, 1 when an input or the
    index cannot be read, 2 for usage errors. Levels say how unusual the evidence is among unrelated
    scripts (low: 1 scene in 100, medium: 1 in 10,000, high: 1 in 1,000,000); they are not a verdict.
    """
    # the library loads when a command runs, so that `simcheck --help` takes 0.1 s, not 0.6 s (measured)
    from simcheck.calibration import needs_measuring
    from simcheck.compare import Comparer, open_references, read_drafts
    from simcheck.embed import load_embedder
    from simcheck.match.allowlist import Allowlist

    if index_dir is not None and against:
        raise UsageError("give either --index or --against, not both")
    fmt = output_format or _default_format(output, len(drafts))
    if len(drafts) > 1 and output is not None and Path(output).is_file():
        raise UsageError(f"{output}: with several drafts, -o must be a folder")
    if output is not None or fmt == "html":  # a FIFO or folder where the report goes: say so now
        for draft in drafts:
            check_output(_output_path(draft, output, fmt, len(drafts)))
    settings = CompareSettings(
        fail_on=fail_on, allow=allow, allowlist_files=allowlist, absolute_paths=absolute_paths
    )
    allowed = Allowlist.build(settings.allow, settings.allowlist_files)
    scripts = read_drafts(drafts)  # unreadable (or empty) drafts fail before the model loads
    embedder = load_embedder(model) if model else None
    references, embedder, source = open_references(index_dir, against, embedder, follow_links=follow_links)
    if output is not None or fmt != "text":  # (the text summary lists them itself)
        for skipped in source.skipped:
            echo(f"skipped {skipped}", err=True)
    comparer = Comparer(references, embedder, settings, source, allowed)
    if needs_measuring(references, settings):
        click.echo(
            "Measuring what unrelated scripts in the index look like (once per index change)...", err=True
        )
    reports = comparer.compare_scripts(scripts)

    dicts = [report.to_dict() for report in reports]
    if output is None and fmt != "html":
        stdout_is_tty = sys.stdout.isatty()
        if fmt == "json":
            payload: object = dicts[0] if len(dicts) == 1 else dicts
            click.echo(dumps(payload))
        else:
            click.echo("\n".join(_render(d, "text", color=stdout_is_tty) for d in dicts), nl=False)
    else:
        for draft, data in zip(drafts, dicts, strict=True):
            target = _output_path(draft, output, fmt, len(drafts))
            write_output(target, _render(data, fmt, color=False))
            echo(f"{draft}: {data['overall']['summary']} Report: {target}", err=True)
    if any(report.reaches(fail_on) for report in reports):
        sys.exit(3)


def _default_format(output: str | None, n_drafts: int) -> str:
    if output is not None and n_drafts == 1:
        return _SUFFIX_FORMATS.get(Path(output).suffix.lower(), "json")
    return "text" if sys.stdout.isatty() else "json"


def _output_path(draft: str, output: str | None, fmt: str, n_drafts: int) -> Path:
    suffix = {"html": ".simcheck.html", "json": ".simcheck.json", "text": ".simcheck.txt"}[fmt]
    name = Path(draft).name
    stem = name[: -len(Path(name).suffix)] if Path(name).suffix else name
    if output is None:
        return Path(draft).with_name(stem + suffix)
    if n_drafts == 1:
        return Path(output)
    return Path(output) / (stem + suffix)


def _report_date() -> str:
    """Today's date (UTC) for the page and summary; ``SOURCE_DATE_EPOCH`` pins it (reproducible output).

    A date, not a time: re-running on the same day gives the same bytes. The JSON has no date at all.
    """
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    seconds = float(epoch) if epoch.isdigit() else time.time()
    return time.strftime("%Y-%m-%d", time.gmtime(seconds))


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
    return dumps(report) + "\n"

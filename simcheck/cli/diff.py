"""``simcheck diff``: the findings of two reports of successive drafts, new, resolved and persisting."""

from __future__ import annotations

import sys

import click

from simcheck.cli.options import fail_on_option, reports_errors
from simcheck.cli.terminal import dumps, echo


@click.command("diff")
@click.argument("old", type=click.Path(path_type=str))
@click.argument("new", type=click.Path(path_type=str))
@click.option(
    "--format",
    "output_format",
    type=click.Choice(("text", "json", "html")),
    default="text",
    show_default=True,
    help='text: one line per finding; json: {"new": [...], "resolved": [...], "persisting": [...], '
    '"story": [...]}; html: one self-contained page.',
)
@fail_on_option(
    "Exit with status 3 when a new finding, or a story finding new or raised, reaches this level "
    "('never': always exit 0)."
)
@reports_errors
def diff_command(old: str, new: str, output_format: str, fail_on: str) -> None:
    """Compare the findings of two reports (simcheck compare --format json) of successive drafts.

    A finding of NEW is the same as one of OLD when both concern the same reference scene and their
    reference evidence overlaps; draft scene numbers do not matter, so renumbered scenes still match.
    Findings are listed as new (only in NEW), resolved (only in OLD) and persisting (in both); story
    findings (reports of schema 2) per reference, with how their level moved. Reports of schema 1 and 2
    are read.

    Exit status: 0, or 3 when a new finding (or a story finding new or raised) reaches --fail-on; 1 when
    a report cannot be read, 2 for usage errors.
    """
    from simcheck.render.diff import render_diff_html, render_diff_text  # loaded here: see compare
    from simcheck.report.diff import diff_reports, load_report

    result = diff_reports(load_report(old), load_report(new))
    data = result.to_dict()
    if output_format == "json":
        click.echo(dumps(data))  # control characters as \u escapes (cli.terminal)
    elif output_format == "html":
        echo(render_diff_html(data, old, new), nl=False)
    else:
        echo(render_diff_text(data, old, new), nl=False)
    if result.reaches(fail_on):
        sys.exit(3)

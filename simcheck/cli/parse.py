"""``simcheck parse``: how a script was read, before anyone trusts a comparison of it."""

from __future__ import annotations

import click

from simcheck.cli.options import reports_errors
from simcheck.cli.terminal import dumps, echo


@click.command("parse")
@click.argument("file", type=click.Path(path_type=str))
@click.option(
    "--format",
    "output_format",
    type=click.Choice(["text", "json"]),
    default="text",
    show_default=True,
    help="text: a listing of scenes and elements; json: the full model with character offsets.",
)
@click.option("--strict", is_flag=True, help="Follow the format's rules exactly (no lenient readings).")
@reports_errors
def parse_command(file: str, output_format: str, strict: bool) -> None:
    """Show how simcheck reads FILE: scenes, elements, cast and what it assumed.

    Supported: .fountain .spmd .txt .text .fdx .fadein .highland .pdf. Offsets in the JSON are
    character offsets into the decoded text (for FDX, Fade In and PDF: into the reconstructed text).
    """
    # the library loads when a command runs, so that `simcheck --help` takes 0.1 s, not 0.6 s (measured)
    from simcheck.read import read_script
    from simcheck.read.scriptjson import script_to_dict
    from simcheck.read.show import describe

    script = read_script(file, strict=strict)
    if output_format == "json":
        click.echo(dumps(script_to_dict(script)))  # control characters as \u escapes: inert, data unchanged
    else:
        echo(describe(script, strict=strict))  # control characters from the script stripped

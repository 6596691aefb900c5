"""The command line: a thin click layer over the library.

The library never prints; this package turns ``SimcheckError`` into one line on stderr and an exit
code (1 unreadable or unsupported input or index, 2 usage, 3 ``--fail-on`` reached), owns progress bars
and declares shared options once (``options``). One module per command family: ``parse``, ``compare``,
``diff``, ``index`` (index, info, list, remove). The library is imported inside the commands, so that
``--help`` and ``--version`` are fast.
"""

from __future__ import annotations

import logging

import click

from simcheck.cli.compare import compare_command
from simcheck.cli.diff import diff_command
from simcheck.cli.index import index_command, info_command, list_command, remove_command
from simcheck.cli.parse import parse_command
from simcheck.version import __version__


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="simcheck")
def cli() -> None:
    """Find and show evidence of copying between a draft screenplay and a reference corpus.

    Index references once (simcheck index refs/), then check drafts (simcheck compare draft.fountain).
    Everything runs locally; no text leaves the machine. simcheck shows evidence, never a verdict.
    """
    _quiet_library_logs()


def _quiet_library_logs() -> None:
    """Keep the libraries' own log lines (pdfminer on a damaged PDF: "Data-loss while decompressing
    corrupted data") off the terminal: simcheck reports problems as one line of its own, or not at all
    when the file could still be read."""
    for name in ("pdfminer", "pdfplumber"):
        logging.getLogger(name).setLevel(logging.CRITICAL)


for _command in (
    parse_command,
    compare_command,
    diff_command,
    index_command,
    info_command,
    list_command,
    remove_command,
):
    cli.add_command(_command)


def main() -> None:
    cli()

"""The command line: a thin click layer over the library.

The library never prints; this module turns ``SimcheckError`` into one line on stderr and an exit
code (1 unreadable input or index, 2 usage, 3 ``compare --fail-on`` reached), and owns progress bars.
Heavy imports happen inside commands so that ``--help`` and ``--version`` are fast.

Each command lives in its own function below; edit only your own command.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any, TypeVar

import click

from simcheck import __version__
from simcheck.errors import SimcheckError

F = TypeVar("F", bound=Callable[..., Any])


class SimcheckClickError(click.ClickException):
    """A library error shown as ``Error: <message>`` with the library's exit code."""

    def __init__(self, message: str, exit_code: int) -> None:
        super().__init__(message)
        self.exit_code = exit_code


def reports_errors(func: F) -> F:
    """Turn library exceptions into one clean line and the right exit code (never a traceback)."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except SimcheckError as error:
            raise SimcheckClickError(str(error), error.exit_code) from error

    return wrapper  # type: ignore[return-value]


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="simcheck")
def cli() -> None:
    """Find and show evidence of copying between a draft screenplay and a reference corpus.

    Index references once (simcheck index refs/), then check drafts (simcheck compare draft.fountain).
    Everything runs locally; no text leaves the machine. simcheck shows evidence, never a verdict.
    """


def main() -> None:
    cli()

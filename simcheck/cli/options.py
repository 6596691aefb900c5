"""What every command shares: library errors as one line and an exit code, and the options declared once.

Like sqlite-utils' ``output_options``: an option used by several commands is declared here, once, and
applied as a decorator, so its name, default and help read the same everywhere.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click

from simcheck.errors import SimcheckError
from simcheck.settings import default_index_dir

F = TypeVar("F", bound=Callable[..., Any])

INDEX_DEFAULT = "$SIMCHECK_INDEX or indexes/default"


class SimcheckClickError(click.ClickException):
    """A library error shown as ``Error: <message>`` with the library's exit code."""

    def __init__(self, message: str, exit_code: int) -> None:
        super().__init__(message)
        self.code = exit_code

    @property
    def exit_code(self) -> int:  # type: ignore[override]
        return self.code


def reports_errors(func: F) -> F:
    """Turn library exceptions into one clean line and the right exit code (never a traceback)."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except SimcheckError as error:
            raise SimcheckClickError(str(error), error.exit_code) from error

    return wrapper  # type: ignore[return-value]


def index_option(help: str = "The index folder.") -> Callable[[F], F]:
    """``--index DIR`` (default: ``$SIMCHECK_INDEX`` or ``indexes/default``), as ``index_dir``."""
    return click.option(
        "--index",
        "index_dir",
        type=click.Path(path_type=str),
        default=None,
        show_default=INDEX_DEFAULT,
        help=help,
    )


def model_option(show_default: str, help: str) -> Callable[[F], F]:
    """``--model NAME_OR_PATH``: a sentence-transformers model name or local folder."""
    return click.option("--model", default=None, show_default=show_default, help=help)


def index_folder(index_dir: str | None) -> Path:
    """The index folder an ``--index`` value stands for."""
    return Path(index_dir) if index_dir else default_index_dir()


def seconds(value: float) -> str:
    if value < 60:
        return f"{value:.1f} s"
    minutes, rest = divmod(round(value), 60)
    return f"{minutes} min {rest:02d} s"

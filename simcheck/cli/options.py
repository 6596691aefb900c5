"""What every command shares: library errors as one line and an exit code, and the options declared once.

Like sqlite-utils' ``output_options``: an option used by several commands is declared here, once, and
applied as a decorator, so its name, default and help read the same everywhere.
"""

from __future__ import annotations

import functools
import stat
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click

from simcheck.cli.terminal import clean_line
from simcheck.errors import OutputError, SimcheckError, UsageError, problem_text
from simcheck.settings import (
    FAIL_ON,
    FAIL_ON_CHOICES,
    INDEX_ENV_VAR,
    IndexLocation,
    resolve_index,
    user_index_dir,
)

F = TypeVar("F", bound=Callable[..., Any])


def _home(path: Path) -> str:
    try:
        return "~/" + path.relative_to(Path.home()).as_posix()
    except ValueError:
        return str(path)


INDEX_DEFAULT = (
    f'${INDEX_ENV_VAR}, else index = "..." in the nearest simcheck.toml or [tool.simcheck] of a '
    f"pyproject.toml (from the current folder up), else {_home(user_index_dir())}"
)


class SimcheckClickError(click.ClickException):
    """A library error shown as ``Error: <message>`` (one line, no control character) with the library's
    exit code."""

    def __init__(self, message: str, exit_code: int) -> None:
        super().__init__(clean_line(message))
        self.code = exit_code

    @property
    def exit_code(self) -> int:  # type: ignore[override]
        return self.code


def reports_errors(func: F) -> F:
    """Turn library exceptions into one clean line and the right exit code (never a traceback); an
    ``OSError`` that nothing named better (a full disk, a read-only folder) says what and where, exit 1."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except SimcheckError as error:
            raise SimcheckClickError(str(error), error.exit_code) from error
        except OSError as error:
            where = f"{error.filename}: " if getattr(error, "filename", None) else ""
            raise SimcheckClickError(f"{where}{problem_text(error)}", 1) from error

    return wrapper  # type: ignore[return-value]


def index_option(help: str = "The index folder.") -> Callable[[F], F]:
    """``--index DIR``, as ``index_dir`` (default: ``settings.resolve_index``, described in --help)."""
    return click.option(
        "--index",
        "index_dir",
        type=click.Path(path_type=str),
        default=None,
        show_default=INDEX_DEFAULT,
        help=help,
    )


def follow_links_option(what: str) -> Callable[[F], F]:
    """``--follow-links``: follow symbolic links that lead outside the folders given."""
    return click.option(
        "--follow-links",
        is_flag=True,
        help=f"Follow symbolic links in {what} that lead outside them (default: skipped and listed).",
    )


def check_output(target: Path) -> None:
    """An output file must be a file (or a device such as ``/dev/null``): a folder is a usage error, and
    so is a FIFO or socket (writing would wait for a reader forever). Checked before any work is done."""
    try:
        info = target.stat()
    except OSError:
        return
    if not (stat.S_ISREG(info.st_mode) or stat.S_ISCHR(info.st_mode)):
        what = "a directory" if stat.S_ISDIR(info.st_mode) else "not a regular file (a FIFO or socket)"
        raise UsageError(f"{target}: is {what}; give a file to write the report to")


def write_output(target: Path, text: str) -> None:
    """Write a report (or any output file) after ``check_output``; a full disk, a read-only folder or a
    missing permission is one line naming the file (``OutputError``, exit 1)."""
    check_output(target)
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")
    except OSError as error:
        raise OutputError(target, problem_text(error)) from error


def model_option(show_default: str, help: str) -> Callable[[F], F]:
    """``--model NAME_OR_PATH``: a sentence-transformers model name or local folder."""
    return click.option("--model", default=None, show_default=show_default, help=help)


def fail_on_option(help: str) -> Callable[[F], F]:
    """``--fail-on LEVEL`` (default ``high``): the level from which a command exits with status 3."""
    return click.option(
        "--fail-on", type=click.Choice(FAIL_ON_CHOICES), default=FAIL_ON, show_default=True, help=help
    )


def exclude_option(help: str) -> Callable[[F], F]:
    """``--exclude GLOB`` (repeatable), as ``exclude``: files a folder walk leaves out."""
    return click.option("--exclude", multiple=True, metavar="GLOB", help=help)


def story_option() -> Callable[[F], F]:
    """``--story/--no-story`` (default on), as ``story``: judge the story as well as the words."""
    return click.option(
        "--story/--no-story",
        "story",
        default=True,
        show_default=True,
        help="Also judge the story: draft units that follow a reference's scenes in order, in other words "
        "and with other names (--no-story: wording and content only, a little faster).",
    )


def quiet_option(help: str) -> Callable[[F], F]:
    """``-q/--quiet``: no progress display."""
    return click.option("-q", "--quiet", is_flag=True, help=help)


def index_location(index_dir: str | None) -> IndexLocation:
    """The index an ``--index`` value (or its absence) stands for, and where that choice came from."""
    return resolve_index(index_dir)


def index_folder(index_dir: str | None) -> Path:
    """The index folder an ``--index`` value stands for."""
    return resolve_index(index_dir).path


def seconds(value: float) -> str:
    if value < 60:
        return f"{value:.1f} s"
    minutes, rest = divmod(round(value), 60)
    return f"{minutes} min {rest:02d} s"

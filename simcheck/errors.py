"""Exceptions the library raises. The CLI turns each into one line and an exit code.

Every message is one line that names the file (or index) and the problem, and where it can,
the fix.
"""

from __future__ import annotations

import errno
from pathlib import Path


class SimcheckError(Exception):
    """Base class. ``str(error)`` is the one-line message shown to the user."""

    exit_code = 1


class UsageError(SimcheckError):
    """The command was asked for something it cannot do (bad option, a folder where a file goes)."""

    exit_code = 2


class InputError(SimcheckError):
    """An input file cannot be read as a script."""

    exit_code = 1

    def __init__(self, path: str | Path, problem: str) -> None:
        self.path = str(path)
        self.problem = problem
        super().__init__(f"{self.path}: {problem}")

    def __reduce__(self) -> tuple[type[InputError], tuple[str, str]]:  # picklable across processes
        return (type(self), (self.path, self.problem))


class UnsupportedFormat(InputError):
    """The file's extension is not a script format simcheck reads (an input problem: exit status 1)."""


class NotAFile(InputError):
    """A directory (or something else) was given where a file is required (an input problem: 1)."""


class IndexError_(SimcheckError):
    """Base for problems with an index. (Named with a trailing underscore: ``IndexError`` is a builtin.)"""


class IndexNotFound(IndexError_):
    """No index at the given location."""


class IndexCorrupt(IndexError_):
    """An index file is missing, truncated or fails its checksum."""


class IndexMismatch(IndexError_):
    """The index was built with another model or other parameters than this run asks for."""

    exit_code = 2


class IndexLocked(IndexError_):
    """Another process is writing the index."""


class IndexWriteError(IndexError_):
    """Writing the index failed (disk full, permissions); the previous index is left as it was."""


class ModelNotFound(SimcheckError):
    """The embedding model cannot be loaded offline."""


def problem_text(error: BaseException) -> str:
    """One line saying what went wrong, for a message that already names the file."""
    if isinstance(error, InputError):
        return error.problem
    if isinstance(error, OSError):
        if error.errno == errno.ENOENT:
            return "disappeared while indexing"
        if error.errno == errno.ELOOP:
            return "symbolic link loop"
        if error.errno in (errno.EACCES, errno.EPERM):
            return "permission denied"
        return error.strerror or type(error).__name__
    text = str(error).strip().splitlines()
    return text[0] if text else type(error).__name__

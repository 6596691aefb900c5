"""Exceptions the library raises. The CLI turns each into one line and an exit code.

Every message is one line that names the file (or index) and the problem, and where it can,
the fix.
"""

from __future__ import annotations

import errno
import os
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


class OutputError(SimcheckError):
    """A report (or another output) cannot be written: disk full, read-only folder, no permission."""

    def __init__(self, path: str | Path, problem: str) -> None:
        self.path = str(path)
        self.problem = problem
        super().__init__(f"cannot write {self.path}: {problem}")

    def __reduce__(self) -> tuple[type[OutputError], tuple[str, str]]:
        return (type(self), (self.path, self.problem))


FREE_SPACE = "free some space, then run again"
# what the system's errors mean for someone running simcheck, and what to do about them
_ERRNO_TEXT = {
    errno.ENOSPC: f"no space left on the device ({FREE_SPACE})",
    errno.EDQUOT: f"disk quota exceeded ({FREE_SPACE})",
    errno.EFBIG: "file too large for this file system",
    errno.EROFS: "read-only file system (choose a folder you can write to)",
    errno.EACCES: "permission denied",
    errno.EPERM: "permission denied",
    errno.ELOOP: "symbolic link loop",
    errno.EISDIR: "is a folder, not a file",
    errno.ENOTDIR: "part of the path is not a folder",
    errno.ENAMETOOLONG: "file name too long",
    errno.EIO: "input/output error (a failing disk, or a network folder gone?)",
    errno.EMFILE: "too many open files",
    errno.ENXIO: "no such device (a FIFO without a reader?)",
}


def problem_text(error: BaseException) -> str:
    """One line saying what went wrong, for a message that already names the file.

    System errors are told in words with what to do (``ENOSPC``: no space left, free some; ``EROFS``:
    a read-only file system; ``EACCES``/``EPERM``: permission denied), also when a library reports one
    inside its own message (FAISS: "write error ... (No space left on device)"; SQLite: "database or
    disk is full"); ``ENOENT`` is a file that disappeared while it was being indexed.
    """
    if isinstance(error, InputError | OutputError):
        return error.problem
    if isinstance(error, OSError):
        if error.errno == errno.ENOENT:
            return "disappeared while indexing"
        if error.errno in _ERRNO_TEXT:
            return _ERRNO_TEXT[error.errno]
        if error.strerror:
            return error.strerror
    text = " ".join(str(error).split())
    for code, meaning in _ERRNO_TEXT.items():
        if code in (errno.ENOSPC, errno.EDQUOT, errno.EROFS, errno.EACCES) and os.strerror(code) in text:
            return meaning
    if "disk is full" in text or "requested and" in text and "written" in text:  # SQLite; numpy tofile
        return _ERRNO_TEXT[errno.ENOSPC]
    return text[:300] if text else type(error).__name__

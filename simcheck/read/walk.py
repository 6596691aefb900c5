"""Finding script files to index: folders walked for every supported extension, problems collected.

Nothing here raises for a bad file: each problem becomes a ``Skipped`` (path and one line) and the
walk goes on. Symbolic links to folders are followed once (a loop is reported, not followed
forever); hidden folders are skipped; files that vanish during the walk are reported.
"""

from __future__ import annotations

import errno
import hashlib
import os
import stat
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass

from simcheck.errors import InputError


@dataclass(frozen=True)
class Skipped:
    path: str
    problem: str

    def __str__(self) -> str:
        return f"{self.path}: {self.problem}"


def supported_extensions() -> tuple[str, ...]:
    try:
        from simcheck.read import SUPPORTED_EXTENSIONS

        return tuple(SUPPORTED_EXTENSIONS)
    except ImportError:  # pragma: no cover - the formats package is part of simcheck
        return (".fountain", ".spmd", ".txt", ".text", ".fdx", ".fadein", ".highland", ".pdf")


def problem_text(error: BaseException) -> str:
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


def hash_file(path: str) -> tuple[int, str]:
    digest = hashlib.sha256()
    size = 0
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
            size += len(block)
    return size, digest.hexdigest()


def walk_scripts(roots: Sequence[str], extensions: Sequence[str]) -> tuple[list[str], list[Skipped]]:
    """Supported files under ``roots`` (resolved, unique, sorted) and the problems met on the way.

    Symbolic links to folders are followed once (a link loop is reported, not followed forever);
    hidden folders (``.git``) are skipped; a named file is taken whatever its extension (the reader
    then says if it cannot read it).
    """
    wanted = tuple(e.lower() for e in extensions)
    found: set[str] = set()
    skipped: list[Skipped] = []
    visited: set[tuple[int, int]] = set()

    def note(path: str, error: BaseException) -> None:
        skipped.append(Skipped(path, problem_text(error)))

    for root in roots:
        try:
            info = os.stat(root)
        except OSError as error:
            if isinstance(error, FileNotFoundError) and os.path.islink(root):
                skipped.append(Skipped(root, "broken symbolic link"))
            elif isinstance(error, FileNotFoundError):
                skipped.append(Skipped(root, "no such file or folder"))
            else:
                note(root, error)
            continue
        if stat.S_ISREG(info.st_mode):
            found.add(os.path.realpath(root))
            continue
        if not stat.S_ISDIR(info.st_mode):
            skipped.append(Skipped(root, "not a file or folder"))
            continue
        for folder, dirs, files in _walk_dir(root, visited, note):
            for name in sorted(files):
                if not name.lower().endswith(wanted) or name.startswith("."):
                    continue
                path = os.path.join(folder, name)
                try:
                    info = os.stat(path)
                except FileNotFoundError as error:
                    if os.path.islink(path):
                        skipped.append(Skipped(path, "broken symbolic link"))
                    else:
                        note(path, error)
                    continue
                except OSError as error:
                    note(path, error)
                    continue
                if stat.S_ISREG(info.st_mode):
                    found.add(os.path.realpath(path))
            dirs[:] = sorted(d for d in dirs if not d.startswith("."))
    return sorted(found), skipped


def _walk_dir(
    root: str, visited: set[tuple[int, int]], note: Callable[[str, BaseException], None]
) -> Iterator[tuple[str, list[str], list[str]]]:
    for folder, dirs, files in os.walk(root, followlinks=True, onerror=lambda e: note(e.filename or root, e)):
        try:
            info = os.stat(folder)
        except OSError as error:
            note(folder, error)
            dirs[:] = []
            continue
        key = (info.st_dev, info.st_ino)
        if key in visited:  # reached again through a link: a loop or a second way in
            if os.path.islink(folder):
                note(folder, OSError(errno.ELOOP, "symbolic link loop"))
            dirs[:] = []
            continue
        visited.add(key)
        yield folder, dirs, files

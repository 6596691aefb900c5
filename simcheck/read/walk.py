"""The one file walker: which script files a list of files and folders stands for.

``simcheck index PATH...`` and ``compare --against PATH...`` both walk with ``walk_scripts``, so they
see the same files: a file named explicitly is taken whatever its extension (its reader then says if
it cannot read it); inside folders, files with a supported extension (``reader.SUPPORTED_EXTENSIONS``,
case-insensitive) are taken, hidden files and hidden folders (``.git``) are not, and neither is what is
not a script (``screenplay_problem``): a project's own files (``LICENSE``, ``README``, ``CHANGELOG``,
``COPYING`` and the like, in any format) and plain prose with no scene heading and no cast (a ``.txt``
that is not laid out as a script); both are reported as skipped. Files and folders matching an
``exclude`` glob are left out without a word (a pattern with a ``/`` is matched against the path below
the root given, one without against each file and folder name). Each file is found once (by its
resolved path), in the order of the roots given, sorted within each root.

Confinement: a symbolic link met inside a folder is followed only when it leads back inside one of the
folders given (``refs/shadow.fountain -> /etc/shadow`` or ``refs/more -> $HOME`` is skipped and listed,
never read), unless ``follow_links`` (``--follow-links``) says to follow every link. A root given
explicitly is taken as given, link or not: the user named it. Links that are followed are followed once
(a loop is reported, not followed forever).

Nothing here raises for a bad file: each problem becomes a ``Skipped`` (path and one line) and the
walk goes on. ``script_paths`` is the strict form for files that must all be read now (``--against``).
"""

from __future__ import annotations

import errno
import fnmatch
import hashlib
import os
import stat
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass

from simcheck.errors import InputError, SimcheckError, problem_text
from simcheck.model import CHARACTER
from simcheck.read.reader import SUPPORTED_EXTENSIONS, read_script

# A project's own files: never reference scripts when met inside a folder (by the name before its
# first ".", "-" or "_", any case): LICENSE-MIT.txt, README.md, CHANGELOG.txt, COPYING ...
PROJECT_FILES = frozenset(
    """
    license licence licenses licences copying copyright notice readme changelog changes history news
    authors contributors contributing credits install todo security unlicense patents code conduct
    """.split()
)
PROSE_EXTENSIONS = (".txt", ".text")  # read to see whether they are laid out as scripts


@dataclass(frozen=True)
class Skipped:
    path: str
    problem: str

    def __str__(self) -> str:
        return f"{self.path}: {self.problem}"


@dataclass(frozen=True)
class Found:
    """A script file: ``path`` as reached from the root given, ``real`` resolved (the index's key)."""

    path: str
    real: str


def hash_file(path: str) -> tuple[int, str]:
    """Size and sha256 of a file's bytes."""
    digest = hashlib.sha256()
    size = 0
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
            size += len(block)
    return size, digest.hexdigest()


def walk_scripts(
    roots: Sequence[str],
    extensions: Sequence[str] = SUPPORTED_EXTENSIONS,
    exclude: Sequence[str] = (),
    *,
    follow_links: bool = False,
) -> tuple[list[Found], list[Skipped]]:
    """The script files under ``roots`` and the problems met on the way (see the module docstring);
    ``follow_links``: follow links that lead outside the folders given too."""
    wanted = tuple(e.lower() for e in extensions)
    areas = None if follow_links else _areas(roots)
    found: list[Found] = []
    seen: set[str] = set()
    skipped: list[Skipped] = []
    visited: set[tuple[int, int]] = set()

    def note(path: str, error: BaseException) -> None:
        skipped.append(Skipped(path, problem_text(error)))

    def take(paths: list[str]) -> None:
        for path in sorted(paths):
            real = os.path.realpath(path)
            if real not in seen:
                seen.add(real)
                found.append(Found(path, real))

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
            take([root])
        elif not stat.S_ISDIR(info.st_mode):
            skipped.append(Skipped(root, "not a file or folder"))
        else:
            files = _files_under(root, wanted, visited, note, skipped, areas)
            take(screenplays(root, [f for f in files if not excluded(root, f, exclude)], skipped))
    return found, skipped


def script_paths(
    roots: Sequence[str], exclude: Sequence[str] = (), *, follow_links: bool = False
) -> tuple[list[str], list[Skipped]]:
    """The script files under ``roots`` as reached (``Found.path``), for reading all of them now, and
    the links that were not followed because they lead outside the folders given (see ``walk_scripts``).

    Any other problem met is an ``InputError``, and so is a folder without any script file. Files that
    are not scripts (``screenplay_problem``) are left out, not a problem.
    """
    out: list[str] = []
    not_followed: list[Skipped] = []
    for root in roots:
        found, skipped = walk_scripts([root], exclude=exclude, follow_links=follow_links)
        skipped = [s for s in skipped if not s.problem.startswith(NOT_A_SCRIPT)]
        problems = [s for s in skipped if s.problem != LEADS_OUTSIDE]
        if problems:
            raise InputError(problems[0].path, problems[0].problem)
        if not found:
            raise InputError(root, "no script files in this folder")
        out.extend(f.path for f in found)
        not_followed.extend(s for s in skipped if s.problem == LEADS_OUTSIDE)
    return list(dict.fromkeys(out)), not_followed


# --- confinement: links that lead outside the folders given ------------------------------------

LEADS_OUTSIDE = "symbolic link leads outside the folders given: not followed (--follow-links follows it)"


def _areas(roots: Sequence[str]) -> tuple[str, ...]:
    """The resolved folders among ``roots``: what a link met inside them may lead to."""
    return tuple(os.path.realpath(root) for root in roots if os.path.isdir(root))


def leads_outside(path: str, areas: Sequence[str]) -> bool:
    """Is ``path`` a symbolic link whose target lies outside every folder of ``areas``?"""
    if not os.path.islink(path):
        return False
    real = os.path.realpath(path)
    return not any(real == area or real.startswith(area.rstrip(os.sep) + os.sep) for area in areas)


def _confine(folder: str, dirs: list[str], areas: Sequence[str], skipped: list[Skipped]) -> None:
    """Drop from ``dirs`` (in place, before the walk enters them) the links that lead outside."""
    for name in list(dirs):
        path = os.path.join(folder, name)
        if not name.startswith(".") and leads_outside(path, areas):  # hidden folders are never walked
            skipped.append(Skipped(path, LEADS_OUTSIDE))
            dirs.remove(name)


NOT_A_SCRIPT = "not a script"


def excluded(root: str, path: str, patterns: Sequence[str]) -> bool:
    """Does an ``--exclude`` glob match ``path`` (found under ``root``)? A pattern with a ``/`` is matched
    against the path below the root (``drafts/old/*``), one without against each name on the way
    (``*.pdf``, ``old``)."""
    if not patterns:
        return False
    relative = os.path.relpath(path, root).replace(os.sep, "/")
    names = relative.split("/")
    for pattern in patterns:
        pattern = pattern.replace(os.sep, "/").strip("/")
        if "/" in pattern:
            if fnmatch.fnmatch(relative, pattern) or fnmatch.fnmatch(relative, pattern + "/*"):
                return True
        elif any(fnmatch.fnmatch(name, pattern) for name in names):
            return True
    return False


def screenplays(root: str, paths: list[str], skipped: list[Skipped]) -> list[str]:
    """The files found inside a folder that are scripts; the others are noted in ``skipped``."""
    kept = []
    for path in paths:
        problem = screenplay_problem(path)
        if problem is None:
            kept.append(path)
        else:
            skipped.append(Skipped(path, problem))
    return kept


def screenplay_problem(path: str) -> str | None:
    """Why a file met inside a folder is not a reference script, or None when it is one.

    A project's own file (``PROJECT_FILES``: ``LICENSE-MIT.txt``, ``README.fountain``) is not; nor is a
    ``.txt``/``.text`` file that reads as plain prose: no scene heading, and fewer than two characters
    with two speeches each. A prose file named on the command line is read all the same (its story can
    still be compared); a file that cannot be read is left to its reader to report.
    """
    name = os.path.basename(path).lower()
    stem = name.replace("-", ".").replace("_", ".").split(".", 1)[0]
    if stem in PROJECT_FILES:
        return f"{NOT_A_SCRIPT} (a project file such as LICENSE or README; name it to index it anyway)"
    if not name.endswith(PROSE_EXTENSIONS):
        return None
    try:
        script = read_script(path)
    except (SimcheckError, OSError):
        return None
    if any(scene.heading for scene in script.scenes):
        return None
    cues = Counter(e.character for s in script.scenes for e in s.elements if e.kind == CHARACTER)
    if sum(1 for count in cues.values() if count >= 2) >= 2:
        return None
    return f"{NOT_A_SCRIPT} (plain prose: no scene heading, no cast; name it to index it anyway)"


def _files_under(
    root: str,
    wanted: tuple[str, ...],
    visited: set[tuple[int, int]],
    note: Callable[[str, BaseException], None],
    skipped: list[Skipped],
    areas: Sequence[str] | None,
) -> list[str]:
    files: list[str] = []
    for folder, dirs, names in _walk_dir(root, visited, note):
        if areas is not None:
            _confine(folder, dirs, areas, skipped)
        for name in sorted(names):
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
            if not stat.S_ISREG(info.st_mode):
                continue
            if areas is not None and leads_outside(path, areas):
                skipped.append(Skipped(path, LEADS_OUTSIDE))
            else:
                files.append(path)
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
    return files


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

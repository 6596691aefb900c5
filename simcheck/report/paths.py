"""Reference paths as a report shows them: relative to the folder that was indexed, by default.

A report is forwarded (to a producer, a lawyer); absolute paths would tell them the folder names of
whoever ran it (``/home/alice/clients/acme/...``) and make two runs of the same files on two machines
differ. So a report names each reference relative to a *root*: the folder given to ``--against`` (the
longest common folder when several are given, a file's own folder), or for an index the longest common
folder of its scripts. ``CompareSettings.absolute_paths`` (``--absolute-paths``) keeps them absolute.

What is needed to reproduce a run stays in the report: the settings (``absolute_paths`` among them),
the index's manifest checksum, the draft's sha256, the root's name (``index.paths_relative_to``) and
``index.references_sha256``: a checksum of every reference compared with (its path relative to the root
and its content sha256), the same on any machine that holds the same files.
"""

from __future__ import annotations

import dataclasses
import hashlib
import os
from collections.abc import Iterable, Sequence
from pathlib import Path

from simcheck.read.walk import Skipped
from simcheck.report.build import Source
from simcheck.report.model import Report
from simcheck.search.references import ReferenceScript


def common_folder(paths: Iterable[str]) -> str | None:
    """The longest folder holding every one of ``paths`` (files), or None without any."""
    folders = [os.path.dirname(os.path.abspath(p)) for p in paths]
    return os.path.commonpath(folders) if folders else None


def against_root(roots: Sequence[str]) -> str | None:
    """The folder that ``--against`` paths are relative to: the folders given (a file: its folder)."""
    folders = [os.path.abspath(r) if os.path.isdir(r) else os.path.dirname(os.path.abspath(r)) for r in roots]
    return os.path.commonpath(folders) if folders else None


def shown_path(path: str, root: str | None, absolute: bool = False) -> str:
    """``path`` relative to ``root`` (with ``/`` separators), or as it is when it lies outside it;
    ``absolute``: the absolute path."""
    if absolute:
        return os.path.abspath(path)
    if root is None:
        return path
    full = os.path.abspath(path)
    if os.path.commonpath([full, root]) != root:
        return path
    return os.path.relpath(full, root).replace(os.sep, "/")


def references_sha256(scripts: Iterable[ReferenceScript], root: str | None) -> str:
    """A checksum of the references: each one's path relative to ``root`` and content sha256."""
    rows = sorted(f"{shown_path(s.path, root)}\t{s.sha256}\n" for s in scripts)
    return hashlib.sha256("".join(rows).encode("utf-8")).hexdigest()


def against_source(against: Sequence[str | Path], not_followed: Sequence[Skipped]) -> Source:
    """The ``Source`` of a pairwise run: its root, and the links the walk did not follow (as shown)."""
    root = against_root([str(p) for p in against])
    return Source(
        None,
        "pairwise",
        root=root,
        skipped=tuple(f"{shown_path(s.path, root)}: {s.problem}" for s in not_followed),
    )


def shown_paths(report: Report, scripts: Sequence[ReferenceScript], source: Source, absolute: bool) -> Report:
    """``report`` naming its references relative to the root (``source.root``, else the longest common
    folder of ``scripts``) unless ``absolute``, with the provenance and the walk's notes."""
    root = source.root or common_folder(s.path for s in scripts)
    known = {s.path for s in scripts}

    def shown(path: str) -> str:
        return shown_path(path, root, absolute) if path in known else path

    def shown_warning(warning: str) -> str:  # "PATH is the draft itself ..."
        path = next((p for p in known if warning.startswith(p + " ")), None)
        return warning if path is None else shown(path) + warning[len(path) :]

    index = dataclasses.replace(
        report.index,
        paths_relative_to=None if absolute or root is None else (os.path.basename(root) or root),
        references_sha256=references_sha256(scripts, root),
    )
    return dataclasses.replace(
        report,
        index=index,
        matches=tuple(dataclasses.replace(m, reference=shown(m.reference)) for m in report.matches),
        references=tuple(dataclasses.replace(r, path=shown(r.path)) for r in report.references),
        warnings=tuple(shown_warning(w) for w in report.warnings) + source.skipped,
    )

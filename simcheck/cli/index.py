"""``simcheck index``, ``info``, ``list`` and ``remove``: building and looking after an index."""

from __future__ import annotations

import sys
import time
from pathlib import Path
from typing import Any

import click

from simcheck.cli.options import (
    exclude_option,
    follow_links_option,
    index_folder,
    index_option,
    model_option,
    reports_errors,
    seconds,
)
from simcheck.cli.progress import IndexProgress
from simcheck.cli.terminal import dumps, echo
from simcheck.errors import IndexCorrupt, IndexLocked, InputError, UsageError
from simcheck.settings import CompareSettings


@click.command("index")
@click.argument("paths", nargs=-1, type=click.Path(path_type=str))
@index_option()
@model_option(
    "the index's model; all-MiniLM-L6-v2 for a new index",
    "Sentence-transformers model name or local folder (recorded in the index).",
)
@exclude_option("Leave out files and folders matching GLOB when walking folders (repeatable).")
@click.option(
    "--workers",
    type=click.IntRange(min=1),
    default=None,
    show_default="one per core",
    help="Processes that read and cut the files (local engine).",
)
@click.option(
    "--engine",
    type=click.Choice(["local", "ray"]),
    default="local",
    show_default=True,
    help="ray: read, cut and embed on a Ray cluster (pip install 'simcheck[ray]'); the index is written here",
)
@click.option(
    "--ray-address",
    default=None,
    metavar="ADDR",
    help="The Ray cluster to join (ray start --head prints it); default: start a local Ray.",
)
@click.option(
    "--compact", is_flag=True, help="Merge the index's segments into one (after indexing PATHS, if any)."
)
@click.option(
    "-q", "--quiet", is_flag=True, help="No progress bar (none either when stderr is not a terminal)."
)
@follow_links_option("the folders given")
@reports_errors
def index_command(
    paths: tuple[str, ...],
    index_dir: str | None,
    model: str | None,
    exclude: tuple[str, ...],
    workers: int | None,
    engine: str,
    ray_address: str | None,
    compact: bool,
    quiet: bool,
    follow_links: bool,
) -> None:
    """Index the reference scripts in PATHS (files or folders, walked for every supported format).

    Re-running it reads only new or changed files (each run adds a segment; the rest of the index is
    not rewritten), drops indexed files that were deleted and never re-embeds unchanged passages.
    Files that cannot be read are listed and skipped; so are files in folders that are not scripts
    (LICENSE, README, CHANGELOG and the like, and plain prose with no scene heading and no cast): name
    such a file on the command line to index it anyway. --compact merges the segments.
    """
    # the library loads when a command runs, so that `simcheck --help` takes 0.1 s, not 0.6 s (measured)
    from simcheck.calibration import cached_document
    from simcheck.index import Index

    if not paths and not compact:
        raise UsageError("give PATHS to index, or --compact")
    if ray_address and engine != "ray":
        raise UsageError("--ray-address goes with --engine ray")
    folder = index_folder(index_dir)
    if not paths:
        done = Index.open(folder, model=model).compact()
        echo(f"{folder}: {'compacted' if done else 'already compact'}")
        return
    created = _new_folders(folder)
    first = not (folder / "manifest.json").exists()
    progress = IndexProgress(enabled=not quiet and sys.stderr.isatty())
    index: Any = None
    try:
        index = Index.open_or_create(folder, model=model)
        previous = cached_document(index)  # what the calibration's update starts from
        summary = index.add(
            paths,
            progress=progress,
            exclude=exclude,
            workers=workers,
            engine=engine,
            ray_address=ray_address,
            follow_links=follow_links,
        )
        progress.close()
        for skipped in summary.skipped:
            echo(f"skipped {skipped.path}: {skipped.problem}", err=True)
        if not (summary.added or summary.updated or summary.unchanged) and summary.skipped:
            raise InputError(paths[0] if len(paths) == 1 else ", ".join(paths), "no script could be read")
        if not (summary.added or summary.updated or summary.unchanged or summary.removed):
            raise InputError(paths[0] if len(paths) == 1 else ", ".join(paths), "no script files found")
    except BaseException:
        progress.close()
        if first and index is not None and index.n_passages == 0:
            index.destroy()  # a failed first index leaves nothing behind
        _remove_empty(created)
        raise
    if compact:
        index.compact()
    changes = (
        f"{len(summary.added)} added, {len(summary.updated)} updated, {len(summary.removed)} removed, "
        f"{summary.unchanged} unchanged"
    )
    if summary.skipped:
        changes += f", {len(summary.skipped)} skipped"
    if summary.embedded:
        changes += f"; {summary.embedded:,} passages embedded"
    echo(
        f"{folder}: {summary.scripts:,} scripts, {summary.scenes:,} scenes, {summary.passages:,} passages "
        f"({changes}) in {seconds(summary.seconds)}"
    )
    _calibrate(index, quiet, previous)


def _new_folders(folder: Path) -> list[Path]:
    """The folders a first ``index`` into ``folder`` creates (innermost first): none if it exists."""
    out: list[Path] = []
    current = folder.expanduser().absolute()
    while not current.exists() and current != current.parent:
        out.append(current)
        current = current.parent
    return out


def _remove_empty(created: list[Path]) -> None:
    for folder in created:
        try:
            if folder.exists():
                folder.rmdir()
        except OSError:
            return


def _calibrate(index: Any, quiet: bool, previous: dict[str, Any] | None) -> None:
    """Bring the index's background of unrelated scripts up to date now, under the index's write lock,
    so that compares do not measure it (``previous``: the calibration before this run's write)."""
    from simcheck.calibration import is_current  # loaded here: see index_command
    from simcheck.calibration.update import refresh

    settings = CompareSettings()
    if is_current(index, settings):
        return
    if not quiet:
        echo("Calibrating: measuring how alike unrelated scripts in the index are...", err=True)
    started = time.perf_counter()
    try:
        result = refresh(index, settings, previous)
    except IndexLocked:
        echo("Not calibrated: another simcheck process is writing this index (it calibrates it)", err=True)
        return
    if not quiet and result is not None:
        state = result.state
        echo(
            f"Calibrated in {seconds(time.perf_counter() - started)} (measured {result.scenes_measured} of "
            f"{len(state.scenes)} scene samples and {result.passages_measured} of {len(state.passages)} "
            "passage samples; the others were kept from the last calibration)",
            err=True,
        )


@click.command("info")
@index_option()
@click.option("--verify", is_flag=True, help="Check every file's checksum and the databases' integrity.")
@click.option("--json", "as_json", is_flag=True, help="Print the information as one JSON object.")
@reports_errors
def info_command(index_dir: str | None, verify: bool, as_json: bool) -> None:
    """Show what an index holds (and, with --verify, check that it is intact)."""
    import dataclasses

    from simcheck.index import Index  # loaded here: see index_command

    folder = index_folder(index_dir)
    index = Index.open(folder)
    info = index.info()
    report = index.verify() if verify else None
    if as_json:
        data: dict[str, Any] = dataclasses.asdict(info)
        if report is not None:
            data["verified"] = dataclasses.asdict(report)
        click.echo(dumps(data, indent=1, sort_keys=True))
        if report is not None and not report.ok:
            raise IndexCorrupt(f"index {folder} is damaged ({len(report.problems)} problems); rebuild it")
        return
    s = info.settings
    search = (
        "exact (FAISS IndexFlatIP)"
        if info.faiss.get("type") == "flat"
        else (f"approximate (FAISS IVF, {info.faiss.get('nlist')} lists, {info.faiss.get('nprobe')} probed)")
    )
    per_passage = info.bytes_on_disk / info.passages if info.passages else 0.0
    removed = f", {info.removed_scripts:,} removed scripts until --compact" if info.removed_scripts else ""
    lines = [
        f"Index:     {info.path} (commit {info.generation}, format {info.format_version}, "
        f"simcheck {info.simcheck_version}, {info.created})",
        f"Model:     {info.model} ({info.dimension} dimensions)",
        f"Contents:  {info.scripts:,} scripts, {info.scenes:,} scenes, {info.passages:,} passages",
        f"Segments:  {info.segments}{removed}",
        f"Passages:  up to {s['passage_max_words']} words (shorter than {s['passage_min_words']} merged)",
        f"Lexical:   {s['shingle_words']}-word shingles, MinHash {s['num_perm']} permutations (seed "
        f"{s['minhash_seed']}), LSH {s['lsh_bands']} bands x {s['lsh_rows']} rows",
        f"Semantic:  {search}",
        f"On disk:   {info.bytes_on_disk / 1e6:,.1f} MB ({per_passage / 1024:,.2f} KB per passage)",
    ]
    echo("\n".join(lines))
    if report is not None:
        for note in report.stale:
            echo(f"note: {note} (re-run simcheck index to update)", err=True)
        for note in report.notes:
            echo(f"note: {note}", err=True)
        if not report.ok:
            for problem in report.problems:
                echo(f"damaged: {problem}", err=True)
            raise IndexCorrupt(
                f"index {folder} is damaged ({len(report.problems)} problem"
                f"{'s' if len(report.problems) != 1 else ''}); rebuild it with simcheck index"
            )
        echo(f"Verified:  OK ({report.files_checked} files match their checksums)")


@click.command("list")
@index_option()
@click.option("--json", "as_json", is_flag=True, help="One JSON array of the scripts.")
@reports_errors
def list_command(index_dir: str | None, as_json: bool) -> None:
    """List the scripts an index holds: title, scenes, passages and path."""
    import dataclasses

    from simcheck.index import Index  # loaded here: see index_command

    scripts = Index.open(index_folder(index_dir)).list_scripts()
    if as_json:
        click.echo(dumps([dataclasses.asdict(s) for s in scripts], indent=1))
        return
    for s in scripts:
        echo(f"{s.title or '(untitled)'}\t{s.scenes} scenes\t{s.passages} passages\t{s.path}")


@click.command("remove")
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=str))
@index_option()
@reports_errors
def remove_command(paths: tuple[str, ...], index_dir: str | None) -> None:
    """Remove the scripts indexed from PATHS (files, or folders: everything indexed under them)."""
    from simcheck.calibration import cached_document  # loaded here: see index_command
    from simcheck.index import Index

    folder = index_folder(index_dir)
    index = Index.open(folder)
    previous = cached_document(index)
    summary = index.remove(paths)
    for path in summary.removed:
        echo(f"removed {path}")
    for path in summary.not_indexed:
        echo(f"not in the index: {path}", err=True)
    if not summary.removed:
        raise UsageError(f"nothing removed: {', '.join(paths)} not in index {folder}")
    echo(f"{folder}: {summary.scripts:,} scripts, {summary.passages:,} passages left")
    _calibrate(index, not sys.stderr.isatty(), previous)

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
    import logging

    for name in ("pdfminer", "pdfplumber"):
        logging.getLogger(name).setLevel(logging.CRITICAL)


def main() -> None:
    cli()


@cli.command("parse")
@click.argument("file", type=click.Path(path_type=str))
@click.option(
    "--format",
    "output_format",
    type=click.Choice(["text", "json"]),
    default="text",
    show_default=True,
    help="text: a listing of scenes and elements; json: the full model with character offsets.",
)
@click.option("--strict", is_flag=True, help="Follow the format's rules exactly (no lenient readings).")
@reports_errors
def parse_command(file: str, output_format: str, strict: bool) -> None:
    """Show how simcheck reads FILE: scenes, elements, cast and what it assumed.

    Supported: .fountain .spmd .txt .text .fdx .fadein .highland .pdf. Offsets in the JSON are
    character offsets into the decoded text (for FDX, Fade In and PDF: into the reconstructed text).
    """
    import json

    from simcheck.read import read_script
    from simcheck.read.show import describe, script_to_dict

    script = read_script(file, strict=strict)
    if output_format == "json":
        click.echo(json.dumps(script_to_dict(script), ensure_ascii=False, indent=2))
    else:
        click.echo(describe(script, strict=strict))


# --- compare ----------------------------------------------------------------------------------

_FORMATS = ("text", "json", "html")
_SUFFIX_FORMATS = {".html": "html", ".htm": "html", ".json": "json", ".txt": "text"}


@cli.command("compare")
@click.argument("drafts", nargs=-1, required=True, type=click.Path(path_type=str))
@click.option(
    "--index",
    "index_dir",
    type=click.Path(path_type=str),
    default=None,
    show_default="$SIMCHECK_INDEX or indexes/default",
    help="The index to compare with (built by simcheck index).",
)
@click.option(
    "--against",
    multiple=True,
    type=click.Path(path_type=str),
    help="Compare directly with this script or folder of scripts, without an index (repeatable).",
)
@click.option(
    "--format",
    "output_format",
    type=click.Choice(_FORMATS),
    default=None,
    show_default="text on a terminal, else from -o's suffix, else json",
    help="Output: text summary, the JSON report, or a self-contained HTML page.",
)
@click.option(
    "-o",
    "--output",
    type=click.Path(path_type=str),
    default=None,
    help="Write the report here (a folder when several drafts). HTML defaults to DRAFT.simcheck.html.",
)
@click.option(
    "--fail-on",
    type=click.Choice(["low", "medium", "high", "never"]),
    default="high",
    show_default=True,
    help="Exit with status 3 when a flagged match reaches this level ('never': always exit 0).",
)
@click.option(
    "--allow",
    multiple=True,
    metavar="ENTRY",
    help="What the writer may use: a path or glob, PATH:FIRST-LAST lines, or 'quote: TEXT' (repeatable).",
)
@click.option(
    "--allowlist",
    multiple=True,
    type=click.Path(path_type=str),
    help="A file of allowlist entries, one per line, # comments (repeatable).",
)
@click.option(
    "--model",
    default=None,
    show_default="the index's model; all-MiniLM-L6-v2 with --against",
    help="Embedding model name or local folder.",
)
@reports_errors
def compare_command(
    drafts: tuple[str, ...],
    index_dir: str | None,
    against: tuple[str, ...],
    output_format: str | None,
    output: str | None,
    fail_on: str,
    allow: tuple[str, ...],
    allowlist: tuple[str, ...],
    model: str | None,
) -> None:
    """Compare each DRAFT with the references, scene by scene, and show the evidence.

    Exit status: 0 when no flagged match reaches --fail-on, 3 when one does, 1 when an input or the
    index cannot be read, 2 for usage errors. Levels say how unusual the evidence is among unrelated
    scripts (low: 1 scene in 100, medium: 1 in 10,000, high: 1 in 1,000,000); they are not a verdict.
    """
    import sys
    from pathlib import Path

    from simcheck.errors import UsageError
    from simcheck.match.allowlist import Allowlist
    from simcheck.settings import CompareSettings

    if index_dir is not None and against:
        raise UsageError("give either --index or --against, not both")
    fmt = output_format or _default_format(output, len(drafts))
    if len(drafts) > 1 and output is not None and Path(output).is_file():
        raise UsageError(f"{output}: with several drafts, -o must be a folder")
    settings = CompareSettings(fail_on=fail_on, allow=allow, allowlist_files=allowlist)
    allowed = Allowlist.build(settings.allow, settings.allowlist_files)

    from simcheck.compare import Comparer, open_references, read_draft
    from simcheck.embed.embedder import load_embedder

    scripts = [read_draft(draft) for draft in drafts]  # unreadable drafts fail before the model loads
    embedder = load_embedder(model) if model else None
    references, embedder, source = open_references(index_dir, against, embedder)
    comparer = Comparer(references, embedder, settings, source, allowed)
    from simcheck.calibration.load import needs_measuring

    if needs_measuring(references, settings):
        click.echo(
            "Measuring what unrelated scripts in the index look like (once per index change)...", err=True
        )
    reports = comparer.compare_scripts(scripts)

    dicts = [report.to_dict() for report in reports]
    if output is None and fmt != "html":
        stdout_is_tty = sys.stdout.isatty()
        if fmt == "json":
            import json

            payload: object = dicts[0] if len(dicts) == 1 else dicts
            click.echo(json.dumps(payload, indent=2, ensure_ascii=False))
        else:
            click.echo("\n".join(_render(d, "text", color=stdout_is_tty) for d in dicts), nl=False)
    else:
        for draft, data in zip(drafts, dicts, strict=True):
            target = _output_path(draft, output, fmt, len(drafts))
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(_render(data, fmt, color=False), encoding="utf-8")
            click.echo(f"{draft}: {data['overall']['summary']} Report: {target}", err=True)
    if any(report.reaches(fail_on) for report in reports):
        sys.exit(3)


def _default_format(output: str | None, n_drafts: int) -> str:
    import sys
    from pathlib import Path

    if output is not None and n_drafts == 1:
        return _SUFFIX_FORMATS.get(Path(output).suffix.lower(), "json")
    return "text" if sys.stdout.isatty() else "json"


def _output_path(draft: str, output: str | None, fmt: str, n_drafts: int) -> Any:
    from pathlib import Path

    suffix = {"html": ".simcheck.html", "json": ".simcheck.json", "text": ".simcheck.txt"}[fmt]
    name = Path(draft).name
    stem = name[: -len(Path(name).suffix)] if Path(name).suffix else name
    if output is None:
        return Path(draft).with_name(stem + suffix)
    if n_drafts == 1:
        return Path(output)
    return Path(output) / (stem + suffix)


def _report_date() -> str:
    """Today's date (UTC) for the page and summary; ``SOURCE_DATE_EPOCH`` pins it (reproducible output).

    A date, not a time: re-running on the same day gives the same bytes. The JSON has no date at all.
    """
    import os
    import time

    epoch = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    seconds = float(epoch) if epoch.isdigit() else time.time()
    return time.strftime("%Y-%m-%d", time.gmtime(seconds))


def _render(report: dict[str, Any], fmt: str, color: bool) -> str:
    if fmt == "html":
        from simcheck.render.html import render_html

        return render_html(report, generated_at=_report_date())
    if fmt == "text":
        from simcheck.render.text import render_text

        text = render_text(report, color, generated_at=_report_date())
        return text if text.endswith("\n") else text + "\n"
    import json

    return json.dumps(report, indent=2, ensure_ascii=False) + "\n"


# --- index, info, remove ----------------------------------------------------------------------

_INDEX_HELP = "The index folder."
_INDEX_DEFAULT = "$SIMCHECK_INDEX or indexes/default"


def _index_folder(index_dir: str | None) -> Any:
    from pathlib import Path

    from simcheck.settings import default_index_dir

    return Path(index_dir) if index_dir else default_index_dir()


class _IndexProgress:
    """Progress bars with ETA on stderr for ``Index.add`` (one bar per stage), or nothing."""

    _LABELS = {"read": "Reading  ", "embed": "Embedding", "write": "Writing  "}

    def __init__(self, enabled: bool) -> None:
        self.enabled = enabled
        self._bar: Any = None
        self._stage: str | None = None
        self._done = 0

    def __call__(self, event: Any) -> None:
        if not self.enabled or event.stage not in self._LABELS or event.total <= 0:
            return
        if event.stage != self._stage:
            self.close()
            import sys

            self._stage = event.stage
            self._done = 0
            self._bar = click.progressbar(
                length=event.total,
                label=self._LABELS[event.stage],
                show_eta=True,
                show_pos=True,
                file=sys.stderr,
            )
            self._bar.__enter__()
        step = event.done - self._done
        if step > 0:
            self._bar.update(step)
            self._done = event.done

    def close(self) -> None:
        if self._bar is not None:
            self._bar.__exit__(None, None, None)
            self._bar = None
            self._stage = None


def _seconds(seconds: float) -> str:
    if seconds < 60:
        return f"{seconds:.1f} s"
    minutes, rest = divmod(round(seconds), 60)
    return f"{minutes} min {rest:02d} s"


@cli.command("index")
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=str))
@click.option(
    "--index",
    "index_dir",
    type=click.Path(path_type=str),
    default=None,
    show_default=_INDEX_DEFAULT,
    help=_INDEX_HELP,
)
@click.option(
    "--model",
    default=None,
    show_default="the index's model; all-MiniLM-L6-v2 for a new index",
    help="Sentence-transformers model name or local folder (recorded in the index).",
)
@click.option(
    "-q", "--quiet", is_flag=True, help="No progress bar (none either when stderr is not a terminal)."
)
@reports_errors
def index_command(paths: tuple[str, ...], index_dir: str | None, model: str | None, quiet: bool) -> None:
    """Index the reference scripts in PATHS (files or folders, walked for every supported format).

    Re-running it reads only new or changed files, drops indexed files that were deleted and never
    re-embeds unchanged passages. Files that cannot be read are listed and skipped.
    """
    import sys

    from simcheck.errors import InputError
    from simcheck.index.store import Index

    folder = _index_folder(index_dir)
    progress = _IndexProgress(enabled=not quiet and sys.stderr.isatty())
    try:
        index = Index.open_or_create(folder, model=model)
        summary = index.add(paths, progress=progress)
    finally:
        progress.close()
    for skipped in summary.skipped:
        click.echo(f"skipped {skipped.path}: {skipped.problem}", err=True)
    if not (summary.added or summary.updated or summary.unchanged) and summary.skipped:
        raise InputError(paths[0] if len(paths) == 1 else ", ".join(paths), "no script could be read")
    if not (summary.added or summary.updated or summary.unchanged or summary.removed):
        raise InputError(paths[0] if len(paths) == 1 else ", ".join(paths), "no script files found")
    changes = (
        f"{len(summary.added)} added, {len(summary.updated)} updated, {len(summary.removed)} removed, "
        f"{summary.unchanged} unchanged"
    )
    if summary.skipped:
        changes += f", {len(summary.skipped)} skipped"
    if summary.embedded:
        changes += f"; {summary.embedded:,} passages embedded"
    click.echo(
        f"{folder}: {summary.scripts:,} scripts, {summary.scenes:,} scenes, {summary.passages:,} passages "
        f"({changes}) in {_seconds(summary.seconds)}"
    )
    _calibrate(index, quiet)


def _calibrate(index: Any, quiet: bool) -> None:
    """Measure the index's background of unrelated scripts now, so that the first compare does not."""
    import time

    from simcheck.calibration.load import load_calibration, needs_measuring
    from simcheck.settings import CompareSettings

    settings = CompareSettings()
    if not needs_measuring(index, settings):
        return
    if not quiet:
        click.echo("Calibrating: measuring how alike unrelated scripts in the index are...", err=True)
    started = time.perf_counter()
    load_calibration(index, settings)
    if not quiet:
        click.echo(f"Calibrated in {_seconds(time.perf_counter() - started)}", err=True)


@cli.command("info")
@click.option(
    "--index",
    "index_dir",
    type=click.Path(path_type=str),
    default=None,
    show_default=_INDEX_DEFAULT,
    help=_INDEX_HELP,
)
@click.option("--verify", is_flag=True, help="Check every file's checksum and the database's integrity.")
@reports_errors
def info_command(index_dir: str | None, verify: bool) -> None:
    """Show what an index holds (and, with --verify, check that it is intact)."""
    from simcheck.errors import IndexCorrupt
    from simcheck.index.store import Index

    folder = _index_folder(index_dir)
    index = Index.open(folder)
    info = index.info()
    s = info.settings
    search = (
        "exact (FAISS IndexFlatIP)"
        if info.faiss.get("type") == "flat"
        else (f"approximate (FAISS IVF, {info.faiss.get('nlist')} lists, {info.faiss.get('nprobe')} probed)")
    )
    per_passage = info.bytes_on_disk / info.passages if info.passages else 0.0
    lines = [
        f"Index:     {info.path} ({info.generation}, simcheck {info.simcheck_version}, {info.created})",
        f"Model:     {info.model} ({info.dimension} dimensions)",
        f"Contents:  {info.scripts:,} scripts, {info.scenes:,} scenes, {info.passages:,} passages",
        f"Passages:  up to {s['passage_max_words']} words (shorter than {s['passage_min_words']} merged)",
        f"Lexical:   {s['shingle_words']}-word shingles, MinHash {s['num_perm']} permutations (seed "
        f"{s['minhash_seed']}), LSH {s['lsh_bands']} bands x {s['lsh_rows']} rows",
        f"Semantic:  {search}",
        f"On disk:   {info.bytes_on_disk / 1e6:,.1f} MB ({per_passage / 1024:,.2f} KB per passage)",
    ]
    click.echo("\n".join(lines))
    if verify:
        report = index.verify()
        for note in report.stale:
            click.echo(f"note: {note} (re-run simcheck index to update)", err=True)
        if not report.ok:
            for problem in report.problems:
                click.echo(f"damaged: {problem}", err=True)
            raise IndexCorrupt(
                f"index {folder} is damaged ({len(report.problems)} problem"
                f"{'s' if len(report.problems) != 1 else ''}); rebuild it with simcheck index"
            )
        click.echo(f"Verified:  OK ({report.files_checked} files match their checksums)")


@cli.command("remove")
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=str))
@click.option(
    "--index",
    "index_dir",
    type=click.Path(path_type=str),
    default=None,
    show_default=_INDEX_DEFAULT,
    help=_INDEX_HELP,
)
@reports_errors
def remove_command(paths: tuple[str, ...], index_dir: str | None) -> None:
    """Remove the scripts indexed from PATHS (files, or folders: everything indexed under them)."""
    from simcheck.errors import UsageError
    from simcheck.index.store import Index

    folder = _index_folder(index_dir)
    summary = Index.open(folder).remove(paths)
    for path in summary.removed:
        click.echo(f"removed {path}")
    for path in summary.not_indexed:
        click.echo(f"not in the index: {path}", err=True)
    if not summary.removed:
        raise UsageError(f"nothing removed: {', '.join(paths)} not in index {folder}")
    click.echo(f"{folder}: {summary.scripts:,} scripts, {summary.passages:,} passages left")

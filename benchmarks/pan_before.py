"""PAN 2013 before and after a change, in one run: the same detector on two versions of simcheck.

``python -m benchmarks.pan --detector align --sample 100 --before main`` exports the ``simcheck`` package
of a git revision (``git archive``) into a temporary folder and runs the detector on the same pairs
twice, at the same time: once with the working tree's ``simcheck`` (system ``simcheck``), once with the
exported one (system ``before``). Both run as worker processes started the same way (``python -c``
with the chosen ``simcheck`` first on ``sys.path``), side by side, so that both see the same machine
load; each records its seconds per pair. The official evaluator then scores both, as any other system.
"""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
import tarfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]

# The worker: ``simcheck`` from the given folder, the benchmarks from this tree.
_WORKER = (
    "import sys; sys.path[:0] = [{package!r}, {root!r}]; "
    "from benchmarks.pan_before import worker_main; worker_main({jobs!r})"
)


def export_revision(revision: str, folder: Path) -> Path:
    """The ``simcheck`` package of a git revision, unpacked under ``folder`` (returned)."""
    proc = subprocess.run(
        ["git", "-C", str(ROOT), "archive", "--format=tar", revision, "simcheck"],
        capture_output=True,
        check=False,
    )
    if proc.returncode != 0:
        raise RuntimeError(f"git archive {revision} failed: {proc.stderr.decode(errors='replace').strip()}")
    folder.mkdir(parents=True, exist_ok=True)
    with tarfile.open(fileobj=io.BytesIO(proc.stdout)) as archive:
        archive.extractall(folder, filter="data")
    return folder


def commit_of(revision: str) -> str:
    proc = subprocess.run(
        ["git", "-C", str(ROOT), "rev-parse", "--short", revision],
        capture_output=True,
        text=True,
        check=False,
    )
    return proc.stdout.strip() or revision


def run_systems(
    systems: dict[str, Path],
    detector: str,
    jobs: Sequence[tuple[str, str, str]],
    out: Path,
    workers: int,
    threads: int,
) -> dict[str, dict[str, Any]]:
    """Run ``jobs`` ((part, susp, src) triples) for every system at once, ``workers`` processes each.

    ``systems`` maps a system name to the folder its ``simcheck`` package is imported from. Detections
    go to ``out/<name>/<part>/`` (and ``out/<name>_lexical/<part>/`` for the simcheck detector);
    returns per system the seconds of each pair (in job order) and the refused pairs.
    """
    procs: list[tuple[str, Path, subprocess.Popen[str]]] = []
    for name, package in systems.items():
        for w in range(workers):
            chunk = [list(job) for job in jobs[w::workers]]
            if not chunk:
                continue
            spec = out / f"{name}.jobs{w}.json"
            result = out / f"{name}.result{w}.json"
            spec.write_text(
                json.dumps(
                    {
                        "detector": detector,
                        "jobs": chunk,
                        "out": str(out / name),
                        "result": str(result),
                        "threads": threads,
                    }
                ),
                encoding="utf-8",
            )
            code = _WORKER.format(package=str(package), root=str(ROOT), jobs=str(spec))
            env = dict(os.environ, PYTHONHASHSEED="0")
            procs.append(
                (name, result, subprocess.Popen([sys.executable, "-c", code], env=env, text=True, cwd=ROOT))
            )
    found: dict[str, dict[str, Any]] = {name: {"seconds": [], "refused": []} for name in systems}
    for name, result, proc in procs:
        if proc.wait() != 0:
            raise RuntimeError(f"PAN worker for {name} failed with status {proc.returncode}")
        data = json.loads(result.read_text(encoding="utf-8"))
        found[name]["seconds"].extend(data["seconds"])
        found[name]["refused"].extend(data["refused"])
    return found


def worker_main(spec_path: str) -> None:
    """One worker process: detect every job of the spec file, write the detections and the timings."""
    from benchmarks import pan

    spec = json.loads(Path(spec_path).read_text(encoding="utf-8"))
    detector = spec["detector"]
    pan._init_worker(detector, int(spec["threads"]))
    out = Path(spec["out"])
    seconds: list[float] = []
    refused: list[str] = []
    for part, susp, src in spec["jobs"]:
        found, took, error = pan._detect_pair((detector, susp, src))
        if error is not None:
            refused.append(f"{part} {susp} {src}: {error}")
        for system, dets in found.items():
            suffix = "" if system == "simcheck" else system.removeprefix("simcheck")
            folder = Path(f"{out}{suffix}") / part
            folder.mkdir(parents=True, exist_ok=True)
            pan.write_detections(folder, susp, src, dets)
        seconds.append(took)
    Path(spec["result"]).write_text(json.dumps({"seconds": seconds, "refused": refused}), encoding="utf-8")

"""Calibration at scale: time and peak memory of measuring an index's calibration, before and after.

``python -m benchmarks calibration --cache-dir DIR --baseline TREE`` (``TREE``: a checkout of the code
to compare with, e.g. ``git worktree add /tmp/simcheck-main main``). Every index is derived from the
index of the shared corpus (built once with the real model and cached; the derived ones reuse its
vectors, so next to nothing is embedded again). Each measurement runs in a fresh process, under a
memory cap and a time limit, and reports its own wall time and peak RSS; "before" runs the baseline
tree's ``simcheck.calibration.measure`` on the same index, "after" this tree's.

Cases:
- **corpus**: the 83 scripts of ``../shared/corpus`` (51,391 passages);
- **registry**: the same passages cut into ~1,000 scripts of ~50 passages (``corpora.split_corpus``);
- **one line**: 19 corpus plays and a file of one 2 MB line (4,167 identical passages);
- **tiny 30 / tiny 300**: scripts of one scene written from the same ten words (``corpora.tiny_scripts``);
- **update**: the registry with one script more, brought up to date from the registry's calibration,
  against a full measurement of it, in one process; how far apart the two are (words of evidence a
  low/medium/high match needs) next to how far apart two full measurements drawn with other seeds are
  (the sampling noise).
"""

from __future__ import annotations

import json
import math
import os
import resource
import shutil
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from benchmarks.context import Context
from benchmarks.corpora import derive_index, repeated_line_file, split_corpus, tiny_scripts
from benchmarks.results import table

MEMORY_CAP = 8 << 30  # address space of a measuring process (the issue saw 18.5 GB on the one-line file)
TIME_LIMIT = 900  # seconds for one measurement
SHORT_LIMIT = {"tiny 300": 300}  # the issue measured 10 minutes before: stopped sooner, said so
QUICK_TIME_LIMIT = 120
REGISTRY_PASSAGES = 52  # passages per piece: the corpus cut into ~1,000 scripts
LINE_COMPANIONS = 19  # corpus plays indexed with the one-line file

# Runs in a fresh process with the tree under test first on sys.path: prints one JSON line.
MEASURE = """
import json, sys, time
from simcheck.calibration import measure
from simcheck.index import Index
from simcheck.settings import CompareSettings
def hwm():  # peak RSS of this process in MB (VmHWM starts afresh at exec, unlike ru_maxrss)
    for line in open("/proc/self/status"):
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
index = Index.open(sys.argv[1])
index.scripts()
before = hwm()
t0 = time.perf_counter()
calibration = measure(index, CompareSettings(), "benchmark")
seconds = time.perf_counter() - t0
print(json.dumps({"seconds": seconds, "rss_mb": hwm(), "rss_open_mb": before,
                  "calibration": calibration.to_dict()}))
"""

UPDATE = """
import json, sys, time
import simcheck.calibration.sample as sample
from simcheck.calibration.background import measure_state
from simcheck.calibration.load import fingerprint, method_key
from simcheck.index import Index
from simcheck.settings import CompareSettings
settings = CompareSettings()
def run(index, previous=None):
    t0 = time.perf_counter()
    key, method = fingerprint(index, settings), method_key(index, settings)
    result = measure_state(index, settings, key, method, previous)
    return result, time.perf_counter() - t0
base, grown = Index.open(sys.argv[1]), Index.open(sys.argv[2])
first, first_s = run(base)
update, update_s = run(grown, first.state)
full, full_s = run(grown)
out = {"base_s": first_s, "update_s": update_s, "full_s": full_s,
       "scenes": len(full.state.scenes), "passages": len(full.state.passages),
       "scenes_measured": update.scenes_measured, "passages_measured": update.passages_measured,
       "update": update.calibration.to_dict(), "full": full.calibration.to_dict(), "seeds": []}
for salt in sys.argv[3:]:
    sample._SALT = salt.encode("ascii")
    out["seeds"].append(run(grown)[0].calibration.to_dict())
print(json.dumps(out))
"""


def _limit_memory() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY_CAP, MEMORY_CAP))


def _child(tree: Path, code: str, args: list[str], limit: int) -> dict[str, Any]:
    """Run ``code`` with ``tree`` first on the path; its JSON, or what stopped it."""
    env = dict(os.environ, PYTHONPATH=str(tree), HF_HUB_OFFLINE="1", TOKENIZERS_PARALLELISM="false")
    started = time.perf_counter()
    try:
        done = subprocess.run(
            [sys.executable, "-c", code, *args],
            capture_output=True,
            text=True,
            env=env,
            timeout=limit,
            preexec_fn=_limit_memory,
            cwd=str(tree),
        )
    except subprocess.TimeoutExpired:
        return {"failed": f"> {limit} s (stopped)", "seconds": time.perf_counter() - started}
    if done.returncode != 0:
        memory = "MemoryError" in done.stderr or "Unable to allocate" in done.stderr
        why = f"out of memory (cap {MEMORY_CAP >> 30} GB)" if memory else done.stderr.strip()[-300:]
        return {"failed": why, "seconds": time.perf_counter() - started}
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def _ready(folder: Path) -> bool:
    return (folder / ".complete").exists()


def _done(folder: Path) -> Path:
    (folder / ".complete").write_text("ok\n", encoding="utf-8")
    return folder


def _indexes(ctx: Context, corpus: Path) -> dict[str, Path]:
    """The derived indexes, built once per cache (see the module docstring)."""
    from simcheck.index import Index
    from simcheck.settings import IndexSettings

    root = corpus.parent / f"calibration-{corpus.name}"
    root.mkdir(parents=True, exist_ok=True)
    files = list(ctx.get_plan().references)
    out = {"corpus": corpus}
    pieces = split_corpus(files, root / "pieces", REGISTRY_PASSAGES)
    registry = root / "registry"
    if not _ready(registry):
        ctx.progress(f"calibration: deriving the registry index ({len(pieces)} scripts)")
        _done(derive_index(corpus, registry, pieces[:-1], [str(p) for p in files]))
    out["registry"] = registry
    grown = root / "registry-plus-one"
    if not _ready(grown):
        _done(derive_index(registry, grown, pieces[-1:], []))
    out["registry+1"] = grown
    line = root / "one-line"
    if not _ready(line):
        ctx.progress("calibration: deriving the one-line index")
        plays = [p for p in files if "/plays/gutenberg/" in str(p)][:LINE_COMPANIONS]
        text = repeated_line_file(root / "one-line.fountain")
        _done(derive_index(corpus, line, [text], [str(p) for p in files if p not in plays]))
    out["one line"] = line
    for count in (30, 300):
        folder = root / f"tiny{count}"
        if not _ready(folder):
            ctx.progress(f"calibration: indexing {count} tiny scripts")
            if folder.exists():
                shutil.rmtree(folder)
            index = Index.create(folder, IndexSettings(), embedder=ctx.embedder())
            index.add([str(p) for p in tiny_scripts(root / f"tiny{count}-files", count)])
            index.close()
            _done(folder)
        out[f"tiny {count}"] = folder
    return out


def _words_for(values: list[float], kind: str) -> list[float]:
    """Words of evidence that make a low, medium and high match under one measure's null."""
    from simcheck.match.rarity import EvidenceNull

    null = EvidenceNull.of(values, values, values)
    tail = null.lexical if kind == "lexical" else null.semantic
    out = []
    for rarity in (2.0, 4.0, 6.0):
        lo, hi = 0.0, 10_000.0
        for _ in range(60):
            mid = (lo + hi) / 2
            lo, hi = (lo, mid) if tail.rarity(mid) - math.log10(3.0) >= rarity else (mid, hi)
        out.append(round(hi, 1))
    return out


def _thresholds(calibration: dict[str, Any]) -> dict[str, list[float]]:
    evidence = calibration["evidence"]
    return {kind: _words_for(evidence[kind], kind) for kind in ("lexical", "semantic", "combined")}


def _info(path: Path) -> tuple[int, int]:
    manifest = json.loads((path / "manifest.json").read_text(encoding="utf-8"))
    return int(manifest["counts"]["scripts"]), int(manifest["counts"]["passages"])


def _cell(result: dict[str, Any] | None, key: str) -> str:
    if result is None:
        return "-"
    if "failed" in result:
        return str(result["failed"]) if key == "seconds" else "-"
    return f"{result[key]:.1f}" if key == "seconds" else f"{result[key]:.0f}"


def run(context: Context, quick: bool = False, baseline: Path | None = None) -> dict[str, Any]:
    ctx = context
    limit = QUICK_TIME_LIMIT if quick else TIME_LIMIT
    here = Path(__file__).resolve().parents[1]
    indexes = _indexes(ctx, ctx.reference_index())
    cases = ["corpus", "registry", "one line", "tiny 30", "tiny 300"]
    rows: list[list[Any]] = []
    data: dict[str, Any] = {"cases": {}, "baseline": str(baseline) if baseline else None}
    for case in cases:
        path = indexes[case]
        ctx.progress(f"calibration: {case}")
        after = _child(here, MEASURE, [str(path)], limit)
        cap = min(limit, SHORT_LIMIT.get(case, limit))
        before = _child(baseline, MEASURE, [str(path)], cap) if baseline is not None else None
        scripts, passages = _info(path)
        ratio = "-"
        if before is not None and "failed" not in before and "failed" not in after:
            ratio = f"{before['seconds'] / after['seconds']:.1f}x"
        rows.append(
            [
                case,
                f"{scripts:,}",
                f"{passages:,}",
                _cell(before, "seconds"),
                _cell(after, "seconds"),
                ratio,
                _cell(before, "rss_mb"),
                _cell(after, "rss_mb"),
            ]
        )
        data["cases"][case] = {
            "scripts": scripts,
            "passages": passages,
            "before": {k: v for k, v in (before or {}).items() if k != "calibration"},
            "after": {k: v for k, v in after.items() if k != "calibration"},
            "after_thresholds": _thresholds(after["calibration"]) if "calibration" in after else None,
            "before_thresholds": _thresholds(before["calibration"])
            if before is not None and "calibration" in before
            else None,
        }
    ctx.progress("calibration: update after adding one script")
    update = _child(
        here, UPDATE, [str(indexes["registry"]), str(indexes["registry+1"]), "seed-a", "seed-b"], limit * 3
    )
    data["update"] = {k: v for k, v in update.items() if k not in ("update", "full", "seeds")}
    md = _markdown(rows, update, data)
    headline = _headline(data, update)
    return {
        "title": "Calibration: time and memory at scale, updates",
        "markdown": md,
        "data": data,
        "headline": headline,
    }


def _markdown(rows: list[list[Any]], update: dict[str, Any], data: dict[str, Any]) -> str:
    header = ["case", "scripts", "passages", "before s", "after s", "speed-up", "before MB", "after MB"]
    md = (
        "Calibration measured from scratch on each index, in a fresh process (peak RSS of that process, "
        f"address space capped at {MEMORY_CAP >> 30} GB; time limit per measurement). Before: "
        f"`{data['baseline']}`; after: this tree.\n\n" + table(header, rows, align="lrrrrrrr")
    )
    if "failed" in update:
        return md + f"\n\nUpdate after adding one script: failed ({update['failed']})."
    mine, full = _thresholds(update["update"]), _thresholds(update["full"])
    seeds = [_thresholds(s) for s in update["seeds"]]
    rows2 = []
    for kind in ("lexical", "semantic", "combined"):
        rows2.append(
            [kind, " / ".join(map(str, mine[kind])), " / ".join(map(str, full[kind]))]
            + [" / ".join(map(str, s[kind])) for s in seeds]
        )
    header2 = [
        "words for low / medium / high",
        "update",
        "full",
        *[f"full, seed {i + 1}" for i in range(len(seeds))],
    ]
    return (
        md
        + "\n\n"
        + (
            f"Adding one script to the registry ({_fmt(update['base_s'])} s to measure it first): the "
            f"update took {_fmt(update['update_s'])} s, measuring {update['scenes_measured']} of "
            f"{update['scenes']} scene samples and {update['passages_measured']} of {update['passages']} "
            f"passage samples; a full measurement of the same index {_fmt(update['full_s'])} s "
            f"({update['full_s'] / max(update['update_s'], 1e-9):.0f}x). What they give, next to full "
            "measurements drawn with two other seeds (the sampling noise):\n\n"
        )
        + table(header2, rows2, align="l" + "r" * (len(header2) - 1))
    )


def _fmt(seconds: float) -> str:
    return f"{seconds:.1f}"


def _headline(data: dict[str, Any], update: dict[str, Any]) -> list[str]:
    out = []
    for case in ("corpus", "registry", "one line", "tiny 300"):
        entry = data["cases"].get(case, {})
        after, before = entry.get("after", {}), entry.get("before", {})
        if "seconds" in after and "failed" not in after:
            was = before.get("failed") or (f"{before['seconds']:.0f} s" if "seconds" in before else "?")
            out.append(
                f"calibration, {case} ({entry['scripts']:,} scripts): {after['seconds']:.1f} s and "
                f"{after['rss_mb']:.0f} MB peak (before: {was})"
            )
    if "update_s" in update:
        out.append(
            f"calibration update after adding 1 script to {data['cases']['registry']['scripts']:,}: "
            f"{update['update_s']:.1f} s against {update['full_s']:.1f} s for a full measurement"
        )
    return out

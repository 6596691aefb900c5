"""Speed: parse throughput, compare latency for a feature-length draft, compare time vs index size.

- ``parse``: ``simcheck.read.read_script`` over every script of ``../shared/corpus``; MB/s from the
  median of several runs (target: the whole corpus in under 10 s on 2 cores).
- ``compare_latency``: ``simcheck compare DRAFT --index <whole corpus> --format json`` run as a fresh
  process (end to end: Python start, imports, model load, index open, embedding the draft, search,
  alignment, scoring, writing the report; target under 15 s), median of several runs; plus the same
  comparison in-process with the model already loaded, to show where the time goes. Two drafts of
  feature length: one *original* (not in the index: Schiller's Wilhelm Tell, Martin translation, from
  ``dev/translations``, not part of the corpus) and one *copied* (a corpus play against an index that
  holds it, so every scene matches and every match is aligned: the worst case).
- ``compare_scale``: how compare time grows with the index size, from the synthetic indexes of
  ``benchmarks.scale`` (the INDEX helper's module), when it offers them.
"""

from __future__ import annotations

import json
import re
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from benchmarks.context import CORPUS, TRANSLATIONS, Context, corpus_files, env_for_subprocess, rel
from benchmarks.results import table

PARSE_TARGET_S = 10.0
COMPARE_TARGET_S = 15.0
ORIGINAL_DRAFT = TRANSLATIONS / "schiller_wilhelm-tell__same-translator" / "wilhelm-tell-martin.fountain"
COPIED_DRAFT = CORPUS / "plays" / "shakespeare" / "hamlet.fountain"
QUICK_ORIGINAL = CORPUS / "screenplays" / "pulpit-fire.fountain"  # not among the quick references
QUICK_COPIED = CORPUS / "plays" / "gutenberg" / "the-bear.fountain"  # among them

_WORD = re.compile(r"\w+(?:['\u2019]\w+)*")


def estimate_pages(text: str) -> float:
    """Screenplay pages, estimated: dialogue wraps at 35 characters, action at 61, 55 lines a page."""
    lines = 0
    for block in re.split(r"\n\s*\n", text):
        rows = [r for r in block.split("\n") if r.strip()]
        if not rows:
            continue
        is_speech = (
            len(rows) > 1 and rows[0].strip() == rows[0].strip().upper() and any(c.isalpha() for c in rows[0])
        )
        width = 35 if is_speech else 61
        body = rows[1:] if is_speech else rows
        lines += (1 if is_speech else 0) + sum(max(1, -(-len(r) // width)) for r in body) + 1
    return lines / 55


def _median(values: list[float]) -> float:
    return statistics.median(values) if values else float("nan")


def parse(ctx: Context) -> dict[str, Any]:
    from simcheck.read import read_script

    files = corpus_files()
    total_bytes = sum(p.stat().st_size for p in files)
    runs = ctx.runs or (2 if ctx.quick else 5)
    times: list[float] = []
    scenes = elements = 0
    for run in range(runs):
        t0 = time.perf_counter()
        scripts = [read_script(p) for p in files]
        times.append(time.perf_counter() - t0)
        if run == 0:
            scenes = sum(len(s.scenes) for s in scripts)
            elements = sum(len(sc.elements) for s in scripts for sc in s.scenes)
        ctx.progress(f"parse run {run + 1}/{runs}: {times[-1]:.2f} s")
    med = _median(times)
    mb = total_bytes / 1e6
    data = {
        "files": len(files),
        "bytes": total_bytes,
        "scenes": scenes,
        "elements": elements,
        "runs": runs,
        "seconds": times,
        "median_s": med,
        "mb_per_s": mb / med,
        "target_s": PARSE_TARGET_S,
        "meets_target": med < PARSE_TARGET_S,
    }
    md = table(
        [
            "scripts",
            "MB",
            "scenes",
            "elements",
            "runs",
            "median s",
            "min-max s",
            "MB/s",
            f"target < {PARSE_TARGET_S:.0f} s",
        ],
        [
            [
                len(files),
                round(mb, 2),
                scenes,
                elements,
                runs,
                round(med, 2),
                f"{min(times):.2f}-{max(times):.2f}",
                round(mb / med, 2),
                "met" if med < PARSE_TARGET_S else "MISSED",
            ]
        ],
    )
    md = (
        "`read_script` on every file of `../shared/corpus` (Fountain), one process, sequential. "
        f"Median of {runs} runs.\n\n" + md
    )
    return {
        "title": "Parse throughput",
        "markdown": md,
        "data": data,
        "headline": [
            f"parse: whole corpus ({mb:.1f} MB, {len(files)} scripts) in {med:.2f} s = {mb / med:.1f} MB/s "
            f"(median of {runs}; target < {PARSE_TARGET_S:.0f} s)"
        ],
    }


def _cli_compare(draft: Path, index: Path, out: Path) -> tuple[float, int, str]:
    cmd = [
        sys.executable,
        "-m",
        "simcheck",
        "compare",
        str(draft),
        "--index",
        str(index),
        "--format",
        "json",
        "-o",
        str(out),
        "--fail-on",
        "high",
    ]
    t0 = time.perf_counter()
    proc = subprocess.run(cmd, capture_output=True, text=True, env=env_for_subprocess(), check=False)
    return time.perf_counter() - t0, proc.returncode, proc.stderr.strip()[-400:]


def _retitled(path: Path, folder: Path) -> Path:
    """A copy of a Fountain script with its title page replaced (so its bytes differ)."""
    text = path.read_text(encoding="utf-8")
    body = text[text.index("\n.") + 1 :] if "\n." in text else text
    out = folder / f"draft-{path.name}"
    out.write_text("Title: Working draft\nAuthor: Benchmark\n\n" + body, encoding="utf-8")
    return out


FEATURE_PAGES = 120  # a feature-length screenplay


def _first_pages(path: Path, folder: Path, pages: int) -> Path:
    """The script's first scenes, as many as fit in ``pages`` estimated pages (at least one scene)."""
    from simcheck.read import read_script

    text = path.read_text(encoding="utf-8")
    script = read_script(path)
    end = script.scenes[0].end
    for scene in script.scenes[1:]:
        if estimate_pages(text[: scene.end]) > pages:
            break
        end = scene.end
    out = folder / f"first-{pages}-pages-{path.name}"
    out.write_text(text[:end], encoding="utf-8")
    return out


def _derived(label: str) -> str:
    """How the file that was compared differs from the corpus file named in the table."""
    notes = []
    if label.startswith("copied"):
        notes.append("retitled copy")
    if "120 pages" in label:
        notes.append("its first scenes up to ~120 pages")
    return f" ({', '.join(notes)})" if notes else ""


def compare_latency(ctx: Context) -> dict[str, Any]:
    from simcheck.compare import compare
    from simcheck.read import read_script
    from simcheck.settings import IndexSettings
    from simcheck.text.passages import make_passages

    index = ctx.reference_index()
    if ctx.quick:
        drafts = [("original (not indexed)", QUICK_ORIGINAL), ("copied (indexed play)", QUICK_COPIED)]
    else:
        drafts = [
            ("original, first 120 pages (not indexed)", ORIGINAL_DRAFT),
            ("original, whole play (not indexed)", ORIGINAL_DRAFT),
            ("copied, first 120 pages (indexed play)", COPIED_DRAFT),
        ]
    runs = ctx.runs or (1 if ctx.quick else 3)
    info = ctx.open_index(index)
    # The first compare after (re)indexing measures the calibration and caches it in the index: do it
    # here, timed on its own, so that the runs below are what every later compare pays.
    calibration_s, was_cached = ctx.calibrate(info, measure=True)
    n_passages = int(info.n_passages)
    n_scripts = len(info.scripts())
    embedder = ctx.embedder()
    rows: list[list[Any]] = []
    data: dict[str, Any] = {
        "index": {"scripts": n_scripts, "passages": n_passages},
        "calibration_s": calibration_s,
        "calibration_was_cached": was_cached,
        "runs": runs,
        "drafts": [],
    }
    headline: list[str] = []
    tmp = Path(tempfile.mkdtemp(dir=ctx.workdir))
    # simcheck does not compare a draft with its own indexed copy (same bytes): the "copied" draft is
    # the indexed play under a new title page, every scene unchanged.
    runs_on = []
    for label, draft in drafts:
        run_on = _retitled(draft, tmp) if label.startswith("copied") else draft
        if "120 pages" in label:
            run_on = _first_pages(run_on, tmp, FEATURE_PAGES)
        runs_on.append((label, run_on, draft))
    for label, draft, shown in runs_on:
        text = draft.read_text(encoding="utf-8")
        script = read_script(draft)
        passages = len(make_passages(script, IndexSettings()))
        words = len(_WORD.findall(text))
        pages = estimate_pages(text)
        e2e: list[float] = []
        errors: list[str] = []
        for run in range(runs):
            seconds, code, err = _cli_compare(draft, index, tmp / f"report-{run}.json")
            if code not in (0, 3):
                errors.append(f"exit {code}: {err}")
            e2e.append(seconds)
            ctx.progress(f"compare latency {label} run {run + 1}/{runs}: {seconds:.1f} s (exit {code})")
        warm: list[float] = []
        report: dict[str, Any] = {}
        for _ in range(runs):
            t0 = time.perf_counter()
            report = compare(str(draft), index=info, embedder=embedder).to_dict()
            warm.append(time.perf_counter() - t0)
        t0 = time.perf_counter()
        embedder.embed([p.text for p in make_passages(script, IndexSettings())])
        embed_s = time.perf_counter() - t0
        entry = {
            "label": label,
            "draft": rel(shown) + _derived(label),
            "words": words,
            "pages_estimated": round(pages),
            "scenes": len(script.scenes),
            "passages": passages,
            "end_to_end_s": e2e,
            "in_process_s": warm,
            "embed_draft_s": embed_s,
            "matches": len(report.get("matches", [])),
            "errors": errors,
        }
        data["drafts"].append(entry)
        med = _median(e2e)
        rows.append(
            [
                label,
                rel(shown) + _derived(label),
                words,
                round(pages),
                len(script.scenes),
                passages,
                entry["matches"],
                round(med, 1),
                round(_median(warm), 1),
                round(embed_s, 1),
                ("met" if med < COMPARE_TARGET_S else "MISSED")
                if not errors
                else "FAILED: " + errors[0][:80],
            ]
        )
        headline.append(
            f"compare latency, {label} feature draft (~{round(pages)} pages, {words} words) vs "
            f"{n_scripts}-script index ({n_passages} passages): {med:.1f} s end to end "
            f"(median of {runs}; target < {COMPARE_TARGET_S:.0f} s)"
        )
    header = [
        "draft",
        "file",
        "words",
        "pages (est.)",
        "scenes",
        "passages",
        "matches",
        "end to end s",
        "in-process s (model loaded)",
        "embed draft s",
        f"target < {COMPARE_TARGET_S:.0f} s",
    ]
    md = (
        f"Index: {n_scripts} scripts, {n_passages} passages "
        f"({'quick set' if ctx.quick else 'the whole shared corpus'}). "
        "End to end = `python -m simcheck compare DRAFT --index IDX --format json -o report.json` as a fresh "
        "process (imports, model load, index open, embedding, search, alignment, scoring, report). "
        f"In-process = `simcheck.compare.compare()` with the model already loaded. Medians of {runs} runs. "
        "Not included: the calibration (`simcheck.calibration.load`), measured on the index once per index "
        "change, at the end of `simcheck index` (or by the first compare after `Index.add` in Python): "
        f"{calibration_s:.1f} s on this index"
        + (" (it was already cached: this is the cache read)" if was_cached else "")
        + ". "
        "'embed draft' = the draft's passages embedded alone (the floor for any semantic comparison). "
        "Pages are "
        "estimated (dialogue 35 / action 61 characters a line, 55 lines a page).\n\n" + table(header, rows)
    )
    data["model_load_s"] = ctx.timings.get("model_load_s")
    return {
        "title": "Compare latency (feature-length draft)",
        "markdown": md,
        "data": data,
        "headline": headline,
    }


def compare_scale(ctx: Context) -> dict[str, Any]:
    """Compare time vs index size, using the synthetic indexes of ``benchmarks.scale`` if it offers them."""
    try:
        import importlib

        scale = importlib.import_module("benchmarks.scale")
    except ModuleNotFoundError:
        return _pending("benchmarks/scale.py is not there yet")
    builder = getattr(scale, "build_synthetic_index", None)
    if builder is None:
        return _pending("benchmarks.scale has no build_synthetic_index(path, n) yet")
    return _compare_scale_with(ctx, builder)


def _pending(reason: str) -> dict[str, Any]:
    return {
        "title": "Compare time vs index size",
        "markdown": f"Not measured: {reason}.",
        "data": {"pending": reason},
    }


_SCALE_PROBE = r"""
import json, sys, time
def peak_mib():
    # VmHWM, not ru_maxrss: on Linux a child's ru_maxrss starts at its parent's size at fork (a probe
    # started by a 7 GB benchmark process reported 7 GB whatever it did itself)
    with open("/proc/self/status") as f:
        return next(int(line.split()[1]) / 1024 for line in f if line.startswith("VmHWM:"))
path, draft, runs = sys.argv[1], sys.argv[2], int(sys.argv[3])
out = {}
t0 = time.perf_counter()
from simcheck.embed import load_embedder
from simcheck.index import Index
from simcheck.calibration import load_calibration
from simcheck.compare import compare
from simcheck.settings import CompareSettings
embedder = load_embedder("all-MiniLM-L6-v2")
out["model_load_s"] = time.perf_counter() - t0
t0 = time.perf_counter()
index = Index.open(path)
load_calibration(index, CompareSettings())
out["calibration_s"] = time.perf_counter() - t0
print(json.dumps({"partial": out}), flush=True)
index.close()
opens, times = [], []
for _ in range(runs):
    t0 = time.perf_counter()
    index = Index.open(path)
    opens.append(time.perf_counter() - t0)
    t0 = time.perf_counter()
    report = compare(draft, index=index, embedder=embedder)
    times.append(time.perf_counter() - t0)
    index.close()
out.update(open_s=opens, compare_s=times, matches=len(report.matches),
           rss_mib=peak_mib())
print(json.dumps(out), flush=True)
"""
SCALE_TIMEOUT_S = 900  # per index size; a size that takes longer is reported as not finished


def _compare_scale_with(ctx: Context, builder: Any) -> dict[str, Any]:
    import shutil

    from simcheck.read import read_script
    from simcheck.settings import IndexSettings
    from simcheck.text.passages import make_passages

    sizes = [10_000, 100_000] if ctx.quick else [10_000, 100_000, 1_000_000]
    draft = QUICK_ORIGINAL if ctx.quick else ORIGINAL_DRAFT
    embedder = ctx.embedder()
    runs = ctx.runs or (1 if ctx.quick else 3)
    timeout = 300 if ctx.quick else SCALE_TIMEOUT_S
    texts = [p.text for p in make_passages(read_script(draft), IndexSettings())]
    embeds: list[float] = []
    for _ in range(runs):
        t0 = time.perf_counter()
        embedder.embed(texts)
        embeds.append(time.perf_counter() - t0)
    embed_s = _median(embeds)
    rows: list[list[Any]] = []
    points: list[dict[str, Any]] = []
    for n in sizes:
        path = ctx.workdir / f"synthetic-{n}"
        t0 = time.perf_counter()
        builder(path, n)
        build_s = time.perf_counter() - t0
        manifest = json.loads((path / "manifest.json").read_text(encoding="utf-8"))
        faiss = manifest.get("faiss") or (manifest.get("segments") or [{}])[0].get("faiss", "?")
        faiss_type = faiss.get("type", str(faiss)) if isinstance(faiss, dict) else str(faiss)
        point: dict[str, Any] = {
            "passages": n,
            "faiss": faiss_type,
            "build_s": build_s,
            "embed_draft_s": embed_s,
        }
        cmd = [sys.executable, "-c", _SCALE_PROBE, str(path), str(draft), str(runs)]
        try:
            proc = subprocess.run(
                cmd, capture_output=True, text=True, env=env_for_subprocess(), timeout=timeout, check=False
            )
            lines = [ln for ln in proc.stdout.splitlines() if ln.startswith("{")]
            if proc.returncode != 0 or not lines:
                point["error"] = f"exit {proc.returncode}: {proc.stderr.strip()[-300:]}"
            else:
                point.update(json.loads(lines[-1]))
        except subprocess.TimeoutExpired as expired:
            out = expired.stdout.decode() if isinstance(expired.stdout, bytes) else (expired.stdout or "")
            partial = [json.loads(ln) for ln in out.splitlines() if ln.startswith("{")]
            if partial:
                point.update(partial[-1].get("partial", {}))
            point["error"] = f"did not finish within {timeout} s"
        shutil.rmtree(path, ignore_errors=True)
        points.append(point)
        if "compare_s" in point:
            med = _median(point["compare_s"])
            rows.append(
                [
                    n,
                    faiss_type,
                    round(build_s, 1),
                    round(point["calibration_s"], 1),
                    round(_median(point["open_s"]), 3),
                    round(med, 2),
                    round(embed_s, 2),
                    round(med - embed_s, 2),
                    round(point["rss_mib"]),
                ]
            )
        else:
            calib = point.get("calibration_s")
            rows.append(
                [
                    n,
                    faiss_type,
                    round(build_s, 1),
                    "-" if calib is None else round(calib, 1),
                    "-",
                    point["error"],
                    round(embed_s, 2),
                    "-",
                    "-",
                ]
            )
        ctx.progress(f"compare scale {n}: {point.get('compare_s', point.get('error'))}")
    done = [p for p in points if "compare_s" in p]
    plots = [_plot_scale(done, ctx.output_dir, ctx.caption)] if done else []
    kind = "a short screenplay" if ctx.quick else "the original feature draft"
    md = (
        f"Draft: {rel(draft)} ({kind}, {len(texts)} passages) compared with synthetic indexes written by "
        "`benchmarks.scale.build_synthetic_index` (the real on-disk format; vectors drawn from a Gaussian "
        "fitted to real embeddings, random MinHash signatures, word-salad texts), in a fresh process per "
        "size (model loaded once in it). 'calibration' = the first compare after (re)indexing measures the "
        "background of unrelated scripts on the index itself and caches it (`simcheck.calibration`), timed "
        "here on its own; then each compare opens the index afresh (OS page cache warm). "
        f"Medians of {runs} runs. 'embedding' = the draft's passages embedded alone; 'rest' = compare minus "
        "embedding (index load, search, alignment, scoring). RSS = peak memory of that process.\n\n"
        + table(
            [
                "passages",
                "FAISS",
                "build s",
                "calibration s (once)",
                "open s",
                "compare s",
                "embedding s",
                "rest s",
                "peak RSS MiB",
            ],
            rows,
        )
    )
    headline = []
    if done:
        first, last = done[0], done[-1]
        headline.append(
            f"compare time vs index size: {_median(first['compare_s']):.1f} s at {first['passages']:,} "
            f"passages, {_median(last['compare_s']):.1f} s at {last['passages']:,} "
            f"(draft embedding alone {embed_s:.1f} s; "
            f"one-off calibration {first['calibration_s']:.0f} s / {last['calibration_s']:.0f} s)"
        )
    return {
        "title": "Compare time vs index size",
        "markdown": md,
        "data": {"points": points, "draft": rel(draft), "draft_passages": len(texts)},
        "plots": plots,
        "headline": headline,
    }


def _plot_scale(points: list[dict[str, Any]], output_dir: Path, caption: str = "") -> str:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    name = "compare_scale.png"
    xs = [p["passages"] for p in points]
    fig, ax = plt.subplots(figsize=(6, 4))
    ax.plot(xs, [_median(p["compare_s"]) for p in points], marker="o", label="compare (model loaded)")
    ax.plot(xs, [p["embed_draft_s"] for p in points], linestyle="--", label="embedding the draft alone")
    ax.plot(xs, [_median(p["open_s"]) for p in points], marker="s", label="open index")
    ax.set_xscale("log")
    ax.set_xlabel("reference passages in the index")
    ax.set_ylabel("seconds (median)")
    ax.set_title("Compare time vs index size (feature-length draft)")
    ax.grid(True, which="both", alpha=0.3)
    ax.legend()
    _stamp(fig, caption)
    fig.savefig(output_dir / name, dpi=110)
    plt.close(fig)
    return name


def plot_index_scale(points: list[dict[str, Any]], output_dir: Path, caption: str = "") -> str | None:
    """The scale curves of ``benchmarks.scale`` (open, search time and memory vs passages), as a PNG."""
    usable = [p for p in points if isinstance(p.get("passages"), int)]
    if not usable:
        return None
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    name = "index_scale.png"
    xs = [p["passages"] for p in usable]
    fig, (ax, mem) = plt.subplots(1, 2, figsize=(10, 4))
    for key, label in (
        ("open_s", "open index"),
        ("semantic_first_s", "first semantic search"),
        ("semantic_s", "semantic search (draft)"),
        ("lexical_s", "LSH lookup (draft)"),
    ):
        values = [p.get(key) for p in usable]
        ys = [max(float(y), 1e-4) for y in values if isinstance(y, int | float)]
        if len(ys) == len(xs):
            ax.plot(xs, ys, marker="o", label=label)
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlabel("passages in the index")
    ax.set_ylabel("seconds")
    ax.set_title("Index open and search time")
    ax.grid(True, which="both", alpha=0.3)
    ax.legend(fontsize=8)
    for key, label in (("rss_open_mib", "RSS after open"), ("rss_after_search_mib", "RSS after search")):
        mib = [float(y) for y in (p.get(key) for p in usable) if isinstance(y, int | float)]
        if len(mib) == len(xs):
            mem.plot(xs, mib, marker="o", label=label)
    mem.set_xscale("log")
    mem.set_xlabel("passages in the index")
    mem.set_ylabel("MiB")
    mem.set_title("Memory of a process that opens and searches")
    mem.grid(True, which="both", alpha=0.3)
    mem.legend(fontsize=8)
    _stamp(fig, caption)
    fig.savefig(output_dir / name, dpi=110)
    plt.close(fig)
    return name


def _stamp(fig: Any, caption: str) -> None:
    """Leave room at the bottom and write the command, machine and date there."""
    if caption:
        fig.tight_layout(rect=(0, 0.07, 1, 1))
        fig.text(0.01, 0.01, caption, fontsize=6, color="0.35", wrap=True)
    else:
        fig.tight_layout()

"""``python -m benchmarks quality|speed|all|PART... [--quick] [--sample N]``: run, then write RESULTS.md.

Parts (run in this order):
  quality: planted, translations, innocent, pan, calibration_quality, story
  speed:   parse, index_speed, compare_latency, scale, compare_scale, report_render, calibration
``all`` runs both groups. A full run updates the named sections of ``benchmarks/results.json`` and
re-renders ``benchmarks/RESULTS.md`` (sections not run keep their earlier numbers, command and date).
A ``--quick`` run (small samples, for checking the suite) never touches the published files: it writes
to ``--output`` if given, else a temporary folder, and prints the tables.

``python -m benchmarks import-gpu FILE`` stores the JSON written by ``benchmarks/gpu_embed.py`` (run on
a GPU machine from a bundle; see that script) as the GPU section, with the projection for 10,000 scripts.

The run re-executes itself with ``PYTHONHASHSEED=0`` so that copydetect (which hashes with Python's
salted ``hash()``) gives the same numbers every time.
"""

from __future__ import annotations

import argparse
import inspect
import json
import multiprocessing
import os
import shutil
import sys
import tempfile
import time
import traceback
from collections.abc import Callable
from pathlib import Path
from typing import Any

from benchmarks import results
from benchmarks.context import SEED, Context, log

QUALITY = ("planted", "translations", "innocent", "pan", "calibration_quality", "story")
SPEED = ("parse", "index_speed", "compare_latency", "scale", "compare_scale", "report_render", "calibration")
QUICK_PAN_SAMPLE = 2  # PAN pairs per part in a --quick run (unless --sample says otherwise)
GROUPS = {"quality": QUALITY, "speed": SPEED, "all": QUALITY + SPEED}
# Parts written by other modules: module name -> what RESULTS.md calls them if they are missing.
EXTERNAL = {
    "pan": ("benchmarks.pan", "PAN 2013 text alignment"),
    "index_speed": ("benchmarks.index_speed", "Index throughput, re-index, size"),
    "scale": ("benchmarks.scale", "Index scale: open, search, memory from 10^4 to 10^6 passages"),
    "calibration": ("benchmarks.calibration_scale", "Calibration: time and memory at scale, updates"),
    "calibration_quality": ("benchmarks.calibration_quality", "Calibration: detection quality before/after"),
    "story": ("benchmarks.story", "Story: retold plots found"),
}


def _internal(name: str) -> Callable[[Context], dict[str, Any]]:
    if name in ("planted", "translations", "innocent"):
        from benchmarks import quality

        return getattr(quality, name)
    if name == "report_render":
        from benchmarks import render_speed

        return render_speed.report_render
    from benchmarks import speed

    return getattr(speed, name)


def _call_external(name: str, ctx: Context) -> dict[str, Any]:
    module_name, title = EXTERNAL[name]
    try:
        module = __import__(module_name, fromlist=["run"])
    except ModuleNotFoundError as error:
        if error.name == module_name:
            return {
                "title": title,
                "markdown": f"Not measured: `{module_name}` is not there yet.",
                "data": {"pending": True},
            }
        raise
    run = module.run
    offered: dict[str, Any] = {
        "quick": ctx.quick,
        "sample": ctx.sample if ctx.sample is not None or not ctx.quick else QUICK_PAN_SAMPLE,
        "runs": ctx.runs,
        "progress": ctx.progress,
        "workdir": ctx.workdir,
        "context": ctx,
        "seed": ctx.seed,
        "output_dir": ctx.output_dir,
        "baseline": ctx.baseline,
    }
    params = inspect.signature(run).parameters
    accepts_all = any(p.kind is inspect.Parameter.VAR_KEYWORD for p in params.values())
    kwargs = {k: v for k, v in offered.items() if accepts_all or k in params}
    if "quick" not in kwargs:
        return run(ctx.quick, **kwargs)
    return run(**kwargs)


def run_part(name: str, ctx: Context) -> dict[str, Any]:
    if name not in EXTERNAL:
        return _internal(name)(ctx)
    result = _call_external(name, ctx)
    data = result.get("data")
    if name == "scale" and not result.get("plots") and isinstance(data, dict) and data.get("points"):
        from benchmarks.speed import plot_index_scale

        plot = plot_index_scale(list(data["points"]), ctx.output_dir, ctx.caption)
        if plot:
            result["plots"] = [plot]
    return result


def _section(
    key: str, result: dict[str, Any], command: str, machine: dict[str, Any], quick: bool
) -> results.Section:
    title = str(result.get("title", key))
    if quick:
        title += " (quick run: small sample, not the published numbers)"
    return results.Section(
        key=key,
        title=title,
        markdown=str(result.get("markdown", "")),
        command=command,
        date=results.now(),
        machine=machine,
        data=result.get("data", {}) or {},
        headline=tuple(result.get("headline", ()) or ()),
        plots=tuple(result.get("plots", ()) or ()),
    )


def _current_embed_defaults() -> dict[str, Any]:
    """simcheck's pipeline defaults for a CUDA GPU now (to say which ones changed since a GPU run)."""
    from simcheck import settings

    return {
        "token_budget": settings.EMBED_TOKEN_BUDGET_CUDA,
        "chunk_texts": settings.EMBED_CHUNK_TEXTS_CUDA,
        "tokenizer_threads": settings.EMBED_TOKENIZER_THREADS_CUDA,
        "bf16_min_cosine": settings.EMBED_BF16_MIN_COSINE,
    }


def _import_gpu(path: Path, output: Path) -> int:
    data = json.loads(path.read_text(encoding="utf-8"))
    sections = results.load(output / "results.json")
    machine = dict(data.get("machine", {}))
    machine.setdefault("gpu", data.get("gpu_name"))
    machine.setdefault("simcheck", data.get("simcheck_version", "bundle"))
    machine.setdefault("commit", data.get("bundle_commit", "not recorded"))
    if data.get("schema") == "simcheck-gpu-embed/2":
        defaults = _current_embed_defaults()
        projection = results.gpu_projection(data, defaults["tokenizer_threads"])
        data = {**data, "projection": projection}
        md = results.gpu_markdown(data, defaults)
        variants = data.get("variants", {})
        best = variants.get("pipeline_bfloat16") or variants.get("pipeline_float32") or {}
        embed_row = next((r for r in projection["rows"] if r["stage"].startswith("embedding")), None)
        headline = [
            f"embedding on {data.get('gpu_name')}, end to end: "
            f"{best.get('passages_per_s', 0):,.0f} passages/s "
            f"(pipeline, {data.get('auto', {}).get('precision', 'float32')}, as run; "
            f"{best.get('speedup_vs_today', 0)}x the batch-32 path)"
            + (
                f", {embed_row['rate']:,.0f}/s with {defaults['tokenizer_threads']} tokenizer threads"
                if embed_row
                else ""
            )
            + f"; target {results.GPU_TARGET_PASSAGES_PER_S:,}/s; the model alone "
            f"{data.get('model_only', {}).get('bfloat16', {}).get('unique_passages_per_s', 0):,.0f}/s"
        ]
        if projection["serial_s"] is not None:
            headline.append(
                f"projection, {projection['scripts']:,} feature scripts on one 16-core GPU machine: "
                f"{projection['serial_s'] / 60:.1f} min for read, passages, MinHash and embedding "
                f"(target < {projection['target_s'] // 60} min; writing and calibration not included)"
            )
        title = "Embedding throughput on GPU, and a projection for 10,000 scripts"
    else:  # the first version's JSON: one number
        rows = [[k, v] for k, v in data.items() if not isinstance(v, dict | list)]
        md = (
            "Measured on a GPU machine (not the 2-core CPU machine of the other sections), with "
            "`benchmarks/gpu_embed.py`: the default model (all-MiniLM-L6-v2) encoding the passages of a "
            "corpus sample; passages/s is the median over the runs shown.\n\n"
            + results.table(["field", "value"], rows, align="ll")
        )
        headline = [
            f"embedding on {data.get('device')} ({data.get('gpu_name') or 'cpu'}): "
            f"{data.get('passages_per_s', 0):.0f} passages/s"
        ]
        title = "Embedding throughput on GPU"
    sections["gpu"] = results.Section(
        key="gpu",
        title=title,
        markdown=md,
        command=str(data.get("command", "python benchmarks/gpu_embed.py")),
        date=str(data.get("date", results.now())),
        machine=machine,
        data=data,
        headline=tuple(headline),
    )
    results.write(sections, output / "RESULTS.md", output / "results.json")
    print(f"stored the GPU section in {output / 'RESULTS.md'}")
    return 0


def parse_args(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("what", nargs="+", help="quality | speed | all | a part name | import-gpu FILE")
    parser.add_argument("--quick", action="store_true", help="small samples (minutes); not for publishing")
    parser.add_argument(
        "--sample", type=int, default=None, help="PAN pairs per part (default: all, quick: 8)"
    )
    parser.add_argument(
        "--runs", type=int, default=None, help="timing repetitions (default: 3-5; quick: 1-2)"
    )
    parser.add_argument("--seed", type=int, default=SEED, help=f"planted-case seed (published: {SEED})")
    parser.add_argument(
        "--cache-dir",
        type=Path,
        default=None,
        help="keep built indexes here between runs (default: a temporary folder)",
    )
    parser.add_argument(
        "--baseline",
        type=Path,
        default=None,
        help="a checkout of the code to compare with (calibration: before/after on the same indexes)",
    )
    parser.add_argument(
        "--output",
        type=Path,
        default=None,
        help="where RESULTS.md, results.json and plots go (default: benchmarks/; quick: a temp dir)",
    )
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    # Worker processes (the PAN part) must not be forked from a process that already runs torch's
    # thread pools: a forked child can hang for ever. Spawned workers start clean.
    multiprocessing.set_start_method("spawn", force=True)
    args = parse_args(argv)
    if args.what[0] == "import-gpu":
        if len(args.what) != 2:
            print("usage: python -m benchmarks import-gpu FILE", file=sys.stderr)
            return 2
        return _import_gpu(Path(args.what[1]), args.output or results.BENCH_DIR)
    parts: list[str] = []
    for word in args.what:
        if word in GROUPS:
            parts.extend(p for p in GROUPS[word] if p not in parts)
        elif word in QUALITY + SPEED:
            if word not in parts:
                parts.append(word)
        else:
            print(
                f"unknown part {word!r}: choose from {', '.join([*GROUPS, *QUALITY, *SPEED])}",
                file=sys.stderr,
            )
            return 2
    order = QUALITY + SPEED
    parts.sort(key=order.index)

    workdir = Path(tempfile.mkdtemp(prefix="simcheck-bench-"))
    if args.output is not None:
        output = args.output
    elif args.quick:
        output = workdir / "results"
    else:
        output = results.BENCH_DIR
    output.mkdir(parents=True, exist_ok=True)
    ctx = Context(
        quick=args.quick,
        workdir=workdir,
        seed=args.seed,
        sample=args.sample,
        runs=args.runs,
        cache_dir=args.cache_dir,
        output_dir=output,
        baseline=args.baseline,
    )
    command = "python -m benchmarks " + " ".join(argv)
    machine = results.machine()
    ctx.caption = f"{command}  |  {results.describe_machine(machine)}  |  {results.now()}"
    sections = results.load(output / "results.json")
    failed: list[str] = []
    started = time.perf_counter()
    try:
        for part in parts:
            log(f"== {part}")
            load_before = os.getloadavg()[0]
            t0 = time.perf_counter()
            try:
                result = run_part(part, ctx)
            except Exception as error:  # a failing part is reported, the others still run
                failed.append(part)
                log(f"{part} FAILED: {error!r}")
                trace = traceback.format_exc()
                result = {
                    "title": part,
                    "markdown": f"**FAILED** in this run: `{type(error).__name__}: {str(error)[:300]}`",
                    "data": {"error": trace[-4000:]},
                }
                print(trace, file=sys.stderr)
            data = result.setdefault("data", {})
            if isinstance(data, dict):
                data.setdefault("part_seconds", round(time.perf_counter() - t0, 1))
            part_machine = dict(machine, load_1min=[round(load_before, 1), round(os.getloadavg()[0], 1)])
            sections[part] = _section(part, result, command, part_machine, args.quick)
            results.write(sections, output / "RESULTS.md", output / "results.json")
            log(f"{part}: {time.perf_counter() - t0:.0f} s")
    finally:
        for child in workdir.iterdir():
            if child.resolve() != output.resolve():
                if child.is_dir():
                    shutil.rmtree(child, ignore_errors=True)
                else:
                    child.unlink(missing_ok=True)
        if not any(workdir.iterdir()):
            workdir.rmdir()
        if args.quick:
            for part in parts:
                if part in sections:
                    print(f"\n## {sections[part].title}\n\n{sections[part].markdown}\n")
    log(f"done in {time.perf_counter() - started:.0f} s; results in {output / 'RESULTS.md'}")
    return 1 if failed else 0


if __name__ == "__main__":
    if os.environ.get("PYTHONHASHSEED") != "0":
        env = dict(os.environ, PYTHONHASHSEED="0")
        os.execve(sys.executable, [sys.executable, "-m", "benchmarks", *sys.argv[1:]], env)
    sys.exit(main())

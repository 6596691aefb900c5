"""Where benchmark results go: ``benchmarks/results.json`` (data) and ``benchmarks/RESULTS.md`` (tables).

Each benchmark part produces a *section* (title, markdown table(s), raw data, headline lines, plots)
stamped with the command that produced it, the machine and the date. A run updates only the sections
it ran; ``RESULTS.md`` is always re-rendered from every stored section, so a ``speed`` run does not
erase the ``quality`` tables and each table still says which command, machine and date it came from.
"""

from __future__ import annotations

import datetime as _dt
import json
import os
import platform
import subprocess
from dataclasses import asdict, dataclass, field
from importlib import metadata
from pathlib import Path
from typing import Any

BENCH_DIR = Path(__file__).resolve().parent
RESULTS_JSON = BENCH_DIR / "results.json"
RESULTS_MD = BENCH_DIR / "RESULTS.md"

# Order of sections in RESULTS.md (unknown keys go last, alphabetically).
SECTION_ORDER = (
    "planted",
    "translations",
    "innocent",
    "pan",
    "pan_compare",
    "story",
    "parse",
    "index_speed",
    "compare_latency",
    "scale",
    "compare_scale",
    "report_render",
    "gpu",
)

GPU_PLACEHOLDER = """Not measured on a GPU yet. Build the bundle here, run it on a machine with a CUDA GPU (it
needs torch, tokenizers, safetensors and numpy there, nothing else), then import its JSON here:

```sh
python benchmarks/gpu_embed.py bundle .gpu                                   # here (~1 minute)
python .gpu/gpu_embed.py run --bundle .gpu --sweep --cpu-stages --out gpu_embed.json   # there
python -m benchmarks import-gpu gpu_embed.json                                # here
```

The script falls back to the CPU when no GPU is visible and says so in its `device` field."""


@dataclass(frozen=True)
class Section:
    key: str
    title: str
    markdown: str
    command: str
    date: str
    machine: dict[str, Any]
    data: dict[str, Any] = field(default_factory=dict)
    headline: tuple[str, ...] = ()
    plots: tuple[str, ...] = ()  # file names relative to benchmarks/


def _read_first(path: str, prefix: str) -> str | None:
    try:
        with open(path, encoding="utf-8") as handle:
            for line in handle:
                if line.startswith(prefix):
                    return line.split(":", 1)[1].strip()
    except OSError:
        return None
    return None


def _version(dist: str) -> str:
    try:
        return metadata.version(dist)
    except metadata.PackageNotFoundError:
        return "not installed"


def _git_commit() -> str:
    try:
        out = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"],
            cwd=BENCH_DIR.parent,
            capture_output=True,
            text=True,
            timeout=10,
            check=False,
        )
    except (OSError, subprocess.SubprocessError):
        return "unknown"
    commit = out.stdout.strip()
    if out.returncode != 0 or not commit:
        return "uncommitted"
    dirty = subprocess.run(
        ["git", "status", "--porcelain", "--untracked-files=no"],
        cwd=BENCH_DIR.parent,
        capture_output=True,
        text=True,
        timeout=10,
        check=False,
    ).stdout.strip()
    return commit + ("+changes" if dirty else "")


def machine() -> dict[str, Any]:
    """What the numbers were measured on."""
    mem_kb = _read_first("/proc/meminfo", "MemTotal")
    ram_gib = round(int(mem_kb.split()[0]) / 2**20, 1) if mem_kb else None
    from simcheck import __version__

    return {
        "nproc": os.cpu_count(),
        "cpu": _read_first("/proc/cpuinfo", "model name") or platform.processor() or "unknown",
        "ram_gib": ram_gib,
        "os": platform.platform(),
        "python": platform.python_version(),
        "torch": _version("torch"),
        "faiss": _version("faiss-cpu"),
        "sentence_transformers": _version("sentence-transformers"),
        "numpy": _version("numpy"),
        "simcheck": __version__,
        "commit": _git_commit(),
    }


def describe_machine(m: dict[str, Any]) -> str:
    parts = [f"{m.get('nproc')} CPU ({m.get('cpu')})", f"{m.get('ram_gib')} GiB RAM"]
    if m.get("gpu"):
        parts.append(f"GPU {m['gpu']}")
    parts.append(
        f"Python {m.get('python')}, torch {m.get('torch')}, faiss {m.get('faiss')}, "
        f"sentence-transformers {m.get('sentence_transformers')}"
    )
    parts.append(f"simcheck {m.get('simcheck')} @ {m.get('commit')}")
    load = m.get("load_1min")
    if load:
        parts.append(
            f"1-min load average {load[0]} before, {load[1]} after ({m.get('nproc')} = every core busy; "
            "more means other work competed for the CPU)"
        )
    return "; ".join(parts)


def now() -> str:
    return _dt.datetime.now(_dt.UTC).strftime("%Y-%m-%d %H:%M UTC")


def load(path: Path = RESULTS_JSON) -> dict[str, Section]:
    if not path.exists():
        return {}
    raw = json.loads(path.read_text(encoding="utf-8"))
    sections: dict[str, Section] = {}
    for key, value in raw.get("sections", {}).items():
        value = dict(value)
        value["headline"] = tuple(value.get("headline", ()))
        value["plots"] = tuple(value.get("plots", ()))
        sections[key] = Section(**value)
    return sections


def save(sections: dict[str, Section], path: Path = RESULTS_JSON) -> None:
    payload = {"sections": {key: asdict(sections[key]) for key in _ordered(sections)}}
    tmp = path.with_suffix(".json.tmp")
    tmp.write_text(json.dumps(payload, indent=1, ensure_ascii=False, default=str) + "\n", encoding="utf-8")
    os.replace(tmp, path)


def _ordered(sections: dict[str, Section]) -> list[str]:
    known = [k for k in SECTION_ORDER if k in sections]
    return known + sorted(k for k in sections if k not in SECTION_ORDER)


def render(sections: dict[str, Section]) -> str:
    """The whole RESULTS.md."""
    out: list[str] = [
        "# simcheck benchmark results",
        "",
        "Generated by `python -m benchmarks` (benchmarks/__main__.py) from benchmarks/results.json: do not",
        "edit by hand. Each section says the exact command, the machine and the date it was measured.",
        "Rerun everything with `python -m benchmarks all` (about 30 minutes on 2 cores), a quick check with",
        "`python -m benchmarks all --quick`. Timings are medians over the number of runs shown; this kind",
        "of machine (shared 2-vCPU cloud VM) is noisy, so read timings as +/-30%. Quality numbers are",
        "deterministic (fixed seed) and use the real default model (all-MiniLM-L6-v2), never a fake",
        "embedder.",
        "",
        "## Headline numbers",
        "",
    ]
    headlines = [(sections[k], h) for k in _ordered(sections) for h in sections[k].headline]
    if headlines:
        out.extend(f"- {h} ({s.date}{'; quick run' if 'quick run' in s.title else ''})" for s, h in headlines)
    else:
        out.append("- (no benchmark has been run yet)")
    out.append("")
    if "gpu" not in sections:
        sections = dict(sections)
        sections["gpu"] = Section(
            "gpu", "Embedding throughput on GPU", GPU_PLACEHOLDER, "python benchmarks/gpu_embed.py", "-", {}
        )
    for key in _ordered(sections):
        s = sections[key]
        out.append(f"## {s.title}")
        out.append("")
        out.append(f"- Command: `{s.command}`")
        out.append(f"- Date: {s.date}")
        if s.machine:
            out.append(f"- Machine: {describe_machine(s.machine)}")
        out.append("")
        out.append(s.markdown.rstrip())
        out.append("")
        for plot in s.plots:
            out.append(f"![{s.title}]({plot})")
            out.append("")
    return "\n".join(out).rstrip() + "\n"


def write(sections: dict[str, Section], md_path: Path = RESULTS_MD, json_path: Path = RESULTS_JSON) -> None:
    save(sections, json_path)
    md_path.write_text(render(sections), encoding="utf-8")


def table(header: list[str], rows: list[list[Any]], align: str | None = None) -> str:
    """A markdown table; ``align`` is one char per column, ``l`` or ``r`` (numbers right by default)."""

    def cell(value: Any) -> str:
        if isinstance(value, float):
            if value != value:  # NaN
                return "-"
            return f"{value:.3g}" if abs(value) < 100 else f"{value:.0f}"
        return str(value).replace("|", "\\|")

    if align is None:
        align = "".join(
            "r" if rows and all(isinstance(r[i], int | float) for r in rows) else "l"
            for i in range(len(header))
        )
    lines = [
        "| " + " | ".join(header) + " |",
        "|" + "|".join("---:" if a == "r" else "---" for a in align) + "|",
    ]
    lines.extend("| " + " | ".join(cell(v) for v in row) + " |" for row in rows)
    return "\n".join(lines)


# --- the GPU embedding section (benchmarks/gpu_embed.py, imported by `python -m benchmarks import-gpu`) ---

PROJECTION_SCRIPTS = 10_000  # feature scripts in the projection
PROJECTION_PASSAGES_PER_SCRIPT = 700  # a feature script cuts into ~600-750 passages
PROJECTION_TARGET_S = 20 * 60
GPU_TARGET_PASSAGES_PER_S = 60_000  # issue 13: the GPU embedding stage, end to end, on one H200-class GPU
_VARIANT_NAMES = {
    "today": "before: batches of 32 texts, float32, one batch at a time",
    "pipeline_float32": "pipeline, float32",
    "pipeline_bfloat16": "pipeline, bf16 autocast",
}


def _cos(value: Any) -> str:
    return f"{value['min']:.6f} / {value['mean']:.6f}" if isinstance(value, dict) and "min" in value else "-"


def _minutes(seconds: float) -> str:
    return f"{seconds:.0f} s ({seconds / 60:.1f} min)"


def gpu_projection(data: dict[str, Any], tokenizer_threads: int | None = None) -> dict[str, Any]:
    """Times for ``PROJECTION_SCRIPTS`` x ``PROJECTION_PASSAGES_PER_SCRIPT`` passages from measured rates.

    The embedding rate is the bf16 pipeline's; where the run swept the tokenizer threads, the row with
    ``tokenizer_threads`` (simcheck's default now) is used.
    """
    passages = PROJECTION_SCRIPTS * PROJECTION_PASSAGES_PER_SCRIPT
    variants = data.get("variants", {})
    embed = variants.get("pipeline_bfloat16") or variants.get("pipeline_float32") or {}
    embed_rate = float(embed.get("passages_per_s") or 0.0)
    embed_source = "pipeline, bf16" if "pipeline_bfloat16" in variants else "pipeline, float32"
    embed_source += f", {data.get('settings', {}).get('tokenizer_threads')} tokenizer threads"
    for row in (
        data.get("sweep_tokenizer_threads", [])
        if isinstance(data.get("sweep_tokenizer_threads"), list)
        else []
    ):
        if tokenizer_threads is not None and row.get("tokenizer_threads") == tokenizer_threads:
            embed_rate = float(row["passages_per_s"])
            embed_source = f"pipeline, bf16, {tokenizer_threads} tokenizer threads (sweep row)"
    stages = data.get("cpu_stages", {}) if isinstance(data.get("cpu_stages"), dict) else {}
    one = stages.get("one_core", {})
    every = stages.get("all_cores", {})
    rows: list[dict[str, Any]] = []
    if one:
        for key, label in (
            ("read", "read Fountain"),
            ("cut", "cut passages"),
            ("shingles", "shingle hashes"),
            ("minhash", "MinHash signatures"),
        ):
            rate = one.get(f"{key}_passages_per_s")
            if rate:
                rows.append(
                    {"stage": f"{label}, 1 core", "rate": rate, "seconds": passages / rate, "part": False}
                )
        rows.append(
            {
                "stage": "all four, 1 core",
                "rate": one["passages_per_s"],
                "seconds": passages / one["passages_per_s"],
            }
        )
    if every:
        rows.append(
            {
                "stage": f"all four, {every['workers']} worker processes",
                "rate": every["passages_per_s"],
                "seconds": passages / every["passages_per_s"],
            }
        )
    if embed_rate:
        rows.append(
            {
                "stage": f"embedding on the GPU, end to end ({embed_source})",
                "rate": embed_rate,
                "seconds": passages / embed_rate,
            }
        )
    serial = overlapped = None
    if every and embed_rate:
        cpu_s = passages / every["passages_per_s"]
        gpu_s = passages / embed_rate
        serial, overlapped = cpu_s + gpu_s, max(cpu_s, gpu_s)
    return {
        "scripts": PROJECTION_SCRIPTS,
        "passages_per_script": PROJECTION_PASSAGES_PER_SCRIPT,
        "passages": passages,
        "rows": rows,
        "serial_s": serial,
        "overlapped_s": overlapped,
        "target_s": PROJECTION_TARGET_S,
    }


def gpu_markdown(data: dict[str, Any], defaults: dict[str, Any] | None = None) -> str:
    """RESULTS.md text for a ``simcheck-gpu-embed/2`` JSON (see benchmarks/gpu_embed.py)."""
    defaults = defaults or {}
    variants = data.get("variants", {})
    settings = data.get("settings", {})
    out = [
        f"Measured on a GPU machine ({data.get('gpu_name')}, "
        f"{data.get('machine', {}).get('nproc')} CPU cores), "
        "not the 2-core CPU machine of the other sections, by `benchmarks/gpu_embed.py` run from "
        "a bundle built "
        "here (`python benchmarks/gpu_embed.py bundle .gpu`: simcheck, the model with float16 "
        "weights upcast to "
        "float32 on load, the corpus's passages, CPU reference vectors). "
        f"Passages: all {data.get('passages'):,} of the shared corpus "
        f"({data.get('unique_passages'):,} unique, "
        f"{data.get('mean_tokens')} tokens on average), cut by simcheck's passage cutter. End to "
        "end = texts in, "
        "vectors out (de-duplication, sorting, tokenization, model, copies back, normalisation). Medians of "
        f"{data.get('runs')} runs after a warm-up; the variants take turns in each round. Cosines "
        "are to float32 "
        f"vectors computed on the CPU for {data.get('reference_passages')} of the passages by "
        "`SentenceTransformer.encode` (original float32 weights) and by `simcheck.bert` (the same "
        "float16-rounded weights as the GPU run).",
        "",
        table(
            [
                "path",
                "passages/s",
                "runs",
                "x before",
                "cosine to CPU (ST, f32 weights) min / mean",
                "cosine to CPU (same weights) min / mean",
                "peak GPU GiB",
            ],
            [
                [
                    _VARIANT_NAMES.get(name, name),
                    row["passages_per_s"],
                    ", ".join(f"{r:.0f}" for r in row.get("passages_per_s_runs", [])),
                    row.get("speedup_vs_today", float("nan")),
                    _cos(row.get("cosine_to_cpu_float32")),
                    _cos(row.get("cosine_to_cpu_float32_f16_weights")),
                    row.get("peak_gpu_mem_gib") if row.get("peak_gpu_mem_gib") is not None else "-",
                ]
                for name, row in variants.items()
            ],
            align="lrlrllr",
        ),
        "",
    ]
    auto = data.get("auto", {})
    if auto:
        out.append(
            f"- Precision chosen by `auto` on this GPU: **{auto.get('precision')}** (bf16 vs "
            "float32 on the fixed "
            f"agreement sentences: min cosine {auto.get('agreement_min_cosine'):.6f}; bf16 needs >= "
            f"{settings.get('bf16_min_cosine')})."
        )
    out.append(
        f"- Pipeline settings in this run: token budget {settings.get('token_budget')}, chunk "
        f"{settings.get('chunk_texts')} texts, {settings.get('tokenizer_threads')} tokenizer threads."
    )
    changed = {k: v for k, v in defaults.items() if k in settings and settings[k] != v}
    if changed:
        now_text = ", ".join(f"{k.replace('_', ' ')} {v}" for k, v in changed.items())
        out.append(f"- simcheck's defaults since this run (chosen from the sweeps below): {now_text}.")
    measured = [float(r["passages_per_s"]) for r in variants.values()]
    for key in ("sweep_token_budget", "sweep_tokenizer_threads", "sweep_chunk_texts"):
        if isinstance(data.get(key), list):
            measured.extend(float(r["passages_per_s"]) for r in data[key])
    if measured:
        best = max(measured)
        verdict = "met" if best >= GPU_TARGET_PASSAGES_PER_S else "**not met**"
        out.append(
            f"- Target {GPU_TARGET_PASSAGES_PER_S:,} passages/s end to end: {verdict} "
            f"(best setting measured: {best:,.0f}/s)."
        )
    model = data.get("model_only", {})
    if isinstance(model, dict) and "bfloat16" in model:
        out.append(
            f"- The model alone on batches tokenized beforehand (copies to the GPU included): "
            f"{model['float32']['unique_passages_per_s']:,.0f} passages/s in float32, "
            f"{model['bfloat16']['unique_passages_per_s']:,.0f} in bf16."
        )
    tok = data.get("tokenize_sort_pad", {})
    if tok:
        out.append(
            f"- Tokenize, sort and pad alone ({tok.get('threads')} threads, no model): "
            f"{tok.get('texts_per_s'):,.0f} texts/s."
        )
    for key, label in (
        ("sweep_token_budget", "token budget"),
        ("sweep_tokenizer_threads", "tokenizer threads"),
        ("sweep_chunk_texts", "chunk (texts)"),
    ):
        rows = data.get(key)
        if isinstance(rows, list) and rows:
            field_name = key.removeprefix("sweep_")
            cells = "; ".join(f"{r[field_name]}: {r['passages_per_s']:,.0f}" for r in rows)
            if field_name == "tokenizer_threads" and any(r[field_name] == 0 for r in rows):
                cells += " (0: one call made parallel inside the Rust tokenizer; tried, slower, not kept)"
            out.append(f"- Sweep of the {label} (bf16, passages/s end to end): {cells}.")
    stages = data.get("cpu_stages")
    projection = gpu_projection(data, defaults.get("tokenizer_threads"))
    if isinstance(stages, dict) and "one_core" in stages:
        out.append(
            f"- CPU stages on that machine's {stages['all_cores']['workers']} cores: the "
            f"{stages['scripts']} corpus "
            f"scripts on 1 core, then {stages['all_cores']['corpus_copies']} copies of them in "
            f"{stages['all_cores']['workers']} worker processes (speed-up "
            f"{stages['all_cores']['speedup_vs_one_core']}x); MinHash signatures identical to the "
            "ones computed "
            f"here: {stages.get('signatures_match_bundle')}."
        )
    if projection["rows"]:
        out.append("")
        out.append(
            f"**Projection** for {projection['scripts']:,} feature scripts x "
            f"~{projection['passages_per_script']} "
            f"passages = {projection['passages']:,} passages on one machine like this one (16 "
            "cores, one H200), "
            "from the rates measured above:"
        )
        out.append("")
        out.append(
            table(
                ["stage", "measured passages/s", f"time for {projection['passages']:,} passages"],
                [[r["stage"], r["rate"], _minutes(r["seconds"])] for r in projection["rows"]],
                align="lrr",
            )
        )
        out.append("")
        if projection["serial_s"] is not None:
            out.append(
                f"Total: {_minutes(projection['serial_s'])} with the CPU stages and the embedding "
                "one after the "
                f"other; {_minutes(projection['overlapped_s'])} if they overlap completely (a "
                "streaming build; "
                "a floor, since the tokenizer threads and the worker processes share the 16 cores). Target: "
                f"under {projection['target_s'] // 60} minutes. Not measured here and not in these numbers: "
                "writing the segments, the vector index, calibration."
            )
    return "\n".join(out)

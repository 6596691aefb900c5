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
    "parse",
    "index_speed",
    "compare_latency",
    "scale",
    "compare_scale",
    "report_render",
    "gpu",
)

GPU_PLACEHOLDER = """Not measured on a GPU yet. On a machine with a CUDA GPU, from the repository root:

```sh
python benchmarks/gpu_embed.py > gpu.json          # passages/s of the default model, cuda if available
python -m benchmarks import-gpu gpu.json           # stores it here, labelled with that machine
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

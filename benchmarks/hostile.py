"""The hostile set with the real model: time and peak memory of every run, in a fresh process each.

    python -m benchmarks.hostile [--quick] [--output DIR]

Runs, in the same run, a baseline of each command on ordinary input (``parse``, ``compare`` and
``index`` of the compare fixtures), every case of ``tests/hostile.py`` through the real ``simcheck``
command (the default model, all-MiniLM-L6-v2, wherever a command embeds), then the largest input the
caps admit: a Fountain draft just under ``MAX_PASSAGES`` passages compared with two short scripts. Each
hostile run's time is also given as a ratio to the baseline of its command. Peak resident memory is each
process's ``VmHWM`` at exit (it starts afresh at ``exec``, so it is the command's own). Writes the
``hostile`` section of ``benchmarks/results.json`` and re-renders ``RESULTS.md`` (``--quick``: no
largest input, printed, nothing written).
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
from pathlib import Path
from typing import Any

from benchmarks import results
from tests.hostile import FIXTURES, LIMIT_RSS_BYTES, LIMIT_SECONDS, Case, Outcome, build, fountain_script, run

# the real CLI, recording its peak memory where tests/hostile.py's runner looks for it
RUNNER = """
import atexit, os, sys
def _peak():
    target = os.environ.get("SIMCHECK_HOSTILE_RSS")
    if target:
        for line in open("/proc/self/status"):
            if line.startswith("VmHWM:"):
                open(target, "w").write(str(int(line.split()[1]) * 1024))
atexit.register(_peak)
from simcheck.cli import main
sys.argv[0] = "simcheck"
main()
"""
COMMAND = (sys.executable, "-c", RUNNER)


def baselines(root: Path) -> list[Case]:
    """Each command on ordinary input: what a hostile run's time is compared with."""
    draft = str(FIXTURES / "salt_and_signal.fountain")
    refs = root / "baseline_refs"
    refs.mkdir(parents=True, exist_ok=True)
    for name in ("keepers_daughter.fountain", "orchard_debts.fountain"):
        shutil.copy(FIXTURES / name, refs / name)
    return [
        Case("baseline: parse", ("parse", draft), (0,)),
        Case("baseline: compare", ("compare", draft, "--against", str(refs), "--format", "json"), (3,)),
        Case("baseline: index", ("index", str(refs), "--index", str(root / "baseline_idx"), "-q"), (0,)),
    ]


def largest_legal(root: Path) -> Case:
    """A draft just under the passage cap (three passages a scene), against two short scripts."""
    from simcheck.settings import MAX_PASSAGES

    draft = root / "largest_legal.fountain"
    draft.write_text(fountain_script("Largest", (MAX_PASSAGES - 60) // 3, seed=11), encoding="utf-8")
    refs = [
        x for name in ("bakery.fountain", "night_shift.fountain") for x in ("--against", str(FIXTURES / name))
    ]
    return Case(
        "largest draft the caps admit (just under MAX_PASSAGES; allowed, not judged on time)",
        ("compare", draft.name, *refs, "--format", "json", "-o", "largest.json"),
        (0, 3),
        seconds_limit=None,
    )


def measure(quick: bool) -> tuple[list[Outcome], list[Outcome], list[Outcome]]:
    """(baselines, hostile set, the largest allowed input), run in that order."""
    root = Path(tempfile.mkdtemp(prefix="simcheck-hostile-bench-"))
    try:
        groups: list[list[Outcome]] = []
        for cases in (baselines(root), build(root, model=()), [] if quick else [largest_legal(root)]):
            groups.append([run(case, root, timeout=600, command=COMMAND) for case in cases])
            for outcome in groups[-1]:
                _log(outcome)
        return groups[0], groups[1], groups[2]
    finally:
        shutil.rmtree(root, ignore_errors=True)


def _log(outcome: Outcome) -> None:
    verdict = "ok" if outcome.ok else "; ".join(outcome.problems)
    print(
        f"{outcome.case.name[:60]:<60} exit {outcome.exit_code:>3} {outcome.seconds:6.1f} s "
        f"{outcome.peak_rss / 1e6:6.0f} MB  {verdict}",
        flush=True,
    )


def section(
    base: list[Outcome], hostile: list[Outcome], legal: list[Outcome], load: tuple[float, float]
) -> dict[str, Any]:
    seconds = {o.case.args[0]: o.seconds for o in base}

    def ratio(o: Outcome) -> str:
        return f"{o.seconds / seconds[o.case.args[0]]:.1f}x" if o.case.args[0] in seconds else ""

    rows = [
        [
            o.case.name,
            o.exit_code,
            f"{o.seconds:.1f}",
            ratio(o),
            f"{o.peak_rss / 1e6:,.0f}",
            "ok" if o.ok else "; ".join(o.problems),
        ]
        for o in [*base, *hostile, *legal]
    ]
    tracebacks = sum("traceback" in o.problems for o in hostile)
    slow = sum(o.seconds > LIMIT_SECONDS for o in hostile)
    big = sum(o.peak_rss > LIMIT_RSS_BYTES for o in hostile)
    failed = sum(not o.ok for o in hostile)
    slowest = max(hostile, key=lambda o: o.seconds)
    largest = max(hostile, key=lambda o: o.peak_rss)
    headline = [
        f"hostile set, real model: {len(hostile)} inputs, {tracebacks} tracebacks, {slow} runs over "
        f"{LIMIT_SECONDS:.0f} s, {big} over 2 GB, {failed} not ending as expected; slowest "
        f"{slowest.seconds:.1f} s ({ratio(slowest)} its command's baseline), largest "
        f"{largest.peak_rss / 1e6:,.0f} MB"
    ]
    for o in legal:
        headline.append(f"{o.case.name}: {o.seconds:.1f} s, {o.peak_rss / 1e6:,.0f} MB (load {load[1]:.1f})")
    markdown = (
        "Every input of `tests/hostile.py` through the real `simcheck` command (default model wherever a "
        "command embeds), one fresh process each; seconds are wall time including start-up and model "
        "load, also as a ratio to the same command on ordinary input in the same run (the baseline rows); "
        "memory is the process's peak resident set (VmHWM). The last row is the largest input the caps "
        "admit (not a hostile input: it is allowed, and it shows what the caps bound). Load average "
        f"(1 min) {load[0]:.1f} at the start, {load[1]:.1f} at the end, on a machine shared with other "
        "work: single runs.\n\n"
        + results.table(["input", "exit", "s", "x baseline", "peak MB", "verdict"], rows, align="lrrrrl")
    )
    return {
        "title": "Hostile input: tracebacks, time and memory per run",
        "markdown": markdown,
        "headline": headline,
        "data": {
            "load_start_end": list(load),
            "runs": [
                {
                    "case": o.case.name,
                    "exit": o.exit_code,
                    "seconds": round(o.seconds, 2),
                    "peak_rss_mb": round(o.peak_rss / 1e6, 1),
                    "problems": o.problems,
                }
                for o in [*base, *hostile, *legal]
            ],
        },
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.hostile", description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="no largest input; print, write nothing")
    parser.add_argument("--output", type=Path, default=results.BENCH_DIR, help="folder of results.json")
    args = parser.parse_args(argv)
    started = os.getloadavg()[0]
    base, hostile, legal = measure(args.quick)
    result = section(base, hostile, legal, (started, os.getloadavg()[0]))
    print("\n".join(result["headline"]))
    ok = all(o.ok for o in [*base, *hostile, *legal])
    if args.quick:
        return 0 if ok else 1
    sections = results.load(args.output / "results.json")
    sections["hostile"] = results.Section(
        key="hostile",
        title=result["title"],
        markdown=result["markdown"],
        command="python -m benchmarks.hostile",
        date=results.now(),
        machine=results.machine(),
        data=result["data"],
        headline=tuple(result["headline"]),
    )
    results.write(sections, args.output / "RESULTS.md", args.output / "results.json")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())

"""Report rendering: a real report with ~200 matches rendered as HTML and text, and loaded in Chromium.

The draft is a *patchwork*: the shortest headed scenes of the indexed references (``RENDER_SCENES`` of
them, or fewer in a ``--quick`` run), each copied whole, one after another, so that nearly every draft
scene matches some reference scene: a real ``simcheck.compare`` report with as many matches as a
heavily copied feature draft can have. Then, medians of several runs:

- ``render_html`` and ``render_text`` on that report's JSON (target for the HTML: under 2 s);
- the page's size and how many match cards start collapsed;
- Chromium (when installed) loading the page headless and dumping its DOM, against a baseline in the
  same run: the same report with its matches removed (what the browser's own start-up costs).
"""

from __future__ import annotations

import re
import statistics
import subprocess
import tempfile
import time
from pathlib import Path
from typing import Any

from benchmarks.context import Context
from benchmarks.results import table
from tools.chromium import FLAGS, find_chromium

RENDER_SCENES = 200  # scenes in the patchwork draft (full run)
QUICK_RENDER_SCENES = 20
RENDER_TARGET_S = 2.0
RUNS = 5
_WORD = re.compile(r"\w+(?:['\u2019]\w+)*")


def patchwork_draft(references: tuple[Path, ...], scenes: int, out: Path) -> tuple[Path, int, int]:
    """Write the draft made of the ``scenes`` shortest headed reference scenes; (path, scenes, words)."""
    from simcheck.read import read_script

    pool: list[tuple[int, str, int, str]] = []
    for path in references:
        script = read_script(path)
        for scene in script.scenes:
            if scene.heading is None:
                continue
            text = script.text[scene.start : scene.end].strip("\r\n")
            pool.append((len(_WORD.findall(text)), str(path), scene.number, text))
    pool.sort()
    chosen = pool[:scenes]
    out.write_text(
        "Title: Patchwork\nAuthor: Benchmark\n\n" + "\n\n".join(text for *_, text in chosen) + "\n",
        encoding="utf-8",
    )
    return out, len(chosen), sum(words for words, *_ in chosen)


def _browser_load(binary: str, page: Path, profile: Path) -> float:
    t0 = time.perf_counter()
    subprocess.run(
        [binary, *FLAGS, f"--user-data-dir={profile}", "--dump-dom", page.as_uri()],
        capture_output=True,
        check=True,
        timeout=120,
    )
    return time.perf_counter() - t0


def report_render(ctx: Context) -> dict[str, Any]:
    from simcheck.compare import compare
    from simcheck.render.html import render_html
    from simcheck.render.text import render_text

    plan = ctx.get_plan()
    info = ctx.open_index(ctx.reference_index())
    ctx.calibrate(info)
    tmp = Path(tempfile.mkdtemp(dir=ctx.workdir))
    wanted = QUICK_RENDER_SCENES if ctx.quick else RENDER_SCENES
    draft, n_scenes, n_words = patchwork_draft(plan.references, wanted, tmp / "patchwork.fountain")
    report = compare(str(draft), index=info, embedder=ctx.embedder()).to_dict()
    n_matches = len(report["matches"])
    n_evidence = sum(len(m["evidence"]) for m in report["matches"])
    runs = ctx.runs or (1 if ctx.quick else RUNS)
    html_s: list[float] = []
    text_s: list[float] = []
    page = ""
    for _ in range(runs):
        t0 = time.perf_counter()
        page = render_html(report, generated_at="2026-01-01")
        html_s.append(time.perf_counter() - t0)
        t0 = time.perf_counter()
        render_text(report, generated_at="2026-01-01")
        text_s.append(time.perf_counter() - t0)
    cards = page.count('<details class="match')
    collapsed = cards - len(re.findall(r'<details class="match[^>]* open>', page))  # values escape ">"
    html_med = statistics.median(html_s)
    data: dict[str, Any] = {
        "draft_scenes": n_scenes,
        "draft_words": n_words,
        "matches": n_matches,
        "evidence": n_evidence,
        "html_s": html_s,
        "text_s": text_s,
        "page_bytes": len(page.encode("utf-8")),
        "cards": cards,
        "collapsed": collapsed,
        "runs": runs,
    }
    rows = [
        [
            "render_html",
            round(html_med, 3),
            f"{len(page.encode('utf-8')) / 1e6:.1f} MB",
            "met" if html_med < RENDER_TARGET_S else "MISSED",
        ],
        ["render_text", round(statistics.median(text_s), 3), "", ""],
    ]
    binary = find_chromium()
    browser_note = "Chromium not installed: browser load not measured."
    if binary:
        big = tmp / "report.html"
        big.write_text(page, encoding="utf-8")
        empty = tmp / "baseline.html"
        empty.write_text(render_html({**report, "matches": []}, generated_at="2026-01-01"), encoding="utf-8")
        loads: dict[str, list[float]] = {"report": [], "baseline": []}
        for run in range(max(runs, 3)):
            for name, path in (("baseline", empty), ("report", big)):
                loads[name].append(_browser_load(binary, path, tmp / f"profile-{name}-{run}"))
        load_med = statistics.median(loads["report"])
        base_med = statistics.median(loads["baseline"])
        data["browser_load_s"] = loads
        rows.append(["Chromium: load + dump DOM", round(load_med, 2), "", ""])
        rows.append(["Chromium baseline (same report, no matches)", round(base_med, 2), "", ""])
        browser_note = (
            f"Chromium headless (`--dump-dom`) loads the page in {load_med:.2f} s against {base_med:.2f} s "
            f"for the same report without matches (browser start-up): {load_med / base_med:.2f}x, "
            f"{load_med - base_med:.2f} s for the matches."
        )
    md = (
        f"A real report: a patchwork draft of the {n_scenes} shortest headed scenes of the indexed "
        f"references ({n_words} words; a 120-page draft has ~22,000), compared with `simcheck.compare` "
        f"against the reference index: {n_matches} matches, {n_evidence} evidence passages. Medians of "
        f"{runs} renders of its JSON. {cards} match cards, {collapsed} of them collapsed "
        f"(`<details>`) when the page opens. {browser_note}\n\n"
        + table(["step", "median s", "size", f"target < {RENDER_TARGET_S:.0f} s"], rows)
    )
    return {
        "title": "Report rendering (~200 matches)",
        "markdown": md,
        "data": data,
        "headline": [
            f"report render: {n_matches} matches, HTML in {html_med:.2f} s "
            f"({len(page.encode('utf-8')) / 1e6:.1f} MB; target < {RENDER_TARGET_S:.0f} s)"
        ],
    }

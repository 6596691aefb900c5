"""PAN 2013 text alignment (training corpus): simcheck's detections scored by the official evaluator.

For every suspicious/source pair of each part of ``../shared/pan13/train_corpus`` the detector writes
one PAN detections XML; the official ``pan13-text-alignment-eval.py`` scores each part (and the whole
corpus) for plagdet, recall, precision and granularity. The official PAN12 baseline runs on the same
pairs in the same run and is scored by the same evaluator.

Detectors:
- ``align``: both documents tokenised by ``simcheck.text.tokens.tokenize``, aligned by
  ``simcheck.match.align.align`` (its defaults), spans merged (PAN counts every detection of a case:
  granularity) and written as character offsets; a second, wide-gap pass adds summaries (a short
  suspicious passage against a source passage at least three times longer).
- ``simcheck``: ``simcheck.compare.compare(susp, against=[src])`` (pairwise mode); the evidence
  offsets of its matches, merged the same way, are the detections.

Run ``python -m benchmarks.pan [--sample N] [--detector align|simcheck] [--before REV]``. ``--sample N``
takes N pairs per part, chosen with a fixed seed. ``--before REV`` also runs the detector on the
``simcheck`` package of git revision REV, side by side with the working tree's, and scores both with
their speed (``benchmarks.pan_before``): a change's before and after in one run. The PAN documents are
read from ../shared, never copied.
"""

from __future__ import annotations

import argparse
import os
import platform
import random
import re
import subprocess
import sys
import tempfile
import time
import xml.etree.ElementTree as ET
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from simcheck.match.align import Span, align
from simcheck.report.condense import stretches
from simcheck.settings import DEFAULT_MODEL
from simcheck.text.tokens import tokenize

if TYPE_CHECKING:
    from simcheck.embed import Embedder

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"
PAN = SHARED / "pan13"
CORPUS = PAN / "train_corpus"
EVALUATOR = PAN / "evaluator" / "pan13-text-alignment-eval.py"
BASELINE = PAN / "evaluator" / "pan12-text-alignment-baseline.py"
PARTS = (
    "01-no-plagiarism",
    "02-no-obfuscation",
    "03-random-obfuscation",
    "04-translation-obfuscation",
    "05-summary-obfuscation",
)
SEED = 2013  # fixed: the same --sample N always takes the same pairs
QUICK_SAMPLE = 8  # pairs per part in the quick (CI smoke) run
WORKERS = 2

# Detector "align": simcheck.match.align's own defaults (they were tuned on samples of this corpus).
ALIGN_ARGS: dict[str, int | float] = {}
MERGE_GAP_CHARS = 400  # detections closer than this on both sides are one detection
MIN_DETECTION_CHARS = 150  # shorter detections (on the suspicious side) are dropped
SUMMARY_GAP = 300  # max_gap (tokens) of the second, summary-seeking pass of the align detector
SUMMARY_SIMILARITY = 0.15  # min_similarity of that pass (a summary shares few of its source's words)
SUMMARY_RATIO = 3.0  # a wide-gap detection is a summary when its source side is this many times longer

# --- PAN detections --------------------------------------------------------------------------


@dataclass(frozen=True, order=True)
class Detection:
    """A suspicious passage ``[this_start, this_end)`` detected as copied from ``[src_start, src_end)``
    (character offsets in the UTF-8 decoded texts)."""

    this_start: int
    this_end: int
    src_start: int
    src_end: int


def read_text(path: Path) -> str:
    """A PAN document as the evaluator counts it: UTF-8, newlines as written."""
    with open(path, encoding="utf-8", newline="") as handle:
        return handle.read()


def detections_xml(susp_name: str, src_name: str, detections: Iterable[Detection]) -> str:
    """The PAN detections document for one pair."""
    root = ET.Element("document", reference=susp_name)
    for det in sorted(detections):
        ET.SubElement(
            root,
            "feature",
            name="detected-plagiarism",
            this_offset=str(det.this_start),
            this_length=str(det.this_end - det.this_start),
            source_reference=src_name,
            source_offset=str(det.src_start),
            source_length=str(det.src_end - det.src_start),
        )
    return ET.tostring(root, encoding="unicode") + "\n"


def pair_xml_name(susp_name: str, src_name: str) -> str:
    """``suspicious-documentXXXXX-source-documentYYYYY.xml``, the name the evaluator pairs with the truth."""
    return f"{Path(susp_name).stem}-{Path(src_name).stem}.xml"


def write_detections(folder: Path, susp_name: str, src_name: str, detections: Iterable[Detection]) -> Path:
    path = folder / pair_xml_name(susp_name, src_name)
    path.write_text(detections_xml(susp_name, src_name, detections), encoding="utf-8")
    return path


def merge_detections(
    detections: Iterable[Detection], gap: int = MERGE_GAP_CHARS, min_chars: int = MIN_DETECTION_CHARS
) -> list[Detection]:
    """Detections within ``gap`` characters of each other on both sides merged into one (repeated until
    stable, ``simcheck.report.condense.stretches``); those shorter than ``min_chars`` on the suspicious
    side dropped."""
    spans = [(d.this_start, d.this_end, d.src_start, d.src_end) for d in detections]
    return [Detection(a, b, c, d) for a, b, c, d, _ in stretches(spans, gap) if b - a >= min_chars]


# --- detectors -------------------------------------------------------------------------------


def detect_align(susp_text: str, src_text: str) -> list[Detection]:
    """Detector ``align``: token alignment of the two whole documents, merged into PAN detections.

    A second pass with a wide gap (``SUMMARY_GAP``) looks for summaries: a short suspicious passage
    whose matches are spread over a source passage at least ``SUMMARY_RATIO`` times longer. Such a
    detection replaces the first pass's detections it overlaps."""
    susp_toks, src_toks = tokenize(susp_text), tokenize(src_text)
    a, b = [t.norm for t in susp_toks], [t.norm for t in src_toks]

    def detections(spans: list[Span]) -> list[Detection]:
        raw = [
            Detection(
                susp_toks[s.a_start].start,
                susp_toks[s.a_end - 1].end,
                src_toks[s.b_start].start,
                src_toks[s.b_end - 1].end,
            )
            for s in spans
        ]
        return merge_detections(raw, MERGE_GAP_CHARS, MIN_DETECTION_CHARS)

    found = detections(align(a, b, **ALIGN_ARGS))  # type: ignore[arg-type]
    if SUMMARY_GAP <= 0:
        return found
    wide_args = {**ALIGN_ARGS, "max_gap": SUMMARY_GAP, "min_similarity": SUMMARY_SIMILARITY}
    wide = detections(align(a, b, **wide_args))  # type: ignore[arg-type]
    summaries = [d for d in wide if d.src_end - d.src_start >= SUMMARY_RATIO * (d.this_end - d.this_start)]
    kept = [d for d in found if not any(_overlap(d, s) for s in summaries)]
    return sorted(kept + summaries)


def _overlap(x: Detection, y: Detection) -> bool:
    return (
        x.this_start < y.this_end
        and y.this_start < x.this_end
        and x.src_start < y.src_end
        and y.src_start < x.src_end
    )


def detect_simcheck(
    susp_path: Path, src_path: Path, embedder: Embedder | None = None
) -> dict[str, list[Detection]]:
    """Detector ``simcheck``: pairwise compare. Two sets of detections from the one report: the merged
    evidence offsets of every (not allowed) match (``all``), of its lexical evidence only
    (``lexical``: verbatim and fuzzy, no semantic), and of all it found by aligning words (``aligned``:
    verbatim, fuzzy and the reworded stretches shown as semantic; before simcheck labelled reworded
    stretches, they were fuzzy, so ``aligned`` measures the same thing before and after)."""
    from simcheck.compare import compare  # imported here: the align detector does not need it

    report = compare(susp_path, against=[src_path], embedder=embedder).to_dict()
    evidence = [
        ev for match in report["matches"] if not match.get("allowed", False) for ev in match["evidence"]
    ]
    out: dict[str, list[Detection]] = {}
    groups = (("all", ("verbatim", "fuzzy", "semantic")), ("lexical", ("verbatim", "fuzzy")), ("aligned", ()))
    for name, kinds in groups:
        raw = [
            Detection(
                ev["draft"]["start"], ev["draft"]["end"], ev["reference"]["start"], ev["reference"]["end"]
            )
            for ev in evidence
            if ev["kind"] in kinds or (name == "aligned" and (ev["kind"] != "semantic" or ev.get("reworded")))
        ]
        out[name] = merge_detections(raw, MERGE_GAP_CHARS, MIN_DETECTION_CHARS)
    return out


# Systems scored in a run: key in data["scores"] -> description. "simcheck" is the detector under test.
SYSTEMS = {
    "align": {"simcheck": "simcheck.match.align on the whole documents"},
    "simcheck": {
        "simcheck": "simcheck compare, pairwise mode: all evidence (verbatim, fuzzy, semantic)",
        "simcheck_lexical": "simcheck compare, pairwise mode: lexical evidence only (verbatim, fuzzy)",
        "simcheck_aligned": "simcheck compare, pairwise mode: evidence found by aligning words (verbatim, "
        "fuzzy, reworded)",
    },
}
BASELINE_NAME = "PAN12 baseline (official)"


_EMBEDDER: list[Embedder] = []  # the worker's model, loaded once per process


def _init_worker(detector: str, threads: int) -> None:
    if detector == "simcheck":
        os.environ.setdefault("SIMCHECK_THREADS", str(threads))
        os.environ.setdefault("HF_HUB_OFFLINE", "1")
        os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")


def _worker_embedder() -> Embedder:
    if not _EMBEDDER:
        from simcheck.embed import load_embedder

        _EMBEDDER.append(load_embedder(DEFAULT_MODEL))
    return _EMBEDDER[0]


def _detect_pair(job: tuple[str, str, str]) -> tuple[dict[str, list[Detection]], float, str | None]:
    """Detections of one pair for each system of the detector, the seconds it took, and the one-line
    error when simcheck refused an input (the pair then has no detections, and the run lists it)."""
    from simcheck.errors import SimcheckError

    detector, susp, src = job
    t0 = time.perf_counter()
    if detector == "align":
        dets = {"simcheck": detect_align(read_text(CORPUS / "susp" / susp), read_text(CORPUS / "src" / src))}
        return dets, time.perf_counter() - t0, None
    try:
        found = detect_simcheck(CORPUS / "susp" / susp, CORPUS / "src" / src, _worker_embedder())
    except SimcheckError as error:
        return (
            {"simcheck": [], "simcheck_lexical": [], "simcheck_aligned": []},
            time.perf_counter() - t0,
            str(error),
        )
    dets = {
        "simcheck": found["all"],
        "simcheck_lexical": found["lexical"],
        "simcheck_aligned": found["aligned"],
    }
    return dets, time.perf_counter() - t0, None


# --- corpus, evaluator, baseline ---------------------------------------------------------------


def read_pairs(part: str) -> list[tuple[str, str]]:
    lines = (CORPUS / part / "pairs").read_text(encoding="utf-8").split("\n")
    return [(f[0], f[1]) for f in (line.split() for line in lines) if len(f) == 2]


def choose_pairs(part: str, sample: int | None) -> list[tuple[str, str]]:
    pairs = read_pairs(part)
    if sample is None or sample >= len(pairs):
        return pairs
    return sorted(random.Random(f"{SEED}:{part}").sample(pairs, sample))


_SCORE = re.compile(r"^(Plagdet Score|Recall|Precision|Granularity|Num Documents)\s+(\S+)\s*$", re.MULTILINE)


def evaluate(truth: Path, detections: Path, python: str = sys.executable) -> dict[str, float]:
    """Scores of the official evaluator (run as a subprocess): plagdet, recall, precision, granularity."""
    proc = subprocess.run(
        [python, str(EVALUATOR), "-p", str(truth), "-d", str(detections)],
        capture_output=True,
        text=True,
        check=False,
    )
    found = dict(_SCORE.findall(proc.stdout))
    if proc.returncode != 0 or "Plagdet Score" not in found:
        raise RuntimeError(f"{EVALUATOR.name} failed ({proc.returncode}): {proc.stderr.strip()[-500:]}")
    return {
        "plagdet": float(found["Plagdet Score"]),
        "recall": float(found["Recall"]),
        "precision": float(found["Precision"]),
        "granularity": float(found["Granularity"]),
        "documents": float(found["Num Documents"]),
    }


def run_baseline(
    pairs: Sequence[tuple[str, str]], out: Path, workers: int, python: str = sys.executable
) -> float:
    """The official PAN12 baseline on ``pairs`` (split over ``workers`` processes); returns seconds."""
    out.mkdir(parents=True, exist_ok=True)
    t0 = time.perf_counter()
    procs = []
    for w in range(workers):
        chunk = pairs[w::workers]
        if not chunk:
            continue
        pairs_file = out.parent / f"{out.name}.pairs{w}"
        pairs_file.write_text("".join(f"{s} {r}\n" for s, r in chunk), encoding="utf-8")
        cmd = [python, str(BASELINE), str(pairs_file), str(CORPUS / "src"), str(CORPUS / "susp"), str(out)]
        procs.append(subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True))
    for proc in procs:
        _, err = proc.communicate()
        if proc.returncode != 0:
            raise RuntimeError(f"{BASELINE.name} failed ({proc.returncode}): {err.strip()[-500:]}")
    return time.perf_counter() - t0


def _count_detections(folder: Path) -> int:
    return sum(
        1
        for path in folder.glob("*.xml")
        for node in ET.parse(path).getroot()
        if node.get("name") == "detected-plagiarism"
    )


def _link_truth(part: str, pairs: Sequence[tuple[str, str]], folder: Path) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    for susp, src in pairs:
        name = pair_xml_name(susp, src)
        (folder / name).symlink_to(CORPUS / part / name)


# --- the benchmark ---------------------------------------------------------------------------


def detector_available(detector: str) -> bool:
    if detector == "align":
        return True
    try:
        from simcheck.compare import compare  # noqa: F401
    except ImportError:
        return False
    return True


def run(
    quick: bool,
    sample: int | None = None,
    detector: str | None = None,
    workers: int = WORKERS,
    parts: Sequence[str] = PARTS,
    baseline: bool = True,
    progress: Callable[[str], None] | None = None,
    before: str | None = None,
) -> dict[str, object]:
    """Run the benchmark; returns ``{"title", "markdown", "data"}``.

    ``quick`` takes ``QUICK_SAMPLE`` pairs per part unless ``sample`` is given; ``detector`` defaults
    to ``simcheck`` when the compare module exists, else ``align``. ``before``: a git revision whose
    ``simcheck`` runs the same detector on the same pairs at the same time (system ``before``).
    """
    if not CORPUS.is_dir():
        raise FileNotFoundError(f"{CORPUS}: PAN 2013 corpus not found (expected ../shared/pan13)")
    if sample is None and quick:
        sample = QUICK_SAMPLE
    if detector is None:
        detector = "simcheck" if detector_available("simcheck") else "align"
    if not detector_available(detector):
        raise RuntimeError(f"detector {detector!r} is not available (simcheck.compare is missing)")
    say = progress or (lambda _msg: None)
    started = datetime.now(UTC)
    chosen = {part: choose_pairs(part, sample) for part in parts}
    data: dict[str, object] = {
        "detector": detector,
        "sample": sample,
        "seed": SEED,
        "workers": workers,
        "pairs": {p: len(v) for p, v in chosen.items()},
        "align_args": dict(ALIGN_ARGS),
        "merge_gap_chars": MERGE_GAP_CHARS,
        "min_detection_chars": MIN_DETECTION_CHARS,
    }
    systems = dict(SYSTEMS[detector])
    if before is not None:
        from benchmarks.pan_before import commit_of

        data["before"] = f"{before} ({commit_of(before)})"
        for name, what in SYSTEMS[detector].items():
            systems[name.replace("simcheck", "before", 1)] = f"{what}, at {data['before']}"
    if baseline:
        systems["baseline"] = BASELINE_NAME
    data["systems"] = systems
    scores: dict[str, dict[str, dict[str, float]]] = {name: {} for name in systems}
    timings: dict[str, float] = {}
    false_detections: dict[str, int] = {name: 0 for name in systems}
    with tempfile.TemporaryDirectory(prefix="simcheck-pan-") as tmp_name:
        tmp = Path(tmp_name)
        truth_root = tmp / "truth" if sample is not None else CORPUS
        base_root = tmp / "baseline"
        # detector: every part, all pairs in one pool (or both versions side by side)
        jobs = [(part, susp, src) for part in parts for susp, src in chosen[part]]
        t0 = time.perf_counter()
        pair_seconds: list[float] = []
        refused: list[str] = []
        if before is not None:
            from benchmarks.pan_before import export_revision, run_systems

            package = export_revision(before, tmp / "before-package")
            threads = max(1, (os.cpu_count() or 1) // (2 * workers))
            ran = run_systems({"simcheck": ROOT, "before": package}, detector, jobs, tmp, workers, threads)
            pair_seconds = ran["simcheck"]["seconds"]
            refused = ran["simcheck"]["refused"]
            timings["before_mean_pair_ms"] = 1000.0 * sum(ran["before"]["seconds"]) / max(1, len(jobs))
            timings["before_median_pair_ms"] = 1000.0 * _median(ran["before"]["seconds"])
            for name in systems:
                if name != "baseline":
                    folder = tmp / name / PARTS[0]
                    false_detections[name] = _count_detections(folder) if folder.is_dir() else 0
        else:
            threads = max(1, (os.cpu_count() or 1) // workers)
            with ProcessPoolExecutor(
                max_workers=workers, initializer=_init_worker, initargs=(detector, threads)
            ) as pool:
                results = pool.map(_detect_pair, [(detector, s, r) for _, s, r in jobs], chunksize=4)
                for (part, susp, src), (found, seconds, error) in zip(jobs, results, strict=True):
                    if error is not None:
                        refused.append(f"{part} {susp} {src}: {error}")
                        say(f"refused: {refused[-1]}")
                    for name, dets in found.items():
                        folder = tmp / name / part
                        folder.mkdir(parents=True, exist_ok=True)
                        write_detections(folder, susp, src, dets)
                        if part == PARTS[0]:
                            false_detections[name] += len(dets)
                    pair_seconds.append(seconds)
        timings["detector_s"] = time.perf_counter() - t0
        data["refused"] = refused
        say(f"{detector}: {len(jobs)} pairs in {timings['detector_s']:.1f} s")
        if baseline:
            t0 = time.perf_counter()
            for part in parts:
                run_baseline(chosen[part], base_root / part, workers)
                if part == PARTS[0]:
                    false_detections["baseline"] = _count_detections(base_root / part)
            timings["baseline_s"] = time.perf_counter() - t0
            say(f"PAN12 baseline: {len(jobs)} pairs in {timings['baseline_s']:.1f} s")
        if sample is not None:
            for part in parts:
                _link_truth(part, chosen[part], truth_root / part)
        t0 = time.perf_counter()
        for system in systems:
            root = tmp / system
            for part in parts:
                (root / part).mkdir(parents=True, exist_ok=True)
                scores[system][part] = evaluate(truth_root / part, root / part)
            if set(parts) == set(PARTS):
                scores[system]["overall"] = evaluate(truth_root, root)
        timings["evaluator_s"] = time.perf_counter() - t0
    timings["mean_pair_ms"] = 1000.0 * sum(pair_seconds) / max(1, len(pair_seconds))
    timings["median_pair_ms"] = 1000.0 * _median(pair_seconds)
    data["scores"] = scores
    data["timings"] = timings
    data["false_detections_01"] = false_detections
    data["date"] = started.strftime("%Y-%m-%d %H:%M UTC")
    command = "python -m benchmarks.pan" + (f" --sample {sample}" if sample is not None else "")
    command += f" --detector {detector}" + (f" --workers {workers}" if workers != WORKERS else "")
    command += f" --before {before}" if before is not None else ""
    data["command"] = command
    data["machine"] = _machine()
    title = "PAN 2013 text alignment (training corpus)"
    return {
        "title": title,
        "markdown": _markdown(data, scores, timings),
        "data": data,
        "headline": _headline(data, scores),
    }


def _median(values: Sequence[float]) -> float:
    ordered = sorted(values)
    if not ordered:
        return 0.0
    middle = len(ordered) // 2
    return ordered[middle] if len(ordered) % 2 else (ordered[middle - 1] + ordered[middle]) / 2


def _headline(data: dict[str, object], scores: dict[str, dict[str, dict[str, float]]]) -> list[str]:
    ours, base = scores["simcheck"], scores.get("baseline", {})
    key = "overall" if "overall" in ours else next(iter(ours), None)
    if key is None:
        return []
    short = {p: p.split("-", 1)[1].replace("-obfuscation", "") for p in PARTS}
    parts = ", ".join(
        f"{short[p]} {ours[p]['plagdet']:.3f}" + (f" ({base[p]['plagdet']:.3f})" if p in base else "")
        for p in PARTS[1:]
        if p in ours
    )
    size = "all pairs" if data["sample"] is None else f"{data['sample']} pairs per part"
    text = f"PAN 2013 training corpus ({size}, detector `{data['detector']}`): "
    text += f"plagdet {key} {ours[key]['plagdet']:.3f}"
    if key in base:
        text += f" vs PAN12 baseline {base[key]['plagdet']:.3f}"
    lines = [f"{text}; per part (baseline): {parts}"]
    lexical = scores.get("simcheck_lexical", {})
    if key in lexical:
        lines.append(f"PAN 2013, simcheck lexical evidence only: plagdet {key} {lexical[key]['plagdet']:.3f}")
    aligned = scores.get("simcheck_aligned", {})
    if key in aligned:
        lines.append(
            f"PAN 2013, simcheck evidence found by aligning words: plagdet {key} "
            f"{aligned[key]['plagdet']:.3f}"
        )
    return lines


def _machine() -> str:
    return f"{platform.machine()}, {os.cpu_count()} CPUs, Python {platform.python_version()}"


def _markdown(
    data: dict[str, object],
    scores: dict[str, dict[str, dict[str, float]]],
    timings: dict[str, float],
) -> str:
    pairs, systems, false_01 = data["pairs"], data["systems"], data["false_detections_01"]
    assert isinstance(pairs, dict) and isinstance(systems, dict) and isinstance(false_01, dict)
    lines = [
        f"Command: `{data['command']}` · date: {data['date']} · machine: {data['machine']}",
        "",
        "Every system scored by the official `pan13-text-alignment-eval.py` on the same pairs, in one run. "
        + (
            f"Sample: {data['sample']} pairs per part (seed {data['seed']})."
            if data["sample"] is not None
            else "All pairs of the training corpus."
        ),
        "",
        *(f"- `{name}`: {what}" for name, what in systems.items()),
        "",
        "| part | pairs | system | plagdet | recall | precision | granularity |",
        "|---|---:|---|---:|---:|---:|---:|",
    ]
    for part in [*PARTS, "overall"]:
        count = sum(pairs.values()) if part == "overall" else pairs.get(part)
        for name in systems:
            got = scores[name].get(part)
            if got is not None:
                lines.append("| " + " | ".join([part, str(count), f"`{name}`", *_fmt(got)]) + " |")
    lines += [
        "",
        "01-no-plagiarism has no cases: the evaluator gives 1.0 there only when nothing at all is detected; "
        "detections on those pairs: "
        + ", ".join(f"`{name}` {n}" for name, n in false_01.items())
        + ". Overall: all parts scored together (the evaluator's macro-averaged recall and precision over "
        "every case and every detection).",
        "",
        "Caveats: `simcheck.match.align`'s parameters were tuned on samples of this same training corpus "
        "(100 pairs per part, seed 2013; checked on 150 other pairs per part, seed 7), so these are not "
        "held-out numbers. The best published systems (plagdet 0.878, Sanchez-Perez et al., PAN 2014) were "
        "measured on the PAN13 *test* corpus, which is not in ../shared: compare with care. In the summary "
        "part the truth's source passage is always the whole source document, which a passage aligner "
        "only partly covers (recall is low by construction)."
        + (
            " The `simcheck` rows use every evidence passage of a pairwise compare, semantic ones "
            "included; PAN's source documents were chosen on the suspicious documents' topics, so topical "
            "passages that simcheck shows as semantic evidence count as false detections here."
            if data["detector"] == "simcheck"
            else ""
        ),
        "",
        f"Time: detector {timings['detector_s']:.1f} s "
        f"({timings['mean_pair_ms']:.0f} ms per pair in a worker, {data['workers']} processes)"
        + (
            f"; per pair, median (mean): this tree {timings['median_pair_ms']:.1f} ms "
            f"({timings['mean_pair_ms']:.1f}), before ({data['before']}) "
            f"{timings['before_median_pair_ms']:.1f} ms ({timings['before_mean_pair_ms']:.1f}), ratio "
            f"{timings['median_pair_ms'] / max(timings['before_median_pair_ms'], 1e-9):.2f}; both versions "
            "ran side by side"
            if "before_median_pair_ms" in timings
            else ""
        )
        + (f", PAN12 baseline {timings['baseline_s']:.1f} s" if "baseline_s" in timings else "")
        + f", evaluator {timings['evaluator_s']:.1f} s.",
        "",
    ]
    refused = data.get("refused") or []
    if refused:
        lines += [
            f"simcheck refused {len(refused)} pair(s) with a one-line input error (scored as no detection):",
            "",
            *(f"- {line}" for line in refused[:20]),
            "",
        ]
    return "\n".join(lines)


def _fmt(s: dict[str, float]) -> list[str]:
    return [f"{s['plagdet']:.3f}", f"{s['recall']:.3f}", f"{s['precision']:.3f}", f"{s['granularity']:.3f}"]


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.pan", description=__doc__.split("\n")[0])
    parser.add_argument("--sample", type=int, default=None, help="pairs per part (fixed seed); default: all")
    parser.add_argument("--detector", choices=("align", "simcheck"), default=None)
    parser.add_argument("--workers", type=int, default=WORKERS)
    parser.add_argument("--parts", nargs="+", default=list(PARTS), choices=PARTS)
    parser.add_argument("--no-baseline", action="store_true", help="skip the PAN12 baseline (tuning only)")
    parser.add_argument(
        "--before", default=None, metavar="REV", help="also run the simcheck of this git revision (same run)"
    )
    parser.add_argument("-o", "--output", type=Path, default=None, help="also write the markdown here")
    parser.add_argument(
        "--record",
        default=None,
        metavar="KEY",
        help="store the result as section KEY of benchmarks/results.json and re-render RESULTS.md",
    )
    args = parser.parse_args(argv)
    load_before = os.getloadavg()[0]
    result = run(
        quick=False,
        sample=args.sample,
        detector=args.detector,
        workers=args.workers,
        parts=args.parts,
        baseline=not args.no_baseline,
        progress=lambda msg: print(msg, file=sys.stderr),
        before=args.before,
    )
    markdown = f"## {result['title']}\n\n{result['markdown']}"
    print(markdown)
    if args.output is not None:
        args.output.write_text(markdown, encoding="utf-8")
    if args.record:
        _record(args.record, result, load_before)
    return 0


def _record(key: str, result: dict[str, object], load_before: float) -> None:
    """Store a run as one section of ``benchmarks/results.json`` and re-render ``RESULTS.md``."""
    from benchmarks import results

    data = result["data"]
    assert isinstance(data, dict)
    sections = results.load(results.RESULTS_JSON)
    machine = dict(results.machine(), load_1min=[round(load_before, 1), round(os.getloadavg()[0], 1)])
    sections[key] = results.Section(
        key=key,
        title=f"{result['title']}, detector {data['detector']}"
        + (f": before ({data['before']}) and after, one run" if "before" in data else ""),
        markdown=str(result["markdown"]),
        command=str(data["command"]),
        date=results.now(),
        machine=machine,
        data=data,
        headline=tuple(str(line) for line in result.get("headline", ()) or ()),  # type: ignore[attr-defined]
    )
    results.write(sections, results.RESULTS_MD, results.RESULTS_JSON)


if __name__ == "__main__":
    raise SystemExit(main())

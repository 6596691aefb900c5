"""Detection quality on real data: planted copies, paired translations, innocent drafts.

Every number uses the real default model (all-MiniLM-L6-v2) and real on-disk indexes of
``../shared/corpus``; nothing from ``../shared`` is copied into the repository.

- ``planted``: the drafts of ``benchmarks.planted`` (hosts = the held-out plays, which are not indexed;
  sources = the indexed plays) compared with the index of the references without the held-out plays,
  by simcheck and by the peers of ``benchmarks.peers`` on the same drafts. A case is *detected* when
  some piece of evidence (a hit, for the peers) points from planted text in the draft to the planted
  passage in the right source script (both spans overlap the ground truth). *Char recall*: the share
  of planted draft characters covered by such evidence. *False matches*: host scenes (original text)
  with any match, per 100 host scenes. Rows for simcheck count matches at or above each level.
- ``translations``: index translation A with the corpus as distractors, compare translation B; for
  each B scene, is the corresponding A scene simcheck's best match (top 1) or among its 3 best
  (top 3), and does A rank first among the references.
- ``innocent``: each held-out play compared with the index of the other plays: matches per level
  (medium and high must be 0), per 100 scenes.
"""

from __future__ import annotations

import functools
import json
import statistics
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from benchmarks import planted as planted_mod
from benchmarks.context import CORPUS, TRANSLATIONS, Context, rel
from benchmarks.peers import COPYDETECT_K, SEMANTIC_THRESHOLDS, CopydetectPeer, Hit, SemanticBaseline
from benchmarks.results import table

LEVELS = ("low", "medium", "high")


def _level_rank(level: str | None) -> int:
    return LEVELS.index(level) + 1 if level in LEVELS else 0


def _resolve(path: str) -> str:
    return str(Path(path).resolve())


def _overlaps(a0: int, a1: int, b0: int, b1: int) -> bool:
    return a0 < b1 and b0 < a1


def _pct(k: int, n: int) -> str:
    return f"{k}/{n} ({100 * k / n:.0f}%)" if n else "-"


def report_hits(report: dict[str, Any]) -> list[Hit]:
    """simcheck's evidence as hits; ``score`` is the match's level rank (1 low .. 3 high)."""
    hits: list[Hit] = []
    for match in report.get("matches", []):
        if match.get("allowed"):
            continue
        rank = float(_level_rank(match.get("level")))
        reference = _resolve(match["reference"])
        for ev in match.get("evidence", []):
            hits.append(
                Hit(
                    ev["draft"]["start"],
                    ev["draft"]["end"],
                    reference,
                    ((ev["reference"]["start"], ev["reference"]["end"]),),
                    rank,
                )
            )
    return hits


@dataclass(frozen=True)
class CaseScore:
    detected: bool
    char_recall: float
    false_scenes: int  # host scenes with any hit
    host_scenes: int


def score_case(case: planted_mod.PlantedCase, hits: Sequence[Hit], min_score: float) -> CaseScore:
    kept = [h for h in hits if h.score >= min_score]
    segs = case.segments
    source = _resolve(case.source)
    correct = [
        h
        for h in kept
        if h.reference == source
        and any(_overlaps(h.draft_start, h.draft_end, s.draft_start, s.draft_end) for s in segs)
        and any(_overlaps(r0, r1, s.source_start, s.source_end) for r0, r1 in h.ref_spans for s in segs)
    ]
    total = sum(s.draft_end - s.draft_start for s in segs)
    covered = 0
    for s in segs:
        spans = sorted(
            (max(h.draft_start, s.draft_start), min(h.draft_end, s.draft_end))
            for h in correct
            if _overlaps(h.draft_start, h.draft_end, s.draft_start, s.draft_end)
        )
        end = s.draft_start
        for a, b in spans:
            a = max(a, end)
            if b > a:
                covered += b - a
                end = b
    host = [sc for sc in case.scenes if not sc.planted]
    false = sum(
        1 for sc in host if any(_overlaps(h.draft_start, h.draft_end, sc.start, sc.end) for h in kept)
    )
    return CaseScore(bool(correct), covered / total if total else 0.0, false, len(host))


def _compare(draft: str | Path, index: Any, embedder: Any) -> tuple[dict[str, Any], float]:
    from simcheck.compare import compare
    from simcheck.settings import CompareSettings

    t0 = time.perf_counter()
    # absolute paths: the scoring below matches reported references with the files it planted from
    settings = CompareSettings(absolute_paths=True)
    report = compare(str(draft), index=index, embedder=embedder, settings=settings).to_dict()
    return report, time.perf_counter() - t0


# --- planted cases -----------------------------------------------------------------------------


def planted(ctx: Context) -> dict[str, Any]:
    plan = ctx.get_plan()
    index_path = ctx.distractor_index()
    index = ctx.open_index(index_path)
    embedder = ctx.embedder()
    calibration_s, _ = ctx.calibrate(index)
    hosts = [p for p in plan.held_out if "/plays/" in str(p)]
    out = ctx.workdir / "planted"
    cases = planted_mod.generate(
        out,
        hosts=hosts,
        sources=plan.distractors,
        per_obfuscation=plan.per_obfuscation,
        seed=ctx.seed,
        host_scenes_per_case=plan.host_scenes_per_case,
        obfuscations=plan.obfuscations,
    )
    ctx.progress(f"planted: {len(cases)} cases generated in {out}")

    systems: dict[str, dict[str, Any]] = {}

    def record(
        name: str,
        per_case_hits: list[list[Hit]],
        seconds: list[float],
        thresholds: Sequence[tuple[str, float]],
    ) -> None:
        for label, threshold in thresholds:
            scores = [score_case(c, h, threshold) for c, h in zip(cases, per_case_hits, strict=True)]
            systems[f"{name} {label}".strip()] = {"scores": scores, "seconds": seconds}

    # simcheck
    hits_all: list[list[Hit]] = []
    secs: list[float] = []
    details: list[dict[str, Any]] = []
    for i, case in enumerate(cases):
        report, seconds = _compare(case.draft_path, index, embedder)
        hits_all.append(report_hits(report))
        secs.append(seconds)
        details.append(_case_detail(case, report))
        if (i + 1) % 10 == 0 or i + 1 == len(cases):
            ctx.progress(f"planted: simcheck {i + 1}/{len(cases)}")
    record("simcheck", hits_all, secs, [(f">= {lv}", float(r)) for r, lv in enumerate(LEVELS, 1)])

    # semantic baseline
    baseline = SemanticBaseline(index, embedder.model)
    hits_all, secs = [], []
    for case in cases:
        t0 = time.perf_counter()
        hits_all.append(baseline.search(case.draft_path, min(SEMANTIC_THRESHOLDS)))
        secs.append(time.perf_counter() - t0)
    record("semantic baseline", hits_all, secs, [(f"cos >= {t}", t) for t in SEMANTIC_THRESHOLDS])
    ctx.progress("planted: semantic baseline done")

    # copydetect
    copydetect_build: dict[int, float] = {}
    for k in COPYDETECT_K:
        peer = ctx.cached(
            ("copydetect", plan.distractors, k), functools.partial(CopydetectPeer, plan.distractors, k)
        )
        copydetect_build[k] = peer.build_seconds
        hits_all, secs = [], []
        for case in cases:
            t0 = time.perf_counter()
            hits_all.append(peer.search(case.draft_path))
            secs.append(time.perf_counter() - t0)
        record(f"copydetect k={k}", hits_all, secs, [("", 0.0)])
        ctx.progress(f"planted: copydetect k={k} done")

    obfs = list(plan.obfuscations)
    header = ["system", *obfs, "all", "char recall", "false matches / 100 host scenes", "s / draft"]
    rows: list[list[Any]] = []
    data_systems: dict[str, Any] = {}
    n_host = sum(sc.host_scenes for sc in systems["simcheck >= low"]["scores"])
    for name, entry in systems.items():
        scores: list[CaseScore] = entry["scores"]
        per: dict[str, Any] = {}
        row: list[Any] = [name]
        for obf in obfs:
            sel = [s for c, s in zip(cases, scores, strict=True) if c.obfuscation == obf]
            det = sum(s.detected for s in sel)
            per[obf] = {"detected": det, "cases": len(sel)}
            row.append(_pct(det, len(sel)))
        det_all = sum(s.detected for s in scores)
        false = sum(s.false_scenes for s in scores)
        char = statistics.fmean(s.char_recall for s in scores)
        med = statistics.median(entry["seconds"])
        row += [
            _pct(det_all, len(scores)),
            f"{char:.2f}",
            f"{100 * false / n_host:.1f} ({false}/{n_host})",
            f"{med:.2f}",
        ]
        rows.append(row)
        data_systems[name] = {
            "per_obfuscation": per,
            "detected": det_all,
            "cases": len(scores),
            "char_recall": char,
            "false_scenes": false,
            "host_scenes": n_host,
            "median_s_per_draft": med,
        }
    sim = data_systems["simcheck >= low"]
    sim_med = data_systems["simcheck >= medium"]
    headline = [
        f"planted copies: simcheck detects {sim['detected']}/{sim['cases']} at level >= low "
        f"({sim_med['detected']}/{sim_med['cases']} at >= medium), "
        f"{100 * sim['false_scenes'] / n_host:.1f} false matches per 100 original host scenes"
    ]
    for name in ("semantic baseline cos >= 0.7", f"copydetect k={COPYDETECT_K[0]}"):
        d = data_systems[name]
        headline.append(
            f"planted copies, peer {name}: {d['detected']}/{d['cases']} detected, "
            f"{100 * d['false_scenes'] / n_host:.1f} false matches per 100 host scenes"
        )
    md = (
        f"{len(cases)} drafts ({plan.per_obfuscation} per obfuscation, seed {ctx.seed}), each "
        f"{plan.host_scenes_per_case} original scenes of a held-out play (host, not indexed) plus one "
        "planted "
        f"piece from an indexed script; {n_host} host scenes in all. Index: the references without the "
        f"held-out plays ({len(plan.distractors)} scripts, {int(index.n_passages)} passages). Held out: "
        + ", ".join(f"`{Path(p).stem}`" for p in plan.held_out)
        + ".\n\nObfuscations: verbatim (a run of 5+ speeches, 120-350 words, as a new scene), renamed (same, "
        "every speaker renamed in cues and text), word_edits (same, ~15% of dialogue words replaced/deleted/"
        "swapped), partial (first ~55% of 3-5 consecutive speeches dropped inside an original scene), "
        "shuffled (the speeches in another order). Detected = evidence from planted draft text to the "
        "planted "
        "passage of the right source (both spans overlap the ground truth). False matches = original host "
        "scenes with any match (simcheck: at or above the level; peers: any hit). Peers: see "
        "`benchmarks/peers.py` (semantic baseline = `util.semantic_search` top 5 over all "
        f"{int(index.n_passages)} reference passages, thresholded; copydetect 0.5.0 on raw text, winnowing "
        "window 1). s / draft = median seconds per draft with the model loaded (copydetect: reference "
        "fingerprints built once, "
        + ", ".join(f"k={k}: {s:.1f} s" for k, s in copydetect_build.items())
        + f"; simcheck: not counting the index's one-off calibration, {calibration_s:.0f} s).\n\n"
        + table(header, rows, align="l" * len(header))
    )
    (out / "details.json").write_text(json.dumps(details, indent=1), encoding="utf-8")
    return {
        "title": "Planted copies: recall per obfuscation and false matches, simcheck vs peers",
        "markdown": md,
        "data": {"systems": data_systems, "cases": details, "seed": ctx.seed},
        "headline": headline,
    }


def _case_detail(case: planted_mod.PlantedCase, report: dict[str, Any]) -> dict[str, Any]:
    source = _resolve(case.source)
    span = case.planted_span
    matches = []
    for m in report.get("matches", []):
        scene = next((s for s in report["draft"]["scenes"] if s["number"] == m["draft_scene"]), None)
        planted_scene = bool(scene and _overlaps(scene["start"], scene["end"], span[0], span[1]))
        matches.append(
            {
                "draft_scene": m["draft_scene"],
                "reference": rel(m["reference"]),
                "right_source": _resolve(m["reference"]) == source,
                "planted_scene": planted_scene,
                "level": m["level"],
                "score": m["score"],
                "evidence": [e["kind"] for e in m.get("evidence", [])],
            }
        )
    return {
        "id": case.id,
        "obfuscation": case.obfuscation,
        "source": rel(case.source),
        "host": rel(case.host),
        "matches": matches,
    }


# --- translations --------------------------------------------------------------------------------


def _heading_ordinals(scenes: Sequence[dict[str, Any]] | Sequence[Any]) -> dict[int, int]:
    """scene number -> 1-based index among scenes that have a heading."""
    out: dict[int, int] = {}
    k = 0
    for s in scenes:
        heading = s["heading"] if isinstance(s, dict) else s.heading
        number = s["number"] if isinstance(s, dict) else s.number
        if heading:
            k += 1
            out[number] = k
    return out


def translations(ctx: Context) -> dict[str, Any]:
    from simcheck.read import read_script

    plan = ctx.get_plan()
    pairs = []
    for name in plan.translation_pairs:
        folder = TRANSLATIONS / name
        truth = json.loads((folder / "truth.json").read_text(encoding="utf-8"))
        same = truth["a"].get("same_as")
        a_path = ((CORPUS.parent / same) if same else (folder / truth["a"]["file"])).resolve()
        pairs.append((name, truth, a_path, (folder / truth["b"]["file"]).resolve()))
    files = sorted(set(plan.references) | {a for _, _, a, _ in pairs})
    index_path = ctx.index_of("translations", files, base=ctx.reference_index())
    index = ctx.open_index(index_path)
    embedder = ctx.embedder()
    calibration_s, _ = ctx.calibrate(index)
    baseline = SemanticBaseline(index, embedder.model)

    rows: list[list[Any]] = []
    detail_rows: list[list[Any]] = []
    data: dict[str, Any] = {"pairs": []}
    tot = {"scenes": 0, "top1": 0, "top3": 0, "base_top1": 0, "source_first": 0}
    for name, truth, a_path, b_path in pairs:
        report, seconds = _compare(b_path, index, embedder)
        a_key = str(a_path)
        a_ord = _heading_ordinals(read_script(a_path).scenes)
        b_ord = _heading_ordinals(report["draft"]["scenes"])
        by_b: dict[int, list[tuple[float, str, int]]] = {}
        for m in report.get("matches", []):
            b = b_ord.get(m["draft_scene"])
            if b is None:
                continue
            ref = _resolve(m["reference"])
            by_b.setdefault(b, []).append(
                (-float(m["score"]), ref, a_ord.get(m["reference_scene"], -1) if ref == a_key else -1)
            )
        votes = baseline.vote_scenes(b_path)
        votes_b = {b_ord[s]: v for s, v in votes.items() if s in b_ord}
        refs = sorted(report.get("references", []), key=lambda r: -float(r["score"]))
        ranks = [i for i, r in enumerate(refs, 1) if _resolve(r["path"]) == a_key]
        source_rank = ranks[0] if ranks else None
        n = top1 = top3 = base1 = 0
        for entry in truth["scenes"]:
            b = entry["b_scene"]
            want = set(entry["a_scenes"])
            ranked = [(ref, sc) for _, ref, sc in sorted(by_b.get(b, []))]
            hit1 = bool(ranked) and ranked[0][0] == a_key and ranked[0][1] in want
            hit3 = any(ref == a_key and sc in want for ref, sc in ranked[:3])
            voted = votes_b.get(b, [])
            base_hit = bool(voted) and voted[0][0] == a_key and a_ord.get(voted[0][1], -1) in want
            n += 1
            top1 += hit1
            top3 += hit3
            base1 += base_hit
            best = f"{Path(ranked[0][0]).stem} #{ranked[0][1]}" if ranked else "no match"
            detail_rows.append(
                [
                    name,
                    b,
                    entry["b_heading"][:40],
                    ",".join(map(str, sorted(want))),
                    best,
                    "yes" if hit1 else "no",
                    "yes" if hit3 else "no",
                    "yes" if base_hit else "no",
                ]
            )
        rows.append(
            [
                name,
                truth["relation"],
                n,
                _pct(top1, n),
                _pct(top3, n),
                _pct(base1, n),
                source_rank if source_rank else "not matched",
                f"{seconds:.1f}",
            ]
        )
        data["pairs"].append(
            {
                "pair": name,
                "scenes": n,
                "top1": top1,
                "top3": top3,
                "baseline_top1": base1,
                "source_rank": source_rank,
                "seconds": seconds,
                "references": [(rel(r["path"]), r["score"], r["level"]) for r in refs[:5]],
            }
        )
        tot["scenes"] += n
        tot["top1"] += top1
        tot["top3"] += top3
        tot["base_top1"] += base1
        tot["source_first"] += source_rank == 1
        ctx.progress(f"translations: {name} top1 {top1}/{n}")
    md = (
        f"Index: the references ({len(plan.references)} scripts) plus each pair's translation A "
        f"({len(files)} scripts, {int(index.n_passages)} passages); translation B compared with "
        "`simcheck.compare`. A B scene is top 1 when its best-scoring match is the corresponding A scene "
        "(`truth.json`), top 3 when that scene is among its 3 best matches; a B scene with no match counts "
        "as a miss. Source rank: A's place among the references, by score. Peer: the semantic baseline's "
        "top-1 neighbour of every B passage votes for a reference scene; the scene with most votes. "
        "s = seconds for the compare, model loaded (not counting the index's one-off calibration, "
        f"{calibration_s:.0f} s).\n\n"
        + table(
            ["pair", "relation", "B scenes", "top 1", "top 3", "baseline top 1", "source rank", "s"],
            rows,
            align="llrlllll",
        )
        + "\n\nPer scene:\n\n"
        + table(
            ["pair", "B scene", "heading", "A scene(s)", "simcheck best", "top 1", "top 3", "baseline top 1"],
            detail_rows,
            align="lrllllll",
        )
    )
    data["total"] = tot
    headline = [
        f"translations: correct A scene top 1 for {tot['top1']}/{tot['scenes']} B scenes, top 3 for "
        f"{tot['top3']}/{tot['scenes']}; source play ranked first in {tot['source_first']}/{len(pairs)} pairs"
    ]
    return {
        "title": "Paired translations: scene correspondence and source rank",
        "markdown": md,
        "data": data,
        "headline": headline,
    }


# --- innocent drafts -------------------------------------------------------------------------------


def innocent(ctx: Context) -> dict[str, Any]:
    plan = ctx.get_plan()
    index = ctx.open_index(ctx.distractor_index())
    embedder = ctx.embedder()
    calibration_s, _ = ctx.calibrate(index)
    baseline = SemanticBaseline(index, embedder.model)
    k = max(COPYDETECT_K)
    copy_peer = ctx.cached(
        ("copydetect", plan.distractors, k), functools.partial(CopydetectPeer, plan.distractors, k)
    )
    rows: list[list[Any]] = []
    data: dict[str, Any] = {"plays": []}
    totals = {
        "scenes": 0,
        "words": 0,
        "low": 0,
        "medium": 0,
        "high": 0,
        "scenes_low": 0,
        "base": 0,
        "copy": 0,
    }
    flagged: list[list[Any]] = []
    for play in plan.innocent:
        report, seconds = _compare(play, index, embedder)
        scenes = report["draft"]["scenes"]
        words = int(report["draft"].get("words") or 0)
        counts = {lv: 0 for lv in LEVELS}
        scenes_with = set()
        for m in report.get("matches", []):
            if m.get("allowed"):
                continue
            counts[m["level"]] += 1
            scenes_with.add(m["draft_scene"])
            if m["level"] != "low":
                flagged.append(
                    [
                        Path(play).stem,
                        m["draft_scene"],
                        rel(m["reference"]),
                        m["reference_scene"],
                        m["level"],
                        m["score"],
                        ",".join(sorted({e["kind"] for e in m.get("evidence", [])})),
                    ]
                )
        spans = [(s["start"], s["end"]) for s in scenes]

        def scenes_hit(hits: list[Hit], spans: list[tuple[int, int]] = spans) -> int:
            return sum(1 for a, b in spans if any(_overlaps(h.draft_start, h.draft_end, a, b) for h in hits))

        base_scenes = scenes_hit(baseline.search(play, 0.8))
        copy_scenes = scenes_hit(copy_peer.search(play))
        n = len(scenes)
        rows.append(
            [
                Path(play).stem,
                n,
                words,
                counts["high"],
                counts["medium"],
                counts["low"],
                f"{100 * counts['low'] / n:.1f}",
                base_scenes,
                copy_scenes,
                f"{seconds:.1f}",
            ]
        )
        data["plays"].append(
            {
                "play": rel(play),
                "scenes": n,
                "words": words,
                **counts,
                "scenes_with_match": len(scenes_with),
                "baseline_scenes_cos08": base_scenes,
                "copydetect_scenes": copy_scenes,
                "seconds": seconds,
            }
        )
        totals["scenes"] += n
        totals["words"] += words
        for lv in LEVELS:
            totals[lv] += counts[lv]
        totals["scenes_low"] += len(scenes_with)
        totals["base"] += base_scenes
        totals["copy"] += copy_scenes
        ctx.progress(f"innocent: {Path(play).stem}: {counts}")
    n = totals["scenes"]
    rows.append(
        [
            "**all**",
            n,
            totals["words"],
            totals["high"],
            totals["medium"],
            totals["low"],
            f"{100 * totals['low'] / n:.1f}",
            totals["base"],
            totals["copy"],
            "",
        ]
    )
    md = (
        f"Each held-out play compared with the index of the references without the held-out plays "
        f"({len(plan.distractors)} scripts, {int(index.n_passages)} passages). None of them copies another, "
        "so every match is a false match; medium and high must be 0. Low matches per 100 scenes. Note that "
        "a 'scene' of a play can be a whole act. Peers, for contrast: scenes with any semantic-baseline hit "
        "at "
        f"cosine >= 0.8, and scenes with any copydetect (k={max(COPYDETECT_K)}) slice. s = seconds for "
        "simcheck's compare, model loaded (not counting the index's one-off calibration, "
        f"{calibration_s:.0f} s).\n\n"
        + table(
            [
                "play",
                "scenes",
                "words",
                "high",
                "medium",
                "low",
                "low / 100 scenes",
                "baseline scenes",
                "copydetect scenes",
                "s",
            ],
            rows,
            align="lrrrrrrrrr",
        )
    )
    if flagged:
        md += "\n\nMedium/high matches (each one a false accusation to fix):\n\n" + table(
            ["play", "draft scene", "reference", "ref scene", "level", "score", "evidence"],
            flagged,
            align="lrlrlrl",
        )
    data["totals"] = totals
    data["flagged"] = flagged
    headline = [
        f"innocent plays: {totals['high']} high and {totals['medium']} medium matches (must be 0), "
        f"{100 * totals['low'] / n:.1f} low matches per 100 scenes ({len(plan.innocent)} plays, {n} scenes)"
    ]
    return {"title": "Innocent drafts: false matches", "markdown": md, "data": data, "headline": headline}

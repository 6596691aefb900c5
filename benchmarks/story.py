"""Story proximity: a plot retold with new names and new wording, found or not, and at what cost.

The ``story`` part of ``python -m benchmarks`` (group quality). Real model (all-MiniLM-L6-v2), real
on-disk indexes of ``../shared/corpus``; the drafts are generated at run time by
``benchmarks.story_variants`` from the 20 prose retellings of ``../shared/dev/retellings`` (never
written into the project). What it measures, in one run:

1. Retellings, per variant kind (20 drafts each): compared with the index of the whole corpus through
   one ``simcheck.compare.Comparer`` (a draft is one of the kinds of ``story_variants.KINDS``). Is the
   right play the report's first reference (references as the report orders them) at level >= medium;
   first at any level; the right play's story level (``references[].story.level``; none when there is
   no story finding); the median of its story chain's coverage of the draft; and the share of chain
   links whose reference scene is one the ground truth allows (``story_variants`` locates the original
   retelling's quotations in the play), where the truth is known.
2. Peers on the same drafts, in the same run: a document-level embedding baseline (the mean of the
   draft's passage vectors against the mean passage vector of every indexed script, cosine; first =
   the right play has the highest cosine) and copydetect (``benchmarks.peers``, k=25; first = the
   right play is the reference with the most copied draft characters).
3. Controls: innocent drafts compared with an index that does not hold them: the held-out plays of
   the quality plan, a few screenplays of the corpus, and the ``both`` variant (renamed, no quotes) of
   every retelling with its play (and every other retold play) taken out of the index, so that each
   prose draft is compared with the plays it does not retell. Every story finding and every reference
   at medium or above is false (target 0).
4. Translations (``../shared/dev/translations``): translation B compared with the corpus plus A: A's
   rank, its level, its story level and the story chain's coverage of B (target >= 0.6).
5. PAN 2013 text alignment, training corpus: summary obfuscation (part 5) and a small sample of the
   other parts through a pairwise compare, scored by the official evaluator: the match evidence alone,
   and the match evidence with the report's condensations (``references[].condensed``: a short draft
   stretch telling a longer reference stretch, one detection) and the story chain's links (draft and
   reference spans as detections); with
   the story layer off (``CompareSettings(story=False)``) as well, when simcheck has that setting.
6. Cost: compare time of a 120-page draft with the story layer on and off (median of 7 runs each,
   alternated, each setting first in turn).

Environment: ``SIMCHECK_STORY_INDEX`` names an existing index of the whole corpus to start from (copied
into the run's cache, never modified), which saves building one (~5 min on 2 cores).

Before the story layer lands (simcheck without a ``story`` setting) the numbers are the *before*
column: the section keeps them, and a later run shows them beside its own.
"""

from __future__ import annotations

import dataclasses
import functools
import json
import os
import random
import statistics
import tempfile
import time
from collections import Counter
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from benchmarks import story_variants as sv
from benchmarks.context import CORPUS, QUICK_REFERENCES, SHARED, TRANSLATIONS, Context, log, rel
from benchmarks.results import table

LEVELS = ("low", "medium", "high")
STORY_LEVELS = ("none", *LEVELS)
INDEX_ENV = "SIMCHECK_STORY_INDEX"
COPYDETECT_K = 25  # copydetect's default noise threshold (characters)
CONTROL_SCREENPLAYS = 5  # screenplays taken out of the control index and compared with it
CONTROL_MIN_WORDS = 300  # ...among those at least this long (the corpus's are 8-1,300 words)
# PAN pairs of part 5 (summary) in a full run (None: all 1,185; quick: QUICK_PAN). Not a sample: the
# fixed sample of 120 once read plagdet 0.708 where the whole part reads 0.523.
PAN_SUMMARY_SAMPLE: int | None = None
PAN_OTHER_SAMPLE = 12  # pairs of each other part in a full run (a check that they are not lowered)
QUICK_PAN = 2  # pairs per part (part 5 and one other) in a quick run
COST_RUNS = 7  # compares per draft and setting (median); single compares vary by up to a fifth on 2 cores
QUICK_STORIES = ("comedy-of-errors", "macbeth")  # retellings of a quick run (their plays indexed)
QUICK_PROSE_CONTROL = "hamlet"  # a quick run's prose control: its play is not in the quick index
QUICK_SCREENPLAY = "screenplays/pulpit-fire.fountain"  # not among the quick references


def _level_rank(level: Any) -> int:
    return LEVELS.index(level) + 1 if level in LEVELS else 0


def story_of(ref: dict[str, Any]) -> dict[str, Any]:
    """A reference's story finding (``references[].story``), or {} when it has none (or before the
    story layer exists)."""
    story = ref.get("story")
    return story if isinstance(story, dict) else {}


def story_level(ref: dict[str, Any] | None) -> str:
    level = story_of(ref or {}).get("level")
    return level if level in LEVELS else "none"


def has_story_setting() -> bool:
    from simcheck.settings import CompareSettings

    return "story" in {f.name for f in dataclasses.fields(CompareSettings)}


def compare_settings(story: bool | None = None, absolute: bool = True) -> Any:
    """CompareSettings with absolute reference paths; ``story`` set when simcheck has the setting."""
    from simcheck.settings import CompareSettings

    kwargs: dict[str, Any] = {"absolute_paths": absolute}
    if story is not None and has_story_setting():
        kwargs["story"] = story
    return CompareSettings(**kwargs)


def _resolve(path: str | Path) -> str:
    return str(Path(path).resolve())


def _median(values: Sequence[float]) -> float:
    return float(statistics.median(values)) if values else 0.0


def _pct(k: int, n: int) -> str:
    return f"{k}/{n}" if n else "-"


# --- the plan ----------------------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class StoryPlan:
    stories: tuple[str, ...]  # retellings whose variants are compared with the main index
    references: tuple[Path, ...]  # the main index
    held_out: tuple[Path, ...]  # innocent plays (controls)
    screenplays: tuple[Path, ...]  # innocent screenplays (controls)
    prose_controls: tuple[str, ...]  # retellings compared (kind ``both``) with the control index
    translation_pairs: tuple[str, ...]
    pan_samples: dict[str, int | None]  # PAN part -> pairs (None: all)
    cost_drafts: tuple[tuple[str, Path, bool], ...]  # (label, file, copied: retitle it)


def make_plan(ctx: Context) -> StoryPlan:
    from benchmarks import pan, speed

    truth = {name: play for name, _, play in sv.load_truth()}
    if ctx.quick:
        plays = {(SHARED / truth[s]).resolve() for s in QUICK_STORIES}
        refs = {(CORPUS / r).resolve() for r in QUICK_REFERENCES} | plays
        n = ctx.sample or QUICK_PAN
        return StoryPlan(
            stories=QUICK_STORIES,
            references=tuple(sorted(refs)),
            held_out=(),
            screenplays=((CORPUS / QUICK_SCREENPLAY).resolve(),),
            prose_controls=(QUICK_PROSE_CONTROL,),
            translation_pairs=(),
            pan_samples={pan.PARTS[4]: n, pan.PARTS[1]: n},
            cost_drafts=(("original (not indexed)", speed.QUICK_ORIGINAL, False),),
        )
    plan = ctx.get_plan()
    screenplays = sorted(
        p
        for p in plan.references
        if "/screenplays/" in str(p) and sv.words(p.read_text("utf-8")) >= CONTROL_MIN_WORDS
    )
    chosen = sorted(random.Random(ctx.seed).sample(screenplays, min(CONTROL_SCREENPLAYS, len(screenplays))))
    samples: dict[str, int | None] = {part: PAN_OTHER_SAMPLE for part in pan.PARTS}
    samples[pan.PARTS[4]] = ctx.sample or PAN_SUMMARY_SAMPLE
    return StoryPlan(
        stories=tuple(sorted(truth)),
        references=tuple(plan.references),
        held_out=tuple(plan.held_out),
        screenplays=tuple(chosen),
        prose_controls=tuple(sorted(truth)),
        translation_pairs=tuple(plan.translation_pairs),
        pan_samples=samples,
        cost_drafts=(
            ("original, first 120 pages (not indexed)", speed.ORIGINAL_DRAFT, False),
            ("copied, first 120 pages (indexed play)", speed.COPIED_DRAFT, True),
        ),
    )


def main_index(ctx: Context, plan: StoryPlan) -> Path:
    """The index of ``plan.references``: from ``$SIMCHECK_STORY_INDEX`` (copied) when set, else the
    context's (built once per run, or found in ``--cache-dir``)."""
    given = os.environ.get(INDEX_ENV)
    if given and not ctx.quick:
        return ctx.index_of("story-main", plan.references, base=Path(given))
    if ctx.quick:
        return ctx.index_of("story-quick", plan.references)
    return ctx.reference_index()


# --- comparing -------------------------------------------------------------------------------------


class Runner:
    """One ``Comparer`` per setting over one index; reports as dicts, in the input order."""

    def __init__(self, ctx: Context, index_path: Path) -> None:
        from simcheck.compare import Comparer, Source

        self.ctx = ctx
        self.index = ctx.open_index(index_path)
        self.calibration_s, _ = ctx.calibrate(self.index)
        embedder = ctx.embedder()
        source = Source(str(index_path), "index")
        self.comparers = {
            "on": Comparer(self.index, embedder, compare_settings(True), source),
        }
        if has_story_setting():
            self.comparers["off"] = Comparer(self.index, embedder, compare_settings(False), source)

    def compare(self, paths: Sequence[Path], setting: str = "on") -> tuple[list[dict[str, Any]], float]:
        from simcheck.compare import read_drafts

        t0 = time.perf_counter()
        reports = self.comparers[setting].compare_scripts(read_drafts([str(p) for p in paths]))
        return [r.to_dict() for r in reports], time.perf_counter() - t0


def _first(report: dict[str, Any]) -> dict[str, Any] | None:
    refs = [r for r in report.get("references", []) if not r.get("allowed")]
    return refs[0] if refs else None


def _find(report: dict[str, Any], play: str) -> tuple[int | None, dict[str, Any] | None]:
    refs = [r for r in report.get("references", []) if not r.get("allowed")]
    for rank, ref in enumerate(refs, 1):
        if _resolve(ref["path"]) == play:
            return rank, ref
    return None, None


def score_draft(report: dict[str, Any], play: str, paragraphs: Sequence[dict[str, Any]]) -> dict[str, Any]:
    """What one retelling draft's report says about the right play."""
    first = _first(report)
    rank, ref = _find(report, play)
    story = story_of(ref or {})
    chain = story.get("chain") or []
    with_truth = on_truth = 0
    for link in chain:
        span = link.get("draft") or {}
        allowed: set[int] = set()
        for para in paragraphs:
            if para["scenes"] and para["start"] < span.get("end", -1) and span.get("start", 0) < para["end"]:
                allowed.update(para["scenes"])
        if allowed:
            with_truth += 1
            on_truth += link.get("reference_scene") in allowed
    return {
        "rank": rank,
        "first": rank == 1,
        "first_medium": rank == 1 and _level_rank((ref or {}).get("level")) >= 2,
        "level": (ref or {}).get("level", "none"),
        "story_level": story_level(ref),
        "story_score": story.get("score"),
        "story_coverage": float(story.get("coverage") or 0.0),
        "chain_links": len(chain),
        "chain_with_truth": with_truth,
        "chain_on_truth": on_truth,
        "first_reference": rel(first["path"]) if first else None,
        "first_level": first["level"] if first else None,
        "first_story_level": story_level(first),
    }


# --- peers -----------------------------------------------------------------------------------------


class DocumentBaseline:
    """The mean of a draft's passage vectors against each indexed script's mean passage vector
    (cosine): the obvious document-level use of sentence embeddings."""

    def __init__(self, index: Any, embedder: Any) -> None:
        self.embedder = embedder
        n = int(index.n_passages)
        ids = np.arange(n, dtype=np.int64)
        script_of = np.array([p.script_id for p in index.passages(ids)], dtype=np.int64)
        vectors = np.asarray(index.vectors(ids), dtype=np.float32)
        paths = {s.id: _resolve(s.path) for s in index.scripts()}
        self.paths = sorted(paths.values())
        order = {p: k for k, p in enumerate(self.paths)}
        means = np.zeros((len(self.paths), vectors.shape[1]), dtype=np.float64)
        counts = np.zeros(len(self.paths))
        rows = np.array([order[paths[int(s)]] for s in script_of], dtype=np.int64)
        np.add.at(means, rows, vectors)
        np.add.at(counts, rows, 1)
        means /= np.maximum(counts, 1)[:, None]
        self.means = means / np.maximum(np.linalg.norm(means, axis=1, keepdims=True), 1e-12)

    def rank(self, draft: Path) -> list[str]:
        """Indexed scripts, most similar first."""
        from simcheck.read import read_script
        from simcheck.settings import IndexSettings
        from simcheck.text.passages import make_passages

        passages = make_passages(read_script(draft), IndexSettings())
        vectors = np.asarray(self.embedder.embed([p.text for p in passages]), dtype=np.float64)
        mean = vectors.mean(axis=0)
        mean /= max(float(np.linalg.norm(mean)), 1e-12)
        cosine = self.means @ mean
        return [self.paths[k] for k in np.argsort(-cosine, kind="stable")]


def copydetect_first(peer: Any, draft: Path) -> str | None:
    """The reference with the most draft characters in copydetect's slices (None: no slice)."""
    covered: dict[str, set[int]] = {}
    for hit in peer.search(draft):
        covered.setdefault(hit.reference, set()).update(range(hit.draft_start, hit.draft_end))
    if not covered:
        return None
    return max(sorted(covered), key=lambda p: len(covered[p]))


# --- 1 and 2: retellings and peers -------------------------------------------------------------------


def retellings(
    ctx: Context, plan: StoryPlan, runner: Runner, variants: Path, details: dict[str, Any]
) -> dict[str, Any]:
    from benchmarks.peers import CopydetectPeer

    truth = json.loads((variants / "truth.json").read_text(encoding="utf-8"))
    baseline = DocumentBaseline(runner.index, ctx.embedder())
    peer = ctx.cached(
        ("copydetect", plan.references, COPYDETECT_K),
        functools.partial(CopydetectPeer, plan.references, COPYDETECT_K),
    )
    drafts: list[dict[str, Any]] = []
    seconds: dict[str, float] = {}
    for kind in sv.KINDS:
        names = [f"{kind}/{s}.txt" for s in plan.stories]
        paths = [variants / n for n in names]
        for setting in runner.comparers:
            reports, took = runner.compare(paths, setting)
            seconds[f"{kind} {setting}"] = took
            for name, path, report in zip(names, paths, reports, strict=True):
                play = _resolve(SHARED / truth[name])
                entry = score_draft(report, play, details["drafts"][name]["paragraphs"])
                entry.update({"draft": name, "kind": kind, "setting": setting, "play": rel(play)})
                if setting == "on":
                    ranked = baseline.rank(path)
                    entry["baseline_first"] = bool(ranked) and ranked[0] == play
                    entry["baseline_rank"] = ranked.index(play) + 1 if play in ranked else None
                    entry["copydetect_first"] = copydetect_first(peer, path) == play
                drafts.append(entry)
        on = [d for d in drafts if d["kind"] == kind and d["setting"] == "on"]
        log(
            f"story: {kind}: right play first at >= medium {sum(d['first_medium'] for d in on)}/{len(on)}, "
            f"any level {sum(d['first'] for d in on)}/{len(on)} ({seconds[f'{kind} on']:.0f} s)"
        )
    kinds: dict[str, Any] = {}
    for kind in sv.KINDS:
        row: dict[str, Any] = {}
        for setting in runner.comparers:
            sel = [d for d in drafts if d["kind"] == kind and d["setting"] == setting]
            row[setting] = {
                "drafts": len(sel),
                "first_medium": sum(d["first_medium"] for d in sel),
                "first": sum(d["first"] for d in sel),
                "story_levels": dict(Counter(d["story_level"] for d in sel)),
                "story_coverage_median": _median([d["story_coverage"] for d in sel]),
                "chain_with_truth": sum(d["chain_with_truth"] for d in sel),
                "chain_on_truth": sum(d["chain_on_truth"] for d in sel),
                "median_rank": _median([d["rank"] or 99 for d in sel]),
            }
        sel = [d for d in drafts if d["kind"] == kind and d["setting"] == "on"]
        row["baseline_first"] = sum(d["baseline_first"] for d in sel)
        row["copydetect_first"] = sum(d["copydetect_first"] for d in sel)
        kinds[kind] = row
    return {
        "kinds": kinds,
        "drafts": drafts,
        "seconds": seconds,
        "copydetect_build_s": peer.build_seconds,
    }


# --- 3: controls -------------------------------------------------------------------------------------


def controls(ctx: Context, plan: StoryPlan, base: Path, variants: Path) -> dict[str, Any]:
    truth = json.loads((variants / "truth.json").read_text(encoding="utf-8"))
    retold = {(SHARED / truth[f"both/{s}.txt"]).resolve() for s in plan.prose_controls}
    out = set(plan.held_out) | set(plan.screenplays) | retold
    files = [p for p in plan.references if p not in out]
    index_path = ctx.index_of("story-controls", files, base=base)
    runner = Runner(ctx, index_path)
    drafts = [("play", p) for p in plan.held_out]
    drafts += [("screenplay", p) for p in plan.screenplays]
    drafts += [("prose", variants / f"both/{s}.txt") for s in plan.prose_controls]
    rows: list[dict[str, Any]] = []
    for setting in runner.comparers:
        reports, _ = runner.compare([p for _, p in drafts], setting)
        for (what, path), report in zip(drafts, reports, strict=True):
            refs = [r for r in report.get("references", []) if not r.get("allowed")]
            stories = [story_level(r) for r in refs]
            flagged = [
                (rel(r["path"]), r["level"], story_level(r))
                for r in refs
                if _level_rank(r["level"]) >= 2 or story_level(r) in ("medium", "high")
            ]
            rows.append(
                {
                    "draft": rel(path) if what != "prose" else f"both/{path.name}",
                    "what": what,
                    "setting": setting,
                    "words": int(report["draft"].get("words") or 0),
                    "story_medium_high": sum(s in ("medium", "high") for s in stories),
                    "story_low": sum(s == "low" for s in stories),
                    "refs_medium_high": sum(_level_rank(r["level"]) >= 2 for r in refs),
                    "refs_low": sum(r["level"] == "low" for r in refs),
                    "flagged": flagged,
                }
            )
    log(f"story: controls: {len(drafts)} drafts against {len(files)} scripts")
    return {
        "index_scripts": len(files),
        "index_passages": int(runner.index.n_passages),
        "calibration_s": runner.calibration_s,
        "rows": rows,
    }


# --- 4: translations ---------------------------------------------------------------------------------


def translations(ctx: Context, plan: StoryPlan, base: Path) -> dict[str, Any]:
    pairs = []
    for name in plan.translation_pairs:
        folder = TRANSLATIONS / name
        truth = json.loads((folder / "truth.json").read_text(encoding="utf-8"))
        same = truth["a"].get("same_as")
        a_path = ((CORPUS.parent / same) if same else (folder / truth["a"]["file"])).resolve()
        pairs.append((name, truth, a_path, (folder / truth["b"]["file"]).resolve()))
    if not pairs:
        return {"pairs": []}
    files = sorted(set(plan.references) | {a for _, _, a, _ in pairs})
    runner = Runner(ctx, ctx.index_of("translations", files, base=base))
    out = []
    for name, truth, a_path, b_path in pairs:
        for setting in runner.comparers:
            (report,), seconds = runner.compare([b_path], setting)
            rank, ref = _find(report, str(a_path))
            story = story_of(ref or {})
            out.append(
                {
                    "pair": name,
                    "relation": truth["relation"],
                    "setting": setting,
                    "rank": rank,
                    "level": (ref or {}).get("level", "none"),
                    "story_level": story_level(ref),
                    "story_coverage": float(story.get("coverage") or 0.0),
                    "story_reference_coverage": float(story.get("reference_coverage") or 0.0),
                    "coverage": float((ref or {}).get("coverage") or 0.0),
                    "seconds": seconds,
                }
            )
        shown = next(row for row in out if row["pair"] == name)  # the first setting: the story layer on
        log(f"story: translation {name}: rank {shown['rank']}, story coverage {shown['story_coverage']:.2f}")
    return {"pairs": out}


# --- 5: PAN ----------------------------------------------------------------------------------------


def pan_detections(report: dict[str, Any]) -> dict[str, list[Any]]:
    """PAN detections of one pairwise report: the match evidence, and the evidence with the report's
    condensations and the story chain's links (each a draft span -> reference span)."""
    from benchmarks.pan import MERGE_GAP_CHARS, MIN_DETECTION_CHARS, Detection, merge_detections

    evidence = [
        Detection(ev["draft"]["start"], ev["draft"]["end"], ev["reference"]["start"], ev["reference"]["end"])
        for match in report.get("matches", [])
        if not match.get("allowed")
        for ev in match.get("evidence", [])
    ]
    story = [
        Detection(
            link["draft"]["start"], link["draft"]["end"], link["reference"]["start"], link["reference"]["end"]
        )
        for ref in report.get("references", [])
        if not ref.get("allowed")
        for link in story_of(ref).get("chain") or []
        if isinstance(link.get("draft"), dict) and isinstance(link.get("reference"), dict)
    ]
    condensed = [
        Detection(
            item["draft"]["start"], item["draft"]["end"], item["reference"]["start"], item["reference"]["end"]
        )
        for ref in report.get("references", [])
        if not ref.get("allowed")
        for item in ref.get("condensed") or []
        if isinstance(item.get("draft"), dict) and isinstance(item.get("reference"), dict)
    ]
    return {
        "evidence": merge_detections(evidence, MERGE_GAP_CHARS, MIN_DETECTION_CHARS),
        "story": merge_detections(evidence + condensed + story, MERGE_GAP_CHARS, MIN_DETECTION_CHARS),
    }


PAN_SYSTEMS = {
    "on+story": "story layer on: match evidence + condensations + story chain links",
    "on": "story layer on: match evidence only",
    "off": "story layer off (`story=False`): match evidence",
}


def pan_part(ctx: Context, plan: StoryPlan) -> dict[str, Any]:
    from benchmarks import pan
    from simcheck.compare import Comparer, open_references
    from simcheck.errors import SimcheckError
    from simcheck.read import read_script

    embedder = ctx.embedder()
    settings = {"on": compare_settings(True, absolute=False)}
    if has_story_setting():
        settings["off"] = compare_settings(False, absolute=False)
    systems = {k: v for k, v in PAN_SYSTEMS.items() if k.split("+")[0] in settings}
    chosen = {part: pan.choose_pairs(part, n) for part, n in plan.pan_samples.items()}
    refused: list[str] = []
    seconds: list[float] = []
    scores: dict[str, dict[str, dict[str, float]]] = {s: {} for s in systems}
    with tempfile.TemporaryDirectory(prefix="simcheck-story-pan-", dir=ctx.workdir) as tmp_name:
        tmp = Path(tmp_name)
        for part, pairs in chosen.items():
            for k, (susp, src) in enumerate(pairs):
                found: dict[str, list[Any]] = {s: [] for s in systems}
                t0 = time.perf_counter()
                try:
                    refs, emb, source = open_references(None, [pan.CORPUS / "src" / src], embedder)
                    script = read_script(pan.CORPUS / "susp" / susp)
                    for setting, cs in settings.items():
                        report = Comparer(refs, emb, cs, source).compare_scripts([script])[0].to_dict()
                        dets = pan_detections(report)
                        found[setting] = dets["evidence"]
                        if f"{setting}+story" in found:
                            found[f"{setting}+story"] = dets["story"]
                except SimcheckError as error:
                    refused.append(f"{part} {susp} {src}: {error}")
                seconds.append(time.perf_counter() - t0)
                for system, detections in found.items():
                    folder = tmp / system / part
                    folder.mkdir(parents=True, exist_ok=True)
                    pan.write_detections(folder, susp, src, detections)
                if (k + 1) % 20 == 0:
                    log(f"story: PAN {part} {k + 1}/{len(pairs)}")
            pan._link_truth(part, pairs, tmp / "truth" / part)
            for system in systems:
                (tmp / system / part).mkdir(parents=True, exist_ok=True)
                scores[system][part] = pan.evaluate(tmp / "truth" / part, tmp / system / part)
            log(f"story: PAN {part}: " + ", ".join(f"{s} {scores[s][part]['plagdet']:.3f}" for s in systems))
    return {
        "systems": systems,
        "pairs": {p: len(v) for p, v in chosen.items()},
        "seed": pan.SEED,
        "scores": scores,
        "refused": refused,
        "median_pair_s": _median(seconds),
    }


# --- 6: cost ---------------------------------------------------------------------------------------


def cost(ctx: Context, plan: StoryPlan, index_path: Path) -> dict[str, Any]:
    from benchmarks import speed
    from simcheck.compare import compare

    index = ctx.open_index(index_path)
    ctx.calibrate(index)
    embedder = ctx.embedder()
    settings = {"on": compare_settings(True)}
    if has_story_setting():
        settings["off"] = compare_settings(False)
    runs = ctx.runs or (1 if ctx.quick else COST_RUNS)
    tmp = Path(tempfile.mkdtemp(dir=ctx.workdir))
    rows = []
    for label, path, copied in plan.cost_drafts:
        draft = speed._retitled(path, tmp) if copied else path
        if "120 pages" in label:
            draft = speed._first_pages(draft, tmp, speed.FEATURE_PAGES)
        text = draft.read_text(encoding="utf-8")
        times: dict[str, list[float]] = {s: [] for s in settings}
        compare(str(draft), index=index, embedder=embedder, settings=settings["on"])  # warm caches
        for run in range(runs):
            order = list(settings.items())
            for setting, cs in order if run % 2 == 0 else order[::-1]:  # alternated, in turn first
                t0 = time.perf_counter()
                compare(str(draft), index=index, embedder=embedder, settings=cs)
                times[setting].append(time.perf_counter() - t0)
        on, off = _median(times["on"]), _median(times.get("off", []))
        rows.append(
            {
                "label": label,
                "draft": rel(path),
                "pages_estimated": round(speed.estimate_pages(text)),
                "words": sv.words(text),
                "on_s": on,
                "off_s": off if "off" in times else None,
                "ratio": on / off if "off" in times and off else None,
                "runs": runs,
            }
        )
        log(f"story: cost {label}: on {on:.1f} s" + (f", off {off:.1f} s" if "off" in times else ""))
    return {"rows": rows, "index_passages": int(index.n_passages)}


# --- the part ------------------------------------------------------------------------------------


def _previous(ctx: Context) -> dict[str, Any] | None:
    """The stored before numbers: the last run's section when it ran without the story layer, or the
    ``before`` it kept."""
    from benchmarks import results

    section = results.load(ctx.output_dir / "results.json").get("story")
    if section is None or ctx.quick:
        return None
    data = section.data
    if data.get("story_layer") is False and "summary" in data:
        return {"date": section.date, "commit": section.machine.get("commit"), **data["summary"]}
    before = data.get("before")
    return before if isinstance(before, dict) else None


def run(
    context: Context, quick: bool = False, progress: Callable[[str], None] | None = None
) -> dict[str, Any]:
    ctx = context
    say = progress or log
    layer = has_story_setting()
    plan = make_plan(ctx)
    before = _previous(ctx)
    variants = ctx.workdir / "story-variants"
    details = sv.generate(variants, scenes=True)
    say(f"story: {len(details['drafts'])} variant drafts in {variants}")
    index_path = main_index(ctx, plan)
    runner = Runner(ctx, index_path)
    timings: dict[str, float] = {}
    t0 = time.perf_counter()
    ret = retellings(ctx, plan, runner, variants, details)
    timings["retellings_s"] = time.perf_counter() - t0
    t0 = time.perf_counter()
    ctl = controls(ctx, plan, index_path, variants)
    timings["controls_s"] = time.perf_counter() - t0
    t0 = time.perf_counter()
    tra = translations(ctx, plan, index_path)
    timings["translations_s"] = time.perf_counter() - t0
    t0 = time.perf_counter()
    pan_data = pan_part(ctx, plan)
    timings["pan_s"] = time.perf_counter() - t0
    t0 = time.perf_counter()
    cost_data = cost(ctx, plan, index_path)
    timings["cost_s"] = time.perf_counter() - t0
    summary = _summary(ret, ctl, tra, pan_data, cost_data)
    data = {
        "story_layer": layer,
        "summary": summary,
        "before": before,
        "retellings": ret,
        "controls": ctl,
        "translations": tra,
        "pan": pan_data,
        "cost": cost_data,
        "index": {"scripts": len(plan.references), "passages": int(runner.index.n_passages)},
        "index_from": os.environ.get(INDEX_ENV) if not ctx.quick else None,
        "variant_seed": details["seed"],
        "timings": timings,
    }
    return {
        "title": "Story: retold plots found (renamed, no quotations, reordered, synopsis, new setting)",
        "markdown": markdown(data, plan),
        "data": data,
        "headline": headline(data),
    }


def _summary(
    ret: dict[str, Any],
    ctl: dict[str, Any],
    tra: dict[str, Any],
    pan_data: dict[str, Any],
    cost_data: dict[str, Any],
) -> dict[str, Any]:
    """The numbers a later run shows as 'before' (story layer on, i.e. default settings)."""
    from benchmarks.pan import PARTS

    on_rows = [r for r in ctl["rows"] if r["setting"] == "on"]
    summary_part = pan_data["scores"].get("on+story", {}).get(PARTS[4], {})
    return {
        "kinds": {
            k: {
                "first_medium": v["on"]["first_medium"],
                "first": v["on"]["first"],
                "drafts": v["on"]["drafts"],
            }
            for k, v in ret["kinds"].items()
        },
        "controls_story_medium_high": sum(r["story_medium_high"] for r in on_rows),
        "controls_refs_medium_high": sum(r["refs_medium_high"] for r in on_rows),
        "controls_refs_low": sum(r["refs_low"] for r in on_rows),
        "translation_story_coverage": [p["story_coverage"] for p in tra["pairs"] if p["setting"] == "on"],
        "translation_coverage": [p["coverage"] for p in tra["pairs"] if p["setting"] == "on"],
        "pan_summary_plagdet": summary_part.get("plagdet"),
        "pan_plagdet": {part: s.get("plagdet") for part, s in pan_data["scores"].get("on+story", {}).items()},
        "pan_pairs": pan_data["pairs"],
        "cost_on_s": [r["on_s"] for r in cost_data["rows"]],
    }


def _levels(counts: dict[str, int]) -> str:
    return " / ".join(str(counts.get(level, 0)) for level in STORY_LEVELS)


def markdown(data: dict[str, Any], plan: StoryPlan) -> str:
    ret, ctl, tra, pan_data, cost_data = (
        data["retellings"],
        data["controls"],
        data["translations"],
        data["pan"],
        data["cost"],
    )
    before = data.get("before") or {}
    layer = data["story_layer"]
    off = layer and any("off" in v for v in ret["kinds"].values())
    parts: list[str] = []
    state = (
        "simcheck with the story layer (default settings; 'story off' = `CompareSettings(story=False)`, "
        "same run)"
        if layer
        else "simcheck **before the story layer** (no `story` setting yet): these are the before numbers"
    )
    parts.append(
        f"{state}. Drafts: `benchmarks.story_variants` (seed {data['variant_seed']}) of the "
        f"{len(plan.stories)} prose retellings (E. Nesbit, 1907) in `dev/retellings`, compared through one "
        f"`Comparer` with the index of the corpus ({data['index']['scripts']} scripts, "
        f"{data['index']['passages']:,} passages"
        + (f"; copied from `{INDEX_ENV}={data['index_from']}`" if data.get("index_from") else "")
        + "). First = the right play is the report's first reference "
        "(the report's order); story level = the right play's `references[].story.level` (none / low / "
        "medium / high); coverage = its story chain's share of the draft (median over the drafts); links on "
        "truth = chain links whose reference scene the ground truth allows (the original retelling's "
        "quotations located in the play; links with a known truth only). Peers on the same drafts: "
        "doc. baseline = cosine of the mean passage vectors (draft vs each indexed script), first = the "
        f"right play's cosine is the highest; copydetect (k={COPYDETECT_K} chars) first = the right play "
        "holds the most copied draft characters."
    )
    header = [
        "kind",
        "drafts",
        "first, >= medium",
        "first, any level",
        "story level n/l/m/h",
        "story coverage",
    ]
    header += ["links on truth"]
    if off:
        header += ["story off: first >= medium", "story off: first"]
    header += ["doc. baseline first", "copydetect first"]
    if before.get("kinds"):
        header += [f"before ({before.get('date', '?')[:10]}): first >= medium / any"]
    rows = []
    for kind, row in ret["kinds"].items():
        on = row["on"]
        n = on["drafts"]
        line = [
            kind,
            n,
            _pct(on["first_medium"], n),
            _pct(on["first"], n),
            _levels(on["story_levels"]),
            f"{on['story_coverage_median']:.2f}",
            _pct(on["chain_on_truth"], on["chain_with_truth"]),
        ]
        if off:
            line += [_pct(row["off"]["first_medium"], n), _pct(row["off"]["first"], n)]
        line += [_pct(row["baseline_first"], n), _pct(row["copydetect_first"], n)]
        if before.get("kinds"):
            b = before["kinds"].get(kind, {})
            line.append(f"{b.get('first_medium', '-')}/{b.get('first', '-')} of {b.get('drafts', '-')}")
        rows.append(line)
    parts.append(table(header, rows, align="l" + "r" * (len(header) - 1)))
    parts.append(
        "Targets (issue 12): `both` (renamed, quotations removed) >= 18/20 first at >= medium; "
        "`synopsis` >= 14/20."
    )
    # controls
    on_rows = [r for r in ctl["rows"] if r["setting"] == "on"]
    crow = []
    for what in ("play", "screenplay", "prose"):
        sel = [r for r in on_rows if r["what"] == what]
        if sel:
            crow.append(
                [
                    what,
                    len(sel),
                    sum(r["words"] for r in sel),
                    sum(r["story_medium_high"] for r in sel),
                    sum(r["story_low"] for r in sel),
                    sum(r["refs_medium_high"] for r in sel),
                    sum(r["refs_low"] for r in sel),
                ]
            )
    parts.append(
        f"Controls (innocent drafts), compared with the corpus index without them ({ctl['index_scripts']} "
        f"scripts, {ctl['index_passages']:,} passages: the held-out plays, {len(plan.screenplays)} "
        f"screenplays of >= {CONTROL_MIN_WORDS} words and every retold play taken out). prose = the `both` "
        "variant of each retelling, whose play is not in that index: every finding is false. Counts are "
        "references of the reports; targets: 0 at medium or above."
    )
    parts.append(
        table(
            [
                "drafts",
                "n",
                "words",
                "story >= medium",
                "story low",
                "references >= medium",
                "references low",
            ],
            crow,
            align="lrrrrrr",
        )
    )
    flagged = [(r["draft"], f, lv, st) for r in on_rows for f, lv, st in r["flagged"]]
    if flagged:
        parts.append(
            "Medium/high on controls (each a false finding):\n\n"
            + table(
                ["draft", "reference", "level", "story level"], [list(x) for x in flagged[:30]], align="llll"
            )
        )
    # translations
    trows = [
        [
            p["pair"],
            p["relation"][:40],
            p["setting"],
            p["rank"] or "not found",
            p["level"],
            p["story_level"],
            f"{p['story_coverage']:.2f}",
            f"{p['coverage']:.2f}",
        ]
        for p in tra["pairs"]
    ]
    if trows:
        parts.append(
            "Translations: B compared with the corpus plus A. rank = A's place among the references; story "
            "coverage = A's story chain's share of B (target >= 0.6); match coverage = the reference's "
            "`coverage` (matches)."
        )
        parts.append(
            table(
                [
                    "pair",
                    "relation",
                    "story",
                    "A rank",
                    "level",
                    "story level",
                    "story coverage",
                    "match coverage",
                ],
                trows,
                align="lllrllrr",
            )
        )
    else:
        parts.append("Translations: not in this run (quick).")
    # PAN
    prow = []
    for part, n in pan_data["pairs"].items():
        for system in pan_data["systems"]:
            s = pan_data["scores"][system].get(part)
            if s:
                prow.append(
                    [
                        part,
                        n,
                        f"`{system}`",
                        f"{s['plagdet']:.3f}",
                        f"{s['recall']:.3f}",
                        f"{s['precision']:.3f}",
                        f"{s['granularity']:.3f}",
                    ]
                )
    parts.append(
        "PAN 2013 text alignment, training corpus, pairwise compare (`Comparer` over the pair's source), "
        "scored by the official evaluator; pairs drawn with `benchmarks.pan.choose_pairs` "
        f"(seed {pan_data['seed']}): "
        + ", ".join(f"{p} {n}" for p, n in pan_data["pairs"].items())
        + ". Systems: "
        + "; ".join(f"`{k}` = {v}" for k, v in pan_data["systems"].items())
        + f". Detections merged as in `benchmarks.pan`. Median {pan_data['median_pair_s']:.1f} s per pair "
        "(all settings). Target (issue 12): part 5 plagdet >= 0.70, the other parts not lowered."
    )
    parts.append(
        table(
            ["part", "pairs", "system", "plagdet", "recall", "precision", "granularity"],
            prow,
            align="lrlrrrr",
        )
    )
    if pan_data["refused"]:
        parts.append("Refused pairs: " + "; ".join(pan_data["refused"][:10]))
    # cost
    crows = [
        [
            r["label"],
            r["draft"],
            r["pages_estimated"],
            r["words"],
            f"{r['on_s']:.2f}",
            f"{r['off_s']:.2f}" if r["off_s"] is not None else "-",
            f"{r['ratio']:.2f}" if r["ratio"] is not None else "-",
        ]
        for r in cost_data["rows"]
    ]
    parts.append(
        "Cost: in-process `compare` with the model loaded and the index's calibration cached, against the "
        f"corpus index ({cost_data['index_passages']:,} passages); median of {cost_data['rows'][0]['runs']} "
        "runs per setting, alternated (each first in turn). Target: story on / off <= 1.20."
    )
    parts.append(
        table(
            ["draft", "file", "pages (est.)", "words", "story on s", "story off s", "on / off"],
            crows,
            align="llrrrrr",
        )
    )
    t = data["timings"]
    parts.append(
        "Part time: " + ", ".join(f"{k[:-2]} {v:.0f} s" for k, v in t.items()) + f"; copydetect fingerprints "
        f"{ret['copydetect_build_s']:.0f} s; compares of the retellings "
        + ", ".join(f"{k} {v:.0f} s" for k, v in ret["seconds"].items() if k.endswith(" on"))
        + "."
    )
    return "\n\n".join(parts)


def headline(data: dict[str, Any]) -> list[str]:
    kinds = data["retellings"]["kinds"]
    before = data.get("before") or {}
    tag = "" if data["story_layer"] else " (before the story layer)"

    def kind_line(kind: str) -> str:
        on = kinds[kind]["on"]
        text = f"{kind} {on['first_medium']}/{on['drafts']}"
        b = (before.get("kinds") or {}).get(kind)
        return text + (f" (before {b['first_medium']}/{b['drafts']})" if b else "")

    lines = [
        "story, retellings, right play first at >= medium"
        + tag
        + ": "
        + ", ".join(kind_line(k) for k in sv.KINDS if k in kinds)
        + "; targets both >= 18/20, synopsis >= 14/20"
    ]
    s = data["summary"]
    lines.append(
        f"story, innocent controls{tag}: {s['controls_story_medium_high']} story findings and "
        f"{s['controls_refs_medium_high']} references at >= medium (target 0), {s['controls_refs_low']} low"
    )
    if s["translation_story_coverage"]:
        lines.append(
            "story, translations: story coverage "
            + ", ".join(f"{c:.2f}" for c in s["translation_story_coverage"])
            + " (target >= 0.6)"
        )
    if s["pan_summary_plagdet"] is not None:
        lines.append(
            f"story, PAN 2013 summary part ({s['pan_pairs'].get('05-summary-obfuscation')} pairs): plagdet "
            f"{s['pan_summary_plagdet']:.3f} with condensations and the story chain{tag} (target >= 0.70)"
        )
    ratios = [r["ratio"] for r in data["cost"]["rows"] if r["ratio"] is not None]
    if ratios:
        lines.append("story, cost of a 120-page draft, on / off: " + ", ".join(f"{r:.2f}" for r in ratios))
    return lines


if __name__ == "__main__":  # pragma: no cover - use python -m benchmarks story
    raise SystemExit("run it as: python -m benchmarks story [--quick] [--cache-dir DIR]")

"""Detection quality under two calibrations: the baseline's and this tree's, on the same indexes.

``python -m benchmarks calibration_quality --cache-dir DIR --baseline TREE`` runs simcheck's rows of
the ``planted``, ``innocent`` and ``translations`` parts of ``benchmarks.quality`` (same drafts, same
scoring code) twice: once with the calibration the baseline tree (``TREE``, e.g. an export of main)
measures on each index, once with the one this tree measures. Everything else is this tree's code,
so the calibration is the only difference between the two columns. The peers of those parts are left
out (they do not depend on the calibration): their rows are not computed here.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from benchmarks import quality
from benchmarks.calibration_scale import MEASURE, _child, _thresholds
from benchmarks.context import Context
from benchmarks.peers import Hit
from benchmarks.results import table

TIME_LIMIT = 900


class _Calibrated:
    """An index whose cached calibration is the given one (everything else is the index's)."""

    def __init__(self, index: Any, document: dict[str, Any]) -> None:
        from simcheck.calibration.load import fingerprint
        from simcheck.settings import CompareSettings

        self._index = index
        self._document = {**document, "fingerprint": fingerprint(index, CompareSettings())}

    def read_extra(self, name: str) -> dict[str, Any] | None:
        return dict(self._document) if name == "calibration" else self._index.read_extra(name)

    def write_extra(self, name: str, data: dict[str, Any]) -> None:
        raise RuntimeError("this benchmark never writes a calibration")

    def __getattr__(self, name: str) -> Any:
        return getattr(self._index, name)


class _NoPeer:
    """Stands in for the peers, which the calibration does not change (their rows are dropped)."""

    build_seconds = 0.0

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        pass

    def search(self, *args: Any, **kwargs: Any) -> list[Hit]:
        return []

    def vote_scenes(self, *args: Any, **kwargs: Any) -> dict[int, list[tuple[str, int]]]:
        return {}


def _calibrations(ctx: Context, path: Path, baseline: Path | None) -> dict[str, dict[str, Any]]:
    here = Path(__file__).resolve().parents[1]
    out: dict[str, dict[str, Any]] = {}
    for label, tree in (("before", baseline), ("after", here)):
        if tree is None:
            continue
        ctx.progress(f"calibration_quality: measuring the {label} calibration of {path.name}")
        result = _child(tree, MEASURE, [str(path)], TIME_LIMIT)
        if "calibration" not in result:
            raise RuntimeError(f"{label} calibration of {path}: {result.get('failed')}")
        out[label] = result
    return out


def _run_with(ctx: Context, part: str, documents: dict[Path, dict[str, Any]]) -> dict[str, Any]:
    """One part of ``benchmarks.quality`` with every compare using the calibration given per index."""
    from simcheck.compare import compare

    def patched_compare(draft: str | Path, index: Any, embedder: Any) -> tuple[dict[str, Any], float]:
        document = documents[Path(index.path).resolve()]
        t0 = time.perf_counter()
        report = compare(str(draft), index=_Calibrated(index, document), embedder=embedder).to_dict()
        return report, time.perf_counter() - t0

    saved = {name: getattr(quality, name) for name in ("_compare", "SemanticBaseline", "CopydetectPeer")}
    try:
        quality._compare = patched_compare  # type: ignore[assignment]
        quality.SemanticBaseline = _NoPeer  # type: ignore[assignment,misc]
        quality.CopydetectPeer = _NoPeer  # type: ignore[assignment,misc]
        result: dict[str, Any] = getattr(quality, part)(ctx)
        return result
    finally:
        for name, value in saved.items():
            setattr(quality, name, value)


def _translation_files(ctx: Context) -> list[Path]:
    import json

    from benchmarks.context import CORPUS, TRANSLATIONS

    plan = ctx.get_plan()
    extra = set()
    for name in plan.translation_pairs:
        truth = json.loads((TRANSLATIONS / name / "truth.json").read_text(encoding="utf-8"))
        same = truth["a"].get("same_as")
        extra.add(((CORPUS.parent / same) if same else (TRANSLATIONS / name / truth["a"]["file"])).resolve())
    return sorted(set(plan.references) | extra)


def run(context: Context, quick: bool = False, baseline: Path | None = None) -> dict[str, Any]:
    ctx = context
    distractors = ctx.distractor_index().resolve()
    translations = ctx.index_of("translations", _translation_files(ctx), base=ctx.reference_index()).resolve()
    measured = {path: _calibrations(ctx, path, baseline) for path in (distractors, translations)}
    labels = [label for label in ("before", "after") if label in measured[distractors]]
    results: dict[str, dict[str, Any]] = {}
    for label in labels:
        documents = {path: measured[path][label]["calibration"] for path in measured}
        results[label] = {
            part: _run_with(ctx, part, documents) for part in ("planted", "innocent", "translations")
        }
    rows = _rows(results, labels)
    cal_rows = []
    for path in (distractors, translations):
        for label in labels:
            entry = measured[path][label]
            t = _thresholds(entry["calibration"])
            cal_rows.append(
                [
                    path.name.split("-")[0],
                    label,
                    f"{entry['seconds']:.1f}",
                    f"{entry['rss_mb']:.0f}",
                    " / ".join(map(str, t["lexical"])),
                    " / ".join(map(str, t["semantic"])),
                ]
            )
    md = (
        "simcheck's rows of the planted, innocent and translations benchmarks (`benchmarks.quality`, same "
        "drafts and scoring), with the calibration each tree measures on the same index; all other code is "
        f"this tree's. Before: `{baseline}`.\n\n"
        + table(["measure", *labels], rows, align="l" + "r" * len(labels))
        + "\n\nThe calibrations (seconds and peak MB to measure, in a fresh process; words of lexical and of "
        "semantic evidence a low / medium / high match needs):\n\n"
        + table(
            ["index", "calibration", "s", "MB", "lexical words", "semantic words"], cal_rows, align="llrrrr"
        )
    )
    data = {"rows": rows, "labels": labels}
    headline = [quality_headline(rows, labels)]
    return {
        "title": "Calibration: detection quality before/after",
        "markdown": md,
        "data": data,
        "headline": headline,
    }


def quality_headline(rows: list[list[Any]], labels: list[str]) -> str:
    """What changed between the two calibrations, and what did not."""
    if labels != ["before", "after"]:
        return "quality with this calibration: " + "; ".join(f"{r[0]}: {r[-1]}" for r in rows)
    moved = [f"{r[0]}: {r[1]} -> {r[2]}" for r in rows if r[1] != r[2]]
    same = [str(r[0]) for r in rows if r[1] == r[2]]
    return "calibration before -> after: " + "; ".join(
        [*moved, f"unchanged: {', '.join(same)}" if same else "everything moved"]
    )


def _rows(results: dict[str, dict[str, Any]], labels: list[str]) -> list[list[Any]]:
    def planted(label: str, level: str) -> str:
        entry = results[label]["planted"]["data"]["systems"][f"simcheck >= {level}"]
        return (
            f"{entry['detected']}/{entry['cases']} detected, {entry['false_scenes']}/{entry['host_scenes']} "
            f"false, recall {entry['char_recall']:.2f}"
        )

    def innocent(label: str) -> str:
        totals = results[label]["innocent"]["data"].get("totals", {})
        return ", ".join(f"{totals.get(lv, '?')} {lv}" for lv in ("low", "medium", "high")) + (
            f" in {totals.get('scenes', '?')} scenes"
        )

    def translations(label: str) -> str:
        pairs = results[label]["translations"]["data"]["pairs"]
        n = sum(p["scenes"] for p in pairs)
        top1 = sum(p["top1"] for p in pairs)
        top3 = sum(p["top3"] for p in pairs)
        first = sum(1 for p in pairs if p["source_rank"] == 1)
        return f"top 1 {top1}/{n}, top 3 {top3}/{n}, source first {first}/{len(pairs)}"

    rows = [[f"planted >= {lv}", *[planted(lb, lv) for lb in labels]] for lv in ("low", "medium", "high")]
    rows.append(["innocent matches", *[innocent(lb) for lb in labels]])
    rows.append(["translations", *[translations(lb) for lb in labels]])
    return rows

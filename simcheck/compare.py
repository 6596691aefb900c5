"""The orchestrator: compare drafts with references, stage by stage, and hand the result to the report.

``compare(draft, index=...)`` or ``compare(draft, against=[...])`` returns a ``Report``;
``Comparer`` does the same for several drafts sharing one loaded model, one set of references and
one calibration. It only sequences the stages (each in its own package):

1. read each draft (``simcheck.read``) and cut it into passages (``simcheck.text``); embed the passages
   of all drafts in one batch (``simcheck.embed``); fingerprint them (``match.draft.draft_probe``);
2. candidate scene pairs from the LSH and the FAISS index (``match.candidates``);
3. evidence: token alignment and passage-embedding comparison per candidate (``match.evidence``),
   scored against the calibration (``simcheck.calibration``, ``match.rarity``);
4. the report: matches, references, the summary (``simcheck.report.build``).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np

from simcheck.calibration import load_calibration
from simcheck.embed import Embedder, load_embedder
from simcheck.errors import IndexMismatch, InputError, UsageError
from simcheck.index import Index
from simcheck.match.allowlist import Allowlist
from simcheck.match.candidates import find_candidates
from simcheck.match.draft import Probe, ReferenceCache, draft_probe
from simcheck.match.evidence import PairResult, VerifyOptions, small_matrix_mode, verify_script
from simcheck.match.rarity import Calibration
from simcheck.model import Script
from simcheck.read import read_script
from simcheck.read.walk import script_paths
from simcheck.report.build import Source, build_report
from simcheck.report.model import Report
from simcheck.report.paths import against_root, common_folder, shown_path, with_shown_paths
from simcheck.search.memory import MemoryReferences
from simcheck.search.references import References
from simcheck.settings import CompareSettings, IndexSettings, default_index_dir
from simcheck.text.passages import make_passages
from simcheck.text.words import nothing_to_compare


class Comparer:
    """Compares drafts with one set of references; reuse it for several drafts."""

    def __init__(
        self,
        references: References,
        embedder: Embedder,
        settings: CompareSettings | None = None,
        source: Source | None = None,
        allowlist: Allowlist | None = None,
    ) -> None:
        if embedder.name != references.model_name:
            raise IndexMismatch(
                f"the references were embedded with {references.model_name}, not {embedder.name}: "
                f"compare with --model {references.model_name} or rebuild the index"
            )
        self.references = references
        self.embedder = embedder
        self.settings = settings or CompareSettings()
        self.source = source or Source(None, "pairwise")
        self.allowlist = allowlist or Allowlist.build(self.settings.allow, self.settings.allowlist_files)
        self.cache = ReferenceCache(references)
        self._calibration: Calibration | None = None
        self.root = self.source.root or common_folder(s.path for s in references.scripts())  # report.paths

    @property
    def calibration(self) -> Calibration:
        if self._calibration is None:
            self._calibration = load_calibration(self.references, self.settings)
        return self._calibration

    def compare_scripts(self, scripts: Sequence[Script]) -> list[Report]:
        """Reports for already-read drafts; all their passages are embedded in one batch."""
        passages = [make_passages(script, self.references.settings) for script in scripts]
        for script, group in zip(scripts, passages, strict=True):
            problem = nothing_to_compare(script, len(group))
            if problem:
                raise InputError(script.path, problem)
        texts = [p.text for group in passages for p in group]
        vectors = self.embedder.embed(texts) if texts else np.zeros((0, self.embedder.dimension), np.float32)
        reports: list[Report] = []
        offset = 0
        for script, group in zip(scripts, passages, strict=True):
            itself = [r for r in self.references.scripts() if script.sha256 and r.sha256 == script.sha256]
            shown = [shown_path(r.path, self.root, self.settings.absolute_paths) for r in itself]
            warnings = tuple(f"{path} is the draft itself (same content): not compared" for path in shown)
            warnings += self.source.skipped
            exclude = frozenset(r.id for r in itself)
            probe = draft_probe(
                script, group, vectors[offset : offset + len(group)], self.references, exclude
            )
            offset += len(group)
            reports.append(self.compare_probe(probe, warnings))
        return reports

    def compare_probe(self, probe: Probe, warnings: tuple[str, ...] = ()) -> Report:
        """Candidates, evidence and the report for one prepared draft."""
        calibration, settings = self.calibration, self.settings
        candidates = find_candidates(
            probe, self.references, calibration, settings.semantic_neighbours, settings.max_pairs_per_scene
        )
        options = VerifyOptions(settings.min_verbatim_tokens, settings.min_fuzzy_tokens)
        allowlist = self.allowlist or None
        results: dict[int, list[PairResult]] = {}
        with small_matrix_mode():
            for script_id, pairs in candidates.items():
                found = verify_script(probe, self.cache, script_id, pairs, calibration, options, allowlist)
                if found:
                    results[script_id] = found
        tests = max(1, len(candidates)) * max(1, len(probe.script.scenes))
        report = build_report(probe, results, self.cache, calibration, settings, self.source, tests, warnings)
        return with_shown_paths(report, self.references.scripts(), self.root, settings.absolute_paths)


def read_drafts(paths: Sequence[str | Path]) -> list[Script]:
    """Read the drafts; one that reads as nothing to compare (0 scenes, 0 words) is an ``InputError``."""
    scripts = [read_script(path) for path in paths]
    for script in scripts:
        problem = nothing_to_compare(script)
        if problem:
            raise InputError(script.path, problem)
    return scripts


def open_references(
    index: str | Path | References | None,
    against: Sequence[str | Path],
    embedder: Embedder | None,
    progress: Callable[[int, int], None] | None = None,
    *,
    follow_links: bool = False,
) -> tuple[References, Embedder, Source]:
    """The references (an index, or the ``against`` scripts in memory) and a matching embedder.
    Links in ``against`` folders that lead outside them are skipped (``Source.skipped``) unless
    ``follow_links``."""
    if against:
        if index is not None:
            raise UsageError("give either an index or scripts to compare against (--against), not both")
        roots = [str(p) for p in against]
        paths, not_followed = script_paths(roots, follow_links=follow_links)
        scripts = [read_script(path) for path in paths]
        embedder = embedder or load_embedder(IndexSettings().model)
        references: References = MemoryReferences.build(scripts, IndexSettings(), embedder, progress=progress)
        root = against_root(roots)
        skipped = tuple(f"{shown_path(s.path, root)}: {s.problem}" for s in not_followed)
        return references, embedder, Source(None, "pairwise", root=root, skipped=skipped)
    if index is not None and not isinstance(index, str | Path):
        references = index
        path = getattr(references, "path", None)
    else:
        location = Path(index) if index is not None else default_index_dir()
        references = Index.open(location, embedder=embedder)
        path = location
    embedder = embedder or load_embedder(references.model_name)
    manifest = getattr(references, "manifest_sha256", None)
    return references, embedder, Source(str(path) if path is not None else None, "index", manifest)


def compare_many(
    draft_paths: Sequence[str | Path],
    *,
    index: str | Path | References | None = None,
    against: Sequence[str | Path] = (),
    settings: CompareSettings | None = None,
    embedder: Embedder | None = None,
) -> list[Report]:
    """Reports for several drafts, sharing the model, the references and the calibration."""
    scripts = read_drafts(draft_paths)
    references, embedder, source = open_references(index, against, embedder)
    return Comparer(references, embedder, settings, source).compare_scripts(scripts)


def compare(
    draft_path: str | Path,
    *,
    index: str | Path | References | None = None,
    against: Sequence[str | Path] = (),
    settings: CompareSettings | None = None,
    embedder: Embedder | None = None,
) -> Report:
    """Compare one draft with an index (default: ``settings.default_index_dir()``) or with scripts."""
    return compare_many([draft_path], index=index, against=against, settings=settings, embedder=embedder)[0]


__all__ = ["Comparer", "Source", "compare", "compare_many", "open_references", "read_drafts"]

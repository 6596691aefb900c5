"""The orchestrator: compare drafts with references, stage by stage, and hand the result to the report.

``compare(draft, index=...)`` or ``compare(draft, against=[...])`` returns a ``Report``; ``Comparer`` does
so for several drafts sharing one model, references and calibration. It only sequences the stages:

1. read each draft (``simcheck.read``) and cut it into passages (``simcheck.text``); embed the passages
   of all drafts in one batch (``simcheck.embed``); fingerprint them (``match.draft.draft_probe``);
2. candidate scene pairs from the LSH and the FAISS index (``match.candidates``);
3. evidence: token alignment and passage-embedding comparison per candidate (``match.evidence``),
   scored against the calibration (``simcheck.calibration``, ``match.rarity``); the story (``match.story``);
4. the report: matches, references with their story findings, the summary (``simcheck.report.build``).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from simcheck.calibration import load_calibration
from simcheck.embed import Embedder, embed_reporting, load_embedder
from simcheck.errors import IndexMismatch, UsageError
from simcheck.index import Index
from simcheck.match.allowlist import Allowlist
from simcheck.match.candidates import find_candidates
from simcheck.match.draft import Probe, ReferenceCache, check_content, draft_probe, read_drafts
from simcheck.match.evidence import PairResult, VerifyOptions, small_matrix_mode, verify_script
from simcheck.match.rarity import Calibration
from simcheck.match.story import judge_story
from simcheck.model import Script
from simcheck.read import read_script
from simcheck.read.walk import script_paths
from simcheck.report.build import Source, build_report
from simcheck.report.model import Report
from simcheck.report.paths import against_source, shown_paths
from simcheck.search.memory import MemoryReferences
from simcheck.search.references import References
from simcheck.settings import CompareSettings, IndexSettings, default_index_dir
from simcheck.text.passages import make_passages


@dataclass(frozen=True)
class Step:
    """Progress: ``embed`` (every draft's passages, draft 0), then per draft ``candidates``, ``evidence``."""

    draft: int  # 1-based; 0 for the shared embedding
    drafts: int
    path: str
    stage: str
    done: int
    total: int


StepFn = Callable[[str, int, int], None]  # (stage, done, total) of one draft


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

    @property
    def calibration(self) -> Calibration:
        if self._calibration is None:
            self._calibration = load_calibration(self.references, self.settings)
        return self._calibration

    def compare_scripts(
        self, scripts: Sequence[Script], progress: Callable[[Step], None] | None = None
    ) -> list[Report]:
        """Reports for already-read drafts; all their passages are embedded in one batch."""
        say = progress or (lambda _step: None)
        passages = [make_passages(script, self.references.settings) for script in scripts]
        for script, group in zip(scripts, passages, strict=True):
            check_content(script, len(group))  # nothing to compare is an error, never "0 scenes checked"
        texts = [p.text for group in passages for p in group]
        n = len(scripts)
        vectors = embed_reporting(
            self.embedder, texts, lambda done: say(Step(0, n, "", "embed", done, len(texts)))
        )
        reports: list[Report] = []
        end = 0  # each draft's vectors: vectors[offset:end]
        for k, (script, group) in enumerate(zip(scripts, passages, strict=True), start=1):
            itself = [r for r in self.references.scripts() if script.sha256 and r.sha256 == script.sha256]
            warnings = tuple(f"{r.path} is the draft itself (same content): not compared" for r in itself)
            exclude = frozenset(r.id for r in itself)
            offset, end = end, end + len(group)
            probe = draft_probe(script, group, vectors[offset:end], self.references, exclude)

            def step(stage: str, done: int, total: int, k: int = k, path: str = script.path) -> None:
                say(Step(k, n, path, stage, done, total))

            reports.append(self.compare_probe(probe, warnings, step))
        return reports

    def compare_probe(
        self, probe: Probe, warnings: tuple[str, ...] = (), step: StepFn | None = None
    ) -> Report:
        """Candidates, evidence and the report for one prepared draft (``step(stage, done, total)``)."""
        calibration, settings = self.calibration, self.settings
        say = step or (lambda _stage, _done, _total: None)
        say("candidates", 0, 1)
        candidates = find_candidates(
            probe, self.references, calibration, settings.semantic_neighbours, settings.max_pairs_per_scene
        )
        options = VerifyOptions(settings.min_verbatim_tokens, settings.min_fuzzy_tokens)
        allowlist = self.allowlist or None
        results: dict[int, list[PairResult]] = {}
        with small_matrix_mode():
            for done, (script_id, pairs) in enumerate(candidates.items()):
                say("evidence", done, len(candidates))
                found = verify_script(probe, self.cache, script_id, pairs, calibration, options, allowlist)
                if found:
                    results[script_id] = found
        on = settings.story  # the story layer: draft units aligned in order with references' scenes
        story = judge_story(probe, self.references, self.cache, calibration, settings, results) if on else {}
        say("report", len(candidates), len(candidates))
        tests = max(1, len(candidates)) * max(1, len(probe.script.scenes))
        report = build_report(
            probe, results, self.cache, calibration, settings, self.source, tests, warnings, story, allowlist
        )
        return shown_paths(report, self.references.scripts(), self.source, settings.absolute_paths)


def open_references(
    index: str | Path | References | None,
    against: Sequence[str | Path],
    embedder: Embedder | None,
    progress: Callable[[int, int], None] | None = None,
    exclude: Sequence[str] = (),
    *,
    follow_links: bool = False,
) -> tuple[References, Embedder, Source]:
    """The references (an index, or the ``against`` scripts but ``exclude`` globs; links out of the
    folders only with ``follow_links``) and an embedder."""
    if against:
        if index is not None:
            raise UsageError("give either an index or scripts to compare against (--against), not both")
        paths, not_followed = script_paths([str(p) for p in against], exclude, follow_links=follow_links)
        scripts = [read_script(path) for path in paths]
        embedder = embedder or load_embedder(IndexSettings().model)
        references: References = MemoryReferences.build(scripts, IndexSettings(), embedder, progress=progress)
        return references, embedder, against_source(against, not_followed)
    if index is not None and not isinstance(index, str | Path):
        references, path = index, getattr(index, "path", None)
    else:
        path = Path(index) if index is not None else default_index_dir()
        references = Index.open(path, embedder=embedder)
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


__all__ = ["Comparer", "Source", "Step", "compare", "compare_many", "open_references", "read_drafts"]

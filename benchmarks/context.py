"""What the benchmark parts share in one run: the data plan, the loaded model, the built indexes.

Indexing the whole shared corpus embeds ~25k passages (the slowest step on 2 cores), so a run builds
each index once and derives the others from it by copying and ``remove``/``add`` (the index is
incremental). ``--cache-dir`` keeps built indexes between runs, keyed by the files' hashes, the index
settings, the model and the simcheck version; without it everything lives in a temporary directory
deleted at the end. Nothing is written into the repository except ``benchmarks/RESULTS.md``,
``benchmarks/results.json`` and the plots.
"""

from __future__ import annotations

import hashlib
import json
import os
import random
import shutil
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

SHARED = Path(__file__).resolve().parents[1].parent / "shared"
CORPUS = SHARED / "corpus"
TRANSLATIONS = SHARED / "dev" / "translations"
SEED = 20261121  # fixed for the published numbers

# The quick plan: a handful of short plays (fast to index), one multi-scene host.
QUICK_REFERENCES = (
    "plays/gutenberg/the-bear.fountain",
    "plays/gutenberg/the-proposal.fountain",
    "plays/gutenberg/the-wedding.fountain",
    "plays/gutenberg/the-anniversary.fountain",
    "plays/gutenberg/a-tragedian-in-spite-of-himself.fountain",
    "plays/gutenberg/on-the-high-road.fountain",
    "screenplays/ascent-to-guru-peak.fountain",
)
QUICK_HELD_OUT = ("plays/shakespeare/macbeth.fountain",)
# Plays the translation benchmark needs in the index as "A": never held out.
NEVER_HELD_OUT = ("plays/gutenberg/the-sea-gull.fountain", "plays/gutenberg/a-dolls-house.fountain")


def corpus_files() -> list[Path]:
    """Every script of the shared corpus (sorted, resolved)."""
    return sorted(p.resolve() for p in CORPUS.rglob("*.fountain"))


def file_sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@dataclass(frozen=True)
class Plan:
    """Which files play which role in the quality benchmarks."""

    references: tuple[Path, ...]  # the reference corpus (indexed)
    held_out: tuple[Path, ...]  # innocent plays: compared against references minus these; planted hosts
    per_obfuscation: int  # planted cases per obfuscation
    obfuscations: tuple[str, ...]
    translation_pairs: tuple[str, ...]  # folder names under dev/translations
    host_scenes_per_case: int = 2
    innocent_plays: tuple[Path, ...] | None = None  # default: the held-out plays

    @property
    def innocent(self) -> tuple[Path, ...]:
        """Plays compared, whole, with the references without the held-out plays."""
        return self.held_out if self.innocent_plays is None else self.innocent_plays

    @property
    def distractors(self) -> tuple[Path, ...]:
        """References that stay indexed when the held-out plays are taken out (planted sources)."""
        held = set(self.held_out)
        return tuple(p for p in self.references if p not in held)


def full_plan(seed: int = SEED) -> Plan:
    """Held out: 7 multi-scene plays and 2 plays in acts, drawn with the fixed seed."""
    from benchmarks.planted import OBFUSCATIONS

    files = corpus_files()
    plays = [p for p in files if "/plays/" in str(p)]
    never = {(CORPUS / rel).resolve() for rel in NEVER_HELD_OUT}
    scenes = {
        p: sum(1 for line in p.read_text(encoding="utf-8").split("\n") if _is_heading(line)) for p in plays
    }
    many = sorted(p for p in plays if scenes[p] >= 8 and p not in never)
    few = sorted(p for p in plays if 2 <= scenes[p] < 8 and p not in never)
    rng = random.Random(seed)
    held = sorted(rng.sample(many, 7) + rng.sample(few, 2))
    return Plan(
        references=tuple(files),
        held_out=tuple(held),
        per_obfuscation=10,
        obfuscations=OBFUSCATIONS,
        translation_pairs=tuple(sorted(p.name for p in TRANSLATIONS.iterdir() if p.is_dir())),
    )


def quick_plan() -> Plan:
    from benchmarks.planted import OBFUSCATIONS

    # The held-out host is not among the references: nothing to take out of the index.
    refs = [(CORPUS / rel).resolve() for rel in QUICK_REFERENCES]
    return Plan(
        references=tuple(sorted(refs)),
        held_out=tuple((CORPUS / rel).resolve() for rel in QUICK_HELD_OUT),
        per_obfuscation=1,
        obfuscations=OBFUSCATIONS,
        translation_pairs=("chekhov_the-seagull",),
    )


def _is_heading(line: str) -> bool:
    return line.startswith(".") and not line.startswith("..") and len(line) > 1


def rel(path: str | Path) -> str:
    """A path shown relative to ../shared (or as given)."""
    try:
        return str(Path(path).resolve().relative_to(SHARED.resolve()))
    except ValueError:
        return str(path)


def log(message: str) -> None:
    print(f"[bench {time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


@dataclass
class Context:
    """Shared state of one benchmark run."""

    quick: bool
    workdir: Path
    seed: int = SEED
    sample: int | None = None
    runs: int | None = None  # timing repetitions (default: 3-5, quick: 1-2)
    cache_dir: Path | None = None
    plan: Plan | None = None
    output_dir: Path = Path(__file__).resolve().parent  # RESULTS.md, results.json, plots
    baseline: Path | None = None  # a checkout of the code to compare with (the calibration part)
    caption: str = ""  # stamped on every plot: command, machine, date
    progress: Callable[[str], None] = log
    _embedder: Any = None
    _indexes: dict[str, Path] = field(default_factory=dict)
    timings: dict[str, float] = field(default_factory=dict)
    cache: dict[Any, Any] = field(default_factory=dict)  # peers built once per run

    def cached(self, key: Any, build: Callable[[], Any]) -> Any:
        if key not in self.cache:
            self.cache[key] = build()
        return self.cache[key]

    def get_plan(self) -> Plan:
        if self.plan is None:
            self.plan = quick_plan() if self.quick else full_plan(self.seed)
        return self.plan

    def embedder(self) -> Any:
        """The real default model (simcheck's embedder), loaded once per run."""
        if self._embedder is None:
            from simcheck.embed import load_embedder
            from simcheck.settings import DEFAULT_MODEL

            t0 = time.perf_counter()
            self._embedder = load_embedder(DEFAULT_MODEL)
            self.timings["model_load_s"] = time.perf_counter() - t0
        return self._embedder

    # --- indexes ------------------------------------------------------------------------------

    def _key(self, files: Sequence[Path]) -> str:
        from simcheck import __version__
        from simcheck.settings import IndexSettings

        digest = hashlib.sha256()
        digest.update(json.dumps([__version__, repr(IndexSettings())]).encode())
        for path in sorted(files):
            digest.update(str(path).encode() + b"\0" + file_sha256(path).encode() + b"\n")
        return digest.hexdigest()[:16]

    def _root(self) -> Path:
        root = (self.cache_dir or self.workdir) / "indexes"
        root.mkdir(parents=True, exist_ok=True)
        return root

    def index_of(self, name: str, files: Sequence[Path], base: Path | None = None) -> Path:
        """An index holding exactly ``files``; built from ``base`` (copied, then files removed/added)
        when given, else from scratch. Reused when the cache already holds the same content."""
        from simcheck.index import Index
        from simcheck.settings import IndexSettings

        files = sorted(Path(f).resolve() for f in files)
        target = self._root() / f"{name}-{self._key(files)}"
        if (target / ".complete").exists():
            with Index.open(target) as cached:
                if any(s.scripts_without_story() for s in cached.segments):  # cached before the table
                    self.progress(f"index {name}: writing its story table (index --compact)")
                    cached.compact()
            self._indexes[name] = target
            return target
        if target.exists():
            shutil.rmtree(target)
        t0 = time.perf_counter()
        if base is not None:
            self.progress(f"index {name}: deriving from {base.name} ({len(files)} scripts)")
            shutil.copytree(base, target)
            (target / ".complete").unlink(missing_ok=True)
            index = Index.open(target)
            held = {Path(s.path).resolve() for s in index.scripts()}
            remove = sorted(held - set(files))
            add = sorted(set(files) - held)
            if remove:
                index.remove([str(p) for p in remove])
            if add:
                index.add([str(p) for p in add], progress=self._add_progress(name))
        else:
            self.progress(f"index {name}: building from {len(files)} scripts (embeds every passage)")
            index = Index.create(target, IndexSettings(), embedder=self.embedder())
            index.add([str(p) for p in files], progress=self._add_progress(name))
        _close(index)
        self.timings[f"index_{name}_s"] = time.perf_counter() - t0
        (target / ".complete").write_text("ok\n", encoding="utf-8")
        self._indexes[name] = target
        self.progress(f"index {name}: ready in {time.perf_counter() - t0:.0f} s")
        return target

    def _add_progress(self, name: str) -> Callable[[Any], None]:
        """Log each stage of ``Index.add`` and every tenth of the embedding."""
        stage_seen = [""]
        tenth_seen = [-1]

        def report(progress: Any) -> None:
            stage = str(getattr(progress, "stage", ""))
            done, total = int(getattr(progress, "done", 0)), int(getattr(progress, "total", 0))
            if stage != stage_seen[0]:
                stage_seen[0], tenth_seen[0] = stage, -1
                self.progress(f"index {name}: {stage} ({total} to do)")
            if stage == "embed" and total:
                tenth = int(10 * done / total)
                if tenth > tenth_seen[0]:
                    tenth_seen[0] = tenth
                    self.progress(f"index {name}: embedded {done}/{total}")

        return report

    def reference_index(self) -> Path:
        plan = self.get_plan()
        return self.index_of("references", plan.references)

    def distractor_index(self) -> Path:
        """The references without the held-out plays."""
        plan = self.get_plan()
        if set(plan.distractors) == set(plan.references):
            return self.reference_index()
        return self.index_of("distractors", plan.distractors, base=self.reference_index())

    def calibrate(self, index: Any, measure: bool = False) -> tuple[float, bool]:
        """Make sure ``index`` holds its calibration (the first compare after indexing measures it):
        returns (seconds, whether it was already cached), so that per-draft timings exclude it.
        ``measure``: also time a fresh measurement when it was cached (what the first compare pays)."""
        from simcheck.calibration import is_current
        from simcheck.calibration.load import fingerprint
        from simcheck.calibration.update import refresh
        from simcheck.settings import CompareSettings

        cached = is_current(index, CompareSettings())
        t0 = time.perf_counter()
        if cached and measure:
            from simcheck.calibration import measure as measure_background

            measure_background(index, CompareSettings(), fingerprint(index))
            cached = False
        refresh(index, CompareSettings())
        seconds = time.perf_counter() - t0
        self.progress(f"calibration: {seconds:.0f} s ({'cached' if cached else 'measured'})")
        return seconds, cached

    def open_index(self, path: Path) -> Any:
        from simcheck.index import Index

        return Index.open(path)


def _close(index: Any) -> None:
    close = getattr(index, "close", None)
    if callable(close):
        close()


def env_for_subprocess() -> dict[str, str]:
    env = dict(os.environ)
    root = str(Path(__file__).resolve().parents[1])
    env["PYTHONPATH"] = root + (os.pathsep + env["PYTHONPATH"] if env.get("PYTHONPATH") else "")
    env.setdefault("HF_HUB_OFFLINE", "1")
    env.setdefault("TOKENIZERS_PARALLELISM", "false")
    return env

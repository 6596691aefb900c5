"""Both sides of a comparison: the draft (``Probe``) and the reference scripts it meets.

A ``Probe`` is what gets compared: a draft, or, for calibration, one reference scene used as a
pseudo-draft (``exclude_scripts`` then keeps its own script out of the candidates). Its words and
their commonness weights are computed when first needed. ``ReferenceCache`` reads each reference
script at most once and tokenises (and weighs) each reference scene only when a candidate pair needs
it; it is shared by all drafts of a run. Reference words are always addressed per scene.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from simcheck.errors import InputError
from simcheck.match.scoring import phrase_weights
from simcheck.model import Lines, Passage, Script
from simcheck.read import read_script
from simcheck.search.references import References, StoredPassage
from simcheck.text.fingerprints import hash_shingles, passage_shingle_hashes
from simcheck.text.minhash import minhash_signatures
from simcheck.text.tokens import name_words, shingles, word_count
from simcheck.text.units import StoredLike
from simcheck.text.words import (
    SceneWords,
    ScriptWords,
    assemble,
    nothing_to_compare,
    scene_words,
    script_words,
)

PassageLike = StoredLike  # a draft's passage or a stored one: what a probe reads of each


class Probe:
    """A draft (or pseudo-draft) with its passages, embeddings and signatures; words on demand."""

    def __init__(
        self,
        script: Script,
        passages: Sequence[PassageLike],
        vectors: np.ndarray,
        signatures: np.ndarray,
        words: Callable[[], ScriptWords],
        weights: Callable[[ScriptWords], np.ndarray],
        exclude_scripts: frozenset[int] = frozenset(),
        lines: Lines | None = None,
    ) -> None:
        self.script = script
        self.passages = tuple(passages)
        self.vectors = np.asarray(vectors, dtype=np.float32)
        self.signatures = np.asarray(signatures, dtype=np.uint64)
        self.exclude_scripts = exclude_scripts
        self._words = words
        self._weights = weights
        self._lines = lines
        self.passage_lengths = np.fromiter(
            (word_count(p.text) for p in self.passages), dtype=np.int64, count=len(self.passages)
        )

    @functools.cached_property
    def words(self) -> ScriptWords:
        return self._words()

    @functools.cached_property
    def weights(self) -> np.ndarray:
        """Commonness weight of every word of ``words`` (``scoring.phrase_weights``)."""
        return self._weights(self.words)

    @functools.cached_property
    def lines(self) -> Lines:
        return self._lines if self._lines is not None else Lines.of(self.script.text)

    @functools.cached_property
    def passage_words(self) -> np.ndarray:
        """int64 (n, 2): the word range of each passage in ``words``."""
        return passage_word_ranges(self.words, self.passages)

    @functools.cached_property
    def scene_passages(self) -> dict[int, np.ndarray]:
        """Passage indices of each scene that has passages."""
        out: dict[int, list[int]] = {}
        for i, passage in enumerate(self.passages):
            out.setdefault(passage.scene, []).append(i)
        return {scene: np.asarray(ids, dtype=np.int64) for scene, ids in out.items()}


@dataclass(frozen=True)
class RefScript:
    """A reference script as read when indexed (its words: ``ReferenceCache.scene_words``)."""

    id: int
    path: str
    title: str | None
    script: Script
    names: frozenset[str]
    lines: Lines


def word_weights(words: ScriptWords | SceneWords, references: References, own: int = 0) -> np.ndarray:
    """Commonness weight of every word, from the script frequency of its unit's shingles.

    ``own`` is subtracted from the counts (1 when the words' script is itself one of the references
    and is compared as a pseudo-draft).
    """
    size = references.settings.shingle_words
    n_scripts = len(references.scripts())
    n = len(words.norms)
    weights = np.ones(n, dtype=np.float64)
    if n == 0:
        return weights
    units = words.units
    cuts = np.flatnonzero(np.diff(units) != 0) + 1
    bounds = np.concatenate(([0], cuts, [n]))
    hash_lists = []
    for a, b in zip(bounds[:-1], bounds[1:], strict=True):
        hash_lists.append(hash_shingles(shingles(list(words.norms[a:b]), size)))
    all_hashes = np.concatenate(hash_lists) if hash_lists else np.zeros(0, dtype=np.uint32)
    counts = np.asarray(references.script_frequency(all_hashes), dtype=np.int64)
    if own:
        counts = np.maximum(counts - own, 0)
    position = 0
    for (a, b), hashes in zip(zip(bounds[:-1], bounds[1:], strict=True), hash_lists, strict=True):
        unit_counts = counts[position : position + hashes.size]
        position += hashes.size
        weights[a:b] = phrase_weights(int(b - a), unit_counts, size, n_scripts)
    return weights


def passage_word_ranges(words: ScriptWords, passages: Sequence[PassageLike]) -> np.ndarray:
    ranges = np.zeros((len(passages), 2), dtype=np.int64)
    for i, passage in enumerate(passages):
        ranges[i] = words.word_range(passage.start, passage.end)
    return ranges


def draft_probe(
    script: Script,
    passages: Sequence[Passage],
    vectors: np.ndarray,
    references: References,
    exclude: frozenset[int] = frozenset(),
) -> Probe:
    """A draft ready to compare: ``passages`` from ``make_passages``, ``vectors`` their embeddings."""
    settings = references.settings
    hashes = passage_shingle_hashes(passages, script, settings)
    signatures = minhash_signatures(hashes, settings.num_perm, settings.minhash_seed)
    return Probe(
        script=script,
        passages=passages,
        vectors=vectors,
        signatures=signatures,
        words=lambda: script_words(script),
        weights=lambda words: word_weights(words, references),
        exclude_scripts=exclude,
    )


class ReferenceCache:
    """Reference scripts loaded for alignment: each script read once, each scene tokenised once.

    With ``max_chars``, the scripts least recently used are dropped (with their words) once the texts
    held pass that many characters (the calibration meets every script of a large index)."""

    def __init__(self, references: References, max_chars: int | None = None) -> None:
        self.references = references
        self._loaded: dict[int, RefScript] = {}  # in order of last use
        self._words: dict[tuple[int, int], SceneWords] = {}
        self._weights: dict[tuple[int, int], np.ndarray] = {}
        self._meta = {s.id: s for s in references.scripts()}
        self._max_chars = max_chars
        self._chars = 0

    def get(self, script_id: int) -> RefScript:
        loaded = self._loaded.pop(script_id, None)
        if loaded is not None:
            self._loaded[script_id] = loaded
        else:
            script = self.references.load_script(script_id)
            meta = self._meta.get(script_id)
            loaded = RefScript(
                id=script_id,
                path=meta.path if meta else script.path,
                title=meta.title if meta else script.title,
                script=script,
                names=name_words(script.cast),
                lines=Lines.of(script.text),
            )
            self._loaded[script_id] = loaded
            self._chars += len(script.text)
            self._evict()
        return loaded

    def _evict(self) -> None:
        while self._max_chars is not None and self._chars > self._max_chars and len(self._loaded) > 1:
            oldest = next(iter(self._loaded))
            self._chars -= len(self._loaded.pop(oldest).script.text)
            for cache in (self._words, self._weights):
                for key in [k for k in cache if k[0] == oldest]:
                    del cache[key]

    def scene_words(self, script_id: int, number: int) -> SceneWords:
        """The compared words of one reference scene."""
        key = (script_id, number)
        cached = self._words.get(key)
        if cached is None:
            ref = self.get(script_id)
            cached = scene_words(ref.script, number, ref.names)
            self._words[key] = cached
        return cached

    def scene_weights(self, script_id: int, number: int) -> np.ndarray:
        """Commonness weights of the words of one reference scene."""
        key = (script_id, number)
        cached = self._weights.get(key)
        if cached is None:
            cached = word_weights(self.scene_words(script_id, number), self.references)
            self._weights[key] = cached
        return cached

    def total_words(self, script_id: int) -> int:
        """Compared words in the whole reference script (the words of its passages)."""
        meta = self._meta.get(script_id)
        n_scenes = meta.scenes if meta is not None else len(self.get(script_id).script.scenes)
        ids = [self.references.scene_passage_ids(script_id, k) for k in range(1, n_scenes + 1)]
        flat = np.concatenate(ids) if ids else np.zeros(0, dtype=np.int64)
        return sum(word_count(p.text) for p in self.references.passages(flat)) if flat.size else 0

    def reference_probe(self, script_id: int, scene: int) -> Probe | None:
        """One reference scene as a pseudo-draft against the other scripts (stored features only)."""
        refs = self.references
        ids = refs.scene_passage_ids(script_id, scene)
        if len(ids) == 0:
            return None
        ref = self.get(script_id)
        n_scenes = len(ref.script.scenes)
        return Probe(
            script=ref.script,
            passages=refs.passages(ids),
            vectors=refs.vectors(ids),
            signatures=refs.signatures(ids),
            words=lambda: assemble(n_scenes, {scene: self.scene_words(script_id, scene)}),
            weights=lambda words: word_weights(words, refs, own=1),
            exclude_scripts=frozenset({script_id}),
            lines=ref.lines,
        )


@dataclass(frozen=True)
class ReferenceSide:
    """The reference scenes of one script that candidates point at: passages, vectors, signatures."""

    rows: dict[int, np.ndarray]  # reference scene -> row indices into the arrays below
    stored: list[StoredPassage]
    vectors: np.ndarray
    signatures: np.ndarray
    lengths: np.ndarray  # words of each passage text


def reference_side(cache: ReferenceCache, script_id: int, scenes: Sequence[int]) -> ReferenceSide:
    refs = cache.references
    ids = {r: np.asarray(refs.scene_passage_ids(script_id, r), dtype=np.int64) for r in scenes}
    all_ids = np.concatenate(list(ids.values())) if ids else np.zeros(0, np.int64)
    rows: dict[int, np.ndarray] = {}
    start = 0
    for r, scene_ids in ids.items():
        rows[r] = np.arange(start, start + scene_ids.size)
        start += scene_ids.size
    if all_ids.size == 0:
        empty = np.zeros(0, np.int64)
        return ReferenceSide(rows, [], np.zeros((0, 0), np.float32), np.zeros((0, 0), np.uint64), empty)
    stored = refs.passages(all_ids)
    return ReferenceSide(
        rows,
        stored,
        np.asarray(refs.vectors(all_ids), dtype=np.float32),
        np.asarray(refs.signatures(all_ids), dtype=np.uint64),
        np.fromiter((word_count(p.text) for p in stored), dtype=np.int64, count=len(stored)),
    )


def read_drafts(paths: Sequence[str | Path]) -> list[Script]:
    """Read the drafts; one that reads as nothing to compare (0 scenes, 0 words) is an ``InputError``,
    before any model loads."""
    scripts = [read_script(path) for path in paths]
    for script in scripts:
        check_content(script)
    return scripts


def check_content(script: Script, passages: int | None = None) -> None:
    """An ``InputError`` saying what was read when ``script`` has nothing to compare (no scene, no word
    or, given its ``passages``, too few words for one): such a draft never passes a gate unchecked."""
    problem = nothing_to_compare(script, passages)
    if problem:
        raise InputError(script.path, problem)

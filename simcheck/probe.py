"""Both sides of a comparison, prepared once: the draft (``Probe``) and the references it meets.

A ``Probe`` is what gets compared: a draft, or, for calibration, one reference scene used as a
pseudo-draft (``exclude_scripts`` then keeps its own script out of the candidates). A ``RefScript``
is one reference script ready for alignment; ``ReferenceCache`` loads each at most once per run and
is shared by all drafts of a run.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Protocol

import numpy as np

from simcheck.features import hash_shingles, minhash_signatures, passage_shingle_hashes
from simcheck.model import Passage, Script
from simcheck.normalize import name_words, shingles
from simcheck.normalize import words as text_words
from simcheck.references import References
from simcheck.scene_words import LineIndex, SceneWords, ScriptWords, assemble, scene_words, script_words
from simcheck.scoring import phrase_weights


class PassageLike(Protocol):
    @property
    def scene(self) -> int: ...
    @property
    def start(self) -> int: ...
    @property
    def end(self) -> int: ...
    @property
    def line(self) -> int: ...
    @property
    def text(self) -> str: ...
    @property
    def speaker(self) -> str | None: ...


@dataclass(frozen=True)
class Probe:
    script: Script
    words: ScriptWords
    weights: np.ndarray  # per word commonness weight (scoring.phrase_weights)
    passages: tuple[PassageLike, ...]
    passage_words: np.ndarray  # int64 (n, 2): word range of each passage
    vectors: np.ndarray  # float32 (n, dim)
    signatures: np.ndarray  # uint64 (n, num_perm)
    exclude_scripts: frozenset[int] = frozenset()  # reference ids never compared with this probe
    lines: LineIndex = field(default=None, compare=False, repr=False)  # type: ignore[assignment]
    passage_lengths: np.ndarray = field(init=False, compare=False, repr=False)  # words of each passage text

    def __post_init__(self) -> None:
        if self.lines is None:
            object.__setattr__(self, "lines", LineIndex(self.script.text))
        lengths = np.fromiter(
            (len(text_words(p.text)) for p in self.passages), dtype=np.int64, count=len(self.passages)
        )
        object.__setattr__(self, "passage_lengths", lengths)

    def scene_passages(self) -> dict[int, np.ndarray]:
        """Passage indices of each scene that has passages."""
        out: dict[int, list[int]] = {}
        for i, passage in enumerate(self.passages):
            out.setdefault(passage.scene, []).append(i)
        return {scene: np.asarray(ids, dtype=np.int64) for scene, ids in out.items()}


@dataclass(frozen=True)
class RefScript:
    id: int
    path: str
    title: str | None
    script: Script
    words: ScriptWords
    weights: np.ndarray
    lines: LineIndex


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
    words = script_words(script)
    return Probe(
        script=script,
        words=words,
        weights=word_weights(words, references),
        passages=tuple(passages),
        passage_words=passage_word_ranges(words, passages),
        vectors=np.asarray(vectors, dtype=np.float32),
        signatures=signatures,
        exclude_scripts=exclude,
    )


@dataclass(frozen=True)
class _Loaded:
    script: Script
    names: frozenset[str]
    lines: LineIndex
    path: str
    title: str | None


class ReferenceCache:
    """Reference scripts loaded for alignment: each script read once, each scene tokenised once."""

    def __init__(self, references: References) -> None:
        self.references = references
        self._loaded: dict[int, _Loaded] = {}
        self._scenes: dict[tuple[int, int], tuple[SceneWords, np.ndarray]] = {}
        self._own: dict[tuple[int, int], np.ndarray] = {}
        self._meta = {s.id: s for s in references.scripts()}

    def _load(self, script_id: int) -> _Loaded:
        loaded = self._loaded.get(script_id)
        if loaded is None:
            script = self.references.load_script(script_id)
            meta = self._meta.get(script_id)
            loaded = _Loaded(
                script=script,
                names=name_words(script.cast),
                lines=LineIndex(script.text),
                path=meta.path if meta else script.path,
                title=meta.title if meta else script.title,
            )
            self._loaded[script_id] = loaded
        return loaded

    def scene(self, script_id: int, number: int) -> tuple[SceneWords, np.ndarray]:
        """The compared words of one reference scene and their commonness weights."""
        key = (script_id, number)
        cached = self._scenes.get(key)
        if cached is None:
            loaded = self._load(script_id)
            words = scene_words(loaded.script, number, loaded.names)
            cached = (words, word_weights(words, self.references))
            self._scenes[key] = cached
        return cached

    def total_words(self, script_id: int) -> int:
        """Compared words in the whole reference script."""
        n_scenes = len(self._load(script_id).script.scenes)
        return sum(len(self.scene(script_id, k)[0].norms) for k in range(1, n_scenes + 1))

    def get(self, script_id: int, scenes: Iterable[int]) -> RefScript:
        """The reference script with the words of ``scenes`` (other scenes hold no words)."""
        loaded = self._load(script_id)
        parts = {k: self.scene(script_id, k) for k in sorted(set(scenes))}
        words = assemble(len(loaded.script.scenes), {k: part[0] for k, part in parts.items()})
        weights = [part[1] for _, part in sorted(parts.items())]
        return RefScript(
            id=script_id,
            path=loaded.path,
            title=loaded.title,
            script=loaded.script,
            words=words,
            weights=np.concatenate(weights) if weights else np.zeros(0, dtype=np.float64),
            lines=loaded.lines,
        )

    def reference_probe(self, script_id: int, scene: int) -> Probe | None:
        """One reference scene as a pseudo-draft against the other scripts (stored features only)."""
        refs = self.references
        ids = refs.scene_passage_ids(script_id, scene)
        if len(ids) == 0:
            return None
        ref = self.get(script_id, [scene])
        stored = refs.passages(ids)
        key = (script_id, scene)
        if key not in self._own:
            self._own[key] = word_weights(ref.words, refs, own=1)
        return Probe(
            script=ref.script,
            words=ref.words,
            weights=self._own[key],
            passages=tuple(stored),
            passage_words=passage_word_ranges(ref.words, stored),
            vectors=np.asarray(refs.vectors(ids), dtype=np.float32),
            signatures=np.asarray(refs.signatures(ids), dtype=np.uint64),
            exclude_scripts=frozenset({script_id}),
            lines=ref.lines,
        )

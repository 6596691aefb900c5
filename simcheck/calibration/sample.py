"""Which reference material is measured: a sample fixed by content, never by ids or by order.

Every unit of reference material gets a stable 64-bit key, a keyed hash of its content: a passage is
(its script's sha256, its text), a scene is (its script's sha256, its number). The sample is the
units with the smallest keys (bottom-k sampling: a uniform random sample without replacement that
depends only on what the references hold). So an index built in another order, or in several
segments, measures the same units; adding a script adds to the sample only those of its units whose
keys are small enough (and drops as many of the largest), which is what lets the calibration be
updated instead of measured again.

Identical passages of one script are one unit (their key is the same): a file holding the same line
4,000 times counts it once. Scripts with the same content (same sha256, e.g. a copy under another
path) are one script for the sample, and each other's "own" script when measured. A scene is a
pseudo-draft made of its distinct passages; a scene with more than ``SCENE_MAX_PASSAGES`` of them is
left out of the scene background (no real scene comes near: the corpus's longest has 470 passages).

``census`` reads every passage once, in chunks (memory bounded by the chunk and the sample sizes),
and returns the sample with where every passage is (script and scene), for the searches that follow.
"""

from __future__ import annotations

import hashlib
import heapq
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Generic, TypeVar

import numpy as np

from simcheck.search.references import References
from simcheck.settings import PAIR_SAMPLES, PASSAGE_SAMPLES, SAMPLE_SEED, SCENE_MAX_PASSAGES, SCENE_SAMPLES
from simcheck.text.tokens import word_count

CHUNK = 20_000  # passages read at a time
_SALT = str(SAMPLE_SEED).encode("ascii")
_TOP = float(1 << 64)
T = TypeVar("T")


def unit_keys(*parts: str) -> tuple[int, int]:
    """Two independent stable 64-bit keys of a unit's content (the sample key and the pair key)."""
    digest = hashlib.blake2b("\x1f".join(parts).encode("utf-8"), digest_size=16, key=_SALT).digest()
    return int.from_bytes(digest[:8], "big"), int.from_bytes(digest[8:], "big")


def key_fraction(key: int) -> float:
    """A key as a number in [0, 1) (uniform over units)."""
    return key / _TOP


@dataclass(frozen=True)
class PassageUnit:
    key: int
    sha256: str  # of its script
    passage: int  # a passage id holding its text
    words: int


@dataclass(frozen=True)
class SceneUnit:
    key: int
    sha256: str
    script_id: int  # a script with this content
    scene: int
    passages: tuple[int, ...]  # its distinct passages (the first of each text), in script order
    complete: bool  # no passage of the scene was left out (none repeats another's text)


@dataclass(frozen=True)
class Census:
    """The sampled units of a set of references, and where each passage is."""

    n_passages: int
    n_scripts: int
    scripts_of: dict[str, tuple[int, ...]]  # content sha256 -> script ids
    script_of: np.ndarray  # passage id -> script id
    scene_of: np.ndarray  # passage id -> scene number
    passages: tuple[PassageUnit, ...]  # the passage sample, by key
    pair_ids: tuple[int, ...]  # passages of the random pairs: left = even ranks, right = odd ranks
    pair_shas: tuple[str, ...]
    scenes: tuple[SceneUnit, ...]  # the scene sample, by key

    def own(self, sha256: str) -> frozenset[int]:
        """The script ids with this content."""
        return frozenset(self.scripts_of.get(sha256, ()))

    def sha_of(self) -> dict[int, str]:
        return {sid: sha for sha, ids in self.scripts_of.items() for sid in ids}

    def locate(self, ids: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(script id, scene) of each passage id."""
        ids = np.asarray(ids, dtype=np.int64)
        return self.script_of[ids].astype(np.int64), self.scene_of[ids].astype(np.int64)

    def passages_of(self, shas: Iterable[str]) -> np.ndarray:
        """The passage ids of the scripts with these contents."""
        wanted = [sid for sha in shas for sid in self.scripts_of.get(sha, ())]
        return np.flatnonzero(np.isin(self.script_of, np.asarray(wanted, dtype=np.int64)))


class _Bottom(Generic[T]):
    """The ``k`` smallest distinct keys seen, with a payload each."""

    def __init__(self, k: int) -> None:
        self.k = k
        self._heap: list[tuple[int, T]] = []  # (-key, payload): a max-heap of the kept keys
        self._keys: set[int] = set()

    def offer(self, key: int, payload: T) -> None:
        if key in self._keys:
            return
        if len(self._heap) < self.k:
            heapq.heappush(self._heap, (-key, payload))
            self._keys.add(key)
        elif key < -self._heap[0][0]:
            dropped = heapq.heapreplace(self._heap, (-key, payload))
            self._keys.discard(-dropped[0])
            self._keys.add(key)

    def items(self) -> list[tuple[int, T]]:
        return sorted(((-k, p) for k, p in self._heap), key=lambda e: e[0])


def census(
    references: References,
    passage_samples: int = PASSAGE_SAMPLES,
    scene_samples: int = SCENE_SAMPLES,
    pair_samples: int = PAIR_SAMPLES,
) -> Census:
    """Read every passage once and draw the samples (see the module docstring)."""
    scripts = references.scripts()
    sha_of = {s.id: s.sha256 or f"script-{s.id}" for s in scripts}
    scripts_of: dict[str, list[int]] = {}
    for s in scripts:
        scripts_of.setdefault(sha_of[s.id], []).append(s.id)
    n = references.n_passages
    script_of = np.zeros(n, dtype=np.int32)
    scene_of = np.zeros(n, dtype=np.int32)
    sample: _Bottom[tuple[str, int, str]] = _Bottom(passage_samples)
    pairs: _Bottom[tuple[str, int]] = _Bottom(2 * pair_samples)
    for begin in range(0, n, CHUNK):
        ids = np.arange(begin, min(n, begin + CHUNK), dtype=np.int64)
        for p in references.passages(ids):
            script_of[p.id] = p.script_id
            scene_of[p.id] = p.scene
            sha = sha_of[p.script_id]
            key, pair_key = unit_keys("passage", sha, p.text)
            sample.offer(key, (sha, p.id, p.text))
            pairs.offer(pair_key, (sha, p.id))
    units = []
    for key, payload in sample.items():
        sha, pid, text = payload
        units.append(PassageUnit(key, sha, int(pid), word_count(text)))
    pair_items = [payload for _key, payload in pairs.items()]
    return Census(
        n_passages=n,
        n_scripts=len(scripts),
        scripts_of={sha: tuple(ids) for sha, ids in scripts_of.items()},
        script_of=script_of,
        scene_of=scene_of,
        passages=tuple(units),
        pair_ids=tuple(pid for _sha, pid in pair_items),
        pair_shas=tuple(sha for sha, _pid in pair_items),
        scenes=_scene_sample(references, scripts_of, scene_samples),
    )


def _scene_sample(
    references: References, scripts_of: dict[str, list[int]], samples: int
) -> tuple[SceneUnit, ...]:
    """The ``samples`` scenes with the smallest keys among those with 1..SCENE_MAX_PASSAGES distinct
    passages (a scene of one content is measured once, in its lowest-id script)."""
    scenes_of = {s.id: s.scenes for s in references.scripts()}
    keyed: list[tuple[int, str, int, int]] = []
    for sha, ids in scripts_of.items():
        script_id = min(ids)
        for number in range(1, scenes_of[script_id] + 1):
            keyed.append((unit_keys("scene", sha, str(number))[0], sha, script_id, number))
    keyed.sort()
    out: list[SceneUnit] = []
    for key, sha, script_id, number in keyed:
        if len(out) >= samples:
            break
        found = np.asarray(references.scene_passage_ids(script_id, number), dtype=np.int64)
        if found.size == 0:
            continue
        distinct = _distinct(references, found)
        if distinct is None:
            continue
        out.append(SceneUnit(key, sha, script_id, number, distinct, len(distinct) == found.size))
    return tuple(out)


def _distinct(references: References, ids: np.ndarray) -> tuple[int, ...] | None:
    """The first passage of each text among ``ids``; None beyond ``SCENE_MAX_PASSAGES`` of them."""
    seen: set[str] = set()
    kept: list[int] = []
    for begin in range(0, ids.size, CHUNK):
        for p in references.passages(ids[begin : begin + CHUNK]):
            if p.text not in seen:
                seen.add(p.text)
                kept.append(p.id)
                if len(kept) > SCENE_MAX_PASSAGES:
                    return None
    return tuple(kept)

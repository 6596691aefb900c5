"""The scene background: how much evidence an unrelated scene's best match has (see ``simcheck.calibration``).

Each sampled scene is a pseudo-draft (its distinct passages, with their stored vectors and signatures)
compared with every script of other content through the real candidate search and verification of
``simcheck.match``. The passages of many pseudo-drafts are searched together (one FAISS and one LSH
call per ``CALIBRATION_BATCH`` distinct passage texts); each pseudo-draft then ranks its own hits
(``candidates.scene_hits``/``select_pairs``) and has at most ``CALIBRATION_MAX_PAIRS`` of them
verified, the heaviest first, so that references where every script looks like every other cost
what a normal corpus costs. Reference scenes of more than ``SCENE_MAX_PASSAGES`` passages are left out.

A sample remembers its best evidence, the script that gave each measure, the scripts it had any hit
in (``touched``) and the size of the references when it was measured. An update re-measures a kept
sample only when a script it touched was removed, when an added script comes close to one of its
passages (``affected``: a cosine at its candidate floor or a shared LSH band), or when the references
have grown or shrunk by more than ``CALIBRATION_REFRESH`` since (``stale``: the word weights and the
passage background it was judged with have moved). Any other sample's candidates, and so its
evidence, are exactly what a new measurement would find.
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

import numpy as np

from simcheck.calibration.sample import Census, SceneUnit, key_fraction
from simcheck.match.candidates import (
    Neighbours,
    passage_floors,
    scene_hits,
    search_neighbours,
    select_pairs,
    semantic_floors,
)
from simcheck.match.draft import Probe, ReferenceCache, word_weights
from simcheck.match.evidence import VerifyOptions, small_matrix_mode, verify_script
from simcheck.match.rarity import Calibration
from simcheck.search.lsh import BandIndex
from simcheck.search.references import References, StoredPassage
from simcheck.settings import (
    CALIBRATION_BATCH,
    CALIBRATION_FLOOR_DRIFT,
    CALIBRATION_MAX_PAIRS,
    CALIBRATION_REFRESH,
    SCENE_MAX_PASSAGES,
    SEMANTIC_EVIDENCE,
    CompareSettings,
)
from simcheck.text.tokens import word_count
from simcheck.text.words import SceneWords, assemble

TOUCHED_MAX = 64  # scripts a sample remembers having hits in; beyond, any removal re-measures it
CACHE_CHARS = 16_000_000  # script text held for verifying (~30 bytes of memory per character held)
_CELLS = 4_000_000  # query rows x reference passages compared at a time (~16 MB)
EXTRA_NEIGHBOURS = 20  # neighbours fetched beyond ``semantic_neighbours``, as for a draft in the index


@dataclass(frozen=True)
class SceneSample:
    key: int
    best: tuple[float, float, float]  # lexical, semantic and combined evidence words of the best match
    sources: tuple[str | None, str | None, str | None]  # content sha256 of the script that gave each
    touched: tuple[str, ...] | None  # contents it had any hit in (None: more than TOUCHED_MAX)
    n_passages: int  # the references' size when it was measured
    n_scripts: int
    floors: tuple[float, ...]  # the cosine floors it was judged with (``judged_floors``)


def judged_floors(calibration: Calibration, n_passages: int) -> tuple[float, ...]:
    """The cosines a passage needs, per length bin, to make a candidate and to be evidence: what a
    scene sample's result depends on in the passage background."""
    both = np.concatenate(
        [
            semantic_floors(calibration, n_passages),
            semantic_floors(calibration, n_passages, SEMANTIC_EVIDENCE),
        ]
    )
    return tuple(round(float(x), 4) for x in both)


def stale(sample: SceneSample, census: Census, floors: tuple[float, ...]) -> bool:
    """Was ``sample`` judged in references too different from these: floors moved by more than
    ``CALIBRATION_FLOOR_DRIFT``, or the references grown or shrunk by more than ``CALIBRATION_REFRESH``
    (its word weights have moved)? The size allowance is staggered per sample (half to all of it), so
    that samples measured together are not all measured again by the same update."""
    if len(sample.floors) != len(floors) or any(
        abs(a - b) > CALIBRATION_FLOOR_DRIFT for a, b in zip(sample.floors, floors, strict=True)
    ):
        return True
    drift = max(
        abs(math.log(max(census.n_passages, 1) / max(sample.n_passages, 1))),
        abs(math.log(max(census.n_scripts, 1) / max(sample.n_scripts, 1))),
    )
    return drift > CALIBRATION_REFRESH * (0.5 + 0.5 * key_fraction(sample.key))


def _chunks(units: Sequence[SceneUnit]) -> Iterator[list[SceneUnit]]:
    chunk: list[SceneUnit] = []
    size = 0
    for unit in units:
        if chunk and size + len(unit.passages) > CALIBRATION_BATCH:
            yield chunk
            chunk, size = [], 0
        chunk.append(unit)
        size += len(unit.passages)
    if chunk:
        yield chunk


def measure_scenes(
    references: References,
    settings: CompareSettings,
    census: Census,
    calibration: Calibration,
    units: Sequence[SceneUnit],
) -> list[SceneSample]:
    """The best other-script evidence of each pseudo-draft scene of ``units``."""
    n = census.n_passages
    if not units or n == 0:
        return []
    floors = semantic_floors(calibration, n)
    judged = judged_floors(calibration, n)
    k = min(n, settings.semantic_neighbours + EXTRA_NEIGHBOURS)
    options = VerifyOptions(settings.min_verbatim_tokens, settings.min_fuzzy_tokens)
    sha_of = census.sha_of()
    sizes: dict[tuple[int, int], bool] = {}

    def small(script_id: int, scene: int) -> bool:
        key = (script_id, scene)
        if key not in sizes:
            sizes[key] = len(references.scene_passage_ids(script_id, scene)) <= SCENE_MAX_PASSAGES
        return sizes[key]

    out: list[SceneSample] = []
    cache = ReferenceCache(references, max_chars=CACHE_CHARS)
    for chunk in _chunks(units):
        stored = {p.id: p for p in references.passages(sorted({i for u in chunk for i in u.passages}))}
        rows_of, texts = _distinct_texts(chunk, stored)
        reps = [i for i in texts.values()]
        vectors = np.asarray(references.vectors(reps), dtype=np.float32)
        signatures = references.signatures(reps)
        found = search_neighbours(references, vectors, signatures, k)
        lengths = np.asarray([word_count(stored[i].text) for i in reps], dtype=np.int64)
        with small_matrix_mode():
            for unit, rows in zip(chunk, rows_of, strict=True):
                own = census.own(unit.sha256)
                mine = Neighbours(found.sims[rows], found.ids[rows], [found.lexical[r] for r in rows])
                hits = scene_hits(
                    [unit.scene] * len(rows), passage_floors(floors, lengths[rows]), mine, census.locate, own
                )
                hits = {key: hit for key, hit in hits.items() if small(key[1], key[2])}
                touched = sorted({sha_of[script_id] for _scene, script_id, _ref in hits})
                pairs = select_pairs(hits, settings.max_pairs_per_scene, CALIBRATION_MAX_PAIRS)
                best: tuple[float, float, float] = (0.0, 0.0, 0.0)
                sources: tuple[str | None, str | None, str | None] = (None, None, None)
                if pairs:
                    probe = _probe(references, cache, census, unit, stored, vectors[rows], signatures[rows])
                    best, sources = _best(probe, cache, pairs, calibration, options, sha_of)
                out.append(
                    SceneSample(
                        unit.key,
                        best,
                        sources,
                        tuple(touched) if len(touched) <= TOUCHED_MAX else None,
                        census.n_passages,
                        census.n_scripts,
                        judged,
                    )
                )
    return out


def _distinct_texts(
    chunk: Sequence[SceneUnit], stored: dict[int, StoredPassage]
) -> tuple[list[np.ndarray], dict[str, int]]:
    """Each distinct text of the chunk searched once: per unit, the query row of each of its passages."""
    texts: dict[str, int] = {}
    rows_of: list[np.ndarray] = []
    index: dict[str, int] = {}
    for unit in chunk:
        rows = []
        for pid in unit.passages:
            text = stored[pid].text
            if text not in index:
                index[text] = len(texts)
                texts[text] = pid
            rows.append(index[text])
        rows_of.append(np.asarray(rows, dtype=np.int64))
    return rows_of, texts


def _probe(
    references: References,
    cache: ReferenceCache,
    census: Census,
    unit: SceneUnit,
    stored: dict[int, StoredPassage],
    vectors: np.ndarray,
    signatures: np.ndarray,
) -> Probe:
    """One sampled scene as a pseudo-draft: its distinct passages and, when some were left out, only
    the words inside the passages kept."""
    ref = cache.get(unit.script_id)
    n_scenes = len(ref.script.scenes)
    passages = [stored[i] for i in unit.passages]
    own = census.own(unit.sha256)

    def words() -> object:
        full = cache.scene_words(unit.script_id, unit.scene)
        return assemble(n_scenes, {unit.scene: full if unit.complete else _within(full, passages)})

    return Probe(
        script=ref.script,
        passages=passages,
        vectors=vectors,
        signatures=signatures,
        words=words,  # type: ignore[arg-type]
        weights=lambda w: word_weights(w, references, own=len(own)),
        exclude_scripts=own,
        lines=ref.lines,
    )


def _within(words: SceneWords, passages: Sequence[StoredPassage]) -> SceneWords:
    """The words of ``words`` that start inside one of ``passages``."""
    keep = np.zeros(len(words.norms), dtype=bool)
    for p in passages:
        keep |= (words.starts >= p.start) & (words.starts < p.end)
    units = words.units[keep]
    kept_units = set(units.tolist())
    return SceneWords(
        norms=tuple(norm for norm, k in zip(words.norms, keep.tolist(), strict=True) if k),
        starts=words.starts[keep],
        ends=words.ends[keep],
        units=units,
        speakers={u: s for u, s in words.speakers.items() if u in kept_units},
    )


def _best(
    probe: Probe,
    cache: ReferenceCache,
    pairs: dict[int, list[tuple[int, int]]],
    calibration: Calibration,
    options: VerifyOptions,
    sha_of: dict[int, str],
) -> tuple[tuple[float, float, float], tuple[str | None, str | None, str | None]]:
    """The most lexical, semantic and combined evidence words among the candidates, and the content
    (sha256) that gave each (scripts taken by content, so that ties do not depend on ids)."""
    best = [0.0, 0.0, 0.0]
    sources: list[str | None] = [None, None, None]
    for script_id in sorted(pairs, key=lambda s: (sha_of[s], s)):
        for result in verify_script(probe, cache, script_id, pairs[script_id], calibration, options):
            score = result.score
            for m, value in enumerate((score.lexical_words, score.semantic_words, score.evidence_words)):
                if value > best[m]:
                    best[m], sources[m] = float(value), sha_of[script_id]
    return (best[0], best[1], best[2]), (sources[0], sources[1], sources[2])


def affected(
    references: References,
    census: Census,
    calibration: Calibration,
    units: Sequence[SceneUnit],
    added: Sequence[str],
) -> set[int]:
    """Keys of the ``units`` that a script of ``added`` content could be a candidate for: one of its
    passages at or above a unit passage's candidate floor, or sharing an LSH band with one."""
    theirs = census.passages_of(added)
    if not units or theirs.size == 0:
        return set()
    code = {sha: i for i, sha in enumerate(sorted(census.scripts_of))}
    sha_of = census.sha_of()
    owner = np.asarray([code[sha_of[int(s)]] for s in census.script_of[theirs]], dtype=np.int64)
    owner_of = dict(zip(theirs.tolist(), owner.tolist(), strict=True))
    settings = references.settings
    bands = BandIndex.build(references.signatures(theirs), settings.lsh_bands, settings.lsh_rows, ids=theirs)
    floors = semantic_floors(calibration, census.n_passages)
    hit: set[int] = set()
    for chunk in _chunks(units):
        ids = sorted({i for u in chunk for i in u.passages})
        where = {pid: i for i, pid in enumerate(ids)}
        floor = passage_floors(
            floors, np.asarray([word_count(p.text) for p in references.passages(ids)], dtype=np.int64)
        )
        mine = np.asarray([code[sha_of[int(s)]] for s in census.script_of[ids]], dtype=np.int64)
        queries = np.asarray(references.vectors(ids), dtype=np.float32)
        near = np.zeros(len(ids), dtype=bool)
        step = max(1, _CELLS // max(len(ids), 1))
        for begin in range(0, theirs.size, step):
            cols = slice(begin, begin + step)
            sims = queries @ np.asarray(references.vectors(theirs[cols]), dtype=np.float32).T
            other = owner[cols][None, :] != mine[:, None]
            near |= ((sims >= floor[:, None]) & other).any(axis=1)
        for row, found in enumerate(bands.query(references.signatures(ids))):
            near[row] |= any(owner_of[int(pid)] != mine[row] for pid in found.tolist())
        for unit in chunk:
            if near[[where[i] for i in unit.passages]].any():
                hit.add(unit.key)
    return hit

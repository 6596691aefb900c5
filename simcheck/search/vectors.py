"""FAISS indexes over passage embeddings (inner product on L2-normalised vectors = cosine).

Stored embeddings are rounded to float16 (``to_stored``) everywhere (index and in-memory references)
so that both give the same scores. An exact index holds those values as float32 (``IndexFlatIP``,
built in memory from the float16 array); an IVF index written by the index holds them as float16
(``IndexIVFScalarQuantizer`` QT_fp16 on the raw vectors, not residuals: the stored vectors are
stored once, and read back exactly).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from simcheck.settings import (
    FLAT_MAX_PASSAGES,
    IVF_KMEANS_ITERATIONS,
    IVF_MIN_PER_LIST,
    IVF_MIN_SEGMENT,
    IVF_NPROBE,
    IVF_TRAIN_PER_LIST,
)

PAD_SIMILARITY = -1.0  # similarity reported for the -1 padding of a short neighbour list


def to_stored(vectors: np.ndarray) -> np.ndarray:
    """The float16 form embeddings are stored in."""
    return np.asarray(vectors, dtype=np.float32).astype(np.float16)


def flat_index(vectors: np.ndarray, dimension: int) -> Any:
    """An exact ``IndexFlatIP`` over ``vectors`` (any float dtype; searched as float32)."""
    import faiss  # 0.3 s to import (measured): only when a FAISS index is built, read or searched

    index = faiss.IndexFlatIP(dimension)
    for begin in range(0, len(vectors), 65536):  # in blocks: a float16 array is not copied whole
        index.add(np.ascontiguousarray(vectors[begin : begin + 65536], dtype=np.float32))
    return index


def search(index: Any, queries: np.ndarray, k: int, params: Any = None) -> tuple[np.ndarray, np.ndarray]:
    """(similarities float32 (n, k), ids int64 (n, k)); missing neighbours are id -1, ``PAD_SIMILARITY``.
    ``params``: FAISS search parameters (an id selector leaves out removed passages)."""
    q = np.ascontiguousarray(np.atleast_2d(np.asarray(queries, dtype=np.float32)))
    n = q.shape[0] if q.size else 0
    if k <= 0 or n == 0:
        return np.zeros((n, max(k, 0)), dtype=np.float32), np.full((n, max(k, 0)), -1, dtype=np.int64)
    if index.ntotal == 0:
        return np.full((n, k), PAD_SIMILARITY, dtype=np.float32), np.full((n, k), -1, dtype=np.int64)
    if q.shape[1] != index.d:
        raise ValueError(f"query vectors have dimension {q.shape[1]}, the index {index.d}")
    sims, ids = index.search(q, k) if params is None else index.search(q, k, params=params)
    ids = ids.astype(np.int64, copy=False)
    sims = np.where(ids >= 0, sims, PAD_SIMILARITY).astype(np.float32)
    return sims, ids


# --- FAISS index type by size (see simcheck/index.py and benchmarks/scale.py) -------------------------


def choose_index(n: int, index_passages: int | None = None) -> dict[str, Any]:
    """The FAISS index description for ``n`` passages (a segment of an index of ``index_passages``):
    exact while the index is up to ``FLAT_MAX_PASSAGES``, else IVF with ~4 sqrt(n) lists (a power of
    two: 4096 at 10^6) of which ``IVF_NPROBE`` are searched; a segment under ``IVF_MIN_SEGMENT``
    passages stays exact (searching it costs little)."""
    total = n if index_passages is None else max(n, index_passages)
    if total <= FLAT_MAX_PASSAGES or n < min(IVF_MIN_SEGMENT, FLAT_MAX_PASSAGES + 1):
        return {"type": "flat"}
    nlist = 1 << max(6, round(np.log2(4 * np.sqrt(n))))
    nlist = max(1, min(nlist, n // IVF_MIN_PER_LIST))
    return {"type": "ivf", "nlist": int(nlist), "nprobe": int(min(nlist, IVF_NPROBE))}


def ivf_index(vectors: np.ndarray, dimension: int, nlist: int, nprobe: int, fp16: bool = False) -> Any:
    """An IVF index (inner product) trained on a deterministic sample of ``vectors``: ``IndexIVFFlat``,
    or with ``fp16`` an ``IndexIVFScalarQuantizer`` that keeps the (float16) vectors as they are."""
    import faiss  # 0.3 s to import (measured): only when a FAISS index is built, read or searched

    n = len(vectors)
    quantizer = faiss.IndexFlatIP(dimension)
    index: Any
    if fp16:
        index = faiss.IndexIVFScalarQuantizer(
            quantizer, dimension, nlist, faiss.ScalarQuantizer.QT_fp16, faiss.METRIC_INNER_PRODUCT, False
        )
    else:
        index = faiss.IndexIVFFlat(quantizer, dimension, nlist, faiss.METRIC_INNER_PRODUCT)
    index.cp.niter = IVF_KMEANS_ITERATIONS
    index.cp.min_points_per_centroid = 1  # FAISS would print a warning for a small sample
    index.cp.seed = 1234
    sample_size = min(n, max(nlist * IVF_TRAIN_PER_LIST, 1))
    rng = np.random.default_rng(0)
    sample = np.sort(rng.choice(n, size=sample_size, replace=False)) if sample_size < n else np.arange(n)
    index.train(np.ascontiguousarray(vectors[sample], dtype=np.float32))
    for begin in range(0, n, 65536):
        index.add(np.ascontiguousarray(vectors[begin : begin + 65536], dtype=np.float32))
    index.nprobe = nprobe
    return index


def build_index(
    vectors: np.ndarray, dimension: int, path: Any, kind: dict[str, Any] | None = None, fp16: bool = False
) -> dict[str, Any]:
    """Build the FAISS index for ``vectors`` (n, dimension), write it to ``path``; its description."""
    import faiss  # 0.3 s to import (measured): only when a FAISS index is built, read or searched

    n = len(vectors)
    meta = dict(kind or choose_index(n))
    if meta["type"] == "flat":
        index = flat_index(vectors, dimension)
    elif meta["type"] == "ivf":
        index = ivf_index(vectors, dimension, int(meta["nlist"]), int(meta["nprobe"]), fp16)
    else:
        raise ValueError(f"unknown FAISS index type {meta['type']!r}")
    faiss.write_index(index, str(path))
    return meta


def read_index(path: Any, meta: dict[str, Any]) -> Any:
    """Read an index written by ``build_index`` (a flat one is memory-mapped: opening is instant)."""
    import faiss  # 0.3 s to import (measured): only when a FAISS index is built, read or searched

    kind = meta.get("type", "flat")
    if kind == "flat":
        return faiss.read_index(str(path), faiss.IO_FLAG_MMAP | faiss.IO_FLAG_READ_ONLY)
    index = faiss.read_index(str(path))
    if kind == "ivf":
        faiss.extract_index_ivf(index).nprobe = int(meta.get("nprobe", IVF_NPROBE))
    return index

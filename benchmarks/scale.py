"""Index scale: build, open, search time and memory from 10^4 to 10^6 passages (synthetic data).

``python -m benchmarks.scale [--quick]`` prints the tables; ``python -m benchmarks speed`` puts them in
RESULTS.md. Vectors are drawn from a Gaussian fitted (mean and full covariance) to real
all-MiniLM-L6-v2 embeddings of corpus passages, then L2-normalised; a sample of the real embeddings
themselves is mixed into every index, and the draft's 540 semantic queries are real passages (not
indexed) plus near-copies of indexed vectors (cosine ~0.9). Signatures are random MinHash rows, with
near-copies (~80% of the values kept) planted for the lexical queries. Every index is written in the
real on-disk format by simcheck's own writer (SQLite, FAISS file, .npy arrays, manifest) and opened
and searched in a fresh process, so open time and memory (RSS) are what a ``compare`` run pays.

``build_synthetic_index(path, n)`` is also used by ``benchmarks.speed.compare_scale``.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np

SHARED = Path(__file__).resolve().parents[1].parent / "shared"
CORPUS = SHARED / "corpus"
DRAFT_PASSAGES = 540
PLANTED = 100  # of the draft's queries, near-copies of indexed passages
PASSAGES_PER_SCRIPT = 300
PASSAGES_PER_SCENE = 20
WORDS_PER_PASSAGE = 25
_REAL: dict[str, Any] = {}


# --- real statistics ---------------------------------------------------------------------------------


def real_embeddings(count: int) -> tuple[np.ndarray, list[str]]:
    """``count`` corpus passages (spread over the corpus) embedded with the real default model."""
    key = f"real-{count}"
    if key not in _REAL:
        from simcheck.embed import load_embedder
        from simcheck.read import read_script
        from simcheck.settings import DEFAULT_MODEL, IndexSettings
        from simcheck.text.passages import make_passages

        texts: list[str] = []
        files = sorted(CORPUS.rglob("*.fountain"))
        stride = max(1, len(files) // max(1, count // 150))  # ~150 passages from each script read
        for path in files[::stride]:
            texts.extend(p.text for p in make_passages(read_script(path), IndexSettings()))
        rng = np.random.default_rng(7)
        chosen = sorted(rng.choice(len(texts), size=min(count, len(texts)), replace=False).tolist())
        sample = [texts[i] for i in chosen]
        embedder = _REAL.get("embedder") or load_embedder(DEFAULT_MODEL)
        _REAL["embedder"] = embedder
        words = sorted({w for t in sample for w in t.split() if w.isalpha()})
        _REAL[key] = (embedder.embed(sample), words)
    vectors, words = _REAL[key]
    return vectors, words


class Gaussian:
    """A multivariate normal fitted to real embeddings; samples are L2-normalised like embeddings."""

    def __init__(self, real: np.ndarray) -> None:
        data = np.asarray(real, dtype=np.float64)
        self.mean = data.mean(axis=0)
        cov = np.cov(data, rowvar=False) + np.eye(data.shape[1]) * 1e-6
        self.chol = np.linalg.cholesky(cov)

    def sample(self, n: int, rng: np.random.Generator) -> np.ndarray:
        out = np.empty((n, self.mean.size), dtype=np.float32)
        for begin in range(0, n, 100_000):
            stop = min(n, begin + 100_000)
            z = rng.standard_normal((stop - begin, self.mean.size))
            block = self.mean + z @ self.chol.T
            block /= np.linalg.norm(block, axis=1, keepdims=True)
            out[begin:stop] = block
        return out


def _near_copies(vectors: np.ndarray, cosine: float, rng: np.random.Generator) -> np.ndarray:
    """Vectors at about ``cosine`` from the given ones."""
    noise = rng.standard_normal(vectors.shape).astype(np.float32)
    noise -= (noise * vectors).sum(axis=1, keepdims=True) * vectors  # orthogonal to each vector
    noise /= np.linalg.norm(noise, axis=1, keepdims=True)
    out = cosine * vectors + np.sqrt(1 - cosine**2) * noise
    return (out / np.linalg.norm(out, axis=1, keepdims=True)).astype(np.float32)


# --- synthetic index ---------------------------------------------------------------------------------


def _real_count(quick: bool) -> int:
    return 400 if quick else 1400


def build_synthetic_index(
    path: str | Path, n: int, *, seed: int = 0, quick: bool | None = None
) -> dict[str, Any]:
    """Write an index of ``n`` synthetic passages at ``path`` in the real on-disk format.

    Returns what the benchmark needs to query it: planted vector and signature ids and their
    near-copies, real query vectors that are not indexed, and the build time.
    """
    from simcheck.index import Index
    from simcheck.index.writer import NewScript, commit, write_segment
    from simcheck.model import ACTION, ACTION_PASSAGE, SCENE_HEADING, Element, Passage, Scene, Script
    from simcheck.settings import IndexSettings
    from simcheck.text.fingerprints import ScriptFeatures

    started = time.perf_counter()
    quick = quick if quick is not None else n <= 30_000
    real, words = real_embeddings(_real_count(quick))
    rng = np.random.default_rng(seed)
    gaussian = Gaussian(real)
    half = len(real) // 2
    real_in, real_out = real[:half], real[half:]
    vectors = gaussian.sample(n, rng)
    positions = rng.choice(n, size=min(half, n), replace=False)
    vectors[positions] = real_in[: len(positions)]
    settings = IndexSettings()
    signatures = rng.integers(0, 2**32 - 1, size=(n, settings.num_perm), dtype=np.uint32)

    folder = Path(path)
    if folder.exists():
        import shutil

        shutil.rmtree(folder)
    index = Index.create(folder, settings, _REAL["embedder"])
    manifest = index.manifest
    index.close()
    vocabulary = np.array(words or ["word"], dtype=object)
    n_scripts = -(-n // PASSAGES_PER_SCRIPT)
    uniques = [
        np.unique(rng.integers(0, 2**32 - 1, size=PASSAGES_PER_SCRIPT * WORDS_PER_PASSAGE, dtype=np.uint32))
        for _ in range(n_scripts)
    ]

    entries: list[NewScript] = []  # the public writer: data in, one segment out (no SQL here)
    pid = 0
    for sid in range(n_scripts):
        count = min(PASSAGES_PER_SCRIPT, n - pid)
        texts = [" ".join(rng.choice(vocabulary, WORDS_PER_PASSAGE)) for _ in range(count)]
        text_parts: list[str] = []
        offset = 0
        scenes: list[Scene] = []
        passages: list[Passage] = []
        for scene_no, begin in enumerate(range(0, count, PASSAGES_PER_SCENE), start=1):
            heading = f"INT. PLACE {scene_no} - DAY"
            elements = [Element(SCENE_HEADING, heading, offset, offset + len(heading), 1)]
            scene_start = offset
            text_parts.append(heading + "\n\n")
            offset += len(heading) + 2
            for body in texts[begin : begin + PASSAGES_PER_SCENE]:
                elements.append(Element(ACTION, body, offset, offset + len(body), 1))
                passages.append(Passage(scene_no, ACTION_PASSAGE, offset, offset + len(body), 1, body))
                text_parts.append(body + "\n\n")
                offset += len(body) + 2
            scenes.append(Scene(scene_no, heading, scene_start, offset, 1, tuple(elements)))
        script = Script(
            path=f"/synthetic/script-{sid:06d}.fountain",
            format="fountain",
            title=f"Synthetic {sid}",
            text="".join(text_parts),
            scenes=tuple(scenes),
            cast=(),
            sha256=f"{sid:064x}",
        )
        features = ScriptFeatures(tuple(passages), (), signatures[pid : pid + count], uniques[sid])
        entries.append(NewScript(script, features, len(script.text)))
        pid += count
    number = int(manifest["next_segment"])  # one segment, as --compact leaves an index
    segment = write_segment(folder, manifest, number, entries, vectors.astype(np.float16), signatures)
    commit(folder, manifest, [segment], number + 1)
    build_s = time.perf_counter() - started

    planted_ids = np.sort(rng.choice(n, size=PLANTED, replace=False))
    half_planted = PLANTED // 2  # first half near-copies (cosine 0.9), second half paraphrase-like (0.75)
    planted_vectors = np.concatenate(
        [
            _near_copies(vectors[planted_ids[:half_planted]], 0.9, rng),
            _near_copies(vectors[planted_ids[half_planted:]], 0.75, rng),
        ]
    )
    keep = rng.random((PLANTED, settings.num_perm)) < 0.8
    planted_sigs = np.where(
        keep,
        signatures[planted_ids],
        rng.integers(0, 2**32 - 1, size=(PLANTED, settings.num_perm), dtype=np.uint32),
    )
    others = DRAFT_PASSAGES - PLANTED
    query_vectors = np.concatenate([planted_vectors, real_out[:others]])
    if len(query_vectors) < DRAFT_PASSAGES:
        extra = gaussian.sample(DRAFT_PASSAGES - len(query_vectors), rng)
        query_vectors = np.concatenate([query_vectors, extra])
    query_sigs = np.concatenate(
        [planted_sigs, rng.integers(0, 2**32 - 1, size=(others, settings.num_perm), dtype=np.uint32)]
    )
    return {
        "path": str(folder),
        "n": n,
        "build_s": build_s,
        "planted_ids": planted_ids,
        "query_vectors": query_vectors.astype(np.float32),
        "query_signatures": query_sigs.astype(np.uint64),
        "vectors": vectors,
        "real_queries": min(others, len(real_out)),
    }


# --- measuring ---------------------------------------------------------------------------------------

_PROBE = r"""
import json, resource, sys, time
import numpy as np
def rss():
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
base = rss()
t0 = time.perf_counter()
from simcheck.index import Index
imported = time.perf_counter() - t0
folder, queries, sigs, out = sys.argv[1:5]
q = np.load(queries)
s = np.load(sigs)
t0 = time.perf_counter()
index = Index.open(folder)
index.scripts()
open_s = time.perf_counter() - t0
rss_open = rss()
t0 = time.perf_counter()
sims, ids = index.search_semantic(q, 10)
semantic_first = time.perf_counter() - t0
t0 = time.perf_counter()
sims, ids = index.search_semantic(q, 10)
semantic = time.perf_counter() - t0
t0 = time.perf_counter()
cands = index.search_lexical(s)
lexical_first = time.perf_counter() - t0
t0 = time.perf_counter()
cands = index.search_lexical(s)
lexical = time.perf_counter() - t0
np.save(out, ids)
found = [c.tolist() for c in cands[:100]]
print(json.dumps({"import_s": imported, "open_s": open_s, "semantic_first_s": semantic_first,
    "semantic_s": semantic, "lexical_first_s": lexical_first, "lexical_s": lexical,
    "rss_base_mib": base, "rss_open_mib": rss_open, "rss_after_search_mib": rss(),
    "lexical_found": found, "candidates_per_query": float(np.mean([len(c) for c in cands]))}))
"""


def _env() -> dict[str, str]:
    env = dict(os.environ)
    root = str(Path(__file__).resolve().parents[1])
    env["PYTHONPATH"] = root + (os.pathsep + env["PYTHONPATH"] if env.get("PYTHONPATH") else "")
    env.setdefault("TOKENIZERS_PARALLELISM", "false")
    return env


def _probe(built: dict[str, Any], workdir: Path) -> dict[str, Any]:
    queries, sigs, out = workdir / "q.npy", workdir / "s.npy", workdir / "ids.npy"
    np.save(queries, built["query_vectors"])
    np.save(sigs, built["query_signatures"])
    done = subprocess.run(
        [sys.executable, "-c", _PROBE, built["path"], str(queries), str(sigs), str(out)],
        capture_output=True,
        text=True,
        env=_env(),
        check=True,
    )
    result = json.loads(done.stdout.strip().splitlines()[-1])
    result["ids"] = np.load(out)
    return result


def _disk_bytes(folder: str) -> int:
    return sum(p.stat().st_size for p in Path(folder).rglob("*") if p.is_file())


def _exact(vectors: np.ndarray, queries: np.ndarray, k: int) -> np.ndarray:
    import faiss

    index = faiss.IndexFlatIP(vectors.shape[1])
    index.add(np.ascontiguousarray(vectors.astype(np.float16).astype(np.float32)))
    return index.search(queries, k)[1]


def _recall_at(found: np.ndarray, exact: np.ndarray, rows: slice) -> float:
    hits = [
        len(set(f.tolist()) & set(e.tolist())) / len(e) for f, e in zip(found[rows], exact[rows], strict=True)
    ]
    return float(np.mean(hits)) if hits else float("nan")


def _planted_found(ids: np.ndarray, planted: np.ndarray, level: int) -> float:
    """Share of planted near-copies (level 0: cosine 0.9, 1: 0.75) found among the top 10."""
    half = PLANTED // 2
    rows = range(0, half) if level == 0 else range(half, PLANTED)
    return round(float(np.mean([planted[i] in ids[i] for i in rows])), 3)


def _candidates(built: dict[str, Any], exact: np.ndarray) -> list[dict[str, Any]]:
    """FAISS candidates on the same vectors, in process: search time for the draft and recall."""
    from simcheck.search.vectors import choose_index, flat_index, ivf_index

    vectors = built["vectors"].astype(np.float16).astype(np.float32)
    queries = built["query_vectors"]
    n, d = vectors.shape
    planted = built["planted_ids"]
    real_rows = slice(PLANTED, PLANTED + built["real_queries"])
    out: list[dict[str, Any]] = []

    def measure(name: str, index: Any, build_s: float) -> None:
        index.search(queries[:8], 10)
        t0 = time.perf_counter()
        _sims, ids = index.search(queries, 10)
        search_s = time.perf_counter() - t0
        out.append(
            {
                "index": name,
                "build_s": round(build_s, 2),
                "draft_search_s": round(search_s, 3),
                "recall10_real": round(_recall_at(ids, exact, real_rows), 3),
                "planted_top10_090": _planted_found(ids, planted, 0),
                "planted_top10_075": _planted_found(ids, planted, 1),
            }
        )

    t0 = time.perf_counter()
    flat = flat_index(vectors, d)
    measure("IndexFlatIP (exact)", flat, time.perf_counter() - t0)
    del flat
    for nlist in sorted({1 << max(6, round(np.log2(np.sqrt(n)))), int(choose_index(n).get("nlist", 0))}):
        if not nlist or n < nlist * 39:
            continue
        t0 = time.perf_counter()
        ivf = ivf_index(vectors, d, nlist, 8)
        build_s = time.perf_counter() - t0
        for nprobe in (8, 16, 32):
            if nprobe > nlist:
                continue
            ivf.nprobe = nprobe
            measure(f"IVF{nlist},Flat nprobe {nprobe}", ivf, build_s)
        del ivf
    return out


def run(quick: bool = False, **_: Any) -> dict[str, Any]:
    from benchmarks.results import table
    from simcheck.settings import FLAT_MAX_PASSAGES

    sizes = [10_000, 30_000] if quick else [10_000, 100_000, 1_000_000]
    rows: list[list[Any]] = []
    points: list[dict[str, Any]] = []
    candidates: list[dict[str, Any]] = []
    with tempfile.TemporaryDirectory(prefix="simcheck-scale-") as tmp:
        work = Path(tmp)
        for n in sizes:
            built = build_synthetic_index(work / f"index-{n}", n, quick=quick)
            probe = _probe(built, work)
            exact = _exact(built["vectors"], built["query_vectors"], 10)
            real_rows = slice(PLANTED, PLANTED + built["real_queries"])
            planted = built["planted_ids"]
            lexical_found = float(
                np.mean([int(p) in f for p, f in zip(planted, probe["lexical_found"], strict=True)])
            )
            faiss_type = json.loads((Path(built["path"]) / "manifest.json").read_text())["segments"][0][
                "faiss"
            ]
            point = {
                "passages": n,
                "faiss": faiss_type,
                "build_s": round(built["build_s"], 1),
                "open_s": round(probe["open_s"], 3),
                "semantic_s": round(probe["semantic_s"], 3),
                "semantic_first_s": round(probe["semantic_first_s"], 3),
                "lexical_s": round(probe["lexical_s"], 3),
                "recall10_real": round(_recall_at(probe["ids"], exact, real_rows), 3),
                "planted_top10_090": _planted_found(probe["ids"], planted, 0),
                "planted_top10_075": _planted_found(probe["ids"], planted, 1),
                "exact_planted_top10_075": _planted_found(exact, planted, 1),
                "planted_lexical": round(lexical_found, 3),
                "candidates_per_query": round(probe["candidates_per_query"], 2),
                "rss_open_mib": round(probe["rss_open_mib"]),
                "rss_after_search_mib": round(probe["rss_after_search_mib"]),
                "disk_bytes_per_passage": round(_disk_bytes(built["path"]) / n),
            }
            points.append(point)
            kind = (
                "flat"
                if faiss_type["type"] == "flat"
                else f"IVF{faiss_type['nlist']} nprobe {faiss_type['nprobe']}"
            )
            rows.append(
                [
                    f"{n:,}",
                    kind,
                    point["build_s"],
                    point["open_s"],
                    point["semantic_first_s"],
                    point["semantic_s"],
                    point["lexical_s"],
                    point["recall10_real"],
                    f"{point['planted_top10_090']} / {point['planted_top10_075']}",
                    point["planted_lexical"],
                    point["rss_after_search_mib"],
                    point["disk_bytes_per_passage"],
                ]
            )
            if n == sizes[-1]:
                candidates = _candidates(built, exact)
            del built
            for child in work.iterdir():
                if child.is_dir():
                    import shutil

                    shutil.rmtree(child, ignore_errors=True)
    md = (
        f"Synthetic indexes written by simcheck's own writer and opened and searched in a fresh process "
        f"(a draft of {DRAFT_PASSAGES} passages: {PLANTED} near-copies of indexed passages, the rest real "
        f"passages that are not indexed; k=10). Exact search up to {FLAT_MAX_PASSAGES:,} passages, IVF above "
        "(see simcheck/index.py). recall@10 is against exact search, on the real queries; planted: share of "
        "near-copies found in the top 10 (semantic, cosine 0.9 / 0.75) or among the LSH candidates "
        "(lexical, ~80% of the MinHash values kept). RSS: resident memory of the fresh process after "
        "opening and searching.\n\n"
        + table(
            [
                "passages",
                "FAISS",
                "build s",
                "open s",
                "first search s",
                "search s",
                "LSH s",
                "recall@10",
                "planted sem. (0.9 / 0.75)",
                "planted lex.",
                "RSS MiB",
                "disk B/passage",
            ],
            rows,
        )
        + f"\n\nFAISS candidates at {sizes[-1]:,} passages (same vectors, in process, "
        f"{DRAFT_PASSAGES} queries in one batch):\n\n"
        + table(
            ["index", "build s", "draft search s", "recall@10 (real queries)", "planted top-10 (0.9 / 0.75)"],
            [
                [
                    c["index"],
                    c["build_s"],
                    c["draft_search_s"],
                    c["recall10_real"],
                    f"{c['planted_top10_090']} / {c['planted_top10_075']}",
                ]
                for c in candidates
            ],
        )
    )
    last = points[-1]
    return {
        "title": "Index scale: open, search, memory from 10^4 to 10^6 passages",
        "markdown": md,
        "data": {"points": points, "candidates": candidates},
        "headline": (
            f"{last['passages']:,} passages: open {last['open_s']} s, draft search {last['semantic_s']} s "
            f"semantic + {last['lexical_s']} s lexical, {last['rss_after_search_mib']} MiB RSS",
        ),
    }


def main() -> None:
    quick = "--quick" in sys.argv[1:]
    result = run(quick)
    print(f"## {result['title']}\n\n{result['markdown']}")


if __name__ == "__main__":
    main()

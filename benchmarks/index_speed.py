"""Index throughput, re-index with no change, size on disk, RAM to open: the real corpus, the real model.

``python -m benchmarks.index_speed [--quick]`` prints the tables; ``python -m benchmarks speed`` puts
them in RESULTS.md.

1. ``Index.create`` + ``Index.add`` over the whole ``../shared/corpus`` (quick: three short plays) with
   the default model (all-MiniLM-L6-v2, CPU): end-to-end passages/s (reading, cutting, hashing,
   embedding, writing) and embedding passages/s.
2. In the same run, on the same passages (a random sample of the index's passages, duplicates
   included as they occur), plain ``SentenceTransformer.encode(texts, batch_size=32)`` against
   simcheck's embedder (identical texts encoded once, longest first, batches of 32), alternated so
   that the noisy machine affects both alike; the cosine between the two outputs checks that the
   vectors are the same.
3. Re-index with no change: ``Index.add`` again in process and ``simcheck index`` as a fresh process.
4. Bytes on disk per passage (per file) and the memory (RSS) of a fresh process that opens the
   index and answers a draft's searches.
5. Exact vs IVF search on the real vectors with real queries (passages of another translation of a
   corpus play, ``dev/translations``): recall of the exact top 10 and time, to justify the flat/IVF
   threshold in ``simcheck.search.vectors``.
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np

SHARED = Path(__file__).resolve().parents[1].parent / "shared"
CORPUS = SHARED / "corpus"
QUERY_SCRIPT = SHARED / "dev" / "translations" / "chekhov_the-seagull" / "the-seagull-garnett.fountain"
QUICK_FILES = ("plays/gutenberg/the-bear.fountain",)
BASELINE_SAMPLE = 1000  # passages for the plain-encode comparison (full run)
QUICK_BASELINE_SAMPLE = 60


def _env() -> dict[str, str]:
    env = dict(os.environ)
    root = str(Path(__file__).resolve().parents[1])
    env["PYTHONPATH"] = root + (os.pathsep + env["PYTHONPATH"] if env.get("PYTHONPATH") else "")
    env.setdefault("TOKENIZERS_PARALLELISM", "false")
    env.setdefault("HF_HUB_OFFLINE", "1")
    return env


def _log(message: str) -> None:
    print(f"[index_speed {time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def _files(quick: bool) -> list[Path]:
    if quick:
        return [CORPUS / rel for rel in QUICK_FILES]
    return sorted(CORPUS.rglob("*.fountain"))


def _build(files: list[Path], folder: Path, embedder: Any) -> dict[str, Any]:
    from simcheck.index import Index, Progress
    from simcheck.settings import IndexSettings

    marks: dict[str, float] = {"logged": 0}

    def progress(event: Progress) -> None:
        if event.stage == "embed" and event.done - marks["logged"] >= 5000:
            marks["logged"] = event.done
            _log(f"embedded {event.done}")

    t0 = time.perf_counter()
    index = Index.create(folder, IndexSettings(), embedder)
    summary = index.add([str(f) for f in files], progress=progress)
    total = time.perf_counter() - t0
    index.close()
    # reading and cutting run in worker processes while this one embeds: what is left of the total
    embed_s, write_s = summary.embed_seconds, summary.write_seconds
    read_s = max(0.0, total - embed_s - write_s)
    return {
        "scripts": summary.scripts,
        "scenes": summary.scenes,
        "passages": summary.passages,
        "embedded": summary.embedded,
        "skipped": len(summary.skipped),
        "total_s": total,
        "read_and_cut_s": read_s,
        "embed_s": embed_s,
        "write_s": write_s,
        "passages_per_s": summary.passages / total,
        "embedded_per_s": summary.embedded / embed_s if embed_s else float("nan"),
    }


def _baseline(folder: Path, embedder: Any, sample: int, rounds: int) -> dict[str, Any]:
    """Plain ``SentenceTransformer.encode`` vs simcheck's embedder on the same sampled passages."""
    from sentence_transformers import SentenceTransformer

    from simcheck.embed.sbert import resolve_model
    from simcheck.index import Index

    index = Index.open(folder)
    rng = np.random.default_rng(11)
    ids = np.sort(rng.choice(index.n_passages, size=min(sample, index.n_passages), replace=False))
    texts = [p.text for p in index.passages(ids)]
    index.close()
    plain_model = SentenceTransformer(resolve_model("all-MiniLM-L6-v2"), device="cpu")
    plain_times: list[float] = []
    ours_times: list[float] = []
    plain = ours = np.zeros(0)
    for _ in range(rounds):
        t0 = time.perf_counter()
        plain = plain_model.encode(texts, batch_size=32, normalize_embeddings=True, convert_to_numpy=True)
        plain_times.append(time.perf_counter() - t0)
        t0 = time.perf_counter()
        ours = embedder.embed(texts)
        ours_times.append(time.perf_counter() - t0)
    cosine = np.sum(np.asarray(plain, dtype=np.float32) * ours, axis=1)
    return {
        "sample": len(texts),
        "unique_texts": len(set(texts)),
        "mean_words": float(np.mean([len(t.split()) for t in texts])),
        "plain_s": plain_times,
        "ours_s": ours_times,
        "plain_per_s": len(texts) / min(plain_times),
        "ours_per_s": len(texts) / min(ours_times),
        "cosine_min": float(cosine.min()),
        "cosine_mean": float(cosine.mean()),
    }


def _reindex(files: list[Path], folder: Path, runs: int) -> dict[str, Any]:
    from simcheck.index import Index

    in_process: list[float] = []
    for _ in range(runs):
        t0 = time.perf_counter()
        summary = Index.open(folder).add([str(f) for f in files])
        in_process.append(time.perf_counter() - t0)
        assert not summary.changed
    cli: list[float] = []
    for _ in range(runs):
        t0 = time.perf_counter()
        subprocess.run(
            [sys.executable, "-m", "simcheck", "index", *map(str, files), "--index", str(folder), "--quiet"],
            check=True,
            capture_output=True,
            env=_env(),
        )
        cli.append(time.perf_counter() - t0)
    return {"in_process_s": in_process, "cli_s": cli}


_OPEN_PROBE = r"""
import json, sys, time
import numpy as np
def rss():
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
out = {"rss_start_mib": rss()}
t0 = time.perf_counter()
from simcheck.index import Index
out["import_s"] = time.perf_counter() - t0
out["rss_imported_mib"] = rss()
t0 = time.perf_counter()
index = Index.open(sys.argv[1])
index.scripts()
out["open_s"] = time.perf_counter() - t0
out["rss_open_mib"] = rss()
n = index.n_passages
ids = np.linspace(0, n - 1, num=min(540, n)).astype(np.int64)
q = index.vectors(ids)
s = index.signatures(ids)
t0 = time.perf_counter()
index.search_semantic(q, 10)
index.search_lexical(s)
index.script_frequency(np.arange(1000, dtype=np.uint32))
out["first_search_s"] = time.perf_counter() - t0
out["rss_after_search_mib"] = rss()
print(json.dumps(out))
"""


def _open_memory(folder: Path) -> dict[str, Any]:
    done = subprocess.run(
        [sys.executable, "-c", _OPEN_PROBE, str(folder)],
        capture_output=True,
        text=True,
        check=True,
        env=_env(),
    )
    return dict(json.loads(done.stdout.strip().splitlines()[-1]))


def _disk(folder: Path, passages: int) -> dict[str, Any]:
    manifest = json.loads((folder / "manifest.json").read_text())
    files: dict[str, int] = {}
    for segment in manifest["segments"]:
        for name, meta in segment["files"].items():
            files[name] = files.get(name, 0) + meta["bytes"]
    total = sum(files.values())
    return {
        "total_bytes": total,
        "bytes_per_passage": total / passages if passages else float("nan"),
        "per_file_bytes_per_passage": {k: v / passages for k, v in sorted(files.items())} if passages else {},
    }


def _real_search(folder: Path, embedder: Any, quick: bool) -> dict[str, Any]:
    """Exact vs IVF on the real index vectors; queries: passages of another translation."""
    from simcheck.index import Index
    from simcheck.read import read_script
    from simcheck.search.vectors import flat_index, ivf_index
    from simcheck.settings import IndexSettings
    from simcheck.text.passages import make_passages

    index = Index.open(folder)
    n = index.n_passages
    vectors = index.vectors(np.arange(n))
    index.close()
    texts = [p.text for p in make_passages(read_script(QUERY_SCRIPT), IndexSettings())]
    texts = texts[: 120 if quick else 540]
    queries = embedder.embed(texts)
    flat = flat_index(vectors, vectors.shape[1])
    t0 = time.perf_counter()
    exact_sims, exact = flat.search(queries, 10)
    rows = [
        {"index": "IndexFlatIP (exact)", "search_s": time.perf_counter() - t0, "recall10": 1.0, "top1": 1.0}
    ]
    strong = exact_sims[:, 0] >= 0.7  # queries whose best reference passage is close
    for nlist in (256, 1024) if not quick else (16,):
        if n < nlist * 39:
            continue
        ivf = ivf_index(vectors, vectors.shape[1], nlist, 8)
        for nprobe in (8, 16, 32):
            if nprobe >= nlist:
                continue
            ivf.nprobe = nprobe
            t0 = time.perf_counter()
            _sims, ids = ivf.search(queries, 10)
            elapsed = time.perf_counter() - t0
            recall = float(np.mean([len(set(a) & set(b)) / 10 for a, b in zip(ids, exact, strict=True)]))
            top1 = float(np.mean(ids[strong, 0] == exact[strong, 0])) if strong.any() else float("nan")
            rows.append(
                {
                    "index": f"IVF{nlist},Flat nprobe {nprobe}",
                    "search_s": elapsed,
                    "recall10": recall,
                    "top1": top1,
                }
            )
    return {"queries": len(texts), "strong_queries": int(strong.sum()), "passages": n, "rows": rows}


def run(quick: bool = False, **_: Any) -> dict[str, Any]:
    from benchmarks.results import table
    from simcheck.embed import load_embedder

    files = _files(quick)
    t0 = time.perf_counter()
    embedder = load_embedder("all-MiniLM-L6-v2")
    model_load_s = time.perf_counter() - t0
    with tempfile.TemporaryDirectory(prefix="simcheck-index-speed-") as tmp:
        folder = Path(tmp) / "index"
        _log(f"indexing {len(files)} scripts")
        build = _build(files, folder, embedder)
        _log(f"built: {build['passages']} passages in {build['total_s']:.0f} s")
        base = _baseline(
            folder, embedder, QUICK_BASELINE_SAMPLE if quick else BASELINE_SAMPLE, rounds=1 if quick else 2
        )
        _log("baseline done")
        reindex = _reindex(files, folder, runs=1 if quick else 3)
        disk = _disk(folder, build["passages"])
        memory = _open_memory(folder)
        search = _real_search(folder, embedder, quick)
    ratio = base["ours_per_s"] / base["plain_per_s"]
    reindex_cli = statistics.median(reindex["cli_s"])
    md_build = table(
        [
            "scripts",
            "scenes",
            "passages",
            "embedded (unique texts)",
            "total s",
            "read+cut s",
            "embed s",
            "write s",
            "passages/s (end to end)",
            "embedded/s",
        ],
        [
            [
                build["scripts"],
                build["scenes"],
                build["passages"],
                build["embedded"],
                round(build["total_s"], 1),
                round(build["read_and_cut_s"], 1),
                round(build["embed_s"], 1),
                round(build["write_s"], 1),
                round(build["passages_per_s"], 1),
                round(build["embedded_per_s"], 1),
            ]
        ],
    )
    md_base = table(
        [
            "passages (sample)",
            "unique",
            "mean words",
            "plain encode passages/s",
            "simcheck embed passages/s",
            "ratio",
            "cosine min / mean",
        ],
        [
            [
                base["sample"],
                base["unique_texts"],
                round(base["mean_words"], 1),
                round(base["plain_per_s"], 1),
                round(base["ours_per_s"], 1),
                round(ratio, 2),
                f"{base['cosine_min']:.5f} / {base['cosine_mean']:.5f}",
            ]
        ],
    )
    md_re = table(
        ["re-index, no change", "median s", "runs"],
        [
            [
                "Index.add (in process)",
                round(statistics.median(reindex["in_process_s"]), 3),
                len(reindex["in_process_s"]),
            ],
            ["simcheck index (fresh process)", round(reindex_cli, 2), len(reindex["cli_s"])],
        ],
    )
    md_disk = table(
        ["file", "bytes per passage"],
        [[k, round(v)] for k, v in disk["per_file_bytes_per_passage"].items()]
        + [["total", round(disk["bytes_per_passage"])]],
    )
    md_mem = table(
        ["fresh process", "RSS MiB", "s"],
        [
            ["python + numpy", round(memory["rss_start_mib"]), ""],
            [
                "import simcheck.index (FAISS, SQLite)",
                round(memory["rss_imported_mib"]),
                round(memory["import_s"], 2),
            ],
            ["Index.open + scripts()", round(memory["rss_open_mib"]), round(memory["open_s"], 3)],
            [
                "first draft searches (540 semantic + lexical)",
                round(memory["rss_after_search_mib"]),
                round(memory["first_search_s"], 3),
            ],
        ],
    )
    md_search = table(
        ["index", "draft search s", "recall of exact top 10", "same top 1 (queries with cosine >= 0.7)"],
        [
            [r["index"], round(r["search_s"], 3), round(r["recall10"], 3), round(r["top1"], 3)]
            for r in search["rows"]
        ],
    )
    scope = "one short play (quick run)" if quick else f"the whole shared corpus ({build['scripts']} scripts)"
    md = (
        f"Indexing {scope} with all-MiniLM-L6-v2 on the CPU "
        f"(model load {model_load_s:.1f} s, not counted):\n\n"
        + md_build
        + "\n\nPlain `SentenceTransformer.encode` vs simcheck's embedder on the same "
        f"{base['sample']} passages (a random sample of the index, duplicates as they occur), "
        "alternated, best of the runs:\n\n"
        + md_base
        + "\n\n"
        + md_re
        + "\n\nOn disk (every segment; the vectors are stored once, as float16: the exact search builds "
        "its FAISS IndexFlatIP in memory from them):\n\n"
        + md_disk
        + "\n\nMemory of a fresh process opening the index:\n\n"
        + md_mem
        + f"\n\nExact vs IVF search on the real vectors ({search['passages']:,} passages), "
        f"{search['queries']} queries from another translation of a corpus play "
        f"({search['strong_queries']} with a reference passage at cosine >= 0.7):\n\n" + md_search
    )
    return {
        "title": "Index throughput, re-index, size",
        "markdown": md,
        "data": {
            "model_load_s": model_load_s,
            "build": build,
            "baseline": base,
            "reindex": reindex,
            "disk": disk,
            "memory": memory,
            "search": search,
        },
        "headline": (
            f"indexing: {build['passages_per_s']:.1f} passages/s end to end; "
            f"embedder {ratio:.2f}x plain encode; "
            f"re-index with no change {reindex_cli:.1f} s; {disk['bytes_per_passage'] / 1024:.1f} KB/passage",
        ),
    }


def main() -> None:
    result = run("--quick" in sys.argv[1:])
    print(f"## {result['title']}\n\n{result['markdown']}")


if __name__ == "__main__":
    main()

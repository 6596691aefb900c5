"""Shipped calibration (numbers only): PROVISIONAL placeholder until measured on ../shared/corpus."""

from __future__ import annotations

from typing import Any

DEFAULTS: dict[str, Any] = {
    "version": 1,
    "source": "default",
    "model": "all-MiniLM-L6-v2",
    "fingerprint": "provisional",
    "passage_samples": 400,
    "scene_samples": 100,
    "semantic": {
        "n_passages": 50000,
        "bins": [[round(0.45 + 0.003 * i, 4) for i in range(100)] for _ in range(4)],
    },
    "evidence": {
        "lexical": [0.0] * 98 + [3.0, 6.0],
        "semantic": [0.0] * 50 + [float(i) for i in range(50)],
        "combined": [0.0] * 50 + [float(i) for i in range(50)],
    },
}

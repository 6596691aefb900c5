"""Configuration: named defaults, then frozen settings dataclasses, then (in cli.py) click options.

``IndexSettings`` is recorded in an index's manifest: a run whose settings differ from the index's is
an ``IndexMismatch``. ``CompareSettings`` only affects how a draft is scored and reported.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

# --- named defaults -------------------------------------------------------------------------
DEFAULT_MODEL = "all-MiniLM-L6-v2"
DEFAULT_INDEX_DIR = Path("indexes") / "default"
INDEX_ENV_VAR = "SIMCHECK_INDEX"

SHINGLE_WORDS = 3  # word n-gram size of the lexical shingles
NUM_PERM = 128  # MinHash permutations
LSH_BANDS = 32  # bands x rows = NUM_PERM; threshold ~ (1/bands) ** (1/rows) ~ 0.42 Jaccard
LSH_ROWS = 4
MINHASH_SEED = 1
PASSAGE_MAX_WORDS = 96  # passages are cut to fit the embedding model (MiniLM: 256 wordpieces)
PASSAGE_MIN_WORDS = 6  # shorter speeches are merged into windows, never compared alone
EMBED_BATCH_SIZE = 32  # texts per batch on the sentence-transformers backend

# the plain-torch embedding pipeline (simcheck.bert), chosen per device. Texts are tokenized a chunk at a
# time (for a GPU, the next chunk in background threads while the GPU runs the current one), sorted by
# token length and cut into batches of at most a token budget (rows x padded length).
# tokens per batch on the CPU: 1.39x the batch-32 path (benchmarks/cpu_embed_before_after.json)
EMBED_TOKEN_BUDGET_CPU = 2048
EMBED_TOKEN_BUDGET_CUDA = 65536  # tokens per batch on a CUDA GPU (32k-131k ran within 6% on an H200)
EMBED_CHUNK_TEXTS_CPU = 1024  # texts tokenized at a time on the CPU (also the progress step)
EMBED_CHUNK_TEXTS_CUDA = 8192  # texts tokenized at a time for a CUDA GPU
# threads that tokenize a chunk for a GPU, at most one per core (the tokenizer drops the GIL); on an H200
# machine's 16 cores 1/4/8/16 threads gave 11k/28k/38k/49k passages/s end to end: tokenizing bounds it
EMBED_TOKENIZER_THREADS_CUDA = 16
# bf16 autocast on a CUDA GPU only where it agrees with float32 on a fixed set of sentences (min cosine)
EMBED_BF16_MIN_COSINE = 0.9999

SEMANTIC_NEIGHBOURS = 10  # FAISS neighbours per draft passage
MIN_VERBATIM_TOKENS = 8  # shortest verbatim run that counts as evidence
MIN_FUZZY_TOKENS = 12  # shortest gap-tolerant run that counts as evidence
MAX_PAIRS_PER_SCENE = 8  # semantic candidate scene pairs verified per draft scene (lexical ones: all)
LEVELS = ("low", "medium", "high")
FAIL_ON = "high"
FAIL_ON_CHOICES = (*LEVELS, "never")  # "never": report, but always exit 0


def default_index_dir() -> Path:
    """``$SIMCHECK_INDEX`` if set, else ``indexes/default`` under the current directory."""
    env = os.environ.get(INDEX_ENV_VAR)
    return Path(env) if env else DEFAULT_INDEX_DIR


@dataclass(frozen=True)
class IndexSettings:
    """Everything that decides what an index contains. Recorded in the manifest."""

    model: str = DEFAULT_MODEL
    shingle_words: int = SHINGLE_WORDS
    num_perm: int = NUM_PERM
    lsh_bands: int = LSH_BANDS
    lsh_rows: int = LSH_ROWS
    minhash_seed: int = MINHASH_SEED
    passage_max_words: int = PASSAGE_MAX_WORDS
    passage_min_words: int = PASSAGE_MIN_WORDS

    def __post_init__(self) -> None:
        if self.lsh_bands * self.lsh_rows != self.num_perm:
            raise ValueError(
                f"lsh_bands x lsh_rows must equal num_perm ({self.lsh_bands} x {self.lsh_rows} != "
                f"{self.num_perm}): change one of them"
            )
        if self.shingle_words < 1:
            raise ValueError("shingle_words must be at least 1")
        if self.passage_min_words > self.passage_max_words:
            raise ValueError("passage_min_words must not exceed passage_max_words")


@dataclass(frozen=True)
class CompareSettings:
    """How a draft is scored against references and which results are reported."""

    semantic_neighbours: int = SEMANTIC_NEIGHBOURS
    min_verbatim_tokens: int = MIN_VERBATIM_TOKENS
    min_fuzzy_tokens: int = MIN_FUZZY_TOKENS
    fail_on: str = FAIL_ON
    allow: tuple[str, ...] = field(default=())  # allowlist entries (paths, globs, PATH:LINES, quote: TEXT)
    allowlist_files: tuple[str, ...] = field(default=())  # files of allowlist entries, one per line
    max_pairs_per_scene: int = MAX_PAIRS_PER_SCENE  # semantic candidate scene pairs verified per draft scene

    def __post_init__(self) -> None:
        if self.fail_on not in FAIL_ON_CHOICES:
            raise ValueError(f"fail_on must be one of {', '.join(FAIL_ON_CHOICES)}, not {self.fail_on!r}")
        if self.semantic_neighbours < 1:
            raise ValueError("semantic_neighbours must be at least 1")
        if self.min_verbatim_tokens < 1 or self.min_fuzzy_tokens < 1:
            raise ValueError("min_verbatim_tokens and min_fuzzy_tokens must be at least 1")
        if self.max_pairs_per_scene < 1:
            raise ValueError("max_pairs_per_scene must be at least 1")

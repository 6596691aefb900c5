"""A plain-torch encoder for sentence-transformers models that are a BERT with mean pooling.

Why: importing ``sentence_transformers`` (and with it ``transformers``, scikit-learn and SciPy)
takes 5-8 s on the 2-core machine, more than a whole compare of a feature-length draft spends on
everything but embedding. Models such as the default all-MiniLM-L6-v2 are a plain BERT encoder,
mean pooling and (optionally) L2 normalisation; for those this module runs the same weights
(``model.safetensors``) and the same tokenizer (``tokenizer.json``, via the ``tokenizers`` library
that ``transformers`` itself uses) with torch alone, in about 3 s of imports.

``supports(folder)`` says whether a sentence-transformers model folder is of that kind (modules
Transformer -> Pooling(mean) [-> Normalize], ``config.json`` a BERT with absolute positions and exact
GELU, weights in safetensors). Anything else is loaded by sentence-transformers as usual. The
results agree with ``SentenceTransformer.encode`` to float precision (cosine > 0.99999 on real
passages; ``tests/test_embedder.py`` checks it with the bundled model), so an index built either way
is the same index.

``BertMeanEncoder.encode_many`` is the pipeline the embedder runs: texts are tokenized a chunk at a
time, sorted by token length and cut into batches of at most a token budget (rows x padded length),
so a batch pads little and its size fits the device. On a CUDA GPU the next chunk is tokenized in a
background thread while the GPU runs the current one (split over several threads: the ``tokenizers``
library drops the GIL), the token ids go through pinned memory with asynchronous copies and the
vectors come back one chunk behind, so the GPU does not wait for Python; the model runs
in bf16 autocast when, on a fixed set of sentences, it agrees with float32 to a cosine of at least
``settings.EMBED_BF16_MIN_COSINE`` (checked once, when the encoder is made; else float32:
``precision`` and ``agreement`` say which and why). On the CPU it stays float32 (bf16 is several
times slower there) and gives the vectors of ``encode`` to float precision.
"""

from __future__ import annotations

import itertools
import json
import math
import os
from collections.abc import Callable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from simcheck.embed.precision import AGREEMENT_TEXTS, PRECISIONS, choose_precision
from simcheck.settings import (
    EMBED_CHUNK_TEXTS_CPU,
    EMBED_CHUNK_TEXTS_CUDA,
    EMBED_TOKEN_BUDGET_CPU,
    EMBED_TOKEN_BUDGET_CUDA,
    EMBED_TOKENIZER_THREADS_CUDA,
)

_TRANSFORMER = "sentence_transformers.models.Transformer"
_POOLING = "sentence_transformers.models.Pooling"
_NORMALIZE = "sentence_transformers.models.Normalize"
_MEAN_ONLY = {
    "pooling_mode_cls_token": False,
    "pooling_mode_mean_tokens": True,
    "pooling_mode_max_tokens": False,
    "pooling_mode_mean_sqrt_len_tokens": False,
}


def _read_json(path: Path) -> Any:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def supports(folder: str | Path) -> bool:
    """Is ``folder`` a sentence-transformers model this module runs exactly (BERT + mean pooling)?"""
    root = Path(folder)
    modules = _read_json(root / "modules.json")
    if not isinstance(modules, list) or not all(isinstance(m, dict) for m in modules):
        return False
    types = [m.get("type") for m in modules]
    if types not in ([_TRANSFORMER, _POOLING], [_TRANSFORMER, _POOLING, _NORMALIZE]):
        return False
    if modules[0].get("path", "") != "":
        return False
    pooling = _read_json(root / str(modules[1].get("path", "")) / "config.json")
    if not isinstance(pooling, dict) or any(pooling.get(k, False) != v for k, v in _MEAN_ONLY.items()):
        return False
    if any(pooling.get(k) for k in ("pooling_mode_weightedmean_tokens", "pooling_mode_lasttoken")):
        return False
    if pooling.get("include_prompt", True) is not True:
        return False
    config = _read_json(root / "config.json")
    st_config = _read_json(root / "sentence_bert_config.json") or {}
    extra = _read_json(root / "config_sentence_transformers.json") or {}
    return (
        isinstance(config, dict)
        and config.get("model_type") == "bert"
        and config.get("architectures", ["BertModel"]) == ["BertModel"]
        and config.get("hidden_act") == "gelu"
        and config.get("position_embedding_type", "absolute") == "absolute"
        and isinstance(st_config, dict)
        and not st_config.get("do_lower_case", False)
        and isinstance(extra, dict)
        and not extra.get("prompts")
        and not extra.get("default_prompt_name")
        and (root / "model.safetensors").is_file()
        and (root / "tokenizer.json").is_file()
    )


@dataclass(frozen=True)
class _Batch:
    """Token ids of one batch (rows sorted by length, padded to the longest) and where its rows go."""

    ids: Any  # int32 (rows, length) tensor (pinned on CUDA)
    lengths: Any  # int32 (rows,) tensor (pinned on CUDA)
    rows: Any  # int64 (rows,) tensor (pinned on CUDA): positions in the chunk
    same_length: bool  # every row as long as the longest: no attention mask needed


class BertMeanEncoder:
    """BERT forward pass + mean pooling (+ L2 normalisation), inference only.

    ``precision``: ``auto`` (bf16 autocast on CUDA when it agrees with float32, else float32),
    ``float32`` or ``bfloat16`` (CUDA only; chosen even where the agreement test fails, for measuring).
    ``max_batch`` caps the rows of a batch (``None``: the token budget alone decides).
    """

    def __init__(
        self,
        folder: str | Path,
        device: str = "cpu",
        *,
        precision: str = "auto",
        max_batch: int | None = None,
    ) -> None:
        import torch
        from safetensors.torch import load_file
        from tokenizers import Tokenizer

        if precision not in PRECISIONS:
            raise ValueError(f"precision must be one of {', '.join(PRECISIONS)}, not {precision!r}")
        root = Path(folder)
        config = json.loads((root / "config.json").read_text(encoding="utf-8"))
        st_config = _read_json(root / "sentence_bert_config.json") or {}
        modules = json.loads((root / "modules.json").read_text(encoding="utf-8"))
        self.normalize = len(modules) == 3
        self.heads = int(config["num_attention_heads"])
        self.layers = int(config["num_hidden_layers"])
        self.eps = float(config.get("layer_norm_eps", 1e-12))
        positions = int(config.get("max_position_embeddings", 512))
        # as sentence-transformers: max_seq_length, else the tokenizer's and the model's limits
        tokenizer_config = _read_json(root / "tokenizer_config.json") or {}
        limit = tokenizer_config.get("model_max_length") if isinstance(tokenizer_config, dict) else None
        fallback = min(positions, int(limit)) if isinstance(limit, int | float) and limit > 0 else positions
        self.max_length = min(int(st_config.get("max_seq_length") or fallback), positions)
        self.device = torch.device(device)
        self.cuda = self.device.type == "cuda"
        if precision == "bfloat16" and not self.cuda:
            raise ValueError("bfloat16 runs on a CUDA GPU only (on the CPU it is several times slower)")
        weights = load_file(str(root / "model.safetensors"))
        prefix = "bert." if "bert.embeddings.word_embeddings.weight" in weights else ""
        self.w = {
            k[len(prefix) :]: v.float().to(self.device) for k, v in weights.items() if k.startswith(prefix)
        }
        self.dimension = int(self.w["embeddings.word_embeddings.weight"].shape[1])
        for i in range(self.layers):  # one fused projection for query, key and value
            base = f"encoder.layer.{i}.attention.self."
            for part in ("weight", "bias"):
                self.w[f"{base}qkv.{part}"] = torch.cat(
                    [self.w[f"{base}{name}.{part}"] for name in ("query", "key", "value")]
                )
        self.tokenizer = Tokenizer.from_file(str(root / "tokenizer.json"))
        self.tokenizer.enable_truncation(max_length=self.max_length)
        self.pad_id = int(config.get("pad_token_id", 0) or 0)
        pad_token = self.tokenizer.id_to_token(self.pad_id) or "[PAD]"
        # the pipeline pads itself (per batch, after sorting by length): a tokenizer without padding
        self._unpadded = Tokenizer.from_file(str(root / "tokenizer.json"))
        self._unpadded.enable_truncation(max_length=self.max_length)
        self._unpadded.no_padding()
        self.tokenizer.enable_padding(pad_id=self.pad_id, pad_token=pad_token)
        # per device: token budget, chunk of texts tokenized ahead, threads that tokenize a chunk
        self.token_budget = EMBED_TOKEN_BUDGET_CUDA if self.cuda else EMBED_TOKEN_BUDGET_CPU
        self.chunk_texts = EMBED_CHUNK_TEXTS_CUDA if self.cuda else EMBED_CHUNK_TEXTS_CPU
        cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1
        self.tokenizer_threads = min(EMBED_TOKENIZER_THREADS_CUDA, cores) if self.cuda else 1
        self.max_batch = max_batch
        # dtype: float32, or bf16 autocast on CUDA where it agrees with float32 (measured once, here)
        self.precision, self.agreement = choose_precision(precision, self.cuda, self.bf16_agreement)

    def bf16_agreement(self, texts: Sequence[str] = AGREEMENT_TEXTS) -> float:
        """Smallest cosine between the bf16-autocast and the float32 vectors of ``texts`` (CUDA)."""
        exact = self._encode_with(list(texts), "float32")
        fast = self._encode_with(list(texts), "bfloat16")
        norms = np.linalg.norm(exact, axis=1) * np.linalg.norm(fast, axis=1)
        cosines = np.sum(exact * fast, axis=1) / np.maximum(norms, 1e-12)
        return float(np.min(cosines))

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        """float32 (len(texts), dimension) for one batch (sentence-transformers strips each text).

        One padded batch, tokenized and run synchronously in float32: the plain path (and the
        baseline the pipeline of ``encode_many`` is measured against).
        """
        import torch

        encodings = self.tokenizer.encode_batch([str(t).strip() for t in texts])
        ids = torch.tensor([e.ids for e in encodings], dtype=torch.long, device=self.device)
        mask = torch.tensor([e.attention_mask for e in encodings], dtype=torch.long, device=self.device)
        with torch.inference_mode():
            hidden = self._forward(ids, mask.bool())
            pooled = self._pool(hidden, mask)
        return pooled.cpu().numpy().astype(np.float32, copy=False)

    def encode_many(self, texts: Sequence[str], progress: Callable[[int], None] | None = None) -> np.ndarray:
        """float32 (len(texts), dimension): the pipeline (chunks tokenized ahead, batches by length).

        ``progress`` (optional) is called with the number of texts done after each chunk.
        """
        return self._encode_with(texts, self.precision, progress)

    # --- the pipeline ---------------------------------------------------------------------------

    def _encode_with(
        self, texts: Sequence[str], precision: str, progress: Callable[[int], None] | None = None
    ) -> np.ndarray:
        import torch

        n = len(texts)
        out = np.zeros((n, self.dimension), dtype=np.float32)
        if n == 0:
            return out
        starts = list(range(0, n, self.chunk_texts))
        if not self.cuda:
            # on the CPU the model keeps every core busy: tokenize each chunk in line (a thread beside
            # it would only take cores from the model, whose threads then wait for each other)
            with torch.inference_mode():
                for begin in starts:
                    end = min(n, begin + self.chunk_texts)
                    vectors = self._run(self._prepare(texts[begin:end], None), end - begin, precision)
                    out[begin:end] = vectors.numpy()
                    if progress is not None:
                        progress(end)
            return out
        pending: tuple[Any, Any, int, int] | None = None  # (event, pinned vectors, begin, end)
        with (
            ThreadPoolExecutor(1, thread_name_prefix="simcheck-tokenize") as ahead,
            ThreadPoolExecutor(self.tokenizer_threads, thread_name_prefix="simcheck-encode") as workers,
            torch.inference_mode(),
        ):
            nxt: Future[list[_Batch]] = ahead.submit(self._prepare, texts[0 : self.chunk_texts], workers)
            for k, begin in enumerate(starts):
                end = min(n, begin + self.chunk_texts)
                batches = nxt.result()
                if k + 1 < len(starts):  # tokenize the next chunk while the GPU runs this one
                    follow = starts[k + 1]
                    nxt = ahead.submit(self._prepare, texts[follow : follow + self.chunk_texts], workers)
                vectors = self._run(batches, end - begin, precision)
                host = torch.empty(vectors.shape, dtype=torch.float32, pin_memory=True)
                host.copy_(vectors, non_blocking=True)
                event = torch.cuda.Event()
                event.record()
                if pending is not None:  # the previous chunk's vectors: done by now, or soon
                    self._collect(pending, out, progress)
                pending = (event, host, begin, end)
            if pending is not None:
                self._collect(pending, out, progress)
        return out

    @staticmethod
    def _collect(
        pending: tuple[Any, Any, int, int], out: np.ndarray, progress: Callable[[int], None] | None
    ) -> None:
        event, host, begin, end = pending
        event.synchronize()
        out[begin:end] = host.numpy()
        if progress is not None:
            progress(end)

    def _tokenize(self, texts: list[str]) -> tuple[np.ndarray, np.ndarray]:
        """Token ids of ``texts``, concatenated (int32), and each text's number of tokens (int64)."""
        encode = getattr(self._unpadded, "encode_batch_fast", None) or self._unpadded.encode_batch
        ids = [e.ids for e in encode(texts)]
        lengths = np.fromiter(map(len, ids), dtype=np.int64, count=len(ids))
        flat = np.fromiter(itertools.chain.from_iterable(ids), dtype=np.int32, count=int(lengths.sum()))
        return flat, lengths

    def _prepare(self, texts: Sequence[str], workers: ThreadPoolExecutor | None) -> list[_Batch]:
        """Tokenize a chunk, sort it by token length and cut it into batches under the token budget."""
        import torch

        stripped = [str(t).strip() for t in texts]
        parts = min(self.tokenizer_threads, max(1, len(stripped) // 256))
        if parts > 1 and workers is not None:
            step = -(-len(stripped) // parts)
            pieces = list(
                workers.map(self._tokenize, [stripped[i : i + step] for i in range(0, len(stripped), step)])
            )
            flat = np.concatenate([piece[0] for piece in pieces])
            lengths = np.concatenate([piece[1] for piece in pieces])
        else:
            flat, lengths = self._tokenize(stripped)
        starts = np.zeros(len(lengths), dtype=np.int64)
        np.cumsum(lengths[:-1], out=starts[1:])
        order = np.argsort(-lengths, kind="stable")  # longest first; ties in input order
        batches: list[_Batch] = []
        begin = 0
        while begin < len(order):
            longest = max(1, int(lengths[order[begin]]))
            rows = max(1, self.token_budget // longest)
            if self.max_batch is not None:
                rows = min(rows, self.max_batch)
            members = order[begin : begin + rows]
            row_lengths = lengths[members]
            columns = np.arange(longest)
            real = columns[None, :] < row_lengths[:, None]
            where = np.minimum(starts[members][:, None] + columns[None, :], max(0, len(flat) - 1))
            padded = np.where(real, flat[where] if len(flat) else self.pad_id, self.pad_id).astype(np.int32)
            tensors = [
                torch.from_numpy(padded),
                torch.from_numpy(row_lengths.astype(np.int32)),
                torch.from_numpy(members.astype(np.int64)),
            ]
            if self.cuda:  # page-locked: the copies to the GPU run asynchronously
                tensors = [t.pin_memory() for t in tensors]
            batches.append(_Batch(tensors[0], tensors[1], tensors[2], bool(row_lengths[-1] == longest)))
            begin += len(members)
        return batches

    def _run(self, batches: list[_Batch], size: int, precision: str) -> Any:
        """The pooled vectors of one chunk (float32, on the device), rows in the chunk's order."""
        import contextlib

        import torch

        out = torch.empty((size, self.dimension), dtype=torch.float32, device=self.device)
        cast = (
            torch.autocast(device_type="cuda", dtype=torch.bfloat16)
            if precision == "bfloat16"
            else contextlib.nullcontext()
        )
        for batch in batches:
            ids = batch.ids.to(self.device, non_blocking=True)
            lengths = batch.lengths.to(self.device, non_blocking=True)
            rows = batch.rows.to(self.device, non_blocking=True)
            positions = torch.arange(ids.shape[1], device=self.device)
            keep = positions[None, :] < lengths[:, None]
            with cast:
                hidden = self._forward(ids, None if batch.same_length else keep)
            out.index_copy_(0, rows, self._pool(hidden.float(), keep))
        return out

    # --- the model ------------------------------------------------------------------------------

    def _pool(self, hidden: Any, mask: Any) -> Any:
        import torch

        weights = mask.unsqueeze(-1).to(hidden.dtype)
        pooled = (hidden * weights).sum(1) / weights.sum(1).clamp(min=1e-9)
        if self.normalize:
            pooled = torch.nn.functional.normalize(pooled, p=2.0, dim=1)
        return pooled

    def _forward(self, ids: Any, keep: Any | None) -> Any:
        """Hidden states (batch, length, dimension); ``keep``: bool (batch, length), None = all."""
        from torch.nn import functional as F

        w = self.w
        batch, length = ids.shape
        # one sequence per text: every token type is 0
        x = (
            F.embedding(ids, w["embeddings.word_embeddings.weight"])
            + w["embeddings.position_embeddings.weight"][:length].unsqueeze(0)
            + w["embeddings.token_type_embeddings.weight"][0]
        )
        x = F.layer_norm(
            x, (self.dimension,), w["embeddings.LayerNorm.weight"], w["embeddings.LayerNorm.bias"], self.eps
        )
        attend = None if keep is None else keep[:, None, None, :]  # (batch, 1, 1, length): True = attend
        head = self.dimension // self.heads
        scale = 1.0 / math.sqrt(head)
        for i in range(self.layers):
            p = f"encoder.layer.{i}."
            qkv = F.linear(x, w[p + "attention.self.qkv.weight"], w[p + "attention.self.qkv.bias"])
            q, k, v = qkv.view(batch, length, 3, self.heads, head).permute(2, 0, 3, 1, 4)
            attended = F.scaled_dot_product_attention(q, k, v, attn_mask=attend, scale=scale)
            attended = attended.transpose(1, 2).reshape(batch, length, self.dimension)
            out = F.linear(
                attended, w[p + "attention.output.dense.weight"], w[p + "attention.output.dense.bias"]
            )
            x = F.layer_norm(
                out + x,
                (self.dimension,),
                w[p + "attention.output.LayerNorm.weight"],
                w[p + "attention.output.LayerNorm.bias"],
                self.eps,
            )
            inner = F.gelu(F.linear(x, w[p + "intermediate.dense.weight"], w[p + "intermediate.dense.bias"]))
            out = F.linear(inner, w[p + "output.dense.weight"], w[p + "output.dense.bias"])
            x = F.layer_norm(
                out + x,
                (self.dimension,),
                w[p + "output.LayerNorm.weight"],
                w[p + "output.LayerNorm.bias"],
                self.eps,
            )
        return x

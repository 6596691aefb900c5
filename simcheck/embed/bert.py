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
"""

from __future__ import annotations

import json
import math
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

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


class BertMeanEncoder:
    """BERT forward pass + mean pooling (+ L2 normalisation), float32, inference only."""

    def __init__(self, folder: str | Path, device: str = "cpu") -> None:
        # torch takes ~2 s to import (measured): loaded with a model, never for `simcheck info` or `parse`
        import torch
        from safetensors.torch import load_file
        from tokenizers import Tokenizer

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
        weights = load_file(str(root / "model.safetensors"))
        prefix = "bert." if "bert.embeddings.word_embeddings.weight" in weights else ""
        self.device = torch.device(device)
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
        pad_id = int(config.get("pad_token_id", 0) or 0)
        pad_token = self.tokenizer.id_to_token(pad_id) or "[PAD]"
        self.tokenizer.enable_padding(pad_id=pad_id, pad_token=pad_token)

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        """float32 (len(texts), dimension) for one batch (sentence-transformers strips each text)."""
        import torch  # already imported by the constructor: a dictionary look-up

        encodings = self.tokenizer.encode_batch([str(t).strip() for t in texts])
        ids = torch.tensor([e.ids for e in encodings], dtype=torch.long, device=self.device)
        mask = torch.tensor([e.attention_mask for e in encodings], dtype=torch.long, device=self.device)
        types = torch.tensor([e.type_ids for e in encodings], dtype=torch.long, device=self.device)
        with torch.inference_mode():
            hidden = self._forward(ids, types, mask)
            weights = mask.unsqueeze(-1).to(hidden.dtype)
            pooled = (hidden * weights).sum(1) / weights.sum(1).clamp(min=1e-9)
            if self.normalize:
                pooled = torch.nn.functional.normalize(pooled, p=2.0, dim=1)
        return pooled.cpu().numpy().astype(np.float32, copy=False)

    def _forward(self, ids: Any, types: Any, mask: Any) -> Any:
        from torch.nn import functional as F  # already imported with torch

        w = self.w
        batch, length = ids.shape
        x = (
            w["embeddings.word_embeddings.weight"][ids]
            + w["embeddings.position_embeddings.weight"][:length].unsqueeze(0)
            + w["embeddings.token_type_embeddings.weight"][types]
        )
        x = F.layer_norm(
            x, (self.dimension,), w["embeddings.LayerNorm.weight"], w["embeddings.LayerNorm.bias"], self.eps
        )
        keep = mask.bool()[:, None, None, :]  # (batch, 1, 1, length): True = attend
        head = self.dimension // self.heads
        scale = 1.0 / math.sqrt(head)
        for i in range(self.layers):
            p = f"encoder.layer.{i}."
            qkv = F.linear(x, w[p + "attention.self.qkv.weight"], w[p + "attention.self.qkv.bias"])
            q, k, v = qkv.view(batch, length, 3, self.heads, head).permute(2, 0, 3, 1, 4)
            attended = F.scaled_dot_product_attention(q, k, v, attn_mask=keep, scale=scale)
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

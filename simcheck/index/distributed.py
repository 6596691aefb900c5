"""``--engine ray``: reading, cutting, fingerprinting and embedding on a Ray cluster, with Ray Data.

The driver (this process, where the index folder is) walks and hashes the files and decides which to
read, exactly as the local engine does; then a Ray Data pipeline does the work across the cluster::

    from_items(files)                                  one row per file (path, size, sha256)
      .map_batches(fingerprint, num_cpus=1)            Ray tasks: read (simcheck.read), cut, MinHash
      .map_batches(Embed, compute=ActorPoolStrategy)   actors holding the model (simcheck.embed):
                                                       one GPU each where the cluster has GPUs
      .iter_batches()                                  streamed back in order (preserve_order)

(Ray Data may fuse the two maps into one actor operator: the files are then read in the actors.)

and the driver writes and commits the segments under the write lock, as for a local build (the same
``builder``), so an index built either way holds the same scripts, passages, signatures and (for a
per-text deterministic model) vectors. The readers take a path (they check the file themselves:
size, type), so the files are read on the workers by path, not shipped as bytes: on a cluster they
must be at the same path on every node (a shared file system). Rows travel as bytes (compressed
Script JSON, arrays): nothing is pickled. Without an address a local Ray is started (and stopped);
given one, ``ray.init(address=...)`` joins that cluster; with Ray already initialised by the caller,
that session is used as it is. The driver's ``simcheck`` package is shipped to the workers
(``runtime_env`` ``py_modules``) when this module starts or joins Ray, so both run the same code.

Sizing: one embedding actor per GPU (``num_gpus=1``); without GPUs one per ``RAY_CPU_EMBED_THREADS``
CPUs (never every CPU: the fingerprinting tasks, one CPU each, must still be scheduled, or Ray Data
waits forever), each running torch on that many threads.
"""

from __future__ import annotations

import json
import logging
import os
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from simcheck.errors import UsageError
from simcheck.index.layout import settings_dict
from simcheck.index.pipeline import ToRead, read_one
from simcheck.index.reader import IndexReader
from simcheck.index.writer import NewScript
from simcheck.model import Passage
from simcheck.read.scriptjson import dumps, loads
from simcheck.read.walk import Skipped
from simcheck.settings import RAY_CPU_EMBED_THREADS, RAY_EMBED_SCRIPTS, RAY_FILES_PER_TASK, IndexSettings
from simcheck.text.fingerprints import ScriptFeatures

Reader = Callable[[Sequence[ToRead]], Iterator[NewScript | Skipped]]


def ray_reader(index: IndexReader, address: str | None) -> Reader:
    """A reader for ``build.add`` that runs on Ray (see the module docstring)."""
    try:
        import ray  # noqa: F401  # the optional extra: simcheck[ray]
        import ray.data  # noqa: F401
    except ImportError as error:
        raise UsageError(
            f"--engine ray needs Ray Data: pip install 'simcheck[ray]' ({error.name} is missing)"
        ) from None
    model, dimension, settings = index.model_name, index.dimension, settings_dict(index.settings)

    def read(items: Sequence[ToRead]) -> Iterator[NewScript | Skipped]:
        if not items:
            return iter(())
        return _run(list(items), model, dimension, settings, address)

    return read


def _run(
    items: list[ToRead], model: str, dimension: int, settings: dict[str, Any], address: str | None
) -> Iterator[NewScript | Skipped]:
    import ray
    import ray.data

    started = False
    if not ray.is_initialized():
        os.environ.setdefault(
            "RAY_BACKEND_LOG_LEVEL", "fatal"
        )  # Ray's C++ log lines: the library never prints
        package = str(Path(__file__).resolve().parents[1])
        ray.init(
            address=address,
            runtime_env={"py_modules": [package]},
            include_dashboard=False,
            log_to_driver=False,
            logging_level=logging.ERROR,
        )
        started = True
    try:
        context = ray.data.DataContext.get_current()
        context.execution_options.preserve_order = True  # rows come back in the order of the files
        context.enable_progress_bars = False  # the library never prints
        logging.getLogger("ray.data").setLevel(logging.ERROR)
        resources = ray.cluster_resources()
        gpus = int(resources.get("GPU", 0))
        cpus = max(1, int(resources.get("CPU", 1)))
        task_cpus = 1.0 if cpus >= 2 else 0.5  # the actors never take every CPU: tasks must still run
        if gpus:
            embed_resources: dict[str, Any] = {"num_gpus": 1, "num_cpus": 0.5}
            actors, threads = gpus, 1
        else:
            embed_resources = {"num_cpus": task_cpus}
            actors = max(1, min(cpus // RAY_CPU_EMBED_THREADS, cpus - 1))
            threads = min(cpus, RAY_CPU_EMBED_THREADS)
        rows = [{"path": i.path, "size": i.size, "sha256": i.sha256} for i in items]
        blocks = max(1, -(-len(rows) // RAY_FILES_PER_TASK))
        dataset: Any = ray.data.from_items(rows, override_num_blocks=blocks)
        dataset = dataset.map_batches(
            fingerprint, fn_kwargs={"settings": settings}, batch_size=RAY_FILES_PER_TASK, num_cpus=task_cpus
        )
        dataset = dataset.map_batches(
            Embed,
            fn_constructor_args=(model, dimension, threads),
            batch_size=RAY_EMBED_SCRIPTS,
            compute=ray.data.ActorPoolStrategy(size=actors),
            **embed_resources,
        )
        for batch in dataset.iter_batches(batch_size=None, batch_format="numpy"):
            for row in range(len(batch["path"])):
                yield _decode({key: batch[key][row] for key in batch}, settings, dimension)
    finally:
        if started:
            ray.shutdown()


def fingerprint(batch: dict[str, np.ndarray], settings: dict[str, Any]) -> dict[str, list[Any]]:
    """Ray task: read and cut the files of a batch (the same ``read_one`` as the local engine)."""
    index_settings = IndexSettings(**settings)
    out: dict[str, list[Any]] = {
        k: [] for k in ("path", "problem", "size", "script", "passages", "sigs", "uniques")
    }
    for path, size, digest in zip(batch["path"], batch["size"], batch["sha256"], strict=True):
        result = read_one(ToRead(str(path), int(size), str(digest)), index_settings)
        out["path"].append(str(path))
        if isinstance(result, Skipped):
            out["problem"].append(result.problem)
            for key in ("script", "passages", "sigs", "uniques"):
                out[key].append(b"")
            out["size"].append(0)
            continue
        feats = result.features
        out["problem"].append("")
        out["size"].append(result.size)
        out["script"].append(dumps(result.script))
        out["passages"].append(
            json.dumps(
                [[p.scene, p.kind, p.start, p.end, p.line, p.text, p.speaker] for p in feats.passages],
                ensure_ascii=False,
            ).encode("utf-8")
        )
        out["sigs"].append(np.ascontiguousarray(feats.signatures, dtype="<u8").tobytes())
        out["uniques"].append(np.ascontiguousarray(feats.unique_shingles, dtype="<u4").tobytes())
    return out


class Embed:
    """Ray actor: the index's model, loaded once (``simcheck.embed.load_embedder``), embedding the
    passages of a batch of scripts (each text once, longest first) into float16 vectors."""

    def __init__(self, model: str, dimension: int, threads: int) -> None:
        os.environ.setdefault("SIMCHECK_THREADS", str(threads))
        from simcheck.embed import load_embedder

        self.embedder = load_embedder(model)
        self.dimension = dimension

    def __call__(self, batch: dict[str, np.ndarray]) -> dict[str, Any]:
        from simcheck.search.vectors import to_stored

        texts_per_row = [[p[5] for p in json.loads(raw)] if raw else [] for raw in batch["passages"]]
        unique = sorted({t for texts in texts_per_row for t in texts}, key=lambda t: (-len(t), t))
        vectors: dict[str, np.ndarray] = {}
        if unique:
            vectors = dict(zip(unique, to_stored(self.embedder.embed(unique)), strict=True))
        out = {key: list(batch[key]) for key in batch}
        out["vectors"] = [
            np.asarray([vectors[t] for t in texts], dtype="<f2").reshape(len(texts), self.dimension).tobytes()
            for texts in texts_per_row
        ]
        return out


def _decode(row: dict[str, Any], settings: dict[str, Any], dimension: int) -> NewScript | Skipped:
    path = str(row["path"])
    if row["problem"]:
        return Skipped(path, str(row["problem"]))
    passages = tuple(Passage(*fields) for fields in json.loads(bytes(row["passages"]).decode("utf-8")))
    n = len(passages)
    signatures = np.frombuffer(bytes(row["sigs"]), dtype="<u8").reshape(n, int(settings["num_perm"]))
    uniques = np.frombuffer(bytes(row["uniques"]), dtype="<u4").astype(np.uint32)
    vectors = np.frombuffer(bytes(row["vectors"]), dtype="<f2").reshape(n, dimension)
    features = ScriptFeatures(passages, (), signatures.astype(np.uint64), uniques)
    return NewScript(loads(bytes(row["script"])), features, int(row["size"]), vectors.astype(np.float16))

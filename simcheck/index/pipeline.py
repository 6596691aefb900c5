"""Reading and cutting script files for an add, in worker processes, in order, a bounded window ahead.

``read_stream`` yields, for each file in the order given, either a ``NewScript`` (read, cut into
passages, shingled and MinHashed: ``text.fingerprints.script_features``) or a ``Skipped``. With
``workers`` > 1 and at least ``PARALLEL_MIN_FILES`` files, the work runs in a pool of worker processes
(``concurrent.futures``, spawn start method: no state of this process is inherited), at most
``WINDOW_PER_WORKER`` files per worker in flight: while the caller embeds what it has, the workers
read the next files, and memory holds a window, never the corpus.
"""

from __future__ import annotations

import concurrent.futures as futures
import dataclasses
import multiprocessing
import os
import threading
import time
from collections import deque
from collections.abc import Iterator, Sequence

from simcheck.errors import IndexWriteError, SimcheckError, problem_text
from simcheck.index.writer import NewScript
from simcheck.read import read_script
from simcheck.read.walk import Skipped
from simcheck.settings import PARALLEL_MIN_FILES, IndexSettings
from simcheck.text.fingerprints import script_features

WINDOW_PER_WORKER = 4


@dataclasses.dataclass(frozen=True)
class ToRead:
    """A file to read: its resolved path, size and sha256 (hashed when the add looked at it)."""

    path: str
    size: int
    sha256: str


def default_workers() -> int:
    """One worker per core this process may run on."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # pragma: no cover - not on Linux
        return max(1, os.cpu_count() or 1)


def read_one(item: ToRead, settings: IndexSettings) -> NewScript | Skipped:
    """Read and cut one file; any problem is a ``Skipped`` with one line (a reader bug included)."""
    try:
        script = read_script(item.path)
        if not script.sha256:
            script = dataclasses.replace(script, sha256=item.sha256)
        return NewScript(script, script_features(script, settings), item.size)
    except (SimcheckError, OSError) as error:
        return Skipped(item.path, problem_text(error))
    except Exception as error:  # a reader bug must not stop the whole run
        return Skipped(item.path, f"cannot be read ({type(error).__name__}: {problem_text(error)})")


def _follow_parent(parent: int) -> None:
    """In a worker: exit when the process that started it is gone (killed), instead of waiting forever."""

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(1.0)
        os._exit(1)

    threading.Thread(target=watch, daemon=True).start()


def read_stream(
    items: Sequence[ToRead], settings: IndexSettings, workers: int
) -> Iterator[NewScript | Skipped]:
    """``read_one`` of every item, in order (see the module docstring)."""
    if workers <= 1 or len(items) < PARALLEL_MIN_FILES:
        for item in items:
            yield read_one(item, settings)
        return
    context = multiprocessing.get_context("spawn")
    with futures.ProcessPoolExecutor(
        max_workers=workers, mp_context=context, initializer=_follow_parent, initargs=(os.getpid(),)
    ) as pool:
        pending: deque[futures.Future[NewScript | Skipped]] = deque()
        ahead = iter(items)
        try:
            for item in ahead:
                pending.append(pool.submit(read_one, item, settings))
                if len(pending) >= workers * WINDOW_PER_WORKER:
                    break
            while pending:
                try:
                    result = pending.popleft().result()
                except futures.process.BrokenProcessPool as error:
                    raise IndexWriteError(
                        f"a worker process died while reading files ({problem_text(error)}); what was "
                        "committed is kept: re-run to resume, or use --workers 1"
                    ) from None
                for item in ahead:
                    pending.append(pool.submit(read_one, item, settings))
                    break
                yield result
        finally:
            for future in pending:
                future.cancel()

"""``simcheck`` with the tests' fake embedder registered (``--model hash-64``), run by ``tests/hostile.py``.

A test double only (never a measurement of the model): it lets the hostile set run every command in a
fresh process, as a user would, without loading the real model.
"""

from __future__ import annotations

import atexit
import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from fakes import hash_provider  # noqa: E402

from simcheck.cli import cli  # noqa: E402
from simcheck.embed import register_embedder  # noqa: E402


def _record_peak_memory() -> None:
    """Write this process's peak resident memory (``VmHWM``, bytes) where ``SIMCHECK_HOSTILE_RSS`` says.

    ``VmHWM`` starts afresh at ``exec`` (``wait4``'s ``ru_maxrss`` would still count the parent it was
    forked from), so this is the memory the command itself took."""
    target = os.environ.get("SIMCHECK_HOSTILE_RSS")
    if not target:
        return
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            Path(target).write_text(str(int(line.split()[1]) * 1024))


if __name__ == "__main__":
    atexit.register(_record_peak_memory)
    register_embedder(hash_provider)
    cli(prog_name="simcheck")

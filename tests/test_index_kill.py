"""kill -9 at every write step of a real ``simcheck index`` process leaves the last committed state.

The child is the real CLI in a fresh interpreter; a small wrapper (test code) counts the calls that
write the index (file writes that are fsynced, renames, the manifest swap, folder removals) and sends
itself SIGKILL at the n-th. For every n until a run finishes unkilled, the index is opened and must be
exactly the state before the run or after it, pass ``verify``, and a re-run must reach the final state.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
from pathlib import Path

from simcheck.index.store import Index

FIXTURES = Path(__file__).parent / "fixtures" / "compare"
ROOT = Path(__file__).resolve().parents[1]

WRAPPER = r"""
import os, shutil, signal, sys
sys.path[:0] = [sys.argv[1], sys.argv[2]]
from fakes import hash_provider
from simcheck.embed import register_embedder
register_embedder(hash_provider)
kill_at = int(sys.argv[3])
calls = [0]
def step(real):
    def wrapped(*args, **kwargs):
        calls[0] += 1
        if calls[0] == kill_at:
            os.kill(os.getpid(), signal.SIGKILL)
        return real(*args, **kwargs)
    return wrapped
os.fsync = step(os.fsync)
os.rename = step(os.rename)
os.replace = step(os.replace)
shutil.rmtree = step(shutil.rmtree)
from simcheck.cli import cli
sys.argv = ["simcheck"] + sys.argv[4:]
cli()
"""


def _state(folder: Path) -> tuple[tuple[str, ...], int, str]:
    index = Index.open(folder)
    assert index.verify().ok
    return tuple(s.path for s in index.scripts()), index.n_passages, index.manifest_sha256


def _run(kill_at: int, *args: str) -> int:
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    command = [sys.executable, "-c", WRAPPER, str(ROOT), str(ROOT / "tests"), str(kill_at), *args]
    return subprocess.run(command, env=env, capture_output=True, timeout=120).returncode


def test_kill_at_every_write_step_leaves_a_committed_state(tmp_path: Path) -> None:
    refs = tmp_path / "refs"
    refs.mkdir()
    for name in ("keepers_daughter", "orchard_debts", "night_shift"):
        shutil.copy(FIXTURES / f"{name}.fountain", refs / f"{name}.fountain")
    folder = tmp_path / "idx"
    args = ("index", str(refs), "--index", str(folder), "--model", "hash-32", "--quiet")
    assert _run(0, *args) == 0
    before = _state(folder)
    (refs / "night_shift.fountain").unlink()  # the run under test: one removed, one added, one changed
    shutil.copy(FIXTURES / "bakery.fountain", refs / "bakery.fountain")
    changed = refs / "orchard_debts.fountain"
    changed.write_text(
        changed.read_text() + "\nEXT. ORCHARD - NIGHT\n\nThe trees stand still in the frost.\n"
    )
    saved = tmp_path / "saved"
    shutil.copytree(folder, saved)
    states = set()
    kill_at = 1
    while True:
        code = _run(kill_at, *args)
        if code == 0:
            after = _state(folder)
            break
        assert code == -signal.SIGKILL, f"step {kill_at}: exit {code}"
        states.add(_state(folder))
        shutil.rmtree(folder)
        shutil.copytree(saved, folder)
        kill_at += 1
    assert kill_at > 5  # the run has several write steps, each was a kill point
    assert states <= {before, after} and before in states
    for killed in range(1, kill_at):  # after any kill, a re-run reaches the same final state
        if killed % 3:
            continue
        _run(killed, *args)
        assert _run(0, *args) == 0 and _state(folder) == after
        shutil.rmtree(folder)
        shutil.copytree(saved, folder)


POOL = r"""
import concurrent.futures, multiprocessing, os, time
from simcheck.index.pipeline import _follow_parent
context = multiprocessing.get_context("spawn")
pool = concurrent.futures.ProcessPoolExecutor(
    1, mp_context=context, initializer=_follow_parent, initargs=(os.getpid(),)
)
print(pool.submit(os.getpid).result(), flush=True)
time.sleep(120)
"""


def test_reading_workers_exit_when_the_index_process_is_killed() -> None:
    import time

    env = dict(os.environ, PYTHONPATH=str(ROOT))
    parent = subprocess.Popen([sys.executable, "-c", POOL], env=env, stdout=subprocess.PIPE, text=True)
    assert parent.stdout is not None
    worker = int(parent.stdout.readline())
    parent.kill()
    parent.wait()
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        try:
            os.kill(worker, 0)
        except ProcessLookupError:
            return
        time.sleep(0.2)
    os.kill(worker, signal.SIGKILL)
    raise AssertionError("a reading worker outlived the killed index process")

"""Progress on the terminal: the library reports through callbacks, the CLI draws the bars."""

from __future__ import annotations

import sys
from typing import Any

import click


class IndexProgress:
    """Progress bars with ETA on stderr for ``Index.add`` (one bar per stage), or nothing."""

    _LABELS = {"read": "Reading  ", "embed": "Embedding", "write": "Writing  "}

    def __init__(self, enabled: bool) -> None:
        self.enabled = enabled
        self._bar: Any = None
        self._stage: str | None = None
        self._done = 0

    def __call__(self, event: Any) -> None:
        if not self.enabled or event.stage not in self._LABELS or event.total <= 0:
            return
        if event.stage != self._stage:
            self.close()
            self._stage = event.stage
            self._done = 0
            self._bar = click.progressbar(
                length=event.total,
                label=self._LABELS[event.stage],
                show_eta=True,
                show_pos=True,
                file=sys.stderr,
            )
            self._bar.__enter__()
        step = event.done - self._done
        if step > 0:
            self._bar.update(step)
            self._done = event.done

    def close(self) -> None:
        if self._bar is not None:
            self._bar.__exit__(None, None, None)
            self._bar = None
            self._stage = None


class CompareProgress:
    """What ``compare`` is doing, on stderr when it is a terminal: one bar per draft and stage.

    Reading each draft, embedding the passages (of every draft at once), finding candidate scenes and
    verifying evidence against each candidate reference script. Off a terminal (or with ``--quiet``)
    it draws nothing: a hook's or a CI job's log gets only the result.
    """

    _LABELS = {"embed": "Embedding", "evidence": "Evidence", "read": "Reading"}

    def __init__(self, enabled: bool) -> None:
        self.enabled = enabled
        self._bar: Any = None
        self._key: tuple[int, str] | None = None
        self._done = 0

    def read(self, done: int, total: int, path: str) -> None:
        self._show((0, "read"), f"Reading   {_short(path)}", done, total)

    def __call__(self, step: Any) -> None:
        if step.stage == "embed":
            drafts = f"{step.drafts} drafts" if step.drafts > 1 else "the draft"
            self._show((0, "embed"), f"Embedding {drafts} (passages)", step.done, step.total)
        elif step.stage in ("evidence", "report"):
            where = f"[{step.draft}/{step.drafts}] " if step.drafts > 1 else ""
            label = f"Comparing {where}{_short(step.path)} (reference scripts)"
            self._show((step.draft, "evidence"), label, step.done, step.total)

    def _show(self, key: tuple[int, str], label: str, done: int, total: int) -> None:
        if not self.enabled or total <= 0:
            return
        if key != self._key:
            self.close()
            self._key = key
            self._done = 0
            self._bar = click.progressbar(
                length=total, label=label, show_eta=True, show_pos=True, file=sys.stderr
            )
            self._bar.__enter__()
        step = done - self._done
        if step > 0:
            self._bar.update(step)
            self._done = done

    def close(self) -> None:
        if self._bar is not None:
            self._bar.__exit__(None, None, None)
            self._bar = None
            self._key = None


def _short(path: str, width: int = 40) -> str:
    """A file's name for a progress label: no folders, no control characters, at most ``width``."""
    name = "".join(ch for ch in path.replace("\\", "/").rsplit("/", 1)[-1] if ch.isprintable())
    return name if len(name) <= width else "\u2026" + name[-(width - 1) :]

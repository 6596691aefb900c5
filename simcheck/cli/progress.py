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

"""Keeping an index's calibration up to date under its write lock.

``simcheck index`` and ``simcheck remove`` read the calibration document before they write
(``cached_document``), and after the write call ``refresh``: it takes the index's write lock (a second
writer, which would measure the same thing, fails at once), first puts the earlier document in the new
state of the index so that a compare that starts meanwhile has the last valid calibration, then
updates it from that document and saves the result. The lock is the one ``Index.add``/``remove`` take,
so a calibration is never measured while the index is written, nor twice in parallel.
"""

from __future__ import annotations

import contextlib
from typing import TYPE_CHECKING, Any

from simcheck.calibration.background import Measurement
from simcheck.calibration.load import CURRENT, EARLIER, EXTRA_NAME, calibrate, status
from simcheck.errors import SimcheckError
from simcheck.index.layout import WriteLock
from simcheck.settings import CompareSettings

if TYPE_CHECKING:
    from simcheck.index import Index


def refresh(
    index: Index, settings: CompareSettings, previous: dict[str, Any] | None = None
) -> Measurement | None:
    """Update and save ``index``'s calibration under its write lock (``IndexLocked`` if another
    process holds it); None when there was nothing to measure."""
    with WriteLock(index.path):
        index.reload()
        cached = index.read_extra(EXTRA_NAME)
        found = status(cached, index, settings)
        if found == CURRENT:
            return None
        if found is None and status(previous, index, settings) == EARLIER and previous is not None:
            with contextlib.suppress(SimcheckError, OSError):  # only a convenience for compares meanwhile
                index.write_extra(EXTRA_NAME, previous)
        return calibrate(index, settings, previous)

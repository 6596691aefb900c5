"""Headless Chromium for the browser test, the docs screenshot and the render benchmark: one place.

The flags keep Chromium off the network entirely (this machine's network is closed; without the
background-networking flags Chromium keeps trying, and failing, to reach Google's hosts).
"""

from __future__ import annotations

import os
import shutil

FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-extensions",
    "--disable-default-apps",
    "--hide-scrollbars",
    "--mute-audio",
)


def find_chromium() -> str | None:
    """``$SIMCHECK_CHROMIUM``, else the first Chromium or Chrome binary on the PATH, else None."""
    explicit = os.environ.get("SIMCHECK_CHROMIUM")
    if explicit:
        return explicit
    for name in ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable"):
        found = shutil.which(name)
        if found:
            return found
    return None

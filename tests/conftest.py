"""Test-wide set-up: the fast fake embedder (``--model hash-<dim>``) is allowed in tests only."""

from __future__ import annotations

import os

os.environ["SIMCHECK_FAKE_EMBEDDER"] = "1"

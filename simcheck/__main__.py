from __future__ import annotations

from simcheck.cli import main

main()

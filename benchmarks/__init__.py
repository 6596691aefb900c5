"""simcheck's benchmark suite: one entry point, ``python -m benchmarks quality|speed|all``.

Every figure the project quotes comes from here and is written to ``benchmarks/RESULTS.md`` with the
command that produced it, the machine and the date. Benchmarks read ``../shared`` (never copied into
the repository) and write generated files to a temporary directory.
"""

from __future__ import annotations

"""simcheck: local, offline similarity evidence for screenplays.

Heavy modules (torch, FAISS) are imported lazily so that ``simcheck --help`` starts fast.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

if TYPE_CHECKING:  # pragma: no cover
    from simcheck.compare import compare
    from simcheck.formats import read_script
    from simcheck.index import Index

__all__ = ["Index", "__version__", "compare", "read_script"]


def __getattr__(name: str) -> Any:
    if name == "read_script":
        from simcheck.formats import read_script

        return read_script
    if name == "Index":
        from simcheck.index import Index

        return Index
    if name == "compare":
        from simcheck.compare import compare

        return compare
    raise AttributeError(f"module 'simcheck' has no attribute {name!r}")

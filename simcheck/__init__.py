"""simcheck: local, offline similarity evidence for screenplays.

Heavy modules (torch, FAISS) are imported lazily so that ``simcheck --help`` starts fast.

``simcheck.compare`` is the ``compare`` function, always: importing the module of the same name (which
every compare does) would otherwise rebind the package attribute to that module, and
``from simcheck import compare`` would give a module. The module's other names are imported from it
directly: ``from simcheck.compare import Comparer``.
"""

from __future__ import annotations

import sys
import types
from typing import TYPE_CHECKING, Any

from simcheck.version import __version__

if TYPE_CHECKING:  # pragma: no cover
    from simcheck.compare import compare
    from simcheck.index import Index
    from simcheck.read import read_script

__all__ = ["Index", "__version__", "compare", "read_script"]


def __getattr__(name: str) -> Any:
    # the public API loads on first use: `import simcheck` (and `simcheck --help`) stays at 0.1 s
    if name == "read_script":
        from simcheck.read import read_script

        return read_script
    if name == "Index":
        from simcheck.index import Index

        return Index
    if name == "compare":
        from simcheck.compare import compare

        return compare
    raise AttributeError(f"module 'simcheck' has no attribute {name!r}")


class _Package(types.ModuleType):
    def __setattr__(self, name: str, value: Any) -> None:
        if name == "compare" and isinstance(value, types.ModuleType):
            return  # the import system binding the submodule: ``simcheck.compare`` stays the function
        super().__setattr__(name, value)


sys.modules[__name__].__class__ = _Package

"""Stage 8, report: the result of a comparison, and building it.

Owns the report model (``model``: frozen dataclasses that serialise to the versioned JSON contract,
``schema_version`` 2) and building it from the verified scene pairs of ``simcheck.match`` (``build``:
matches, per-reference coverage, sequence, names and level, the summary in plain words). Imports match,
search and the stages before; ``simcheck.render`` reads only what this stage produces.
"""

from simcheck.report.model import *  # noqa: F403 - the contract, listed in model.__all__
from simcheck.report.model import __all__ as __all__

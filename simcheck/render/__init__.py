"""Stage 9, render: a compare report shown to a person, as a self-contained HTML page or a compact
terminal summary.

One input, the report's JSON dict (``Report.to_dict()`` or a loaded ``--format json`` file); one view
model (``view``, reading fields tolerantly with ``fields`` and wording numbers with ``wording``);
renderers that never compute scores (``html`` with its evidence ``cards``, ``story_cards`` and ``svg``
pictures, ``text``, ``csv``; story findings read by ``story``). Imports only the shared base,
``simcheck.text.tokens`` and ``simcheck.match.seeds.stem`` (to mark shared words). A new output: a module
here that takes a ``ReportView`` from ``view.build_view``.
"""

from __future__ import annotations

from simcheck.render.html import render_html
from simcheck.render.text import render_text

__all__ = ["render_html", "render_text"]

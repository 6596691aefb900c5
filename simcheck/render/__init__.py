"""Renderers of a compare report: a self-contained HTML page and a compact terminal summary.

Both render the report's JSON dict only (``Report.to_dict()`` or a loaded ``--format json`` file);
they sort, group and count but never compute scores.
"""

from __future__ import annotations

from simcheck.render.html import render_html
from simcheck.render.text import render_text

__all__ = ["render_html", "render_text"]

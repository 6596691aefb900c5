"""The evidence of compare reports as CSV: one row per evidence item, for a spreadsheet or a script.

Columns (``COLUMNS``): the draft, its scene, the reference and its scene, the match's level (or
``allowed``), the item's kind and similarity, where it is on each side (line in the file, and the
writer's coordinates where the format has them: PDF page and line on the page, Final Draft / Fade In
paragraph of the scene), then both texts as written. Flagged matches first, then allowed ones, in the
report's order. A cell that a spreadsheet would run as a formula (starting with ``=``, ``+``, ``-``,
``@``, a tab or a carriage return) gets a leading ``'``, as OWASP advises, so a script line such as
``=HYPERLINK(...)`` stays text.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Mapping
from typing import Any

from simcheck.render.passages import Where
from simcheck.render.view import build_view

COLUMNS = (
    *("draft", "draft_scene", "reference", "reference_scene", "level", "kind", "similarity"),
    *("draft_line", "draft_end_line", "draft_page", "draft_page_line", "draft_paragraph"),
    *("reference_line", "reference_end_line", "reference_page", "reference_page_line"),
    *("reference_paragraph", "draft_text", "reference_text"),
)
_FORMULA = ("=", "+", "-", "@", "\t", "\r")


def render_csv(reports: Iterable[Mapping[str, Any]]) -> str:
    """One CSV document (header row first) for the evidence of one or several compare reports."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(COLUMNS)
    for report in reports:
        view = build_view(report)
        for match in (*view.matches, *view.allowed_matches):
            level = "allowed" if match.allowed else match.level
            for ev in match.evidence:
                writer.writerow(
                    [
                        _safe(view.draft_path),
                        match.draft_scene,
                        _safe(match.reference),
                        _blank(match.reference_scene),
                        level,
                        ev.kind,
                        "" if ev.similarity is None else f"{ev.similarity:.4f}",
                        *_where(ev.draft_where),
                        *_where(ev.reference_where),
                        _safe(ev.draft_text),
                        _safe(ev.reference_text),
                    ]
                )
        for ref in view.story_references():
            story = ref.story
            assert story is not None
            for link in story.chain:
                writer.writerow(
                    [
                        _safe(view.draft_path),
                        _blank(link.draft_scene),
                        _safe(ref.path),
                        _blank(link.reference_scene),
                        "allowed" if story.allowed else story.level,
                        "story",
                        "" if link.similarity is None else f"{link.similarity:.4f}",
                        *_where(link.draft_where),
                        *_where(link.reference_where),
                        _safe(link.draft_text),
                        _safe(link.reference_text),
                    ]
                )
    return out.getvalue()


def _where(where: Where) -> list[str]:
    return [_blank(v) for v in (where.line, where.end_line, where.page, where.page_line, where.paragraph)]


def _blank(value: object) -> str:
    return "" if value is None else str(value)


def _safe(text: str) -> str:
    return "'" + text if text.startswith(_FORMULA) else text

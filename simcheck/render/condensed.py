"""The view of a reference's condensations (``references[].condensed``, see ``report.condense``): where
the draft tells a long stretch of the reference in a short one, in words."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from simcheck.render.fields import as_dict, as_int, as_list
from simcheck.render.wording import fmt_lines, plural


@dataclass(frozen=True)
class CondensedView:
    """A condensation (``report.condense``): draft lines that tell a longer stretch of the reference."""

    draft_line: int | None
    draft_end_line: int | None
    reference_line: int | None
    reference_end_line: int | None
    evidence: int

    def words(self) -> str:
        """``draft lines 40–52 tell the reference's lines 10–190 in fewer words (5 evidence passages)``."""
        draft = fmt_lines(self.draft_line, self.draft_end_line)
        reference = fmt_lines(self.reference_line, self.reference_end_line)
        verb = "tells" if draft.startswith("line ") else "tell"
        return (
            f"draft {draft} {verb} the reference’s {reference} in fewer words "
            f"({plural(self.evidence, 'evidence passage')})"
        )


def read_condensed(value: Any) -> tuple[CondensedView, ...]:
    out = []
    for raw in as_list(value):
        item = as_dict(raw)
        draft, reference = as_dict(item.get("draft")), as_dict(item.get("reference"))
        out.append(
            CondensedView(
                as_int(draft.get("line")),
                as_int(item.get("draft_end_line")),
                as_int(reference.get("line")),
                as_int(item.get("reference_end_line")),
                as_int(item.get("evidence")) or 0,
            )
        )
    return tuple(out)


def condensed_phrase(condensed: tuple[CondensedView, ...]) -> str:
    """What the reference row adds for its condensations: the one resting on most evidence, in words,
    and how many more there are (empty when there is none)."""
    if not condensed:
        return ""
    widest = max(condensed, key=lambda c: (c.evidence, -(c.draft_line or 0)))
    text = f"; {widest.words()}"
    if len(condensed) > 1:
        text += f" and {plural(len(condensed) - 1, 'more such stretch', 'more such stretches')}"
    return text

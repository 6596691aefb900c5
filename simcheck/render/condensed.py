"""The view of a reference's condensations (``references[].condensed``, see ``report.condense``): where
a short stretch of the draft has evidence spread over a long stretch of the reference, in words."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from simcheck.render.fields import as_dict, as_int, as_list
from simcheck.render.wording import fmt_lines, plural


@dataclass(frozen=True)
class CondensedView:
    """A condensation (``report.condense``): draft lines whose evidence spreads over a stretch of the
    reference several times longer."""

    draft_line: int | None
    draft_end_line: int | None
    reference_line: int | None
    reference_end_line: int | None
    evidence: int
    times: int | None = None  # how many times longer the reference stretch is (characters)
    echoes: int = 0  # reference passages its draft passages also resemble
    echo_lines: tuple[int, ...] = ()  # the distinct reference lines where they start, in order

    def words(self) -> str:
        """``draft lines 40–52 echo the reference’s lines 10–190, a stretch 6 times as long (5 evidence
        passages)``: where the evidence lies, not what it means."""
        draft = fmt_lines(self.draft_line, self.draft_end_line)
        reference = fmt_lines(self.reference_line, self.reference_end_line)
        verb = "echoes" if draft.startswith("line ") else "echo"
        longer = f", a stretch {self.times} times as long" if self.times else ""
        echoes = ""
        if self.echoes:
            where = ""
            if self.echo_lines:
                where = f", at line{'s' if len(self.echo_lines) > 1 else ''} {_and_list(self.echo_lines)}"
            more = plural(self.echoes, "more reference passage")
            echoes = f"; the same draft lines resemble {more} there{where}"
        return (
            f"draft {draft} {verb} the reference\u2019s {reference}{longer} "
            f"({plural(self.evidence, 'evidence passage')}{echoes})"
        )


def _and_list(numbers: tuple[int, ...], limit: int = 6) -> str:
    """``12, 40 and 77``; past ``limit``, ``12, 40, ... and 5 more``."""
    shown = [str(n) for n in numbers[:limit]]
    if len(numbers) > limit:
        return ", ".join(shown) + f" and {len(numbers) - limit} more"
    return shown[0] if len(shown) == 1 else ", ".join(shown[:-1]) + " and " + shown[-1]


def _span(location: dict[str, Any]) -> int:
    start, end = as_int(location.get("start")), as_int(location.get("end"))
    return end - start if start is not None and end is not None and end > start else 0


def read_condensed(value: Any) -> tuple[CondensedView, ...]:
    out = []
    for raw in as_list(value):
        item = as_dict(raw)
        draft, reference = as_dict(item.get("draft")), as_dict(item.get("reference"))
        times = _span(reference) // _span(draft) if _span(draft) else 0
        out.append(
            CondensedView(
                as_int(draft.get("line")),
                as_int(item.get("draft_end_line")),
                as_int(reference.get("line")),
                as_int(item.get("reference_end_line")),
                as_int(item.get("evidence")) or 0,
                times if times >= 2 else None,
                len(as_list(item.get("echoes"))),
                tuple(
                    sorted(
                        {
                            line
                            for echo in as_list(item.get("echoes"))
                            if (line := as_int(as_dict(as_dict(echo).get("reference")).get("line")))
                            is not None
                        }
                    )
                ),
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

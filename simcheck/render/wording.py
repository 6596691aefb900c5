"""Numbers and lists in words, the same in the HTML page and the terminal summary."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, Protocol

from simcheck.render.fields import as_float


class NamePair(Protocol):
    @property
    def draft(self) -> str: ...
    @property
    def reference(self) -> str: ...
    @property
    def speeches(self) -> int | None: ...


def with_date(report: Mapping[str, Any], generated_at: str | None) -> Mapping[str, Any]:
    """The report with ``generated_at`` set for display (a shallow copy; the input is not changed)."""
    if not generated_at:
        return report
    return {**report, "generated_at": generated_at}


def plural(count: int, word: str, words: str | None = None) -> str:
    return f"{count} {word if count == 1 else (words or word + 's')}"


def scene_list(numbers: Sequence[int], limit: int = 8) -> str:
    shown = ", ".join(str(n) for n in numbers[:limit])
    if len(numbers) > limit:
        shown += f" and {len(numbers) - limit} more"
    return shown


def fmt_score(value: float | None) -> str:
    return "\u2013" if value is None else f"{value:.2f}"


def fmt_percent(value: float | None) -> str:
    if value is None:
        return "\u2013"
    percent = value * 100
    if 0 < percent < 0.5:
        return "<1%"
    return f"{percent:.0f}%"


def fmt_lines(first: int | None, last: int | None) -> str:
    if first is None:
        return ""
    if last is None or last == first:
        return f"line {first}"
    return f"lines {first}\u2013{last}"


def fmt_sequence(value: Any) -> str:
    """The reference's same-order measure as the report gives it (a number, a flag or an object)."""
    if value is None:
        return "\u2013"
    if isinstance(value, bool):
        return "yes" if value else "no"
    number = as_float(value)
    if number is not None:
        return fmt_score(number)
    if isinstance(value, Mapping):
        for key in ("score", "value", "length", "scenes"):
            inner = value.get(key)
            if as_float(inner) is not None:
                return fmt_score(as_float(inner)) if isinstance(inner, float) else str(inner)
        return "\u2013"
    return str(value)


def fmt_names(names: Sequence[NamePair], limit: int | None = None) -> str:
    shown = names if limit is None else names[:limit]
    parts = []
    for name in shown:
        count = f" ({plural(name.speeches, 'speech', 'speeches')})" if name.speeches is not None else ""
        parts.append(f"{name.draft} \u2192 {name.reference}{count}")
    if limit is not None and len(names) > limit:
        parts.append(f"{len(names) - limit} more")
    return ", ".join(parts)


def fmt_chance(rarity: float | None) -> str | None:
    """A rarity (-log10 of a chance) as words: 4.3 -> ``1 in 20,000``; None when there is none."""
    if rarity is None or rarity <= 0:
        return None
    if rarity > 12:
        return "less than 1 in a trillion"
    rounded = float(f"{10**rarity:.1g}")
    return f"1 in {rounded:,.0f}"


def fmt_generated(value: str | None) -> str | None:
    """An ISO timestamp made readable (``2025-03-14T09:26:53Z`` -> ``2025-03-14 09:26 UTC``)."""
    if not value:
        return None
    text = value.strip()
    if len(text) >= 16 and text[10] == "T":
        tail = text[19:]
        zone = " UTC" if tail in ("Z", "+00:00") else (f" {tail}" if tail else "")
        return f"{text[:10]} {text[11:16]}{zone}"
    return text

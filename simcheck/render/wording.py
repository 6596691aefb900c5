"""Numbers and lists in words, the same in the HTML page and the terminal summary."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, Protocol

from simcheck.render.fields import as_float
from simcheck.render.passages import Where

NOTICE = (
    "This report shows evidence for a person to judge: passages of the draft that are unusually close to "
    "passages of reference scripts, side by side, with how unusual the closeness is. It is not a finding "
    "of copying or infringement. Closeness can come from coincidence, shared sources, stock phrases or "
    "material the writer may use."
)


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


def fmt_chance(rarity: float | None, samples: int | None = None) -> str | None:
    """A rarity (-log10 of a chance) as words: 2.3 -> ``about 1 in 200``; None when there is none.

    Never rarer than the calibration's sample can show: beyond ``samples`` measured unrelated scenes,
    ``rarer than 1 in 400 measured`` (the levels still use the fitted tail; the odds are not stated).
    """
    if rarity is None or rarity <= 0:
        return None
    odds = 10**rarity
    if samples is not None and samples > 0 and odds > samples:
        return f"rarer than 1 in {samples:,} measured"
    if samples is None and rarity > 12:
        return "less than 1 in a trillion"
    rounded = float(f"{odds:.1g}")
    return f"about 1 in {rounded:,.0f}"


def fmt_story_chance(rarity: float | None, background: int) -> str | None:
    """A story chain's chance in words, never rarer than its own null can show: ``background``
    unrelated scripts were aligned with the draft (0: the shipped tail, said so)."""
    if not background:
        chance = fmt_chance(rarity)
        return f"{chance} (on the shipped background: too few references to measure one)" if chance else None
    return fmt_chance(rarity, background)


def fmt_threshold(level: str, rarity: float | None, samples: int | None) -> str | None:
    """What a level's threshold means, no rarer than the sample can show: ``low: rarer than 1 in 100
    unrelated scenes``; beyond the sample: ``high: rarity 6 on the fitted tail (rarer than 1 in 400
    measured)``."""
    if rarity is None or rarity <= 0:
        return None
    odds = 10**rarity
    if samples is not None and samples > 0 and odds > samples:
        return f"{level}: rarity {rarity:g} on the fitted tail (rarer than 1 in {samples:,} measured)"
    return f"{level}: rarer than 1 in {float(f'{odds:.1g}'):,.0f} unrelated scenes"


def fmt_where(where: Where, short: bool = False) -> str:
    """Where a passage is, in its file's own terms: ``page 12, line 30 - page 13, line 4`` (PDF),
    ``paragraphs 3-7`` (Final Draft, Fade In; of the scene), else ``lines 437-508``.
    ``short``: ``p.12 l.30``, ``¶3-7``, ``l.437-508``."""
    if where.page is not None:
        first = _page_at(where.page, where.page_line, short)
        if where.end_page is None or (where.end_page, where.end_page_line) == (where.page, where.page_line):
            return first
        if where.end_page == where.page and where.end_page_line is not None:
            return f"{first}–{where.end_page_line}"
        return f"{first} – {_page_at(where.end_page, where.end_page_line, short)}"
    if where.paragraph is not None:
        last = where.end_paragraph
        if short:
            return f"¶{where.paragraph}" + (f"–{last}" if last and last != where.paragraph else "")
        if last is None or last == where.paragraph:
            return f"paragraph {where.paragraph}"
        return f"paragraphs {where.paragraph}–{last}"
    lines = fmt_lines(where.line, where.end_line)
    if short:
        return lines.replace("lines ", "l.").replace("line ", "l.")
    return lines


def _page_at(page: int, line: int | None, short: bool) -> str:
    if short:
        return f"p.{page}" + (f" l.{line}" if line is not None else "")
    return f"page {page}" + (f", line {line}" if line is not None else "")


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

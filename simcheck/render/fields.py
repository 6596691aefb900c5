"""Tolerant readers of the report's fields: a missing or odd value becomes ``None`` or empty, never an
error, so a report from another version still renders."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any


def as_dict(value: Any) -> dict[str, Any]:
    return dict(value) if isinstance(value, Mapping) else {}


def as_list(value: Any) -> list[Any]:
    return list(value) if isinstance(value, Sequence) and not isinstance(value, str | bytes) else []


def as_float(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    number = float(value)
    return number if number == number else None  # NaN is "unknown"


def as_int(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return None


def as_count(value: Any) -> int | None:
    """A count given as a number, or as the list of what is counted (``None``: neither, or empty)."""
    count = as_int(value)
    return count if count is not None else (len(as_list(value)) or None)


def as_str(value: Any) -> str | None:
    if value is None:
        return None
    return value if isinstance(value, str) else str(value)


def level_of(value: Any) -> str:
    text = as_str(value)
    return text.strip().lower() if text else ""


def end_line(line: int | None, text: str) -> int | None:
    """The line a passage starting on ``line`` ends on (CRLF, CR and LF each end one line).

    Line breaks at the very end of the passage end its last line; they start no new one.
    """
    if line is None:
        return None
    text = text.rstrip("\r\n")
    breaks = text.count("\n") + text.count("\r") - text.count("\r\n")
    return line + breaks

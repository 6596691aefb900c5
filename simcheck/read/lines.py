"""Lines with exact offsets.

Only ``\\n``, ``\\r\\n`` and a lone ``\\r`` end a line (never ``str.splitlines`` semantics, which also
break on form feeds, vertical tabs, ``\\x1c``-``\\x1e``, ``\\x85``, ``\\u2028`` and ``\\u2029`` and
would shift every line number after them). A text ending with a line break has a last, empty line.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import dataclass

_BREAK = re.compile(r"\r\n|\r|\n")


@dataclass(frozen=True)
class Lines:
    """``starts[i]``/``ends[i]``: offsets of line ``i`` (0-based) without its line break."""

    starts: tuple[int, ...]
    ends: tuple[int, ...]

    def __len__(self) -> int:
        return len(self.starts)

    def number(self, offset: int) -> int:
        """1-based line number of a character offset."""
        return max(1, bisect_right(self.starts, offset))


def split_lines(text: str) -> Lines:
    """Split ``text`` into lines; ``text[starts[i]:ends[i]]`` is line ``i`` without its break."""
    starts: list[int] = [0]
    ends: list[int] = []
    if "\r" not in text:
        pos = 0
        for part in text.split("\n"):
            end = pos + len(part)
            ends.append(end)
            pos = end + 1
            starts.append(pos)
        starts.pop()
        return Lines(tuple(starts), tuple(ends))
    for match in _BREAK.finditer(text):
        ends.append(match.start())
        starts.append(match.end())
    ends.append(len(text))
    return Lines(tuple(starts), tuple(ends))

"""What the writer may legitimately use: matches with it are shown as *allowed*, not flagged.

An adaptation's source, the writer's own earlier episodes, a public-domain quotation. Entries come
from ``compare --allow ENTRY`` (repeatable) and from allowlist files (``--allowlist FILE``), one entry
per line; blank lines and lines starting with ``#`` are ignored. Three kinds of entry:

- ``PATH_OR_GLOB``: a whole reference script. Relative paths and globs are taken relative to the
  current directory (command line) or to the allowlist file's folder; a pattern without a ``/``
  matches the file name anywhere (``pilot-*.fountain``). Globs follow ``fnmatch`` (``*``, ``?``,
  ``[...]``); ``*`` also matches across folders (``refs/own/*`` covers sub-folders).
- ``PATH_OR_GLOB:FIRST-LAST``: only the reference passages lying within lines FIRST..LAST (1-based,
  inclusive) of that script.
- ``quote: TEXT``: any evidence whose words (normalised, names included) lie inside TEXT: at least
  ``QUOTE_SHARE`` of the evidence's word trigrams on the draft or on the reference side occur in it.

A match is *allowed* when all its evidence is allowed; allowed evidence inside a flagged match is
listed but does not count towards its scores or level.
"""

from __future__ import annotations

import fnmatch
import os
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from simcheck.errors import InputError, UsageError
from simcheck.read.decode import read_bytes
from simcheck.settings import MAX_ALLOWLIST_BYTES, QUOTE_SHARE
from simcheck.text.tokens import words

QUOTE_PREFIX = "quote:"
_LINES = re.compile(r"^(?P<pattern>.+?):(?P<first>\d+)-(?P<last>\d+)$")


@dataclass(frozen=True)
class Entry:
    text: str  # as written, for the report's ``allowed_by``
    pattern: str | None = None  # absolute path or glob (None for quotes)
    first_line: int | None = None
    last_line: int | None = None
    quote: frozenset[str] = frozenset()  # word trigrams of a quote

    def matches_path(self, path: str) -> bool:
        if self.pattern is None:
            return False
        candidate = _posix(path)
        if "/" not in self.pattern:
            return fnmatch.fnmatchcase(candidate.rsplit("/", 1)[-1], self.pattern)
        return fnmatch.fnmatchcase(candidate, self.pattern)

    @property
    def whole_script(self) -> bool:
        return self.pattern is not None and self.first_line is None


def _posix(path: str) -> str:
    return path.replace(os.sep, "/") if os.sep != "/" else path


def trigrams(text: str) -> frozenset[str]:
    norms = words(text)
    if len(norms) < 3:
        return frozenset({" ".join(norms)}) if norms else frozenset()
    return frozenset(" ".join(norms[i : i + 3]) for i in range(len(norms) - 2))


def parse_entry(raw: str, base: Path) -> Entry:
    """One allowlist entry; relative patterns are resolved against ``base``."""
    text = raw.strip()
    if text.lower().startswith(QUOTE_PREFIX):
        quote = text[len(QUOTE_PREFIX) :].strip()
        grams = trigrams(quote)
        if not grams:
            raise UsageError(f"allowlist entry {raw!r}: the quote has no words")
        return Entry(text=text, quote=grams)
    first = last = None
    pattern = text
    match = _LINES.match(text)
    if match and not Path(text).exists():
        pattern, first, last = match.group("pattern"), int(match.group("first")), int(match.group("last"))
        if first < 1 or last < first:
            raise UsageError(
                f"allowlist entry {raw!r}: line range must be FIRST-LAST with 1 <= FIRST <= LAST"
            )
    if not pattern:
        raise UsageError(f"allowlist entry {raw!r}: empty path")
    if "/" in _posix(pattern) or pattern.startswith("~"):
        expanded = Path(pattern).expanduser()
        if not expanded.is_absolute():
            expanded = base / expanded
        pattern = _posix(os.path.normpath(str(expanded)))
        if not any(ch in pattern for ch in "*?["):
            pattern = _posix(str(Path(pattern).resolve()))
    return Entry(text=text, pattern=pattern, first_line=first, last_line=last)


def read_allowlist(path: str | Path) -> list[Entry]:
    """Entries of an allowlist file (see the module docstring)."""
    file = Path(path)
    if not os.path.lexists(file):
        raise InputError(file, "allowlist file not found")
    # a regular file of bounded size: never a FIFO (it would hang the run) nor /dev/zero (endless)
    data = read_bytes(file, limit=MAX_ALLOWLIST_BYTES, what="allowlist file", empty_ok=True)
    try:
        content = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise InputError(file, "allowlist file is not UTF-8 text") from error
    base = file.resolve().parent
    return [
        parse_entry(line, base)
        for line in content.splitlines()
        if line.strip() and not line.lstrip().startswith("#")
    ]


@dataclass(frozen=True)
class Allowlist:
    entries: tuple[Entry, ...] = ()

    @classmethod
    def build(
        cls, entries: Sequence[str] = (), files: Sequence[str | Path] = (), base: Path | None = None
    ) -> Allowlist:
        here = base or Path.cwd()
        parsed = [parse_entry(entry, here) for entry in entries if entry.strip()]
        for file in files:
            parsed.extend(read_allowlist(file))
        return cls(tuple(parsed))

    def __bool__(self) -> bool:
        return bool(self.entries)

    def script(self, path: str) -> Entry | None:
        """The entry allowing the whole reference script at ``path``, if any."""
        for entry in self.entries:
            if entry.whole_script and entry.matches_path(path):
                return entry
        return None

    def passage(
        self, path: str, first_line: int, last_line: int, draft_text: str, reference_text: str
    ) -> Entry | None:
        """The entry allowing one piece of evidence, if any (whole scripts included)."""
        for entry in self.entries:
            if entry.pattern is not None and entry.matches_path(path):
                if entry.first_line is None:
                    return entry
                assert entry.last_line is not None
                if entry.first_line <= first_line and last_line <= entry.last_line:
                    return entry
            elif entry.quote and (_inside(draft_text, entry.quote) or _inside(reference_text, entry.quote)):
                return entry
        return None


def _inside(text: str, quote: frozenset[str]) -> bool:
    grams = trigrams(text)
    return bool(grams) and sum(g in quote for g in grams) >= QUOTE_SHARE * len(grams)


def describe(entries: Iterable[Entry]) -> str:
    return "; ".join(sorted({e.text for e in entries}))

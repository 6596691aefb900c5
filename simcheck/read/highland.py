"""Highland (.highland): a zip archive holding the Fountain text, or (older files) Fountain itself.

The archive is read in memory with a size limit. Offsets point into the decoded Fountain text
found inside the archive (``text.fountain``, ``text.markdown`` or another ``.fountain``/``.md``/
``.txt`` member).
"""

from __future__ import annotations

from simcheck.model import Script
from simcheck.read.archive import read_zip_member
from simcheck.read.decode import decode_bytes
from simcheck.read.fountain import parse_fountain

_PREFERRED = ("text.fountain", "text.markdown", "text.md", "text.txt")
_SUFFIXES = (".fountain", ".markdown", ".md", ".txt", ".spmd")


def _choose(names: list[str]) -> str | None:
    by_leaf = {name.rsplit("/", 1)[-1].lower(): name for name in names if "__MACOSX" not in name}
    for leaf in _PREFERRED:
        if leaf in by_leaf:
            return by_leaf[leaf]
    candidates = sorted(name for leaf, name in by_leaf.items() if leaf.endswith(_SUFFIXES))
    return candidates[0] if candidates else None


def read_highland(path: str, data: bytes, strict: bool = False) -> Script:
    inner = read_zip_member(data, path, _choose, "Fountain text") if data.startswith(b"PK") else data
    text, encoding = decode_bytes(inner, path)
    return parse_fountain(text, path=path, strict=strict, fmt="highland", data=data, encoding=encoding)

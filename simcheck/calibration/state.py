"""What a calibration keeps for its next update: every sample's result and what it depended on.

Cached with the calibration's numbers (``load.EXTRA_NAME``) under ``"samples"``. Keys are written as
16 hex digits; contents (sha256) are written once, in ``scripts``, and referred to by position.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from simcheck.calibration.passages import PassageSample
from simcheck.calibration.scenes import SceneSample

STATE_VERSION = 1


@dataclass(frozen=True)
class State:
    method: str  # how it was measured (``load.method_key``): an update needs the same
    scripts: tuple[str, ...]  # the contents (sha256) it was measured on, sorted
    n_passages: int
    passages: tuple[PassageSample, ...]
    scenes: tuple[SceneSample, ...]

    def to_dict(self) -> dict[str, Any]:
        index = {sha: i for i, sha in enumerate(self.scripts)}

        def ref(sha: str | None) -> int:
            return -1 if sha is None else index[sha]

        return {
            "version": STATE_VERSION,
            "method": self.method,
            "scripts": list(self.scripts),
            "n_passages": self.n_passages,
            "passages": [[f"{s.key:016x}", s.words, s.value, ref(s.source)] for s in self.passages],
            "scenes": [
                [
                    f"{s.key:016x}",
                    list(s.best),
                    [ref(x) for x in s.sources],
                    None if s.touched is None else [ref(x) for x in s.touched],
                    s.n_passages,
                    s.n_scripts,
                    list(s.floors),
                ]
                for s in self.scenes
            ],
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> State:
        """Raises ``ValueError``, ``KeyError``, ``TypeError`` or ``IndexError`` on a foreign document."""
        if data.get("version") != STATE_VERSION:
            raise ValueError("calibration state version mismatch")
        scripts = tuple(str(x) for x in data["scripts"])

        def sha(i: int) -> str | None:
            if i == -1:
                return None
            if not 0 <= i < len(scripts):
                raise IndexError("script reference out of range")
            return scripts[i]

        passages = tuple(
            PassageSample(int(key, 16), int(words), float(value), sha(int(source)))
            for key, words, value, source in data["passages"]
        )
        scenes = []
        for key, best, sources, touched, n_passages, n_scripts, floors in data["scenes"]:
            lex, sem, comb = (float(x) for x in best)
            a, b, c = (sha(int(x)) for x in sources)
            seen = None if touched is None else tuple(str(sha(int(x))) for x in touched)
            scenes.append(
                SceneSample(
                    int(key, 16),
                    (lex, sem, comb),
                    (a, b, c),
                    seen,
                    int(n_passages),
                    int(n_scripts),
                    tuple(float(x) for x in floors),
                )
            )
        return cls(str(data["method"]), scripts, int(data["n_passages"]), passages, tuple(scenes))

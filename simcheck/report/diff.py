"""Findings across two drafts: which matches of a new report are new, which of the old one are resolved,
which persist (``simcheck diff OLD.json NEW.json``).

A finding is a flagged (not allowed) match of a compare report. An old and a new finding are the same
finding when they concern the same reference script and the same reference scene and their evidence
overlaps on the reference side: the character ranges of their reference passages overlap, or (a
reference edited between the runs) their reference texts share at least ``SAME_TEXT_SHARE`` of their
word trigrams. Draft scene numbers play no part, so a draft whose scenes were added, cut or renumbered
still pairs each finding with itself. Pairs are made one to one, the largest overlap first.

The result is ``{"new": [...], "resolved": [...], "persisting": [...], "story": [...]}``: new and
resolved findings are the report's match objects as they are; a persisting one is
``{"old": match, "new": match}``. ``story`` lists the flagged story findings (schema 2) of either report,
paired by reference as matches are (same path, or same file name and title): one object per reference
with ``reference``, ``reference_title``, ``change`` (``new``, ``resolved``, ``raised``, ``lowered`` or
``same``: how its level moved), ``old_level``/``new_level`` (``null`` where there is none),
``old_score``/``new_score`` and ``old_links``/``new_links`` (links on the chain). A schema 1 report has
no story findings.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from simcheck.errors import InputError, UsageError
from simcheck.read.decode import read_bytes
from simcheck.report.model import READABLE_SCHEMAS
from simcheck.settings import level_rank
from simcheck.text.tokens import words

SAME_TEXT_SHARE = 0.5  # share of reference word trigrams two findings need in common (no offset overlap)


@dataclass(frozen=True)
class ReportDiff:
    new: tuple[dict[str, Any], ...]
    resolved: tuple[dict[str, Any], ...]
    persisting: tuple[tuple[dict[str, Any], dict[str, Any]], ...]
    story: tuple[dict[str, Any], ...] = ()

    def to_dict(self) -> dict[str, Any]:
        """The JSON of ``simcheck diff --format json``: the keys ``new``, ``resolved``, ``persisting``,
        ``story``."""
        return {
            "new": list(self.new),
            "resolved": list(self.resolved),
            "persisting": [{"old": old, "new": new} for old, new in self.persisting],
            "story": list(self.story),
        }

    def reaches(self, level: str) -> bool:
        """Does a new finding, or a story finding that is new or raised, reach ``level``? Never for
        ``"never"``."""
        if level == "never":
            return False
        rank = level_rank(level)
        if any(level_rank(str(m.get("level"))) >= rank for m in self.new):
            return True
        return any(
            s["change"] in ("new", "raised") and level_rank(s["new_level"]) >= rank for s in self.story
        )


def diff_reports(old: Mapping[str, Any], new: Mapping[str, Any]) -> ReportDiff:
    """The findings of ``new`` set against those of ``old`` (see the module docstring)."""
    before, after = _findings(old), _findings(new)
    scored: list[tuple[float, int, int]] = []
    for i, a in enumerate(before):
        for j, b in enumerate(after):
            if _same_place(a, b):
                overlap = _overlap(a, b)
                if overlap > 0:
                    scored.append((overlap, i, j))
    scored.sort(key=lambda item: (-item[0], item[1], item[2]))
    paired: dict[int, int] = {}
    taken: set[int] = set()
    for _, i, j in scored:
        if i not in paired and j not in taken:
            paired[i] = j
            taken.add(j)
    return ReportDiff(
        new=tuple(b for j, b in enumerate(after) if j not in taken),
        resolved=tuple(a for i, a in enumerate(before) if i not in paired),
        persisting=tuple((before[i], after[j]) for i, j in sorted(paired.items(), key=lambda p: p[1])),
        story=_story_changes(old, new),
    )


def _story_changes(old: Mapping[str, Any], new: Mapping[str, Any]) -> tuple[dict[str, Any], ...]:
    """How each reference's flagged story finding moved between the reports (see the module docstring)."""
    before, after = _stories(old), _stories(new)
    matched: dict[int, int] = {}
    for j, b in enumerate(after):  # the same path first, then the same file name and title
        i = next((i for i, a in enumerate(before) if i not in matched and a["path"] == b["path"]), None)
        if i is None:
            i = next((i for i, a in enumerate(before) if i not in matched and _same_reference(a, b)), None)
        if i is not None:
            matched[i] = j
    by_new = {j: i for i, j in matched.items()}
    changes = [_change(before[by_new[j]] if j in by_new else None, b) for j, b in enumerate(after)]
    changes += [_change(a, None) for i, a in enumerate(before) if i not in matched]
    changes.sort(
        key=lambda c: (
            -level_rank(c["new_level"]),
            -level_rank(c["old_level"]),
            str(c["reference_title"]),
            str(c["reference"]),
        )
    )
    return tuple(changes)


def _stories(report: Mapping[str, Any]) -> list[dict[str, Any]]:
    """The flagged story findings of a report: path, title, level, score and links of each."""
    out = []
    references = report.get("references")
    for ref in references if isinstance(references, list) else []:
        story = ref.get("story") if isinstance(ref, dict) else None
        if not isinstance(story, dict) or story.get("allowed") or level_rank(str(story.get("level"))) == 0:
            continue
        chain = story.get("chain")
        out.append(
            {
                "path": ref.get("path"),
                "title": ref.get("title"),
                "level": str(story.get("level")),
                "score": story.get("score"),
                "links": len(chain) if isinstance(chain, list) else 0,
            }
        )
    return out


def _same_reference(a: Mapping[str, Any], b: Mapping[str, Any]) -> bool:
    return Path(str(a["path"])).name == Path(str(b["path"])).name and a["title"] == b["title"]


def _change(old: Mapping[str, Any] | None, new: Mapping[str, Any] | None) -> dict[str, Any]:
    either = new or old
    assert either is not None
    old_rank = level_rank(old["level"]) if old else 0
    new_rank = level_rank(new["level"]) if new else 0
    if old is None:
        change = "new"
    elif new is None:
        change = "resolved"
    else:
        change = "raised" if new_rank > old_rank else "lowered" if new_rank < old_rank else "same"
    return {
        "reference": either["path"],
        "reference_title": either["title"],
        "change": change,
        "old_level": old["level"] if old else None,
        "new_level": new["level"] if new else None,
        "old_score": old["score"] if old else None,
        "new_score": new["score"] if new else None,
        "old_links": old["links"] if old else None,
        "new_links": new["links"] if new else None,
    }


def load_report(path: str | Path) -> dict[str, Any]:
    """A compare report from a ``--format json`` file: one draft's report, or a document of several
    drafts' reports holding exactly one. ``InputError`` when it cannot be read or is not a report."""
    file = Path(path)
    try:  # a regular file of bounded size, never a FIFO or /dev/zero (read.decode.read_bytes)
        data = json.loads(read_bytes(file).decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise InputError(file, f"not a JSON report ({type(error).__name__})") from None
    except OSError as error:
        raise InputError(file, f"cannot be read ({error.strerror or error})") from None
    if isinstance(data, dict) and isinstance(data.get("reports"), list) and "matches" not in data:
        if len(data["reports"]) != 1:
            raise UsageError(
                f"{file}: holds the reports of {len(data['reports'])} drafts: diff one draft's reports "
                "(compare -o FOLDER writes one per draft)"
            )
        data = data["reports"][0]
    if not isinstance(data, dict) or not isinstance(data.get("matches"), list):
        raise InputError(file, "not a simcheck compare report (no list of matches)")
    if data.get("schema_version") not in READABLE_SCHEMAS:
        readable = " and ".join(str(v) for v in READABLE_SCHEMAS)
        raise InputError(
            file, f"report schema version {data.get('schema_version')!r}: this simcheck reads {readable}"
        )
    return data


def _findings(report: Mapping[str, Any]) -> list[dict[str, Any]]:
    return [m for m in report.get("matches", []) if isinstance(m, dict) and not m.get("allowed")]


def _same_place(a: Mapping[str, Any], b: Mapping[str, Any]) -> bool:
    return a.get("reference_scene") == b.get("reference_scene") and (
        a.get("reference") == b.get("reference")
        or (
            Path(str(a.get("reference"))).name == Path(str(b.get("reference"))).name
            and a.get("reference_title") == b.get("reference_title")
        )
    )


def _overlap(a: Mapping[str, Any], b: Mapping[str, Any]) -> float:
    """How much two findings' reference evidence coincides, in [0, 1]: characters, else word trigrams."""
    ranges_a, ranges_b = _ranges(a), _ranges(b)
    shared = sum(max(0, min(e1, e2) - max(s1, s2)) for s1, e1 in ranges_a for s2, e2 in ranges_b)
    smaller = min(sum(e - s for s, e in ranges_a), sum(e - s for s, e in ranges_b))
    if shared > 0 and smaller > 0:
        return min(1.0, shared / smaller)
    grams_a, grams_b = _trigrams(a), _trigrams(b)
    if not grams_a or not grams_b:
        return 0.0
    share = len(grams_a & grams_b) / min(len(grams_a), len(grams_b))
    return share if share >= SAME_TEXT_SHARE else 0.0


def _ranges(match: Mapping[str, Any]) -> list[tuple[int, int]]:
    out = []
    for evidence in _evidence(match):
        place = evidence.get("reference")
        if (
            isinstance(place, dict)
            and isinstance(place.get("start"), int)
            and isinstance(place.get("end"), int)
        ):
            out.append((place["start"], place["end"]))
    return out


def _trigrams(match: Mapping[str, Any]) -> set[str]:
    grams: set[str] = set()
    for evidence in _evidence(match):
        norms = words(str(evidence.get("reference_text", "")))
        grams.update(" ".join(norms[i : i + 3]) for i in range(max(0, len(norms) - 2)))
    return grams


def _evidence(match: Mapping[str, Any]) -> Sequence[dict[str, Any]]:
    evidence = match.get("evidence")
    return [e for e in evidence if isinstance(e, dict)] if isinstance(evidence, list) else []

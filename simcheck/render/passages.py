"""The passages of the report as the renderers read them: evidence items, where they are, character names.

Tolerant like the rest of the view model (``simcheck.render.view``): a missing or odd field becomes
``None`` or empty, so a report from another version still renders.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from simcheck.render.fields import as_dict, as_float, as_int, as_list, as_str, end_line, level_of


@dataclass(frozen=True)
class NameView:
    draft: str
    reference: str
    speeches: int | None


@dataclass(frozen=True)
class Where:
    """A passage's place in its file, in the writer's coordinates where the report gives them."""

    line: int | None = None
    end_line: int | None = None
    page: int | None = None  # PDF
    page_line: int | None = None
    end_page: int | None = None
    end_page_line: int | None = None
    top: float | None = None
    paragraph: int | None = None  # Final Draft, Fade In: paragraph of the scene (heading = 1)
    end_paragraph: int | None = None
    scene_number: str | None = None  # as written in the script

    @property
    def paginated(self) -> bool:
        return self.page is not None


@dataclass(frozen=True)
class EvidenceView:
    kind: str
    similarity: float | None
    draft_text: str
    reference_text: str
    draft_line: int | None
    draft_end_line: int | None
    reference_line: int | None
    reference_end_line: int | None
    draft_start: int | None
    allowed_by: str | None = None
    words: int | None = None
    reworded: bool = False  # semantic, found through shared vocabulary: similarity is the share of words
    draft_where: Where = field(default_factory=Where)
    reference_where: Where = field(default_factory=Where)


def read_names(value: Any) -> tuple[NameView, ...]:
    """A character mapping as a list of objects, pairs, or a {draft: reference} mapping."""
    names: list[NameView] = []
    if isinstance(value, Mapping):
        for draft, ref in value.items():
            if isinstance(ref, Mapping):
                names.append(
                    NameView(
                        str(draft),
                        as_str(ref.get("reference") or ref.get("name")) or "?",
                        as_int(ref.get("speeches")),
                    )
                )
            else:
                names.append(NameView(str(draft), as_str(ref) or "?", None))
        return tuple(names)
    for item in as_list(value):
        if isinstance(item, Mapping):
            draft = as_str(item.get("draft"))
            ref = as_str(item.get("reference"))
            if draft is None or ref is None:
                continue
            speeches = as_int(item.get("speeches", item.get("count")))
            names.append(NameView(draft, ref, speeches))
        elif isinstance(item, Sequence) and not isinstance(item, str) and len(item) >= 2:
            names.append(NameView(str(item[0]), str(item[1]), as_int(item[2]) if len(item) > 2 else None))
    return tuple(names)


def _position(value: Any) -> tuple[int | None, int | None]:
    pos = as_dict(value)
    return as_int(pos.get("line")), as_int(pos.get("start"))


def read_where(value: Any, text: str) -> Where:
    """A location object of the report (``draft``/``reference`` of an evidence item)."""
    pos = as_dict(value)
    line = as_int(pos.get("line"))
    number = pos.get("scene_number")
    numbers = {key: as_int(pos.get(key)) for key in _NUMBERED}
    return Where(
        line=line,
        end_line=end_line(line, text),
        top=as_float(pos.get("top")),
        scene_number=as_str(number) if number not in (None, "") else None,
        **numbers,
    )


_NUMBERED = ("page", "page_line", "end_page", "end_page_line", "paragraph", "end_paragraph")


def read_evidence(value: Any) -> EvidenceView:
    item = as_dict(value)
    draft_text = as_str(item.get("draft_text")) or ""
    reference_text = as_str(item.get("reference_text")) or ""
    draft_line, draft_start = _position(item.get("draft"))
    reference_line, _ = _position(item.get("reference"))
    return EvidenceView(
        words=as_int(item.get("words")),
        draft_where=read_where(item.get("draft"), draft_text),
        reference_where=read_where(item.get("reference"), reference_text),
        kind=level_of(item.get("kind")) or "unknown",
        similarity=as_float(item.get("similarity")),
        draft_text=draft_text,
        reference_text=reference_text,
        draft_line=draft_line,
        draft_end_line=end_line(draft_line, draft_text),
        reference_line=reference_line,
        reference_end_line=end_line(reference_line, reference_text),
        draft_start=draft_start,
        allowed_by=as_str(item.get("allowed_by")) or None,
        reworded=item.get("reworded") is True,
    )

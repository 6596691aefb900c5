"""``simcheck diff`` shown to a person: new, resolved and persisting findings as text or one HTML page.

Input: the diff's JSON dict (``report.diff.ReportDiff.to_dict()``) and the names of the two reports.
Like the report renderers it only reads and words what it is given; script text is escaped (HTML) or
cleaned of control characters (text).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from simcheck.render.assets import csp_hash
from simcheck.render.escape import esc
from simcheck.render.fields import as_dict, as_int, as_list, as_str, level_of
from simcheck.render.wording import plural

KINDS = ("verbatim", "fuzzy", "semantic")
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
_CSS = (
    "body{font:15px/1.5 system-ui,sans-serif;margin:2em auto;max-width:60em;padding:0 1em;color:#1d2228}"
    "h1{font-size:1.4em}h2{font-size:1.1em;margin-top:1.6em}li{margin:.3em 0}.muted{color:#5c6670}"
    ".badge{display:inline-block;font-size:.8em;font-weight:700;padding:0 .5em;border-radius:3px;"
    "margin-right:.5em;text-transform:uppercase}.high{background:#b3261e;color:#fff}"
    ".medium{background:#f0b400}.low{background:#fff3c4}code{font-size:.9em}"
)
SECTIONS = (
    ("new", "New findings", "in the new report only"),
    ("resolved", "Resolved findings", "in the old report only"),
    ("persisting", "Persisting findings", "in both reports"),
)
STORY_SECTION = ("story", "Story findings", "each reference whose story is unusually close in either report")
STORY_CHANGES = {
    "new": "new",
    "resolved": "resolved",
    "raised": "level raised",
    "lowered": "level lowered",
    "same": "same level",
}


def describe(match: Mapping[str, Any]) -> str:
    """One finding in a line: ``draft scene 8 <-> LOT 114 scene 4: 364 words fuzzy``."""
    title = as_str(match.get("reference_title")) or as_str(match.get("reference")) or "?"
    draft, scene = as_int(match.get("draft_scene")), as_int(match.get("reference_scene"))
    text = f"draft scene {draft} \u2194 {title} scene {scene}"
    counts: dict[str, int] = {}
    for evidence in as_list(match.get("evidence")):
        item = as_dict(evidence)
        kind = level_of(item.get("kind")) or "evidence"
        counts[kind] = counts.get(kind, 0) + (as_int(item.get("words")) or 0)
    parts = [f"{counts[k]:,} words {k}" for k in (*KINDS, *sorted(set(counts) - set(KINDS))) if k in counts]
    return text + (": " + ", ".join(parts) if parts else "")


def _persisting(pair: Mapping[str, Any]) -> tuple[str, str]:
    old, new = as_dict(pair.get("old")), as_dict(pair.get("new"))
    notes = []
    if old.get("draft_scene") != new.get("draft_scene"):
        notes.append(f"was draft scene {as_int(old.get('draft_scene'))}")
    if level_of(old.get("level")) != level_of(new.get("level")):
        notes.append(f"was {level_of(old.get('level')) or 'unrated'}")
    line = describe(new) + (f" ({'; '.join(notes)})" if notes else "")
    return level_of(new.get("level")), line


def describe_story(change: Mapping[str, Any]) -> tuple[str, str]:
    """One story finding's move in a line: ``the story of Orchard Debts: level raised (was low; 9 links)``,
    with the level it has now (the old one when resolved)."""
    title = as_str(change.get("reference_title")) or as_str(change.get("reference")) or "?"
    kind = as_str(change.get("change")) or ""
    old, new = level_of(change.get("old_level")), level_of(change.get("new_level"))
    links = as_int(change.get("new_links" if new else "old_links"))
    notes = [f"was {old}"] if old and old != new and new else []
    if links is not None:
        notes.append(plural(links, "link") + " on the chain")
    line = f"the story of {title}: {STORY_CHANGES.get(kind, kind or 'changed')}"
    return new or old, line + (f" ({'; '.join(notes)})" if notes else "")


def _lines(diff: Mapping[str, Any], key: str) -> list[tuple[str, str]]:
    items = as_list(diff.get(key))
    if key == "persisting":
        return [_persisting(as_dict(pair)) for pair in items]
    if key == "story":
        return [describe_story(as_dict(change)) for change in items]
    return [(level_of(as_dict(m).get("level")), describe(as_dict(m))) for m in items]


def _sections(diff: Mapping[str, Any]) -> tuple[tuple[str, str, str], ...]:
    """The sections shown: findings always, story findings when either report had one."""
    return SECTIONS + ((STORY_SECTION,) if as_list(diff.get("story")) else ())


def render_diff_text(diff: Mapping[str, Any], old_name: str, new_name: str) -> str:
    """The diff as plain text: a headline, then each section's findings, one per line."""
    counts = {key: len(as_list(diff.get(key))) for key, _, _ in SECTIONS}
    out = [
        f"simcheck diff: {_clean(old_name)} -> {_clean(new_name)}",
        f"{plural(counts['new'], 'new finding')}, {counts['resolved']} resolved, "
        f"{counts['persisting']} persisting."
        + (f" {plural(len(as_list(diff.get('story'))), 'story finding')}." if diff.get("story") else ""),
    ]
    for key, title, _ in _sections(diff):
        lines = _lines(diff, key)
        out.append("")
        out.append(f"{title} ({len(lines)})" + ("" if lines else ": none"))
        out.extend(f"  {(level or 'unrated').upper():<7} {_clean(line)}" for level, line in lines)
    return "\n".join(out) + "\n"


def render_diff_html(diff: Mapping[str, Any], old_name: str, new_name: str) -> str:
    """The diff as one self-contained HTML page (inline CSS allowed by hash, nothing fetched)."""
    sections = []
    for key, title, note in _sections(diff):
        lines = _lines(diff, key)
        items = "".join(
            f'<li><span class="badge {esc(level)}">{esc(level or "unrated")}</span>{esc(line)}</li>'
            for level, line in lines
        )
        body = f"<ul>{items}</ul>" if lines else '<p class="muted">None.</p>'
        sections.append(
            f'<section id="{key}"><h2>{esc(title)} ({len(lines)})</h2>'
            f'<p class="muted">{esc(note)}</p>{body}</section>'
        )
    policy = f"default-src 'none'; style-src {csp_hash(_CSS)}"
    return (
        '<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        f'<meta http-equiv="Content-Security-Policy" content="{esc(policy)}">\n'
        "<title>simcheck diff</title>\n"
        f"<style>{_CSS}</style>\n</head>\n<body>\n"
        f"<h1>Findings from <code>{esc(old_name)}</code> to <code>{esc(new_name)}</code></h1>\n"
        + "\n".join(sections)
        + "\n</body>\n</html>\n"
    )


def _clean(text: str) -> str:
    return " ".join(_CONTROL.sub("", text).split())

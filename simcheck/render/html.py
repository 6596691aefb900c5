"""The evidence report as one self-contained HTML page, rendered from the compare report dict.

One file, nothing fetched: inline CSS and JS only, allowed by hash in a Content-Security-Policy that
forbids every network source. The page is complete without JavaScript (the script adds filters,
expand/collapse, printing with every section open, and j/k jumps). Every text from a script or a
path is escaped with ``escape.esc`` (``html.escape(..., quote=True)`` plus U+FFFD for characters
HTML forbids), in text, attributes and SVG titles alike.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from typing import Any

from simcheck.render.assets import CONTENT_SECURITY_POLICY, CSS, JS
from simcheck.render.cards import allowed_section, evidence_section
from simcheck.render.escape import esc
from simcheck.render.fields import as_dict, as_float, as_str
from simcheck.render.story_cards import story_section
from simcheck.render.svg import DEFS, coverage_bar, level_class, scene_map, scene_strip
from simcheck.render.view import ReferenceView, ReportView, build_view
from simcheck.render.wording import (
    NOTICE,
    fmt_generated,
    fmt_percent,
    fmt_sequence,
    fmt_threshold,
    plural,
    with_date,
)
from simcheck.settings import LEVELS

WIDE_MAP_SCENES = 40  # maps of longer scripts get more room (two per row instead of three)


def render_html(report: Mapping[str, Any], generated_at: str | None = None) -> str:
    """The complete HTML page for a compare report (the dict of ``compare --format json``).

    ``generated_at``: when the comparison ran (an ISO date or timestamp), shown in the header and the
    provenance; the report's own ``generated_at``, if any, when not given. The JSON contract carries no
    timestamp (it is deterministic), so the caller says when.
    """
    view = build_view(with_date(report, generated_at))
    body = [
        DEFS,
        _header(view),
        _toolbar(view),
        '<main class="wrap">',
        _summary(view),
        _references(view),
        _pictures(view),
        story_section(view),
        evidence_section(view),
        allowed_section(view),
        "</main>",
        _provenance(view),
    ]
    return "".join(
        [
            "<!DOCTYPE html>\n",
            '<html lang="en">\n<head>\n<meta charset="utf-8">\n',
            f'<meta http-equiv="Content-Security-Policy" content="{esc(CONTENT_SECURITY_POLICY)}">\n',
            '<meta name="referrer" content="no-referrer">\n',
            '<meta name="viewport" content="width=device-width, initial-scale=1">\n',
            f'<meta name="generator" content="simcheck {esc(view.simcheck_version)}">\n',
            '<link rel="icon" href="data:,">\n',
            f"<title>{esc('Similarity evidence: ' + view.title)}</title>\n",
            f"<style>{CSS}</style>\n</head>\n<body>\n",
            "\n".join(body),
            f"\n<script>{JS}</script>\n</body>\n</html>\n",
        ]
    )


# --- page parts ------------------------------------------------------------------------------


def _header(view: ReportView) -> str:
    draft_bits = []
    if view.draft_path:
        draft_bits.append(f"<span>Draft <code>{esc(view.draft_path)}</code></span>")
    draft_bits.append(f"<span>{esc(plural(view.scene_count, 'scene'))}</span>")
    if view.draft_words is not None:
        draft_bits.append(f"<span>{view.draft_words:,} words</span>")
    generated = fmt_generated(view.generated_at)
    if generated:
        draft_bits.append(f"<span>Generated {esc(generated)}</span>")
    index_bits = [f"<span>{_index_words(view)}</span>"]
    if view.model:
        index_bits.append(f"<span>Model <code>{esc(view.model)}</code></span>")
    index_bits.append(f"<span>simcheck {esc(view.simcheck_version)}</span>")
    toc = [
        ("#summary", "Summary"),
        ("#references", "References"),
        ("#pictures", "Scene maps"),
    ]
    stories = view.story_references()
    if stories:
        toc.append(("#story", f"Story ({len(stories)})"))
    toc.append(("#evidence", f"Evidence ({len(view.matches)})"))
    if view.allowed_matches:
        toc.append(("#allowed", f"Allowed ({len(view.allowed_matches)})"))
    toc.append(("#provenance", "Provenance"))
    links = "".join(f'<li><a href="{href}">{esc(text)}</a></li>' for href, text in toc)
    top = level_class(view.top_level) if view.top_level else "lv-none"
    return (
        f'<header class="top {top}"><div class="wrap">'
        '<p class="eyebrow">simcheck \u00b7 similarity evidence report</p>'
        f"<h1>{esc(view.title)}</h1>"
        f'<p class="meta">{"".join(draft_bits)}</p>'
        f'<p class="meta">{"".join(index_bits)}</p>'
        f'<nav aria-label="Sections"><ul class="toc">{links}</ul></nav>'
        "</div></header>"
    )


def _index_words(view: ReportView) -> str:
    index = view.index
    path = index.get("path")
    counts = [
        plural(value, key[:-1] if key.endswith("s") else key, key)
        for key, value in index.items()
        if key in ("scripts", "scenes", "passages") and isinstance(value, int) and not isinstance(value, bool)
    ]
    detail = f" ({esc(', '.join(counts))})" if counts else ""
    if path and not view.pairwise:
        return f"Index <code>{esc(path)}</code>{detail}"
    scripts = index.get("scripts")
    if isinstance(scripts, int) and not isinstance(scripts, bool):
        return f"Compared directly with {esc(plural(scripts, 'script'))} (no index)"
    return f"Compared with {esc(plural(len(view.references) + len(view.allowed_references), 'reference'))}"


def _toolbar(view: ReportView) -> str:
    if not view.matches:
        return ""
    present = {m.level for m in view.matches}
    boxes = "".join(
        f'<label><input type="checkbox" data-filter-level value="{esc(level)}" checked> '
        f'<span class="badge {level_class(level)}">{esc(level)}</span></label>'
        for level in reversed(LEVELS)
        if level in present
    )
    others = sorted(present - set(LEVELS))
    boxes += "".join(
        f'<label><input type="checkbox" data-filter-level value="{esc(level)}" checked> '
        f'<span class="badge lv-unrated">{esc(level or "unrated")}</span></label>'
        for level in others
    )
    flagged = view.flagged_references()
    options = '<option value="">All references</option>' + "".join(
        f'<option value="{esc(ref.id)}">{esc(ref.title)}</option>' for ref in flagged
    )
    return (
        '<div class="toolbar no-print" id="toolbar" hidden><div class="wrap">'
        f"<fieldset><legend>Show</legend>{boxes}</fieldset>"
        f'<label>Reference <select id="filter-ref">{options}</select></label>'
        '<button type="button" id="expand-all">Expand all</button>'
        '<button type="button" id="collapse-all">Collapse all</button>'
        '<span class="keys" title="Press j or k to jump to the next or previous match">j/k: jump</span>'
        f'<span class="count" id="filter-count" aria-live="polite">{len(view.matches)} matches</span>'
        "</div></div>"
    )


def _summary(view: ReportView) -> str:
    if view.top_level:
        badge = f'<span class="badge big {level_class(view.top_level)}">{esc(view.top_level)}</span>'
        box_class = level_class(view.top_level)
        small = "strongest level"
    else:
        badge = '<span class="badge big lv-none">none</span>'
        box_class = "lv-none"
        small = "nothing flagged"
    findings = "".join(f"<li>{esc(line)}</li>" for line in view.finding_lines())
    if view.allowed_matches:
        refs = sorted({m.reference_title for m in view.allowed_matches})
        findings += (
            f'<li class="muted">{esc(plural(len(view.allowed_matches), "match", "matches"))} with allowed '
            'material, <a href="#allowed">shown separately</a> and not flagged: '
            f"{esc('; '.join(refs))}.</li>"
        )
    listing = f'<ul class="findings">{findings}</ul>' if findings else ""
    return (
        '<section class="block" id="summary" aria-labelledby="summary-h">'
        '<h2 id="summary-h">Summary</h2>'
        f'<div class="finding {box_class}">'
        f'<div class="level-box">{badge}<small>{esc(small)}</small></div>'
        f'<div><p class="headline">{esc(view.headline)}</p>{listing}</div>'
        f"{_warnings(view)}"
        f'<p class="notice"><strong>Evidence, not a verdict.</strong> {esc(NOTICE)}</p>'
        "</div>"
        f"{_legend(view)}"
        "</section>"
    )


def _warnings(view: ReportView) -> str:
    if not view.warnings:
        return ""
    items = "".join(f"<li>{esc(w)}</li>" for w in view.warnings)
    return f'<div class="warnings"><strong>Please note</strong><ul>{items}</ul></div>'


def _thresholds(view: ReportView) -> str:
    """What the levels mean, from the report's calibration block (thresholds are rarities)."""
    calibration = view.calibration
    words = []
    for level in LEVELS:
        threshold = fmt_threshold(level, as_float(calibration.get(level)), view.calibration_samples)
        if threshold:
            words.append(threshold)
    if not words:
        return ""
    source = calibration.get("source")
    origin = {
        "index": "thresholds measured on these references",
        "default": "shipped thresholds measured on a public corpus",
    }.get(str(source), "")
    note = as_str(calibration.get("note"))
    if note and not origin:
        origin = note
    tail = f" ({origin})" if origin else ""
    return (
        '<p class="note">Levels say how rare this much evidence is between unrelated scripts: '
        f"{esc('; '.join(words))}{esc(tail)}.</p>"
    )


def _legend(view: ReportView) -> str:
    levels = "".join(f'<span class="badge {level_class(level)}">{level}</span>' for level in reversed(LEVELS))
    kinds = "".join(
        f'<span class="kind k-{kind}">{kind}</span><span>{esc(_short_kind(kind))}</span>'
        for kind in ("verbatim", "fuzzy", "semantic")
    )
    samples = (
        '<span class="m m-verbatim"><span class="w">solid underline</span></span>'
        '<span class="m m-fuzzy"><span class="w">dotted underline</span></span>'
        '<span class="m m-semantic">italic</span>'
    )
    return (
        '<div class="legend">'
        f"<div><b>Levels</b>{levels}<span>(how unusual the closeness is)</span></div>"
        f"<div><b>Evidence</b>{kinds}</div>"
        f"<div><b>In passages</b>{samples}</div>"
        "</div>"
        f"{_thresholds(view)}"
    )


def _short_kind(kind: str) -> str:
    return {
        "verbatim": "the same words",
        "fuzzy": "the same words lightly edited",
        "semantic": "the same content in other words",
    }.get(kind, kind)


def _references(view: ReportView) -> str:
    if not view.references:
        return (
            '<section class="block" id="references"><h2>References</h2>'
            '<p class="muted">No reference script has a flagged match or story finding.</p></section>'
        )
    flagged = {r.path for r in view.flagged_references()}
    rows = []
    for rank, ref in enumerate(view.references, start=1):
        title = esc(ref.title)
        if ref.path in flagged:
            title = f'<a href="#map-{esc(ref.id)}">{title}</a>'
        quiet = "" if ref.path in flagged else ' class="quiet"'
        level = ref.level or "unrated"
        rows.append(
            f'<tr id="ref-{esc(ref.id)}"{quiet}><td class="num">{rank}</td>'
            f'<td><span class="title">{title}</span><span class="path">{esc(ref.path)}</span></td>'
            f'<td><span class="badge {level_class(ref.level)}">{esc(level)}</span></td>'
            f'<td class="basis">{esc(view.basis(ref))}</td>'
            f'<td class="cov">{coverage_bar(ref.coverage, ref.level)}'
            f'<span class="pct num">{esc(fmt_percent(ref.coverage))}</span></td>'
            f'<td class="num">{esc(ref.scenes_matched if ref.scenes_matched is not None else "-")}</td>'
            f'<td class="num">{esc(_same_order(ref))}</td></tr>'
        )
    return (
        '<section class="block" id="references" aria-labelledby="references-h">'
        '<h2 id="references-h">References, ranked by how much of the draft they cover</h2>'
        '<div class="table-wrap"><table class="refs"><thead>'
        '<tr><th class="num">#</th><th>Reference</th><th>Level</th>'
        '<th>The level rests on</th><th>Coverage of the draft</th><th class="num">Scenes matched</th>'
        '<th class="num">Same order</th></tr></thead>'
        f"<tbody>{''.join(rows)}</tbody></table></div>"
        '<p class="note">Coverage: the share of the draft\u2019s words that lie in evidence from this '
        "reference. Level: how unusual the closeness is compared with unrelated scripts; it rests on the "
        "strongest match named beside it (its draft words in evidence, by kind), which a long reference "
        "may cover only a sliver of. "
        "Same order: how far the matched scenes follow the same sequence in both scripts. A reference "
        "whose story the draft tells (see The story, side by side) takes the higher of the two levels, "
        "and its coverage counts the draft units on the story\u2019s chain.</p>"
        "</section>"
    )


def _same_order(ref: ReferenceView) -> str:
    words = fmt_sequence(ref.sequence)
    if ref.sequence_scenes:
        words += f" ({plural(ref.sequence_scenes, 'scene')})"
    return words


def _pictures(view: ReportView) -> str:
    strip = scene_strip(view)
    maps = []
    for ref in view.flagged_references():
        count = len({(m.draft_scene, m.reference_scene) for m in view.matches if m.reference == ref.path})
        sub = f"{plural(count, 'matched scene pair')}; same order {_same_order(ref)}"
        story = ref.flagged_story
        if story is not None:
            sub += f"; story chain of {plural(len(story.chain), 'link')} ({story.level or 'unrated'})"
        maps.append(
            f'<figure class="map" id="map-{esc(ref.id)}"><figcaption>'
            f'<span class="badge {level_class(ref.level)}">{esc(ref.level or "unrated")}</span> '
            f'<a href="#ref-{esc(ref.id)}"><b>{esc(ref.title)}</b></a>'
            f'<span class="sub">{esc(sub)}.</span>'
            f"</figcaption>{scene_map(view, ref)}</figure>"
        )
    largest = max([view.scene_count] + [r.scene_count or 0 for r in view.flagged_references()])
    grid = "maps wide" if largest > WIDE_MAP_SCENES else "maps"
    map_block = (
        f'<div class="{grid}">{"".join(maps)}</div>'
        if maps
        else '<p class="muted">Nothing is flagged, so there is no scene map to draw.</p>'
    )
    return (
        '<section class="block" id="pictures" aria-labelledby="pictures-h">'
        '<h2 id="pictures-h">The draft, scene by scene</h2>'
        f'<figure id="strip">{strip}'
        '<figcaption class="note">Each bar is one draft scene, in order; its colour and height show the '
        "strongest flagged match (tall red: high, middle orange: medium, short yellow: low, hatched: only "
        "allowed material, flat grey: none). Click a bar to see its evidence.</figcaption></figure>"
        '<h3 class="maps-h">Scene maps</h3>'
        '<p class="note">One map per reference with flagged matches or a story finding. Each filled cell is '
        "a draft scene (across) close to a reference scene (down); darker cells score higher. Matched scenes "
        "that follow the same order form a diagonal, even when every scene is reworded. A story chain is "
        "drawn as outlined cells joined by a line (for a prose draft, across are its units): a diagonal "
        "means the draft tells the reference\u2019s scenes in their order.</p>"
        f"{map_block}"
        "</section>"
    )


def _provenance(view: ReportView) -> str:
    index = view.index
    rows: list[tuple[str, str]] = [
        ("simcheck version", esc(view.simcheck_version)),
        ("Report schema", esc(view.schema_version)),
    ]
    generated = fmt_generated(view.generated_at)
    if generated:
        rows.append(("Generated", esc(generated)))
    rows.append(("Draft", f"<code>{esc(view.draft_path or '-')}</code>"))
    rows.append(("Draft SHA-256", f'<span class="hash">{esc(view.draft_sha256 or "not recorded")}</span>'))
    if index.get("path") and not view.pairwise:
        rows.append(("Index", f"<code>{esc(index.get('path'))}</code>"))
    elif view.pairwise:
        rows.append(("Index", "none: compared directly with the given scripts"))
    if view.model:
        rows.append(("Model", f"<code>{esc(view.model)}</code>"))
    manifest = index.get("manifest_sha256")
    missing = "none (no index)" if view.pairwise else "not recorded"
    rows.append(("Index manifest SHA-256", f'<span class="hash">{esc(manifest or missing)}</span>'))
    for key, value in index.items():
        if key in ("path", "model", "manifest_sha256"):
            continue
        rows.append((f"Index {key}", esc(_scalar(value))))
    dl = "".join(f"<dt>{esc(k)}</dt><dd>{v}</dd>" for k, v in rows)
    settings = "".join(
        f"<tr><td>{esc(key)}</td><td><code>{esc(value)}</code></td></tr>"
        for key, value in _flatten(view.settings)
    )
    settings_block = (
        f'<h3>Settings</h3><table class="settings"><tbody>{settings}</tbody></table>' if settings else ""
    )
    calibration = "".join(
        f"<tr><td>{esc(key)}</td><td><code>{esc(value)}</code></td></tr>"
        for key, value in _flatten(view.calibration)
    )
    if calibration:
        settings_block += f'<h3>Calibration</h3><table class="settings"><tbody>{calibration}</tbody></table>'
    return (
        '<footer class="prov" id="provenance"><div class="wrap">'
        "<h2>Provenance</h2>"
        f"<dl>{dl}</dl>{settings_block}"
        '<p class="repro">With the same draft (same SHA-256), the same index (same manifest) and these '
        "settings, simcheck produces the same report; the checksums let others confirm that without "
        "seeing the text.</p></div></footer>"
    )


def _scalar(value: Any) -> str:
    if isinstance(value, str):
        return value
    return json.dumps(value, ensure_ascii=False, sort_keys=True, default=str)


def _flatten(settings: Mapping[str, Any], prefix: str = "") -> Iterable[tuple[str, str]]:
    for key in sorted(settings, key=str):
        value = settings[key]
        name = f"{prefix}{key}"
        if isinstance(value, Mapping):
            yield from _flatten(as_dict(value), name + ".")
        else:
            yield name, _scalar(value)

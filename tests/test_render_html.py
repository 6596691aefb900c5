"""The HTML evidence report, rendered from report dicts (a hand-made sample and synthetic ones)."""

from __future__ import annotations

import base64
import copy
import hashlib
import json
import re
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest

from simcheck.render.cards import mark_pair
from simcheck.render.html import render_html

SAMPLE = Path(__file__).parent / "data" / "report_sample.json"
HOSTILE = (
    "<script>alert(1)</script></textarea><img src=x onerror=alert(2)>"
    "\"onerror=\"alert(3)\" 'onload='alert(4)' {{ 7*7 }} {% if x %} ${x} <!-- --> ]]> &amp;"
)


def sample() -> dict[str, Any]:
    return dict(json.loads(SAMPLE.read_text(encoding="utf-8")))


class Tags(HTMLParser):
    """Every start tag with its attributes, and the text inside <style> and <script>."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.raw: dict[str, list[str]] = {"style": [], "script": []}
        self._in: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))
        if tag in self.raw:
            self._in = tag
            self.raw[tag].append("")

    def handle_endtag(self, tag: str) -> None:
        if tag == self._in:
            self._in = None

    def handle_data(self, data: str) -> None:
        if self._in:
            self.raw[self._in][-1] += data


def parse(page: str) -> Tags:
    parser = Tags()
    parser.feed(page)
    parser.close()
    return parser


def section(page: str, ident: str) -> str:
    """The markup of the <section> (or <footer>) with this id, up to the next top-level block."""
    start = page.index(f'id="{ident}"')
    ends = [page.find(marker, start + 1) for marker in ('<section class="block', "<footer", "</main>")]
    return page[start : min(e for e in ends if e > 0)]


def large_report(scenes: int = 150, matches: int = 200, references: int = 12) -> dict[str, Any]:
    """A synthetic report the size of a 120-page feature draft with 200 matches (invented text)."""
    words = [
        "harbour",
        "lantern",
        "ledger",
        "tide",
        "wick",
        "glass",
        "gale",
        "keeper",
        "shingle",
        "rope",
        "signal",
        "night",
    ]

    def line(seed: int, length: int = 40) -> str:
        return " ".join(words[(seed * 7 + i * 3) % len(words)] for i in range(length))

    report = sample()
    report["draft"]["scenes"] = [
        {
            "number": n,
            "heading": f"INT. ROOM {n} - NIGHT",
            "start": n * 1000,
            "end": n * 1000 + 999,
            "line": n * 40,
        }
        for n in range(1, scenes + 1)
    ]
    report["references"] = [
        {
            "path": f"refs/ref_{r:02d}.fountain",
            "title": f"Reference {r}",
            "score": round(0.3 + r / 40, 3),
            "level": ("low", "medium", "high")[r % 3],
            "scenes_matched": matches // references,
            "coverage": round(0.01 * r, 3),
            "sequence": round(r / references, 3),
            "scenes": 120,
        }
        for r in range(references)
    ]
    report["matches"] = [
        {
            "draft_scene": 1 + (m * 3) % scenes,
            "reference": f"refs/ref_{m % references:02d}.fountain",
            "reference_scene": 1 + (m * 5) % 120,
            "reference_scene_heading": f"EXT. PLACE {m} - DAY",
            "score": round(0.3 + (m % 70) / 100, 3),
            "level": ("low", "medium", "high")[m % 3],
            "lexical": 0.5,
            "semantic": 0.8,
            "names": [{"draft": "ELSIE", "reference": "MAREN", "speeches": 3}],
            "evidence": [
                {
                    "kind": ("verbatim", "fuzzy", "semantic")[(m + e) % 3],
                    "similarity": 0.9,
                    "draft": {
                        "start": m * 1000 + e * 200,
                        "end": m * 1000 + e * 200 + 190,
                        "line": m * 40 + e,
                    },
                    "reference": {"start": e * 300, "end": e * 300 + 190, "line": 10 + e},
                    "draft_text": line(m + e),
                    "reference_text": line(m + e + (e % 2)),
                }
                for e in range(4)
            ],
        }
        for m in range(matches)
    ]
    return report


# --- structure and safety ----------------------------------------------------------------------


def test_page_is_self_contained_with_a_strict_csp_allowing_exactly_its_inline_blocks() -> None:
    page = render_html(sample())
    tags = parse(page)
    assert len(tags.raw["style"]) == 1 and len(tags.raw["script"]) == 1
    csp = next(
        a["content"] for t, a in tags.tags if t == "meta" and a.get("http-equiv") == "Content-Security-Policy"
    )
    assert csp is not None
    assert csp.startswith("default-src 'none';")
    assert "unsafe-inline" not in csp and "http" not in csp
    for kind, directive in (("style", "style-src"), ("script", "script-src")):
        digest = base64.b64encode(hashlib.sha256(tags.raw[kind][0].encode()).digest()).decode()
        assert f"{directive} 'sha256-{digest}'" in csp
    # Nothing that could fetch: no external URLs, no src attributes, only a data: icon link.
    assert not re.search(r"(?i)(src|href)\s*=\s*\"(https?:)?//", page)
    assert all("src" not in attrs for _, attrs in tags.tags)
    assert [a.get("href") for t, a in tags.tags if t == "link"] == ["data:,"]
    assert "@import" not in page and "url(http" not in page


def test_hostile_script_text_renders_as_inert_text_everywhere() -> None:
    report = sample()
    report["draft"]["title"] = HOSTILE
    report["draft"]["path"] = HOSTILE
    report["generated_at"] = HOSTILE
    report["draft"]["scenes"][1]["heading"] = HOSTILE
    report["index"]["path"] = HOSTILE
    report["index"]["model"] = HOSTILE
    report["settings"]["compare"]["allow"] = [HOSTILE]
    for ref in report["references"]:
        ref["title"] = HOSTILE
        ref["sequence"] = HOSTILE
    for match in report["matches"]:
        match["reference_scene_heading"] = HOSTILE
        match["draft_scene_heading"] = HOSTILE
        match["names"] = [{"draft": HOSTILE, "reference": HOSTILE, "speeches": 1}]
        match["level"] = HOSTILE if match["draft_scene"] == 3 else match["level"]
        for ev in match["evidence"]:
            ev["draft_text"] = HOSTILE + " and the rest " + HOSTILE
            ev["reference_text"] = HOSTILE
            ev["kind"] = HOSTILE if match["draft_scene"] == 5 else ev["kind"]
    page = render_html(report)
    tags = parse(page)
    assert [t for t, _ in tags.tags].count("script") == 1
    assert not {"img", "textarea", "iframe", "object", "embed"} & {t for t, _ in tags.tags}
    for tag, attrs in tags.tags:
        assert not any(name.startswith("on") for name in attrs), (tag, attrs)
    assert "<script>alert" not in page and "</textarea>" not in page and '"onerror=' not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;&lt;/textarea&gt;&lt;img src=x onerror=alert(2)&gt;" in page
    assert "&quot;onerror=&quot;alert(3)&quot; &#x27;onload=&#x27;alert(4)&#x27;" in page
    assert "{{ 7*7 }}" in page and "{% if x %}" in page  # inert: no template engine ever sees the page
    # Also inside SVG <title> tooltips and attribute values.
    assert re.search(r"<title>[^<]*&lt;script&gt;alert\(1\)", page)
    assert 'data-level="&lt;script&gt;' in page


def test_nul_and_control_characters_never_reach_the_page() -> None:
    """HTML forbids NUL, C0/C1 controls, noncharacters and lone surrogates: each shows as U+FFFD."""
    bad = "A\x00B\x01C\x1b[31mD\x7fE\x85F\ud800G\ufdd0H\U0010ffffI"
    report = sample()
    report["draft"]["title"] = bad
    report["draft"]["scenes"][1]["heading"] = bad
    report["references"][0]["title"] = bad
    for match in report["matches"]:
        match["reference_scene_heading"] = bad
        for ev in match["evidence"]:
            ev["draft_text"] = bad + "\tkept\nlines\x0cpage"
            ev["reference_text"] = bad
    page = render_html(report)
    page.encode("utf-8")  # no lone surrogate left: the page can always be written
    forbidden = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ufdd0-\ufdef\ud800-\udfff\U0010ffff]")
    assert forbidden.findall(page) == []
    assert "A\ufffdB\ufffdC\ufffd[31mD\ufffdE\ufffdF\ufffdG\ufffdH\ufffdI" in page
    assert re.search(r"<title>[^<]*A\ufffdB", page)  # in SVG tooltips too
    assert "\tkept\n" in page and "lines page" in page  # tab and line feed kept, form feed a space


def test_text_in_marked_passages_is_escaped_word_by_word() -> None:
    draft, ref = mark_pair('He said "<b>stop</b>" & left', 'She said "<b>stop</b>" & went', "fuzzy")
    for side in (draft, ref):
        assert "<b>" not in side
        assert "&quot;&lt;b&gt;stop&lt;/b&gt;&quot;" in side


# --- content -------------------------------------------------------------------------------------


def test_summary_comes_first_and_states_the_finding_in_plain_words() -> None:
    page = render_html(sample())
    order = [page.index(f'id="{ident}"') for ident in ("summary", "references", "pictures", "evidence")]
    assert order == sorted(order)
    summary = section(page, "summary")
    assert "5 of 8 draft scenes have passages unusually close to 3 reference scripts." in summary
    assert (
        "3 draft scenes (2, 4, 7) share unusual wording and similar content with "
        "\u201cThe Keeper&#x27;s Daughter\u201d (high)." in summary
    )
    harbour = "1 draft scene (5) shares similar content in different words with \u201cHarbour Lights\u201d"
    assert f"{harbour} (medium)." in summary
    assert "evidence for a person to judge" in summary
    assert "not a finding of copying or infringement" in summary
    for verdict in ("plagiari", "infring", "guilty", "stolen", "copied from"):
        assert verdict not in summary.lower().replace("not a finding of copying or infringement", "")
    header = page[: page.index('id="summary"')]
    assert "Salt and Signal" in header and "2025-03-14 09:26 UTC" in header
    assert "indexes/default" in header and "all-MiniLM-L6-v2" in header


def test_references_are_ranked_by_coverage_with_levels_as_words_and_colours() -> None:
    report = sample()
    # Make the lowest-scoring reference cover the most: ranking follows coverage, not score.
    report["references"][2]["coverage"] = 0.5
    page = render_html(report)
    rows = re.findall(r'<tr id="ref-r\d+".*?</tr>', section(page, "references"))
    titles = [re.search(r'class="title">(?:<a [^>]*>)?([^<]+)', row).group(1) for row in rows]  # type: ignore[union-attr]
    assert titles == ["Fog Bank", "The Keeper&#x27;s Daughter", "Harbour Lights"]
    assert '<span class="badge lv-low">low</span>' in rows[0]
    assert '<span class="badge lv-high">high</span>' in rows[1]
    assert "50%" in rows[0] and "21%" in rows[1]
    # The allowed reference is not ranked with the others.
    assert "Sea Shanties" not in section(page, "references")


def test_scene_strip_has_one_bar_per_draft_scene_coloured_by_strongest_match() -> None:
    page = render_html(sample())
    bars = re.findall(r'<rect class="sc (lv-[a-z]+)"', page)
    assert bars == [
        "lv-none",
        "lv-medium",
        "lv-low",
        "lv-high",
        "lv-medium",
        "lv-allowed",
        "lv-high",
        "lv-none",
    ]
    assert '<a href="#scene-4"><rect class="sc lv-high"' in page


def test_scene_map_shows_same_order_matches_as_a_diagonal_linking_to_evidence() -> None:
    page = render_html(sample())
    maps = re.findall(r'<figure class="map" id="(map-r\d+)">(.*?)</figure>', page, re.S)
    assert [ident for ident, _ in maps] == ["map-r1", "map-r2", "map-r3"]  # flagged references only
    keeper = maps[0][1]
    assert "The Keeper&#x27;s Daughter" in keeper
    cells = re.findall(r'<a href="#(m\d+)"><rect class="cell (lv-\w+)" x="([\d.]+)" y="([\d.]+)"', keeper)
    assert len(cells) == 3
    xs = [float(x) for *_, x, _ in cells]
    ys = [float(y) for *_, y in cells]
    order = sorted(range(3), key=lambda i: xs[i])
    assert [ys[i] for i in order] == sorted(ys)  # draft 2->ref 3, 4->5, 7->8: a diagonal
    for match_id, *_ in cells:
        assert f'id="{match_id}"' in page
    opacities = [float(o) for o in re.findall(r'class="cell lv-high"[^>]*fill-opacity="([\d.]+)"', keeper)]
    medium = [float(o) for o in re.findall(r'class="cell lv-medium"[^>]*fill-opacity="([\d.]+)"', keeper)]
    assert min(opacities) > max(medium)  # shaded by score: 0.93 and 0.90 darker than 0.71


def test_flagged_scene_shows_both_passages_side_by_side_with_kinds_lines_names_and_components() -> None:
    page = render_html(sample())
    scene = section(page, "evidence")
    card = re.search(r'<details class="match lv-high" id="m\d+"[^>]*>.*?</details>', scene, re.S)
    assert card is not None
    text = card.group(0)
    assert "The Keeper&#x27;s Daughter \u00b7 scene 5" in text
    assert "INT. LAMP ROOM - NIGHT" in text and "INT. LANTERN GALLERY - NIGHT" in text
    assert "lexical 0.91" in text and "semantic 0.94" in text
    assert "TOBIAS \u2192 HALVARD (2 speeches), ELSIE \u2192 MAREN (1 speech)" in text
    assert "Draft \u00b7 scene 4 \u00b7 line 33" in text
    assert "The Keeper&#x27;s Daughter \u00b7 scene 5 \u00b7 line 29" in text
    kinds = re.findall(r'<div class="ev ev-(\w+)">', text)
    assert kinds == ["verbatim", "semantic", "fuzzy"]  # in draft order
    # Each kind is marked in the passage and labelled in words (distinguishable without colour).
    for kind in kinds:
        assert f'<span class="m m-{kind}">' in text and f'<span class="kind k-{kind}">{kind}</span>' in text
    verbatim = re.search(r'<div class="ev ev-verbatim">.*?</div></div>', text, re.S)
    assert verbatim is not None
    assert (
        verbatim.group(0).count(
            '<span class="w">Keep the wick trimmed and the glass clean and never, ever trust a calm night in '
            "November.</span>"
        )
        == 2
    )
    css = parse(page).raw["style"][0]
    assert ".m-verbatim .w{text-decoration:underline solid" in css
    assert ".m-fuzzy .w{text-decoration:underline dotted" in css
    assert ".m-semantic{background:var(--semantic-bg);font-style:italic}" in css


def test_fuzzy_evidence_marks_shared_words_and_leaves_changed_words_plain() -> None:
    draft, ref = mark_pair(
        "The sea doesn't keep a calendar, girl. It keeps a ledger.",
        "The sea keeps no calendar, child. It keeps a ledger.",
        "fuzzy",
    )
    assert draft == (
        '<span class="m m-fuzzy"><span class="w">The sea</span> <span class="chg">doesn&#x27;t keep a</span> '
        '<span class="w">calendar,</span> <span class="chg">girl.</span> '
        '<span class="w">It keeps a ledger.</span></span>'
    )
    assert '<span class="chg">keeps no</span>' in ref and '<span class="chg">child.</span>' in ref
    semantic, _ = mark_pair("Then what does it say we owe?", "And what does the ledger say?", "semantic")
    assert semantic == '<span class="m m-semantic">Then what does it say we owe?</span>'


def test_multiline_passages_keep_their_lines_and_report_the_line_range() -> None:
    report = sample()
    ev = report["matches"][0]["evidence"][0]
    ev["draft_text"] = "TOBIAS\nThe sea doesn't keep a calendar.\r\nIt keeps a ledger."
    page = render_html(report)
    assert "Draft \u00b7 scene 2 \u00b7 lines 16\u201318" in page
    assert "TOBIAS</span>\n<span" in page or "TOBIAS\n" in page


def test_passage_lines_carry_their_source_line_numbers() -> None:
    report = sample()
    ev = report["matches"][0]["evidence"][0]
    ev["draft"]["line"] = 16
    ev["draft_text"] = "TOBIAS\nThe sea doesn't keep a calendar.\r\nIt keeps\ra ledger.\n\n"
    page = render_html(report)
    start = page.index('<p class="passage numbered"><span class="n" data-n="16"></span>')
    passage = page[start : page.index("</p>", start)]
    assert re.findall(r'data-n="(\d+)"', passage) == ["16", "17", "18", "19"]  # CRLF, CR, LF: one line each
    assert "Draft \u00b7 scene 2 \u00b7 lines 16\u201319" in page  # trailing breaks end line 19
    assert passage.endswith("ledger.</span>\n\n</span>")  # and start no numbered line
    css = parse(page).raw["style"][0]
    assert ".passage .n::before{content:attr(data-n)}" in css  # drawn by CSS: copying copies the text only
    no_line = sample()
    no_line["matches"][0]["evidence"][0]["draft"].pop("line")
    assert '<p class="passage"><span class="m' in render_html(no_line)


def test_allowed_matches_are_shown_separately_greyed_and_not_counted() -> None:
    page = render_html(sample())
    allowed = section(page, "allowed")
    evidence = section(page, "evidence")
    assert "Sea Shanties (public domain)" in allowed and "Sea Shanties" not in evidence
    assert '<details class="match lv-allowed"' in allowed and " open>" not in allowed
    assert '<span class="badge lv-allowed">allowed</span>' in allowed
    css = parse(page).raw["style"][0]
    assert ".ev-allowed .m,.allowed-list .m{background:var(--allowed-bg)}" in css
    assert "filter:" not in css  # greyed by colour: a CSS filter prints as a picture (text not searchable)
    summary = section(page, "summary")
    assert "1 match with allowed material" in summary
    assert "scene (6)" not in summary


def test_provenance_footer_lets_a_run_be_reproduced_without_the_text() -> None:
    report = sample()
    page = render_html(report)
    footer = page[page.index('id="provenance"') :]
    assert report["draft"]["sha256"] in footer
    assert report["index"]["manifest_sha256"] in footer
    assert "simcheck version</dt><dd>0.1.0" in footer
    assert "<td>compare.min_verbatim_tokens</td><td><code>8</code></td>" in footer
    assert "<td>index.num_perm</td><td><code>128</code></td>" in footer
    assert "<td>compare.allow</td><td><code>[&quot;refs/sea_shanties.fountain&quot;]</code></td>" in footer


def test_print_stylesheet_opens_sections_and_avoids_breaking_passages() -> None:
    css = parse(render_html(sample())).raw["style"][0]
    prints = css[css.index("@media print") :]
    assert "break-inside:avoid" in prints
    assert "details:not([open])::details-content{content-visibility:visible" in prints
    assert ".passage{white-space:pre-wrap;overflow:visible;max-height:none;\n" in prints
    # The one-column narrow layout is for narrow screens only: a printed page (about 720 CSS px
    # wide) keeps draft and reference side by side.
    assert "@media screen and (max-width:760px)" in css
    assert not re.search(r"@media\s*\(max-width", css)


# --- robustness -----------------------------------------------------------------------------------


def test_minimal_report_renders_and_says_nothing_was_flagged() -> None:
    page = render_html(
        {"schema_version": 1, "draft": {"path": "d.fountain"}, "references": [], "matches": []}
    )
    assert "No draft scene is unusually close to a reference script." in page
    assert "No flagged matches." in page
    assert 'id="toolbar"' not in page
    assert "not recorded" in page  # missing sha256 and manifest are said, not hidden
    assert render_html({}).startswith("<!DOCTYPE html>")


def test_extra_fields_and_variant_shapes_are_tolerated() -> None:
    report = sample()
    report["future_field"] = {"anything": [1, 2]}
    report["references"][0]["sequence"] = {"score": 0.94, "pairs": [[2, 3], [4, 5]]}
    report["references"][0].pop("scenes")
    match = report["matches"][0]
    match["names"] = {"TOBIAS": "HALVARD"}
    match["level"] = "severe"
    match["evidence"][0].pop("similarity")
    match["evidence"][0]["draft"] = {"start": 1}
    match["evidence"][0]["unexpected"] = True
    match.pop("reference_scene_heading")
    report["matches"].append({"draft_scene": 99, "reference": "refs/unlisted.fountain", "score": "n/a"})
    page = render_html(report)
    assert "TOBIAS \u2192 HALVARD" in page
    assert '<span class="badge lv-unrated">severe</span>' in page
    assert "refs/unlisted.fountain" in page and 'id="scene-99"' in page
    assert "0.94" in section(page, "references")


def test_rendering_is_deterministic_and_independent_of_input_order() -> None:
    report = sample()
    shuffled = copy.deepcopy(report)
    shuffled["references"].reverse()
    shuffled["matches"].reverse()
    for match in shuffled["matches"]:
        match["evidence"].reverse()
    assert render_html(report) == render_html(report) == render_html(shuffled)


def test_large_report_is_complete_and_starts_collapsed() -> None:
    report = large_report()
    page = render_html(report)
    tags = parse(page)
    cards = [a for t, a in tags.tags if t == "details" and "match" in (a.get("class") or "")]
    assert len(cards) == 200
    assert not any("open" in attrs for attrs in cards)
    assert len(re.findall(r'<rect class="sc ', page)) == 150
    assert len(re.findall(r'<figure class="map"', page)) == 12
    assert "200 matches in" in page


@pytest.mark.parametrize("count,expected_open", [(12, True), (13, False)])
def test_small_results_start_open_and_larger_ones_collapsed(count: int, expected_open: bool) -> None:
    page = render_html(large_report(scenes=20, matches=count, references=3))
    cards = [a for t, a in parse(page).tags if t == "details" and "match" in (a.get("class") or "")]
    assert len(cards) == count
    assert all(("open" in attrs) is expected_open for attrs in cards)


def test_levels_rarity_and_calibration_are_explained_from_the_report() -> None:
    page = render_html(sample())  # calibrated on 400 unrelated scenes
    # odds are never stated rarer than the 400 measured scenes can show
    assert (
        "low: rarer than 1 in 100 unrelated scenes; medium: rarity 4 on the fitted tail (rarer than 1 in 400 "
        "measured); high: rarity 6 on the fitted tail (rarer than 1 in 400 measured) (thresholds measured on "
        "these references)."
    ) in page
    assert "1,000,000" not in page and "10,000" not in page
    card = section(page, "evidence")
    assert "<dt>Unrelated scenes this close</dt><dd>rarer than 1 in 400 measured</dd>" in card  # rarity 6.8
    assert "<dt>Unrelated scenes this close</dt><dd>about 1 in 300</dd>" in card  # rarity 2.4: measured
    footer = page[page.index('id="provenance"') :]
    assert (
        "<td>calibration.source</td>" not in footer and "<td>source</td><td><code>index</code></td>" in footer
    )


def test_the_date_of_the_run_is_shown_when_given() -> None:
    report = sample()
    report.pop("generated_at")
    assert "Generated" not in render_html(report)  # the JSON contract itself carries no date
    page = render_html(report, generated_at="2026-11-22")
    header = page[page.index("<header") : page.index("</header>")]
    assert "<span>Generated 2026-11-22</span>" in header
    assert "<dt>Generated</dt><dd>2026-11-22</dd>" in page[page.index('id="provenance"') :]


def test_a_rarity_beyond_the_scale_is_not_called_about() -> None:
    report = sample()
    report["matches"][0]["rarity"] = 14.0
    card = section(render_html(report), "evidence")
    assert "<dt>Unrelated scenes this close</dt><dd>rarer than 1 in 400 measured</dd>" in card
    del report["calibration"]  # a report without its sample size: still no absurd odds
    card = section(render_html(report), "evidence")
    assert "<dt>Unrelated scenes this close</dt><dd>less than 1 in a trillion</dd>" in card
    assert "about less" not in card


def test_warnings_are_shown_in_the_summary() -> None:
    report = sample()
    report["warnings"] = ["Only 2 references: levels use the shipped calibration."]
    summary = section(render_html(report), "summary")
    assert "Please note" in summary and "Only 2 references: levels use the shipped calibration." in summary
    assert "Please note" not in render_html(sample())


def test_pairwise_comparison_is_named_as_such() -> None:
    report = sample()
    report["index"] = {"path": None, "kind": "pairwise", "model": "all-MiniLM-L6-v2", "scripts": 5}
    page = render_html(report)
    assert "Compared directly with 5 scripts (no index)" in page
    assert "none: compared directly with the given scripts" in page
    assert "none (no index)" in page


def test_allowed_evidence_and_its_allowlist_entry_are_labelled() -> None:
    allowed = section(render_html(sample()), "allowed")
    assert "<dt>Allowed by</dt><dd>refs/sea_shanties.fountain</dd>" in allowed
    assert '<div class="ev ev-verbatim ev-allowed">' in allowed
    assert "refs/sea_shanties.fountain (does not count)" in allowed


def test_renders_a_real_report_object_from_simcheck_report() -> None:
    """The contract end to end: Report.to_dict() from the compare side renders without adaptation."""
    from simcheck.report import model as rp

    draft_text = "KANE\nYou never did learn to close a door quietly, did you, Marlowe?"
    ref_text = "MARLOWE\nYou never did learn to close a door quietly, did you, Kane?"
    evidence = rp.Evidence(
        kind=rp.FUZZY,
        similarity=0.9,
        draft=rp.Location(5, len(draft_text), 2),
        reference=rp.Location(8, len(ref_text), 40),
        draft_text=draft_text[5:],
        reference_text=ref_text[8:],
    )
    match = rp.Match(
        draft_scene=1,
        reference="refs/other.fountain",
        reference_scene=3,
        score=0.8,
        level="medium",
        lexical=0.85,
        semantic=0.7,
        names=(rp.NameMapping("KANE", "MARLOWE", 1),),
        evidence=(evidence,),
        draft_scene_heading="INT. HALL - NIGHT",
        reference_scene_heading="INT. LOBBY - NIGHT",
        reference_title="Other",
        reference_line=38,
        rarity=4.2,
    )
    report = rp.Report(
        simcheck_version="0.1.0",
        settings={"compare": {"fail_on": "high"}},
        index=rp.IndexInfo(None, "pairwise", "all-MiniLM-L6-v2", 1, 5, 20),
        draft=rp.DraftInfo(
            "draft.fountain",
            "ab" * 32,
            "Doors",
            "fountain",
            12,
            (rp.SceneInfo(1, "INT. HALL - NIGHT", 0, 70, 1),),
        ),
        references=(
            rp.ReferenceResult("refs/other.fountain", "Other", 0.8, "medium", 1, 0.9, 0.0, scenes=5),
        ),
        matches=(match,),
        overall=rp.Overall("medium", 1, 1, 0, 1, "1 of 1 draft scenes ..."),
        calibration=rp.CalibrationInfo("default", 100, 2.0, 4.0, 6.0),
    )
    page = render_html(report.to_dict())
    assert "1 of 1 draft scene has passages unusually close to 1 reference script." in page
    assert "KANE \u2192 MARLOWE (1 speech)" in page
    assert '<span class="chg">Marlowe?</span>' in page and '<span class="chg">Kane?</span>' in page
    assert "Compared directly with 1 script (no index)" in page
    assert "rarer than 1 in 100 measured" in page  # rarity 4.2, calibrated on 100 scenes

"""The HTML report's inline stylesheet and script, and their CSP hashes.

Both are constants so that the page's Content-Security-Policy can allow exactly these two blocks by
their SHA-256 (no ``'unsafe-inline'``): anything else that found its way into the page would not run.
The script only enhances (filters, expand/collapse, print, keyboard jumps); the page works without it.
"""

from __future__ import annotations

import base64
import hashlib

CSS = """
:root{
  --ink:#1d2430;--muted:#5a6472;--faint:#8a93a0;--line:#d8dde4;--panel:#f5f7fa;--bg:#fff;
  --high:#b42318;--high-bg:#fde7e5;--medium:#b54708;--medium-bg:#fff0de;--low:#7a6200;--low-bg:#fbf3cf;
  --none:#e6e9ee;--allowed:#7d8793;--allowed-bg:#eceff3;
  --verbatim:#5b21b6;--verbatim-bg:#ece4fb;--fuzzy:#0b6b62;--fuzzy-bg:#dcf1ed;
  --semantic:#1d4ea3;--semantic-bg:#e3ecfa;
  --mono:"Courier Prime","Courier New",Courier,ui-monospace,monospace;
}
*{box-sizing:border-box}
[hidden]{display:none!important}
html{-webkit-text-size-adjust:100%}
body{margin:0;background:var(--bg);color:var(--ink);
  font:15px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,"Helvetica Neue",Arial,sans-serif}
a{color:#1d4ea3}
a:focus-visible,summary:focus-visible,button:focus-visible,select:focus-visible{outline:3px solid #1d4ea3;
  outline-offset:2px}
.wrap{max-width:1180px;margin:0 auto;padding:0 28px}
h1,h2,h3{line-height:1.25;margin:0}
h2{font-size:20px;margin:0 0 12px}
h3{font-size:16px}
.muted{color:var(--muted)}
.num{font-variant-numeric:tabular-nums}
code,.hash{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;font-size:12.5px;
  overflow-wrap:anywhere}

/* header */
.top{border-top:6px solid var(--ink);border-bottom:1px solid var(--line);background:var(--panel)}
.top.lv-high{border-top-color:var(--high)}.top.lv-medium{border-top-color:var(--medium)}
.top.lv-low{border-top-color:var(--low)}
.top .wrap{padding-top:22px;padding-bottom:18px}
.eyebrow{margin:0 0 4px;font-size:12px;font-weight:700;letter-spacing:.09em;text-transform:uppercase;
  color:var(--muted)}
.top h1{font-size:30px}
.meta{margin:8px 0 0;color:var(--muted);font-size:14px}
.meta span+span::before{content:"\\00b7";margin:0 8px;color:var(--faint)}
.toc{margin:14px 0 0;padding:0;list-style:none;display:flex;flex-wrap:wrap;gap:4px 18px;font-size:14px}

/* toolbar (JavaScript only) */
.toolbar{position:sticky;top:0;z-index:5;background:rgba(255,255,255,.97);border-bottom:1px solid var(--line);
  box-shadow:0 1px 3px rgba(0,0,0,.05)}
.toolbar .wrap{display:flex;flex-wrap:wrap;align-items:center;gap:8px 14px;padding-top:8px;padding-bottom:8px;
  font-size:14px}
.toolbar fieldset{border:0;margin:0;padding:0;display:flex;gap:10px;align-items:center}
.toolbar legend{float:left;margin-right:6px;font-weight:600}
.toolbar label{display:inline-flex;gap:4px;align-items:center;cursor:pointer}
.toolbar select,.toolbar button{font:inherit;font-size:13px;padding:3px 8px;border:1px solid var(--line);
  border-radius:6px;background:#fff;color:var(--ink);cursor:pointer}
.toolbar select{max-width:200px}
.toolbar button:hover{background:var(--panel)}
.toolbar .count{margin-left:auto;color:var(--muted)}
.toolbar .keys{color:var(--faint);font-size:12px}

main section.block{padding:26px 0 6px}
main section.block+section.block{border-top:1px solid var(--line)}

/* summary */
.finding{display:grid;grid-template-columns:auto 1fr;gap:4px 18px;align-items:start;background:var(--panel);
  border:1px solid var(--line);border-left:8px solid var(--faint);border-radius:8px;padding:16px 20px}
.finding.lv-high{border-left-color:var(--high)}.finding.lv-medium{border-left-color:var(--medium)}
.finding.lv-low{border-left-color:var(--low)}
.finding .level-box{text-align:center;min-width:88px}
.finding .level-box small{display:block;margin-top:4px;font-size:11px;color:var(--muted);
  text-transform:uppercase;letter-spacing:.06em}
.headline{margin:0;font-size:18px;font-weight:600}
.findings{margin:8px 0 0;padding-left:20px}
.findings li{margin:3px 0}
.notice{grid-column:1/-1;margin:12px 0 0;padding:10px 12px;border-radius:6px;background:#fff;
  border:1px dashed var(--line);color:var(--muted);font-size:13.5px}
.notice strong{color:var(--ink)}
.warnings{grid-column:1/-1;margin:12px 0 0;padding:10px 12px;border-radius:6px;background:#fff8e6;
  border:1px solid #e8c66a;font-size:13.5px}
.warnings ul{margin:4px 0 0;padding-left:20px}
.legend{display:flex;flex-wrap:wrap;gap:8px 26px;margin:14px 0 0;font-size:13px;color:var(--muted)}
.legend>div{display:flex;flex-wrap:wrap;align-items:center;gap:6px}
.legend b{color:var(--ink);font-weight:600;margin-right:2px}

/* badges and chips */
.badge{display:inline-block;min-width:58px;text-align:center;font-weight:700;font-size:11.5px;letter-spacing:.06em;
  text-transform:uppercase;padding:2px 8px;border-radius:999px;border:1px solid transparent;line-height:1.5;
  white-space:nowrap}
.badge.lv-high{background:var(--high);color:#fff}
.badge.lv-medium{background:var(--medium);color:#fff}
.badge.lv-low{background:var(--low-bg);color:var(--low);border-color:var(--low)}
.badge.lv-none,.badge.lv-unrated{background:#fff;color:var(--muted);border-color:var(--line)}
.badge.lv-allowed{background:var(--allowed-bg);color:var(--muted);border-color:var(--allowed)}
.badge.big{font-size:14px;padding:4px 12px}
.kind{display:inline-block;font-weight:700;font-size:10.5px;letter-spacing:.07em;text-transform:uppercase;
  padding:1px 6px;border-radius:4px;border:1px solid currentColor;line-height:1.5;white-space:nowrap}
.kind.k-verbatim{color:var(--verbatim);background:var(--verbatim-bg)}
.kind.k-fuzzy{color:var(--fuzzy);background:var(--fuzzy-bg);border-style:dotted}
.kind.k-semantic{color:var(--semantic);background:var(--semantic-bg);font-style:italic;border-style:dashed}
.kind.k-unknown{color:var(--muted)}

/* references table */
table{border-collapse:collapse;width:100%}
.table-wrap{overflow-x:auto}
.refs th,.refs td{padding:8px 10px;border-bottom:1px solid var(--line);text-align:left;vertical-align:middle}
.refs th{font-size:12px;text-transform:uppercase;letter-spacing:.05em;color:var(--muted);font-weight:600;
  border-bottom:2px solid var(--line)}
.refs td.num,.refs th.num{text-align:right}
.refs .title{font-weight:600}
.refs .path{display:block;color:var(--muted);font-size:12.5px;overflow-wrap:anywhere}
.refs td.basis{font-size:13.5px;max-width:24em}
.refs .cov{white-space:nowrap}
.refs .cov svg{vertical-align:middle;margin-right:8px}
.refs .pct{display:inline-block;min-width:3.2em;text-align:right}
.bar-bg{fill:var(--none)}
.bar.lv-high{fill:var(--high)}.bar.lv-medium{fill:var(--medium)}.bar.lv-low{fill:var(--low)}
.bar.lv-none,.bar.lv-unrated{fill:var(--faint)}
.refs tr.quiet td{color:var(--muted)}
.note{font-size:13px;color:var(--muted);margin:8px 0 0}

/* pictures */
svg text{font-family:system-ui,-apple-system,"Segoe UI",Roboto,Arial,sans-serif;fill:var(--muted)}
.strip{width:100%;height:auto;display:block}
.cell.lv-high,.sc.lv-high{fill:var(--high)}
.cell.lv-medium,.sc.lv-medium{fill:var(--medium)}
.cell.lv-low,.sc.lv-low{fill:#b89400}
.cell.lv-none,.cell.lv-unrated,.sc.lv-unrated{fill:var(--faint)}
.sc.lv-none{fill:var(--none)}
.cell.lv-allowed,.sc.lv-allowed{fill:url(#hatch)}
.grid-bg{fill:#fafbfc;stroke:var(--line)}
.grid-line{stroke:var(--line);stroke-width:1}
.diag{stroke:var(--faint);stroke-dasharray:3 4;stroke-width:1}
a:hover>.cell,a:focus>.cell,a:hover>.sc,a:focus>.sc{stroke:var(--ink);stroke-width:1.5}
.maps{display:grid;grid-template-columns:repeat(auto-fill,minmax(340px,1fr));gap:18px;align-items:start}
.maps.wide{grid-template-columns:repeat(auto-fill,minmax(500px,1fr))}
figure{margin:0}
.maps-h{margin:22px 0 4px}
.map{border:1px solid var(--line);border-radius:8px;padding:12px 14px;background:#fff}
.map figcaption{margin-bottom:8px}
.map figcaption .sub{display:block;font-size:13px;color:var(--muted)}
.map svg{max-width:100%;height:auto;display:block}

/* evidence */
.scene{margin:0 0 22px}
.scene>h3{margin:0 0 8px;padding:6px 0;border-bottom:2px solid var(--ink);display:flex;gap:12px;
  align-items:baseline;flex-wrap:wrap}
.scene>h3 .heading{font-family:var(--mono);font-weight:700}
.scene>h3 .line{font-weight:400;font-size:13px;color:var(--muted)}
details.match{border:1px solid var(--line);border-left:6px solid var(--faint);border-radius:8px;
  margin:0 0 10px;background:#fff}
details.match.lv-high{border-left-color:var(--high)}
details.match.lv-medium{border-left-color:var(--medium)}
details.match.lv-low{border-left-color:#b89400}
details.match>summary{cursor:pointer;list-style:none;padding:10px 14px;display:grid;
  grid-template-columns:12px auto auto 1fr auto;gap:4px 12px;align-items:center}
details.match>summary::-webkit-details-marker{display:none}
details.match>summary::before{content:"\\25b8";color:var(--muted);grid-row:1/3}
details.match[open]>summary::before{content:"\\25be"}
details.match[open]>summary{border-bottom:1px solid var(--line);background:var(--panel);
  border-radius:0 8px 0 0}
.sum-score{font-weight:700;font-size:17px}
.sum-ref{font-weight:600}
.sum-ref .rh{font-family:var(--mono);font-weight:400;font-size:13.5px;color:var(--muted)}
.sum-parts{font-size:13px;color:var(--muted);white-space:nowrap}
.sum-kinds{grid-column:4/6;display:flex;flex-wrap:wrap;gap:6px;align-items:center;font-size:13px;
  color:var(--muted)}
.body{padding:12px 14px 6px}
.facts{display:flex;flex-wrap:wrap;gap:4px 24px;margin:0 0 12px;font-size:13.5px}
.facts dt{display:inline;color:var(--muted)}
.facts dd{display:inline;margin:0 0 0 4px;font-weight:600}
.facts>div{white-space:normal}
.cols,.ev{display:grid;grid-template-columns:1fr 1fr;gap:0 18px}
.cols{font-size:12px;font-weight:700;text-transform:uppercase;letter-spacing:.05em;color:var(--muted);
  padding-bottom:4px;border-bottom:1px solid var(--line);margin-bottom:8px}
.cols .h{display:block;font-family:var(--mono);text-transform:none;letter-spacing:0;font-weight:400;
  color:var(--ink);font-size:13px}
.ev{padding:8px 0 12px;border-bottom:1px solid var(--panel);break-inside:avoid}
.ev:last-child{border-bottom:0}
.ev-allowed .passage,.allowed-list .passage{color:#4b5563}
/* greyed with colours, not a CSS grayscale filter (a filter prints as a picture: text not searchable) */
.ev-allowed .m,.allowed-list .m{background:var(--allowed-bg)}
.ev-allowed .m .w,.allowed-list .m .w{text-decoration-color:var(--allowed)}
.ev-allowed .m .chg,.allowed-list .m .chg{background:#fff}
.ev-head{grid-column:1/-1;display:flex;gap:10px;align-items:center;margin-bottom:6px;font-size:13px;color:var(--muted)}
.side{min-width:0}
.ln{display:block;font-size:12px;color:var(--muted);margin-bottom:3px}
.passage{margin:0;font-family:var(--mono);font-size:14px;line-height:1.55;white-space:pre-wrap;
  overflow-wrap:anywhere;background:#fcfcfd;border:1px solid var(--line);border-radius:6px;padding:8px 10px}
.ev:hover .passage{border-color:var(--faint)}
/* source line numbers: a hanging gutter, drawn from data-n (not part of the text when copied) */
.passage.numbered{padding-left:3.6em}
.passage .n{display:inline-block;width:3em;margin-left:-3.6em;margin-right:.6em;text-align:right;
  font-style:normal;font-size:11px;color:var(--faint);background:#fcfcfd;user-select:none;
  text-decoration:none;vertical-align:baseline}
.passage .n::before{content:attr(data-n)}
.m{border-radius:2px;-webkit-box-decoration-break:clone;box-decoration-break:clone}
.m-verbatim{background:var(--verbatim-bg)}
.m-verbatim .w{text-decoration:underline solid var(--verbatim) 2px;text-underline-offset:3px}
.m-fuzzy{background:var(--fuzzy-bg)}
.m-fuzzy .w{text-decoration:underline dotted var(--fuzzy) 2px;text-underline-offset:3px}
.m-semantic{background:var(--semantic-bg);font-style:italic}
.m .chg{background:#fff;text-decoration:none}
.m-unknown{background:var(--panel)}
.back{margin:4px 0 8px;font-size:12.5px}
.back a{color:var(--muted)}
.more-note{font-size:13px;color:var(--muted);margin:0 0 12px}

/* story */
details.story{border:1px solid var(--line);border-left:6px solid var(--faint);border-radius:8px;
  margin:0 0 14px;background:#fff}
details.story.lv-high{border-left-color:var(--high)}
details.story.lv-medium{border-left-color:var(--medium)}
details.story.lv-low{border-left-color:#b89400}
details.story.lv-allowed{border-left-color:var(--allowed);background:#fafbfc}
details.story>summary{cursor:pointer;padding:10px 14px;display:flex;flex-wrap:wrap;gap:4px 12px;
  align-items:center}
details.story[open]>summary{border-bottom:1px solid var(--line);background:var(--panel);
  border-radius:0 8px 0 0}
.cast{width:auto;margin:0 0 12px;font-size:13.5px}
.cast caption{text-align:left;font-weight:600;font-size:12px;text-transform:uppercase;letter-spacing:.05em;
  color:var(--muted);padding-bottom:4px}
.cast th{text-align:left;font-size:12px;color:var(--muted);font-weight:600;padding:2px 12px 2px 0}
.cast td{padding:2px 12px 2px 0;border-bottom:1px solid var(--panel)}
.cast .who{font-family:var(--mono);font-weight:700}
.cast .arrow{color:var(--muted)}
.story-link .h{display:block;font-family:var(--mono);font-size:13px;margin-bottom:3px}
.story-link .shared{font-weight:600;color:var(--ink)}
.story-link .more{display:block;color:var(--muted);font-size:12px}
.m-story{background:transparent}
mark{background:#fde9a8;color:inherit;border-radius:2px;padding:0 1px}
.chain-line{fill:none;stroke:var(--ink);stroke-width:1.5;stroke-dasharray:4 3;opacity:.7}
.chain-cell{fill:none;stroke:var(--ink);stroke-width:2}
.chain.lv-high .chain-cell{stroke:var(--high)}
.chain.lv-medium .chain-cell{stroke:var(--medium)}
.chain.lv-low .chain-cell{stroke:#8a6f00}
.chain.lv-allowed .chain-cell{stroke:var(--allowed)}
a:hover>.chain-cell,a:focus>.chain-cell{stroke-width:3}

/* allowed */
.allowed-list details.match{border-left-color:var(--allowed);background:#fafbfc;color:#4b5563}
.allowed-list .kind{color:var(--muted);background:var(--allowed-bg)}
.allowed-list .sum-score{color:var(--muted)}

/* provenance */
.prov{background:var(--panel);border-top:1px solid var(--line);margin-top:30px;padding:22px 0 36px;
  font-size:13.5px}
.prov dl{display:grid;grid-template-columns:max-content 1fr;gap:4px 16px;margin:0}
.prov dt{color:var(--muted)}
.prov dd{margin:0;min-width:0}
.prov h3{margin:18px 0 8px;font-size:14px}
.prov table.settings{width:auto}
.prov table.settings td{padding:2px 14px 2px 0;vertical-align:top;border-bottom:1px solid var(--line)}
.prov table.settings td:first-child{color:var(--muted);white-space:nowrap}
.prov .repro{margin:14px 0 0;color:var(--muted)}

@media screen and (max-width:760px){  /* screen only: a printed page keeps the two sides */
  .wrap{padding:0 14px}
  .cols{display:none}
  .ev{grid-template-columns:1fr;gap:8px}
  details.match>summary{grid-template-columns:12px auto 1fr}
  .sum-ref,.sum-parts,.sum-kinds{grid-column:2/-1}
  .finding{grid-template-columns:1fr}
}

@media print{
  @page{margin:14mm 12mm}
  body{font-size:10.5pt;-webkit-print-color-adjust:exact;print-color-adjust:exact}
  .wrap{max-width:none;padding:0}
  .toolbar,.back,.toc,.no-print{display:none!important}
  a{color:inherit;text-decoration:none}
  main section.block{padding-top:14px}
  h2,h3,.scene>h3,summary{break-after:avoid}
  .finding,.map,figure,.ev,.refs tr,details.match>summary,.facts,.cols,.cast{break-inside:avoid}
  details.match{break-inside:auto;border-left-width:4px}
  details.match>summary::before{content:none}
  .passage{white-space:pre-wrap;overflow:visible;max-height:none;
    font-size:8.5pt;line-height:1.4;padding:4px 6px}
  .ev-head,.ln{break-after:avoid}
  .table-wrap{overflow:visible}
  .maps{grid-template-columns:1fr 1fr}
  .prov{break-before:auto}
}
@media print{
  details:not([open])::details-content{content-visibility:visible;display:block}
}
"""

JS = """
(function () {
  "use strict";
  var doc = document;
  doc.documentElement.classList.add("js");
  var bar = doc.getElementById("toolbar");
  var cards = Array.prototype.slice.call(doc.querySelectorAll("#evidence details.match"));
  var allDetails = Array.prototype.slice.call(doc.querySelectorAll("details"));

  function openFor(el) {
    while (el) {
      if (el.tagName === "DETAILS") { el.open = true; }
      el = el.parentElement;
    }
  }
  function openTarget() {
    var id = decodeURIComponent(location.hash.slice(1));
    var el = id ? doc.getElementById(id) : null;
    if (el) { openFor(el); }
  }
  window.addEventListener("hashchange", openTarget);
  openTarget();

  var printState = null;
  window.addEventListener("beforeprint", function () {
    printState = allDetails.map(function (d) { return d.open; });
    allDetails.forEach(function (d) { d.open = true; });
  });
  window.addEventListener("afterprint", function () {
    if (!printState) { return; }
    allDetails.forEach(function (d, i) { d.open = printState[i]; });
    printState = null;
  });

  if (!bar) { return; }
  bar.hidden = false;
  var levelBoxes = Array.prototype.slice.call(bar.querySelectorAll("input[data-filter-level]"));
  var refSelect = doc.getElementById("filter-ref");
  var count = doc.getElementById("filter-count");
  var scenes = Array.prototype.slice.call(doc.querySelectorAll("#evidence section.scene"));

  function visibleCards() {
    return cards.filter(function (c) { return !c.hidden; });
  }
  function apply() {
    var levels = {};
    levelBoxes.forEach(function (b) { levels[b.value] = b.checked; });
    var ref = refSelect ? refSelect.value : "";
    var shown = 0;
    cards.forEach(function (c) {
      var ok = levels[c.getAttribute("data-level")] !== false &&
        (ref === "" || c.getAttribute("data-ref") === ref);
      c.hidden = !ok;
      if (ok) { shown += 1; }
    });
    scenes.forEach(function (s) { s.hidden = !s.querySelector("details.match:not([hidden])"); });
    if (count) { count.textContent = shown + " of " + cards.length + " matches shown"; }
  }
  levelBoxes.forEach(function (b) { b.addEventListener("change", apply); });
  if (refSelect) { refSelect.addEventListener("change", apply); }

  function setAll(open) {
    visibleCards().forEach(function (c) { c.open = open; });
  }
  var expand = doc.getElementById("expand-all");
  var collapse = doc.getElementById("collapse-all");
  if (expand) { expand.addEventListener("click", function () { setAll(true); }); }
  if (collapse) { collapse.addEventListener("click", function () { setAll(false); }); }

  function jump(step) {
    var list = visibleCards();
    if (!list.length) { return; }
    var focused = doc.activeElement;
    var active = focused && focused.closest ? focused.closest("details.match") : null;
    var index = active ? list.indexOf(active) : -1;
    if (index === -1) {
      var top = bar.getBoundingClientRect().bottom + 12;
      for (var i = 0; i < list.length; i += 1) {
        if (list[i].getBoundingClientRect().top <= top) { index = i; }
      }
    }
    var next = Math.min(list.length - 1, Math.max(0, index + step));
    if (index === -1 && step > 0) { next = 0; }
    var card = list[next];
    card.open = true;
    card.scrollIntoView({block: "start"});
    window.scrollBy(0, -(bar.offsetHeight + 6));
    var summary = card.querySelector("summary");
    if (summary) { summary.focus({preventScroll: true}); }
  }
  doc.addEventListener("keydown", function (event) {
    if (event.altKey || event.ctrlKey || event.metaKey) { return; }
    var tag = event.target && event.target.tagName;
    if (tag === "INPUT" || tag === "SELECT" || tag === "TEXTAREA") { return; }
    if (event.key === "j") { jump(1); event.preventDefault(); }
    if (event.key === "k") { jump(-1); event.preventDefault(); }
  });
  apply();
})();
"""


def csp_hash(text: str) -> str:
    """The CSP source expression allowing one inline block with exactly this text."""
    digest = hashlib.sha256(text.encode("utf-8")).digest()
    return "'sha256-" + base64.b64encode(digest).decode("ascii") + "'"


CONTENT_SECURITY_POLICY = (
    "default-src 'none'; "
    f"style-src {csp_hash(CSS)}; "
    f"script-src {csp_hash(JS)}; "
    "img-src data:; base-uri 'none'; form-action 'none'"
)

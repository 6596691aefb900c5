"""The HTML report in a real headless Chromium, driven over the DevTools protocol.

Checks: the page loads with no console errors and makes no network request; the inline script and
stylesheet run under the page's hash-based Content-Security-Policy; filters work; the page is
complete with JavaScript off; print media shows collapsed sections; script text cannot run code.
A screenshot is saved in the test's tmp dir and copied to build/report-screenshot.png.

Skipped when no Chromium is installed (Debian: ``apt-get install chromium``; or set
``SIMCHECK_CHROMIUM`` to a Chrome/Chromium binary). The DevTools client below is a minimal
stdlib WebSocket client: no extra dependency.
"""

from __future__ import annotations

import base64
import json
import os
import select
import socket
import struct
import subprocess
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import pytest

from simcheck.render.html import render_html
from tools.chromium import FLAGS, find_chromium

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = Path(__file__).parent / "data" / "report_sample.json"
STABLE_SCREENSHOT = ROOT / "build" / "report-screenshot.png"


class DevTools:
    """A tiny Chrome DevTools Protocol client over one WebSocket (RFC 6455, client side)."""

    def __init__(self, url: str, timeout: float = 20.0) -> None:
        parsed = urlparse(url)
        host, port = parsed.hostname or "127.0.0.1", parsed.port or 80
        self.sock = socket.create_connection((host, port), timeout=timeout)
        key = base64.b64encode(os.urandom(16)).decode("ascii")
        request = (
            f"GET {parsed.path} HTTP/1.1\r\nHost: {host}:{port}\r\nUpgrade: websocket\r\n"
            f"Connection: Upgrade\r\nSec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n\r\n"
        )
        self.sock.sendall(request.encode("ascii"))
        head = b""
        while b"\r\n\r\n" not in head:
            chunk = self.sock.recv(4096)
            if not chunk:
                raise ConnectionError("DevTools closed the connection during the handshake")
            head += chunk
        status, _, rest = head.partition(b"\r\n\r\n")
        if b" 101 " not in status.split(b"\r\n", 1)[0]:
            raise ConnectionError(f"WebSocket handshake refused: {status[:200]!r}")
        self.buffer = rest
        self.next_id = 0
        self.events: list[dict[str, Any]] = []

    def close(self) -> None:
        try:
            self._send_frame(b"", opcode=8)
        finally:
            self.sock.close()

    def _send_frame(self, payload: bytes, opcode: int = 1) -> None:
        length = len(payload)
        if length < 126:
            header = struct.pack("!BB", 0x80 | opcode, 0x80 | length)
        elif length < 1 << 16:
            header = struct.pack("!BBH", 0x80 | opcode, 0x80 | 126, length)
        else:
            header = struct.pack("!BBQ", 0x80 | opcode, 0x80 | 127, length)
        mask = os.urandom(4)
        masked = bytes(b ^ mask[i % 4] for i, b in enumerate(payload))
        self.sock.sendall(header + mask + masked)

    def _read(self, count: int) -> bytes:
        while len(self.buffer) < count:
            chunk = self.sock.recv(1 << 16)
            if not chunk:
                raise ConnectionError("DevTools closed the connection")
            self.buffer += chunk
        data, self.buffer = self.buffer[:count], self.buffer[count:]
        return data

    def _message(self) -> dict[str, Any]:
        parts: list[bytes] = []
        while True:
            first, second = self._read(2)
            opcode, final = first & 0x0F, bool(first & 0x80)
            length = second & 0x7F
            if length == 126:
                (length,) = struct.unpack("!H", self._read(2))
            elif length == 127:
                (length,) = struct.unpack("!Q", self._read(8))
            mask = self._read(4) if second & 0x80 else b""
            payload = self._read(length)
            if mask:
                payload = bytes(b ^ mask[i % 4] for i, b in enumerate(payload))
            if opcode == 9:  # ping
                self._send_frame(payload, opcode=10)
                continue
            if opcode == 8:
                raise ConnectionError("DevTools closed the WebSocket")
            if opcode in (0, 1, 2):
                parts.append(payload)
                if final:
                    return dict(json.loads(b"".join(parts).decode("utf-8")))

    def call(self, method: str, **params: Any) -> dict[str, Any]:
        self.next_id += 1
        ident = self.next_id
        self._send_frame(json.dumps({"id": ident, "method": method, "params": params}).encode("utf-8"))
        while True:
            message = self._message()
            if message.get("id") == ident:
                if "error" in message:
                    raise RuntimeError(f"{method}: {message['error']}")
                return dict(message.get("result", {}))
            self.events.append(message)

    def wait_for(self, method: str, timeout: float = 20.0) -> dict[str, Any]:
        deadline = time.monotonic() + timeout
        for event in self.events:
            if event.get("method") == method:
                return event
        while time.monotonic() < deadline:
            message = self._message()
            self.events.append(message)
            if message.get("method") == method:
                return message
        raise TimeoutError(f"no {method} within {timeout} s")

    def settle(self, seconds: float = 0.4) -> None:
        """Collect events for a short while (late console messages, late requests)."""
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            if self.buffer or select.select([self.sock], [], [], 0.05)[0]:
                self.events.append(self._message())

    def evaluate(self, expression: str) -> Any:
        result = self.call("Runtime.evaluate", expression=expression, returnByValue=True)
        if "exceptionDetails" in result:
            raise RuntimeError(f"page script failed: {result['exceptionDetails']}")
        return result["result"].get("value")


@pytest.fixture(scope="module")
def browser(tmp_path_factory: pytest.TempPathFactory) -> Iterator[DevTools]:
    binary = find_chromium()
    if binary is None:
        pytest.skip("Chromium is not installed (apt-get install chromium, or set SIMCHECK_CHROMIUM)")
    profile = tmp_path_factory.mktemp("chromium-profile")
    log = (profile.parent / "chromium.log").open("wb")
    process = subprocess.Popen(
        [binary, *FLAGS, f"--user-data-dir={profile}", "--remote-debugging-port=0", "about:blank"],
        stdout=log,
        stderr=log,
    )
    try:
        port_file = profile / "DevToolsActivePort"
        deadline = time.monotonic() + 60
        while not (port_file.exists() and port_file.read_text().count("\n") >= 1):
            if process.poll() is not None or time.monotonic() > deadline:
                pytest.fail(f"Chromium did not start; see {log.name}")
            time.sleep(0.1)
        port = int(port_file.read_text().split("\n", 1)[0])
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/json/list", timeout=20) as answer:
            targets = json.loads(answer.read())
        page = next(t for t in targets if t.get("type") == "page")
        client = DevTools(page["webSocketDebuggerUrl"])
        for domain in ("Page", "Network", "Runtime", "Log"):
            client.call(f"{domain}.enable")
        client.call(
            "Emulation.setDeviceMetricsOverride", width=1280, height=2000, deviceScaleFactor=1, mobile=False
        )
        yield client
        client.close()
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
        log.close()


def load(client: DevTools, path: Path) -> list[dict[str, Any]]:
    """Navigate to a local file and return the events seen while it loaded."""
    client.events.clear()
    client.call("Page.navigate", url=path.as_uri())
    client.wait_for("Page.loadEventFired")
    client.settle()
    return list(client.events)


def problems(events: list[dict[str, Any]], page_url: str) -> list[str]:
    """Console errors and warnings, exceptions, log errors, and requests for anything but the page."""
    found = []
    for event in events:
        method, params = event.get("method"), event.get("params", {})
        if method == "Runtime.consoleAPICalled" and params.get("type") in ("error", "warning", "assert"):
            found.append(f"console {params.get('type')}: {params.get('args')}")
        elif method == "Runtime.exceptionThrown":
            found.append(f"exception: {params.get('exceptionDetails')}")
        elif method == "Log.entryAdded" and params.get("entry", {}).get("level") in ("error", "warning"):
            entry = params["entry"]
            found.append(f"log {entry.get('level')} ({entry.get('source')}): {entry.get('text')}")
        elif method == "Network.requestWillBeSent":
            url = params.get("request", {}).get("url", "")
            if url != page_url and not url.startswith("data:"):
                found.append(f"request: {url}")
    return found


def write_report(tmp_path: Path, report: dict[str, Any], name: str) -> Path:
    path = tmp_path / name
    path.write_text(render_html(report), encoding="utf-8")
    return path


def sample() -> dict[str, Any]:
    return dict(json.loads(SAMPLE.read_text(encoding="utf-8")))


def test_report_loads_clean_runs_its_script_and_is_screenshotted(browser: DevTools, tmp_path: Path) -> None:
    page = write_report(tmp_path, sample(), "report.html")
    events = load(browser, page)
    assert problems(events, page.as_uri()) == []
    requested = [e for e in events if e.get("method") == "Network.requestWillBeSent"]
    assert [e["params"]["request"]["url"] for e in requested] == [page.as_uri()]

    # The inline script ran (its CSP hash matches) and the stylesheet applied (its hash matches too).
    assert browser.evaluate("document.documentElement.classList.contains('js')") is True
    assert browser.evaluate("document.getElementById('toolbar').hidden") is False
    colour = "getComputedStyle(document.querySelector('.badge.lv-high')).backgroundColor"
    assert browser.evaluate(colour) == "rgb(180, 35, 24)"

    # Filters: the sample has 5 flagged matches, 2 of them high.
    assert browser.evaluate("document.getElementById('filter-count').textContent") == "5 of 5 matches shown"
    browser.evaluate(
        "(() => { const b = document.querySelector('input[data-filter-level][value=high]'); b.click(); })()"
    )
    assert browser.evaluate("document.getElementById('filter-count').textContent") == "3 of 5 matches shown"
    visible = browser.evaluate(
        "Array.from(document.querySelectorAll('#evidence details.match')).filter(d => !d.hidden)"
        ".map(d => d.dataset.level)"
    )
    assert sorted(visible) == ["low", "medium", "medium"]
    browser.evaluate("document.querySelector('input[data-filter-level][value=high]').click()")

    # j / k jump between matches (and open the one jumped to).
    first_two = browser.evaluate(
        "Array.from(document.querySelectorAll('#evidence details.match')).map(d => d.id)"
    )
    for key, expected in (("j", first_two[0]), ("j", first_two[1]), ("k", first_two[0])):
        browser.call("Input.dispatchKeyEvent", type="keyDown", key=key, text=key)
        browser.call("Input.dispatchKeyEvent", type="keyUp", key=key)
        assert browser.evaluate("document.activeElement.closest('details').id") == expected
    browser.evaluate("window.scrollTo(0, 0)")

    shot = browser.call("Page.captureScreenshot", format="png")
    png = base64.b64decode(shot["data"])
    assert png.startswith(b"\x89PNG") and len(png) > 20_000
    (tmp_path / "report.png").write_bytes(png)
    STABLE_SCREENSHOT.parent.mkdir(parents=True, exist_ok=True)
    STABLE_SCREENSHOT.write_bytes(png)


def test_script_text_cannot_run_or_fetch(browser: DevTools, tmp_path: Path) -> None:
    report = sample()
    hostile = (
        '<script>window.__pwned = 1</script></textarea><img src=x onerror="window.__pwned = 2">'
        '"onerror="window.__pwned=3" {{ 7*7 }} <img src="http://example.invalid/x.png">'
    )
    report["draft"]["title"] = hostile
    report["draft"]["scenes"][0]["heading"] = hostile
    report["references"][0]["title"] = hostile
    report["matches"][0]["evidence"][0]["draft_text"] = hostile
    report["matches"][0]["reference_scene_heading"] = hostile
    report["matches"][0]["names"] = [
        {"draft": hostile, "reference": "</svg><script>window.__pwned=4</script>"}
    ]
    page = write_report(tmp_path, report, "hostile.html")
    events = load(browser, page)
    assert problems(events, page.as_uri()) == []
    assert browser.evaluate("typeof window.__pwned") == "undefined"
    assert browser.evaluate("document.querySelectorAll('script').length") == 1
    assert browser.evaluate("document.querySelectorAll('img').length") == 0
    assert browser.evaluate("document.querySelector('h1').textContent") == hostile


def test_page_is_complete_without_javascript_and_prints_everything(browser: DevTools, tmp_path: Path) -> None:
    report = sample()
    # Enough matches that cards start collapsed.
    extra = [dict(report["matches"][2], draft_scene=n) for n in (1, 8)] * 4
    report["matches"] = report["matches"] + extra
    page = write_report(tmp_path, report, "nojs.html")
    browser.call("Emulation.setScriptExecutionDisabled", value=True)
    try:
        events = load(browser, page)
        assert problems(events, page.as_uri()) == []
        assert browser.evaluate("document.documentElement.classList.contains('js')") is False
        # The toolbar needs JavaScript, so it stays hidden; the evidence is all in the page.
        assert browser.evaluate("document.getElementById('toolbar').hidden") is True
        closed = "document.querySelectorAll('#evidence details.match:not([open])').length"
        assert browser.evaluate(closed) == 13
        first_closed = "document.querySelector('#evidence details.match:not([open])')"
        shown = f"{first_closed}.querySelector('.passage').checkVisibility()"
        height = f"{first_closed}.getBoundingClientRect().height"
        assert browser.evaluate(shown) is False  # collapsed on screen
        closed_height = browser.evaluate(height)
        browser.call("Emulation.setEmulatedMedia", media="print")
        assert browser.evaluate(shown) is True  # printed: every section open, nothing cut
        assert browser.evaluate(height) > closed_height + 100
        overflow = (
            "Array.from(document.querySelectorAll('.passage'))"
            ".filter(p => p.scrollHeight > p.clientHeight + 1).length"
        )
        assert browser.evaluate(overflow) == 0
    finally:
        browser.call("Emulation.setEmulatedMedia", media="")
        browser.call("Emulation.setScriptExecutionDisabled", value=False)


def test_printed_pdf_has_every_passage_side_by_side(browser: DevTools, tmp_path: Path) -> None:
    """Print to PDF (JavaScript off, cards collapsed): every passage word is printed, the two sides of a
    passage pair share a line on the page (a printed page is narrower than the narrow-screen layout)."""
    import io

    import pdfplumber

    report = sample()
    report["matches"] = report["matches"] + [dict(report["matches"][2], draft_scene=n) for n in (1, 8)] * 4
    page = write_report(tmp_path, report, "print.html")
    browser.call("Emulation.setScriptExecutionDisabled", value=True)
    try:
        load(browser, page)
        assert browser.evaluate("document.querySelectorAll('#evidence details.match:not([open])').length") > 0
        printed = browser.call("Page.printToPDF", printBackground=True, paperWidth=8.27, paperHeight=11.69)
    finally:
        browser.call("Emulation.setScriptExecutionDisabled", value=False)
    pdf_bytes = base64.b64decode(printed["data"])
    (tmp_path / "report.pdf").write_bytes(pdf_bytes)

    def key(word: str) -> str:
        return "".join(c for c in word.lower() if c.isalnum())

    with pdfplumber.open(io.BytesIO(pdf_bytes)) as pdf:
        words = [(number, w) for number, p in enumerate(pdf.pages) for w in p.extract_words()]
        width = float(pdf.pages[0].width)
    printed_words = {key(w["text"]) for _, w in words}
    for match in report["matches"]:
        for ev in match["evidence"]:
            for text in (ev["draft_text"], ev["reference_text"]):
                missing = {key(w) for w in text.split()} - printed_words - {""}
                assert not missing, (text, missing)

    # Scene 5's semantic pair: draft "The Board says ..." beside reference "From March the beacon ...".
    left = [(n, w) for n, w in words if w["text"] == "Board"]
    right = [(n, w) for n, w in words if w["text"] == "March"]
    assert any(
        n == m and abs(a["top"] - b["top"]) < 3 and b["x0"] - a["x0"] > width / 4
        for n, a in left
        for m, b in right
    ), "draft and reference passages are not printed side by side"


def test_a_pdf_drafts_evidence_shows_its_pages(browser: DevTools, tmp_path: Path) -> None:
    """A PDF draft compared for real (PDF reader, fake embedder): the page a writer holds shows page
    and line numbers, not the line numbers of simcheck's reconstructed text."""
    import re

    from click.testing import CliRunner
    from handmade import screenplay_pdf

    from simcheck.cli import cli

    fixtures = Path(__file__).parent / "fixtures" / "compare"
    text = (fixtures / "salt_and_signal.fountain").read_text(encoding="utf-8")
    draft = tmp_path / "salt.pdf"
    draft.write_bytes(screenplay_pdf(text[text.index("EXT. HARBOUR WALL") :], lines_per_page=30))
    page = tmp_path / "salt.html"
    against = ["--against", str(fixtures / "keepers_daughter.fountain")]
    result = CliRunner().invoke(cli, ["compare", str(draft), *against, "--model", "hash-64", "-o", str(page)])
    assert result.exit_code == 3, result.output
    events = load(browser, page)
    assert problems(events, page.as_uri()) == []
    shown = browser.evaluate("document.getElementById('evidence').innerText")  # what is rendered
    assert "Draft \u00b7 scene 2 \u00b7 page 1, line 17 \u2013 page 2, line 17" in shown
    assert re.search(r"Draft scene 2\s+INT\. LAMP ROOM - NIGHT\s+page 1\n", shown)  # the scene heading
    assert "Draft \u00b7 scene 2 \u00b7 line" not in shown  # no reconstructed-text line numbers
    box = browser.evaluate(
        "(() => { const r = Array.from(document.querySelectorAll('#evidence .ln'))"
        ".find(e => e.textContent.includes('page 1, line 17')).getBoundingClientRect();"
        " return [r.width, r.height]; })()"
    )
    assert box[0] > 50 and box[1] > 5  # laid out, not hidden


def with_story(report: dict[str, Any], hostile: str) -> dict[str, Any]:
    """The sample with a story finding (schema 2) on its second reference, written by hand."""
    texts = [
        ("Harbour lights flicker. The crew hauls the nets in silence.", "The fleet comes in at dusk."),
        ("The letter arrives; nobody dares open it.", "A letter lies unopened on the table."),
        ("At the wake the brothers quarrel over the boat.", "The brothers fight over the boat."),
    ]
    chain = [
        {
            "draft_scene": k + 2,
            "draft_unit": k + 2,
            "reference_scene": 3 * k + 1,
            "reference_unit": 3 * k + 1,
            "similarity": 0.5 + 0.1 * k,
            "draft": {"start": 100 * k, "end": 100 * k + 90, "line": 10 * k + 1},
            "reference": {"start": 80 * k, "end": 80 * k + 70, "line": 9 * k + 1},
            "draft_heading": f"INT. SCENE {k + 2}",
            "reference_heading": f"EXT. REFERENCE SCENE {3 * k + 1}",
            "draft_text": draft + ("\n" + hostile if k == 1 else ""),
            "reference_text": ref,
            "draft_words": 300,
            "reference_words": 280,
            "shared": ["letter", "boat", "brothers", "harbour", "fleet"],
        }
        for k, (draft, ref) in enumerate(texts)
    ]
    report = {**report, "schema_version": 2}
    report["references"] = [dict(r) for r in report["references"]]
    report["references"][1]["story"] = {
        "score": 0.8,
        "level": "medium",
        "rarity": 4.4,
        "coverage": 0.8,
        "reference_coverage": 0.6,
        "units": 8,
        "prose": False,
        "chain": chain,
        "characters": [{"draft": hostile, "reference": "MAREN", "support": 3, "share": 1.0}],
        "allowed": False,
        "allowed_by": None,
    }
    return report


def test_a_story_finding_shows_its_chain_side_by_side(browser: DevTools, tmp_path: Path) -> None:
    hostile = '<script>window.__pwned = 5</script><img src=x onerror="window.__pwned = 6">'
    page = write_report(tmp_path, with_story(sample(), hostile), "story.html")
    events = load(browser, page)
    assert problems(events, page.as_uri()) == []
    assert browser.evaluate("typeof window.__pwned") == "undefined"
    assert browser.evaluate("document.querySelectorAll('img').length") == 0
    assert browser.evaluate("document.querySelectorAll('#story .story-link').length") == 3
    # the draft unit and the reference scene stand side by side, the shared words marked
    tops = browser.evaluate(
        "Array.from(document.querySelectorAll('#story .story-link')[0].querySelectorAll('.side'))"
        ".map(s => [Math.round(s.getBoundingClientRect().top), Math.round(s.getBoundingClientRect().left)])"
    )
    assert len(tops) == 2 and tops[0][0] == tops[1][0] and tops[0][1] < tops[1][1]
    marks = browser.evaluate("Array.from(document.querySelectorAll('#story mark')).map(m => m.textContent)")
    assert {"Harbour", "letter", "boat", "brothers", "fleet"} <= set(marks)
    # the chain on the scene map links to its rows
    assert browser.evaluate("document.querySelectorAll('.chain-cell').length") == 3
    browser.evaluate("document.getElementById('story').scrollIntoView()")
    shot = browser.call("Page.captureScreenshot", format="png")
    (tmp_path / "story.png").write_bytes(base64.b64decode(shot["data"]))

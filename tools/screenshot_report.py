"""Screenshot an evidence report in headless Chromium (for docs/report.png).

    python tools/screenshot_report.py [REPORT.json | REPORT.html] [-o docs/report.png]

A ``.json`` input is a ``simcheck compare --format json`` report, rendered here with
``simcheck.render.html.render_html``; a ``.html`` input is taken as it is. Default input:
tests/data/report_sample.json. Needs Chromium (Debian: ``apt-get install chromium``) or
``SIMCHECK_CHROMIUM`` pointing to a Chrome/Chromium binary.
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tools.chromium import FLAGS, find_chromium  # noqa: E402


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "report", nargs="?", type=Path, default=ROOT / "tests" / "data" / "report_sample.json"
    )
    parser.add_argument("-o", "--output", type=Path, default=ROOT / "docs" / "report.png")
    parser.add_argument("--width", type=int, default=1280)
    parser.add_argument("--height", type=int, default=2000)
    args = parser.parse_args(argv)

    binary = find_chromium()
    if binary is None:
        print(
            "error: Chromium not found (apt-get install chromium, or set SIMCHECK_CHROMIUM)", file=sys.stderr
        )
        return 1
    with tempfile.TemporaryDirectory() as work:
        page = Path(work) / "report.html"
        if args.report.suffix.lower() == ".json":
            from simcheck.render.html import render_html

            page.write_text(
                render_html(json.loads(args.report.read_text(encoding="utf-8"))), encoding="utf-8"
            )
        else:
            shutil.copyfile(args.report, page)
        shot = Path(work) / "shot.png"
        command = [
            binary,
            *FLAGS,
            f"--user-data-dir={Path(work) / 'profile'}",
            f"--window-size={args.width},{args.height}",
            f"--screenshot={shot}",
            page.as_uri(),
        ]
        result = subprocess.run(command, capture_output=True, timeout=120, check=False)
        if result.returncode != 0 or not shot.exists():
            tail = result.stderr.decode("utf-8", "replace").strip().splitlines()[-3:]
            print(f"error: Chromium could not take the screenshot: {' / '.join(tail)}", file=sys.stderr)
            return 1
        args.output.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(shot, args.output)
    print(f"wrote {args.output}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

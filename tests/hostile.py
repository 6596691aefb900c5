"""The hostile-input generator: real-world and malicious inputs, and a runner that measures each run.

``build(root)`` writes every input under ``root`` (links out of a reference folder, a FIFO, drafts that
read as nothing, terminal escape codes in titles and file names, huge-but-legal files, bombs) and
returns the ``Case`` list: the ``simcheck`` command line of each and what it must end with (exit code,
a line it must print). ``run(case, root)`` runs one in a fresh process (the fake embedder registered,
as in the tests) and measures its wall time and peak resident memory (``wait4``'s ``ru_maxrss``).

    python -m tests.hostile [--keep DIR] [NAME_SUBSTRING...]

runs the whole set and prints one row per case (exit, seconds, peak MB, verdict).
"""

from __future__ import annotations

import os
import random
import re
import shutil
import signal
import subprocess
import sys
import time
import zlib
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

HERE = Path(__file__).resolve().parent
PROJECT = HERE.parent
FIXTURES = HERE / "fixtures" / "compare"
RUNNER = HERE / "hostile_cli.py"
FAKE_MODEL = ("--model", "hash-64")  # the tests' fake embedder (hostile_cli.py registers it)

LIMIT_SECONDS = 30.0  # issue 15: no run over 30 s
LIMIT_RSS_BYTES = 2 * 1024**3  # issue 15: at most 2 GB of memory for any single file
TRACEBACK = "Traceback (most recent call last)"
# what a terminal would act on: C0 controls but newline and tab, DEL, C1 controls (8-bit CSI, OSC...)
TERMINAL_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f]")

WORDS = (
    "the harbour light keeper walks slowly toward a door and listens to rain at night while she says "
    "nothing about ledgers ropes gulls tide lanterns kettles oars nets salt brine anchors decks"
).split()


@dataclass(frozen=True)
class Case:
    """One hostile run: ``args`` for ``simcheck`` (run in the case folder) and what must come of it."""

    name: str
    args: tuple[str, ...]
    exit_codes: tuple[int, ...]  # acceptable exit statuses
    says: str = ""  # a substring the output (stdout + stderr) must hold
    never: tuple[str, ...] = ()  # substrings the output must never hold (leaked text, file names)
    terminal: bool = False  # output must hold no terminal control character
    one_line_error: bool = False  # stderr is exactly one line
    heavy: bool = False  # a large input (still refused within seconds)
    seconds_limit: float | None = LIMIT_SECONDS  # None: an allowed input, timed but not judged on time


@dataclass
class Outcome:
    case: Case
    exit_code: int
    seconds: float
    peak_rss: int  # bytes
    stdout: str
    stderr: str
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


# --- writing the inputs ------------------------------------------------------------------------


def words(n: int, seed: int = 1) -> str:
    rng = random.Random(seed)
    return " ".join(rng.choice(WORDS) for _ in range(n))


def fountain_script(title: str, scenes: int, seed: int = 1, speech_words: int = 30) -> str:
    rng = random.Random(seed)
    out = [f"Title: {title}", "", ""]
    for number in range(1, scenes + 1):
        out += [f"INT. ROOM {number} - NIGHT", "", words(40, rng.randrange(1 << 30)), ""]
        for speaker in ("MARA", "TOBIAS"):
            out += [speaker, words(speech_words, rng.randrange(1 << 30)), ""]
    return "\n".join(out) + "\n"


def pdf_document(pages: int, content: bytes, *, deflated: bytes | None = None) -> bytes:
    """A valid PDF of ``pages`` pages that all draw one shared content stream (Courier); ``deflated``:
    that stream already compressed (FlateDecode)."""
    stream = deflated if deflated is not None else content
    filters = b" /Filter /FlateDecode" if deflated is not None else b""
    first_page = 5
    objects: list[bytes] = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Count %d /Kids [%s] >>"
        % (pages, b" ".join(b"%d 0 R" % (first_page + i) for i in range(pages))),
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Courier >>",
        b"<< /Length %d%s >>\nstream\n%s\nendstream" % (len(stream), filters, stream),
    ]
    page = b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Resources << /Font << /F1 3 0 R >> >> "
    objects += [page + b"/Contents 4 0 R >>"] * pages
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)


def _spaces_deflated(size: int) -> bytes:
    """A text-drawing content stream padded with ``size`` spaces, deflated without holding it whole."""
    packer = zlib.compressobj(1)  # fast; still ~200:1 on spaces
    out = [packer.compress(b"BT /F1 12 Tf 100 700 Td (x) Tj ET\n")]
    block = b" " * (1 << 20)
    for _ in range(size >> 20):
        out.append(packer.compress(block))
    out.append(packer.flush())
    return b"".join(out)


def page_content(lines: list[tuple[float, str]]) -> bytes:
    """A content stream writing each (x in points, text) line down a letter page, 12 pt apart."""
    out = [b"BT /F1 12 Tf 14 TL"]
    y = 720.0
    for x, text in lines:
        safe = text.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")
        out.append(b"1 0 0 1 %.1f %.1f Tm (%s) Tj" % (x, y, safe.encode("latin-1")))
        y -= 12.0
    out.append(b"ET")
    return b"\n".join(out)


def screenplay_page(seed: int) -> bytes:
    rng = random.Random(seed)
    lines: list[tuple[float, str]] = [(108.0, "INT. LIGHTHOUSE - NIGHT"), (108.0, "")]
    while len(lines) < 50:
        lines += [(108.0, words(9, rng.randrange(1 << 30))), (108.0, "")]
        lines += [(266.0, "MARA"), (180.0, words(6, rng.randrange(1 << 30))), (108.0, "")]
    return page_content(lines[:54])


def fdx_document(paragraphs: int) -> bytes:
    body = b"<Paragraph><Text>a</Text></Paragraph>" * paragraphs
    return (
        b'<?xml version="1.0"?>\n<FinalDraft DocumentType="Script"><Content>'
        + body
        + b"</Content></FinalDraft>"
    )


def _write(path: Path, data: str | bytes) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(data, str):
        path.write_text(data, encoding="utf-8")
    else:
        path.write_bytes(data)
    return path


def build(root: Path, *, heavy: bool = True, model: tuple[str, ...] = FAKE_MODEL) -> list[Case]:  # noqa: C901
    """Write every hostile input under ``root`` and return the cases (``heavy``: the large ones too;
    ``model``: the ``--model`` arguments of the commands that embed, ``()`` for the real default)."""
    root.mkdir(parents=True, exist_ok=True)
    cases: list[Case] = []
    add = cases.append
    secret = "quartermaster-zebra-oolong"  # words only the file outside the references holds

    # references with links that lead out of the folder given
    refs = root / "refs"
    for name in ("keepers_daughter.fountain", "orchard_debts.fountain"):
        _write(refs / name, (FIXTURES / name).read_bytes())
    outside = root / "outside"
    _write(
        outside / "secret.fountain", fountain_script(f"Private {secret}", 3, seed=7).replace("MARA", secret)
    )
    _write(outside / "notes.txt", f"Private notes of {secret}.\n\n" + words(300, 3) + "\n")
    (refs / "shadow.fountain").symlink_to(outside / "secret.fountain")
    (refs / "more").symlink_to(outside, target_is_directory=True)
    (refs / "sub").mkdir()
    (refs / "sub" / "again.fountain").symlink_to(refs / "orchard_debts.fountain")  # inside: no leak
    draft = _write(root / "draft.fountain", (FIXTURES / "salt_and_signal.fountain").read_bytes())
    add(
        Case(
            "index: links out of the folder are skipped",
            ("index", "refs", "--index", "idx-links", *model, "-q"),
            (0,),
            says="leads outside",
            never=(secret,),
        )
    )
    add(
        Case(
            "compare --against: links out of the folder are not followed",
            ("compare", "draft.fountain", "--against", "refs", *model, "--format", "json"),
            (0, 3),
            says="leads outside",
            never=(secret,),
        )
    )

    # drafts that read as nothing must not pass the gate
    _write(root / "title_only.fountain", "Title: Nothing Here\nAuthor: Nobody\n")
    _write(root / "boneyard.fountain", "/*\n" + words(200) + "\n*/\n")
    _write(root / "headings_only.fountain", "INT. ROOM - DAY\n\nEXT. YARD - NIGHT\n\n")
    for name in ("title_only", "boneyard", "headings_only"):
        add(
            Case(
                f"draft read as nothing: {name}",
                ("compare", f"{name}.fountain", "--against", str(draft), *model),
                (1,),
                says="nothing to compare",
                one_line_error=True,
            )
        )

    # path options that are not regular files
    os.mkfifo(root / "fifo.fountain")
    os.mkfifo(root / "allow.fifo")
    (root / "a_folder.fountain").mkdir()
    against = ("--against", str(draft), *model)
    for label, args, code in (
        ("--allowlist /dev/zero", ("compare", "draft.fountain", "--allowlist", "/dev/zero", *against), 1),
        ("--allowlist FIFO", ("compare", "draft.fountain", "--allowlist", "allow.fifo", *against), 1),
        ("--allowlist folder", ("compare", "draft.fountain", "--allowlist", "refs", *against), 1),
        ("draft FIFO", ("compare", "fifo.fountain", *against), 1),
        ("draft /dev/zero", ("compare", "/dev/zero", *against), 1),
        ("draft folder", ("compare", "a_folder.fountain", *against), 1),
        ("parse FIFO", ("parse", "fifo.fountain"), 1),
        ("--against FIFO", ("compare", "draft.fountain", "--against", "fifo.fountain", *model), 1),
        ("--against /dev/zero", ("compare", "draft.fountain", "--against", "/dev/zero", *model), 1),
        ("missing draft", ("compare", "no_such_draft.fountain", *against), 1),
        ("diff of /dev/zero", ("diff", "/dev/zero", "/dev/zero"), 1),
        ("diff of a FIFO", ("diff", "fifo.fountain", "fifo.fountain"), 1),
    ):
        add(Case(f"path option: {label}", args, (code,), one_line_error=True))
    (root / "full.json").symlink_to("/dev/full")  # a report written to a full disk
    add(
        Case(
            "output: disk full",
            ("compare", "draft.fountain", *against, "-o", "full.json"),
            (1,),
            says="no space left",
            one_line_error=True,
        )
    )
    os.mkfifo(root / "out.json")
    add(
        Case(
            "output: a FIFO",
            ("compare", "draft.fountain", *against, "-o", "out.json"),
            (2,),
            one_line_error=True,
        )
    )

    # terminal escape codes in a title, a heading, a cue and a file name
    escapes = "\x1b]0;pwned\x07\x1b[2J\x1b]8;;http://evil.example/\x1b\\link\x1b]8;;\x1b\\\x9b31m\u202e"
    _write(
        root / "escapes.fountain",
        f"Title: Night{escapes} Shift\n\nINT. ROOM{escapes} - NIGHT\n\n{words(30)}{escapes}\n\n"
        f"MARA{escapes}\n{words(20, 2)}\n",
    )
    add(Case("escapes: parse", ("parse", "escapes.fountain"), (0,), terminal=True))
    add(Case("escapes: parse json", ("parse", "escapes.fountain", "--format", "json"), (0,), terminal=True))
    add(
        Case(
            "escapes: text summary",
            ("compare", "escapes.fountain", *against, "--format", "text"),
            (0, 3),
            terminal=True,
        )
    )
    bad_name = f"bad{escapes}.docx"
    _write(root / bad_name, "x")
    add(
        Case(
            "escapes: in an error's file name", ("parse", bad_name), (1,), terminal=True, one_line_error=True
        )
    )
    add(
        Case(
            "escapes: in a draft's file name",
            ("compare", bad_name.replace(".docx", ".fountain"), *against),
            (1,),
            terminal=True,
            one_line_error=True,
        )
    )

    # bombs the readers already refuse (kept in the set so that they stay refused)
    lol = '<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">]>'
    _write(
        root / "laughs.fdx", f'<?xml version="1.0"?>\n{lol}<FinalDraft><Content>&lol2;</Content></FinalDraft>'
    )
    add(Case("xml entities", ("parse", "laughs.fdx"), (1,), one_line_error=True))
    _write(
        root / "deep.fdx",
        "<FinalDraft><Content>" + "<a>" * 100_000 + "</a>" * 100_000 + "</Content></FinalDraft>",
    )
    add(Case("xml nested 10^5 deep", ("parse", "deep.fdx"), (0, 1)))
    _write(root / "binary.fountain", bytes(range(256)) * 64)
    add(Case("binary bytes", ("parse", "binary.fountain"), (1,), one_line_error=True))

    if heavy:
        _heavy_cases(root, add, against, model)
    return cases


def _heavy_cases(
    root: Path, add: Callable[[Case], None], against: tuple[str, ...], model: tuple[str, ...]
) -> None:
    """Large inputs: what the issue measured (2,000 pages, 10^6 paragraphs, a 10 MB line...)."""
    pages = pdf_document(2000, screenplay_page(5))
    empty_pages = pdf_document(200_000, b"BT ET")  # 32 MB
    dense = page_content([(72.0, "W" * 90) for _ in range(3000)])
    long_play = fountain_script("Long", 2500, seed=9)
    inputs: tuple[tuple[str, str, Callable[[], str | bytes], tuple[str, ...], tuple[int, ...], str], ...] = (
        # name, file, its content, the command after the file, exit codes, what the message must say
        ("PDF of 2,000 pages", "pages_2000.pdf", lambda: pages, ("parse",), (1,), "pages"),
        ("PDF of 200,000 empty pages", "pages_200000.pdf", lambda: empty_pages, ("parse",), (1,), "pages"),
        (
            "PDF of 2,000 pages as a draft",
            "pages_2000.pdf",
            lambda: pages,
            ("compare", *against),
            (1,),
            "pages",
        ),
        (
            "PDF content stream inflating to 300 MB",
            "flate_bomb.pdf",
            lambda: pdf_document(1, b"", deflated=_spaces_deflated(300_000_000)),
            ("parse",),
            (1,),
            "inflate",
        ),
        (
            "PDF page of 270,000 characters",
            "dense_page.pdf",
            lambda: pdf_document(1, dense),
            ("parse",),
            (1,),
            "",
        ),
        (
            "FDX of 10^6 paragraphs",
            "paragraphs_1e6.fdx",
            lambda: fdx_document(1_000_000),
            ("parse",),
            (1,),
            "paragraphs",
        ),
        (
            "one 10 MB line",
            "line_10mb.fountain",
            lambda: words(1_700_000, 4) + "\n",
            ("parse",),
            (1,),
            "line",
        ),
        (
            "index a 2 MB single-line file",
            "single/line_2mb.txt",
            lambda: words(340_000, 5) + "\n",
            ("index", "--index", "idx-single", *model, "-q"),
            (1,),
            "line",
        ),
        (
            "one 2 MB word",
            "word_2mb.fountain",
            lambda: "INT. ROOM - DAY\n\n" + "A" * 2_000_000 + "\n",
            ("compare", *against),
            (1,),
            "",
        ),
        ("3 million short lines", "lines_3e6.fountain", lambda: "a\n" * 3_000_000, ("parse",), (1,), "lines"),
        (
            "a script of 2,500 scenes",
            "long_play.fountain",
            lambda: long_play,
            ("compare", *against),
            (1,),
            "passages",
        ),
        (
            "index a script of 2,500 scenes",
            "big_refs/long.fountain",
            lambda: long_play,
            ("index", "--index", "idx-big", *model, "-q"),
            (1,),
            "passages",
        ),
    )
    for name, file, content, (command, *rest), codes, says in inputs:
        if not (root / file).exists():
            _write(root / file, content())
        target = file.split("/")[0] if command == "index" else file  # index walks the folder
        add(
            Case(
                name,
                (command, target, *rest),
                codes,
                says=says,
                one_line_error=command != "index",
                heavy=True,
            )
        )


# --- running them ------------------------------------------------------------------------------


def run(
    case: Case, root: Path, timeout: float = 2 * LIMIT_SECONDS, command: tuple[str, ...] | None = None
) -> Outcome:
    """Run ``case`` in a fresh process in ``root``; its time, peak memory and what it printed.
    ``command``: what runs ``simcheck`` (default: ``hostile_cli.py``, with the fake embedder); it must
    write its peak memory where ``SIMCHECK_HOSTILE_RSS`` says (else only polling measures it)."""
    rss_file = root / ".peak-rss"
    rss_file.unlink(missing_ok=True)
    env = {**os.environ, "PYTHONPATH": str(PROJECT), "COLUMNS": "100", "SIMCHECK_HOSTILE_RSS": str(rss_file)}
    out_path, err_path = root / ".stdout", root / ".stderr"
    started = time.perf_counter()
    with open(out_path, "wb") as out, open(err_path, "wb") as err:
        process = subprocess.Popen(
            [*(command or (sys.executable, str(RUNNER))), *case.args],
            cwd=root,
            env=env,
            stdout=out,
            stderr=err,
            stdin=subprocess.DEVNULL,
            start_new_session=True,
        )
        status, polled = _wait(process.pid, timeout)
    seconds = time.perf_counter() - started
    code = os.waitstatus_to_exitcode(status) if status is not None else -signal.SIGKILL
    recorded = int(rss_file.read_text()) if rss_file.exists() else 0
    outcome = Outcome(
        case,
        code,
        seconds,
        max(recorded, polled),
        out_path.read_bytes().decode("utf-8", "replace"),
        err_path.read_bytes().decode("utf-8", "replace"),
    )
    outcome.problems.extend(judge(outcome, timed_out=status is None))
    return outcome


def _peak_rss(pid: int) -> int:
    """``VmHWM`` of a running process in bytes (0 once it is gone)."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) * 1024
    except (OSError, ValueError):
        pass
    return 0


def _wait(pid: int, timeout: float) -> tuple[int | None, int]:
    """The exit status (None: killed at ``timeout``) and the peak memory seen while it ran."""
    deadline = time.monotonic() + timeout
    peak = 0
    while True:
        peak = max(peak, _peak_rss(pid))
        done, status = os.waitpid(pid, os.WNOHANG)
        if done:
            return status, peak
        if time.monotonic() > deadline:
            os.killpg(pid, signal.SIGKILL)
            os.waitpid(pid, 0)
            return None, peak
        time.sleep(0.05)


def judge(outcome: Outcome, timed_out: bool = False) -> list[str]:
    """What is wrong with one run (empty: it held up)."""
    case, problems = outcome.case, []
    both = outcome.stdout + outcome.stderr
    if timed_out:
        problems.append(f"killed after {outcome.seconds:.0f} s")
    if outcome.exit_code < 0 and not timed_out:
        problems.append(f"killed by signal {-outcome.exit_code}")
    if TRACEBACK in both:
        problems.append("traceback")
    if case.seconds_limit is not None and outcome.seconds > case.seconds_limit:
        problems.append(f"{outcome.seconds:.1f} s (limit {case.seconds_limit:.0f})")
    if outcome.peak_rss > LIMIT_RSS_BYTES:
        problems.append(f"{outcome.peak_rss / 1e9:.2f} GB of memory (limit 2 GB)")
    if outcome.exit_code not in case.exit_codes:
        problems.append(f"exit {outcome.exit_code}, expected {' or '.join(map(str, case.exit_codes))}")
    if case.says and case.says.lower() not in both.lower():
        problems.append(f"does not say {case.says!r}")
    for text in case.never:
        if text in both:
            problems.append(f"printed {text!r}")
    if case.terminal and TERMINAL_CONTROL.search(both.replace("\t", " ")):
        problems.append("terminal control characters in the output")
    if case.one_line_error and len(outcome.stderr.strip().splitlines()) != 1:
        problems.append(f"{len(outcome.stderr.strip().splitlines())} lines on stderr, expected one")
    return problems


def main(argv: list[str]) -> int:
    keep = None
    if argv[:1] == ["--keep"]:
        keep, argv = Path(argv[1]), argv[2:]
    root = keep or Path(os.environ.get("TMPDIR", "/tmp")) / f"simcheck-hostile-{os.getpid()}"
    if root.exists():
        shutil.rmtree(root)
    try:
        cases = [c for c in build(root) if not argv or any(a in c.name for a in argv)]
        failed = 0
        for case in cases:
            outcome = run(case, root)
            failed += not outcome.ok
            verdict = "ok" if outcome.ok else "FAIL: " + "; ".join(outcome.problems)
            print(
                f"{case.name[:52]:<52} exit {outcome.exit_code:>3} {outcome.seconds:6.1f} s "
                f"{outcome.peak_rss / 1e6:7.0f} MB  {verdict}",
                flush=True,
            )
        print(f"{len(cases) - failed}/{len(cases)} held up")
        return 1 if failed else 0
    finally:
        if keep is None:
            shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

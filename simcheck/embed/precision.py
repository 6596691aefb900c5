"""Which dtype the BERT path runs in: float32, or bf16 autocast on a CUDA GPU where it agrees.

bf16 runs the default model about 3-4x faster on an H200 (benchmarks/RESULTS.md), but a GPU, a driver or
a model may round differently: so bf16 is chosen (``auto``) only when an agreement test against float32 on
fixed sentences holds a cosine of at least ``settings.EMBED_BF16_MIN_COSINE``.
"""

from __future__ import annotations

from collections.abc import Callable

from simcheck.settings import EMBED_BF16_MIN_COSINE

PRECISIONS = ("auto", "float32", "bfloat16")

# The agreement test of bf16 against float32: fixed sentences of the kinds a screenplay holds, short to
# past the model's 256-token limit. Fixed, so that the choice is the same on every run of a machine.
AGREEMENT_TEXTS: tuple[str, ...] = (
    "",
    "Yes.",
    "No. Not tonight.",
    "INT. LIGHTHOUSE - NIGHT",
    "EXT. HARBOUR WALL - DAWN",
    "She turns away from the window and lights the lamp.",
    "I will never forgive you for burning the letters.",
    "You burned my letters and I will not forgive that.",
    "The train to the coast leaves at seven in the morning.",
    "KANE (V.O.) Rosebud... (beat) Caf\u00e9, na\u00efve, \u00c6THER \u2014 \u201cquoted\u201d words\u2026",
    "What's done cannot be undone. To bed, to bed, to bed!",
    "Now is the winter of our discontent made glorious summer by this sun of York.",
    "He was a good man, I suppose, in the way that weather is good: it happened to you.",
    "(whispering) Don't move. They can hear us through the floor.",
    "The quarterly figures are worse than the board was told, and the auditors arrive on Monday.",
    "MARGARET enters with a tray of cups, sets it down, and waits for somebody to speak first.",
    "If you had told me a year ago that I would be standing here, in this house, asking you for money, "
    "I would have laughed in your face. I am not laughing now.",
    "The storm took the roof off the chapel. " * 12,
    "It is a truth universally acknowledged that a single man in possession of a good fortune must be "
    "in want of a wife, however little known the feelings or views of such a man may be on his first "
    "entering a neighbourhood, and this truth is so well fixed in the minds of the surrounding "
    "families that he is considered the rightful property of some one or other of their daughters.",
    "The storm took the roof off the chapel. " * 60,
    "\u65e5\u672c\u8a9e\u306e\u30c6\u30ad\u30b9\u30c8\u3082\u6df7\u3056\u308b\u3002",
    "Forty-two. Seventeen. Nine hundred and six. The numbers meant nothing to him any more.",
    "Get out. Get out of my house, and take your brother's lies with you.",
    "A long silence. The kettle begins to whistle; nobody moves to take it off the stove.",
)


def choose_precision(
    requested: str, cuda: bool, agreement: Callable[[], float], threshold: float = EMBED_BF16_MIN_COSINE
) -> tuple[str, float | None]:
    """The dtype to run in, and the bf16 agreement measured for it (None where none was measured).

    float32 on the CPU and where asked for; bf16 autocast on CUDA where asked for, or (``auto``) where
    ``agreement()`` (min cosine of bf16 to float32 on fixed sentences) is at least ``threshold``.
    """
    if not cuda or requested == "float32":
        return "float32", None
    measured = agreement()
    chosen = "bfloat16" if requested == "bfloat16" or measured >= threshold else "float32"
    return chosen, measured

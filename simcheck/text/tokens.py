"""Normalised word tokens with their source offsets: the unit of every lexical comparison.

A token's ``norm`` is case- and Unicode-folded (NFKD, combining marks dropped, ``casefold``),
punctuation is not a token, and apostrophes inside words are kept (``don't``). Character names of the
script's cast are masked as ``NAME_TOKEN`` when they are written capitalised, so that renaming a
character does not hide a copied line. ``start``/``end`` point into the text the token came from.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass

NAME_TOKEN = "\u2400name"  # cannot collide with a real word: it starts with a control picture

WORD = re.compile(r"\w+(?:['\u2019]\w+)*", re.UNICODE)  # the one definition of a word

# Words that appear in cue names but are ordinary words too: never masked on their own.
_NAME_STOPWORDS = frozenset(
    """
    a an the of and or to in on at for with by from de la le du von van mr mrs ms miss dr sir lady lord
    king queen prince princess duke duchess earl count countess captain father mother son daughter
    brother sister old young first second third fourth fifth all both man woman men women boy girl
    servant messenger officer soldier soldiers guard guards lord lords citizen citizens voice voices
    doctor nurse waiter maid page clown fool gentleman gentlemen ghost chorus one two three
    """.split()
)


@dataclass(frozen=True)
class Token:
    norm: str
    start: int
    end: int


@functools.lru_cache(maxsize=1 << 17)  # pure; words repeat a lot (17 us -> 0.1 us per call)
def fold(word: str) -> str:
    """Case and Unicode folding of one word: ``Éclair`` -> ``eclair``; curly apostrophes -> ``'``."""
    decomposed = unicodedata.normalize("NFKD", word)
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return stripped.replace("\u2019", "'").casefold()


def name_words(cast: Iterable[str]) -> frozenset[str]:
    """The folded words of the cast's names that are safe to mask (not ordinary words)."""
    words: set[str] = set()
    for name in cast:
        for match in WORD.finditer(name):
            folded = fold(match.group())
            if folded not in _NAME_STOPWORDS and not folded.isdigit() and len(folded) > 1:
                words.add(folded)
    return frozenset(words)


def masked_words(
    text: str, start: int = 0, end: int | None = None, names: frozenset[str] = frozenset()
) -> list[tuple[str, int, int]]:
    """``(norm, start, end)`` of every word of ``text[start:end]``, offsets into ``text``.

    A word whose folded form is in ``names`` and that is written with a capital first letter is
    replaced by ``NAME_TOKEN``; possessives of names (``Kane's``) are masked too.
    """
    stop = len(text) if end is None else end
    out: list[tuple[str, int, int]] = []
    for match in WORD.finditer(text, start, stop):
        word = match.group()
        norm = fold(word)
        if names and word[:1].isupper():
            base = norm[:-2] if norm.endswith("'s") else norm
            if base in names:
                norm = NAME_TOKEN
        out.append((norm, match.start(), match.end()))
    return out


def tokenize(
    text: str,
    start: int = 0,
    end: int | None = None,
    names: frozenset[str] = frozenset(),
) -> list[Token]:
    """``masked_words`` as ``Token`` objects."""
    return [Token(norm, a, b) for norm, a, b in masked_words(text, start, end, names)]


def words(text: str) -> list[str]:
    """The folded words of ``text`` (no offsets, no masking)."""
    return [fold(m.group()) for m in WORD.finditer(text)]


def word_count(text: str) -> int:
    """Number of words of ``text`` as ``words`` counts them (without folding them)."""
    return len(WORD.findall(text))


def shingles(norms: list[str], size: int) -> list[str]:
    """Word n-grams of ``norms`` joined by spaces; a sequence shorter than ``size`` is one shingle."""
    if not norms:
        return []
    if len(norms) <= size:
        return [" ".join(norms)]
    return [" ".join(norms[i : i + size]) for i in range(len(norms) - size + 1)]

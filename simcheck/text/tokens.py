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

# Function words (and a few archaic and filler ones common in scripts): the aligner never seeds on one
# alone (``simcheck.match.seeds``) and the report never underlines them alone (``simcheck.render``).
_STOPWORDS_TEXT = """
    a about above after again against all am an and any are aren't as at be because been before being
    below between both but by can can't cannot could couldn't did didn't do does doesn't doing don't
    down during each few for from further had hadn't has hasn't have haven't having he he'd he'll
    he's her here here's hers herself him himself his how how's i i'd i'll i'm i've if in into is
    isn't it it's its itself let's me more most mustn't my myself no nor not of off on once only or
    other ought our ours ourselves out over own same shan't she she'd she'll she's should shouldn't
    so some such than that that's the their theirs them themselves then there there's these they
    they'd they'll they're they've this those through to too under until up very was wasn't we we'd
    we'll we're we've were weren't what what's when when's where where's which while who who's whom
    why why's will with won't would wouldn't you you'd you'll you're you've your yours yourself
    yourselves oh o ay yes yeah well now just thee thou thy thine hath doth shall upon us also may
    might must one said say says s t d ll m re ve
"""
STOPWORDS = frozenset(_STOPWORDS_TEXT.split())

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

"""The drafts a plagiarist of a *story* would hand in, generated from prose retellings.

``python -m benchmarks.story_variants OUT_DIR`` reads the 20 prose retellings of
``../shared/dev/retellings/nesbit`` (E. Nesbit, 1907; ``truth.json`` maps each to its play in the
corpus) and writes, deterministically (fixed seed), one plain-text prose draft per retelling and kind:

- ``plain``: the retelling as it is.
- ``renamed``: every character renamed, consistently (possessives too): the names are the play's cast
  (the reference Fountain file's character cues, read with ``simcheck.read``) and the recurring
  capitalised words of the retelling that are not ordinary words, titles or places; each gets an
  invented two-syllable name of one shape (``Korvan``, ``Tesil``), seeded per play.
- ``no_quotes``: the quoted speech removed (curly and straight double quotes, a speech running over
  paragraphs included), leaving the narration; fragments left behind (``said he, bitterly.``) dropped.
- ``both``: renamed, then no quotes: the story alone, in other words.
- ``reordered``: ``both`` cut into blocks of about 150-400 words at paragraph boundaries, the blocks
  shuffled (seeded; never the identity).
- ``synopsis``: ``both`` cut to at most ``SYNOPSIS_WORDS`` words, extractively, in story order: the
  story is split into ``SYNOPSIS_SEGMENTS`` stretches of equal length, each gets an equal share of the
  budget, filled with its most central sentences (content-word frequency).
- ``setting``: ``both`` moved to another setting: places and period words replaced (``SETTING``:
  king -> chairman, castle -> headquarters, sword -> pistol, Denmark -> Canada ...).

Ground truth, ``OUT_DIR/truth.json``: ``{"<kind>/<name>.txt": "corpus/plays/...fountain"}`` (paths
relative to ../shared, the form of the retellings' own truth.json), and ``OUT_DIR/details.json``: per
draft the renaming used, its words and its paragraphs (character offsets in the draft) with the
retelling paragraph they come from and, where derivable, the play's scene numbers: the original
retelling's quotations located in the play's scenes (rapidfuzz), the paragraphs between two located
ones given the scenes between them (the story runs in order).

The texts are generated at run time, never written into the project.
"""

from __future__ import annotations

import argparse
import json
import random
import re
import sys
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

SHARED = Path(__file__).resolve().parents[1].parent / "shared"
RETELLINGS = SHARED / "dev" / "retellings"
SEED = 20261207
KINDS = ("plain", "renamed", "no_quotes", "both", "reordered", "synopsis", "setting")
SYNOPSIS_WORDS = 500  # the synopsis: at most 500 words
SYNOPSIS_SEGMENTS = 10  # story stretches that share the synopsis budget equally (keeps the whole plot)
BLOCK_WORDS = (150, 400)  # reordered blocks: paragraphs gathered until at least 150 words (at most ~400)
MIN_FRAGMENT_WORDS = 6  # a paragraph left with fewer words once the speech is gone is dropped
QUOTE_MIN_WORDS = 6  # quotations this long are located in the play (unit -> scene ground truth)
QUOTE_MIN_SCORE = 80.0  # rapidfuzz partial_ratio needed to accept a quotation's scene

# Words that are capitalised but are not a character's name: titles, roles, epithets, peoples, days.
ROLE_WORDS = frozenset(
    """
    all and both of the first second third fourth fifth king queen duke duchess lord lords lady ladies
    prince princess count countess earl sir don signor signior madam master mistress friar father
    mother brother sister son daughter wife husband widow nurse page player players prologue chorus
    epilogue ghost clown fool servant servants messenger officer officers gentleman gentlemen priest
    captain sailor sailors fisherman fishermen knight knights pirate pirates bawd pandar gaoler jailer
    merchant courtezan marshal tyrian porter doctor boy soldier soldiers watchman watch musician
    musicians citizen citizens senator senators poet painter jeweller apothecary steward witch witches
    attendant attendants herald shepherd shepherdess provost abbess governor deputy confessor dowager
    majesty grace highness moor jew english french italian roman romans venetian briton britons indian
    god gods heaven christ sunday monday saturday hercules virgil thane general old young another
    danes others boys justice frenchman athenian athenians hill
    """.split()
)

# The ``setting`` variant: old word -> new word (lower case; case is kept as written). Places first,
# then the period's ranks, buildings, weapons and trades. A place here is never taken for a name.
SETTING: dict[str, str] = {
    # places
    "denmark": "Canada",
    "wittenberg": "Oxford",
    "elsinore": "Toronto",
    "verona": "Chicago",
    "mantua": "Detroit",
    "venice": "New York",
    "belmont": "Greenwich",
    "scotland": "Texas",
    "england": "Japan",
    "france": "Brazil",
    "athens": "Boston",
    "milan": "Toronto",
    "naples": "Miami",
    "sicily": "California",
    "sicilia": "California",
    "bohemia": "Nevada",
    "britain": "Australia",
    "rome": "Washington",
    "padua": "Berkeley",
    "pisa": "Denver",
    "illyria": "Florida",
    "messina": "Monaco",
    "cyprus": "Hawaii",
    "syracuse": "Seattle",
    "ephesus": "Atlanta",
    "epidamnum": "Houston",
    "corinth": "Phoenix",
    "tyre": "Dubai",
    "tarsus": "Lagos",
    "antioch": "Singapore",
    "pentapolis": "Sydney",
    "mitylene": "Manila",
    "vienna": "Berlin",
    "rousillon": "Vermont",
    "paris": "Los Angeles",
    "florence": "Dallas",
    "milford": "Portland",
    "haven": "Harbour",
    "dunsinane": "Aspen",
    "birnam": "Silicon",
    "glamis": "Redmond",
    "cawdor": "Austin",
    "fife": "Ohio",
    "inverness": "Boulder",
    "forres": "Tulsa",
    "arden": "Yosemite",
    "dover": "Miami Beach",
    "burgundy": "Oregon",
    "cornwall": "Maine",
    "albany": "Vermont",
    "gloucester": "Kansas",
    "kent": "Iowa",
    "poland": "Mexico",
    "norway": "Chile",
    "italy": "Argentina",
    "navarre": "Quebec",
    "arragon": "Ontario",
    "centaur": "Ritz",
    "phoenix": "Hilton",
    # ranks and people of the period
    "king": "chairman",
    "kings": "chairmen",
    "queen": "chairwoman",
    "queens": "chairwomen",
    "prince": "heir",
    "princes": "heirs",
    "princess": "heiress",
    "duke": "director",
    "dukes": "directors",
    "duchess": "director",
    "lord": "boss",
    "lords": "executives",
    "count": "manager",
    "countess": "manager",
    "earl": "vice president",
    "thane": "vice president",
    "thanes": "vice presidents",
    "knight": "agent",
    "knights": "agents",
    "courtier": "staffer",
    "courtiers": "staffers",
    "knighted": "promoted",
    "nobles": "board members",
    "nobleman": "board member",
    "noblemen": "board members",
    "subjects": "employees",
    "servant": "assistant",
    "servants": "assistants",
    "page": "intern",
    "messenger": "courier",
    "herald": "spokesman",
    "soldier": "security guard",
    "soldiers": "security guards",
    "army": "security team",
    "armies": "security teams",
    "general": "head of security",
    "friar": "counsellor",
    "priest": "registrar",
    "nun": "nurse",
    "abbess": "matron",
    "shepherd": "farmer",
    "shepherds": "farmers",
    "merchant": "trader",
    "merchants": "traders",
    "gaoler": "warden",
    "jester": "comedian",
    "fool": "comedian",
    "witch": "fortune teller",
    "witches": "fortune tellers",
    "fairy": "stranger",
    "fairies": "strangers",
    "majesty": "boss",
    "highness": "boss",
    # places and things of the period
    "castle": "headquarters",
    "castles": "headquarters",
    "palace": "tower",
    "palaces": "towers",
    "court": "company",
    "courts": "companies",
    "kingdom": "corporation",
    "kingdoms": "corporations",
    "crown": "company",
    "throne": "top job",
    "realm": "market",
    "battlements": "rooftop",
    "dungeon": "basement",
    "monastery": "clinic",
    "convent": "clinic",
    "cell": "office",
    "church": "registry office",
    "chapel": "registry office",
    "tavern": "bar",
    "inn": "hotel",
    "forest": "park",
    "wood": "park",
    "island": "resort",
    "ship": "plane",
    "ships": "planes",
    "sailed": "flew",
    "voyage": "flight",
    "horse": "car",
    "horses": "cars",
    "rode": "drove",
    "sword": "pistol",
    "swords": "pistols",
    "dagger": "knife",
    "daggers": "knives",
    "rapier": "gun",
    "rapiers": "guns",
    "fought": "shot it out",
    "battle": "shootout",
    "battles": "shootouts",
    "war": "takeover battle",
    "wars": "takeover battles",
    "letter": "email",
    "letters": "emails",
    "gold": "cash",
    "ducats": "dollars",
    "crowns": "dollars",
    "pounds": "dollars",
    "ring": "watch",
    "duel": "showdown",
    "banquet": "gala dinner",
    "feast": "party",
    "masque": "costume party",
    "poison": "overdose",
    "gown": "suit",
    "cloak": "coat",
}

STOP_WORDS = frozenset(ROLE_WORDS | set(SETTING))

# Invented names: one shape (onset-vowel-consonant-vowel-consonant: Korvan, Tesil), no gender marking.
ONSETS = ("B", "D", "F", "G", "K", "L", "M", "N", "P", "R", "S", "T", "V", "Z", "Br", "Dr", "Kr", "Tr", "Sk")
VOWELS = ("a", "e", "i", "o", "u")
MIDDLES = ("l", "r", "n", "s", "v", "d", "m", "k", "t")
CODAS = ("n", "r", "l", "s", "k", "x", "m", "d")

WORD = re.compile(r"[A-Za-z][A-Za-z'\u2019-]*")
NAME_WORD = re.compile(r"\b[A-Z][a-z]+\b")
SENTENCE_END = re.compile(r"(?<=[.!?])[\u201d\"']?\s+(?=[\u201c\"A-Z])")


def words(text: str) -> int:
    return len(text.split())


# --- a draft as paragraphs, each remembering where it came from -----------------------------------------


@dataclass(frozen=True)
class Paragraph:
    text: str
    source: int  # index of the retelling paragraph it comes from


def paragraphs_of(text: str) -> list[Paragraph]:
    """Paragraphs at blank lines, the source's line breaks inside a paragraph joined by spaces."""
    parts = [" ".join(p.split()) for p in re.split(r"\n\s*\n", text)]
    return [Paragraph(p, k) for k, p in enumerate(q for q in parts if q)]


def render(paragraphs: Sequence[Paragraph]) -> tuple[str, list[dict[str, int]]]:
    """The draft text (paragraphs wrapped at 72 columns, blank lines between) and each paragraph's
    character span and source paragraph."""
    out: list[str] = []
    spans: list[dict[str, int]] = []
    pos = 0
    for para in paragraphs:
        body = _wrap(para.text)
        spans.append({"start": pos, "end": pos + len(body), "source": para.source})
        out.append(body)
        pos += len(body) + 2
    return "\n\n".join(out) + "\n", spans


def _wrap(text: str, width: int = 72) -> str:
    lines: list[str] = []
    line = ""
    for word in text.split():
        if line and len(line) + 1 + len(word) > width:
            lines.append(line)
            line = word
        else:
            line = f"{line} {word}" if line else word
    if line:
        lines.append(line)
    return "\n".join(lines)


# --- renaming -----------------------------------------------------------------------------------------


def cast_tokens(cast: Iterable[str]) -> set[str]:
    """The name words of a play's cast cues (``SIR TOBY BELCH`` -> Toby, Belch), titles and roles out."""
    out: set[str] = set()
    for cue in cast:
        tokens = re.findall(r"[A-Za-z]+", cue)
        for k, token in enumerate(tokens):
            after_of = k > 0 and tokens[k - 1].lower() == "of"  # ANTIPHOLUS OF SYRACUSE: a place
            if token.lower() not in ROLE_WORDS and len(token) > 1 and not after_of:
                out.add(token.capitalize())
    return out


def find_names(text: str, cast: Iterable[str] = (), common: Iterable[str] = ()) -> list[str]:
    """Character names in ``text``: the cast's name words that occur in it capitalised, and recurring
    capitalised words (twice or more, once at least inside a sentence) that are no ordinary word (never
    written in lower case in ``text`` or ``common``), title, role or place. Sorted."""
    lower = {w.lower() for w in WORD.findall(text) if w[0].islower()} | {w.lower() for w in common}
    present = Counter(NAME_WORD.findall(text))
    names = {t for t in cast_tokens(cast) if t in present}
    inside = Counter(m.group(0) for m in re.finditer(r"(?<=[a-z,;:] )[A-Z][a-z]+\b", text))
    for word, count in present.items():
        key = word.lower()
        if count >= 2 and inside[word] and key not in lower and key not in STOP_WORDS and len(word) > 2:
            names.add(word)
    return sorted(names)


def invent_names(names: Sequence[str], seed: int | str, taken: Iterable[str] = ()) -> dict[str, str]:
    """A new name for each of ``names`` (same shape for all, none an existing word of ``taken``)."""
    rng = random.Random(f"names:{seed}")
    used = {t.lower() for t in taken} | {n.lower() for n in names}
    out: dict[str, str] = {}
    for name in sorted(names, key=lambda n: (len(n), n)):
        stem = next((s for s in out if name.startswith(s) and len(name) - len(s) <= 2), None)
        if stem is not None:  # Capulet / Capulets, Isabel / Isabella: one person, one new name
            out[name] = out[stem] + name[len(stem) :]
            continue
        while True:
            new = (
                rng.choice(ONSETS)
                + rng.choice(VOWELS)
                + rng.choice(MIDDLES)
                + rng.choice(VOWELS)
                + rng.choice(CODAS)
            )
            if new.lower() not in used:
                break
        used.add(new.lower())
        out[name] = new
    return out


def rename_text(text: str, mapping: dict[str, str]) -> str:
    """Every whole-word occurrence of a name (as written, or in capitals) replaced; ``Name's`` follows."""
    if not mapping:
        return text
    table = {**mapping, **{k.upper(): v.upper() for k, v in mapping.items()}}
    pattern = re.compile(
        r"\b(" + "|".join(re.escape(k) for k in sorted(table, key=len, reverse=True)) + r")\b"
    )
    return pattern.sub(lambda m: table[m.group(1)], text)


def rename(paragraphs: Sequence[Paragraph], mapping: dict[str, str]) -> list[Paragraph]:
    return [replace(p, text=rename_text(p.text, mapping)) for p in paragraphs]


# --- quoted speech ------------------------------------------------------------------------------------

SPEECH_VERB = re.compile(
    r"\b(said|says|asked|answered|cried|replied|exclaimed|whispered|added|continued|returned|went on|"
    r"shouted|called|began|told|repeated|sighed|laughed|wept|murmured|thought)\b",
    re.IGNORECASE,
)
TAG_MAX_WORDS = 12  # narration between/around speeches this short, with a speech verb, is a speech tag
QUOTE = re.compile(r"\u201c[^\u201c\u201d]*(?:\u201d|$)|\"[^\"]*(?:\"|$)")


def remove_quotes(paragraphs: Sequence[Paragraph]) -> list[Paragraph]:
    """Quoted speech cut out (a quotation left open runs to the end of its paragraph, as a speech over
    several paragraphs does); the narration kept, tidied; remnants under ``MIN_FRAGMENT_WORDS`` dropped."""
    out: list[Paragraph] = []
    for para in paragraphs:
        pieces = QUOTE.split(para.text)
        if len(pieces) > 1:  # a speech tag next to a removed speech ("said he, bitterly,") goes too
            pieces = [p for p in pieces if not (words(p) <= TAG_MAX_WORDS and SPEECH_VERB.search(p))]
        text = _tidy(" ".join(pieces))
        if words(text) >= MIN_FRAGMENT_WORDS:
            out.append(replace(para, text=text))
    return out


def _tidy(text: str) -> str:
    text = re.sub(r"\s+", " ", text).strip()
    text = re.sub(r"\s+([,.;:!?])", r"\1", text)
    text = re.sub(r"([,;:])(?:\s*[,;:.!?])+", ".", text)  # "said he, ." -> "said he."
    text = re.sub(r"^[,;:.!?\s\u2014-]+", "", text)
    text = re.sub(r"[,;:\s\u2014-]+$", "", text)
    if text and text[-1] not in ".!?":
        text += "."
    return text[:1].upper() + text[1:]


# --- reordering, synopsis, setting ------------------------------------------------------------------


def blocks(paragraphs: Sequence[Paragraph], low: int = BLOCK_WORDS[0]) -> list[list[Paragraph]]:
    """Consecutive paragraphs gathered until a block holds at least ``low`` words (a short tail joins the
    block before it)."""
    out: list[list[Paragraph]] = []
    current: list[Paragraph] = []
    for para in paragraphs:
        current.append(para)
        if sum(words(p.text) for p in current) >= low:
            out.append(current)
            current = []
    if current:
        if out and sum(words(p.text) for p in current) < low:
            out[-1].extend(current)
        else:
            out.append(current)
    return out


def reorder(paragraphs: Sequence[Paragraph], seed: int | str) -> list[Paragraph]:
    """The blocks of ``paragraphs`` in a seeded shuffled order that is never the original one."""
    parts = blocks(paragraphs)
    order = list(range(len(parts)))
    if len(order) > 1:
        rng = random.Random(f"reorder:{seed}")
        while order == sorted(order):
            rng.shuffle(order)
    return [p for k in order for p in parts[k]]


FUNCTION_WORDS = frozenset(
    """
    a an the and or but if then so as of to in on at by for with from into upon that this these those
    it its he him his she her they them their we us our you your i me my was were is are be been being
    had has have do did not no nor all any some who whom which what when where while there here than
    would could should will shall may might must very much more most such only also even just said
    """.split()
)


def sentences(text: str) -> list[str]:
    return [s.strip() for s in SENTENCE_END.split(text) if s.strip()]


def synopsis(
    paragraphs: Sequence[Paragraph], budget: int = SYNOPSIS_WORDS, segments: int = SYNOPSIS_SEGMENTS
) -> list[Paragraph]:
    """At most ``budget`` words of whole sentences, in story order (see the module docstring)."""
    items = [(k, para.source, s) for k, para in enumerate(paragraphs) for s in sentences(para.text)]
    if not items:
        return []
    freq = Counter(w.lower() for _, _, s in items for w in WORD.findall(s) if w.lower() not in FUNCTION_WORDS)

    def centrality(sentence: str) -> float:
        content = [w.lower() for w in WORD.findall(sentence) if w.lower() not in FUNCTION_WORDS]
        return sum(freq[w] for w in set(content)) / max(1.0, len(sentence.split()) ** 0.5)

    total = sum(words(s) for _, _, s in items)
    bounds: list[list[int]] = [[] for _ in range(segments)]
    seen = 0
    for i, (_, _, s) in enumerate(items):
        bounds[min(segments - 1, seen * segments // max(1, total))].append(i)
        seen += words(s)
    chosen: set[int] = set()
    used = 0
    share = budget // segments
    for members in bounds:  # each stretch of the story: its most central sentences within its share
        spent = 0
        for i in sorted(members, key=lambda i: (-centrality(items[i][2]), i)):
            n = words(items[i][2])
            if spent + n <= share and used + n <= budget:
                chosen.add(i)
                spent += n
                used += n
    for i in sorted(range(len(items)), key=lambda i: (-centrality(items[i][2]), i)):  # what is left
        n = words(items[i][2])
        if i not in chosen and used + n <= budget:
            chosen.add(i)
            used += n
    out: list[Paragraph] = []
    for i in sorted(chosen):
        k, source, sentence = items[i]
        if out and out[-1].source == source:
            out[-1] = replace(out[-1], text=out[-1].text + " " + sentence)
        else:
            out.append(Paragraph(sentence, source))
    return out


def _setting_sub(match: re.Match[str]) -> str:
    word = match.group(0)
    new = SETTING[word.lower()]
    if word.isupper() and len(word) > 1:
        return new.upper()
    if word[0].isupper():
        return new[:1].upper() + new[1:]
    return new


SETTING_PATTERN = re.compile(
    r"\b(" + "|".join(sorted(SETTING, key=len, reverse=True)) + r")\b", re.IGNORECASE
)


def move_setting(paragraphs: Sequence[Paragraph]) -> list[Paragraph]:
    return [replace(p, text=SETTING_PATTERN.sub(_setting_sub, p.text)) for p in paragraphs]


# --- one retelling, every kind ---------------------------------------------------------------------


@dataclass(frozen=True)
class Variants:
    texts: dict[str, list[Paragraph]]  # kind -> paragraphs
    mapping: dict[str, str]  # old name -> new name


def make_variants(text: str, cast: Iterable[str], seed: int | str, common: Iterable[str] = ()) -> Variants:
    """Every kind of ``KINDS`` from one retelling (``seed``: e.g. the story's name and the run's seed)."""
    original = paragraphs_of(text)
    names = find_names(text, cast, common)
    taken = set(WORD.findall(text)) | set(common)
    mapping = invent_names(names, seed, taken)
    renamed = rename(original, mapping)
    both = remove_quotes(renamed)
    texts = {
        "plain": original,
        "renamed": renamed,
        "no_quotes": remove_quotes(original),
        "both": both,
        "reordered": reorder(both, seed),
        "synopsis": synopsis(both),
        "setting": move_setting(both),
    }
    return Variants(texts, mapping)


# --- ground truth: retelling paragraph -> play scenes ------------------------------------------------


def quote_scenes(text: str, play_path: Path) -> dict[int, tuple[list[int], str]]:
    """Retelling paragraph -> (play scene numbers, how: ``quote`` or ``between``): each paragraph's
    quotations located in the play (rapidfuzz ``partial_ratio`` >= ``QUOTE_MIN_SCORE``); unlocated
    paragraphs between two located ones get the scenes from the earlier to the later (the story is
    told in order); before the first or after the last located one: nothing."""
    from rapidfuzz import fuzz

    from simcheck.read import read_script

    script = read_script(play_path)
    scenes = [
        (s.number, " ".join(e.text for e in s.elements if e.kind == "dialogue").lower())
        for s in script.scenes
    ]
    located: dict[int, int] = {}
    for para in paragraphs_of(text):
        best: tuple[float, int] | None = None
        for quote in re.findall(r"\u201c([^\u201c\u201d]+)", para.text):
            quote = " ".join(quote.lower().split())
            if words(quote) < QUOTE_MIN_WORDS:
                continue
            for number, body in scenes:
                if not body:
                    continue
                score = fuzz.partial_ratio(quote, body)
                if score >= QUOTE_MIN_SCORE and (best is None or score > best[0]):
                    best = (score, number)
        if best is not None:
            located[para.source] = best[1]
    out = {k: ([v], "quote") for k, v in located.items()}
    anchors = sorted(located.items())
    for (p0, s0), (p1, s1) in zip(anchors, anchors[1:], strict=False):
        lo, hi = min(s0, s1), max(s0, s1)
        for p in range(p0 + 1, p1):
            out[p] = (list(range(lo, hi + 1)), "between")
    return out


# --- the generator --------------------------------------------------------------------------------


def load_truth(root: Path = RETELLINGS) -> list[tuple[str, Path, str]]:
    """(name, retelling file, play path relative to ../shared), sorted by name."""
    truth = json.loads((root / "truth.json").read_text(encoding="utf-8"))
    return sorted((Path(k).stem, root / k, v) for k, v in truth.items())


def generate(
    out_dir: Path,
    seed: int = SEED,
    root: Path = RETELLINGS,
    names: Sequence[str] | None = None,
    scenes: bool = True,
    progress: Callable[[str], None] | None = None,
) -> dict[str, Any]:
    """Write ``out_dir/<kind>/<name>.txt``, ``truth.json`` and ``details.json``; returns the details."""
    from simcheck.read import read_script

    say = progress or (lambda _m: None)
    stories = [s for s in load_truth(root) if names is None or s[0] in names]
    texts = {name: path.read_text(encoding="utf-8") for name, path, _ in stories}
    # Words written in lower case anywhere in the collection: never taken for names.
    common = {w.lower() for t in texts.values() for w in WORD.findall(t) if w[0].islower()}
    truth: dict[str, str] = {}
    details: dict[str, Any] = {"seed": seed, "kinds": list(KINDS), "drafts": {}}
    for kind in KINDS:
        (out_dir / kind).mkdir(parents=True, exist_ok=True)
    for name, _path, play in stories:
        play_path = SHARED / play
        cast = read_script(play_path).cast
        variants = make_variants(texts[name], cast, f"{seed}:{name}", common)
        para_scenes = quote_scenes(texts[name], play_path) if scenes else {}
        for kind in KINDS:
            body, spans = render(variants.texts[kind])
            rel = f"{kind}/{name}.txt"
            (out_dir / rel).write_text(body, encoding="utf-8")
            truth[rel] = play
            details["drafts"][rel] = {
                "play": play,
                "kind": kind,
                "story": name,
                "words": words(body),
                "renamed": variants.mapping if kind not in ("plain", "no_quotes") else {},
                "paragraphs": [
                    {
                        **s,
                        "scenes": para_scenes.get(s["source"], ([], ""))[0],
                        "scenes_from": para_scenes.get(s["source"], ([], ""))[1],
                    }
                    for s in spans
                ],
            }
        say(f"story variants: {name}: {len(variants.mapping)} names renamed")
    (out_dir / "truth.json").write_text(json.dumps(truth, indent=1, sort_keys=True) + "\n", encoding="utf-8")
    (out_dir / "details.json").write_text(
        json.dumps(details, indent=1, sort_keys=True) + "\n", encoding="utf-8"
    )
    return details


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks.story_variants", description=__doc__.split("\n")[0]
    )
    parser.add_argument("out_dir", type=Path)
    parser.add_argument("--seed", type=int, default=SEED)
    parser.add_argument("--no-scenes", action="store_true", help="skip the unit -> scene ground truth")
    args = parser.parse_args(argv)
    if not (RETELLINGS / "truth.json").is_file():
        print(
            f"{RETELLINGS / 'truth.json'}: retellings not found (expected ../shared/dev/retellings)",
            file=sys.stderr,
        )
        return 2
    details = generate(
        args.out_dir, args.seed, scenes=not args.no_scenes, progress=lambda m: print(m, file=sys.stderr)
    )
    print(f"{len(details['drafts'])} drafts in {args.out_dir}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

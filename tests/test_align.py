"""simcheck.match.align: verbatim and fuzzy spans between token sequences (texts written for these tests)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from simcheck.match.align import FUZZY, REWORDED, VERBATIM, Span, align, span_offsets
from simcheck.match.seeds import stem
from simcheck.settings import FUZZY_MIN_RUN_SHARE
from simcheck.text.tokens import NAME_TOKEN, name_words, tokenize

# Four original passages on unrelated subjects, and one copied exchange.
LIGHTHOUSE = (
    "The keeper climbed the iron stairs every evening before the light was needed. He polished the brass "
    "rail with an old shirt, counted the steps out of habit, and wrote the weather into a ledger that "
    "nobody had read for twenty years. Ships passed far out on the water and never knew his name. In "
    "winter the salt crusted the windows and he scraped it away with a kitchen knife, humming songs his "
    "father had taught him on the same cold landing. When the supply boat was late he rationed the "
    "coffee and read the almanac twice, learning the tides of harbours he would never visit."
)
BAKERY = (
    "Marta opened the bakery at five, long before the street lamps went out. Flour hung in the air like "
    "a soft fog while the ovens warmed and the radio muttered the football scores. Her rye loaves sold "
    "out by nine, the croissants by ten, and the strange pumpkin bread only on rainy Thursdays. Regulars "
    "left coins in a chipped saucer when she was busy kneading, trusting each other more than the till. "
    "On holidays her nephew arrived with a bicycle trailer and carried trays of rolls to the hospital "
    "across the river, whistling all the way over the bridge."
)
CHESS = (
    "The tournament hall smelled of floor wax and nervous sweat. Twelve boards stood in two rows, each "
    "with a clock that ticked louder than seemed fair. Ivan opened with the queen's pawn, as always, and "
    "his opponent answered with a defence so rare that the arbiter leaned over to watch. By move thirty "
    "the position was a knot of pinned bishops and stranded rooks. Spectators whispered behind the rope "
    "until a volunteer hushed them. Ivan offered a draw, was refused, and then found a quiet knight "
    "retreat that turned the whole game in his favour."
)
GARDEN = (
    "Behind the school there is a garden that the children planted in a dry spring. They dug trenches "
    "for beans, argued about where the sunflowers should go, and buried a time capsule under the apple "
    "tree with drawings of their teachers. The caretaker built a scarecrow from a broken umbrella and a "
    "football shirt. By autumn the marrows were the size of small dogs and the class weighed them on the "
    "scales from the science room, writing the numbers on the blackboard in coloured chalk."
)
EXCHANGE = (
    "You promised me the map would be in the drawer with the letters. I looked there twice and found "
    "only your brother's unpaid bills and a photograph of a lake I have never seen."
)


def norms(text: str) -> list[str]:
    return [t.norm for t in tokenize(text)]


def covered(spans: list[Span], start: int, end: int, side: str = "a") -> int:
    """How many token positions of [start, end) (on side a or b) lie inside some span."""
    inside: set[int] = set()
    for s in spans:
        lo, hi = (s.a_start, s.a_end) if side == "a" else (s.b_start, s.b_end)
        inside.update(range(max(lo, start), min(hi, end)))
    return len(inside)


def test_verbatim_run_found_with_exact_token_indices() -> None:
    a = norms(LIGHTHOUSE + " " + EXCHANGE + " " + BAKERY)
    b = norms(CHESS + " " + EXCHANGE + " " + GARDEN)
    n = len(norms(EXCHANGE))
    a0, b0 = len(norms(LIGHTHOUSE)), len(norms(CHESS))
    spans = align(a, b)
    assert spans == [Span(VERBATIM, a0, a0 + n, b0, b0 + n, 1.0, n, float(n))]


def test_renamed_characters_still_align() -> None:
    line = "{} told me the river floods every spring and {} never believed a word of it"
    draft_text = "KANE\n" + line.format("Kane", "Rosa") + "\n"
    ref_text = "MARLOWE\n" + line.format("Marlowe", "Vera") + "\n"
    a = [t.norm for t in tokenize(draft_text, names=name_words(["KANE", "ROSA"]))]
    b = [t.norm for t in tokenize(ref_text, names=name_words(["MARLOWE", "VERA"]))]
    assert a.count(NAME_TOKEN) == 3 and a == b  # cue and both names masked on both sides
    spans = align(a, b)
    # one verbatim span; the masked names at its start (the cue, then "Kane"/"Marlowe") are left out:
    # a name alone is no evidence, and a span grown over one pulls in the next speaker's line
    assert [(s.kind, s.a_start, s.a_end, s.b_start, s.b_end) for s in spans] == [
        (VERBATIM, 2, len(a), 2, len(b))
    ]
    # without masking the renamed words break the run into shorter pieces
    unmasked = align(norms(draft_text), norms(ref_text))
    assert all(s.a_len < len(a) for s in unmasked)


def test_reordered_passages_are_each_found() -> None:
    a = norms(LIGHTHOUSE + " " + BAKERY + " " + CHESS)
    b = norms(CHESS + " " + GARDEN + " " + LIGHTHOUSE)
    n_l, n_b, n_c, n_g = (len(norms(t)) for t in (LIGHTHOUSE, BAKERY, CHESS, GARDEN))
    spans = align(a, b)
    assert [(s.kind, s.a_start, s.a_end, s.b_start, s.b_end) for s in spans] == [
        (VERBATIM, 0, n_l, n_c + n_g, n_c + n_g + n_l),
        (VERBATIM, n_l + n_b, n_l + n_b + n_c, 0, n_c),
    ]


def test_shuffled_speeches_within_a_scene_are_covered() -> None:
    speeches = [
        "I sold the horse because the winter was long and the roof needed mending before the snow.",
        "You sold my grandfather's horse to a stranger from the valley without asking anyone at all.",
        "The stranger paid in silver coins and promised to bring the saddle back by the first thaw.",
        "Silver coins melt away faster than snow and that saddle will never come back to this farm.",
    ]
    order = [2, 0, 3, 1]
    a = norms(GARDEN + " " + " ".join(speeches) + " " + BAKERY)
    b = norms(CHESS + " " + " ".join(speeches[i] for i in order))
    scene_start = len(norms(GARDEN))
    scene_len = len(norms(" ".join(speeches)))
    spans = align(a, b)
    assert covered(spans, scene_start, scene_start + scene_len) >= 0.95 * scene_len
    b_scene = len(norms(CHESS))
    assert covered(spans, b_scene, len(b), side="b") >= 0.95 * (len(b) - b_scene)
    # nothing outside the copied scene is claimed
    for s in spans:
        assert s.a_start >= scene_start - 1 and s.a_end <= scene_start + scene_len + 1
        assert s.b_start >= b_scene - 1


def test_small_copied_exchange_inside_original_text() -> None:
    host = LIGHTHOUSE.split(". ")
    a_text = ". ".join(host[:3]) + ". " + EXCHANGE + " " + ". ".join(host[3:])
    b_text = BAKERY + " " + EXCHANGE + " " + CHESS
    a, b = norms(a_text), norms(b_text)
    n = len(norms(EXCHANGE))
    a0 = len(norms(". ".join(host[:3])))
    b0 = len(norms(BAKERY))
    spans = align(a, b)
    assert [(s.a_start, s.a_end, s.b_start, s.b_end) for s in spans] == [(a0, a0 + n, b0, b0 + n)]


def test_word_edits_give_one_fuzzy_span() -> None:
    original = norms(LIGHTHOUSE)
    edited = list(original)
    for k in range(3, len(edited), 7):  # every seventh word replaced
        edited[k] = f"zz{k}"
    del edited[40:42]  # and two words dropped
    a = norms(BAKERY) + edited + norms(GARDEN)
    b = norms(CHESS) + original
    spans = align(a, b)
    assert len(spans) == 1
    span = spans[0]
    start = len(norms(BAKERY))
    assert span.kind == FUZZY and 0.7 < span.similarity < 1.0 and span.in_order >= FUZZY_MIN_RUN_SHARE
    assert abs(span.a_start - start) <= 3 and abs(span.a_end - (start + len(edited))) <= 3
    assert abs(span.b_start - len(norms(CHESS))) <= 3 and abs(span.b_end - len(b)) <= 3


def test_shuffled_words_give_a_reworded_span() -> None:
    # every sentence keeps its words but in a new order (as PAN's random obfuscation does)
    sentences = [s.split() for s in LIGHTHOUSE.split(". ")]
    shuffled = ". ".join(" ".join(words[1::2] + words[0::2]) for words in sentences)
    a = norms(CHESS + " " + shuffled)
    b = norms(LIGHTHOUSE + " " + GARDEN)
    spans = align(a, b)
    n_c, n_l = len(norms(CHESS)), len(norms(LIGHTHOUSE))
    assert covered(spans, n_c, len(a)) >= 0.8 * (len(a) - n_c)
    assert covered(spans, 0, n_l, side="b") >= 0.8 * n_l
    # the same words, but not lightly edited: few same-order runs, so "reworded", never "fuzzy"
    assert all(s.kind == REWORDED and s.in_order < FUZZY_MIN_RUN_SHARE for s in spans)


def test_unrelated_texts_give_no_span() -> None:
    texts = [LIGHTHOUSE, BAKERY, CHESS, GARDEN, EXCHANGE]
    for i, x in enumerate(texts):
        for y in texts[i + 1 :]:
            assert align(norms(x), norms(y)) == []
    assert align([], norms(BAKERY)) == []
    assert align(norms(BAKERY), []) == []


def test_weights_discount_stock_phrases() -> None:
    stock = norms("what do you want from me now tell me what you want")
    a = norms(BAKERY) + stock + norms(GARDEN)
    b = norms(CHESS) + stock + norms(LIGHTHOUSE)
    assert [s.kind for s in align(a, b)] == [VERBATIM]  # unweighted: a 12-word verbatim run
    n_bak, n_chess = len(norms(BAKERY)), len(norms(CHESS))
    w_a = [0.2 if n_bak <= k < n_bak + len(stock) else 1.0 for k in range(len(a))]
    w_b = [0.2 if n_chess <= k < n_chess + len(stock) else 1.0 for k in range(len(b))]
    assert align(a, b, weights_a=w_a, weights_b=w_b) == []
    # a long copied passage survives the same discount on a few of its words
    a2 = norms(BAKERY) + stock + norms(EXCHANGE)
    b2 = norms(CHESS) + stock + norms(EXCHANGE)
    spans = align(a2, b2, weights_a=w_a[: len(a2)], weights_b=w_b[: len(b2)])
    assert len(spans) == 1 and spans[0].mass < spans[0].matched


def test_weights_are_checked() -> None:
    a, b = norms(BAKERY), norms(BAKERY)
    with pytest.raises(ValueError, match="weights_a has 3 values"):
        align(a, b, weights_a=[1.0, 1.0, 1.0])
    with pytest.raises(ValueError, match=r"weights_b must lie in \[0, 1\]"):
        align(a, b, weights_b=[2.0] * len(b))


def test_repetitive_text_aligns_with_its_own_copy() -> None:
    rows = " ".join(f"row {n} lists apples pears and plums for the market stall" for n in range(1, 7))
    b = norms(CHESS + " " + rows + " " + GARDEN + " " + rows + " " + LIGHTHOUSE + " " + rows)
    second = len(norms(CHESS + " " + rows + " " + GARDEN))
    tail = norms(LIGHTHOUSE)[:20]
    a = norms(BAKERY) + norms(rows) + tail  # a copy of the second table with the text that follows it
    spans = align(a, b)
    assert len(spans) == 1
    span = spans[0]
    n_rows = len(norms(rows))
    assert (span.kind, span.b_start, span.b_end) == (VERBATIM, second, second + n_rows + 20)


def test_span_offsets_point_at_the_passage() -> None:
    a_text = LIGHTHOUSE + "\n\n" + EXCHANGE + "\r\n" + BAKERY
    b_text = CHESS + " " + EXCHANGE.upper() + " " + GARDEN
    a_toks, b_toks = tokenize(a_text), tokenize(b_text)
    spans = align([t.norm for t in a_toks], [t.norm for t in b_toks])
    assert len(spans) == 1
    (a0, a1), (b0, b1) = span_offsets(spans[0], a_toks, b_toks)
    assert a_text[a0:a1] == EXCHANGE[:-1]  # from the first word to the last (the final period is not a word)
    assert b_text[b0:b1] == EXCHANGE.upper()[:-1]


def test_output_is_sorted_and_deterministic() -> None:
    a = norms(LIGHTHOUSE + " " + BAKERY + " " + CHESS + " " + EXCHANGE)
    b = norms(EXCHANGE + " " + CHESS + " " + GARDEN + " " + LIGHTHOUSE)
    first = align(a, b)
    assert len(first) == 3
    assert first == sorted(first, key=lambda s: (s.a_start, s.b_start, s.a_end, s.b_end))
    assert align(list(a), tuple(b)) == first


def test_same_result_in_another_process_with_another_hash_seed() -> None:
    code = (
        "from simcheck.match.align import align\n"
        "from tests.test_align import norms, LIGHTHOUSE, BAKERY, CHESS, EXCHANGE, GARDEN\n"
        "a = norms(LIGHTHOUSE + ' ' + BAKERY + ' ' + CHESS + ' ' + EXCHANGE)\n"
        "b = norms(EXCHANGE + ' ' + CHESS + ' ' + GARDEN + ' ' + LIGHTHOUSE)\n"
        "print(repr(align(a, b)))\n"
    )
    root = Path(__file__).resolve().parents[1]
    outputs = []
    for seed in ("1", "2"):
        env = {**os.environ, "PYTHONHASHSEED": seed, "PYTHONPATH": str(root)}
        proc = subprocess.run(
            [sys.executable, "-c", code], capture_output=True, text=True, cwd=root, env=env, check=True
        )
        outputs.append(proc.stdout)
    a = norms(LIGHTHOUSE + " " + BAKERY + " " + CHESS + " " + EXCHANGE)
    b = norms(EXCHANGE + " " + CHESS + " " + GARDEN + " " + LIGHTHOUSE)
    assert outputs[0] == outputs[1] == repr(align(a, b)) + "\n"


def test_stem_joins_word_forms() -> None:
    assert stem("developing") == stem("development") == stem("develops") == "develop"
    assert stem("colonies") == stem("colony"[:-1] + "ies")
    assert stem("planned") != stem("planets")
    assert stem("is") == "is"  # short words are left alone

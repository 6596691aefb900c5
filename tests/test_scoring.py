from __future__ import annotations

import numpy as np
import pytest

from simcheck.match.scoring import (
    ChainLink,
    Piece,
    best_chain,
    chain_rarity,
    phrase_weights,
    score_pair,
    sequence_share,
    strengths,
)


def test_phrase_weights_discount_shingles_shared_by_many_scripts() -> None:
    # 6 words, shingles of 3 -> 4 shingles; the first two are stock (in 40 of 50 scripts)
    counts = np.array([40, 40, 1, 1])
    weights = phrase_weights(6, counts, 3, 50)
    assert weights[0] < 0.05  # only covered by stock shingles
    assert weights[5] == 1.0  # covered by a shingle found in one script only
    assert weights[2] == 1.0  # one distinctive shingle is enough


def test_phrase_weights_scale_with_the_number_of_scripts() -> None:
    counts = np.array([5])
    small = phrase_weights(3, counts, 3, 10)[0]
    large = phrase_weights(3, counts, 3, 10_000)[0]
    assert small < 0.3 < large  # 4 other scripts of 10 is common, of 10,000 it is rare


def test_phrase_weights_of_a_unit_shorter_than_a_shingle() -> None:
    assert phrase_weights(2, np.array([1]), 3, 5).tolist() == [1.0, 1.0]
    assert phrase_weights(0, np.array([], dtype=np.int64), 3, 5).size == 0


def test_strengths_take_the_strongest_covering_range() -> None:
    out = strengths(6, [(0, 3, 0.5), (2, 5, 0.8)])
    assert out.tolist() == [0.5, 0.5, 0.8, 0.8, 0.8, 0.0]


def test_score_pair_is_a_share_of_words_on_the_larger_side() -> None:
    # 10-word reference scene copied verbatim into a 40-word draft scene
    score = score_pair(40, 10, [Piece(5, 15, 0, 10, 1.0)], [], np.ones(40))
    assert score.lexical == pytest.approx(1.0)  # all of the reference scene
    assert score.semantic == 0.0
    assert score.score == pytest.approx(1.0)
    assert score.lexical_words == pytest.approx(10.0)
    assert score.evidence_words == pytest.approx(10.0)


def test_score_pair_counts_a_word_once_at_its_strongest() -> None:
    lexical = [Piece(0, 10, 0, 10, 0.6)]
    semantic = [Piece(0, 20, 0, 20, 0.5)]
    score = score_pair(20, 20, lexical, semantic, np.full(20, 0.5))
    assert score.score == pytest.approx((10 * 0.6 + 10 * 0.5) / 20)
    assert score.lexical_words == pytest.approx(10 * 0.6 * 0.5)  # commonness weight applies
    assert score.semantic_words == pytest.approx(20 * 0.5)
    assert score.evidence_words == pytest.approx(20 * 0.5)  # max(0.6 * 0.5, 0.5) per word


def test_best_chain_finds_scenes_in_the_same_order() -> None:
    links = [ChainLink(1, 3, 2.0), ChainLink(2, 4, 2.0), ChainLink(3, 1, 2.5), ChainLink(4, 6, 2.0)]
    chain = best_chain(links)
    assert [(c.draft_scene, c.reference_scene) for c in chain] == [(1, 3), (2, 4), (4, 6)]
    assert sequence_share(chain, matched_scenes=4) == 0.75


def test_reversed_order_gives_no_chain() -> None:
    links = [ChainLink(1, 3, 2.0), ChainLink(2, 2, 2.0), ChainLink(3, 1, 2.0)]
    chain = best_chain(links)
    assert len(chain) == 1
    assert sequence_share(chain, 3) == 0.0
    assert best_chain([]) == ()


def test_gaps_cost_but_do_not_break_a_chain() -> None:
    chain = best_chain([ChainLink(1, 1, 1.0), ChainLink(10, 10, 1.0)], gap=0.01)
    assert len(chain) == 2
    chain = best_chain([ChainLink(1, 1, 1.0), ChainLink(10, 10, 1.0)], gap=1.0)
    assert len(chain) == 1


def test_chain_rarity_grows_with_length_and_pays_for_tests() -> None:
    assert chain_rarity([], 10) == 0.0
    two = chain_rarity([1.5, 1.5], 1)
    four = chain_rarity([1.5] * 4, 1)
    assert 0 < two < four
    assert chain_rarity([1.5] * 4, 1000) == pytest.approx(max(0.0, four - 3.0))
    # Fisher: one pair alone gives its own rarity back
    assert chain_rarity([3.0], 1) == pytest.approx(3.0)


def test_reworded_runs_need_nearby_pairs_in_order() -> None:
    from simcheck.match.semantic import in_order_run as _in_order_run

    # three consecutive passages matched in order: a reworded stretch
    assert _in_order_run([(0, 5), (1, 6), (2, 8)]) == [True, True, True]
    # the same pairs scattered far apart, or out of order, are not a run
    assert _in_order_run([(0, 5), (9, 20), (30, 40)]) == [False, False, False]
    assert _in_order_run([(0, 8), (1, 6), (2, 5)]) == [False, False, False]
    # only the run's members are flagged
    assert _in_order_run([(0, 0), (1, 1), (2, 2), (10, 30)]) == [True, True, True, False]
    assert _in_order_run([(0, 0), (1, 1)]) == [False, False]

"""Stage 7, calibration: how unusual a similarity is among scripts that did not copy from each other.

A raw cosine or a count of matching words means little by itself: two unrelated plays share stock
phrases, and two love scenes embed close together. simcheck therefore measures, on the references
themselves, what *unrelated* scripts look like, and reports how far a draft goes beyond that.

The background ("null") is measured by treating reference material as a pseudo-draft and comparing it
with every *other* reference script, through the same pipeline as a real draft, with the stored
vectors and signatures (nothing is re-embedded). Two measurements, cached with the references
(``References.write_extra("calibration", ...)``, keyed by a fingerprint of the scripts, the model and
the settings) and brought up to date when the references change (see "At scale" below):

1. ``SemanticNull``, per passage: for ``PASSAGE_SAMPLES`` reference passages, the highest cosine with
   a passage of another script (top-1 over ``n_passages`` passages), kept per length bin
   (``LENGTH_BINS`` words), because short lines resemble many things (a bin with fewer than
   ``MIN_BIN_SAMPLES`` samples uses the pooled sample). From it, for a draft passage of
   ``w`` words whose best cosine with a reference passage is ``c``, in references of ``N`` passages:

   - ``chance(c, w, N)``: the chance that an unrelated passage of that length finds a passage at
     least that similar somewhere in ``N`` reference passages. At the measured size it is the top-1
     law itself. For fewer passages (pairwise mode, ``--against`` a few scripts) it is
     ``1 - exp(-N q)``, ``q`` the chance for one unrelated passage pair: the share of
     ``PAIR_SAMPLES ** 2`` random pairs of passages from different scripts at least that similar
     (``pairs``, on ``COSINE_GRID``), or, beyond what random pairs reach, the per-pair chance implied by
     the top-1 law; so small reference sets use lower cosine thresholds, at the same chance.
     Texts compared pairwise were usually chosen because they look alike (same premise, same
     topic), where topical closeness is far more common than between random scripts: so a passage
     pair standing alone is judged as if among at least ``MIN_SEMANTIC_PASSAGES`` (10,000) passages;
     only passage pairs in a same-order run of ``settings.RUN_PIECES`` (a reworded stretch) are judged
     among the actual number.
   - ``rarity = -log10(chance)``. A passage pair is **semantic evidence** when its rarity is at least
     ``SEMANTIC_EVIDENCE`` (2: at most 1 unrelated passage in 100 gets there); its **strength** rises
     linearly from 0 there to 1 at ``SEMANTIC_FULL`` (5: 1 in 100,000).

2. ``EvidenceNull``, per scene: for ``SCENE_SAMPLES`` reference scenes used as pseudo-drafts, the
   evidence of their best-matching scene in another script: ``lexical_words`` (verbatim/fuzzy words,
   weighted by strength and phrase commonness), ``semantic_words`` (words in semantic evidence,
   weighted by strength) and ``evidence_words`` (both, a word counted once). For a scene pair of a
   real draft, ``rarity`` is -log10 of the chance that an unrelated scene's best match has at least as
   much evidence, taking the most unusual of the three measures and paying ``log10(3)`` for having
   looked at three. Chances beyond the measured range are extrapolated with an exponential tail
   (``Tail``), fitted to the top tenth of the sample. The lexical tail is the exception: among
   unrelated scripts lexical evidence is rare (a few scenes in a hundred), and what there is is mostly
   genuinely shared text (quotations, a series' recurring lines), too little and too contaminated to
   fit; so only its share is measured and it decays by a fixed factor e per ``LEXICAL_BETA`` (3)
   words: with the public corpus's share (~1.8%), any lexical evidence (8 distinctive words or more)
   makes a scene pair low, about 19 words medium and 33 high. The fitted decay of the semantic and
   combined tails is kept within ``EVIDENCE_MIN_BETA``..``EVIDENCE_MAX_BETA`` words for the same
   reason (related scripts in a corpus, such as the parts of a trilogy, would otherwise make reworded
   copying look ordinary): with the public corpus, about 24 words of semantic evidence make a scene
   pair low, 52 medium and 79 high.

Levels of a match (``LEVELS`` thresholds on rarity): **low** >= 2 (rarer than 1 unrelated scene in
100), **medium** >= 4 (1 in 10,000), **high** >= 6 (1 in 1,000,000). Below low there is no match. So
an innocent draft of 100 scenes is expected to show about one low match and no medium or high one.

When the references are too few to measure a background (fewer than ``MIN_SCRIPTS`` scripts, e.g.
``compare --against one.fountain``), the shipped defaults (``defaults.json`` here) are used:
the same measurements taken on the public corpus in ``../shared/corpus`` (83 scripts) with the default
model; the report says so (``calibration.source``: ``"default"`` or ``"index"``).

At scale. The samples are drawn by content, not by id: the units (a script's distinct passage texts,
its scenes) with the smallest keyed hashes of (script sha256, text or scene number), so an index built
in another order or in segments measures the same units, identical passages count once, and the
sample sizes are fixed whatever the references hold. All sampled passages are searched in a few
batched FAISS/LSH calls; each pseudo-draft has at most ``CALIBRATION_MAX_PAIRS`` candidate scene pairs
verified, and scenes of more than ``SCENE_MAX_PASSAGES`` distinct passages are left out, so time and
memory stay bounded whatever one file holds and however many tiny scripts there are. Every sample keeps
its result and what it depended on (the script that gave it, the scripts it met, the floors and sizes
it was judged with), so a change is an update: new samples are measured, kept ones against the added
scripts, and those that met a removed script or were judged with floors or sizes that have drifted
(``CALIBRATION_FLOOR_DRIFT``, ``CALIBRATION_REFRESH``) again; the rest is what a new measurement would
find, up to that drift. Only writers update it, under the index's write lock (``simcheck index`` and
``simcheck remove`` after their write); a compare never writes: it uses the current calibration, else
the last one measured on an earlier state of the index, else measures one for itself without saving
it, and the report's note says which.

Where the code is: ``sample`` (the content-keyed samples), ``passages`` and ``scenes`` (measuring the
two backgrounds in batches, and the rules for keeping a sample), ``background`` (a measurement or an
update), ``state`` (what an update starts from), ``load`` (cached, earlier, measured now, or the
defaults; ``calibrate`` for writers), ``update`` (under the index's write lock), ``defaults.json`` (the
shipped defaults: numbers only, regenerated with
``python -c "from simcheck.index import Index; from simcheck.calibration import load_calibration; from
simcheck.settings import CompareSettings; import json; print(json.dumps(load_calibration(
Index.open('corpus-index'), CompareSettings()).to_dict()))" > simcheck/calibration/defaults.json``
after ``simcheck index ../shared/corpus --index corpus-index``). The null models themselves and the
level thresholds are in ``simcheck.match.rarity`` (every scoring stage needs them); the constants are in
``simcheck.settings``. Imports match, search and the stages before.
"""

from simcheck.calibration.background import measure
from simcheck.calibration.load import (
    cached_document,
    calibrate,
    default_calibration,
    is_current,
    load_calibration,
    needs_measuring,
)

__all__ = [
    "cached_document",
    "calibrate",
    "default_calibration",
    "is_current",
    "load_calibration",
    "measure",
    "needs_measuring",
]

"""The calibration of a set of references: cached with them, brought up to date, or the defaults.

The calibration is cached with the references (``write_extra(EXTRA_NAME)``): the numbers compare needs
(``Calibration.to_dict``), the ``method`` it was measured with, and the ``State`` an update starts from
(``"samples"``). It is *current* when its fingerprint (method and contents) matches the references,
*earlier* when it was measured with the same method on an earlier state of them.

Only a writer brings it up to date (``calibrate``, which ``simcheck index`` and ``simcheck remove``
call while they hold the index's write lock, see ``simcheck.calibration.update``). A compare never
writes and never measures in parallel to an index run on purpose: ``load_calibration`` uses the
current calibration, else an earlier one (and says so), else measures one for itself without saving
it (and says so).
"""

from __future__ import annotations

import contextlib
import hashlib
import json
from dataclasses import replace
from importlib import resources
from typing import Any

from simcheck import settings as named
from simcheck.calibration.background import Measurement, measure_state
from simcheck.calibration.state import State
from simcheck.match.rarity import CALIBRATION_VERSION, Calibration
from simcheck.search.references import References
from simcheck.settings import MIN_SCRIPTS, CompareSettings

EXTRA_NAME = "calibration"  # the name it is cached under with the references
DEFAULTS_FILE = "defaults.json"
METHOD = 3  # how samples are drawn and measured (3: by content key, batched, updatable)

CURRENT = "current"
EARLIER = "earlier"


def method_key(references: References, settings: CompareSettings | None = None) -> str:
    """Identifies how a calibration is measured: method, sampling, model, index and compare settings."""
    compare = settings or CompareSettings()
    payload = {
        "version": CALIBRATION_VERSION,
        "method": METHOD,
        "sampling": [
            named.PASSAGE_SAMPLES,
            named.SCENE_SAMPLES,
            named.PAIR_SAMPLES,
            named.SAMPLE_SEED,
            named.SEARCH_K,
            named.CALIBRATION_MAX_K,
            named.SCENE_MAX_PASSAGES,
            named.CALIBRATION_MAX_PAIRS,
            named.CALIBRATION_REFRESH,
        ],
        "compare": [
            compare.semantic_neighbours,
            compare.min_verbatim_tokens,
            compare.min_fuzzy_tokens,
            compare.max_pairs_per_scene,
        ],
        "model": references.model_name,
        "settings": sorted(vars(references.settings).items()),
    }
    return hashlib.sha256(json.dumps(payload, sort_keys=True, default=str).encode("utf-8")).hexdigest()


def fingerprint(references: References, settings: CompareSettings | None = None) -> str:
    """Identifies what a calibration was measured on and how: the method and the scripts' contents."""
    payload = {
        "method": method_key(references, settings),
        "scripts": sorted((s.sha256, s.passages) for s in references.scripts()),
        "passages": references.n_passages,
    }
    return hashlib.sha256(json.dumps(payload, sort_keys=True).encode("utf-8")).hexdigest()


def shipped_defaults() -> dict[str, Any]:
    """The calibration measured on the public corpus, as shipped in ``defaults.json``."""
    data: dict[str, Any] = json.loads(resources.files(__package__).joinpath(DEFAULTS_FILE).read_text("utf-8"))
    return data


def default_calibration(model: str) -> Calibration:
    defaults = shipped_defaults()
    note = "shipped defaults measured on the public corpus"
    if model != defaults["model"]:
        note += f" with {defaults['model']}; levels are approximate for model {model}"
    return Calibration.from_dict(defaults, source="default", note=note)


def status(document: dict[str, Any] | None, references: References, settings: CompareSettings) -> str | None:
    """``CURRENT``, ``EARLIER`` (same method, other contents) or None (none, foreign or damaged)."""
    if not isinstance(document, dict) or document.get("version") != CALIBRATION_VERSION:
        return None
    if document.get("fingerprint") == fingerprint(references, settings):
        return CURRENT
    if document.get("method") == method_key(references, settings):
        return EARLIER
    return None


def _parse(document: dict[str, Any] | None, note: str) -> Calibration | None:
    if document is None:
        return None
    try:
        return Calibration.from_dict(document, note=note)
    except (KeyError, TypeError, ValueError):
        return None


def is_current(references: References, settings: CompareSettings) -> bool:
    """Does ``load_calibration`` find a calibration of exactly these references (or need none)?"""
    if len(references.scripts()) < MIN_SCRIPTS:
        return True
    document = references.read_extra(EXTRA_NAME)
    return status(document, references, settings) == CURRENT and _parse(document, "") is not None


def needs_measuring(references: References, settings: CompareSettings) -> bool:
    """Will ``load_calibration`` measure now (no current or earlier calibration cached)?"""
    if len(references.scripts()) < MIN_SCRIPTS:
        return False
    document = references.read_extra(EXTRA_NAME)
    return status(document, references, settings) is None or _parse(document, "") is None


def load_calibration(references: References, settings: CompareSettings) -> Calibration:
    """The calibration for these references: cached (current, else earlier), measured now without
    saving it, or the defaults. Never writes (see the module docstring)."""
    scripts = references.scripts()
    if len(scripts) < MIN_SCRIPTS:
        return default_calibration(references.model_name)
    document = references.read_extra(EXTRA_NAME)
    found = status(document, references, settings)
    if found is not None and document is not None:
        note = "measured on these references"
        if found == EARLIER:
            note = (
                "measured on an earlier state of these references (the index changed since; "
                "`simcheck index` brings it up to date)"
            )
        calibration = _parse(document, note)
        if calibration is not None:
            return calibration
    measured = measure_state(references, settings, fingerprint(references, settings), "").calibration
    return replace(
        measured,
        note="measured for this comparison only, not saved (`simcheck index` measures and saves it)",
    )


def calibrate(
    references: References, settings: CompareSettings, previous: dict[str, Any] | None = None
) -> Measurement | None:
    """Bring the cached calibration up to date and save it; None when it already is (or when the
    references are too few to measure). For a writer that holds the references' write lock.

    The update starts from the cached calibration, else from ``previous`` (the document of an earlier
    state, e.g. read before the write that made this one), when either was measured the same way.
    """
    if len(references.scripts()) < MIN_SCRIPTS:
        return None
    cached = references.read_extra(EXTRA_NAME)
    if status(cached, references, settings) == CURRENT and _parse(cached, "") is not None:
        return None
    method = method_key(references, settings)
    base = None
    for document in (cached, previous):
        if status(document, references, settings) == EARLIER and document is not None:
            with contextlib.suppress(KeyError, TypeError, ValueError, IndexError):
                base = State.from_dict(document["samples"])
                break
    result = measure_state(references, settings, fingerprint(references, settings), method, base)
    references.write_extra(EXTRA_NAME, document_of(result, method))
    return result


def document_of(result: Measurement, method: str) -> dict[str, Any]:
    """What is cached: the numbers, the method and the state for the next update."""
    return {**result.calibration.to_dict(), "method": method, "samples": result.state.to_dict()}


def cached_document(references: References) -> dict[str, Any] | None:
    """The calibration document cached with the references, whatever its state."""
    return references.read_extra(EXTRA_NAME)

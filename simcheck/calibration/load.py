"""Loading the calibration of a set of references: cached with them, measured now, or the defaults."""

from __future__ import annotations

import contextlib
import hashlib
import json
from importlib import resources
from typing import Any

from simcheck import settings as named
from simcheck.calibration.background import measure
from simcheck.errors import SimcheckError
from simcheck.match.rarity import CALIBRATION_VERSION, Calibration
from simcheck.search.references import References
from simcheck.settings import MIN_SCRIPTS, CompareSettings

EXTRA_NAME = "calibration"  # the name it is cached under with the references
DEFAULTS_FILE = "defaults.json"


def fingerprint(references: References, settings: CompareSettings | None = None) -> str:
    """Identifies what a calibration was measured on and how: scripts, model, settings, sampling."""
    digest = hashlib.sha256()
    compare = settings or _default_compare_settings()
    payload = {
        "version": CALIBRATION_VERSION,
        "sampling": [
            named.PASSAGE_SAMPLES,
            named.SCENE_SAMPLES,
            named.PAIR_SAMPLES,
            named.SAMPLE_SEED,
            named.SEARCH_K,
        ],
        "compare": [
            compare.semantic_neighbours,
            compare.min_verbatim_tokens,
            compare.min_fuzzy_tokens,
            compare.max_pairs_per_scene,
        ],
        "model": references.model_name,
        "settings": sorted(vars(references.settings).items()),
        "scripts": sorted((s.sha256, s.passages) for s in references.scripts()),
        "passages": references.n_passages,
    }
    digest.update(json.dumps(payload, sort_keys=True, default=str).encode("utf-8"))
    return digest.hexdigest()


def _default_compare_settings() -> CompareSettings:
    return CompareSettings()


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


def needs_measuring(references: References, settings: CompareSettings) -> bool:
    """Will ``load_calibration`` have to measure (no valid cached calibration for these references)?"""
    if len(references.scripts()) < MIN_SCRIPTS:
        return False
    cached = references.read_extra(EXTRA_NAME)
    return not (
        cached is not None
        and cached.get("fingerprint") == fingerprint(references, settings)
        and cached.get("version") == CALIBRATION_VERSION
    )


def load_calibration(references: References, settings: CompareSettings) -> Calibration:
    """The calibration for these references: cached, measured now (and cached), or the defaults."""
    scripts = references.scripts()
    if len(scripts) < MIN_SCRIPTS:
        return default_calibration(references.model_name)
    key = fingerprint(references, settings)
    cached = references.read_extra(EXTRA_NAME)
    if cached is not None and cached.get("fingerprint") == key:
        try:
            return Calibration.from_dict(cached, note="measured on these references")
        except (KeyError, TypeError, ValueError):
            pass  # stale or foreign: measure again
    calibration = measure(references, settings, key)
    with contextlib.suppress(SimcheckError, OSError):  # a read-only index is measured again next time
        references.write_extra(EXTRA_NAME, calibration.to_dict())
    return calibration

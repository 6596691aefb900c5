from __future__ import annotations

from simcheck.match.names import SpeechLink, infer_names, renamed
from simcheck.report.model import NameMapping


def test_each_draft_speech_votes_once_for_its_strongest_reference_speaker() -> None:
    links = [
        SpeechLink(1, "KANE", 100, "MARLOWE", 10.0),
        SpeechLink(1, "KANE", 101, "ROSE", 3.0),  # same draft speech: outvoted
        SpeechLink(2, "KANE", 102, "MARLOWE", 5.0),
        SpeechLink(3, "ANNA", 103, "ROSE", 8.0),
    ]
    assert infer_names(links) == (NameMapping("KANE", "MARLOWE", 2), NameMapping("ANNA", "ROSE", 1))


def test_mapping_is_one_to_one_largest_first() -> None:
    links = [SpeechLink(i, "KANE", 100 + i, "MARLOWE", 1.0) for i in range(3)]
    links += [SpeechLink(10 + i, "ABEL", 200 + i, "MARLOWE", 1.0) for i in range(2)]
    links += [SpeechLink(20, "ABEL", 300, "ROSE", 1.0)]
    mapping = infer_names(links)
    assert mapping == (NameMapping("KANE", "MARLOWE", 3), NameMapping("ABEL", "ROSE", 1))


def test_links_without_speakers_or_weight_are_ignored() -> None:
    links = [SpeechLink(1, "", 2, "X", 5.0), SpeechLink(1, "A", 2, "X", 0.0)]
    assert infer_names(links) == ()


def test_renamed_keeps_only_changed_names() -> None:
    mapping = (NameMapping("NORA", "NORA", 4), NameMapping("KANE", "MARLOWE", 2))
    assert renamed(mapping) == (NameMapping("KANE", "MARLOWE", 2),)

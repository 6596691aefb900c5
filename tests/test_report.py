from __future__ import annotations

import json

from simcheck.report.model import (
    CalibrationInfo,
    DraftInfo,
    Evidence,
    IndexInfo,
    Location,
    Match,
    NameMapping,
    Overall,
    ReferenceResult,
    Report,
    SceneInfo,
    level_rank,
)


def _report(level: str = "medium", allowed: bool = False) -> Report:
    evidence = Evidence(
        kind="fuzzy",
        similarity=0.812345678,
        draft=Location(10, 40, 2),
        reference=Location(100, 131, 9),
        draft_text="a" * 30,
        reference_text="b" * 31,
        strength=0.812345678,
        words=6,
    )
    match = Match(
        draft_scene=2,
        reference="/refs/a.fountain",
        reference_scene=5,
        score=1 / 3,
        level=level,
        lexical=0.25,
        semantic=-0.0,
        names=(NameMapping("KANE", "MARLOWE", 12),),
        evidence=(evidence,),
        allowed=allowed,
    )
    return Report(
        simcheck_version="0.1.0",
        settings={"compare": {"allow": ("x",)}, "index": {"model": "m"}},
        index=IndexInfo(path=None, kind="pairwise", model="m", scripts=1, scenes=5, passages=9),
        draft=DraftInfo("d.fountain", "ab" * 32, "Draft", "fountain", 100, (SceneInfo(1, None, 0, 5, 1, 3),)),
        references=(ReferenceResult("/refs/a.fountain", "A", 0.2, level, 1, 0.2, 0.0, names=match.names),),
        matches=(match,),
        overall=Overall(level, 1, 1, 0, 1, "summary"),
        calibration=CalibrationInfo("default", 10, 2.0, 4.0, 6.0),
    )


def test_to_dict_has_the_contract_keys_in_order() -> None:
    data = _report().to_dict()
    assert list(data)[:2] == ["schema_version", "simcheck_version"]
    assert data["schema_version"] == 2
    for key in ("settings", "index", "draft", "references", "matches"):
        assert key in data
    assert data["references"][0]["story"] is None  # schema 2: no story finding for this reference
    assert data["overall"]["stories"] == 0
    assert set(data["draft"]) >= {"path", "sha256", "title", "scenes"}
    assert set(data["draft"]["scenes"][0]) >= {"number", "heading", "start", "end", "line"}
    assert set(data["references"][0]) >= {
        "path",
        "title",
        "score",
        "level",
        "scenes_matched",
        "coverage",
        "sequence",
    }
    match = data["matches"][0]
    assert set(match) >= {
        "draft_scene",
        "reference",
        "reference_scene",
        "score",
        "level",
        "lexical",
        "semantic",
        "names",
        "evidence",
    }
    evidence = match["evidence"][0]
    assert set(evidence) >= {"kind", "similarity", "draft", "reference", "draft_text", "reference_text"}
    assert evidence["draft"] == {"start": 10, "end": 40, "line": 2}
    assert match["names"] == [{"draft": "KANE", "reference": "MARLOWE", "speeches": 12}]


def test_floats_are_rounded_and_tuples_become_lists() -> None:
    data = _report().to_dict()
    match = data["matches"][0]
    assert match["score"] == 0.3333
    assert match["evidence"][0]["similarity"] == 0.8123
    assert str(match["semantic"]) == "0.0"  # no negative zero
    assert data["settings"]["compare"]["allow"] == ["x"]
    assert json.loads(json.dumps(data)) == data  # plain JSON types only


def test_to_json_is_deterministic_and_ends_with_newline() -> None:
    first, second = _report().to_json(), _report().to_json()
    assert first == second
    assert first.endswith("}\n")
    assert json.loads(first) == _report().to_dict()


def test_reaches_counts_only_flagged_matches_at_or_above_the_level() -> None:
    assert _report("medium").reaches("low")
    assert _report("medium").reaches("medium")
    assert not _report("medium").reaches("high")
    assert not _report("high", allowed=True).reaches("low")


def test_level_rank_orders_levels() -> None:
    assert [level_rank(x) for x in (None, "none", "low", "medium", "high")] == [0, 0, 1, 2, 3]


def test_name_mapping_describe() -> None:
    assert NameMapping("KANE", "MARLOWE", 12).describe() == "KANE -> MARLOWE, 12 speeches"
    assert NameMapping("A", "B", 1).describe() == "A -> B, 1 speech"

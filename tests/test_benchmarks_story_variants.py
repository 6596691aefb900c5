"""The story-variant generator (benchmarks/story_variants.py) on a short original story of our own:
renaming is complete and consistent, quotations are gone, the synopsis is short and in order, the
output repeats byte for byte."""

from __future__ import annotations

import json
import re
from pathlib import Path

from benchmarks import story_variants as sv

CAST = ("TAMSIN", "OLD BARNABY", "FIRST FERRYMAN", "QUILLON", "MARGERY QUILLON")

# An original story (written for this test): names in cues and in the prose, possessives, a speech
# running over two paragraphs, straight and curly quotes, a place and period words for the setting.
PARAGRAPHS = [
    "Tamsin kept the toll bridge at Hollowmere for her uncle, old Barnaby, who had grown too lame to "
    "lift the bar. Every traveller paid a copper, and every copper went into Barnaby's iron box.",
    "One wet evening a stranger called Quillon rode up to the bar with a sword at his side. \u201cI pay no "
    "toll to a girl,\u201d he said, and Tamsin answered, \u201cThen you will swim, sir, for the king's own "
    "road ends here.\u201d",
    "Quillon laughed and paid, but he watched where the copper went. That night he crept back to the "
    "castle of the river lords and told Margery, his sister, that the old man kept a fortune in a box.",
    "\u201cWe shall have it before the thaw,\u201d said Margery. \u201cThe uncle is lame and the girl is "
    "alone.",
    "\u201cBring a cart and two ferrymen, and we shall be rich by spring.\u201d",
    "Tamsin had heard the hoofbeats and guessed the rest. She hid the box beneath the third plank of the "
    'bridge and filled another with river stones. "Let them carry stones to the castle," she told '
    "Barnaby, who laughed until he coughed.",
    "The ferryman who came with Quillon was an honest soul. When he saw that the box was full of stones "
    "he would not touch it, and he went to the magistrate in the town instead of the castle.",
    "So Quillon and Margery were taken on the bridge with a box of river stones between them, and "
    "Barnaby's fortune stayed beneath the third plank, where Tamsin's children found it many years later.",
]
TEXT = "\n\n".join(PARAGRAPHS) + "\n"
NAMES = ("Tamsin", "Barnaby", "Quillon", "Margery")


def _long_text(repeats: int = 6) -> str:
    """Our story told over several generations (distinct paragraphs, > 500 words in all)."""
    out = []
    for k in range(repeats):
        for p in PARAGRAPHS:
            out.append(p.replace("One wet evening", f"In the year {1700 + 11 * k} one wet evening"))
    return "\n\n".join(f"{p} Generation {k} of {repeats}." for k, p in enumerate(out)) + "\n"


def _count(text: str, word: str) -> int:
    return len(re.findall(rf"\b{re.escape(word)}\b", text))


def test_names_found_from_cast_and_prose() -> None:
    names = sv.find_names(TEXT, CAST)
    # not "Old", "First" (roles), "Ferryman" (only in lower case here), "Hollowmere" (named once)
    assert set(names) == set(NAMES)


def test_renaming_is_complete_and_consistent() -> None:
    variants = sv.make_variants(TEXT, CAST, seed="test")
    mapping = variants.mapping
    assert set(mapping) == set(NAMES)
    assert len(set(mapping.values())) == len(mapping)  # one new name per character
    for new in mapping.values():
        assert re.fullmatch(r"[A-Z][a-z]{4,5}", new)  # one shape for all
    original = " ".join(p.text for p in variants.texts["plain"])
    for kind in ("renamed", "both", "reordered", "synopsis", "setting"):
        text = " ".join(p.text for p in variants.texts[kind])
        for old in NAMES:
            assert _count(text, old) == 0, (kind, old)
    renamed = " ".join(p.text for p in variants.texts["renamed"])
    for old, new in mapping.items():
        assert _count(renamed, new) == _count(original, old) > 0
        assert _count(renamed, new + "'s") == _count(original, old + "'s")  # possessives follow
    # the same seed, the same names; another seed, other names
    assert sv.make_variants(TEXT, CAST, seed="test").mapping == mapping
    assert sv.make_variants(TEXT, CAST, seed="other").mapping != mapping


def test_quoted_speech_is_removed_and_narration_kept() -> None:
    variants = sv.make_variants(TEXT, CAST, seed="test")
    for kind in ("no_quotes", "both", "reordered", "synopsis", "setting"):
        text = " ".join(p.text for p in variants.texts[kind])
        assert not re.search('[\u201c\u201d"]', text), kind
    no_quotes = " ".join(p.text for p in variants.texts["no_quotes"])
    for speech in ("I pay no toll", "We shall have it", "Bring a cart", "Let them carry stones"):
        assert speech not in no_quotes
    assert "kept the toll bridge at Hollowmere" in no_quotes
    assert "hid the box beneath the third plank" in no_quotes
    assert "said Margery" not in no_quotes  # the speech tag goes with the speech


def test_setting_replaces_places_and_period_words() -> None:
    variants = sv.make_variants(TEXT, CAST, seed="test")
    setting = " ".join(p.text for p in variants.texts["setting"])
    assert "castle" not in setting and "headquarters" in setting
    assert "sword" not in setting.lower() or "pistol" in setting
    assert "lords" not in setting


def test_synopsis_is_short_and_in_story_order() -> None:
    text = _long_text()
    assert sv.words(text) > 2 * sv.SYNOPSIS_WORDS
    variants = sv.make_variants(text, CAST, seed="test")
    synopsis = variants.texts["synopsis"]
    body, _ = sv.render(synopsis)
    assert 0.8 * sv.SYNOPSIS_WORDS <= sv.words(body) <= sv.SYNOPSIS_WORDS
    sources = [p.source for p in synopsis]
    assert sources == sorted(sources) and len(set(sources)) == len(sources)
    # every sentence is the story's own, in the story's order, from its beginning to its end
    both = " ".join(p.text for p in variants.texts["both"])
    position = -1
    for para in synopsis:
        for sentence in sv.sentences(para.text):
            found = both.find(sentence, position + 1)
            assert found > position, sentence
            position = found
    # the whole story: its first and its last tenth both represented
    last = max(p.source for p in variants.texts["both"])
    assert sources[0] <= last / 10 and sources[-1] >= last * 9 / 10


def test_reordered_shuffles_whole_blocks() -> None:
    text = _long_text(3)
    variants = sv.make_variants(text, CAST, seed="test")
    both, reordered = variants.texts["both"], variants.texts["reordered"]
    assert sorted(p.text for p in reordered) == sorted(p.text for p in both)
    assert [p.source for p in reordered] != [p.source for p in both]
    assert sv.make_variants(text, CAST, seed="test").texts["reordered"] == reordered


def test_generate_writes_every_kind_deterministically(tmp_path: Path) -> None:
    root = tmp_path / "retellings"
    (root / "tales").mkdir(parents=True)
    (root / "tales" / "toll-bridge.txt").write_text(_long_text(2), encoding="utf-8")
    play = tmp_path / "toll-bridge.fountain"
    play.write_text(
        "Title: The Toll Bridge\n\n.THE BRIDGE - NIGHT\n\nTAMSIN\nThen you will swim, sir.\n\n"
        "QUILLON\nI pay no toll to a girl.\n\n.THE CASTLE - NIGHT\n\nMARGERY QUILLON\n"
        "We shall have it before the thaw.\n",
        encoding="utf-8",
    )
    (root / "truth.json").write_text(json.dumps({"tales/toll-bridge.txt": str(play)}), encoding="utf-8")
    runs = []
    for name in ("a", "b"):
        out = tmp_path / name
        sv.generate(out, seed=5, root=root)
        runs.append({p.relative_to(out): p.read_bytes() for p in sorted(out.rglob("*")) if p.is_file()})
    assert runs[0] == runs[1]
    files = {str(p) for p in runs[0]}
    assert files == {f"{k}/toll-bridge.txt" for k in sv.KINDS} | {"truth.json", "details.json"}
    truth = json.loads(runs[0][Path("truth.json")])
    assert truth == {f"{k}/toll-bridge.txt": str(play) for k in sv.KINDS}
    details = json.loads(runs[0][Path("details.json")])["drafts"]
    plain = details["plain/toll-bridge.txt"]
    located = [p for p in plain["paragraphs"] if p["scenes_from"] == "quote"]
    # "I pay no toll to a girl" is in scene 1; "We shall have it before the thaw" in scene 2
    assert {tuple(p["scenes"]) for p in located} >= {(1,), (2,)}
    body = runs[0][Path("plain/toll-bridge.txt")].decode()
    for para in plain["paragraphs"]:
        assert body[para["start"] : para["end"]].strip()

"""XML and archive formats: Final Draft (.fdx), Fade In (.fadein), Highland (.highland)."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest

from simcheck.errors import InputError
from simcheck.model import Script
from simcheck.read import archive, read_script

FIXTURES = Path(__file__).parent / "fixtures" / "formats"


def rows(script: Script) -> list[tuple[str, str, str | None, int | None, bool]]:
    return [(e.kind, e.text, e.character, e.paragraph, e.dual) for s in script.scenes for e in s.elements]


def test_fdx_reads_content_paragraphs_only() -> None:
    script = read_script(FIXTURES / "ferry.fdx")
    assert script.format == "fdx"
    assert rows(script) == [
        ("scene_heading", "EXT. FERRY DOCK - NIGHT", None, 0, False),
        ("action", "Fog rolls over the water.", None, 1, False),
        ("character", "ANNA", "ANNA", 2, False),
        ("parenthetical", "(to herself)", "ANNA", 3, False),
        ("dialogue", "One more crossing.", "ANNA", 4, False),
        ("scene_heading", "CLOSE ON THE TICKET", None, 6, False),  # a Shot: a heading, as in Fountain
        ("action", "Something odd.", None, 7, False),
        ("character", "ANNA", "ANNA", 8, True),
        ("dialogue", "Now!", "ANNA", 9, True),
        ("character", "BOATMAN", "BOATMAN", 10, True),
        ("dialogue", "Later!", "BOATMAN", 11, True),
        ("transition", "CUT TO:", None, 12, False),
        ("scene_heading", "INT. CABIN - NIGHT", None, 13, False),
        ("action", "Quiet.", None, 14, False),
    ]
    assert "summary" not in script.text and "note that" not in script.text
    assert script.scenes[0].scene_number == "7"
    assert script.cast == ("ANNA", "BOATMAN")
    assert script.title == "The Last Ferry"
    assert [e.text for e in script.title_page] == ["The Last Ferry", "written by the simcheck authors"]
    assert script.assumptions == (
        "paragraph 7: unknown type 'Mystery Type' read as action",
        "title page: took its first line 'The Last Ferry' as the title",
    )
    cue = script.scenes[0].elements[2]
    assert script.raw(cue) == "ANNA (CONT'D)" and cue.extension == "CONT'D"
    for scene in script.scenes:
        for element in scene.elements:
            assert script.text.split("\n")[element.line - 1] == script.raw(element)


def test_fdx_strict_makes_no_assumptions() -> None:
    script = read_script(FIXTURES / "ferry.fdx", strict=True)
    assert script.assumptions == () and script.title is None


BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">]>
<FinalDraft><Content><Paragraph Type="Action"><Text>&lol2;</Text></Paragraph></Content></FinalDraft>"""


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (BILLION_LAUGHS, "unsafe XML refused (EntitiesForbidden: entities are not allowed)"),
        (b"<FinalDraft><Content><Paragraph></Content>", "malformed XML: mismatched tag: line 1, column 34"),
        (b"<Other/>", "not a Final Draft file (root element <Other>, expected <FinalDraft>)"),
        (b"<FinalDraft/>", "Final Draft file without a <Content> element"),
    ],
)
def test_fdx_bad_input(tmp_path: Path, data: bytes, message: str) -> None:
    path = tmp_path / "bad.fdx"
    path.write_bytes(data)
    with pytest.raises(InputError) as caught:
        read_script(path)
    assert str(caught.value) == f"{path}: {message}"


OSF = """<?xml version="1.0" encoding="UTF-8"?>
<document type="Open Screenplay Format document" version="50">
  <paragraphs>
    <para><style basestyle="Scene Heading"/><text>EXT. PIER - DAWN</text></para>
    <para><style basestyle="Action"/><text>Gulls. </text><text bold="1">Many</text><text> gulls.</text></para>
    <para><style basestyle="Character"/><text>ANNA</text></para>
    <para><style basestyle="Parenthetical"/><text>quietly</text></para>
    <para><style basestyle="Dialogue"/><text>Home.</text></para>
  </paragraphs>
  <titlepage><para><style basestyle="Normal Text"/><text>Pier Test</text></para></titlepage>
</document>"""


def zipped(members: dict[str, bytes], method: int = zipfile.ZIP_DEFLATED) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", method) as archive_file:
        for name, data in members.items():
            archive_file.writestr(name, data)
    return buffer.getvalue()


def test_fadein_reads_document_xml_in_memory(tmp_path: Path) -> None:
    path = tmp_path / "pier.fadein"
    path.write_bytes(zipped({"document.xml": OSF.encode()}))
    script = read_script(path)
    assert script.format == "fadein" and script.title == "Pier Test"
    assert [(k, t, c) for k, t, c, _, _ in rows(script)] == [
        ("scene_heading", "EXT. PIER - DAWN", None),
        ("action", "Gulls. Many gulls.", None),
        ("character", "ANNA", "ANNA"),
        ("parenthetical", "(quietly)", "ANNA"),
        ("dialogue", "Home.", "ANNA"),
    ]
    assert [p.name for p in tmp_path.iterdir()] == ["pier.fadein"]  # nothing extracted


def test_fadein_title_page_bookmarks_name_the_title_even_in_strict_mode(tmp_path: Path) -> None:
    title_page = (
        '<titlepage><para><style basestyle="Normal Text"/><text>DRAFT 3</text></para>'
        '<para bookmark="Title"><style basestyle="Normal Text"/><text>Pier Test</text></para>'
        '<para bookmark="Author"><style basestyle="Normal Text"/><text>Ann Writer</text></para></titlepage>'
    )
    osf = OSF.replace(OSF[OSF.index("<titlepage>") : OSF.index("</titlepage>") + 12], title_page)
    path = tmp_path / "pier.fadein"
    path.write_bytes(zipped({"document.xml": osf.encode()}))
    for strict in (False, True):
        script = read_script(path, strict=strict)
        assert script.title == "Pier Test"
        assert [(e.key, e.text) for e in script.title_page] == [
            (None, "DRAFT 3"),
            ("Title", "Pier Test"),
            ("Author", "Ann Writer"),
        ]
        assert not any("title" in line for line in script.assumptions)


def test_highland_zip_and_plain(tmp_path: Path) -> None:
    fountain = (FIXTURES / "ferry.fountain").read_bytes()
    packed = tmp_path / "ferry.highland"
    packed.write_bytes(
        zipped({"Ferry.textbundle/info.json": b"{}", "Ferry.textbundle/text.markdown": fountain})
    )
    plain = tmp_path / "plain.highland"
    plain.write_bytes(fountain)
    a, b = read_script(packed), read_script(plain)
    assert a.format == b.format == "highland"
    assert a.text == b.text == fountain.decode()
    assert rows(a) == rows(b) and len(a.scenes) == 5
    assert a.sha256 != b.sha256  # of each file's own bytes


def test_truncated_zip_and_missing_member(tmp_path: Path) -> None:
    data = zipped({"document.xml": OSF.encode()})
    cut = tmp_path / "cut.fadein"
    cut.write_bytes(data[: len(data) // 2])
    with pytest.raises(InputError, match=r"cut\.fadein: truncated or invalid zip archive$"):
        read_script(cut)
    empty = tmp_path / "empty.fadein"
    empty.write_bytes(zipped({"other.txt": b"hello"}))
    with pytest.raises(InputError, match=r"no document\.xml \(Open Screenplay Format\) inside the archive$"):
        read_script(empty)


def test_zip_bomb_is_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    bomb = tmp_path / "bomb.fadein"
    bomb.write_bytes(zipped({"document.xml": b"<document>" + b" " * 3_000_000 + b"</document>"}))
    with pytest.raises(InputError, match="suspiciously compressed"):
        read_script(bomb)
    monkeypatch.setattr(archive, "MAX_MEMBER_BYTES", 1000)
    big = tmp_path / "big.fadein"
    big.write_bytes(zipped({"document.xml": OSF.encode() * 3}, zipfile.ZIP_STORED))
    with pytest.raises(InputError, match=r"document\.xml inside the archive is too large"):
        read_script(big)

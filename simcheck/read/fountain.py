"""Fountain (https://fountain.io/syntax) with exact source positions.

Every element's ``start``/``end`` point into the decoded file text so that ``text[start:end]`` is the
element as written (forcing characters, emphasis markers, inline notes and boneyard included),
trimmed of the whitespace around it. ``Element.text`` is the clean text: boneyard ``/* */`` and notes
``[[ ]]`` removed, emphasis markers removed, forcing characters stripped. Notes also become NOTE
elements of their own. A line made only of boneyard or notes, or lying wholly inside a boneyard
(blank lines included), is read as if it were not there: the paragraph or speech around it goes on,
and a cue under it still counts as having a blank line above it.

Strict mode follows the spec. Lenient mode (the default) also accepts what writers really type and
records each such reading in ``Script.assumptions``:

- a scene heading with no blank line after it (or, when written in capitals, none before it);
- ``FADE IN:``, ``FADE OUT.``, ``CUT TO BLACK.`` and similar as transitions (the spec only knows
  ``... TO:`` and ``>``), also when the next line follows with no blank line (``FADE IN:`` straight
  above the first heading, which the spec would read as a character cue);
- emphasis markers that span several lines of one element.
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from dataclasses import dataclass, field

from simcheck.model import (
    ACTION,
    CENTERED,
    CHARACTER,
    DIALOGUE,
    LYRIC,
    NOTE,
    PAGE_BREAK,
    PARENTHETICAL,
    SCENE_HEADING,
    SECTION,
    SYNOPSIS,
    TITLE_PAGE,
    TRANSITION,
    Element,
    Lines,
    Script,
)
from simcheck.read.assemble import make_script, normalise_name, split_cue
from simcheck.read.fountain_syntax import (
    BONE_MARK,
    HEADING,
    KNOWN_TITLE_KEYS,
    LENIENT_TRANSITION,
    NOTE_MARK,
    NOTE_PATTERN,
    PAGE_BREAK_LINE,
    SCENE_NUMBER,
    TITLE_KEY,
    boneyard_spans,
    is_cue_name,
    is_transition_text,
    mask,
    strip_emphasis,
)


@dataclass
class _Block:
    kind: str
    first: int
    last: int
    texts: list[str]
    character: str | None = None
    extension: str | None = None
    dual: bool = False
    key: str | None = None
    extra: dict[str, str] = field(default_factory=dict)


class _Reader:
    """One pass over the lines of one Fountain text."""

    def __init__(self, text: str, strict: bool) -> None:
        self.text = text
        self.strict = strict
        self.lines: Lines = Lines.of(text)
        starts, ends = self.lines.starts, self.lines.ends
        self.n = len(starts)
        self.bone_spans: list[tuple[int, int]] = []
        self.note_spans: list[tuple[int, int]] = []
        self.form_feeds: list[int] = []
        masked = text
        if "/*" in text:
            self.bone_spans = boneyard_spans(text)
            masked = mask(masked, self.bone_spans, BONE_MARK)
        if "[[" in masked:
            self.note_spans = [m.span() for m in NOTE_PATTERN.finditer(masked)]
            masked = mask(masked, self.note_spans, NOTE_MARK)
        if "\f" in masked:
            self.form_feeds = [m.start() for m in re.finditer("\f", masked)]
        self.masked = masked
        special = masked is not text or bool(self.form_feeds)
        if special:
            raw = [masked[a:b] for a, b in zip(starts, ends, strict=True)]
            self.note_only = [
                NOTE_MARK in r and not r.replace(NOTE_MARK, "").replace(BONE_MARK, "").strip() for r in raw
            ]
            self.vis = [r.replace(BONE_MARK, "").replace(NOTE_MARK, "").replace("\f", "") for r in raw]
            bone_only = [BONE_MARK in r and not v.strip() for r, v in zip(raw, self.vis, strict=True)]
        else:
            self.vis = [text[a:b] for a, b in zip(starts, ends, strict=True)]
            self.note_only = [False] * self.n
            bone_only = [False] * self.n
        self.stripped = [v.strip() for v in self.vis]
        # lines wholly inside a boneyard are not there at all (not even blank lines): what is around
        # them reads as if the boneyard had been cut out
        hidden = bone_only
        for a, b in self.bone_spans:
            i = bisect_left(starts, a)
            while i < self.n and ends[i] <= b:
                hidden[i] = True
                i += 1
        self.skip = [o or h for o, h in zip(self.note_only, hidden, strict=True)]
        self.blank = [not s and not k for s, k in zip(self.stripped, self.skip, strict=True)]
        self.elements: list[Element] = []
        self.assumptions: list[str] = []
        self.scene_numbers: dict[int, str] = {}
        self.page = 1
        self.page_starts: list[int] = []
        self.title_page: list[Element] = []
        self.title: str | None = None
        self.title_from = 0

    # --- positions -------------------------------------------------------------------------
    def _span(self, first: int, last: int) -> tuple[int, int]:
        starts, ends, text = self.lines.starts, self.lines.ends, self.text
        a, b = starts[first], ends[last]
        while a < b and text[a] in " \t\f\u00a0":
            a += 1
        while b > a and text[b - 1] in " \t\f\u00a0":
            b -= 1
        return a, b

    def _emit(self, block: _Block) -> Element:
        start, end = self._span(block.first, block.last)
        joined = "\n".join(block.texts).strip()
        clean = strip_emphasis(joined, across_lines=not self.strict)
        if not self.strict and "\n" in joined and clean != strip_emphasis(joined, across_lines=False):
            self._note("read emphasis markers across the lines of '{}'", block.first)
        element = Element(
            kind=block.kind,
            text=clean,
            start=start,
            end=end,
            line=block.first + 1,
            character=block.character,
            extension=block.extension,
            dual=block.dual,
            key=block.key,
            page=self.page,
        )
        self.elements.append(element)
        return element

    def _note(self, message: str, index: int) -> None:
        if not self.strict:
            snippet = self.stripped[index]
            if len(snippet) > 60:
                snippet = snippet[:57] + "..."
            self.assumptions.append(f"line {index + 1}: {message.format(snippet)}")

    # --- title page ------------------------------------------------------------------------
    def read_title_page(self) -> int:
        """Parse a title page at the top; returns the index of the first body line."""
        n = self.n
        i = 0
        while i < n and (self.blank[i] or self.skip[i]):
            i += 1
        self.title_from = self.lines.starts[i] if i < n else len(self.text)
        entries: list[_Block] = []
        known = False
        while i < n and not self.blank[i]:
            if self.skip[i]:
                i += 1
                continue
            vis = self.vis[i]
            indented = vis[:1] in ("\t", " ")
            match = None if indented else TITLE_KEY.match(self.stripped[i])
            if match:
                key = match.group(1).strip()
                known = known or key.lower() in KNOWN_TITLE_KEYS
                value = match.group(2).strip()
                entries.append(_Block(TITLE_PAGE, i, i, [value] if value else [], key=key))
            elif indented and entries and (self.strict is False or vis.startswith(("\t", "   "))):
                entries[-1].last = i
                entries[-1].texts.append(self.stripped[i])
            else:
                return 0
            i += 1
        if not entries or not known:
            return 0
        for block in entries:
            start, end = self._span(block.first, block.last)
            value = strip_emphasis("\n".join(block.texts), across_lines=not self.strict)
            element = Element(TITLE_PAGE, value, start, end, block.first + 1, key=block.key)
            self.title_page.append(element)
            if self.title is None and (block.key or "").lower() == "title" and value.strip():
                self.title = " ".join(value.split())
        return i

    # --- body ------------------------------------------------------------------------------
    def read_body(self, first: int) -> None:  # noqa: C901 - one state machine, kept in one place
        blank, stripped, vis, skip = self.blank, self.stripped, self.vis, self.skip
        n = self.n
        strict = self.strict
        block: _Block | None = None
        state = ""  # "", "action", "dialogue", "lyric", "after"
        speaker: str | None = None
        dual = False
        feeds = self.form_feeds
        feed_index = 0
        starts, ends = self.lines.starts, self.lines.ends

        def close() -> None:
            nonlocal block
            if block is not None:
                self._emit(block)
                block = None

        for i in range(first, n):
            while feed_index < len(feeds) and feeds[feed_index] < ends[i]:
                position = feeds[feed_index]
                feed_index += 1
                if position < starts[first]:
                    continue
                close()
                self.elements.append(Element(PAGE_BREAK, "", position, position + 1, i + 1, page=self.page))
                self.page += 1
                self.page_starts.append(position)
            if blank[i]:
                if state == "dialogue" and vis[i] == "  " and i + 1 < n and not blank[i + 1]:
                    if block is not None and block.kind == DIALOGUE:
                        block.texts.append("")
                    continue
                close()
                state = ""
                continue
            if skip[i]:
                continue
            s = stripped[i]
            if state == "dialogue":
                if s[0] == "(" and s[-1] == ")":
                    close()
                    block = _Block(PARENTHETICAL, i, i, [s], character=speaker, dual=dual)
                    close()
                elif s[0] == "~":
                    if block is None or block.kind != LYRIC:
                        close()
                        block = _Block(LYRIC, i, i, [], character=speaker, dual=dual)
                    block.texts.append(s[1:].strip())
                    block.last = i
                else:
                    if block is None or block.kind != DIALOGUE:
                        close()
                        block = _Block(DIALOGUE, i, i, [], character=speaker, dual=dual)
                    block.texts.append(s)
                    block.last = i
                continue
            if state == "action" and block is not None:
                if PAGE_BREAK_LINE.match(s):
                    close()
                    self._page_break(i)
                    state = "after"
                    continue
                if not strict and HEADING.match(s) and s.upper() == s:
                    close()
                    self._note("treated '{}' as a scene heading though no blank line precedes it", i)
                    self._heading(i, s)
                    state = "after"
                    continue
                block.texts.append(s)
                block.last = i
                continue
            if state == "lyric" and block is not None and s[0] == "~":
                block.texts.append(s[1:].strip())
                block.last = i
                continue
            close()
            before = i - 1
            while before >= first and skip[before]:
                before -= 1
            after = i + 1
            while after < n and skip[after]:
                after += 1
            prev_blank = before < first or blank[before]
            next_blank = after >= n or blank[after]
            first_char = s[0]
            state = "after"
            if PAGE_BREAK_LINE.match(s):
                self._page_break(i)
            elif first_char == "!":
                block = _Block(ACTION, i, i, [s[1:].strip()])
                state = "action"
            elif first_char == "." and len(s) > 1 and s[1] != "." and not s[1].isspace():
                self._heading(i, s[1:])
            elif first_char == "@" and not next_blank:
                speaker, dual = self._cue(i, s)
                state = "dialogue"
            elif first_char == "~":
                block = _Block(LYRIC, i, i, [s[1:].strip()])
                state = "lyric"
            elif first_char == ">":
                if s.endswith("<") and len(s) > 1:
                    block = _Block(CENTERED, i, i, [s[1:-1].strip()])
                else:
                    block = _Block(TRANSITION, i, i, [s[1:].strip()])
                close()
            elif first_char == "#":
                block = _Block(SECTION, i, i, [s.lstrip("#").strip()])
                close()
            elif first_char == "=":
                block = _Block(SYNOPSIS, i, i, [s[1:].strip()])
                close()
            elif HEADING.match(s) and (prev_blank or not strict) and (next_blank or not strict):
                if not next_blank:
                    self._note("treated '{}' as a scene heading though no blank line follows it", i)
                elif not prev_blank:
                    self._note("treated '{}' as a scene heading though no blank line precedes it", i)
                self._heading(i, s)
            elif prev_blank and next_blank and s.endswith("TO:") and s.upper() == s:
                block = _Block(TRANSITION, i, i, [s])
                close()
            elif not strict and prev_blank and next_blank and LENIENT_TRANSITION.match(s):
                self._note("treated '{}' as a transition", i)
                block = _Block(TRANSITION, i, i, [s])
                close()
            elif not strict and prev_blank and is_transition_text(s):
                # "FADE IN:" straight above the first heading: the spec would read a character cue
                self._note("treated '{}' as a transition though no blank line follows it", i)
                block = _Block(TRANSITION, i, i, [s])
                close()
            elif prev_blank and not next_blank and is_cue_name(s):
                speaker, dual = self._cue(i, s)
                state = "dialogue"
            else:
                block = _Block(ACTION, i, i, [s])
                state = "action"
        close()

    def _page_break(self, i: int) -> None:
        start, end = self._span(i, i)
        self.elements.append(Element(PAGE_BREAK, "", start, end, i + 1, page=self.page))
        self.page += 1
        self.page_starts.append(start)

    def _heading(self, i: int, heading: str) -> None:
        number = None
        match = SCENE_NUMBER.search(heading)
        if match:
            number = match.group(1)
            heading = heading[: match.start()]
        block = _Block(SCENE_HEADING, i, i, [heading.strip()])
        element = self._emit(block)
        if number is not None:
            self.scene_numbers[element.start] = number

    def _cue(self, i: int, s: str) -> tuple[str, bool]:
        name, extension, dual = split_cue(s)
        character = normalise_name(name)
        block = _Block(CHARACTER, i, i, [name], character=character, extension=extension, dual=dual)
        self._emit(block)
        if dual:
            self._mark_previous_speech_dual()
        return character, dual

    def _mark_previous_speech_dual(self) -> None:
        """Fountain marks the second speaker of a pair with ``^``; the first is part of the pair too."""
        elements = self.elements
        j = len(elements) - 2
        while j >= 0 and elements[j].kind in (DIALOGUE, PARENTHETICAL, LYRIC, PAGE_BREAK):
            j -= 1
        if j < 0 or elements[j].kind != CHARACTER:
            return
        for k in range(j, len(elements) - 1):
            e = elements[k]
            if e.kind != PAGE_BREAK:
                elements[k] = Element(
                    e.kind,
                    e.text,
                    e.start,
                    e.end,
                    e.line,
                    e.character,
                    e.extension,
                    True,
                    e.key,
                    e.paragraph,
                    e.page,
                )

    def note_elements(self, body_start: int) -> None:
        for a, b in self.note_spans:
            if self.title_from <= a < body_start:
                continue
            inner = self.text[a + 2 : b - 2].replace("\r\n", "\n").replace("\r", "\n")
            page = 1 + bisect_right(self.page_starts, a)
            self.elements.append(Element(NOTE, inner.strip(), a, b, self.lines.number(a), page=page))


def parse_fountain(
    text: str,
    *,
    path: str,
    strict: bool = False,
    fmt: str = "fountain",
    data: bytes = b"",
    encoding: str = "utf-8",
) -> Script:
    """Read Fountain text into a Script (see the module docstring for the rules)."""
    reader = _Reader(text, strict)
    first = reader.read_title_page()
    body_start = reader.lines.starts[first] if first < reader.n else len(text)
    reader.read_body(first)
    reader.note_elements(body_start)
    return make_script(
        path=path,
        fmt=fmt,
        text=text,
        elements=reader.elements,
        title_page=reader.title_page,
        title=reader.title,
        data=data,
        encoding=encoding,
        assumptions=reader.assumptions,
        scene_numbers=reader.scene_numbers,
    )

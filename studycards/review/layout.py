"""Laying a card out for the terminal: widths in display cells, wrapping, the header, the key line; pure.

Widths are counted in the cells a terminal gives a character (wcwidth): a CJK character takes two,
a combining accent none, so a right-aligned counter stays on its line whatever the heading holds.
Styles are passed in; the plain one adds no escape sequences, for pipes and ``NO_COLOR``.
"""

# Annotations are evaluated here (no __future__ import): a NamedTuple compiles each string annotation, at start-up.
import re
from functools import lru_cache
from typing import NamedTuple

from studycards.notes.syntax import CONTEXT_SEPARATOR
from studycards.review.records import HIGHLIGHT_OFF, HIGHLIGHT_ON, Frame

LIST_ITEM = r"\s*([-*+•]|\d+[.)])\s"
DRAWING = "[\u2500-\u257f\u239b-\u23b3\u2320-\u2321]"  # box drawing and the big brackets of sympy
KEEP_LINES = ("$$", "|", ">", "```", "    ")
# Characters wcwidth gives one cell (a test checks each): Latin, Greek, Cyrillic, punctuation, sub- and
# superscripts, letterlike symbols, arrows, mathematical operators, technical symbols (sympy's big brackets),
# box drawing and geometric shapes, more mathematical symbols; and the screen's marks (›─╌·…↑↓) among them.
ONE_CELL = (
    "\u0020-\u02ff\u0370-\u0482\u1e00-\u200a\u2010-\u2027\u202f-\u205f\u2070-\u20cf\u20f1-\u2319"
    "\u232b-\u23e8\u23f4-\u25fc\u27c0-\u2b1a"
)
UNSEEN = frozenset(HIGHLIGHT_ON + HIGHLIGHT_OFF)  # where a highlight starts and ends: no cell
ONE_CELL_TEXT = re.compile(f"[{ONE_CELL}{HIGHLIGHT_ON}{HIGHLIGHT_OFF}]*")


def cells(text: str) -> int:
    """Display cells of ``text``; characters wcwidth cannot place count as one.

    Text of one-cell characters (what notes and drawn math are made of) is counted without asking
    wcwidth, whose import (about 20 ms) would otherwise delay the first card.
    """
    if text.isascii() and text.isprintable():  # most text: one cell a character, told apart fastest
        return len(text)
    if ONE_CELL_TEXT.fullmatch(text):
        return len(text) - text.count(HIGHLIGHT_ON) - text.count(HIGHLIGHT_OFF)
    from wcwidth import wcwidth

    return sum(max(0, wcwidth(char)) if char >= " " else 0 for char in text)


def fit(text: str, room: int) -> str:
    """``text`` cut to ``room`` cells, ending in … when cut."""
    if cells(text) <= room:
        return text
    out, used = "", 0
    for char in text:
        width = cells(char)
        if used + width > room - 1:
            break
        out, used = out + char, used + width
    return out.rstrip() + "…"


def shorten_context(context: str, room: int) -> str:
    """Shorten in the middle: the start of the paper's title and the innermost heading stay."""
    if cells(context) <= room:
        return context
    parts = context.split(CONTEXT_SEPARATOR)
    last = parts[-1]
    if len(parts) > 1:
        tail = CONTEXT_SEPARATOR + last
        if room - cells(tail) >= 6:
            return fit(parts[0], room - cells(tail)) + tail
    return fit(last, room)


def blocks(text: str) -> list[list[str]]:
    """Paragraphs as single lines (a hard break inside one is a space); lists, displays, drawings keep their lines."""
    if "\n" not in text:  # most sides: one line
        return [[text]]
    out: list[list[str]] = []
    list_item, drawing = _kept_lines()
    for block in re.split(r"\n\s*\n", text.strip("\n")):
        lines = block.split("\n")
        keep = any(
            list_item.match(line) or line.startswith(KEEP_LINES) or line[:1].isspace() or drawing.search(line)
            for line in lines
        )
        out.append(lines if keep or len(lines) == 1 else [" ".join(line.strip() for line in lines)])
    return out


@lru_cache(maxsize=1)
def _kept_lines() -> tuple[re.Pattern[str], re.Pattern[str]]:
    """LIST_ITEM and DRAWING compiled when a side first has several lines: the first card of a review, most
    often one line a side, starts without them (their compiling is half a millisecond)."""
    return re.compile(LIST_ITEM), re.compile(DRAWING)


def wrap(line: str, width: int) -> list[str]:
    """One line wrapped between words to ``width`` cells; a word longer than the line is cut where it must be."""
    if cells(line) <= width:
        return [line.rstrip()]
    indent = line[: len(line) - len(line.lstrip())]
    rows: list[str] = []
    row = indent
    for word in line.split():
        while cells(word) > width - cells(indent):
            head = fit(word, width - cells(indent) + 1)[:-1] or word[0]
            if row.strip():
                rows.append(row)
            rows.append(indent + head)
            row, word = indent, word[len(head) :]
        if not word:
            continue
        if row.strip() and cells(row) + 1 + cells(word) > width:
            rows.append(row)
            row = indent
        row += (" " if row.strip() else "") + word
    if row.strip():
        rows.append(row)
    return rows or [""]


def card_lines(text: str, width: int) -> list[str]:
    """Card text one cell in, reflowed and wrapped so that no line reaches the terminal's last column."""
    lines: list[str] = []
    for number, block in enumerate(blocks(text)):
        if number:
            lines.append("")
        for line in block:
            lines += [(" " + row).rstrip() for row in wrap(line, width - 2)]
    return lines


class Style(NamedTuple):
    """How text is stressed: ANSI bold and colours on a terminal, nothing in a pipe or with NO_COLOR."""

    on: bool = False

    def bold(self, text: str) -> str:
        return f"\x1b[1m{text}\x1b[22m" if self.on and text.strip() else text

    def colour(self, text: str, code: int) -> str:
        return f"\x1b[{code}m{text}\x1b[39m" if self.on else text

    def highlights(self, lines: list[str]) -> list[str]:
        """Highlighted text in reverse video, each line whole in itself (a highlight may wrap); plain: as text."""
        if not self.on:
            return [line.replace(HIGHLIGHT_ON, "").replace(HIGHLIGHT_OFF, "") for line in lines]
        out, inside = [], False
        for line in lines:
            text = line.lstrip(" ")
            if inside and text:
                text = HIGHLIGHT_ON + text
            marks = [char for char in line if char in UNSEEN]
            inside = marks[-1] == HIGHLIGHT_ON if marks else inside
            styled = text.replace(HIGHLIGHT_ON, "\x1b[7m").replace(HIGHLIGHT_OFF, "\x1b[27m")
            out.append(line[: len(line) - len(line.lstrip(" "))] + styled + ("\x1b[27m" if inside and text else ""))
        return out


PLAIN = Style()
GRADE_COLOURS = {"again": 31, "hard": 33, "good": 32, "easy": 36, "done": 32}


def header(frame: Frame, width: int) -> list[str]:
    """Context and position on one line, then a rule that says what is left after this card."""
    position = f"{frame.position} / {frame.total}"
    if frame.redrill:
        position = ("practice again   " if frame.practice else "re-drill   ") + position
    elif frame.practice:
        position = "practice   " + position
    context, used = _context(frame.context, width - len(position) - 4)  # the position's characters are ASCII
    gap = " " * max(2, width - 2 - used - len(position))
    new, review, redrill = frame.left
    left = f" {new} new · {review} review · {redrill} re-drill "  # one cell a character, as the rule's
    rule = "──" + left if len(left) + 4 <= width - 2 else ""
    return [f" {context}{gap}{position}", " " + rule + "─" * (width - 2 - len(rule))]


@lru_cache(maxsize=64)
def _context(context: str, room: int) -> tuple[str, int]:
    """The context shortened to ``room`` and its cells: the same for the cards of a section."""
    shortened = shorten_context(context, room)
    return shortened, cells(shortened)


def legend(frame: Frame) -> list[tuple[str, str]]:
    """What each grade does, from the scheduler's own answer: (text, kind) pieces.

    A grade below 3 always starts the card again at one day, and brings it back today.
    """
    if not frame.intervals:
        note = "practice, schedules kept" if frame.practice else "re-drill, schedule kept"
        return [("0-3 again", "again"), (f"4-5 done ({note})", "done")]
    named = ((3, "hard"), (4, "good"), (5, "easy"))
    return [("0-2 again", "again")] + [(f"{g} {name} {frame.intervals[g]}d", name) for g, name in named]


def key_lines(frame: Frame, width: int, style: Style, more: str = "") -> list[str]:
    """The keys that work now, wrapped to the width; after the reveal, what each grade will schedule."""
    shown = frame.back is not None
    grades = tuple(legend(frame)) if shown else ()
    return list(_key_lines(shown, grades, frame.has_latex, frame.latex, frame.practice, width, style, more))


@lru_cache(maxsize=64)
def _key_lines(
    shown: bool,
    grades: tuple[tuple[str, str], ...],
    has_latex: bool,
    latex: bool,
    practice: bool,
    width: int,
    style: Style,
    more: str,
) -> tuple[str, ...]:
    """:func:`key_lines` from what they depend on: the same for card after card, so laid out once (a tenth
    of the time from a grade to the next card)."""
    rows: list[tuple[str, list[tuple[str, str]]]] = []
    if shown:
        rows.append((" · ", [(style.colour(text, GRADE_COLOURS[kind]), text) for text, kind in grades]))
    keys = [more] if more else []
    keys += [] if shown else ["[space] show answer"]
    keys += ["[u] undo", "[s] skip"] + ([] if practice else ["[!] suspend", "[b] bury"]) + ["[e] edit"]
    if has_latex:
        keys.append("[l] rendered math" if latex else "[l] LaTeX")
    rows.append(("   ", [(key, key) for key in [*keys, "[q] quit"]]))
    lines: list[str] = []
    for joiner, pieces in rows:
        line, used = "", 0
        for shown_text, plain in pieces:
            if used and used + len(joiner) + cells(plain) > width - 1:
                lines.append(line)
                line, used = "", 0
            line += (joiner if used else " ") + shown_text
            used += (len(joiner) if used else 1) + cells(plain)
        lines.append(line)
    return tuple(lines)


def body(frame: Frame, width: int, style: Style) -> list[str]:
    """The front, and once revealed a short dashed rule and the back in bold."""
    return list(_body(frame.front, frame.back, frame.marks[0], width, style))


@lru_cache(maxsize=16)
def _body(front: str, back: str | None, blank: str, width: int, style: Style) -> tuple[str, ...]:
    """:func:`body` from what it depends on, laid out once: a card's front is laid out ahead, while the answer
    of the card before it is read (``Screen.prepare``), and each side again for every frame that shows it."""
    lines = [line.replace(blank, style.bold(blank)) if blank else line for line in card_lines(front, width)]
    lines = style.highlights(lines)
    if back is None:
        return tuple(lines)
    shown = [style.bold(line) for line in style.highlights(card_lines(back, width))]
    return (*lines, "", " " + "╌" * min(20, width - 2), *shown)


def notice_lines(notice: str, width: int) -> list[str]:
    return [(" " + row).rstrip() for line in notice.split("\n") for row in wrap(line, width - 2)] if notice else []


def draw(frame: Frame, width: int = 80, style: Style = PLAIN) -> str:
    """A card as in DESIGN §6: context and position, a rule, the front, then the back once revealed."""
    lines = header(frame, width) + body(frame, width, style)
    return "\n".join([*lines, "", *key_lines(frame, width, style), *notice_lines(frame.notice, width)]) + "\n"


def draw_change(last: Frame | None, frame: Frame, width: int = 80) -> str:
    """For a pipe: the whole card when it changes, otherwise only the back just revealed and any notice."""
    same = last is not None and (last.context, last.position, last.total, last.front, last.latex, last.redrill) == (
        frame.context,
        frame.position,
        frame.total,
        frame.front,
        frame.latex,
        frame.redrill,
    )
    if last is None or not same:
        return draw(frame, width)
    if last.back is None and frame.back is not None:
        shown = body(frame, width, PLAIN)[len(body(last, width, PLAIN)) + 1 :]
        return "\n".join([*shown, "", *key_lines(frame, width, PLAIN), *notice_lines(frame.notice, width)]) + "\n"
    return "\n".join(notice_lines(frame.notice, width)) + "\n" if frame.notice else ""

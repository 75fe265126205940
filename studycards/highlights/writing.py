"""Highlights -> lines of a notes file: a quote per highlight under its section, the reader's comment below; pure.

Lines are only ever inserted: a line the user wrote is never changed or moved.  A
comment in card syntax is written as that card, one starting with ``?`` as an open
question, any other as prose that cannot read as a card.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import NamedTuple

from studycards.highlights.colours import DATASETS, IMPLEMENTATION, NOTES, QUESTIONS, UNDERSTANDING
from studycards.notes import parse_notes
from studycards.notes.syntax import QUESTION_LINE, escape_block_start, escape_inline, find_separator, is_cloze

HEADING = re.compile(r" {0,3}(#{1,6})[ \t]+(.*?)(?:[ \t]+#+)?[ \t]*$")
FENCE = re.compile(r" {0,3}(`{3,}|~{3,})")
NO_TEXT = "*no text under this highlight*"
SECTION_ORDER = (UNDERSTANDING, IMPLEMENTATION, DATASETS, NOTES, QUESTIONS)  # the reading method's order


class Entry(NamedTuple):
    """A highlight placed: its section, page, the text under it (None: a note) and the reader's comment;
    ``part`` is the sub-heading of the section it belongs under when the section has one of that name."""

    section: str
    page: int
    text: str | None
    comment: str | None
    part: str | None = None


class Block(NamedTuple):
    """The lines one entry becomes, and how its comment was read (``card``, ``question``, ``prose`` or None)."""

    lines: list[str]
    comment_as: str | None


def _quoted(text: str) -> str:
    return escape_block_start(text.replace("\\", "\\\\").replace("$", "\\$")) if text else NO_TEXT


def comment_kind(comment: str) -> str:
    """``question`` (starts with ``?``), ``card`` (card syntax that parses as one), else ``prose``."""
    lines = [line.strip() for line in comment.strip().splitlines()]
    if lines[0].startswith("?") and lines[0] not in ("?", "??"):
        return "question"
    syntax = any(find_separator(line) for line in lines) or QUESTION_LINE.match(lines[0]) or is_cloze(comment)
    if not syntax:
        return "prose"
    trial = parse_notes("# Highlight\n\n" + "\n".join(lines) + "\n", "comment.md")
    return "card" if trial.notes and not trial.errors else "prose"


def block(entry: Entry) -> Block:
    """The lines of one entry: a question item under Questions, else a quote with its page and the comment."""
    where = f"(p. {entry.page})"
    kind = comment_kind(entry.comment) if entry.comment else None
    comment = [line.rstrip() for line in (entry.comment or "").strip().splitlines()]
    if entry.section == QUESTIONS and entry.text is not None:
        words = " ".join(" ".join(comment).split())
        item = f"- “{_quoted(entry.text)}” {where}" + (f" — {escape_inline(words)}" if words else "")
        return Block([item], "question" if comment else None)
    lines = [f"> {_quoted(entry.text)} {where}"] if entry.text is not None else []
    if kind is None:
        return Block(lines, None)
    if lines:
        lines.append("")
    if kind == "question":
        first = comment[0].strip().lstrip("?").strip()
        lines += [f"? {escape_inline(' '.join([first, *comment[1:]]).strip())}"]
    elif kind == "card":
        lines += [line.strip() for line in comment]
    else:
        text = [escape_block_start(escape_inline(line.strip())) for line in comment if line.strip()]
        if entry.text is None:
            text[0] = f"{where} {text[0]}"
        lines += text
    return Block(lines, kind)


def _headings(lines: list[str]) -> list[tuple[int, int, str]]:
    """(line index, level, title) of each heading outside fenced code and front matter."""
    found: list[tuple[int, int, str]] = []
    fence: str | None = None
    start = 0
    if lines and lines[0].strip() == "---":
        start = next((i + 1 for i in range(1, len(lines)) if lines[i].strip() in ("---", "...")), 0)
    for index in range(start, len(lines)):
        line = lines[index]
        opening = FENCE.match(line)
        if fence:
            if opening and opening.group(1)[0] == fence[0] and len(opening.group(1)) >= len(fence):
                fence = None
            continue
        if opening:
            fence = opening.group(1)
            continue
        if heading := HEADING.match(line):
            found.append((index, len(heading.group(1)), heading.group(2).strip()))
    return found


def _insertion_point(lines: list[str], section: str, part: str | None = None) -> int | None:
    """Where new lines of ``section`` go: at the end of its sub-section titled ``part`` when it has one, else
    after its own text, before its first sub-heading or the next section."""
    headings = _headings(lines)
    wanted = [h for h in headings if h[2].casefold().rstrip(":") == section.casefold()]
    if not wanted:
        return None
    index, level, _ = min(wanted, key=lambda h: (h[1] != 2, h[0]))
    inside = [h for h in headings if h[0] > index]
    inside = inside[: next((n for n, h in enumerate(inside) if h[1] <= level), len(inside))]
    sub = next((h[0] for h in inside if part and h[2].casefold().rstrip(":") == part.casefold()), None)
    if sub is not None:
        index = sub
    end = next((i for i, _, _ in headings if i > index), len(lines))
    last = end - 1
    while last > index and not lines[last].strip():
        last -= 1
    return last + 1


def _new_section(lines: list[str], section: str) -> int:
    """Make ``## section`` before the first later section of the method's order (else at the end); its line after."""
    order = [name.casefold() for name in SECTION_ORDER]
    rank = order.index(section.casefold()) if section.casefold() in order else len(order) - 1
    later = [i for i, level, title in _headings(lines) if level <= 2 and title.casefold() in order[rank + 1 :]]
    if later:
        lines[later[0] : later[0]] = [f"## {section}", ""]
        return later[0] + 1
    while lines and not lines[-1].strip():
        lines.pop()
    lines += ["", f"## {section}"]
    return len(lines)


def insert_entries(text: str, entries: Iterable[Entry]) -> tuple[str, list[Block]]:
    """``text`` with each entry's block under its section (made at the end when missing), in the given order."""
    lines = text.split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    blocks: list[Block] = []
    for entry in entries:
        made = block(entry)
        blocks.append(made)
        at = _insertion_point(lines, entry.section, entry.part)
        if at is None:
            at = _new_section(lines, entry.section)
        separator = [] if made.lines[0].startswith("- ") and lines[at - 1].startswith("- ") else [""]
        after = [""] if at < len(lines) and lines[at].strip() else []
        lines[at:at] = separator + made.lines + after
    return "\n".join(lines) + "\n", blocks


def with_paper(text: str, paper: str) -> str:
    """The front matter names ``paper`` (added, never replacing a ``paper:`` the user wrote)."""
    lines = text.split("\n")
    if lines and lines[0].strip() == "---":
        close = next((i for i in range(1, len(lines)) if lines[i].strip() in ("---", "...")), None)
        if close is not None:
            if any(re.match(r"\s*paper\s*:", line) for line in lines[1:close]):
                return text
            return "\n".join([lines[0], f'paper: "{paper}"', *lines[1:]])
    return f'---\npaper: "{paper}"\n---\n' + text


def minimal_notes(title: str, paper: str | None) -> str:
    """A new notes file for a paper never fetched: front matter, the title, then the sections as they fill."""
    head = f'---\npaper: "{paper}"\n---\n' if paper else ""
    return head + f"# {escape_block_start(escape_inline(' '.join(title.split())))}\n"

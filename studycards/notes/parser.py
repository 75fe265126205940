"""Markdown notes -> notes (card makers) and open questions, with line numbers; pure.

markdown-it gives the block structure (headings, lists, fences, quotes); card
syntax is then read line by line inside each paragraph, because several
``front :: back`` lines form one markdown paragraph yet are separate cards, and
a ``$$`` block does not interrupt a paragraph.  Quoted text and code are prose.
"""

from __future__ import annotations

import re
from array import array
from dataclasses import dataclass, field
from typing import Any

from studycards.errors import NotesError
from studycards.models import Note, Question
from studycards.notes.blocks import MAX_NESTING, SINK, block_parser
from studycards.notes.front_matter import deck_name, read_front_matter
from studycards.notes.paragraphs import Cards
from studycards.notes.pieces import cuts, runs_on
from studycards.notes.syntax import CONTEXT_SEPARATOR, QUESTION_PREFIX, is_question_heading

__all__ = ["MAX_NESTING", "ParsedNotes", "check_duplicates", "parse_notes"]


@dataclass
class ParsedNotes:
    """What one notes file holds; ``errors`` lists every mistake, not just the first.

    ``warnings`` are doubts that do not stop the file (a front-matter key close to a
    known one); ``compact_lookalikes`` are the lines that would be ``front::back``
    cards with compact separators on (``separators = "compact"``), which is off here.
    """

    path: str
    deck: str
    paper: str | None = None
    tags: tuple[str, ...] = ()
    notes: list[Note] = field(default_factory=list)
    questions: list[Question] = field(default_factory=list)
    errors: list[NotesError] = field(default_factory=list)
    warnings: list[NotesError] = field(default_factory=list)
    compact_lookalikes: list[int] = field(default_factory=list)
    keys: list[str] = field(default_factory=list)  # each note's key, in ``notes`` order: computed once, kept once


def parse_notes(
    text: str, path: str, deck: str | None = None, *, compact: bool = False, duplicates: bool = True
) -> ParsedNotes:
    """Parse a notes file; ``deck`` (from ``--deck``) overrides the front matter and the title.

    The blocks are walked as markdown-it makes them, a few hundred at a time, and then
    dropped: a large file's tokens (400 bytes each) are never all held at once.  With
    ``duplicates=False`` the caller runs ``check_duplicates`` itself, once it has let go
    of the text: its keys and look-up table then take the text's place in memory.
    """
    result = ParsedNotes(path=path, deck="")
    reading = _Reading(result, text, deck, compact)
    md, start, line = block_parser(), 0, 0
    for cut, cut_line in cuts(text):  # a long file is read a piece at a time (see ``pieces``)
        piece = text[start:cut]
        tokens = md.parse(piece)
        if not runs_on(tokens, piece):
            reading.feed(tokens, line)
            start, line = cut, cut_line
    last = line
    reading.feed(md.parse(text[start:], {SINK: lambda tokens: reading.feed(tokens, last)}), last)
    reading.finish()
    if duplicates:
        check_duplicates(result)
    return result


_NEWLINE = re.compile("\n")


class _Reading:
    """One file's blocks as they come: front matter first, then the walk; the deck waits for the first title."""

    def __init__(self, result: ParsedNotes, text: str, deck: str | None, compact: bool) -> None:
        self.result, self.text, self.deck, self.compact = result, text, deck, compact
        stem = re.sub(r"\.md$", "", result.path.replace("\\", "/").rsplit("/", 1)[-1])
        self.fallback = deck_name(stem) or "Default"
        self.walker: _Walker | None = None
        self.titled = False
        self.too_deep: Any = None

    def feed(self, tokens: list, first_line: int = 0) -> None:
        """Blocks read from the piece of the file that starts at ``first_line``."""
        result = self.result
        if first_line:
            for token in tokens:
                if token.map:
                    token.map = [token.map[0] + first_line, token.map[1] + first_line]
        if self.walker is None:
            meta: dict = {}
            if tokens and tokens[0].type == "front_matter":
                meta = read_front_matter(tokens[0].content, result.path, result.errors, result.warnings)
            result.paper = meta.get("paper")
            result.tags = tuple(meta.get("tags", ()))
            self.deck = self.deck or meta.get("deck")
            result.deck = self.deck or self.fallback
            compact = meta.get("separators", "compact" if self.compact else "spaced") == "compact"
            self.walker = _Walker(result, self.text, compact)
        if not self.titled:
            title = next(
                (tokens[i + 1].content for i, t in enumerate(tokens) if t.type == "heading_open" and t.tag == "h1"),
                None,
            )
            if title is not None:
                self.titled = True
                self._name_deck(deck_name(title) or self.fallback)
        if self.too_deep is None:
            self.too_deep = next(
                (
                    t
                    for t in tokens
                    if t.type in ("list_item_open", "blockquote_open") and t.map and t.level + 1 >= MAX_NESTING
                ),
                None,
            )
        self.walker.walk(tokens)

    def _name_deck(self, title_deck: str) -> None:
        """The deck named by the first ``#`` title, unless ``--deck`` or the front matter named one."""
        r = self.result
        if self.deck or title_deck == r.deck:
            return
        r.deck = title_deck
        r.notes = [note._replace(deck=title_deck) for note in r.notes]
        r.questions = [question._replace(deck=title_deck) for question in r.questions]

    def finish(self) -> None:
        if self.walker is None:
            self.feed([])
        assert self.walker is not None
        self.walker.cards.close_answer()
        if self.too_deep is not None:  # markdown-it reads nothing inside, and after a list nothing below either
            self.result.errors.append(
                NotesError(
                    self.result.path,
                    self.too_deep.map[0] + 1,
                    "lists or quotes nested too deeply: markdown reads"
                    " no further here, and cards below would be lost; flatten them",
                )
            )


CONTINUING_BLOCKS = ("bullet_list_open", "ordered_list_open", "table_open", "math_block", "code_block")


class _Walker:
    """Walks block tokens keeping the heading path; paragraphs go to ``Cards``, blocks may continue an answer."""

    def __init__(self, result: ParsedNotes, text: str, compact: bool) -> None:
        self.result = result
        self.text = text
        self._line_starts: array | None = None
        self.cards = Cards(result, compact=compact)
        self.headings: list[tuple[int, str]] = []
        self.answer_ends = 0

    @property
    def line_starts(self) -> array:
        """Where each line of the text starts, found when an answer first goes on over a block below it.

        Offsets, not a list of lines: 8 bytes a line instead of about 70.
        """
        if self._line_starts is None:
            self._line_starts = array("q", [0])
            self._line_starts.extend(match.end() for match in _NEWLINE.finditer(self.text))
        return self._line_starts

    def in_questions(self) -> bool:
        return bool(self.headings) and is_question_heading(self.headings[-1][1])

    def walk(self, tokens: list) -> None:
        quote_depth = list_depth = 0
        index = 0
        cards = self.cards
        while index < len(tokens):
            token = tokens[index]
            kind = token.type
            if cards.open_answer is not None and token.nesting >= 0 and token.map:
                if self._continues_answer(token):
                    index = _block_end(tokens, index)
                    continue
                cards.close_answer()
            prompt = cards.pending_prompt
            cards.pending_prompt = prompt if kind == "paragraph_close" else None
            if kind == "inline":  # a paragraph's text (or a heading's, read at its opening)
                if tokens[index - 1].type == "paragraph_open" and token.map and not quote_depth:
                    self._paragraph(token, list_depth)
            elif kind == "heading_open":
                level = int(token.tag[1])
                self.headings = [h for h in self.headings if h[0] < level] + [
                    (level, tokens[index + 1].content.strip())
                ]
                cards.context = CONTEXT_SEPARATOR.join(title for _, title in self.headings)
            elif kind == "blockquote_open":
                quote_depth += 1
            elif kind == "blockquote_close":
                quote_depth -= 1
            elif kind in ("bullet_list_open", "ordered_list_open"):
                list_depth += 1
            elif kind in ("bullet_list_close", "ordered_list_close"):
                list_depth -= 1
            elif kind == "math_block" and prompt and token.map:
                cards.add_equation(prompt[0], prompt[1], token.content, token.map[1])
            elif kind == "html_block" and token.map and "<!--SR:" in token.content:
                cards.attach_schedule(token.content, token.map[0] + 1)
            index += 1

    def _paragraph(self, token: Any, list_depth: int) -> None:
        lines = [(token.map[0] + 1 + n, text) for n, text in enumerate(token.content.split("\n"))]
        first = lines[0][1]
        if list_depth and self.in_questions():
            self.add_question(lines)
        elif first.startswith(QUESTION_PREFIX):
            self.add_question([(lines[0][0], first[len(QUESTION_PREFIX) :])] + lines[1:])
        else:
            self.cards.paragraph(lines, scheduled="<!--SR:" in token.content)
            self.answer_ends = token.map[1]

    def _continues_answer(self, token: Any) -> bool:
        """A list, table, display or indented block right below an answer (one blank line allowed) goes on with it."""
        gap = token.map[0] - self.answer_ends
        if token.type not in CONTINUING_BLOCKS or gap not in (0, 1):
            return False
        starts, (first, end) = self.line_starts, token.map
        block = self.text[starts[first] : starts[end] if end < len(starts) else len(self.text)].strip("\n")
        answer = self.cards.open_answer
        assert answer is not None
        answer.answer = answer.answer + "\n" * (gap + 1) + block if answer.answer else block
        self.answer_ends = token.map[1]
        return True

    def add_question(self, lines: list[tuple[int, str]]) -> None:
        text = "\n".join(t for _, t in lines).strip()
        if text:
            r = self.result
            context = self.cards.context
            r.questions.append(
                Question(deck=r.deck, text=text, context=context, source=r.path, line=lines[0][0], paper=r.paper)
            )


def _block_end(tokens: list, index: int) -> int:
    """The index after the block that opens at ``index`` (its matching close, for a container)."""
    token = tokens[index]
    if token.nesting == 0:
        return index + 1
    depth = 0
    for end in range(index, len(tokens)):
        depth += tokens[end].nesting
        if depth == 0:
            return end + 1
    return len(tokens)


def check_duplicates(result: ParsedNotes) -> None:
    """A front twice in a deck is an error at its second line; each note's key is computed once here and
    kept in ``keys`` (collapsing a front's whitespace was 7 % of a large ``add``)."""
    keys = [note.key for note in result.notes]
    if len(set(keys)) < len(keys):  # a front given twice: keep the first
        seen: dict[str, int] = {}
        keep, kept = [], []
        for note, key in zip(result.notes, keys):
            first = seen.setdefault(key, note.line)
            if first == note.line:
                keep.append(note)
                kept.append(key)
            else:
                result.errors.append(
                    NotesError(result.path, note.line, f"duplicate front in deck {note.deck} (first at line {first})")
                )
        result.notes, keys = keep, kept
    result.keys = keys
    result.errors.sort(key=lambda e: e.line)

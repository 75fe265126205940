"""Markdown notes -> notes (card makers) and open questions, with line numbers; pure.

markdown-it gives the block structure (headings, lists, fences, quotes); card
syntax is then read line by line inside each paragraph, because several
``front :: back`` lines form one markdown paragraph yet are separate cards, and
a ``$$`` block does not interrupt a paragraph.  Quoted text and code are prose.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import lru_cache

from studycards.errors import NotesError
from studycards.models import Note, Question, normalise
from studycards.notes.front_matter import deck_name, read_front_matter
from studycards.notes.syntax import (
    ANSWER_LINE,
    CONTEXT_SEPARATOR,
    QUESTION_LINE,
    QUESTION_PREFIX,
    CardKind,
    cloze_parts,
    find_separator,
    is_cloze,
    is_question_heading,
    unbalanced_math,
)

MAX_NESTING = 100  # markdown-it's block depth (a list level counts two); its default of 20 cut notes at 9 levels


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


@lru_cache(maxsize=1)
def block_parser():  # -> markdown_it.MarkdownIt, imported lazily
    """The one markdown parser for notes files: whoever needs their line numbers must see the same blocks."""
    from markdown_it import MarkdownIt
    from mdit_py_plugins.dollarmath import dollarmath_plugin
    from mdit_py_plugins.front_matter import front_matter_plugin

    md = MarkdownIt("commonmark").use(front_matter_plugin).use(dollarmath_plugin, double_inline=True)
    md.core.ruler.disable("inline")  # cards are read from each paragraph's raw text: inline tokens are never used
    md.options["maxNesting"] = MAX_NESTING
    return md


def parse_notes(text: str, path: str, deck: str | None = None, *, compact: bool = False) -> ParsedNotes:
    """Parse a notes file; ``deck`` (from ``--deck``) overrides the front matter and the title."""
    tokens = block_parser().parse(text)
    result = ParsedNotes(path=path, deck="")
    meta: dict = {}
    if tokens and tokens[0].type == "front_matter":
        meta = read_front_matter(tokens[0].content, result.path, result.errors)
    result.paper = meta.get("paper")
    result.tags = tuple(meta.get("tags", ()))
    title = next(
        (tokens[i + 1].content for i, t in enumerate(tokens) if t.type == "heading_open" and t.tag == "h1"), ""
    )
    stem = re.sub(r"\.md$", "", path.replace("\\", "/").rsplit("/", 1)[-1])
    result.deck = deck or meta.get("deck") or deck_name(title) or deck_name(stem) or "Default"
    _Walker(result).walk(tokens)
    too_deep = next(
        (t for t in tokens if t.type in ("list_item_open", "blockquote_open") and t.map and t.level + 1 >= MAX_NESTING),
        None,
    )
    if too_deep is not None:  # markdown-it reads nothing inside, and after a list nothing below either
        result.errors.append(
            NotesError(
                path,
                too_deep.map[0] + 1,
                "lists or quotes nested too deeply: markdown reads"
                " no further here, and cards below would be lost; flatten them",
            )
        )
    _check_duplicates(result)
    return result


class _Walker:
    """Walks block tokens keeping the heading path, and turns paragraphs into notes."""

    def __init__(self, result: ParsedNotes) -> None:
        self.result = result
        self.headings: list[tuple[int, str]] = []
        self.pending_prompt: tuple[int, list[str]] | None = None

    @property
    def context(self) -> str:
        return CONTEXT_SEPARATOR.join(title for _, title in self.headings)

    def in_questions(self) -> bool:
        return bool(self.headings) and is_question_heading(self.headings[-1][1])

    def error(self, line: int, message: str) -> None:
        self.result.errors.append(NotesError(self.result.path, line, message))

    def walk(self, tokens: list) -> None:
        quote_depth = list_depth = 0
        for i, token in enumerate(tokens):
            prompt = self.pending_prompt
            self.pending_prompt = prompt if token.type == "paragraph_close" else None
            if token.type == "heading_open":
                level = int(token.tag[1])
                self.headings = [h for h in self.headings if h[0] < level] + [(level, tokens[i + 1].content.strip())]
            elif token.type == "blockquote_open":
                quote_depth += 1
            elif token.type == "blockquote_close":
                quote_depth -= 1
            elif token.type in ("bullet_list_open", "ordered_list_open"):
                list_depth += 1
            elif token.type in ("bullet_list_close", "ordered_list_close"):
                list_depth -= 1
            elif token.type == "math_block" and prompt and token.map:
                self.add_equation(prompt[0], prompt[1], token.content, token.map[1])
            elif token.type == "inline" and tokens[i - 1].type == "paragraph_open" and token.map and not quote_depth:
                lines = [(token.map[0] + 1 + n, text) for n, text in enumerate(token.content.split("\n"))]
                if list_depth and self.in_questions():
                    self.add_question(lines)
                else:
                    self.paragraph(lines)

    # -- paragraphs ------------------------------------------------------

    def paragraph(self, lines: list[tuple[int, str]]) -> None:
        first = lines[0][1]
        if first.startswith(QUESTION_PREFIX):
            self.add_question([(lines[0][0], first[len(QUESTION_PREFIX) :])] + lines[1:])
        elif QUESTION_LINE.match(first + " "):
            self.add_qa(lines)
        elif is_cloze(" ".join(t for _, t in lines)):
            self.add_cloze(lines)
        else:
            self.line_cards(lines)

    def line_cards(self, lines: list[tuple[int, str]]) -> None:
        prose: list[tuple[int, str]] = []
        index = 0
        while index < len(lines):
            line, text = lines[index]
            if text.strip().startswith("$$"):
                end = _display_end(lines, index)
                if end is None:
                    self.error(line, "unclosed $$: the display math never ends")
                    return
                if prose and prose[-1][1].rstrip().endswith(":"):
                    latex = "\n".join(t for _, t in lines[index : end + 1]).strip()[2:-2]
                    self.add_equation(prose[0][0], [t for _, t in prose], latex, lines[end][0])
                prose, index = [], end + 1
                continue
            separator = find_separator(text)
            if separator is None and find_separator(text.replace("$", "")):
                _math_error(line, text, self.error)
            elif separator:
                kind, start, width = separator
                self.add_basic(line, kind, text[:start], text[start + width :])
                prose = []
            else:
                prose.append((line, text))
            index += 1
        if prose and prose[-1][1].rstrip().endswith(":"):
            self.pending_prompt = (prose[0][0], [t for _, t in prose])

    def add_basic(self, line: int, kind: str, front: str, back: str) -> None:
        front, back = front.strip(), back.strip()
        if not front or not back:
            self.error(
                line, f"empty {'front' if not front else 'back'} in `{'::' if kind == CardKind.BASIC else ':::'}` card"
            )
            return
        if _math_error(line, front + " " + back, self.error):
            return
        self.note(kind, front, back, line, ords=(0, 1) if kind == CardKind.REVERSED else (0,))

    def add_qa(self, lines: list[tuple[int, str]]) -> None:
        answer_at = next((i for i, (_, t) in enumerate(lines) if ANSWER_LINE.match(t)), None)
        if answer_at is None:
            self.error(lines[0][0], "`Q:` without an `A:` (the answer starts with `A:` on its own line)")
            return
        question = "\n".join(t for _, t in lines[:answer_at]).strip()[2:].strip()
        answer = "\n".join(t for _, t in lines[answer_at:]).strip()[2:].strip()
        if not question or not answer:
            self.error(lines[0][0], f"empty {'question' if not question else 'answer'} in `Q:`/`A:` card")
            return
        if _math_error(lines[0][0], question + " " + answer, self.error):
            return
        self.note(CardKind.BASIC, question, answer, lines[0][0])

    def add_cloze(self, lines: list[tuple[int, str]]) -> None:
        text = "\n".join(t for _, t in lines).strip()
        line = lines[0][0]
        try:
            text, masked, numbers = cloze_parts(text)
        except ValueError as exc:
            self.error(line, str(exc))
            return
        if _math_error(line, text, self.error):
            return
        self.note(CardKind.CLOZE, text, "", line, ords=tuple(numbers), identity=normalise(masked))

    def add_equation(self, line: int, prompt: list[str], latex: str, end_line: int) -> None:
        prompt_text = "\n".join(prompt).strip()
        latex = latex.strip()
        if not latex:
            self.error(end_line, "empty $$ block under an equation prompt")
            return
        self.note(CardKind.EQUATION, prompt_text, f"$$\n{latex}\n$$", line)

    def add_question(self, lines: list[tuple[int, str]]) -> None:
        text = "\n".join(t for _, t in lines).strip()
        if text:
            r = self.result
            r.questions.append(
                Question(deck=r.deck, text=text, context=self.context, source=r.path, line=lines[0][0], paper=r.paper)
            )

    def note(
        self, kind: str, front: str, back: str, line: int, ords: tuple[int, ...] = (0,), identity: str = ""
    ) -> None:
        r = self.result
        r.notes.append(
            Note(
                deck=r.deck,
                kind=kind,
                front=front,
                back=back,
                context=self.context,
                source=r.path,
                line=line,
                tags=r.tags,
                paper=r.paper,
                ords=ords,
                identity=identity,
            )
        )


def _display_end(lines: list[tuple[int, str]], start: int) -> int | None:
    """Index of the line closing the ``$$`` block opened at ``start``."""
    opening = lines[start][1].strip()
    if len(opening) > 2 and opening.endswith("$$"):
        return start
    for index in range(start + 1, len(lines)):
        if lines[index][1].strip().endswith("$$"):
            return index
    return None


def _math_error(line: int, text: str, error: Callable[[int, str], None]) -> bool:
    if unbalanced_math(text):
        error(line, "unclosed $ math: every $ needs a closing $ (write \\$ for a dollar sign)")
        return True
    return False


def _check_duplicates(result: ParsedNotes) -> None:
    seen: dict[str, int] = {}
    for note in result.notes:
        if note.key in seen:
            result.errors.append(
                NotesError(
                    result.path, note.line, f"duplicate front in deck {note.deck} (first at line {seen[note.key]})"
                )
            )
        else:
            seen[note.key] = note.line
    result.notes = [n for n in result.notes if seen.get(n.key) == n.line]
    result.errors.sort(key=lambda e: e.line)

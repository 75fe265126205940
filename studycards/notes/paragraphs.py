"""One paragraph of notes -> notes, by one rule for where a card starts and ends.

A card line (``front :: back``, ``front ::: back``, ``Q:``) starts a card wherever
it stands, even right under another line; a ``Q:`` card's answer (from ``A:``)
runs to the next card line or the paragraph's end, and the walker (``parser``)
lets it go on over a list, table, display or indented block that follows.  What
is left between card lines is prose: a cloze note if it holds a deletion or a
highlight, an equation prompt if it ends with ``:`` above a ``$$`` block.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from studycards.errors import NotesError
from studycards.models import CardState, Note, normalise
from studycards.notes.syntax import (
    ANSWER_LINE,
    MULTILINE_SEPARATORS,
    QUESTION_LINE,
    CardKind,
    Span,
    cloze_parts,
    find_separator,
    is_cloze,
    schedule_comments,
    separated,
    unbalanced_math,
)

if TYPE_CHECKING:
    from studycards.notes.parser import ParsedNotes

Line = tuple[int, str]


@dataclass
class OpenAnswer:
    """A ``Q:`` card whose answer may still go on over the blocks below its paragraph."""

    line: int
    question: str
    answer: str
    starts: tuple[CardState, ...] = ()


@dataclass
class Cards:
    """Makes the notes of one file; ``context`` is the heading path, kept current by the walker."""

    result: ParsedNotes
    compact: bool = False
    context: str = ""
    pending_prompt: tuple[int, list[str]] | None = None
    open_answer: OpenAnswer | None = None
    _starts: dict[int, tuple[CardState, ...]] = field(default_factory=dict)

    def error(self, line: int, message: str) -> None:
        self.result.errors.append(NotesError(self.result.path, line, message))

    def warn(self, line: int, message: str) -> None:
        self.result.warnings.append(NotesError(self.result.path, line, message))

    # -- a paragraph -------------------------------------------------------

    def paragraph(self, lines: list[Line], scheduled: bool | None = None) -> None:
        """Card lines become cards; the prose between them becomes a cloze or a prompt.

        ``scheduled`` says whether the lines hold an ``<!--SR:`` comment, when the caller has looked.
        """
        if any("<!--SR:" in text for _, text in lines) if scheduled is None else scheduled:
            lines = [(line, self._without_schedule(line, text)) for line, text in lines]
        compact = self.compact
        prose: list[Line] = []
        qa: list[Line] | None = None
        index = 0
        while index < len(lines):
            line, text = lines[index]
            if "$$" in text and text.strip().startswith("$$"):
                end = _display_end(lines, index)
                if end is None:
                    self.error(line, "unclosed $$: the display math never ends")
                    return
                if qa is not None:
                    qa += lines[index : end + 1]
                else:
                    self._display(prose, lines[index : end + 1])
                    prose = []
                index = end + 1
                continue
            if text.startswith("Q:") and QUESTION_LINE.match(text + " "):
                self._prose(prose)
                self._qa(qa)
                prose, qa = [], [(line, text)]
            elif prose and qa is None and text.strip() in MULTILINE_SEPARATORS:
                index = self._multiline(prose, lines, index)
                prose = []
                continue
            elif "::" not in text and ":$" not in text:  # no separator, neither written nor hidden by a $
                (prose if qa is None else qa).append((line, text))
            elif (separator := (split := separated(text, compact))[0]) is not None:
                found = split[1]
                if prose:
                    self._prose(prose)
                if qa:
                    self._qa(qa)
                prose, qa = [], None
                kind, start, width = separator
                self.add_basic(line, kind, text[:start], text[start + width :], found=found)  # spans read once
            elif qa is not None:
                qa.append((line, text))
            elif "$" in text and find_separator(text.replace("$", ""), compact=compact):
                self.math_error(line, text)  # a separator hidden by an unclosed $
            else:
                if not compact and find_separator(text, compact=True, found=split[1]):
                    self.result.compact_lookalikes.append(line)
                prose.append((line, text))
            index += 1
        self._prose(prose, last=True)
        self._qa(qa, last=True)

    def _without_schedule(self, line: int, text: str) -> str:
        """The line without its ``<!--SR:…-->`` comments, whose schedules are kept for the card on that line."""
        if "<!--SR:" not in text:
            return text
        text, starts, problem = schedule_comments(text)
        if problem:
            self.warn(line, problem)
        if starts:
            self._starts[line] = starts
        return text.rstrip()

    def _display(self, prose: list[Line], block: list[Line]) -> None:
        if prose and prose[-1][1].rstrip().endswith(":"):
            latex = "\n".join(t for _, t in block).strip()[2:-2]
            self.add_equation(prose[0][0], [t for _, t in prose], latex, block[-1][0])
        else:
            self._prose(prose)

    def _prose(self, prose: list[Line], last: bool = False) -> None:
        if not prose:
            return
        if is_cloze(" ".join(t for _, t in prose)):
            self.add_cloze(prose)
        elif last and prose[-1][1].rstrip().endswith(":"):
            self.pending_prompt = (prose[0][0], [t for _, t in prose])

    def _multiline(self, front: list[Line], lines: list[Line], at: int) -> int:
        """Obsidian's multi-line card: the prose above a ``?`` (``??``: both ways) line asks, the lines below answer.

        The answer runs to the next card line or the paragraph's end; returns where reading goes on.
        """
        end = at + 1
        while end < len(lines) and not _starts_card(lines[end][1], self.compact):
            end += 1
        kind = CardKind.REVERSED if lines[at][1].strip() == "??" else CardKind.BASIC
        back = "\n".join(t for _, t in lines[at + 1 : end])
        starts = next((self._starts[n] for n, _ in front + lines[at:end] if n in self._starts), ())
        self.add_basic(front[0][0], kind, "\n".join(t for _, t in front), back, lines[at][1].strip(), starts)
        return end

    def _qa(self, qa: list[Line] | None, last: bool = False) -> None:
        if not qa:
            return
        answer_at = next((i for i, (_, t) in enumerate(qa) if ANSWER_LINE.match(t)), None)
        if answer_at is None:
            self.error(qa[0][0], "`Q:` without an `A:` (the answer starts with `A:` on its own line)")
            return
        question = "\n".join(t for _, t in qa[:answer_at]).strip()[2:].strip()
        answer = "\n".join(t for _, t in qa[answer_at:]).strip()[2:].strip()
        starts = next((self._starts[n] for n, _ in qa if n in self._starts), ())
        self.open_answer = OpenAnswer(qa[0][0], question, answer, starts)
        if not last:
            self.close_answer()

    # -- notes -------------------------------------------------------------

    def close_answer(self) -> None:
        """The ``Q:`` card in progress is complete: check it and keep it."""
        qa, self.open_answer = self.open_answer, None
        if qa is None:
            return
        if not qa.question or not qa.answer:
            self.error(qa.line, f"empty {'question' if not qa.question else 'answer'} in `Q:`/`A:` card")
            return
        if self.math_error(qa.line, qa.question + " " + qa.answer):
            return
        self.note(CardKind.BASIC, qa.question, qa.answer, qa.line, starts=qa.starts)

    def add_basic(
        self,
        line: int,
        kind: CardKind,
        front: str,
        back: str,
        mark: str = "",
        starts: tuple[CardState, ...] = (),
        found: list[Span] | None = None,
    ) -> None:
        """A one-line card (or Obsidian's multi-line one: ``mark`` is its ``?``); ``starts`` default to its line's.

        ``found`` are the spans of the line split at its separator: that separator lies outside every
        span, so they are the spans of the front and the back, and the math check need not look again.
        """
        front, back = front.strip(), back.strip()
        if not front or not back:
            mark = mark or ("::" if kind == CardKind.BASIC else ":::")
            self.error(line, f"empty {'front' if not front else 'back'} in `{mark}` card")
            return
        if self.math_error(line, front + " " + back, found):
            return
        ords = (0, 1) if kind == CardKind.REVERSED else (0,)
        self.note(kind, front, back, line, ords=ords, starts=starts or self._starts.get(line, ()))

    def add_cloze(self, lines: list[Line]) -> None:
        text = "\n".join(t for _, t in lines).strip()
        line = lines[0][0]
        try:
            text, masked, numbers = cloze_parts(text)
        except ValueError as exc:
            self.error(line, str(exc))
            return
        if self.math_error(line, text):
            return
        starts = next((self._starts[n] for n, _ in lines if n in self._starts), ())
        self.note(CardKind.CLOZE, text, "", line, ords=tuple(numbers), identity=normalise(masked), starts=starts)

    def add_equation(self, line: int, prompt: list[str], latex: str, end_line: int) -> None:
        prompt_text = "\n".join(prompt).strip()
        latex = latex.strip()
        if not latex:
            self.error(end_line, "empty $$ block under an equation prompt")
            return
        self.note(CardKind.EQUATION, prompt_text, f"$$\n{latex}\n$$", line)

    def math_error(self, line: int, text: str, found: list[Span] | None = None) -> bool:
        if unbalanced_math(text, found):
            self.error(line, "unclosed $ math: every $ needs a closing $ (write \\$ for a dollar sign)")
            return True
        return False

    def note(
        self,
        kind: str,
        front: str,
        back: str,
        line: int,
        ords: tuple[int, ...] = (0,),
        identity: str = "",
        starts: tuple[CardState, ...] = (),
    ) -> None:
        r = self.result
        r.notes.append(
            Note(r.deck, kind, front, back, self.context, r.path, line, r.tags, r.paper, ords, identity,
                 starts[: len(ords)])
        )  # fmt: skip

    def attach_schedule(self, text: str, line: int) -> None:
        """An ``<!--SR:…-->`` comment on the line after a card gives that card its schedule (if it has none)."""
        _, starts, problem = schedule_comments(text)
        if problem:
            self.warn(line, problem)
        notes = self.result.notes
        if starts and notes and not notes[-1].starts:
            notes[-1] = notes[-1]._replace(starts=starts[: len(notes[-1].ords)])


def _starts_card(text: str, compact: bool) -> bool:
    return bool(QUESTION_LINE.match(text + " ") or find_separator(text, compact=compact))


def _display_end(lines: list[Line], start: int) -> int | None:
    """Index of the line closing the ``$$`` block opened at ``start``."""
    opening = lines[start][1].strip()
    if len(opening) > 2 and opening.endswith("$$"):
        return start
    for index in range(start + 1, len(lines)):
        if lines[index][1].strip().endswith("$$"):
            return index
    return None

"""The notes-text grammar, in one place: card kinds, where code and math are, separators, clozes, highlights.

Every module that reads or writes notes text (the parser, the review screen, the
Anki fields, the reading guide, the terminal math) asks this module, so that what
is math, a cloze or a separator is decided once; a property test checks that the
readers agree.  Pure, and cheap to import.
"""

# Annotations are evaluated here (no __future__ import): a NamedTuple compiles each string annotation, at start-up.

import re
from collections.abc import Iterator
from datetime import date
from enum import StrEnum
from typing import NamedTuple

from studycards.models import CardState


class CardKind(StrEnum):
    """What a note makes; the value is stored and is part of a card's identity."""

    BASIC = "basic"
    REVERSED = "reversed"
    CLOZE = "cloze"
    EQUATION = "equation"


class QuestionStatus(StrEnum):
    """An open question stays open until answered, or is gone once its notes no longer hold it."""

    OPEN = "open"
    ANSWERED = "answered"
    GONE = "gone"


CONTEXT_SEPARATOR = " › "
QUESTION_HEADINGS = ("questions", "open questions")
QUESTION_PREFIX = "? "
QUESTION_LINE = re.compile(r"Q:\s")
ANSWER_LINE = re.compile(r"A:(\s|$)")
MULTILINE_SEPARATORS = ("?", "??")
CLOZE_OPEN = re.compile(r"\{\{c(\d+)::")
NUMBERED_HIGHLIGHT = re.compile(r"c(\d+)::(.+)", re.S)
SCHEDULE_COMMENT = re.compile(r"<!--SR:(.*?)-->")
SCHEDULE_ENTRY = re.compile(r"!?(\d{4}-\d{2}-\d{2}),(\d+),(\d+)")
HIGHLIGHT = re.compile(r"(?<!\\)==(?=\S)(.+?)(?<=\S)(?<!\\)==")  # \== is two equals signs
ESCAPED_HIGHLIGHT = re.compile(r"\\(?===)")  # the backslash of \==, which a reader sees as ==
# A span, whole: an escape (skipped), a backtick run and the same run closing it (lookarounds keep runs
# whole), or ``$$`` / ``$`` with the body up to the first unescaped closer (``$$`` ends display math,
# ``$`` inline math); a closer left out means the span was never closed.  Each branch starts with its
# character, so the search skips the prose between spans in C; a body is runs of ordinary characters
# between escapes, each run one step of the matcher rather than one step a character.
_SPAN = re.compile(
    r"\\."
    r"|`(?P<code>`*+)(?:.*?(?<!`)`(?P=code)(?!`)(?P<code_end>))?"
    r"|\$(?P<display>\$[^\\$]*+(?:(?:\\.|\$(?!\$))[^\\$]*+)*+)(?:\$\$(?P<display_end>))?"
    r"|\$(?P<math>[^\\$]*+(?:\\.[^\\$]*+)*+)(?:\$(?P<math_end>))?",
    re.S,
)
_CLOSED = {"code_end": "code", "display_end": "display", "math_end": "math"}  # a span's last group, when closed
_ESCAPED = re.compile(r"\\.")
_SEPARATOR_TOKENS = re.compile(r"\{\{|\}\}|:{2,3}")
# Where a separator may be, clozes aside: two or three colons with whitespace or an end on each side (``\s``
# is what ``str.isspace`` calls space), or, compact, no colon beside them; the first unless a ``{{`` is before.
_RUNS = {False: r":(?<!\S:):{1,2}(?!\S)", True: r":(?<!::):{1,2}(?!:)"}  # by ``compact``; a literal first, as
_SEPARATOR = {compact: re.compile(run) for compact, run in _RUNS.items()}  # each branch: the search skips in C
_LINE: dict[bool, re.Pattern[str]] = {}  # by ``compact``: made at a card line's first reading (not for review)
_ESCAPED_SPACE_OR_COLON = re.compile(r"\\[\s:]")  # the one escape that one scan of a line reads otherwise


def is_question_heading(title: str) -> bool:
    """A heading whose list items are open research questions, not cards."""
    return title.strip().lower().rstrip(":") in QUESTION_HEADINGS


class Span(NamedTuple):
    """Code or math in a line of notes: ``kind`` is ``code``, ``math`` or ``display``; ``end`` is exclusive."""

    kind: str
    start: int
    end: int
    closed: bool = True

    @property
    def body(self) -> slice:
        """Inside the delimiters (math not closed runs to the end)."""
        width = 2 if self.kind == "display" else 1
        return slice(self.start + width, self.end - width if self.closed else self.end)


_span = Span._make  # a Span from a tuple, without the keyword handling of Span(...)


def spans(text: str) -> list[Span]:
    """Code spans (a run of backticks closed by a run of the same length) and ``$…$`` / ``$$…$$`` math.

    A backslash escapes the next character; inside math only ``\\$`` is special,
    as markdown-it's dollarmath (which renders the Anki fields) reads it.  An
    unclosed backtick run is plain text, as in CommonMark; an unclosed ``$``
    opens math to the end of the text, which the parser reports as an error.
    Each span is one match of one expression, found in C: this runs for every card line.
    """
    if "`" not in text and "$" not in text:
        return []
    found: list[Span] = []
    for token in _SPAN.finditer(text):
        last = token.lastgroup  # the group that matched last: a closer's; None for an escape
        if kind := _CLOSED.get(last):  # type: ignore[arg-type]
            found.append(_span((kind, *token.span(), True)))
        elif last is not None and last != "code":  # math never closed; code never closed is plain text
            found.append(_span((last, token.start(), len(text), False)))
            break
    return found


def outside_spans(text: str, found: list[Span] | None = None) -> str:
    """The text with code and math blanked out (same length), so prose rules can search it with plain regexes."""
    found = spans(text) if found is None else found
    if not found:
        return text
    pieces, pos = [], 0
    for _, start, end, _ in found:
        pieces.append(text[pos:start])
        pieces.append("\x00" * (end - start))
        pos = end
    pieces.append(text[pos:])
    return "".join(pieces)


def find_separator(
    text: str, compact: bool = False, found: list[Span] | None = None
) -> tuple[CardKind, int, int] | None:
    """The first `` :: `` / `` ::: `` outside code, math and clozes: (kind, index, width).

    A separator needs whitespace (or the line's end) on each side, unless
    ``compact`` (Obsidian's ``front::back``), where it needs only no other colon
    beside it; an escaped colon (``\\::``) is text.  ``found`` is the text's
    ``spans``, when the caller has them already.
    """
    if "::" not in text:
        return None
    prose = outside_spans(text, found)
    if "\\" in prose:
        prose = _ESCAPED.sub("\x00\x00", prose)
    first = _SEPARATOR[compact].search(prose)
    if first is None:
        return None
    start, end = first.span()
    if prose.find("{{", 0, start) < 0:  # no cloze opens before the first run of colons that would separate
        return (CardKind.REVERSED if end - start == 3 else CardKind.BASIC), start, end - start
    depth = 0
    for match in _SEPARATOR_TOKENS.finditer(prose):
        token = match.group()
        if token == "{{":
            depth += 1
        elif token == "}}":
            depth = max(0, depth - 1)
        elif not depth:
            start, end = match.span()
            before, after = prose[start - 1 : start], prose[end : end + 1]
            if ((before.isspace() or not before) and (after.isspace() or not after)) or (
                compact and before != ":" and after != ":"
            ):
                return (CardKind.REVERSED if len(token) == 3 else CardKind.BASIC), start, len(token)
    return None


def separated(text: str, compact: bool = False) -> tuple[tuple[CardKind, int, int] | None, list[Span]]:
    """``find_separator(text, compact)`` and ``spans(text)`` from one scan, unless a ``{{`` comes before the
    separator or an escape hides a space or a colon (a property test holds them equal)."""
    found: list[Span] = []
    first, cloze = None, _ESCAPED_SPACE_OR_COLON.search(text) is not None  # cloze: leave it to find_separator
    if (scan := _LINE.get(compact)) is None:
        scan = _LINE[compact] = re.compile(f"{_SPAN.pattern}|{_RUNS[compact]}(?P<run>)|\\{{\\{{(?P<opens>)", re.S)
    for token in scan.finditer(text):
        last = token.lastgroup
        if kind := _CLOSED.get(last):  # type: ignore[arg-type]
            found.append(_span((kind, *token.span(), True)))
        elif last == "run":
            first = first or token.span()
        elif last == "opens":
            cloze = cloze or first is None
        elif last is not None and last != "code":
            found.append(_span((last, token.start(), len(text), False)))
            break
    if cloze or first is None:
        return (find_separator(text, compact, found) if cloze else None), found
    start, end = first
    return ((CardKind.REVERSED if end - start == 3 else CardKind.BASIC), start, end - start), found


def unbalanced_math(text: str, found: list[Span] | None = None) -> bool:
    """True when a ``$`` or ``$$`` outside code has no partner: the rest of the card would silently become math.

    ``found`` is the text's ``spans``, when the caller has them already: only the last of them can be
    unclosed (``spans`` stops there), and only math is.
    """
    found = (spans(text) if found is None else found) if "$" in text else []
    return bool(found) and not found[-1].closed


def display_math(text: str) -> Iterator[str]:
    """The LaTeX of each ``$$…$$`` block in a card side, as its drawing is kept (:func:`equation_key`)."""
    if "$$" in text:
        for span in spans(text):
            if span.kind == "display":
                yield equation_key(text[span.body])


def equation_key(latex: str) -> str:
    """A display equation as sympy's drawing of it is kept: ``$$x$$`` and ``$$`` on lines of their own alike."""
    return latex.strip()


def _inside(found: list[Span], pos: int) -> Span | None:
    """The code or math span that ``pos`` lies strictly inside, if any."""
    for span in found:
        if span.start < pos < span.end:
            return span
    return None


def highlights(text: str) -> list[tuple[int, int]]:
    """Where each ``==…==`` highlight of a basic card's side is, its ``==`` pairs included: ``(start, end)``.

    Outside code and math only (``a==b`` there is text), and an escaped ``\\==`` is two equals signs;
    one that would cross into code or math is none.  The Anki fields and the terminal both ask here.
    """
    if "==" not in text:
        return []
    return [match.span() for match in HIGHLIGHT.finditer(outside_spans(text))]


def escaped_highlights(text: str) -> list[int]:
    """Where the backslash of each escaped ``\\==`` outside code and math is: it shows as ``==``, as in Anki
    (whose markdown drops a backslash before punctuation); in code or math it is text as written."""
    if "\\==" not in text:
        return []
    return [match.start() for match in ESCAPED_HIGHLIGHT.finditer(outside_spans(text))]


def _highlights(text: str, found: list[Span]) -> Iterator[tuple[re.Match[str], bool]]:
    """Each ``==…==`` outside code and math, then (flagged) each one that starts outside and ends inside one."""
    prose = outside_spans(text, found)
    yield from ((match, False) for match in HIGHLIGHT.finditer(prose))
    for match in HIGHLIGHT.finditer(text):
        if _inside(found, match.start()) is None and _inside(found, match.end() - 1) is not None:
            yield match, True


def _deletion_opens(text: str, found: list[Span]) -> Iterator[re.Match[str]]:
    """Each ``{{cN::`` outside code: inside code it is text, as Anki's cloze reader never sees it there."""
    for match in CLOZE_OPEN.finditer(text):
        span = _inside(found, match.start())
        if span is None or span.kind != "code":
            yield match


def is_cloze(text: str) -> bool:
    """A paragraph with a ``{{cN::…}}`` deletion or an ``==…==`` highlight outside code (and math) is a cloze."""
    if "{{c" not in text and "==" not in text:
        return False
    found = spans(text)
    return any(_deletion_opens(text, found)) or any(_highlights(text, found))


class Deletion(NamedTuple):
    """A cloze deletion in a text: ``{{cN::`` at ``start``, its answer from ``body`` up to the ``}}`` at ``end``."""

    start: int
    body: int
    end: int
    number: int


def cloze_parts(text: str) -> tuple[str, str, list[int]]:
    """Normalise ``==…==`` into numbered clozes; return (text, text with deletions masked, numbers).

    ``==c2::x==`` is deletion 2 (another tool's form); other highlights take the
    free numbers in order.  Bodies are matched brace-aware, so ``{{c1::\\sqrt{d_k}}}``
    is one deletion.  A deletion may sit wholly inside one math span, but neither
    a deletion nor a highlight may cross a math or code boundary.  Raises
    ValueError with the message a notes error shows.
    """
    found = spans(text)
    highlights = list(_highlights(text, found)) if "==" in text else []
    if any(crossing for _, crossing in highlights):
        raise ValueError("a highlight `==…==` may not cross a math or code boundary")
    if highlights:  # each becomes a deletion
        bodies = [text[m.start(1) : m.end(1)] for m, _ in highlights]  # found in the blanked text: read the real one
        numbered = [NUMBERED_HIGHLIGHT.fullmatch(body) for body in bodies]
        taken = {int(m.group(1)) for m in _deletion_opens(text, found)} | {int(n.group(1)) for n in numbered if n}
        counter = iter(n for n in range(1, 10_000) if n not in taken)
        pieces, pos = [], 0
        for (match, _), given, inner in zip(highlights, numbered, bodies):
            body = f"c{given.group(1)}::{given.group(2)}" if given else f"c{next(counter)}::{inner}"
            pieces += [text[pos : match.start()], "{{" + body + "}}"]
            pos = match.end()
        text = "".join(pieces) + text[pos:]
        found = spans(text)
    numbers: list[int] = []
    out, masked = [], []
    pos = 0
    for match in _deletion_opens(text, found):
        if match.start() < pos:
            raise ValueError("a cloze inside a cloze is not supported")
        end = cloze_end(text, match.end())
        if end is None:
            raise ValueError(f"unclosed cloze `{match.group(0)}`: it needs a closing `}}}}`")
        if _inside(found, match.start()) is not _inside(found, end + 1):
            raise ValueError(f"cloze `{match.group(0)}` crosses a math or code boundary: keep it inside or outside")
        body = text[match.end() : end]
        if not body.split("::")[0].strip():
            raise ValueError(f"empty cloze `{match.group(0)}}}}}`")
        number = int(match.group(1))
        if number == 0:
            raise ValueError("cloze numbers start at c1")
        numbers.append(number)
        out.append(text[pos : end + 2])
        masked.append(text[pos : match.start()] + f"{{{{c{number}}}}}")
        pos = end + 2
    out.append(text[pos:])
    masked.append(text[pos:])
    return "".join(out), "".join(masked), sorted(set(numbers))


def deletions(text: str) -> Iterator[Deletion]:
    """The deletions of a (valid) cloze text in order, brace-aware; anything after an unclosed one is plain text."""
    pos = 0
    for match in _deletion_opens(text, spans(text)):
        if match.start() < pos:
            continue
        end = cloze_end(text, match.end())
        if end is None:
            return
        yield Deletion(match.start(), match.end(), end, int(match.group(1)))
        pos = end + 2


def schedule_comments(text: str) -> tuple[str, tuple[CardState, ...], str | None]:
    """Obsidian spaced repetition's ``<!--SR:!2026-01-05,3,250-->``: the text without it, its cards' states, a doubt.

    Each entry is a due date, an interval in days and an ease (250 = EF 2.50);
    the plugin keeps no repetition count, so an interval over a day counts as two
    passes (the next interval multiplies by EF) and one day as one (next: 6 days).
    """
    states: list[CardState] = []
    problem = None
    for comment in SCHEDULE_COMMENT.finditer(text):
        body = comment.group(1).strip()
        entries = list(SCHEDULE_ENTRY.finditer(body))
        if not entries or "".join(m.group(0) for m in entries) != body:
            problem = f"cannot read the schedule comment `{comment.group(0)}`: the card starts new"
            continue
        try:
            for entry in entries:
                due, interval, ease = date.fromisoformat(entry.group(1)), int(entry.group(2)), int(entry.group(3))
                reps = 1 if interval <= 1 else 2
                states.append(CardState(ef=max(130, ease), repetitions=reps, interval=max(1, interval), due=due))
        except ValueError:
            states = []
            problem = f"cannot read the schedule comment `{comment.group(0)}`: the card starts new"
    return SCHEDULE_COMMENT.sub("", text), tuple(states), problem


def cloze_end(text: str, start: int) -> int | None:
    """Where the ``}}`` closing a deletion whose body starts at ``start`` is, counting braces (``\\{`` is text)."""
    depth = 0
    i = start
    while i < len(text):
        if text[i] == "\\":
            i += 2
            continue
        if text[i] == "{":
            depth += 1
        elif text[i] == "}":
            if depth == 0 and text.startswith("}}", i):
                return i
            depth = max(0, depth - 1)
        i += 1
    return None


def escape_inline(text: str) -> str:
    """Prose (no math in it) that can never read as a separator, a cloze or a highlight, and reads the same."""
    text = re.sub(r"\{\{c(\d+)::", r"{ {c\1::", text)
    return text.replace("==", "= =").replace("::", ":\\:")


def escape_block_start(text: str) -> str:
    """A line that cannot start a block or a card: not a question, ``Q:``/``A:``, a list, a heading, a quote…"""
    if re.match(r"[QA]:", text):
        return text[0] + "\\" + text[1:]
    if digits := re.match(r"\d+(?=[.)](?:\s|$))", text):
        return text[: digits.end()] + "\\" + text[digits.end() :]
    if re.match(r"[?#>+*=`|~-]", text):
        return "\\" + text
    return text

"""What a card says on each side: its context line, the front with the cloze hidden, the back revealed.

Sides are rendered here, when shown: the line form of math takes microseconds, and a display
equation sympy has drawn (``drawings``, by its LaTeX: ``store.drawings.of``) shows that drawing.
"""

from __future__ import annotations

from collections.abc import Mapping

from studycards.models import Card
from studycards.notes.syntax import CONTEXT_SEPARATOR, CardKind, deletions, escaped_highlights, highlights, spans
from studycards.review.records import HIGHLIGHT_OFF, HIGHLIGHT_ON


def card_context(card: Card) -> str:
    """The heading path, led by the fetched paper's title when the notes' headings do not name it."""
    context = card.context or card.deck
    if card.paper_title and card.paper_title.lower() not in context.lower():
        return card.paper_title + CONTEXT_SEPARATOR + context
    return context


def card_sides(
    card: Card, raw: bool = False, marked: bool = False, drawings: Mapping[str, str] = {}
) -> tuple[str, str]:
    """Front and back as the user sees them: rendered math (or the raw LaTeX), clozes masked on the front.

    A basic card's ``==…==`` highlights lose their ``==``; ``marked`` puts ``HIGHLIGHT_ON`` and
    ``HIGHLIGHT_OFF`` around their text instead, for a screen that can stress it.
    """
    front = card.front if raw else drawn(card.front, drawings)
    back = card.back if raw else drawn(card.back, drawings)
    if card.kind in (CardKind.BASIC, CardKind.REVERSED):
        marks = (HIGHLIGHT_ON, HIGHLIGHT_OFF) if marked else ("", "")
        return highlighted(card.front, front, marks), highlighted(card.back, back, marks)
    if card.kind != CardKind.CLOZE:
        return front, back
    masked, shown = cloze_sides(_cloze_front(card, raw, drawings), card.ord)
    return masked, "\n\n".join(part for part in (shown, back) if part.strip())


def cloze_marks(card: Card, raw: bool = False, drawings: Mapping[str, str] = {}) -> tuple[str, str]:
    """The hidden blank and its revealed answer as they appear in :func:`card_sides`: what the screen makes bold."""
    if card.kind != CardKind.CLOZE:
        return "", ""
    front = _cloze_front(card, raw, drawings)
    for cloze in deletions(front):
        if cloze.number == card.ord:
            answer, _, hint = front[cloze.body : cloze.end].partition("::")
            return f"[{hint or '…'}]", f"[{answer}]"
    return "", ""


def shown_equations(card: Card) -> list[str]:
    """The display equations of the card's sides: the drawings to look up before showing it."""
    from studycards.notes.syntax import display_math

    return [latex for side in (card.front, card.back) for latex in display_math(side)]


def drawn(text: str, drawings: Mapping[str, str] = {}) -> str:
    """A side with its math rendered for the terminal: the drawings given, else each equation's line form."""
    if "$" not in text:
        return text
    from studycards.mathtext.lines import render_markdown

    return render_markdown(text, drawings=drawings)


def _cloze_front(card: Card, raw: bool, drawings: Mapping[str, str]) -> str:
    """A cloze card's paragraph as shown: math drawn unless ``raw`` (the written text when drawing lost the
    deletion), an escaped ``\\==`` as ``==``."""
    front = card.front if raw else drawn(card.front, drawings)
    if f"{{{{c{card.ord}::" not in front:
        front = card.front
    return highlighted(card.front, front)


def cloze_sides(text: str, number: int) -> tuple[str, str]:
    """Cloze ``number`` hidden (its hint, or …) and then revealed; the other deletions read as plain text."""
    hidden, revealed, pos = [], [], 0
    for cloze in deletions(text):
        answer, _, hint = text[cloze.body : cloze.end].partition("::")
        mine = cloze.number == number
        hidden.append(text[pos : cloze.start] + (f"[{hint or '…'}]" if mine else answer))
        revealed.append(text[pos : cloze.start] + (f"[{answer}]" if mine else answer))
        pos = cloze.end + 2
    hidden.append(text[pos:])
    revealed.append(text[pos:])
    return "".join(hidden), "".join(revealed)


def highlighted(written: str, shown: str, marks: tuple[str, str] = ("", "")) -> str:
    """``shown`` (``written`` with its math drawn) with each highlight's ``==`` pairs replaced by ``marks``
    and each escaped ``\\==`` shown as ``==``.

    Where the highlights and escapes are is read from the written text (the notes grammar's rule: never
    in code or math).  Drawing math leaves the prose between math spans as written, so each ``==`` is
    found in ``shown`` at its place in its stretch of prose; if that prose cannot be found, ``shown`` stays.
    """
    found = highlights(written)
    escapes = escaped_highlights(written)
    if not found and not escapes:
        return shown
    places = _prose_places(written, shown)
    if places is None:
        return shown
    edits = [(start, 2, marks[0]) for start, _ in found] + [(end - 2, 2, marks[1]) for _, end in found]
    edits += [(at, 1, "") for at in escapes]
    pieces, pos = [], 0
    for at, width, mark in sorted((_shown_at(places, at), width, mark) for at, width, mark in edits):
        pieces += [shown[pos:at], mark]
        pos = at + width
    pieces.append(shown[pos:])
    return "".join(pieces)


def _prose_places(written: str, shown: str) -> list[tuple[int, int, int]] | None:
    """Each stretch of prose between math spans: (start, end) in ``written`` and its start in ``shown``."""
    if written == shown:
        return [(0, len(written), 0)]
    stretches, pos = [], 0
    for span in spans(written):
        if span.kind != "code":
            stretches.append((pos, span.start))
            pos = span.end
    stretches.append((pos, len(written)))
    places, cursor = [], 0
    for number, (start, end) in enumerate(stretches):
        text = written[start:end]
        at = 0 if number == 0 else len(shown) - len(text) if number == len(stretches) - 1 else shown.find(text, cursor)
        if at < cursor or shown[at : at + len(text)] != text:
            return None
        places.append((start, end, at))
        cursor = at + len(text)
    return places


def _shown_at(places: list[tuple[int, int, int]], at: int) -> int:
    """Where position ``at`` of the written prose is in the shown text."""
    start, _, shown = next(place for place in places if place[0] <= at < place[1])
    return shown + at - start

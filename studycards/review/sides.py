"""What a card says on each side: its context line, the front with the cloze hidden, the back revealed."""

from __future__ import annotations

from studycards.models import Card
from studycards.notes.syntax import CONTEXT_SEPARATOR, CardKind, deletions


def card_context(card: Card) -> str:
    """The heading path, led by the fetched paper's title when the notes' headings do not name it."""
    context = card.context or card.deck
    if card.paper_title and card.paper_title.lower() not in context.lower():
        return card.paper_title + CONTEXT_SEPARATOR + context
    return context


def card_sides(card: Card, raw: bool = False) -> tuple[str, str]:
    """Front and back as the user sees them: rendered math (or the raw LaTeX), clozes masked on the front."""
    front = card.front if raw else card.front_text or card.front
    back = card.back if raw else card.back_text or card.back
    if card.kind != CardKind.CLOZE:
        return front, back
    if f"{{{{c{card.ord}::" not in front:
        front = card.front
    masked, shown = cloze_sides(front, card.ord)
    return masked, "\n\n".join(part for part in (shown, back) if part.strip())


def cloze_marks(card: Card, raw: bool = False) -> tuple[str, str]:
    """The hidden blank and its revealed answer as they appear in :func:`card_sides`: what the screen makes bold."""
    if card.kind != CardKind.CLOZE:
        return "", ""
    front = card.front if raw else card.front_text or card.front
    if f"{{{{c{card.ord}::" not in front:
        front = card.front
    for cloze in deletions(front):
        if cloze.number == card.ord:
            answer, _, hint = front[cloze.body : cloze.end].partition("::")
            return f"[{hint or '…'}]", f"[{answer}]"
    return "", ""


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

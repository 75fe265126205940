"""A card's sides as the screen shows them, worked out once and kept: the next card's are ready before it is due.

Drawing a card's math for the terminal is most of the work of showing it (about 10 µs an inline
span).  The session has the next card's sides worked out while the answer of the one before is on
screen, the seconds a reader spends on it, so that a grade is followed by the next card without
that work.  What sides were worked out from is checked when they are used, so they are never stale:
the card itself (an edit or an undo reads it afresh), raw LaTeX or not, answer shown or not, and
the drawings its display equations had (the background drawer may have finished one since).
"""

# Annotations are evaluated here (no __future__ import): a NamedTuple compiles each string annotation, at start-up.

from typing import NamedTuple

from studycards.models import Card
from studycards.review.sides import card_context, card_sides, cloze_marks, shown_equations
from studycards.store.database import Store

KEPT = 8  # the card on screen and the next, each as asked and revealed, with room to spare


class Sides(NamedTuple):
    """What a frame shows of a card, from the card alone."""

    context: str
    front: str
    back: str
    marks: tuple[str, str]
    has_latex: bool


class Prepared:
    """Cards' sides by (card, raw, revealed), each kept with what it was worked out from."""

    def __init__(self, store: Store) -> None:
        self._store = store
        self._kept: dict[tuple[int, bool, bool], tuple[Card, list[str], dict[str, str], Sides]] = {}

    def sides(self, card: Card, raw: bool = False, revealed: bool = False) -> Sides:
        """The card's sides, with LaTeX ``raw`` or drawn; until ``revealed``, the back's math is not drawn."""
        key = (card.id, raw, revealed)
        kept = self._kept.get(key)
        if kept is not None and kept[0] is card:
            _, equations, drawings, sides = kept
            if not equations or self._store.drawings.of(equations) == drawings:
                return sides
        shown = card if revealed or "$" not in card.back else card._replace(back="")
        equations = shown_equations(shown)
        drawings = self._store.drawings.of(equations)
        front, back = card_sides(shown, raw=raw, marked=True, drawings=drawings)
        marks = cloze_marks(card, raw=raw, drawings=drawings)
        sides = Sides(card_context(card), front, back, marks, "$" in card.front + card.back)
        if len(self._kept) >= KEPT:
            self._kept.clear()
        self._kept[key] = (card, equations, drawings, sides)
        return sides

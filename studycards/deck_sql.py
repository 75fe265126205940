"""Deck filters as SQL: a deck includes its subdecks (``Papers`` matches ``Papers::ResNet``)."""

from __future__ import annotations

from typing import Iterable


def deck_clause(deck: str | None, column: str = "c.deck") -> tuple[str, list]:
    """A deck filter that includes subdecks (``Papers`` matches ``Papers::ResNet``) and uses the index."""
    if not deck:
        return "1", []
    return f"({column} = ? OR ({column} >= ? AND {column} < ?))", [deck, deck + "::", deck + ":;"]


def decks_clause(decks: Iterable[str], column: str = "c.deck") -> tuple[str, list]:
    """Any of several decks (with their subdecks); no decks means every deck."""
    clauses, args = [], []
    for deck in decks:
        clause, more = deck_clause(deck, column)
        clauses.append(clause)
        args += more
    return ("(" + " OR ".join(clauses) + ")" if clauses else "1"), args

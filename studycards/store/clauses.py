"""The filters of the store's queries: decks with their subdecks, the cards a session may show.

Apart from :mod:`studycards.store.sql` because they need no model: ``status`` counts with them
without importing the card records.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date


def queued_clause(day: date) -> tuple[str, list[str]]:
    """Live cards a session on ``day`` may show: not retired, not suspended, not buried past ``day``."""
    return "c.retired = 0 AND c.suspended = 0 AND (c.buried_until IS NULL OR c.buried_until <= ?)", [day.isoformat()]


def deck_clause(deck: str | None, column: str = "c.deck") -> tuple[str, list[str]]:
    """A deck filter that includes subdecks (``Papers`` matches ``Papers::ResNet``) and uses the index."""
    if not deck:
        return "1", []
    return f"({column} = ? OR ({column} >= ? AND {column} < ?))", [deck, deck + "::", deck + ":;"]


def decks_clause(decks: Iterable[str], column: str = "c.deck") -> tuple[str, list[str]]:
    """Any of several decks (with their subdecks); no decks means every deck."""
    clauses: list[str] = []
    args: list[str] = []
    for deck in decks:
        clause, more = deck_clause(deck, column)
        clauses.append(clause)
        args += more
    return ("(" + " OR ".join(clauses) + ")" if clauses else "1"), args

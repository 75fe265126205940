"""SQL pieces shared by the store's modules: the card columns and their decoding, dates, deck filters."""

from __future__ import annotations

import json
from collections.abc import Iterable
from datetime import date
from typing import Any

from studycards.models import Card, CardFlags, CardState

CARD_COLUMNS = (
    "c.id, c.key, c.note_key, c.deck, c.kind, c.ord, c.front, c.back, c.context, c.tags, c.source, "
    "c.line, c.paper, p.title, c.retired, c.ef, c.repetitions, c.interval, c.due, c.front_text, c.back_text, "
    "c.suspended, c.buried_until, c.lapses, c.leech"
)
CARD_FROM = "cards c LEFT JOIN papers p ON p.arxiv_id = c.paper"


def day_of(value: str | None) -> date | None:
    return date.fromisoformat(value) if value else None


def iso(value: date | None) -> str | None:
    return value.isoformat() if value else None


def card_from_row(row: tuple[Any, ...]) -> Card:
    return Card(
        id=row[0],
        key=row[1],
        note_key=row[2],
        deck=row[3],
        kind=row[4],
        ord=row[5],
        front=row[6],
        back=row[7],
        context=row[8],
        tags=tuple(json.loads(row[9])),
        source=row[10],
        line=row[11],
        paper=row[12],
        paper_title=row[13],
        retired=bool(row[14]),
        state=CardState(ef=row[15], repetitions=row[16], interval=row[17], due=day_of(row[18])),
        front_text=row[19],
        back_text=row[20],
        flags=CardFlags(suspended=bool(row[21]), buried_until=day_of(row[22]), lapses=row[23], leech=bool(row[24])),
    )


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

"""One card's past: every grade it was given, with the state before and after, and its siblings."""

from __future__ import annotations

import sqlite3
from datetime import date
from typing import NamedTuple

from studycards.models import Card, CardState
from studycards.store.sql import day_of


class LoggedGrade(NamedTuple):
    """A grade as the log keeps it: when, which, whether it scheduled (first of the day) or re-drilled."""

    at: str
    day: date
    grade: int
    redrill: bool
    before: CardState
    after: CardState
    seconds: float


def card_history(conn: sqlite3.Connection, card_id: int) -> list[LoggedGrade]:
    """Every grade of the card, oldest first: what ``show`` prints so a failing card explains itself."""
    rows = conn.execute(
        "SELECT reviewed_at, day, grade, redrill, answer_ms, ef_before, repetitions_before, interval_before,"
        " due_before, ef_after, repetitions_after, interval_after, due_after FROM reviews WHERE card_id = ?"
        " ORDER BY id",
        (card_id,),
    )
    return [
        LoggedGrade(
            at=r[0],
            day=date.fromisoformat(r[1]),
            grade=r[2],
            redrill=bool(r[3]),
            before=CardState(r[5], r[6], r[7], day_of(r[8])),
            after=CardState(r[9], r[10], r[11], day_of(r[12])),
            seconds=r[4] / 1000,
        )
        for r in rows
    ]


def sibling_ids(conn: sqlite3.Connection, card: Card) -> list[int]:
    """The other cards made from the same note (both ways of a ``:::`` line, each cloze of a paragraph)."""
    rows = conn.execute("SELECT id FROM cards WHERE note_key = ? AND id <> ? ORDER BY id", (card.note_key, card.id))
    return [row[0] for row in rows]

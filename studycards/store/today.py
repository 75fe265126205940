"""What the day's review log says for building the queue: the re-drills, the counts against the limits and
the notes already graded.

Apart from ``reviews`` (which writes the log) so that a review's first card needs no module of the grade
path: the session imports those while the first card is on screen.
"""

from __future__ import annotations

import sqlite3
from datetime import date

from studycards.models import Card
from studycards.store.sql import CARD_COLUMNS, CARD_FROM, card_from_row, deck_clause, queued_clause


class Today:
    """The day's log as the queue reads it; reached as ``store.today``."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self._conn = conn

    def redrills(self, day: date, deck: str | None = None) -> list[Card]:
        """Cards whose latest grade of the day was below 4 (and not set aside since): SM-2 brings them back until 4."""
        clause, args = deck_clause(deck)
        live, more = queued_clause(day)
        rows = self._conn.execute(
            f"SELECT {CARD_COLUMNS} FROM {CARD_FROM} JOIN ("
            "  SELECT card_id, grade, MAX(id) AS last FROM reviews WHERE day = ? GROUP BY card_id"
            f") r ON r.card_id = c.id WHERE r.grade < 4 AND {live} AND {clause} ORDER BY r.last",
            [day.isoformat(), *more, *args],
        )
        return [card_from_row(r) for r in rows]

    def new_seen_on(self, day: date, deck: str | None = None) -> int:
        """How many new cards were introduced on ``day`` (counts against the daily ``--new``)."""
        return self._first_grades(day, deck, "IS NULL")

    def reviewed_on(self, day: date, deck: str | None = None) -> int:
        """How many due reviews (not new cards, not re-drills) were graded on ``day``: they count against ``limit``."""
        return self._first_grades(day, deck, "IS NOT NULL")

    def _first_grades(self, day: date, deck: str | None, due_before: str) -> int:
        """The day's scheduling grades (not re-drills) of cards that were new (``due_before IS NULL``) or not."""
        clause, args = deck_clause(deck)
        row = self._conn.execute(
            f"SELECT COUNT(*) FROM reviews r JOIN cards c ON c.id = r.card_id WHERE r.day = ? AND r.redrill = 0"
            f" AND r.due_before {due_before} AND {clause}",
            [day.isoformat(), *args],
        ).fetchone()
        return int(row[0])

    def notes_graded_on(self, day: date, deck: str | None = None) -> set[str]:
        """The notes with a card graded on ``day``: their other cards (siblings) wait until tomorrow."""
        clause, args = deck_clause(deck)
        rows = self._conn.execute(
            f"SELECT DISTINCT c.note_key FROM reviews r JOIN cards c ON c.id = r.card_id WHERE r.day = ? AND {clause}",
            [day.isoformat(), *args],
        )
        return {row[0] for row in rows}

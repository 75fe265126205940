"""What ``status`` reports: counts per deck and the next days' forecast, each from an index where one serves.

Young and mature follow the interval (21 days is the line, as in Anki), whether or not the card
is due today, so a card never leaves "learned" on the day it comes due.
"""

from __future__ import annotations

import sqlite3
from datetime import date, timedelta
from typing import NamedTuple

from studycards.store.sql import deck_clause

MATURE_DAYS = 21


class DeckStatus(NamedTuple):
    """One deck's cards by where they stand; ``due``, ``redrills`` and ``leeches`` overlap the others."""

    deck: str
    new: int
    due: int
    redrills: int
    young: int
    mature: int
    suspended: int
    retired: int
    leeches: int = 0


class DueOn(NamedTuple):
    """How many cards come up on one day of the forecast: reviews falling due, and new ones the daily limit brings."""

    day: date
    cards: int
    new: int = 0


class Counts:
    """The status counts of one store; reached as ``store.counts``."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self._conn = conn

    def status(self, day: date, deck: str | None = None) -> list[DeckStatus]:
        clause, args = deck_clause(deck)
        counts: dict[str, dict[str, int]] = {}

        def tally(sql: str, params: list[str]) -> None:
            for deck_name, name, count in self._conn.execute(sql, params):
                counts.setdefault(deck_name, {})[name] = count

        tally(
            "SELECT c.deck, CASE WHEN c.retired THEN 'retired' WHEN c.suspended THEN 'suspended'"
            f" WHEN c.due IS NULL THEN 'new' WHEN c.interval >= {MATURE_DAYS} THEN 'mature' ELSE 'young' END,"
            f" COUNT(*) FROM cards c WHERE {clause} GROUP BY 1, 2",
            args,
        )
        tally(
            "SELECT c.deck, 'due', COUNT(*) FROM cards c WHERE c.retired = 0 AND c.suspended = 0 AND c.due <= ?"
            f" AND (c.buried_until IS NULL OR c.buried_until <= ?) AND {clause} GROUP BY c.deck",
            [day.isoformat(), day.isoformat(), *args],
        )
        tally(
            f"SELECT c.deck, 'leeches', COUNT(*) FROM cards c WHERE c.leech = 1 AND c.retired = 0 AND {clause}"
            " GROUP BY c.deck",
            args,
        )
        tally(
            "SELECT c.deck, 'redrills', COUNT(*) FROM cards c JOIN ("
            "  SELECT card_id, grade, MAX(id) FROM reviews WHERE day = ? GROUP BY card_id"
            f") r ON r.card_id = c.id WHERE r.grade < 4 AND c.retired = 0 AND c.suspended = 0 AND {clause}"
            " GROUP BY c.deck",
            [day.isoformat(), *args],
        )
        fields = DeckStatus._fields[1:]
        return [DeckStatus(name, *(c.get(f, 0) for f in fields)) for name, c in sorted(counts.items())]

    def forecast(self, day: date, days: int, deck: str | None = None, new_per_day: int = 0) -> list[DueOn]:
        """Cards due on each of the next ``days`` days (overdue ones count for today, not here).

        New cards come ``new_per_day`` a day from the ones waiting, after what today's limit still brings.
        """
        clause, args = deck_clause(deck)
        end = day + timedelta(days=days)
        counts = dict(
            self._conn.execute(
                "SELECT c.due, COUNT(*) FROM cards c WHERE c.retired = 0 AND c.suspended = 0 AND c.due > ?"
                f" AND c.due <= ? AND {clause} GROUP BY c.due",
                [day.isoformat(), end.isoformat(), *args],
            ).fetchall()
        )
        waiting = self.new_waiting(day, deck, new_per_day)
        forecast = []
        for offset in range(1, days + 1):
            when = day + timedelta(days=offset)
            brought = min(new_per_day, waiting)
            waiting -= brought
            forecast.append(DueOn(when, counts.get(when.isoformat(), 0), brought))
        return forecast

    def new_waiting(self, day: date, deck: str | None, new_per_day: int) -> int:
        """New cards beyond what today's limit still allows: the ones a user would have to ask for."""
        clause, args = deck_clause(deck)
        unseen = self._conn.execute(
            "SELECT COUNT(*) FROM cards c INDEXED BY cards_new WHERE c.retired = 0 AND c.due IS NULL"
            f" AND c.suspended = 0 AND {clause}",
            args,
        ).fetchone()[0]
        seen_today = self._conn.execute(
            "SELECT COUNT(*) FROM reviews r JOIN cards c ON c.id = r.card_id WHERE r.day = ? AND r.redrill = 0"
            f" AND r.due_before IS NULL AND {clause}",
            [day.isoformat(), *args],
        ).fetchone()[0]
        return max(0, unseen - max(0, new_per_day - seen_today))

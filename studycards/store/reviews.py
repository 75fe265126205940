"""The review log (append-only but for undo), what it says about today, and the status counts.

A grade and the schedule it moves are written in one transaction, so the log and
the cards always agree; undo is refused once another session graded the card since.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from contextlib import AbstractContextManager
from datetime import date, datetime, timedelta
from typing import Any, NamedTuple

from studycards.errors import GradedElsewhere, StudycardsError
from studycards.models import Card, CardState
from studycards.store.cards import Cards
from studycards.store.sql import CARD_COLUMNS, CARD_FROM, card_from_row, day_of, deck_clause, iso

REVIEW_COLUMNS = (
    "id, card_id, day, grade, redrill, ef_before, repetitions_before, interval_before, due_before,"
    " ef_after, repetitions_after, interval_after, due_after"
)


class DeckStatus(NamedTuple):
    deck: str
    new: int
    due: int
    redrills: int
    learned: int
    retired: int


class Review(NamedTuple):
    """One logged grade: enough to undo it exactly and to recompute schedules."""

    id: int
    card_id: int
    day: date
    grade: int
    redrill: bool
    before: CardState
    after: CardState


class DueOn(NamedTuple):
    """How many cards fall due on one day of the forecast."""

    day: date
    cards: int


class Reviews:
    """The review log of one store; reached as ``store.reviews``."""

    def __init__(
        self, conn: sqlite3.Connection, transaction: Callable[[], AbstractContextManager[object]], cards: Cards
    ) -> None:
        self._conn = conn
        self._transaction = transaction
        self._cards = cards

    def record(
        self,
        card_id: int,
        grade: int,
        day: date,
        at: datetime,
        answer_ms: int,
        before: CardState,
        after: CardState,
        *,
        redrill: bool,
    ) -> int:
        """Log a grade and move the card to ``after``, atomically; returns the log id for undo."""
        with self._transaction():
            cursor = self._conn.execute(
                "INSERT INTO reviews (card_id, reviewed_at, day, grade, redrill, answer_ms, ef_before,"
                " repetitions_before, interval_before, due_before, ef_after, repetitions_after, interval_after,"
                " due_after) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    card_id,
                    at.isoformat(timespec="milliseconds"),
                    day.isoformat(),
                    grade,
                    int(redrill),
                    answer_ms,
                    before.ef,
                    before.repetitions,
                    before.interval,
                    iso(before.due),
                    after.ef,
                    after.repetitions,
                    after.interval,
                    iso(after.due),
                ),
            )
            self._cards.set_state(card_id, after)
            assert cursor.lastrowid is not None
            return cursor.lastrowid

    def undo(self, review_id: int) -> Review:
        """Delete a logged grade and restore the card's state exactly as it was before it."""
        with self._transaction():
            review = self.get(review_id)
            if review is None:
                raise StudycardsError(f"no review {review_id} to undo")
            later = self._conn.execute(
                "SELECT 1 FROM reviews WHERE card_id = ? AND id > ? LIMIT 1", (review.card_id, review_id)
            ).fetchone()
            if later:
                raise GradedElsewhere("the card was graded again since, in another session; that grade stays")
            self._conn.execute("DELETE FROM reviews WHERE id = ?", (review_id,))
            self._cards.set_state(review.card_id, review.before)
            return review

    def get(self, review_id: int) -> Review | None:
        row = self._conn.execute(f"SELECT {REVIEW_COLUMNS} FROM reviews WHERE id = ?", (review_id,)).fetchone()
        return _review(row) if row else None

    def log(self, card_id: int | None = None) -> list[Review]:
        """Every logged grade in the order given, of one card or of all."""
        sql = f"SELECT {REVIEW_COLUMNS} FROM reviews"
        rows = (
            self._conn.execute(sql + " WHERE card_id = ? ORDER BY id", (card_id,))
            if card_id is not None
            else self._conn.execute(sql + " ORDER BY id")
        )
        return [_review(r) for r in rows]

    def graded_on(self, card_id: int, day: date) -> bool:
        """Whether the card already had its scheduling grade that day (later grades are re-drills)."""
        row = self._conn.execute(
            "SELECT 1 FROM reviews WHERE day = ? AND card_id = ? LIMIT 1", (day.isoformat(), card_id)
        ).fetchone()
        return row is not None

    def redrills(self, day: date, deck: str | None = None) -> list[Card]:
        """Cards whose latest grade of the day was below 4: SM-2 brings them back until they reach 4."""
        clause, args = deck_clause(deck)
        rows = self._conn.execute(
            f"SELECT {CARD_COLUMNS} FROM {CARD_FROM} JOIN ("
            "  SELECT card_id, grade, MAX(id) AS last FROM reviews WHERE day = ? GROUP BY card_id"
            f") r ON r.card_id = c.id WHERE r.grade < 4 AND c.retired = 0 AND {clause} ORDER BY r.last",
            [day.isoformat(), *args],
        )
        return [card_from_row(r) for r in rows]

    def new_seen_on(self, day: date, deck: str | None = None) -> int:
        """How many new cards were introduced on ``day`` (counts against the daily ``--new``)."""
        clause, args = deck_clause(deck)
        row = self._conn.execute(
            f"SELECT COUNT(*) FROM reviews r JOIN cards c ON c.id = r.card_id WHERE r.day = ? AND r.redrill = 0"
            f" AND r.due_before IS NULL AND {clause}",
            [day.isoformat(), *args],
        ).fetchone()
        return row[0]

    def reviewed_on(self, day: date, deck: str | None = None) -> int:
        """How many due reviews (not new cards, not re-drills) were graded on ``day``: they count against ``limit``."""
        clause, args = deck_clause(deck)
        row = self._conn.execute(
            f"SELECT COUNT(*) FROM reviews r JOIN cards c ON c.id = r.card_id WHERE r.day = ? AND r.redrill = 0"
            f" AND r.due_before IS NOT NULL AND {clause}",
            [day.isoformat(), *args],
        ).fetchone()
        return row[0]

    # -- status ------------------------------------------------------------

    def status(self, day: date, deck: str | None = None) -> list[DeckStatus]:
        """Counts per deck, each from an index alone (no per-row expressions): fast at 100,000 cards.

        Learned cards are the active ones neither new nor due.
        """
        clause, args = deck_clause(deck)
        today = day.isoformat()
        counts: dict[str, dict[str, int]] = {}

        def tally(name: str, sql: str, params: list[str]) -> None:
            for deck_name, count in self._conn.execute(sql, params):
                counts.setdefault(deck_name, {})[name] = count

        for deck_name, retired, count in self._conn.execute(
            f"SELECT c.deck, c.retired, COUNT(*) FROM cards c WHERE {clause} GROUP BY c.deck, c.retired", args
        ):
            counts.setdefault(deck_name, {})["retired" if retired else "total"] = count
        tally(
            "new",
            "SELECT c.deck, COUNT(*) FROM cards c INDEXED BY cards_new WHERE c.retired = 0 AND c.due IS NULL"
            f" AND {clause} GROUP BY c.deck",
            args,
        )
        tally(
            "due",
            f"SELECT c.deck, COUNT(*) FROM cards c WHERE retired = 0 AND due <= ? AND {clause} GROUP BY c.deck",
            [today, *args],
        )
        for card in self.redrills(day, deck):
            counts[card.deck]["redrills"] = counts[card.deck].get("redrills", 0) + 1
        return [
            DeckStatus(
                deck=name,
                new=c.get("new", 0),
                due=c.get("due", 0),
                redrills=c.get("redrills", 0),
                learned=c.get("total", 0) - c.get("new", 0) - c.get("due", 0),
                retired=c.get("retired", 0),
            )
            for name, c in sorted(counts.items())
        ]

    def forecast(self, day: date, days: int, deck: str | None = None) -> list[DueOn]:
        """Cards due on each of the next ``days`` days (overdue ones count for today, not here)."""
        clause, args = deck_clause(deck)
        end = day + timedelta(days=days)
        counts = dict(
            self._conn.execute(
                f"SELECT c.due, COUNT(*) FROM cards c WHERE c.retired = 0 AND c.due > ? AND c.due <= ? AND {clause}"
                " GROUP BY c.due",
                [day.isoformat(), end.isoformat(), *args],
            ).fetchall()
        )
        return [DueOn(d, counts.get(d.isoformat(), 0)) for d in (day + timedelta(days=i) for i in range(1, days + 1))]


def _review(row: tuple[Any, ...]) -> Review:
    return Review(
        id=row[0],
        card_id=row[1],
        day=date.fromisoformat(row[2]),
        grade=row[3],
        redrill=bool(row[4]),
        before=CardState(row[5], row[6], row[7], day_of(row[8])),
        after=CardState(row[9], row[10], row[11], day_of(row[12])),
    )

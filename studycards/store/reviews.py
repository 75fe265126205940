"""The review log (append-only but for undo), and the status counts.

A grade and the schedule it moves are written in one transaction, so the log and
the cards always agree; undo is refused once another session graded the card since.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from contextlib import AbstractContextManager
from datetime import date, datetime
from typing import Any, NamedTuple

from studycards.errors import GradedElsewhere, StudycardsError
from studycards.models import CardFlags, CardState
from studycards.store.cards import Cards
from studycards.store.events import NEXT_EVENT, Events, stamp
from studycards.store.sql import day_of, iso

# What a grade needs to know of its card, in one statement: its key, schedule and flags, whether it had its
# day's grade already, whether its start is kept, and the id its sync event will take.
FIND = (
    "SELECT key, ef, repetitions, interval, due, suspended, buried_until, lapses, leech,"
    " EXISTS (SELECT 1 FROM reviews WHERE day = ?2 AND card_id = ?1),"
    f" EXISTS (SELECT 1 FROM card_starts WHERE card_id = ?1), ({NEXT_EVENT}) FROM cards WHERE id = ?1"
)
REVIEW_COLUMNS = (
    "id, card_id, day, grade, redrill, ef_before, repetitions_before, interval_before, due_before,"
    " ef_after, repetitions_after, interval_after, due_after"
)


class Review(NamedTuple):
    """One logged grade: enough to undo it exactly and to recompute schedules."""

    id: int
    card_id: int
    day: date
    grade: int
    redrill: bool
    before: CardState
    after: CardState


class Found(NamedTuple):
    """A card as a grade finds it, read in the grade's own transaction: another session may have graded it."""

    key: str
    state: CardState
    flags: CardFlags
    graded: bool  # it had its scheduling grade that day: this grade is a re-drill
    started: bool  # its start is kept (``card_starts``): it has had an event before
    event: str  # the id its grade's sync event takes: the log's next, while this transaction holds the write lock


class Looked(NamedTuple):
    """A card as a grade would find it, read ahead of the grade (while the answer is read), and what the
    store had seen then: another connection's commit (``PRAGMA data_version``) or any write of this one
    (``total_changes``) since makes it stale, and the grade reads the card again."""

    card_id: int
    day: date
    found: Found | None
    seen: tuple[int, int]


class Logged(NamedTuple):
    """A grade as logged: its row in the review log (for undo) and its sync event."""

    review_id: int
    event: str


class Reviews:
    """The review log of one store; reached as ``store.reviews``."""

    def __init__(
        self,
        conn: sqlite3.Connection,
        transaction: Callable[[], AbstractContextManager[object]],
        cards: Cards,
        events: Events,
    ) -> None:
        self._conn = conn
        self._transaction = transaction
        self._cards = cards
        self._events = events

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
        """Log a grade (and its sync event) and move the card to ``after``, atomically; returns the log id for undo.

        For a grade as given (tools, tests: ``before`` is the card's stored state, ``redrill`` what the caller
        says it is): the card is found and graded as a session grades it, by :meth:`find` and :meth:`grade`.
        """
        with self._transaction():
            found = self.find(card_id, day)
            if found is None:
                raise StudycardsError(f"no card {card_id} to grade")
            found = found._replace(state=before, graded=redrill)
            return self.grade(card_id, grade, day, at, answer_ms, found, after, found.flags).review_id

    def look(self, card_id: int, day: date) -> Looked:
        """The card as :meth:`find` would find it now, read outside any transaction, for :meth:`find` to use if
        nothing was written since: one read less between a grade and the next card."""
        seen = self._seen()  # before the read: a commit landing between the two makes the look stale, not wrong
        return Looked(card_id, day, self._read(card_id, day), seen)

    def find(self, card_id: int, day: date, looked: Looked | None = None) -> Found | None:
        """The card as a grade finds it, in one read: call it in the grade's transaction, then :meth:`grade`.

        ``looked`` (from :meth:`look`) is used instead of the read when it is of this card and day, and the
        store has not changed since it was read."""
        if looked is not None and looked[:2] == (card_id, day) and looked.seen == self._seen():
            return looked.found
        return self._read(card_id, day)

    def _seen(self) -> tuple[int, int]:
        """What tells that the store changed: other connections' commits, and this connection's own writes."""
        return self._conn.execute("PRAGMA data_version").fetchone()[0], self._conn.total_changes

    def _read(self, card_id: int, day: date) -> Found | None:
        row = self._conn.execute(FIND, (card_id, day.isoformat())).fetchone()
        if row is None:
            return None
        key, ef, repetitions, interval, due, suspended, buried, lapses, leech, graded, started, event = row
        state = CardState(ef, repetitions, interval, day_of(due))
        flags = CardFlags(bool(suspended), day_of(buried), lapses, bool(leech))
        return Found(key, state, flags, bool(graded), bool(started), event)

    def grade(
        self,
        card_id: int,
        grade: int,
        day: date,
        at: datetime,
        answer_ms: int,
        found: Found,
        after: CardState,
        flags: CardFlags,
    ) -> Logged:
        """Log a grade of the card as :meth:`find` read it, with its sync event, and move the card to ``after``
        and ``flags``; a re-drill if the card had its day's grade already.  Returns the log id and the event.

        One write per table, each from what is known: no statement reads back what the last one wrote.
        """
        with self._transaction():
            when = stamp(at)
            start = None if found.started else (found.state, found.flags)
            event = self._events.record_grade(
                card_id, found.key, start, found.event, when, day, grade, answer_ms, found.graded
            )
            review_id = self._insert(card_id, when, day, grade, found.graded, answer_ms, found.state, after, event)
            if flags != found.flags:
                self._cards.set_schedule(card_id, after, flags)
            elif after != found.state:  # a re-drill moves nothing
                self._cards.set_state(card_id, after)
        return Logged(review_id, event)

    def _insert(
        self,
        card_id: int,
        at: str,
        day: date,
        grade: int,
        redrill: bool,
        answer_ms: int,
        before: CardState,
        after: CardState,
        event: str,
    ) -> int:
        cursor = self._conn.execute(
            "INSERT INTO reviews (card_id, reviewed_at, day, grade, redrill, answer_ms, ef_before,"
            " repetitions_before, interval_before, due_before, ef_after, repetitions_after, interval_after,"
            " due_after, event) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (card_id, at, day.isoformat(), grade, redrill + 0, answer_ms, before.ef, before.repetitions,
             before.interval, iso(before.due), after.ef, after.repetitions, after.interval, iso(after.due), event),
        )  # fmt: skip
        assert cursor.lastrowid is not None
        return cursor.lastrowid

    def undo(self, review_id: int, at: datetime | None = None, event: str | None = None) -> Review:
        """Delete a logged grade and restore the card's state exactly as it was before it; the sync log says so.

        ``at`` is when the undo happened (the undone grade's own time if not given).  ``event`` is the grade's
        event as it was given: a sync rewrites a card's log (and its row ids), and the row must still be that grade.
        """
        with self._transaction():
            review = self.get(review_id)
            if event is not None and (review is None or self.event_of("reviews", review_id) != event):
                raise GradedElsewhere("a sync has since rewritten this card's history; the grade stays")
            if review is None:
                raise StudycardsError(f"no review {review_id} to undo")
            later = self._conn.execute(
                "SELECT 1 FROM reviews WHERE card_id = ? AND id > ? LIMIT 1", (review.card_id, review_id)
            ).fetchone()
            if later:
                raise GradedElsewhere("the card was graded again since, in another session; that grade stays")
            self._undo_event("reviews", review_id, review.card_id, at)
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

    def practise(self, card_id: int, grade: int, day: date, at: datetime, answer_ms: int) -> int:
        """Log a cram grade: kept apart from the review log, it never moves a schedule."""
        with self._transaction():
            event = self._events.record("grade", card_id, at, day, grade=grade, ms=answer_ms, cram=True)
            cursor = self._conn.execute(
                "INSERT INTO practice (card_id, reviewed_at, day, grade, answer_ms, event) VALUES (?, ?, ?, ?, ?, ?)",
                (card_id, at.isoformat(timespec="milliseconds"), day.isoformat(), grade, answer_ms, event),
            )
            assert cursor.lastrowid is not None
            return cursor.lastrowid

    def unpractise(self, practice_id: int, at: datetime | None = None, event: str | None = None) -> None:
        with self._transaction():
            row = self._conn.execute("SELECT card_id, event FROM practice WHERE id = ?", (practice_id,)).fetchone()
            if row is None or (event is not None and row[1] != event):
                return
            self._undo_event("practice", practice_id, row[0], at)
            self._conn.execute("DELETE FROM practice WHERE id = ?", (practice_id,))

    def event_of(self, table: str, row_id: int) -> str | None:
        """The sync event a logged grade (``reviews``) or practice grade (``practice``) was given as."""
        row = self._conn.execute(f"SELECT event FROM {table} WHERE id = ?", (row_id,)).fetchone()
        return row[0] if row else None

    def _undo_event(self, table: str, row_id: int, card_id: int, at: datetime | None) -> None:
        """Log the undo of a grade for other homes, naming the grade's event."""
        event, when, day = self._conn.execute(
            f"SELECT event, reviewed_at, day FROM {table} WHERE id = ?", (row_id,)
        ).fetchone()
        if event is not None:
            moment = stamp(at) if at is not None else when
            self._events.record("undo", card_id, moment, date.fromisoformat(day), ref=event)

    def practice_log(self) -> list[tuple[int, date, int]]:
        """Every cram grade as (card, day, grade), in the order given."""
        rows = self._conn.execute("SELECT card_id, day, grade FROM practice ORDER BY id")
        return [(card_id, date.fromisoformat(day), grade) for card_id, day, grade in rows]


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

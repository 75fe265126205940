"""The sync log in the store: this home's device id, its own events, those received, and how far files were read.

Own events are written by the same transaction as the grade, undo, set-aside or move they
record (the callers are ``store.reviews``, the session, ``set_aside`` and ``add``), so the log
can never miss one.  Before a card's first event its state is kept as its start: every
replay of the card, on any home, begins there.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable
from datetime import date, datetime
from typing import Any, NamedTuple

from studycards.models import CardFlags, CardState, Event
from studycards.store.review_days import summed_in_bulk
from studycards.store.sql import day_of, indexed_after, insert_rows, iso, savepoint

EVENT_COLUMNS = "device, seq, kind, card, at, day, grade, ms, redrill, cram, ref"
MANY_KEYS = 2_000
# The id this home's next event takes (``device:seq``): a grade reads it with its card (``reviews.FIND``).
NEXT_EVENT = (
    "SELECT device || ':' || (MAX(last_seq, IFNULL((SELECT MAX(seq) FROM sync_events WHERE device = d.device), 0))"
    " + 1) FROM sync_device d"
)
KEPT_SEQS = "SELECT seq FROM sync_events WHERE device = ? AND seq BETWEEN ? AND ?"


class FileMark(NamedTuple):
    """How far a log file of the sync folder was read (or, for this home's own file, written)."""

    offset: int = 0
    lines: int = 0
    seq: int = 0


class ReplayedGrade(NamedTuple):
    """A grade as a replay placed it: what the review (or practice) log of the card holds afterwards."""

    event: str
    at: str
    day: date
    grade: int
    ms: int
    redrill: bool
    cram: bool
    before: CardState
    after: CardState


class Dates(dict[date | None, str | None]):
    """Dates as the store writes them, each made once: a log of 100,000 grades holds a few hundred."""

    def __missing__(self, day: date | None) -> str | None:
        text = self[day] = day.isoformat() if day else None
        return text


def stamp(at: datetime) -> str:
    return at.isoformat(timespec="milliseconds")


class Events:
    """The sync log of one store; reached as ``store.events``.  Writers call it inside their own transaction."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self._conn = conn

    def device(self) -> str:
        return str(self._conn.execute("SELECT device FROM sync_device").fetchone()[0])

    def record(
        self,
        kind: str,
        card_id: int,
        at: datetime | str,
        day: date,
        *,
        grade: int | None = None,
        ms: int = 0,
        redrill: bool = False,
        cram: bool = False,
        ref: str | None = None,
    ) -> str:
        """Append one of this home's events for a card, keeping the card's start first; returns the event id.

        Call it before the card's state or flags change, in the same transaction.
        """
        self._conn.execute(
            "INSERT OR IGNORE INTO card_starts SELECT id, ef, repetitions, interval, due, suspended, buried_until,"
            " lapses, leech FROM cards WHERE id = ?",
            (card_id,),
        )
        key = self._conn.execute("SELECT key FROM cards WHERE id = ?", (card_id,)).fetchone()[0]
        return self._append(kind, key, at if isinstance(at, str) else stamp(at), day, grade, ms, redrill, cram, ref)

    def record_grade(
        self,
        card_id: int,
        key: str,
        start: tuple[CardState, CardFlags] | None,
        event: str,
        at: str,
        day: date,
        grade: int,
        ms: int,
        redrill: bool,
    ) -> str:
        """:meth:`record` for a grade whose card was just read in this transaction: its key is known, its
        state and flags are given as ``start`` when it has none kept yet (its first event), else None, and
        ``event`` is the id :data:`NEXT_EVENT` gave in the same read."""
        if start is not None:
            state, flags = start
            self._conn.execute(
                "INSERT INTO card_starts VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (card_id, state.ef, state.repetitions, state.interval, iso(state.due), flags.suspended + 0,
                 iso(flags.buried_until), flags.lapses, flags.leech + 0),
            )  # fmt: skip
        return self._append("grade", key, at, day, grade, ms, redrill, False, None, event)

    def record_moves(self, moves: Iterable[tuple[int, str]], at: datetime) -> None:
        """Cards whose key changes (a deck rename): ``(card id, new key)``, recorded before the key is rewritten."""
        for card_id, new_key in moves:
            old = self._conn.execute("SELECT key FROM cards WHERE id = ?", (card_id,)).fetchone()
            if old and old[0] != new_key:
                self._append("move", old[0], stamp(at), at.date(), None, 0, False, False, new_key)

    def _append(
        self,
        kind: str,
        key: str,
        at: str,
        day: date,
        grade: int | None,
        ms: int,
        redrill: bool,
        cram: bool,
        ref: str | None,
        event: str | None = None,
    ) -> str:
        """One of this home's events, under its log's next number (``event``, if already read): one more than the
        highest it holds.

        Read, not kept: a counter row (``sync_device.last_seq``, as migration 10 made it) was one more page
        for every grade to write, a twelfth of its commit.  A home's own events are never deleted (other
        homes may hold them), so the highest stays the last given; ``last_seq`` stays a floor, the number of
        grades logged before sync existed.  Taken and used under the write lock.
        """
        conn = self._conn
        if not conn.in_transaction:  # the number must be taken and used in one go
            with savepoint(conn, "sync_append"):
                return self._append(kind, key, at, day, grade, ms, redrill, cram, ref)
        if event is None:
            event = str(conn.execute(NEXT_EVENT).fetchone()[0])
        device, _, seq = event.rpartition(":")
        conn.execute(
            f"INSERT INTO sync_events ({EVENT_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (device, int(seq), kind, key, at, day.isoformat(), grade, ms, redrill + 0, cram + 0, ref),
        )
        return event

    def own_after(self, seq: int) -> list[Event]:
        """This home's events after ``seq``, in order: what its log file does not hold yet."""
        rows = self._conn.execute(
            f"SELECT {EVENT_COLUMNS} FROM sync_events WHERE device = (SELECT device FROM sync_device) AND seq > ?"
            " ORDER BY seq",
            (seq,),
        )
        return [_event(row) for row in rows]

    def receive(self, events: Iterable[Event], here: set[str]) -> list[Event]:
        """Keep other homes' events, each once (conflict copies repeat them); returns those that were new, in order.

        Events for keys in ``here`` are applied by the caller's replay; the rest wait (``applied = 0``).
        """
        own = self.device()
        fresh: list[Event] = []
        events = list(events)
        devices = {event.device for event in events}
        by_device: dict[str, list[Event]] = {}
        if len(devices) == 1 and own not in devices:  # one log's events: one device's, as they are
            by_device[devices.pop()] = events
        else:
            for event in events:
                if event.device != own:
                    by_device.setdefault(event.device, []).append(event)
        for device, theirs in by_device.items():
            seqs = [event.seq for event in theirs]
            kept = {
                seq
                for (seq,) in self._conn.execute(
                    "SELECT seq FROM sync_events WHERE device = ? AND seq BETWEEN ? AND ?",
                    (device, min(seqs), max(seqs)),
                )
            }
            if not kept and len(set(seqs)) == len(seqs):  # all new, none twice: a first sync's 100,000 at once
                fresh.extend(theirs)
                continue
            for event in theirs:
                if event.seq not in kept:
                    kept.add(event.seq)
                    fresh.append(event)
        days = Dates()  # rows straight from the unpacked event; flags bound as 0 or 1 (``flag + 0``): sqlite3 binds a
        # bool ~3 times slower than an int (an adapter look-up), and ``+ 0`` costs half an ``int()`` call
        with indexed_after(self._conn, "sync_events"):
            insert_rows(
                self._conn,
                f"INSERT OR IGNORE INTO sync_events ({EVENT_COLUMNS}, applied)",
                12,
                (
                    (device, seq, kind, card, at, days[day], grade, ms, redrill + 0, cram + 0, ref, (card in here) + 0)
                    for device, seq, kind, card, at, day, grade, ms, redrill, cram, ref in fresh
                ),
            )
        return fresh

    def pending_keys(self) -> set[str]:
        """Card keys with received events not applied yet (their card may not be in this home)."""
        return {row[0] for row in self._conn.execute("SELECT DISTINCT card FROM sync_events WHERE applied = 0")}

    def moves(self) -> list[tuple[str, str]]:
        """Every identity move, any home's: ``(old key, new key)``."""
        return list(self._conn.execute("SELECT card, ref FROM sync_events WHERE kind = 'move' ORDER BY day, at"))

    def for_keys(self, keys: Iterable[str]) -> dict[str, list[Event]]:
        """Every event under these keys, by key (for many keys one pass over the log beats a lookup per event)."""
        wanted = set(keys)
        if len(wanted) > MANY_KEYS:
            rows = self._conn.execute(f"SELECT {EVENT_COLUMNS} FROM sync_events")
        else:
            self._wanted(wanted)
            rows = self._conn.execute(f"SELECT {EVENT_COLUMNS} FROM sync_events WHERE card IN wanted_keys")
        found: dict[str, list[Event]] = {}
        days: dict[str, date] = {}
        for row in rows:
            if row[3] in wanted:
                day = days.get(row[5]) or days.setdefault(row[5], date.fromisoformat(row[5]))
                found.setdefault(row[3], []).append(
                    Event(
                        row[0], row[1], row[2], row[3], row[4], day, row[6], row[7], bool(row[8]), bool(row[9]), row[10]
                    )
                )
        return found

    def mark_applied(self, keys: Iterable[str]) -> None:
        """The received events under these keys have reached their card."""
        self._wanted(keys)
        self._conn.execute("UPDATE sync_events SET applied = 1 WHERE applied = 0 AND card IN wanted_keys")

    def _wanted(self, keys: Iterable[str]) -> None:
        self._conn.execute("CREATE TEMP TABLE IF NOT EXISTS wanted_keys (key TEXT PRIMARY KEY) WITHOUT ROWID")
        self._conn.execute("DELETE FROM wanted_keys")
        self._conn.executemany("INSERT OR IGNORE INTO wanted_keys VALUES (?)", ((key,) for key in keys))

    def starts(self, card_ids: Iterable[int]) -> dict[int, tuple[CardState, CardFlags]]:
        """Each card's state and flags before its first event, for the cards that have had one."""
        self._replayed(card_ids)
        rows = self._conn.execute(
            "SELECT card_id, ef, repetitions, interval, due, suspended, buried_until, lapses, leech FROM card_starts"
            " WHERE card_id IN replayed_cards"
        )
        return {
            r[0]: (CardState(r[1], r[2], r[3], day_of(r[4])), CardFlags(bool(r[5]), day_of(r[6]), r[7], bool(r[8])))
            for r in rows
        }

    def start(self, card_id: int) -> tuple[CardState, CardFlags] | None:
        """The card's state and flags before its first event, if it has had one."""
        return self.starts([card_id]).get(card_id)

    def keep_starts(self, starts: Iterable[tuple[int, CardState, CardFlags]]) -> None:
        """Keep these as the cards' starts, for the cards that have none yet."""
        insert_rows(
            self._conn,
            "INSERT OR IGNORE INTO card_starts",
            9,
            (
                (card_id, state.ef, state.repetitions, state.interval, iso(state.due), int(flags.suspended),
                 iso(flags.buried_until), flags.lapses, int(flags.leech))
                for card_id, state, flags in starts
            ),
        )  # fmt: skip

    def _replayed(self, card_ids: Iterable[int]) -> None:
        self._conn.execute("CREATE TEMP TABLE IF NOT EXISTS replayed_cards (id INTEGER PRIMARY KEY)")
        self._conn.execute("DELETE FROM replayed_cards")
        insert_rows(self._conn, "INSERT OR IGNORE INTO replayed_cards", 1, ((card_id,) for card_id in card_ids))

    def rewrite_logs(self, logs: dict[int, list[ReplayedGrade]]) -> None:
        """Put each card's review and practice log as its replay says: every home's grades, in time order."""
        text = Dates()
        self._replayed(logs)
        with summed_in_bulk(self._conn, "card_id IN replayed_cards"):
            self._conn.execute("DELETE FROM reviews WHERE card_id IN replayed_cards")
            with indexed_after(self._conn, "reviews"):
                insert_rows(
                    self._conn,
                    "INSERT INTO reviews (card_id, reviewed_at, day, grade, redrill, answer_ms, ef_before,"
                    " repetitions_before, interval_before, due_before, ef_after, repetitions_after, interval_after,"
                    " due_after, event)",
                    15,
                    (  # unpacked, not read by name: 98,000 rows of 15 fields
                        (card_id, at, text[day], grade, redrill + 0, ms, ef, reps, interval, text[due], ef_after,
                         reps_after, interval_after, text[due_after], event)
                        for card_id, grades in logs.items()
                        for event, at, day, grade, ms, redrill, cram, (ef, reps, interval, due),
                            (ef_after, reps_after, interval_after, due_after) in grades
                        if not cram
                    ),
                )  # fmt: skip
        self._conn.execute("DELETE FROM practice WHERE card_id IN replayed_cards")
        self._conn.executemany(
            "INSERT INTO practice (card_id, reviewed_at, day, grade, answer_ms, event) VALUES (?, ?, ?, ?, ?, ?)",
            (
                (card_id, g.at, text[g.day], g.grade, g.ms, g.event)
                for card_id, grades in logs.items()
                for g in grades
                if g.cram
            ),
        )

    def mark(self, folder: str, name: str) -> FileMark:
        row = self._conn.execute(
            "SELECT offset, lines, seq FROM sync_files WHERE folder = ? AND name = ?", (folder, name)
        ).fetchone()
        return FileMark(*row) if row else FileMark()

    def set_mark(self, folder: str, name: str, mark: FileMark) -> None:
        self._conn.execute(
            "INSERT OR REPLACE INTO sync_files (folder, name, offset, lines, seq) VALUES (?, ?, ?, ?, ?)",
            (folder, name, *mark),
        )

    def count(self) -> int:
        return int(self._conn.execute("SELECT COUNT(*) FROM sync_events").fetchone()[0])


def _state(state: CardState) -> tuple[Any, ...]:
    return state.ef, state.repetitions, state.interval, iso(state.due)


def _event(row: tuple[Any, ...]) -> Event:
    return Event(
        device=row[0],
        seq=row[1],
        kind=row[2],
        card=row[3],
        at=row[4],
        day=date.fromisoformat(row[5]),
        grade=row[6],
        ms=row[7],
        redrill=bool(row[8]),
        cram=bool(row[9]),
        ref=row[10],
    )

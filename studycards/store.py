"""Every SQL statement of studycards: cards and their schedule, the review log, papers, questions.

The database is opened in WAL mode with ``synchronous=NORMAL`` (safe against a
killed process, fast per grade); every write runs in one ``BEGIN IMMEDIATE``
transaction, so a crash or Ctrl-C never leaves half an import or half a grade.
"""

from __future__ import annotations

import json
import sqlite3
import time
from contextlib import contextmanager
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Iterable, Iterator, NamedTuple

from studycards.errors import BusyError, StudycardsError
from studycards.home import DB_NAME
from studycards.migrations import check_version, migrate
from studycards.deck_sql import deck_clause
from studycards.models import Card, CardState
from studycards.store_library import ExportNote, LibraryQueries, StoredQuestion  # noqa: F401 (re-exported)

BUSY_TIMEOUT_MS = 5000
CARD_COLUMNS = (
    "c.id, c.key, c.note_key, c.deck, c.kind, c.ord, c.front, c.back, c.context, c.tags, c.source, "
    "c.line, c.paper, p.title, c.retired, c.ef, c.repetitions, c.interval, c.due, c.front_text, c.back_text"
)
CARD_FROM = "cards c LEFT JOIN papers p ON p.arxiv_id = c.paper"


def _day(value: str | None) -> date | None:
    return date.fromisoformat(value) if value else None


def _iso(value: date | None) -> str | None:
    return value.isoformat() if value else None


def card_from_row(row: tuple) -> Card:
    return Card(
        id=row[0], key=row[1], note_key=row[2], deck=row[3], kind=row[4], ord=row[5],
        front=row[6], back=row[7], context=row[8], tags=tuple(json.loads(row[9])), source=row[10],
        line=row[11], paper=row[12], paper_title=row[13], retired=bool(row[14]),
        state=CardState(ef=row[15], repetitions=row[16], interval=row[17], due=_day(row[18])),
        front_text=row[19], back_text=row[20],
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


class Store(LibraryQueries):
    """A studycards database; open it with :func:`open_store`."""

    def __init__(self, conn: sqlite3.Connection, path: Path) -> None:
        self.conn = conn
        self.path = path
        self._depth = 0

    def close(self) -> None:
        self.conn.close()

    def __enter__(self) -> "Store":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @contextmanager
    def transaction(self) -> Iterator["Store"]:
        """One atomic write; nested calls join the outer transaction."""
        if self._depth:
            self._depth += 1
            try:
                yield self
            finally:
                self._depth -= 1
            return
        try:
            self.conn.execute("BEGIN IMMEDIATE")
        except sqlite3.OperationalError as exc:
            raise busy_error(exc) from None
        self._depth = 1
        try:
            yield self
        except BaseException:
            self.conn.execute("ROLLBACK")
            raise
        else:
            self.conn.execute("COMMIT")
        finally:
            self._depth = 0

    # -- cards -------------------------------------------------------------

    def cards(self, *, deck: str | None = None, due_on: date | None = None, include_retired: bool = True,
              where: str = "1", params: Iterable = ()) -> list[Card]:
        clause, args = deck_clause(deck)
        sql = f"SELECT {CARD_COLUMNS} FROM {CARD_FROM} WHERE {clause} AND {where}"
        args += list(params)
        if not include_retired:
            sql += " AND c.retired = 0"
        if due_on is not None:
            sql += " AND c.retired = 0 AND c.due IS NOT NULL AND c.due <= ?"
            args.append(due_on.isoformat())
        return [card_from_row(r) for r in self.conn.execute(sql + " ORDER BY c.id", args)]

    def card(self, card_id: int) -> Card | None:
        row = self.conn.execute(f"SELECT {CARD_COLUMNS} FROM {CARD_FROM} WHERE c.id = ?", (card_id,)).fetchone()
        return card_from_row(row) if row else None

    def cards_by_key(self, keys: Iterable[str]) -> dict[str, Card]:
        found: dict[str, Card] = {}
        keys = list(keys)
        for start in range(0, len(keys), 500):
            chunk = keys[start:start + 500]
            marks = ",".join("?" * len(chunk))
            for row in self.conn.execute(f"SELECT {CARD_COLUMNS} FROM {CARD_FROM} WHERE c.key IN ({marks})", chunk):
                card = card_from_row(row)
                found[card.key] = card
        return found

    def cards_from_sources(self, sources: Iterable[str]) -> list[Card]:
        result: list[Card] = []
        for source in sources:
            rows = self.conn.execute(f"SELECT {CARD_COLUMNS} FROM {CARD_FROM} WHERE c.source = ? ORDER BY c.id", (source,))
            result.extend(card_from_row(r) for r in rows)
        return result

    def insert_cards(self, rows: list[dict], now: datetime) -> None:
        stamp = now.isoformat(timespec="seconds")
        self.conn.executemany(
            "INSERT INTO cards (key, note_key, deck, kind, ord, front, back, context, tags, source, line, paper,"
            " front_text, back_text, created_at, updated_at) VALUES (:key, :note_key, :deck, :kind, :ord, :front,"
            " :back, :context, :tags, :source, :line, :paper, :front_text, :back_text, :now, :now)",
            [{**r, "tags": json.dumps(list(r["tags"])), "now": stamp} for r in rows],
        )

    def update_cards(self, rows: list[dict], now: datetime) -> None:
        """Rewrite content (never schedule) of existing cards; un-retires a card that came back."""
        stamp = now.isoformat(timespec="seconds")
        self.conn.executemany(
            "UPDATE cards SET note_key = :note_key, front = :front, back = :back, context = :context, tags = :tags,"
            " source = :source, line = :line, paper = :paper, front_text = :front_text, back_text = :back_text,"
            " retired = 0, updated_at = :now WHERE id = :id",
            [{**r, "tags": json.dumps(list(r["tags"])), "now": stamp} for r in rows],
        )

    def move_cards(self, moves: list[tuple[str, int, int]]) -> None:
        """Follow a card to its new file or line; content and schedule stay."""
        self.conn.executemany("UPDATE cards SET source = ?, line = ? WHERE id = ?", moves)

    def retire_cards(self, ids: Iterable[int], now: datetime) -> None:
        stamp = now.isoformat(timespec="seconds")
        self.conn.executemany("UPDATE cards SET retired = 1, updated_at = ? WHERE id = ?", [(stamp, i) for i in ids])

    # -- files -------------------------------------------------------------

    def file_hash(self, path: str) -> tuple[str, str] | None:
        """(sha256 of the content, the ``--deck`` it was added with) as of the last ``add``."""
        row = self.conn.execute("SELECT sha256, deck_option FROM files WHERE path = ?", (path,)).fetchone()
        return (row[0], row[1]) if row else None

    def set_file_hash(self, path: str, sha256: str, deck_option: str, now: datetime) -> None:
        self.conn.execute(
            "INSERT INTO files (path, sha256, deck_option, added_at) VALUES (?, ?, ?, ?)"
            " ON CONFLICT (path) DO UPDATE SET sha256 = excluded.sha256, deck_option = excluded.deck_option,"
            " added_at = excluded.added_at",
            (path, sha256, deck_option, now.isoformat(timespec="seconds")),
        )

    # -- reviews -----------------------------------------------------------

    def record_review(self, card_id: int, grade: int, day: date, at: datetime, answer_ms: int,
                      before: CardState, after: CardState, redrill: bool) -> int:
        """Log a grade and move the card to ``after``, atomically; returns the log id for undo."""
        with self.transaction():
            cursor = self.conn.execute(
                "INSERT INTO reviews (card_id, reviewed_at, day, grade, redrill, answer_ms, ef_before,"
                " repetitions_before, interval_before, due_before, ef_after, repetitions_after, interval_after,"
                " due_after) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (card_id, at.isoformat(timespec="milliseconds"), day.isoformat(), grade, int(redrill), answer_ms,
                 before.ef, before.repetitions, before.interval, _iso(before.due),
                 after.ef, after.repetitions, after.interval, _iso(after.due)),
            )
            self._set_state(card_id, after)
            return int(cursor.lastrowid)

    def undo_review(self, review_id: int) -> Review:
        """Delete a logged grade and restore the card's state exactly as it was before it."""
        with self.transaction():
            review = self.review(review_id)
            if review is None:
                raise StudycardsError(f"no review {review_id} to undo")
            self.conn.execute("DELETE FROM reviews WHERE id = ?", (review_id,))
            self._set_state(review.card_id, review.before)
            return review

    def _set_state(self, card_id: int, state: CardState) -> None:
        self.conn.execute(
            "UPDATE cards SET ef = ?, repetitions = ?, interval = ?, due = ? WHERE id = ?",
            (state.ef, state.repetitions, state.interval, _iso(state.due), card_id),
        )

    def review(self, review_id: int) -> Review | None:
        row = self.conn.execute(
            "SELECT id, card_id, day, grade, redrill, ef_before, repetitions_before, interval_before, due_before,"
            " ef_after, repetitions_after, interval_after, due_after FROM reviews WHERE id = ?", (review_id,)
        ).fetchone()
        return _review(row) if row else None

    def reviews(self, card_id: int | None = None) -> list[Review]:
        sql = ("SELECT id, card_id, day, grade, redrill, ef_before, repetitions_before, interval_before, due_before,"
               " ef_after, repetitions_after, interval_after, due_after FROM reviews")
        rows = self.conn.execute(sql + " WHERE card_id = ? ORDER BY id", (card_id,)) if card_id is not None \
            else self.conn.execute(sql + " ORDER BY id")
        return [_review(r) for r in rows]

    def graded_on(self, card_id: int, day: date) -> bool:
        """Whether the card already had its scheduling grade that day (later grades are re-drills)."""
        row = self.conn.execute(
            "SELECT 1 FROM reviews WHERE day = ? AND card_id = ? LIMIT 1", (day.isoformat(), card_id)
        ).fetchone()
        return row is not None

    def pending_redrills(self, day: date, deck: str | None = None) -> list[Card]:
        """Cards whose latest grade of the day was below 4: SM-2 brings them back until they reach 4."""
        clause, args = deck_clause(deck)
        rows = self.conn.execute(
            f"SELECT {CARD_COLUMNS} FROM {CARD_FROM} JOIN ("
            "  SELECT card_id, grade, MAX(id) AS last FROM reviews WHERE day = ? GROUP BY card_id"
            f") r ON r.card_id = c.id WHERE r.grade < 4 AND c.retired = 0 AND {clause} ORDER BY r.last",
            [day.isoformat(), *args],
        )
        return [card_from_row(r) for r in rows]

    def due_cards(self, day: date, limit: int, deck: str | None = None) -> list[Card]:
        """Reviews due by ``day``, most overdue first."""
        clause, args = deck_clause(deck)
        rows = self.conn.execute(
            f"SELECT {CARD_COLUMNS} FROM {CARD_FROM} WHERE c.retired = 0 AND c.due IS NOT NULL AND c.due <= ?"
            f" AND {clause} ORDER BY c.due, c.id LIMIT ?",
            [day.isoformat(), *args, limit],
        )
        return [card_from_row(r) for r in rows]

    def new_cards(self, limit: int, deck: str | None = None) -> list[Card]:
        """Never-seen cards in notes order (insertion order)."""
        clause, args = deck_clause(deck)
        rows = self.conn.execute(
            f"SELECT {CARD_COLUMNS} FROM {CARD_FROM} WHERE c.retired = 0 AND c.due IS NULL AND {clause}"
            " ORDER BY c.id LIMIT ?",
            [*args, limit],
        )
        return [card_from_row(r) for r in rows]

    def new_seen_on(self, day: date, deck: str | None = None) -> int:
        """How many new cards were introduced on ``day`` (counts against the daily ``--new``)."""
        clause, args = deck_clause(deck)
        row = self.conn.execute(
            f"SELECT COUNT(*) FROM reviews r JOIN cards c ON c.id = r.card_id WHERE r.day = ? AND r.redrill = 0"
            f" AND r.due_before IS NULL AND {clause}",
            [day.isoformat(), *args],
        ).fetchone()
        return row[0]

    def reviewed_on(self, day: date, deck: str | None = None) -> int:
        """How many due reviews (not new cards, not re-drills) were graded on ``day``: they count against ``--limit``."""
        clause, args = deck_clause(deck)
        row = self.conn.execute(
            f"SELECT COUNT(*) FROM reviews r JOIN cards c ON c.id = r.card_id WHERE r.day = ? AND r.redrill = 0"
            f" AND r.due_before IS NOT NULL AND {clause}",
            [day.isoformat(), *args],
        ).fetchone()
        return row[0]

    def count_due(self, day: date, deck: str | None = None) -> int:
        """Active cards due by ``day`` (overdue ones included): what a session on ``day`` would review."""
        clause, args = deck_clause(deck)
        row = self.conn.execute(
            f"SELECT COUNT(*) FROM cards c WHERE c.retired = 0 AND c.due IS NOT NULL AND c.due <= ? AND {clause}",
            [day.isoformat(), *args],
        ).fetchone()
        return row[0]

    def next_due(self, after: date, deck: str | None = None) -> date | None:
        clause, args = deck_clause(deck)
        row = self.conn.execute(
            f"SELECT MIN(c.due) FROM cards c WHERE c.retired = 0 AND c.due > ? AND {clause}",
            [after.isoformat(), *args],
        ).fetchone()
        return _day(row[0])

    # -- status ------------------------------------------------------------

    def deck_status(self, day: date, deck: str | None = None) -> list[DeckStatus]:
        """Counts per deck, each from an index alone (no per-row expressions): fast at 100,000 cards.

        Learned cards are the active ones neither new nor due.
        """
        clause, args = deck_clause(deck)
        today = day.isoformat()
        counts: dict[str, dict[str, int]] = {}

        def tally(name: str, sql: str, params: list) -> None:
            for deck_name, count in self.conn.execute(sql, params):
                counts.setdefault(deck_name, {})[name] = count

        for deck_name, retired, count in self.conn.execute(
                f"SELECT c.deck, c.retired, COUNT(*) FROM cards c WHERE {clause} GROUP BY c.deck, c.retired", args):
            counts.setdefault(deck_name, {})["retired" if retired else "total"] = count
        tally("new", "SELECT c.deck, COUNT(*) FROM cards c INDEXED BY cards_new WHERE c.retired = 0 AND c.due IS NULL"
              f" AND {clause} GROUP BY c.deck", args)
        tally("due", f"SELECT c.deck, COUNT(*) FROM cards c WHERE retired = 0 AND due <= ? AND {clause}"
              " GROUP BY c.deck", [today, *args])
        for card in self.pending_redrills(day, deck):
            counts[card.deck]["redrills"] = counts[card.deck].get("redrills", 0) + 1
        return [DeckStatus(deck=name, new=c.get("new", 0), due=c.get("due", 0), redrills=c.get("redrills", 0),
                           learned=c.get("total", 0) - c.get("new", 0) - c.get("due", 0), retired=c.get("retired", 0))
                for name, c in sorted(counts.items())]

    def forecast(self, day: date, days: int, deck: str | None = None) -> list[tuple[date, int]]:
        """Cards due on each of the next ``days`` days (overdue ones count for today, not here)."""
        clause, args = deck_clause(deck)
        end = day + timedelta(days=days)
        counts = dict(self.conn.execute(
            f"SELECT c.due, COUNT(*) FROM cards c WHERE c.retired = 0 AND c.due > ? AND c.due <= ? AND {clause}"
            " GROUP BY c.due", [day.isoformat(), end.isoformat(), *args],
        ).fetchall())
        return [(d, counts.get(d.isoformat(), 0)) for d in (day + timedelta(days=i) for i in range(1, days + 1))]

def _review(row: tuple) -> Review:
    return Review(
        id=row[0], card_id=row[1], day=date.fromisoformat(row[2]), grade=row[3], redrill=bool(row[4]),
        before=CardState(row[5], row[6], row[7], _day(row[8])), after=CardState(row[9], row[10], row[11], _day(row[12])),
    )


def busy_error(exc: sqlite3.OperationalError) -> StudycardsError:
    if "locked" in str(exc) or "busy" in str(exc):
        return BusyError("the collection is busy: another studycards is writing to it; try again in a moment")
    return StudycardsError(f"database error: {exc}")


def database_error(exc: sqlite3.DatabaseError, home: Path) -> StudycardsError:
    """What the user reads when SQLite fails after the database opened: it is busy, or it is damaged."""
    message = str(exc)
    if "malformed" in message or "not a database" in message:
        return StudycardsError(f"{home / DB_NAME} is damaged ({message}): restore it from a backup, or move it away"
                               " and add your notes again (they hold every card; the review history is in the database)")
    return busy_error(exc)


def _use_wal(conn: sqlite3.Connection) -> None:
    """Switch a new database to WAL; SQLite refuses at once (no busy wait) while another first use does the same."""
    deadline = time.monotonic() + BUSY_TIMEOUT_MS / 1000
    while conn.execute("PRAGMA journal_mode").fetchone()[0] != "wal":
        try:
            conn.execute("PRAGMA journal_mode = WAL")
        except sqlite3.OperationalError as exc:
            if "locked" not in str(exc) or time.monotonic() > deadline:
                raise
            time.sleep(0.01)


def collection_status(home: Path, day: date, deck: str | None = None,
                      days: int = 7) -> tuple[list[DeckStatus], list[tuple[date, int]]]:
    """Counts per deck and the next days' forecast; a home with no database yet simply has no cards."""
    if not (home / DB_NAME).exists():
        return [], [(day + timedelta(days=i), 0) for i in range(1, days + 1)]
    with open_store(home) as store:
        return store.deck_status(day, deck), store.forecast(day, days, deck)


def open_store(home: Path, create: bool = True) -> Store:
    """Open (creating on first use) the home's database and migrate it forward.

    With ``create=False`` a home without a database reads as an empty one and is
    left untouched, so looking at a fresh home writes nothing.
    """
    path = home / DB_NAME
    if not create and not path.exists():
        conn = sqlite3.connect(":memory:", isolation_level=None)
        migrate(conn)
        return Store(conn, path)
    try:
        home.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise StudycardsError(f"cannot create the studycards home {home}: {exc.strerror}") from None
    conn: sqlite3.Connection | None = None
    try:
        conn = sqlite3.connect(path, isolation_level=None, timeout=BUSY_TIMEOUT_MS / 1000)
        conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        check_version(conn)  # before anything writes: a newer studycards' database stays exactly as it was
        _use_wal(conn)
        conn.execute("PRAGMA synchronous = NORMAL")
        conn.execute("PRAGMA foreign_keys = ON")
        migrate(conn)
    except BaseException as exc:
        if conn is not None:
            conn.close()
        if not isinstance(exc, sqlite3.DatabaseError):
            raise
        message = str(exc)
        if "not a database" in message or "malformed" in message:
            raise StudycardsError(f"{path} is damaged or not a studycards database ({message})") from None
        if "readonly" in message or "unable to open" in message:
            raise StudycardsError(f"cannot write to {path}: {message}; check the folder's permissions") from None
        raise busy_error(exc) from None
    return Store(conn, path)

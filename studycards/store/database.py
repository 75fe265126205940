"""The studycards database: opening and migrating it, transactions, and the cards themselves.

Every SQL statement lives here or in the store's sibling modules (``store_reviews``:
the review log, queue and status; ``store_library``: papers, questions, export).

The database is opened in WAL mode with ``synchronous=NORMAL`` (safe against a
killed process, fast per grade); every write runs in one ``BEGIN IMMEDIATE``
transaction, so a crash or Ctrl-C never leaves half an import or half a grade.
"""

from __future__ import annotations

import json
import sqlite3
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from datetime import date, datetime, timedelta
from pathlib import Path

from studycards.errors import BusyError, StudycardsError
from studycards.home import DB_NAME
from studycards.models import Card
from studycards.store.library import ExportNote, LibraryQueries, StoredQuestion  # noqa: F401 (re-exported)
from studycards.store.migrations import check_version, migrate
from studycards.store.reviews import DeckStatus, Review, ReviewQueries  # noqa: F401 (re-exported)
from studycards.store.sql import CARD_COLUMNS, CARD_FROM, card_from_row, deck_clause

BUSY_TIMEOUT_MS = 5000


class Store(LibraryQueries, ReviewQueries):
    """A studycards database; open it with :func:`open_store`."""

    def __init__(self, conn: sqlite3.Connection, path: Path) -> None:
        self.conn = conn
        self.path = path
        self._depth = 0

    def close(self) -> None:
        self.conn.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @contextmanager
    def transaction(self) -> Iterator[Store]:
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

    def cards(self, *, deck: str | None = None, due_on: date | None = None, include_retired: bool = True) -> list[Card]:
        clause, args = deck_clause(deck)
        sql = f"SELECT {CARD_COLUMNS} FROM {CARD_FROM} WHERE {clause}"
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
            chunk = keys[start : start + 500]
            marks = ",".join("?" * len(chunk))
            for row in self.conn.execute(f"SELECT {CARD_COLUMNS} FROM {CARD_FROM} WHERE c.key IN ({marks})", chunk):
                card = card_from_row(row)
                found[card.key] = card
        return found

    def cards_from_sources(self, sources: Iterable[str]) -> list[Card]:
        result: list[Card] = []
        for source in sources:
            rows = self.conn.execute(
                f"SELECT {CARD_COLUMNS} FROM {CARD_FROM} WHERE c.source = ? ORDER BY c.id", (source,)
            )
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


def busy_error(exc: sqlite3.OperationalError) -> StudycardsError:
    if "locked" in str(exc) or "busy" in str(exc):
        return BusyError("the collection is busy: another studycards is writing to it; try again in a moment")
    return StudycardsError(f"database error: {exc}")


def database_error(exc: sqlite3.DatabaseError, home: Path) -> StudycardsError:
    """What the user reads when SQLite fails after the database opened: it is busy, or it is damaged."""
    message = str(exc)
    if "malformed" in message or "not a database" in message:
        return StudycardsError(
            f"{home / DB_NAME} is damaged ({message}): restore it from a backup, or move it away"
            " and add your notes again (they hold every card; the review history is in the database)"
        )
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


def collection_status(
    home: Path, day: date, deck: str | None = None, days: int = 7
) -> tuple[list[DeckStatus], list[tuple[date, int]]]:
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

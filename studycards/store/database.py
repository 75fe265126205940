"""The studycards database: opening and migrating it, transactions, and the parts that hold its rows.

The database is opened in WAL mode with ``synchronous=NORMAL`` (safe against a
killed process, fast per grade); every write runs in one ``BEGIN IMMEDIATE``
transaction, so a crash or Ctrl-C never leaves half an import or half a grade.
"""

from __future__ import annotations

import sqlite3
import time
from datetime import date, timedelta
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple

from studycards.errors import StudycardsError, UnknownDeck
from studycards.home import DB_NAME, JOURNAL_NAME
from studycards.store.errors import is_busy, user_error

if TYPE_CHECKING:
    from studycards.store.cards import Cards
    from studycards.store.counts import Counts, DeckStatus, DueOn
    from studycards.store.drawings import Drawings
    from studycards.store.events import Events
    from studycards.store.exports import Exports
    from studycards.store.files import Files
    from studycards.store.highlights import Highlights
    from studycards.store.papers import Papers
    from studycards.store.questions import Questions
    from studycards.store.reviews import Reviews
    from studycards.store.search_backlog import SearchBacklog
    from studycards.store.today import Today

BUSY_TIMEOUT_MS = 5000


class Store:
    """A studycards database, its rows reached by concept (``store.cards``, ``store.reviews``, ...).

    Open it with :func:`open_store`; every part shares the one connection, so
    :meth:`transaction` spans them all.  A part is made (and its module imported) when first used: a
    command pays at start-up only for the parts it needs (``status`` for the counts alone).
    """

    def __init__(self, conn: sqlite3.Connection, path: Path) -> None:
        self.conn = conn
        self.path = path
        self._depth = 0

    @cached_property
    def cards(self) -> Cards:
        from studycards.store.cards import Cards

        return Cards(self.conn)

    @cached_property
    def events(self) -> Events:
        from studycards.store.events import Events

        return Events(self.conn)

    @cached_property
    def reviews(self) -> Reviews:
        from studycards.store.reviews import Reviews

        return Reviews(self.conn, self.transaction, self.cards, self.events)

    @cached_property
    def today(self) -> Today:
        from studycards.store.today import Today

        return Today(self.conn)

    @cached_property
    def papers(self) -> Papers:
        from studycards.store.papers import Papers

        return Papers(self.conn)

    @cached_property
    def questions(self) -> Questions:
        from studycards.store.questions import Questions

        return Questions(self.conn)

    @cached_property
    def files(self) -> Files:
        from studycards.store.files import Files

        return Files(self.conn)

    @cached_property
    def exports(self) -> Exports:
        from studycards.store.exports import Exports

        return Exports(self.conn, self.transaction)

    @cached_property
    def counts(self) -> Counts:
        from studycards.store.counts import Counts

        return Counts(self.conn)

    @cached_property
    def drawings(self) -> Drawings:
        from studycards.store.drawings import Drawings

        return Drawings(self.conn)

    @cached_property
    def search_backlog(self) -> SearchBacklog:
        from studycards.store.search_backlog import SearchBacklog

        return SearchBacklog(self.conn)

    @cached_property
    def highlights(self) -> Highlights:
        from studycards.store.highlights import Highlights

        return Highlights(self.conn)

    def close(self) -> None:
        self.conn.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def transaction(self) -> Transaction:
        """One atomic write; nested calls join the outer transaction."""
        return Transaction(self)


class Transaction:
    """:meth:`Store.transaction`, as a class rather than a generator: a grade takes two of them, nested, and
    a generator's entering and leaving cost more than the grade's own Python (2.7 µs against 0.8)."""

    __slots__ = ("_store",)

    def __init__(self, store: Store) -> None:
        self._store = store

    def __enter__(self) -> Store:
        store = self._store
        if store._depth:
            store._depth += 1
            return store
        try:
            store.conn.execute("BEGIN IMMEDIATE")
        except sqlite3.DatabaseError as exc:
            raise (user_error(exc, store.path) or exc) from None
        store._depth = 1
        return store

    def __exit__(self, kind: type[BaseException] | None, *exc: object) -> None:
        store = self._store
        store._depth -= 1
        if store._depth:
            return
        if kind is None:
            store.conn.execute("COMMIT")
        elif store.conn.in_transaction:  # SQLite itself rolls back on some errors, a full disk among them
            store.conn.execute("ROLLBACK")


def _use_wal(conn: sqlite3.Connection) -> None:
    """Switch a new database to WAL; SQLite refuses at once (no busy wait) while another first use does the same."""
    deadline = time.monotonic() + BUSY_TIMEOUT_MS / 1000
    while conn.execute("PRAGMA journal_mode").fetchone()[0] != "wal":
        try:
            conn.execute("PRAGMA journal_mode = WAL")
        except sqlite3.OperationalError as exc:
            if not is_busy(exc) or time.monotonic() > deadline:
                raise
            time.sleep(0.01)


class CollectionStatus(NamedTuple):
    """What ``status`` shows: counts per deck, the forecast, and the new cards beyond today's limit."""

    decks: list[DeckStatus]
    forecast: list[DueOn]
    new_waiting: int = 0
    new_per_day: int = 20
    drawing: int = 0  # display equations waiting for sympy's drawing (the whole collection's, whatever the deck)


def collection_status(
    home: Path, day: date, deck: str | None = None, days: int = 7, new_per_day: int = 20
) -> CollectionStatus:
    """Counts per deck and the next days' forecast; a home with no database yet simply has no cards.

    A deck that does not exist is an error naming the nearest ones, never an empty report.
    """
    if not (home / DB_NAME).exists():
        from studycards.store.counts import DueOn

        if deck:
            raise UnknownDeck(deck, [])
        return CollectionStatus([], [DueOn(day + timedelta(days=i), 0) for i in range(1, days + 1)], 0, new_per_day)
    with open_store(home) as store:
        return status_of(store, day, deck, days, new_per_day)


def status_of(
    store: Store, day: date, deck: str | None = None, days: int = 7, new_per_day: int = 20
) -> CollectionStatus:
    """:func:`collection_status` of a store already open (``add``'s last line, without opening it again)."""
    check_deck(store, deck)
    counts = store.counts
    return CollectionStatus(
        counts.status(day, deck),
        counts.forecast(day, days, deck, new_per_day),
        counts.new_waiting(day, deck, new_per_day),
        new_per_day,
        store.drawings.count_pending(),
    )


def check_deck(store: Store, deck: str | None) -> None:
    """Refuse a deck that holds no card (a typo, most often), naming the decks it is closest to."""
    if not deck:
        return
    known = store.cards.decks()
    if any(name == deck or name.startswith(deck + "::") for name in known):
        return
    raise UnknownDeck(deck, known)


def open_store(home: Path, create: bool = True) -> Store:
    """Open (creating on first use) the home's database and migrate it forward.

    With ``create=False`` a home without a database reads as an empty one and is
    left untouched, so looking at a fresh home writes nothing.
    """
    from studycards.store.schema import check_version, migrate

    path = home / DB_NAME
    if not create and not path.exists():
        memory = sqlite3.connect(":memory:", isolation_level=None)
        migrate(memory)
        return Store(memory, path)
    try:
        home.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise StudycardsError(f"cannot create the studycards home {home}: {exc.strerror}") from None
    conn: sqlite3.Connection | None = None
    try:
        conn = sqlite3.connect(path, isolation_level=None, timeout=BUSY_TIMEOUT_MS / 1000)
        conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        check_version(conn)  # before anything writes: a newer studycards' database stays exactly as it was
        if path.stat().st_size == 0:  # a new database: the switch to WAL is its first write, with nothing to lose
            conn.execute("PRAGMA synchronous = OFF")  # (its fsyncs were 13-22 ms of a new home's first add)
        _use_wal(conn)
        conn.execute("PRAGMA synchronous = NORMAL")
        conn.execute("PRAGMA foreign_keys = ON")
        migrate(conn)
        if (home / JOURNAL_NAME).exists():  # an answer whose run was killed: finished or forgotten, as its notes say
            from studycards.store.journal import settle

            settle(conn, home)
    except BaseException as exc:
        if conn is not None:
            conn.close()
        error = user_error(exc, path)
        if error is None:
            raise
        raise error from None
    return Store(conn, path)

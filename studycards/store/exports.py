"""Anki export bookkeeping: the notes an export writes, and what each was last exported as.

Anki updates a note on import only when the package's modification time is newer
than its own, so each exported note's content hash and time are remembered.  An
export writes the notes with live cards, and the retired notes Anki may still
hold: those exported before, whose cards are all retired now, so that Anki can
mark them.  A retired note never exported is left out: Anki never had it.

Anki knows a note by the key it had when first added (``anki_key``, kept when a
deck rename changes the note key), so notes are grouped and remembered by it.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterable, Iterator
from contextlib import AbstractContextManager
from typing import NamedTuple

from studycards.store.sql import decks_clause

KEPT_RETIRED = (  # a retired card of a note Anki has (exported before) and whose cards are all retired
    "c.retired = 1 AND c.anki_key IN (SELECT note_key FROM exported_notes)"
    " AND NOT EXISTS (SELECT 1 FROM cards l WHERE l.anki_key = c.anki_key AND l.retired = 0)"
)
WRITTEN = f"(c.retired = 0 OR ({KEPT_RETIRED}))"


class ExportDeck(NamedTuple):
    """A deck with notes to export, so an export knows its size up front."""

    deck: str
    notes: int
    cards: int


class ExportNote(NamedTuple):
    """A note as export reads it: its first card's content, its cards' ords (live ones, unless ``retired``).

    ``note_key`` is the key Anki knows the note by (its GUID's source); ``ords`` is comma-separated;
    ``exported_*`` are ``None`` for a note never exported (``exported_deck`` also for one exported
    before Anki keys were kept); ``retired`` says every card of the note is retired.
    """

    note_key: str
    deck: str
    kind: str
    front: str
    back: str
    context: str
    tags: str
    source: str
    line: int
    paper: str | None
    exported_hash: str | None
    exported_mod: int | None
    ords: str
    retired: bool = False
    exported_deck: str | None = None


class ExportedNote(NamedTuple):
    """A note as an export changed it: its content hash, the modification time it was given, its deck."""

    note_key: str
    content_hash: str
    mod: int
    deck: str | None = None


class Exports:
    """Export bookkeeping of one store; reached as ``store.exports``."""

    def __init__(self, conn: sqlite3.Connection, transaction: Callable[[], AbstractContextManager[object]]) -> None:
        self._conn = conn
        self._transaction = transaction

    def decks(self, decks: Iterable[str] = ()) -> list[ExportDeck]:
        """Decks with notes to export among the chosen ones (with their subdecks), every deck if none is chosen."""
        clause, args = decks_clause(decks)
        return [
            ExportDeck(*row)
            for row in self._conn.execute(  # the two halves of WRITTEN apart: SQLite's plan for the OR read twice
                f"SELECT deck, COUNT(DISTINCT anki_key), COUNT(*) FROM (SELECT c.deck, c.anki_key FROM cards c"
                f" WHERE c.retired = 0 AND {clause} UNION ALL SELECT c.deck, c.anki_key FROM cards c"
                f" WHERE {KEPT_RETIRED} AND {clause}) GROUP BY deck ORDER BY deck",
                [*args, *args],
            )
        ]

    def notes(self, deck: str) -> Iterator[ExportNote]:
        """One deck's notes to export (subdecks excluded), in notes order; streamed, so memory stays flat.

        Cards are grouped by note on their narrow columns first (the one min/max aggregate, ``MIN(c.ord)``,
        picks the note's first card), and only that card's row is read whole: sorting whole rows to group
        them was a fifth of an export's time.
        """
        cursor = self._conn.execute(
            "SELECT c.anki_key, c.deck, c.kind, c.front, c.back, c.context, c.tags, c.source, c.line, c.paper,"
            " e.content_hash, e.mod, n.ords, n.retired, e.deck FROM (SELECT c.id, group_concat(c.ord) AS ords,"
            f" SUM(c.retired) = COUNT(*) AS retired, MIN(c.ord) FROM cards c WHERE c.deck = ? AND {WRITTEN}"
            " GROUP BY c.anki_key) n JOIN cards c ON c.id = n.id LEFT JOIN exported_notes e ON e.note_key = c.anki_key"
            " ORDER BY c.id",
            (deck,),
        )
        return (ExportNote._make((*row[:13], bool(row[13]), row[14])) for row in cursor)

    def sources(self) -> list[str]:
        """Every notes file the collection's cards come from, retired ones included."""
        return [row[0] for row in self._conn.execute("SELECT DISTINCT source FROM cards ORDER BY source")]

    def record(self, notes: Iterable[ExportedNote]) -> None:
        """Remember the notes whose export changed them, in one transaction."""
        with self._transaction():
            self._conn.executemany(
                "INSERT INTO exported_notes (note_key, content_hash, mod, deck) VALUES (?, ?, ?, ?)"
                " ON CONFLICT (note_key) DO UPDATE SET content_hash = excluded.content_hash, mod = excluded.mod,"
                " deck = excluded.deck",
                notes,
            )

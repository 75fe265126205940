"""SQL pieces shared by the store's modules: the card columns and their decoding, dates (deck filters: clauses)."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from datetime import date
from itertools import chain, islice
from typing import Any

from studycards.models import Card, CardFlags, CardState
from studycards.store.clauses import deck_clause, decks_clause, queued_clause

__all__ = [
    "CARD_COLUMNS",
    "CARD_FROM",
    "card_from_row",
    "day_of",
    "deck_clause",
    "decks_clause",
    "insert_rows",
    "iso",
    "queued_clause",
    "savepoint",
]

CARD_COLUMNS = (
    "c.id, c.key, c.note_key, c.deck, c.kind, c.ord, c.front, c.back, c.context, c.tags, c.source, "
    "c.line, c.paper, p.title, c.retired, c.ef, c.repetitions, c.interval, c.due, "
    "c.suspended, c.buried_until, c.lapses, c.leech"
)
CARD_FROM = "cards c LEFT JOIN papers p ON p.arxiv_id = c.paper"


def day_of(value: str | None) -> date | None:
    return date.fromisoformat(value) if value else None


def iso(value: date | None) -> str | None:
    return value.isoformat() if value else None


_TAGS: dict[str, tuple[str, ...]] = {}  # each stored list of tags as read: a file's cards share theirs


def stored_tags(tags: Iterable[str]) -> str:
    """The JSON list a card's tags are stored as (:func:`tags_of` reads it)."""
    import json

    return json.dumps(list(tags))


def tags_of(stored: str) -> tuple[str, ...]:
    """A card's tags from the JSON list they are stored as.  The list ``json.dumps`` writes of plain tags
    (``["a", "b"]``: nothing escaped) is read without the json module, whose import (regular expressions
    compiled) was 1.5 ms of the start of a review; any other text is json's to read, as it was."""
    if stored == "[]":
        return ()
    if len(stored) > 3 and stored.startswith('["') and stored.endswith('"]') and "\\" not in stored:
        tags = stored[2:-2].split('", "')
        if not any('"' in tag for tag in tags):
            return tuple(tags)
    import json

    return tuple(json.loads(stored))


def card_from_row(row: tuple[Any, ...]) -> Card:
    """A card from a row of ``CARD_COLUMNS``, built by position: a review builds its whole queue (hundreds of
    cards) before the first is shown, and keywords made each card a third slower; its tags read once a list."""
    (id_, key, note_key, deck, kind, ord_, front, back, context, stored, source, line, paper, paper_title, retired,
     ef, repetitions, interval, due, suspended, buried_until, lapses, leech) = row  # fmt: skip
    tags = _TAGS.get(stored)
    if tags is None:
        tags = _TAGS[stored] = tags_of(stored)
    return Card(
        id_, key, note_key, deck, kind, ord_, front, back, context, source, line, tags, paper,
        paper_title, bool(retired), CardState(ef, repetitions, interval, day_of(due)),
        CardFlags(bool(suspended), day_of(buried_until), lapses, bool(leech)),
    )  # fmt: skip


@contextmanager
def savepoint(conn: sqlite3.Connection, name: str) -> Iterator[None]:
    """A block that lands whole or not at all, inside the caller's transaction.

    When SQLite has already rolled the whole transaction back by itself (a full disk), there is no
    savepoint left to go back to, and the error goes on as it is.
    """
    conn.execute(f"SAVEPOINT {name}")
    try:
        yield
    except BaseException:
        if conn.in_transaction:
            conn.execute(f"ROLLBACK TO {name}")
            conn.execute(f"RELEASE {name}")
        raise
    conn.execute(f"RELEASE {name}")


ROWS_PER_INSERT = 50


def insert_rows(conn: sqlite3.Connection, insert: str, width: int, rows: Iterable[Sequence[Any]]) -> None:
    """``insert`` (``INSERT INTO t (columns)``, no ``VALUES``) of many rows of ``width`` values each, in order.

    ``executemany`` binds and steps one row at a time, and for rows of a dozen values its own
    work per row costs more than SQLite's: ``ROWS_PER_INSERT`` rows to a statement (one text, so
    prepared once) write 100,000 of a sync's events or review rows in two thirds of the time.
    """
    one = f"({','.join('?' * width)})"
    full = f"{insert} VALUES {','.join([one] * ROWS_PER_INSERT)}"
    pending = iter(rows)
    while chunk := list(islice(pending, ROWS_PER_INSERT)):
        values = tuple(chain.from_iterable(chunk))
        if len(values) != width * len(chunk):
            raise ValueError(f"rows of {width} values expected")
        conn.execute(
            full if len(chunk) == ROWS_PER_INSERT else f"{insert} VALUES {','.join([one] * len(chunk))}", values
        )


@contextmanager
def indexed_after(conn: sqlite3.Connection, table: str) -> Iterator[None]:
    """An empty ``table``'s indexes dropped while the block fills it, and made again after from their own text.

    A first sync writes 100,000 events and their review rows into empty tables: one sort per index
    at the end costs less than placing every key in it one by one (0.84 -> 0.62 s of CPU for both
    tables).  Only inside a transaction, so that no other connection ever sees an index missing
    and a block that fails takes the drop back with it; a table with rows is left alone.
    """
    if not conn.in_transaction or conn.execute(f"SELECT 1 FROM {table} LIMIT 1").fetchone():
        yield
        return
    indexes = conn.execute(
        "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = ? AND sql IS NOT NULL", (table,)
    ).fetchall()
    for name, _ in indexes:
        conn.execute(f'DROP INDEX "{name}"')
    yield
    for _, sql in indexes:
        conn.execute(sql)

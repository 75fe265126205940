"""Migration 10's schema, kept apart so ``migrations.py`` stays short; released, so never edited.

``sync_events`` holds this home's events (written with each grade, undo, set-aside and move)
and those received from others (``applied = 0`` until their card is here and replayed).
``card_starts`` is each card's state before its first event: the point every replay starts
from.  Grades logged before sync existed become this home's first events, so none is missed.
"""

from __future__ import annotations

import sqlite3

from studycards.store.migrations import run_statements


def create_sync_log(conn: sqlite3.Connection) -> None:
    """Create the sync tables and turn the grades already logged into this home's first events."""
    run_statements(
        conn,
        """
        CREATE TABLE sync_device (
            only INTEGER PRIMARY KEY CHECK (only = 1),
            device TEXT NOT NULL,
            last_seq INTEGER NOT NULL
        ) STRICT;
        CREATE TABLE sync_events (
            device TEXT NOT NULL,
            seq INTEGER NOT NULL,
            kind TEXT NOT NULL,
            card TEXT NOT NULL,
            at TEXT NOT NULL,
            day TEXT NOT NULL,
            grade INTEGER,
            ms INTEGER NOT NULL DEFAULT 0,
            redrill INTEGER NOT NULL DEFAULT 0,
            cram INTEGER NOT NULL DEFAULT 0,
            ref TEXT,
            applied INTEGER NOT NULL DEFAULT 1,
            PRIMARY KEY (device, seq)
        ) STRICT, WITHOUT ROWID;
        CREATE INDEX sync_events_card ON sync_events (card);
        CREATE INDEX sync_events_pending ON sync_events (card) WHERE applied = 0;
        CREATE INDEX sync_events_moves ON sync_events (card) WHERE kind = 'move';
        CREATE TABLE sync_files (
            folder TEXT NOT NULL,
            name TEXT NOT NULL,
            offset INTEGER NOT NULL,
            lines INTEGER NOT NULL,
            seq INTEGER NOT NULL DEFAULT 0,
            PRIMARY KEY (folder, name)
        ) STRICT, WITHOUT ROWID;
        CREATE TABLE card_starts (
            card_id INTEGER PRIMARY KEY REFERENCES cards(id),
            ef INTEGER NOT NULL,
            repetitions INTEGER NOT NULL,
            interval INTEGER NOT NULL,
            due TEXT,
            suspended INTEGER NOT NULL,
            buried_until TEXT,
            lapses INTEGER NOT NULL,
            leech INTEGER NOT NULL
        ) STRICT;
        ALTER TABLE reviews ADD COLUMN event TEXT;
        ALTER TABLE practice ADD COLUMN event TEXT;
        """,
    )
    device = new_device_id()
    logged = conn.execute(
        "SELECT 'r', r.id, c.key, r.reviewed_at, r.day, r.grade, r.answer_ms, r.redrill FROM reviews r"
        " JOIN cards c ON c.id = r.card_id UNION ALL SELECT 'p', p.id, c.key, p.reviewed_at, p.day, p.grade,"
        " p.answer_ms, 0 FROM practice p JOIN cards c ON c.id = p.card_id ORDER BY 4, 1 DESC, 2"
    ).fetchall()
    for seq, (table, row_id, key, at, day, grade, ms, redrill) in enumerate(logged, 1):
        conn.execute(
            "INSERT INTO sync_events (device, seq, kind, card, at, day, grade, ms, redrill, cram)"
            " VALUES (?, ?, 'grade', ?, ?, ?, ?, ?, ?, ?)",
            (device, seq, key, at, day, grade, ms, redrill, int(table == "p")),
        )
        conn.execute(
            f"UPDATE {'reviews' if table == 'r' else 'practice'} SET event = ? WHERE id = ?",
            (f"{device}:{seq}", row_id),
        )
    name_device(conn, device, len(logged))
    conn.execute(  # the lapses the log does not explain (none, unless set by hand) were there from the start
        "INSERT INTO card_starts SELECT c.id, r.ef_before, r.repetitions_before, r.interval_before, r.due_before,"
        " c.suspended, c.buried_until, MAX(0, c.lapses - (SELECT COUNT(*) FROM reviews l WHERE l.card_id = c.id"
        " AND l.redrill = 0 AND l.grade < 3 AND l.repetitions_before > 0)), c.leech FROM cards c JOIN reviews r"
        " ON r.id = (SELECT MIN(id) FROM reviews WHERE card_id = c.id)"
    )


def name_device(conn: sqlite3.Connection, device: str | None = None, last_seq: int = 0) -> None:
    """This home's one device row (a new home's: a new id, no event yet)."""
    conn.execute(
        "INSERT INTO sync_device (only, device, last_seq) VALUES (1, ?, ?)", (device or new_device_id(), last_seq)
    )


def new_device_id() -> str:
    """This machine's name and a random part: readable in the sync folder, unique even for two machines named alike.

    The name is the kernel's (``os.uname``, what ``socket.gethostname`` asks for) and the part three bytes
    of ``os.urandom`` (what ``secrets.token_hex`` reads): importing socket and secrets cost a new home 8 ms.
    """
    import os
    import re

    host = os.uname().nodename if hasattr(os, "uname") else __import__("socket").gethostname()
    name = re.sub(r"[^a-z0-9-]+", "-", host.lower()).strip("-")[:24] or "home"
    return f"{name}-{os.urandom(3).hex()}"

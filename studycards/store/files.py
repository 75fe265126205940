"""What ``add`` remembers of each notes file: its content hash, so an unchanged file is not parsed again."""

from __future__ import annotations

import sqlite3
from datetime import datetime
from typing import NamedTuple


class FileHash(NamedTuple):
    """A notes file as of its last ``add``: the sha256 of its text and the ``--deck`` it was added with."""

    sha256: str
    deck_option: str


class Files:
    """The notes files of one store; reached as ``store.files``."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self._conn = conn

    def hash(self, path: str) -> FileHash | None:
        row = self._conn.execute("SELECT sha256, deck_option FROM files WHERE path = ?", (path,)).fetchone()
        return FileHash(row[0], row[1]) if row else None

    def remember(self, path: str, known: FileHash, now: datetime) -> None:
        self._conn.execute(
            "INSERT INTO files (path, sha256, deck_option, added_at) VALUES (?, ?, ?, ?)"
            " ON CONFLICT (path) DO UPDATE SET sha256 = excluded.sha256, deck_option = excluded.deck_option,"
            " added_at = excluded.added_at",
            (path, known.sha256, known.deck_option, now.isoformat(timespec="seconds")),
        )

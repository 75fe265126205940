"""What ``add`` remembers of each notes file: its content hash, so an unchanged file is not parsed again."""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import NamedTuple


class FileHash(NamedTuple):
    """A notes file as of its last ``add``: its text's sha256, and the ``--deck`` and separators it was read with."""

    sha256: str
    deck_option: str
    separators: str = "standard"


class Files:
    """The notes files of one store; reached as ``store.files``."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self._conn = conn

    def hash(self, path: str) -> FileHash | None:
        row = self._conn.execute("SELECT sha256, deck_option, separators FROM files WHERE path = ?", (path,)).fetchone()
        return FileHash(row[0], row[1], row[2]) if row else None

    def remembered(self, readings: Mapping[str, FileHash]) -> bool:
        """Whether these files are all remembered as read so: an ``add``'s write of them landed (it wrote them)."""
        return bool(readings) and all(self.hash(path) == reading for path, reading in readings.items())

    def remember(self, path: str, known: FileHash, now: datetime) -> None:
        self._conn.execute(
            "INSERT INTO files (path, sha256, deck_option, separators, added_at) VALUES (?, ?, ?, ?, ?)"
            " ON CONFLICT (path) DO UPDATE SET sha256 = excluded.sha256, deck_option = excluded.deck_option,"
            " separators = excluded.separators, added_at = excluded.added_at",
            (path, known.sha256, known.deck_option, known.separators, now.isoformat(timespec="seconds")),
        )

    def under(self, folder: str) -> list[str]:
        """The files once added from inside ``folder`` (at any depth), so an ``add`` of it can tell which are gone."""
        prefix = folder.rstrip(os.sep) + os.sep
        rows = self._conn.execute(
            "SELECT path FROM files WHERE path >= ? AND path < ? ORDER BY path",
            (prefix, prefix[:-1] + chr(ord(os.sep) + 1)),
        )
        return [row[0] for row in rows]

    def forget(self, paths: Iterable[str]) -> None:
        """Drop what was remembered of files that are gone: if one comes back it is read afresh."""
        self._conn.executemany("DELETE FROM files WHERE path = ?", [(path,) for path in paths])

    def holds_cards(self, path: str) -> bool:
        """Whether a live card was last seen in this file (an unchanged file without any is worth a word)."""
        found = self._conn.execute("SELECT 1 FROM cards WHERE source = ? AND retired = 0 LIMIT 1", (path,))
        return found.fetchone() is not None

"""Which PDF highlights were written into which notes file, and where a paper's notes file is.

A highlight is remembered by its key once written, so a re-run adds only new ones and one the
user deleted from the notes is not written again; the notes file itself carries no marks.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable
from datetime import datetime


class Highlights:
    """The written highlights of one store; reached as ``store.highlights``."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self._conn = conn

    def written(self, notes: str) -> set[str]:
        rows = self._conn.execute("SELECT key FROM highlights WHERE notes = ?", (notes,))
        return {row[0] for row in rows}

    def remember(self, notes: str, pdf: str, paper: str | None, keys: Iterable[str], now: datetime) -> None:
        stamp = now.isoformat(timespec="seconds")
        self._conn.executemany(
            "INSERT OR IGNORE INTO highlights (notes, key, pdf, paper, written_at) VALUES (?, ?, ?, ?, ?)",
            [(notes, key, pdf, paper, stamp) for key in keys],
        )

    def notes_of(self, paper: str) -> list[str]:
        """The notes files whose cards or questions name ``paper``, the one holding most cards first."""
        rows = self._conn.execute(
            "SELECT source, SUM(n) FROM (SELECT source, COUNT(*) AS n FROM cards WHERE paper = ? AND retired = 0"
            " GROUP BY source UNION ALL SELECT source, 0 FROM questions WHERE paper = ?"
            " UNION ALL SELECT notes, 0 FROM highlights WHERE paper = ?)"
            " GROUP BY source ORDER BY SUM(n) DESC, source",
            (paper, paper, paper),
        )
        return [row[0] for row in rows]

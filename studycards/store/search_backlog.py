"""New cards not yet in the search index: ``add`` leaves them to the background, and ``search`` never misses one.

Indexing 10,000 new cards was a fifth of a first ``add``'s writing (50 of 250 ms).  ``add`` writes its cards with the
index's per-card trigger paused and notes their range of ids here, in its own transaction; the
background process ``add`` starts anyway (``mathtext.drawer``) indexes them after ``add`` returns,
a few thousand to a short transaction, and ``search`` indexes whatever is still left before it asks
the index.  A card edited, retired or restored meanwhile is indexed (or not) by its update trigger,
and the range then leaves it as it is; a range left by a killed process stays for the next one.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from contextlib import AbstractContextManager

CHUNK = 2000  # cards indexed per background transaction: about 10 ms of holding the write lock


class SearchBacklog:
    """The ranges of card ids waiting for the search index; reached as ``store.search_backlog``."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self._conn = conn

    def leave(self, first: int, last: int, cjk: bool) -> None:
        """Cards ``first`` to ``last`` (just written, inside the writer's transaction) wait to be indexed;
        ``cjk``: whether their text holds CJK, for the trigram index."""
        if first <= last:
            self._conn.execute("INSERT INTO search_backlog (first, last, cjk) VALUES (?, ?, ?)", (first, last, cjk))

    def index(self, first: int, last: int, cjk: bool) -> None:
        """Index cards ``first`` to ``last`` now, but for those already indexed (inside the caller's transaction)."""
        from studycards.store.search_schema import index_cards

        (before,) = self._conn.execute("SELECT COALESCE(MAX(id), 0) FROM search_rows").fetchone()
        bounds = {"first": first, "last": last, "before": before}
        for statement in index_cards(cjk):
            self._conn.execute(statement, bounds)

    def waiting(self) -> bool:
        return self._conn.execute("SELECT 1 FROM search_backlog LIMIT 1").fetchone() is not None

    def fill(self, most: int | None = None) -> bool:
        """Index the oldest waiting cards, at most ``most`` ids of them (all without it), inside the caller's
        transaction; whether some still wait."""
        budget = most
        for row, first, last, cjk in self._conn.execute(
            "SELECT rowid, first, last, cjk FROM search_backlog ORDER BY rowid"
        ).fetchall():
            if budget is not None and budget <= 0:
                return True
            upto = last if budget is None else min(last, first + budget - 1)
            self.index(first, upto, bool(cjk))
            if upto == last:
                self._conn.execute("DELETE FROM search_backlog WHERE rowid = ?", (row,))
            else:
                self._conn.execute("UPDATE search_backlog SET first = ? WHERE rowid = ?", (upto + 1, row))
            if budget is not None:
                budget -= upto - first + 1
        return False

    def catch_up(self, transaction: Callable[[], AbstractContextManager[object]]) -> None:
        """Index every waiting card in one transaction (a ``search`` right after a large ``add``)."""
        if self.waiting():
            with transaction():
                self.fill()

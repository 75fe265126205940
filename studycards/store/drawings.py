"""sympy's drawings of display equations, kept by the equation's LaTeX (as ``display_math`` gives it).

A drawing belongs to its LaTeX, never to a card: a card edited while the drawer works shows its new
equation in its line form until that one is drawn, and never another equation's drawing.  Each row is
``pending`` (``add`` wrote a card holding it), ``drawn`` (with sympy's drawing) or ``none`` (sympy declined:
the line form is the equation's final look).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable

PENDING, DRAWN, NONE = "pending", "drawn", "none"
KEYS_PER_QUERY = 500


class Drawings:
    """The drawings of one store; reached as ``store.drawings``."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self._conn = conn

    def wait_for(self, equations: Iterable[str]) -> None:
        """Equations of cards being written: those never seen wait for the drawer (inside ``add``'s transaction)."""
        self._conn.executemany(
            "INSERT OR IGNORE INTO drawings (latex) VALUES (?)", ((latex,) for latex in set(equations))
        )

    def any_pending(self) -> bool:
        """Whether a drawer has work: one indexed row at most, cheap enough for the start of ``review``."""
        found = self._conn.execute(
            "SELECT 1 FROM drawings INDEXED BY drawings_pending WHERE state = 'pending' LIMIT 1"
        ).fetchone()
        return found is not None

    def count_pending(self) -> int:
        (count,) = self._conn.execute(
            "SELECT COUNT(*) FROM drawings INDEXED BY drawings_pending WHERE state = 'pending'"
        ).fetchone()
        return int(count)

    def pending(self, limit: int) -> list[str]:
        """Some equations still to draw, in no promised order."""
        rows = self._conn.execute(
            "SELECT latex FROM drawings INDEXED BY drawings_pending WHERE state = 'pending' LIMIT ?", (limit,)
        )
        return [latex for (latex,) in rows]

    def put(self, drawn: Iterable[tuple[str, str | None]]) -> None:
        """Each equation's drawing, or None where sympy declined; a row no longer pending is left as it is."""
        self._conn.executemany(
            "UPDATE drawings SET state = ?, drawing = ? WHERE latex = ? AND state = 'pending'",
            [(NONE if drawing is None else DRAWN, drawing, latex) for latex, drawing in drawn],
        )

    def of(self, texts: Iterable[str]) -> dict[str, str]:
        """The drawings known for these equations (an equation not drawn, or declined, is absent)."""
        wanted = sorted(set(texts))
        found: dict[str, str] = {}
        for start in range(0, len(wanted), KEYS_PER_QUERY):
            chunk = wanted[start : start + KEYS_PER_QUERY]
            marks = ",".join("?" * len(chunk))
            rows = self._conn.execute(
                f"SELECT latex, drawing FROM drawings WHERE state = 'drawn' AND latex IN ({marks})", chunk
            )
            found.update(rows)
        return found

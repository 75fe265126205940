"""The review log summed per day (``review_days``, what ``stats`` reads): what one grade adds to its day.

Triggers keep the sums as grades come and go one at a time (migration 11).  A sync that rewrites
a hundred thousand grades would run a trigger per row, costing twice the rows' own writing (even
a trigger whose ``WHEN`` says no costs that much); it writes them inside :func:`summed_in_bulk`
instead, which moves each day's sums by the rows' own sums, two ``GROUP BY`` statements in all.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager

from studycards.store.sql import savepoint

_FIRST = "{r}.redrill = 0 AND {r}.repetitions_before > 0 AND {r}.interval_before"  # a learned card's day-first grade
# Per day, besides the number of grades: milliseconds, and retention's day-first grades of learned cards, young
# and mature (21 days, as ``status``), passed and in all.  ``{r}`` is the row (``NEW``, ``OLD`` or a table alias).
PARTS = {
    "answer_ms": "{r}.answer_ms",
    "young_passed": _FIRST + " < 21 AND {r}.grade >= 3",
    "young_total": _FIRST + " < 21",
    "mature_passed": _FIRST + " >= 21 AND {r}.grade >= 3",
    "mature_total": _FIRST + " >= 21",
}


@contextmanager
def summed_in_bulk(conn: sqlite3.Connection, rows: str) -> Iterator[None]:
    """Rewrite the log rows that ``rows`` (a condition on ``reviews``) selects, with the days' sums kept exact.

    ``rows`` must select the rows the block replaces before it and the rows it writes after it (say
    ``card_id IN some_table``).  Meanwhile the sums' triggers are dropped, and made again after from
    their own text: run inside a transaction, so that no other connection ever sees them missing;
    a savepoint undoes the block whole if it fails.
    """
    with savepoint(conn, "review_days_bulk"):
        triggers = conn.execute(
            "SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'reviews'"
            " AND name GLOB 'review_days_*'"
        ).fetchall()
        _move(conn, rows, "-")
        for name, _ in triggers:
            conn.execute(f'DROP TRIGGER "{name}"')
        yield
        for _, sql in triggers:
            conn.execute(sql)
        _move(conn, rows, "+")
        conn.execute("DELETE FROM review_days WHERE reviews = 0")


def _move(conn: sqlite3.Connection, rows: str, sign: str) -> None:
    """Add (``+``) or take off (``-``) the sums of the selected rows, day by day."""
    names = ", ".join(PARTS)
    sums = ", ".join(f"{sign}SUM({part.format(r='r')})" for part in PARTS.values())
    moved = ", ".join(f"{name} = {name} + excluded.{name}" for name in ["reviews", *PARTS])
    conn.execute(
        f"INSERT INTO review_days (day, reviews, {names}) SELECT r.day, {sign}COUNT(*), {sums} FROM reviews r"
        f" WHERE {rows} GROUP BY r.day ON CONFLICT (day) DO UPDATE SET {moved}"
    )

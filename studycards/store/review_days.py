"""The review log summed per day (``review_days``, what ``stats`` reads): what one grade adds to its day.

The sums hold the grades up to a mark (``review_days_upto``, the highest review id summed; migration
16): a new grade is not summed as it is given, which would write a page more in each grade's commit,
but when ``stats`` next reads the sums (:func:`fold`), and read from the log meanwhile (:func:`day_sums`).
Triggers move the sums when a grade they hold changes or goes (migration 11, guarded since 16).  A sync
that rewrites a hundred thousand grades would run a trigger per row, costing twice the rows' own writing
(even a trigger whose ``WHEN`` says no costs that much); it writes them inside :func:`summed_in_bulk`
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
UPTO = "IFNULL((SELECT upto FROM review_days_upto), 0)"  # no row: nothing summed (a new home)
LATER = f"r.id > {UPTO}"  # the grades the sums do not hold yet
# Where they are read from: by id, a range at the log's end.  With an index SQLite would read the whole log
# in day order for its GROUP BY (the range's bound is not known to it), however few grades the range holds.
LATER_FROM = "reviews r NOT INDEXED"


def day_sums(conn: sqlite3.Connection, until: str) -> list[tuple[str, int, int, int, int, int, int]]:
    """Each day's sums up to ``until`` (an ISO day), the grades not summed yet included: (day, reviews, *PARTS)."""
    names = ", ".join(PARTS)
    totals = ", ".join(f"SUM({name})" for name in ["reviews", *PARTS])
    return conn.execute(
        f"SELECT day, {totals} FROM (SELECT day, reviews, {names} FROM review_days WHERE day <= ?1"
        f" UNION ALL SELECT r.day, COUNT(*), {_logged()} FROM {LATER_FROM} WHERE {LATER} AND r.day <= ?1"
        " GROUP BY r.day) GROUP BY day ORDER BY day",
        (until,),
    ).fetchall()


def fold(conn: sqlite3.Connection) -> None:
    """Sum the grades logged since the last fold into their days, and move the mark past them (a write, in a
    savepoint of its own); ``stats`` folds before it reads when there are any, so the log read stays short."""
    with savepoint(conn, "review_days_fold"):
        _move(conn, LATER, "+", LATER_FROM)
        _mark_all(conn)


def unfolded(conn: sqlite3.Connection) -> bool:
    """Whether grades were logged since the last fold."""
    return bool(conn.execute(f"SELECT EXISTS (SELECT 1 FROM reviews r WHERE {LATER})").fetchone()[0])


def sum_up_to(conn: sqlite3.Connection) -> None:
    """Migration 16: the mark, at the last grade (the triggers summed them all; no row while there is no grade,
    as in a new home made from ``fresh_schema``); no trigger on a new grade (one whose ``WHEN`` says no still
    costs a grade 5 %), the others guarded to move only sums that hold their row.

    A grade gets the id after the log's last (SQLite's rowid): for no new grade ever to get an id at or below
    the mark, undoing the last summed grade moves the mark down to the grade before it.
    """
    conn.execute("CREATE TABLE review_days_upto (upto INTEGER NOT NULL) STRICT")
    conn.execute("INSERT INTO review_days_upto (rowid, upto) SELECT 1, MAX(id) FROM reviews HAVING COUNT(*)")
    triggers = conn.execute(
        "SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND name GLOB 'review_days_*'"
    ).fetchall()
    below = (  # the last grade but this one, read from the end of the log
        "UPDATE review_days_upto SET upto = MIN(upto,"
        " IFNULL((SELECT id FROM reviews WHERE id <> OLD.id ORDER BY id DESC LIMIT 1), 0))"
    )
    for name, sql in triggers:
        conn.execute(f'DROP TRIGGER "{name}"')
        if " AFTER INSERT " in sql:
            continue
        guarded = sql.replace(
            " ON reviews BEGIN ", f" ON reviews WHEN {'NEW' if ' AFTER ' in sql else 'OLD'}.id <= {UPTO} BEGIN ", 1
        )
        if " BEFORE DELETE " in sql:
            guarded = guarded[: guarded.rindex("END")] + f"{below}; END"
        conn.execute(guarded)


@contextmanager
def summed_in_bulk(conn: sqlite3.Connection, rows: str) -> Iterator[None]:
    """Rewrite the log rows that ``rows`` (a condition on ``reviews``) selects, with the days' sums kept exact.

    ``rows`` must select the rows the block replaces before it and the rows it writes after it (say
    ``card_id IN some_table``).  Meanwhile the sums' triggers are dropped, and made again after from
    their own text: run inside a transaction, so that no other connection ever sees them missing;
    a savepoint undoes the block whole if it fails.
    """
    with savepoint(conn, "review_days_bulk"):
        fold(conn)  # every grade summed first: the rows taken off are all in the sums
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
        _mark_all(conn)


def _logged(sign: str = "") -> str:
    """The sums of the log's rows ``r``, one per part, in ``PARTS``' order (``sign``: ``-`` to take them off)."""
    return ", ".join(f"{sign}SUM({part.format(r='r')})" for part in PARTS.values())


def _mark_all(conn: sqlite3.Connection) -> None:
    """Every grade in the log is in the sums now: the mark moves to the last one."""
    conn.execute("INSERT OR REPLACE INTO review_days_upto (rowid, upto) SELECT 1, IFNULL(MAX(id), 0) FROM reviews")


def _move(conn: sqlite3.Connection, rows: str, sign: str, source: str = "reviews r") -> None:
    """Add (``+``) or take off (``-``) the sums of the selected rows (of ``source``, as ``r``), day by day."""
    names = ", ".join(PARTS)
    sums = _logged(sign)
    moved = ", ".join(f"{name} = {name} + excluded.{name}" for name in ["reviews", *PARTS])
    conn.execute(
        f"INSERT INTO review_days (day, reviews, {names}) SELECT r.day, {sign}COUNT(*), {sums} FROM {source}"
        f" WHERE {rows} GROUP BY r.day ON CONFLICT (day) DO UPDATE SET {moved}"
    )

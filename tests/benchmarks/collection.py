"""Benchmarks of the views on a large collection: ``search`` on 100,000 cards, ``stats`` on 1,000,000 reviews.

Each is timed against ``studycards status`` on the same collection, the start-up floor every
command pays (opening the home, migrating, one query).
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

from tests.benchmarks.measure import STUDYCARDS, env, ratio, side_by_side

REVIEWS = 1_000_000


def add_reviews(home: Path, count: int = REVIEWS) -> None:
    """A log of ``count`` grades spread over the 100,000 cards and the two years before the clock, in plain SQL."""
    with sqlite3.connect(home / "studycards.db") as conn:
        cards = conn.execute("SELECT MAX(id) FROM cards").fetchone()[0]
        conn.execute(
            "WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i + 1 < ?)"
            " INSERT INTO reviews (card_id, reviewed_at, day, grade, redrill, answer_ms, ef_before, repetitions_before,"
            " interval_before, due_before, ef_after, repetitions_after, interval_after, due_after)"
            " SELECT i % ? + 1, date('2026-11-22', '-' || (i * 730 / ?) || ' days') || 'T08:00:00.000',"
            " date('2026-11-22', '-' || (i * 730 / ?) || ' days'), i % 6, i % 7 = 0, 1000 + i % 20000,"
            " 250, i % 5, (i % 5) * 9, NULL, 250, i % 5 + 1, (i % 5) * 9 + 1, NULL FROM n",
            (count, cards, count, count),
        )


def run(home: Path) -> None:
    environ = env(home)
    status = [STUDYCARDS, "status"]
    pair = side_by_side(status, [STUDYCARDS, "search", "answer"], environ, 7)
    ratio("`search`, a word of every card, 100,000 cards", pair.ours, "`status` on them", pair.peer, 2.0)
    pair = side_by_side(status, [STUDYCARDS, "search", '"fact 50000 about"'], environ, 7)
    ratio("`search`, a phrase of one card, 100,000 cards", pair.ours, "`status` on them", pair.peer, 2.0)
    add_reviews(home)
    pair = side_by_side(status, [STUDYCARDS, "stats"], environ, 7)
    ratio("`stats`, 1,000,000 reviews", pair.ours, "`status` on them", pair.peer, 3.0)

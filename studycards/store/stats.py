"""What ``stats`` reports, read from the review log and the cards: reviews per day, the forecast, the figures.

Every logged grade counts as a review (re-drills too: they are time spent); retention counts only
a day's first grade of a card already learned, since that is the grade that tests memory.
"""

from __future__ import annotations

import sqlite3
from contextlib import suppress
from datetime import date, timedelta
from typing import TYPE_CHECKING, NamedTuple

from studycards.errors import StudycardsError
from studycards.store.clauses import deck_clause
from studycards.store.counts import MATURE_DAYS, Counts, spread
from studycards.store.review_days import day_sums, fold, unfolded

if TYPE_CHECKING:
    from studycards.store.database import Store


class Retention(NamedTuple):
    """Day-first grades ≥ 3 over all day-first grades of learned cards, young (interval < 21) and mature."""

    young_passed: int
    young_total: int
    mature_passed: int
    mature_total: int


class CardCounts(NamedTuple):
    deck: str
    new: int
    young: int
    mature: int
    suspended: int
    leech: int
    retired: int


class ForecastDay(NamedTuple):
    day: date
    due: int
    new: int


class Stats(NamedTuple):
    """Everything ``stats`` shows; ``per_day`` holds (reviews, milliseconds) for each day with any grade."""

    day: date
    per_day: dict[date, tuple[int, int]]
    forecast: list[ForecastDay]
    retention: Retention
    decks: list[CardCounts]


def _filters(deck: str | None, paper: str | None) -> tuple[str, list[object]]:
    clause, args = deck_clause(deck)
    params: list[object] = list(args)
    if paper:
        clause += " AND c.paper = ?"
        params.append(paper)
    return clause, params


def collection_stats(
    store: Store,
    day: date,
    *,
    deck: str | None = None,
    paper: str | None = None,
    days: int = 365,
    forecast_days: int = 30,
    new_per_day: int = 20,
) -> Stats:
    """The figures of ``stats`` for the study ``day``; retention counts the last ``days`` days.

    Without a filter the log is read from its per-day sums (``review_days``) and the cards from the
    ``status`` counts, each from an index: the same figures, computed where ``status`` computes them, in
    a few milliseconds at a million grades.  A deck or a paper reads the grades of its own cards.
    Grades given since the sums were last brought up to date are summed into them first (:func:`fold`);
    while another studycards is writing, or where the home cannot be written, they are read from the log
    instead, with the same figures.
    """
    conn = store.conn
    clause, args = _filters(deck, paper)
    if not (deck or paper) and unfolded(conn):
        with suppress(StudycardsError), store.transaction():  # busy, or a home it may not write: read them as they are
            fold(conn)
    since = (day - timedelta(days=days - 1)).isoformat()
    if deck or paper:
        per_day, retention = _log_of_cards(conn, day, since, clause, args)
    else:
        per_day, retention = _log_by_day(conn, day, since)
    if paper:
        forecast = _forecast(conn, day, forecast_days, new_per_day, clause, args)
        decks = _card_counts(conn, clause, args)
    else:
        counts = Counts(conn)
        forecast = [ForecastDay(*due) for due in counts.forecast(day, forecast_days, deck, new_per_day)]
        decks = [
            CardCounts(s.deck, s.new, s.young, s.mature, s.suspended, s.leeches, s.retired)
            for s in counts.status(day, deck)
        ]
    return Stats(day=day, per_day=per_day, forecast=forecast, retention=retention, decks=decks)


def _log_by_day(conn: sqlite3.Connection, day: date, since: str) -> tuple[dict[date, tuple[int, int]], Retention]:
    per_day: dict[date, tuple[int, int]] = {}
    young_passed = young_total = mature_passed = mature_total = 0
    for d, n, ms, yp, yt, mp, mt in day_sums(conn, day.isoformat()):
        per_day[date.fromisoformat(d)] = (n, ms)
        if d >= since:
            young_passed, young_total = young_passed + yp, young_total + yt
            mature_passed, mature_total = mature_passed + mp, mature_total + mt
    return per_day, Retention(young_passed, young_total, mature_passed, mature_total)


def _log_of_cards(
    conn: sqlite3.Connection, day: date, since: str, clause: str, args: list[object]
) -> tuple[dict[date, tuple[int, int]], Retention]:
    source = "reviews r JOIN cards c ON c.id = r.card_id"
    per_day = {
        date.fromisoformat(d): (n, ms or 0)
        for d, n, ms in conn.execute(
            f"SELECT r.day, COUNT(*), SUM(r.answer_ms) FROM {source} WHERE r.day <= ? AND {clause} GROUP BY r.day",
            [day.isoformat(), *args],
        )
    }
    passes = {
        (bool(mature), bool(passed)): n
        for mature, passed, n in conn.execute(
            f"SELECT r.interval_before >= {MATURE_DAYS}, r.grade >= 3, COUNT(*) FROM {source}"
            " WHERE r.day >= ? AND r.day <= ? AND r.redrill = 0 AND r.repetitions_before > 0"
            f" AND {clause} GROUP BY 1, 2",
            [since, day.isoformat(), *args],
        )
    }
    young, mature = (passes.get((m, True), 0) for m in (False, True))
    failed_young, failed_mature = (passes.get((m, False), 0) for m in (False, True))
    return per_day, Retention(young, young + failed_young, mature, mature + failed_mature)


def _card_counts(conn: sqlite3.Connection, clause: str, args: list[object]) -> list[CardCounts]:
    rows = conn.execute(
        "SELECT c.deck,"
        " SUM(c.retired = 0 AND c.suspended = 0 AND c.due IS NULL),"
        f" SUM(c.retired = 0 AND c.suspended = 0 AND c.due IS NOT NULL AND c.interval < {MATURE_DAYS}),"
        f" SUM(c.retired = 0 AND c.suspended = 0 AND c.due IS NOT NULL AND c.interval >= {MATURE_DAYS}),"
        " SUM(c.retired = 0 AND c.suspended = 1), SUM(c.retired = 0 AND c.leech = 1), SUM(c.retired = 1)"
        f" FROM cards c WHERE {clause} GROUP BY c.deck ORDER BY c.deck",
        args,
    )
    return [CardCounts._make([row[0], *(n or 0 for n in row[1:])]) for row in rows]


def _forecast(
    conn: sqlite3.Connection, day: date, days: int, new_per_day: int, clause: str, args: list[object]
) -> list[ForecastDay]:
    """Reviews falling due on each of the next days, and the new cards the daily limit brings, as ``status`` counts."""
    end = day + timedelta(days=days)
    due = dict(
        conn.execute(
            "SELECT c.due, COUNT(*) FROM cards c WHERE c.retired = 0 AND c.suspended = 0 AND c.due > ? AND c.due <= ?"
            f" AND {clause} GROUP BY c.due",
            [day.isoformat(), end.isoformat(), *args],
        ).fetchall()
    )
    unseen = conn.execute(
        f"SELECT COUNT(*) FROM cards c WHERE c.retired = 0 AND c.suspended = 0 AND c.due IS NULL AND {clause}", args
    ).fetchone()[0]
    seen_today = conn.execute(
        "SELECT COUNT(*) FROM reviews r JOIN cards c ON c.id = r.card_id WHERE r.day = ? AND r.redrill = 0"
        f" AND r.due_before IS NULL AND {clause}",
        [day.isoformat(), *args],
    ).fetchone()[0]
    waiting = max(0, unseen - max(0, new_per_day - seen_today))
    return [ForecastDay(*d) for d in spread(day, days, due, new_per_day, waiting)]


def streaks(days_reviewed: set[date], today: date) -> tuple[int, int]:
    """The current streak (ending today, or yesterday while today's session is still to come) and the longest."""
    longest = run = 0
    previous: date | None = None
    for when in sorted(days_reviewed):
        run = run + 1 if previous is not None and when - previous == timedelta(days=1) else 1
        longest = max(longest, run)
        previous = when
    current = 0
    cursor = today if today in days_reviewed else today - timedelta(days=1)
    while cursor in days_reviewed:
        current += 1
        cursor -= timedelta(days=1)
    return current, longest


PERIODS = (("today", 1), ("7 days", 7), ("30 days", 30))


def period_totals(per_day: dict[date, tuple[int, int]], today: date) -> tuple[dict[str, int], dict[str, float]]:
    """Reviews and seconds spent over today, the last 7 and 30 days (today included), and all time."""
    reviews: dict[str, int] = {}
    seconds: dict[str, float] = {}
    for name, length in (*PERIODS, ("all", 0)):
        first = today - timedelta(days=length - 1) if length else date.min
        chosen = [value for when, value in per_day.items() if first <= when <= today]
        reviews[name] = sum(n for n, _ in chosen)
        seconds[name] = round(sum(ms for _, ms in chosen) / 1000, 1)
    return reviews, seconds

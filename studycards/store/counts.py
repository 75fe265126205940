"""What ``status`` reports: counts per deck and the next days' forecast, each from an index where one serves.

Young and mature follow the interval (21 days is the line, as in Anki), whether or not the card
is due today, so a card never leaves "learned" on the day it comes due.
"""

# Annotations are evaluated here (no __future__ import): a NamedTuple compiles each string annotation, at start-up.
import sqlite3
from datetime import date, timedelta
from typing import NamedTuple

from studycards.store.clauses import deck_clause

MATURE_DAYS = 21


class DeckStatus(NamedTuple):
    """One deck's cards by where they stand; ``due``, ``redrills`` and ``leeches`` overlap the others."""

    deck: str
    new: int
    due: int
    redrills: int
    young: int
    mature: int
    suspended: int
    retired: int
    leeches: int = 0


class DueOn(NamedTuple):
    """How many cards come up on one day of the forecast: reviews falling due, and new ones the daily limit brings."""

    day: date
    cards: int
    new: int = 0


ASIDE = "c.retired = 0 AND (c.suspended = 1 OR c.leech = 1 OR c.buried_until IS NOT NULL)"  # cards_aside


class _Aside(NamedTuple):
    """Cards suspended, buried or tagged leech, grouped: few, and found through their own index."""

    deck: str
    suspended: bool
    leech: bool
    unseen: bool
    kept_out_due: str | None  # the due day of a card kept out of the queue (suspended, or buried past today)
    cards: int


class Counts:
    """The status counts of one store; reached as ``store.counts``.

    Every count comes from an index: the mature cards and the cards set aside (suspended, buried,
    leech) from small partial indexes, the rest from the deck and new-card indexes, so ``status``
    stays fast at 100,000 cards.  Cards set aside are taken off the counts that include them.
    """

    def __init__(self, conn: sqlite3.Connection) -> None:
        self._conn = conn

    def _aside(self, day: date, deck: str | None) -> list[_Aside]:
        clause, args = deck_clause(deck)
        rows = self._conn.execute(
            "SELECT c.deck, c.suspended, c.leech, c.due IS NULL,"
            " CASE WHEN c.suspended = 1 OR c.buried_until > ? THEN c.due END, COUNT(*)"
            f" FROM cards c INDEXED BY cards_aside WHERE {ASIDE} AND {clause} GROUP BY 1, 2, 3, 4, 5",
            [day.isoformat(), *args],
        )
        return [_Aside(r[0], bool(r[1]), bool(r[2]), bool(r[3]), r[4], r[5]) for r in rows]

    def status(self, day: date, deck: str | None = None) -> list[DeckStatus]:
        clause, args = deck_clause(deck)
        today = day.isoformat()
        counts: dict[str, dict[str, int]] = {}

        def add(deck_name: str, key: str, count: int) -> None:
            slot = counts.setdefault(deck_name, {})
            slot[key] = slot.get(key, 0) + count

        for sql, params in (
            (
                "SELECT c.deck, CASE WHEN c.retired THEN 'retired' ELSE 'live' END, COUNT(*) FROM cards c"
                f" WHERE {clause} GROUP BY c.deck, c.retired",
                args,
            ),
            (
                "SELECT c.deck, 'unseen', COUNT(*) FROM cards c INDEXED BY cards_new WHERE c.retired = 0"
                f" AND c.due IS NULL AND {clause} GROUP BY c.deck",
                args,
            ),
            (
                "SELECT c.deck, 'due', COUNT(*) FROM cards c INDEXED BY cards_due WHERE c.retired = 0"
                f" AND c.due <= ? AND {clause} GROUP BY c.deck",
                [today, *args],
            ),
            (
                "SELECT c.deck, 'mature', COUNT(*) FROM cards c INDEXED BY cards_mature WHERE c.retired = 0"
                f" AND c.suspended = 0 AND c.interval >= {MATURE_DAYS} AND {clause} GROUP BY c.deck",
                args,
            ),
            (
                "SELECT c.deck, 'redrills', COUNT(*) FROM cards c JOIN ("
                "  SELECT card_id, grade, MAX(id) FROM reviews WHERE day = ? GROUP BY card_id"
                f") r ON r.card_id = c.id WHERE r.grade < 4 AND c.retired = 0 AND c.suspended = 0 AND {clause}"
                " GROUP BY c.deck",
                [today, *args],
            ),
        ):
            for deck_name, key, count in self._conn.execute(sql, params):
                add(deck_name, key, count)
        for row in self._aside(day, deck):
            if row.leech:
                add(row.deck, "leeches", row.cards)
            if row.suspended:
                add(row.deck, "suspended_unseen" if row.unseen else "suspended_seen", row.cards)
            if row.kept_out_due is not None and row.kept_out_due <= today:
                add(row.deck, "due", -row.cards)
        return [_deck_status(name, c) for name, c in sorted(counts.items())]

    def forecast(self, day: date, days: int, deck: str | None = None, new_per_day: int = 0) -> list[DueOn]:
        """Cards due on each of the next ``days`` days (overdue ones count for today, not here).

        New cards come ``new_per_day`` a day from the ones waiting, after what today's limit still brings.
        """
        clause, args = deck_clause(deck)
        end = day + timedelta(days=days)
        counts = dict(
            self._conn.execute(
                "SELECT c.due, COUNT(*) FROM cards c WHERE c.retired = 0 AND c.due > ?"
                f" AND c.due <= ? AND {clause} GROUP BY c.due",
                [day.isoformat(), end.isoformat(), *args],
            ).fetchall()
        )
        aside = self._aside(day, deck)
        for row in aside:
            if row.suspended and row.kept_out_due in counts:
                counts[row.kept_out_due] -= row.cards
        return spread(day, days, counts, new_per_day, self._waiting(day, deck, new_per_day, aside))

    def new_waiting(self, day: date, deck: str | None, new_per_day: int) -> int:
        """New cards beyond what today's limit still allows: the ones a user would have to ask for."""
        return self._waiting(day, deck, new_per_day, self._aside(day, deck))

    def _waiting(self, day: date, deck: str | None, new_per_day: int, aside: list[_Aside]) -> int:
        clause, args = deck_clause(deck)
        unseen = self._conn.execute(
            f"SELECT COUNT(*) FROM cards c INDEXED BY cards_new WHERE c.retired = 0 AND c.due IS NULL AND {clause}",
            args,
        ).fetchone()[0] - sum(row.cards for row in aside if row.suspended and row.unseen)
        seen_today = self._conn.execute(
            "SELECT COUNT(*) FROM reviews r JOIN cards c ON c.id = r.card_id WHERE r.day = ? AND r.redrill = 0"
            f" AND r.due_before IS NULL AND {clause}",
            [day.isoformat(), *args],
        ).fetchone()[0]
        return max(0, unseen - max(0, new_per_day - seen_today))


def _deck_status(deck: str, c: dict[str, int]) -> DeckStatus:
    seen = c.get("live", 0) - c.get("unseen", 0) - c.get("suspended_seen", 0)
    return DeckStatus(
        deck=deck,
        new=c.get("unseen", 0) - c.get("suspended_unseen", 0),
        due=c.get("due", 0),
        redrills=c.get("redrills", 0),
        young=seen - c.get("mature", 0),
        mature=c.get("mature", 0),
        suspended=c.get("suspended_seen", 0) + c.get("suspended_unseen", 0),
        retired=c.get("retired", 0),
        leeches=c.get("leeches", 0),
    )


def spread(day: date, days: int, due: dict[str, int], new_per_day: int, waiting: int) -> list[DueOn]:
    """Each of the ``days`` days after ``day``: the reviews ``due`` then (by ISO date), and the new cards the daily
    limit brings of the ``waiting`` ones; the one rule behind ``status``'s forecast and ``stats``'s."""
    forecast = []
    for offset in range(1, days + 1):
        when = day + timedelta(days=offset)
        brought = min(new_per_day, waiting)
        waiting -= brought
        forecast.append(DueOn(when, due.get(when.isoformat(), 0), brought))
    return forecast

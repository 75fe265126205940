"""The cards table: content as the notes last said it, the schedule, and the day's queues drawn from it.

Content and schedule change apart: ``add`` rewrites content and never a schedule,
a grade (through :class:`~studycards.store.reviews.Reviews`) moves a schedule and
never content.
"""

# Annotations are evaluated here (no __future__ import): a NamedTuple compiles each string annotation, at start-up.

import sqlite3
from collections.abc import Iterable, Iterator, Mapping
from datetime import date, datetime
from itertools import islice
from typing import Any, NamedTuple

from studycards.models import Card, CardFlags, CardState
from studycards.store.new_cards import CARD_VALUES, INSERT_CARD, AnkiKeys, NewCard, holds_cjk, row_values
from studycards.store.sql import (
    CARD_COLUMNS,
    CARD_FROM,
    card_from_row,
    day_of,
    deck_clause,
    indexed_after,
    insert_rows,
    iso,
    queued_clause,
    savepoint,
    stored_tags,
)

KEYS_PER_QUERY = 500

CARDS_PER_BATCH = 500  # cards written per statement: their notes' stored Anki keys are looked up together
# Pages a connection that writes cards keeps in memory (SQLite's default is 2 MB): 10,000 new cards dirty 7 MB,
# and beyond the cache they are written to the log mid-transaction and again at the commit (6-8 ms of CPU).
WRITE_CACHE_KIB = 8192

SET_SCHEDULE = (
    "UPDATE cards SET ef = ?, repetitions = ?, interval = ?, due = ?, suspended = ?, buried_until = ?, lapses = ?,"
    " leech = ? WHERE id = ?"
)


class CardContent(NamedTuple):
    """A card as its notes file describes it: what ``add`` writes (math stays LaTeX; sides are drawn when shown)."""

    key: str
    note_key: str
    deck: str
    kind: str
    ord: int
    front: str
    back: str
    context: str
    tags: tuple[str, ...]
    source: str
    line: int
    paper: str | None


class CardSchedule(NamedTuple):
    """A card as a sync's replay needs it: identity, whether retired, and its schedule and flags."""

    id: int
    key: str
    retired: bool
    state: CardState
    flags: CardFlags


class CardPlace(NamedTuple):
    """Where a card's lines now are, when only that changed."""

    id: int
    source: str
    line: int


class Cards:
    """The cards of one store; reached as ``store.cards``."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self._conn = conn

    def get(self, card_id: int) -> Card | None:
        row = self._conn.execute(f"SELECT {CARD_COLUMNS} FROM {CARD_FROM} WHERE c.id = ?", (card_id,)).fetchone()
        return card_from_row(row) if row else None

    def select(
        self, *, deck: str | None = None, due_on: date | None = None, include_retired: bool = True
    ) -> list[Card]:
        """Cards in insertion order; ``due_on`` keeps the cards a session on that day would review."""
        clause, args = deck_clause(deck)
        sql = f"SELECT {CARD_COLUMNS} FROM {CARD_FROM} WHERE {clause}"
        if not include_retired:
            sql += " AND c.retired = 0"
        if due_on is not None:
            live, more = queued_clause(due_on)
            sql += f" AND {live} AND c.due IS NOT NULL AND c.due <= ?"
            args += [*more, due_on.isoformat()]
        return [card_from_row(r) for r in self._conn.execute(sql + " ORDER BY c.id", args)]

    def by_keys(self, keys: Iterable[str]) -> dict[str, Card]:
        """The stored cards among ``keys``, retired ones included: identity decides what an ``add`` keeps."""
        found: dict[str, Card] = {}
        for row in self._by_keys(f"SELECT {CARD_COLUMNS} FROM {CARD_FROM} WHERE c.key", keys):
            card = card_from_row(row)
            found[card.key] = card
        return found

    def schedules_by_keys(self, keys: Iterable[str]) -> dict[str, CardSchedule]:
        """:meth:`by_keys` with only what a sync replays from: full rows for 5,000 cards cost a twentieth of a sync."""
        found: dict[str, CardSchedule] = {}
        rows = self._by_keys(
            "SELECT id, key, retired, ef, repetitions, interval, due, suspended, buried_until, lapses, leech"
            " FROM cards WHERE key",
            keys,
        )
        for card_id, key, retired, ef, repetitions, interval, due, suspended, buried, lapses, leech in rows:
            state = CardState(ef, repetitions, interval, day_of(due))
            flags = CardFlags(bool(suspended), day_of(buried), lapses, bool(leech))
            found[key] = CardSchedule(card_id, key, bool(retired), state, flags)
        return found

    def _by_keys(self, select: str, keys: Iterable[str], order: str = "") -> Iterator[tuple[Any, ...]]:
        """The rows of ``select`` (ending in the key column) whose key is among ``keys``, within SQLite's bound on
        parameters per query; ``order`` (`` ORDER BY …``) orders each query's rows."""
        wanted = list(keys)
        if wanted and not self._conn.execute("SELECT 1 FROM cards LIMIT 1").fetchone():
            return  # nothing to find (a first add), and each query's list of keys would be sorted for nothing
        for start in range(0, len(wanted), KEYS_PER_QUERY):
            chunk = wanted[start : start + KEYS_PER_QUERY]
            yield from self._conn.execute(f"{select} IN ({','.join('?' * len(chunk))}){order}", chunk)

    def from_sources(self, sources: Iterable[str]) -> list[Card]:
        """Every card last seen in these notes files, so an ``add`` can retire the ones gone from them."""
        result: list[Card] = []
        for source in sources:
            rows = self._conn.execute(
                f"SELECT {CARD_COLUMNS} FROM {CARD_FROM} WHERE c.source = ? ORDER BY c.id", (source,)
            )
            result.extend(card_from_row(r) for r in rows)
        return result

    def insert(
        self,
        cards: Iterable[NewCard],
        now: datetime,
        starts: Mapping[str, CardState] | None = None,
        *,
        index_later: bool = False,
    ) -> None:
        """New cards, new unless ``starts`` gives a card (by key) the schedule another tool already had for it.

        They are indexed for search once all are in, in one statement per index (the per-card
        trigger is paused meanwhile), or with ``index_later`` left to the search backlog (a
        background process or the next ``search`` indexes them); a savepoint keeps the pause from
        ever outliving the insert.  Into an empty table (a first ``add``) the cards' own indexes are
        built after them too.
        """
        from studycards.store.search_backlog import SearchBacklog

        stamp = now.isoformat(timespec="seconds")
        conn = self._conn
        cjk = False
        conn.execute(f"PRAGMA cache_size = -{WRITE_CACHE_KIB}")  # for the rest of the connection: until the commit
        with savepoint(conn, "cards_insert"):
            (last,) = conn.execute("SELECT COALESCE(MAX(id), 0) FROM cards").fetchone()
            conn.execute("INSERT INTO search_paused VALUES (1)")
            identities = AnkiKeys(last + 1)
            batch = iter(cards)
            with indexed_after(conn, "cards"):
                while chunk := list(islice(batch, CARDS_PER_BATCH)):
                    if last:  # an empty table holds no other card's identity: the batch's own are kept here
                        identities.stored(self._anki_keys_of(card.note_key for card in chunk))
                    cjk = cjk or holds_cjk(chunk)
                    insert_rows(conn, INSERT_CARD, CARD_VALUES, row_values(chunk, stamp, starts or {}, identities))
            conn.execute("DELETE FROM search_paused")
            (newest,) = conn.execute("SELECT COALESCE(MAX(id), 0) FROM cards").fetchone()
            backlog = SearchBacklog(conn)
            (backlog.leave if index_later else backlog.index)(last + 1, newest, cjk)

    def _anki_keys_of(self, note_keys: Iterable[str]) -> tuple[dict[str, str], set[str]]:
        """What the store holds of these note keys: each one's Anki key, if a card of it has one (its first
        card's), and which of them are already some note's Anki key."""
        keys = set(note_keys)
        own: dict[str, str] = {}
        for note_key, anki_key in self._by_keys(
            "SELECT note_key, anki_key FROM cards WHERE anki_key <> '' AND note_key", keys, " ORDER BY id DESC"
        ):
            own[note_key] = anki_key
        taken = {key for (key,) in self._by_keys("SELECT anki_key FROM cards WHERE anki_key", keys)}
        return own, taken

    def update(self, contents: Mapping[int, CardContent], now: datetime) -> None:
        """Rewrite content (never schedule) of existing cards by id; un-retires a card that came back.

        The key and deck are rewritten too: a card whose deck was renamed keeps its row and history.
        """
        stamp = now.isoformat(timespec="seconds")
        self._conn.executemany(
            "UPDATE cards SET key = :key, deck = :deck, note_key = :note_key, front = :front, back = :back,"
            " context = :context, tags = :tags, source = :source, line = :line, paper = :paper,"
            " retired = 0, updated_at = :now WHERE id = :id",
            [{**_params(card, stamp), "id": card_id} for card_id, card in contents.items()],
        )

    def move(self, places: Iterable[CardPlace]) -> None:
        """Follow a card to its new file or line; content and schedule stay."""
        self._conn.executemany(
            "UPDATE cards SET source = ?, line = ? WHERE id = ?", [(p.source, p.line, p.id) for p in places]
        )

    def retire(self, ids: Iterable[int], now: datetime) -> None:
        """Keep the cards and their history but stop reviewing them; re-adding their front brings them back."""
        stamp = now.isoformat(timespec="seconds")
        self._conn.executemany("UPDATE cards SET retired = 1, updated_at = ? WHERE id = ?", [(stamp, i) for i in ids])

    def set_state(self, card_id: int, state: CardState) -> None:
        """Put a schedule as it is; grades go through ``store.reviews`` so that log and schedule agree."""
        self._conn.execute(
            "UPDATE cards SET ef = ?, repetitions = ?, interval = ?, due = ? WHERE id = ?",
            (state.ef, state.repetitions, state.interval, iso(state.due), card_id),
        )

    def set_flags(self, card_id: int, flags: CardFlags) -> None:
        """Put suspension, burial, lapses and the leech tag as they are (undo puts back what was)."""
        self._conn.execute(
            "UPDATE cards SET suspended = ?, buried_until = ?, lapses = ?, leech = ? WHERE id = ?",
            (int(flags.suspended), iso(flags.buried_until), flags.lapses, int(flags.leech), card_id),
        )

    def set_schedule(self, card_id: int, state: CardState, flags: CardFlags) -> None:
        """:meth:`set_state` and :meth:`set_flags` in one statement (a grade that makes a lapse)."""
        self._conn.execute(
            SET_SCHEDULE,
            (state.ef, state.repetitions, state.interval, iso(state.due), flags.suspended + 0,
             iso(flags.buried_until), flags.lapses, flags.leech + 0, card_id),
        )  # fmt: skip

    def set_schedules(self, schedules: Iterable[tuple[int, CardState, CardFlags]]) -> None:
        """Put the schedule and flags of many cards at once (a sync's replay), each as it is."""
        self._conn.executemany(
            SET_SCHEDULE,
            (
                (s.ef, s.repetitions, s.interval, iso(s.due), int(f.suspended), iso(f.buried_until), f.lapses,
                 int(f.leech), card_id)
                for card_id, s, f in schedules
            ),
        )  # fmt: skip

    def decks(self) -> list[str]:
        """Every deck that holds a card, retired ones included, sorted."""
        return [row[0] for row in self._conn.execute("SELECT DISTINCT deck FROM cards ORDER BY deck")]

    # -- the day's queues ----------------------------------------------------

    def iter_due(self, day: date, deck: str | None = None) -> Iterator[Card]:
        """Reviews due by ``day``, most overdue first, read lazily: burying siblings may pass over some."""
        live, args = queued_clause(day)
        clause, more = deck_clause(deck)
        rows = self._conn.execute(
            f"SELECT {CARD_COLUMNS} FROM {CARD_FROM} WHERE {live} AND c.due IS NOT NULL AND c.due <= ?"
            f" AND {clause} ORDER BY c.due, c.id",
            [*args, day.isoformat(), *more],
        )
        return (card_from_row(r) for r in rows)

    def iter_new(self, day: date | None = None, deck: str | None = None) -> Iterator[Card]:
        """Never-seen cards in notes order (insertion order), read lazily; suspended ones never."""
        live, args = queued_clause(day) if day else ("c.retired = 0 AND c.suspended = 0", [])
        clause, more = deck_clause(deck)
        rows = self._conn.execute(
            f"SELECT {CARD_COLUMNS} FROM {CARD_FROM} WHERE {live} AND c.due IS NULL AND {clause} ORDER BY c.id",
            [*args, *more],
        )
        return (card_from_row(r) for r in rows)

    def due(self, day: date, limit: int, deck: str | None = None) -> list[Card]:
        """Reviews due by ``day``, most overdue first."""
        return [card for card, _ in zip(self.iter_due(day, deck), range(limit))]

    def new(self, limit: int, deck: str | None = None) -> list[Card]:
        """Never-seen cards in notes order (insertion order)."""
        return [card for card, _ in zip(self.iter_new(None, deck), range(limit))]

    def count_new(self, deck: str | None = None) -> int:
        """Never-seen cards a session could introduce (suspended ones are not)."""
        clause, args = deck_clause(deck)
        row = self._conn.execute(
            "SELECT COUNT(*) FROM cards c INDEXED BY cards_new WHERE c.retired = 0 AND c.due IS NULL"
            f" AND c.suspended = 0 AND {clause}",
            args,
        ).fetchone()
        return int(row[0])

    def count_due(self, day: date, deck: str | None = None) -> int:
        """Active cards due by ``day`` (overdue ones included): what a session on ``day`` would review."""
        live, args = queued_clause(day)
        clause, more = deck_clause(deck)
        row = self._conn.execute(
            f"SELECT COUNT(*) FROM cards c WHERE {live} AND c.due IS NOT NULL AND c.due <= ? AND {clause}",
            [*args, day.isoformat(), *more],
        ).fetchone()
        return int(row[0])

    def next_due(self, after: date, deck: str | None = None) -> date | None:
        clause, args = deck_clause(deck)
        row = self._conn.execute(
            f"SELECT MIN(c.due) FROM cards c WHERE c.retired = 0 AND c.suspended = 0 AND c.due > ? AND {clause}",
            [after.isoformat(), *args],
        ).fetchone()
        return day_of(row[0])


def _params(card: CardContent, stamp: str) -> dict[str, object]:
    return {**card._asdict(), "tags": stored_tags(card.tags), "now": stamp}

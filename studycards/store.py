"""Every SQL statement of studycards: cards and their schedule, the review log, papers, questions.

The database is opened in WAL mode with ``synchronous=NORMAL`` (safe against a
killed process, fast per grade); every write runs in one ``BEGIN IMMEDIATE``
transaction, so a crash or Ctrl-C never leaves half an import or half a grade.
"""

from __future__ import annotations

import json
import sqlite3
import time
from contextlib import contextmanager
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Iterable, Iterator, NamedTuple

from studycards.errors import BusyError, StudycardsError
from studycards.home import DB_NAME
from studycards.migrations import check_version, migrate
from studycards.models import Card, CardState, Equation, Paper

BUSY_TIMEOUT_MS = 5000
CARD_COLUMNS = (
    "c.id, c.key, c.note_key, c.deck, c.kind, c.ord, c.front, c.back, c.context, c.tags, c.source, "
    "c.line, c.paper, p.title, c.retired, c.ef, c.repetitions, c.interval, c.due, c.front_text, c.back_text"
)
CARD_FROM = "cards c LEFT JOIN papers p ON p.arxiv_id = c.paper"


def _day(value: str | None) -> date | None:
    return date.fromisoformat(value) if value else None


def _iso(value: date | None) -> str | None:
    return value.isoformat() if value else None


def card_from_row(row: tuple) -> Card:
    return Card(
        id=row[0], key=row[1], note_key=row[2], deck=row[3], kind=row[4], ord=row[5],
        front=row[6], back=row[7], context=row[8], tags=tuple(json.loads(row[9])), source=row[10],
        line=row[11], paper=row[12], paper_title=row[13], retired=bool(row[14]),
        state=CardState(ef=row[15], repetitions=row[16], interval=row[17], due=_day(row[18])),
        front_text=row[19], back_text=row[20],
    )


def deck_clause(deck: str | None, column: str = "c.deck") -> tuple[str, list]:
    """A deck filter that includes subdecks (``Papers`` matches ``Papers::ResNet``) and uses the index."""
    if not deck:
        return "1", []
    return f"({column} = ? OR ({column} >= ? AND {column} < ?))", [deck, deck + "::", deck + ":;"]


def decks_clause(decks: Iterable[str], column: str = "c.deck") -> tuple[str, list]:
    """Any of several decks (with their subdecks); no decks means every deck."""
    clauses, args = [], []
    for deck in decks:
        clause, more = deck_clause(deck, column)
        clauses.append(clause)
        args += more
    return ("(" + " OR ".join(clauses) + ")" if clauses else "1"), args


class ExportNote(NamedTuple):
    """A note with live cards as export reads it: its first card's content, its cards' ords.

    ``ords`` is comma-separated; ``exported_*`` are ``None`` for a note never exported.
    """

    note_key: str
    deck: str
    kind: str
    front: str
    back: str
    context: str
    tags: str
    source: str
    line: int
    paper: str | None
    exported_hash: str | None
    exported_mod: int | None
    ords: str


class DeckStatus(NamedTuple):
    deck: str
    new: int
    due: int
    redrills: int
    learned: int
    retired: int


class StoredQuestion(NamedTuple):
    id: int
    key: str
    deck: str
    paper: str | None
    paper_title: str | None
    text: str
    context: str
    source: str
    line: int
    status: str
    answer: str | None


class Review(NamedTuple):
    """One logged grade: enough to undo it exactly and to recompute schedules."""

    id: int
    card_id: int
    day: date
    grade: int
    redrill: bool
    before: CardState
    after: CardState


class Store:
    """A studycards database; open it with :func:`open_store`."""

    def __init__(self, conn: sqlite3.Connection, path: Path) -> None:
        self.conn = conn
        self.path = path
        self._depth = 0

    def close(self) -> None:
        self.conn.close()

    def __enter__(self) -> "Store":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @contextmanager
    def transaction(self) -> Iterator["Store"]:
        """One atomic write; nested calls join the outer transaction."""
        if self._depth:
            self._depth += 1
            try:
                yield self
            finally:
                self._depth -= 1
            return
        try:
            self.conn.execute("BEGIN IMMEDIATE")
        except sqlite3.OperationalError as exc:
            raise busy_error(exc) from None
        self._depth = 1
        try:
            yield self
        except BaseException:
            self.conn.execute("ROLLBACK")
            raise
        else:
            self.conn.execute("COMMIT")
        finally:
            self._depth = 0

    # -- cards -------------------------------------------------------------

    def cards(self, *, deck: str | None = None, due_on: date | None = None, include_retired: bool = True,
              where: str = "1", params: Iterable = ()) -> list[Card]:
        clause, args = deck_clause(deck)
        sql = f"SELECT {CARD_COLUMNS} FROM {CARD_FROM} WHERE {clause} AND {where}"
        args += list(params)
        if not include_retired:
            sql += " AND c.retired = 0"
        if due_on is not None:
            sql += " AND c.retired = 0 AND c.due IS NOT NULL AND c.due <= ?"
            args.append(due_on.isoformat())
        return [card_from_row(r) for r in self.conn.execute(sql + " ORDER BY c.id", args)]

    def card(self, card_id: int) -> Card | None:
        row = self.conn.execute(f"SELECT {CARD_COLUMNS} FROM {CARD_FROM} WHERE c.id = ?", (card_id,)).fetchone()
        return card_from_row(row) if row else None

    def cards_by_key(self, keys: Iterable[str]) -> dict[str, Card]:
        found: dict[str, Card] = {}
        keys = list(keys)
        for start in range(0, len(keys), 500):
            chunk = keys[start:start + 500]
            marks = ",".join("?" * len(chunk))
            for row in self.conn.execute(f"SELECT {CARD_COLUMNS} FROM {CARD_FROM} WHERE c.key IN ({marks})", chunk):
                card = card_from_row(row)
                found[card.key] = card
        return found

    def cards_from_sources(self, sources: Iterable[str]) -> list[Card]:
        result: list[Card] = []
        for source in sources:
            rows = self.conn.execute(f"SELECT {CARD_COLUMNS} FROM {CARD_FROM} WHERE c.source = ? ORDER BY c.id", (source,))
            result.extend(card_from_row(r) for r in rows)
        return result

    def insert_cards(self, rows: list[dict], now: datetime) -> None:
        stamp = now.isoformat(timespec="seconds")
        self.conn.executemany(
            "INSERT INTO cards (key, note_key, deck, kind, ord, front, back, context, tags, source, line, paper,"
            " front_text, back_text, created_at, updated_at) VALUES (:key, :note_key, :deck, :kind, :ord, :front,"
            " :back, :context, :tags, :source, :line, :paper, :front_text, :back_text, :now, :now)",
            [{**r, "tags": json.dumps(list(r["tags"])), "now": stamp} for r in rows],
        )

    def update_cards(self, rows: list[dict], now: datetime) -> None:
        """Rewrite content (never schedule) of existing cards; un-retires a card that came back."""
        stamp = now.isoformat(timespec="seconds")
        self.conn.executemany(
            "UPDATE cards SET note_key = :note_key, front = :front, back = :back, context = :context, tags = :tags,"
            " source = :source, line = :line, paper = :paper, front_text = :front_text, back_text = :back_text,"
            " retired = 0, updated_at = :now WHERE id = :id",
            [{**r, "tags": json.dumps(list(r["tags"])), "now": stamp} for r in rows],
        )

    def move_cards(self, moves: list[tuple[str, int, int]]) -> None:
        """Follow a card to its new file or line; content and schedule stay."""
        self.conn.executemany("UPDATE cards SET source = ?, line = ? WHERE id = ?", moves)

    def retire_cards(self, ids: Iterable[int], now: datetime) -> None:
        stamp = now.isoformat(timespec="seconds")
        self.conn.executemany("UPDATE cards SET retired = 1, updated_at = ? WHERE id = ?", [(stamp, i) for i in ids])

    # -- files -------------------------------------------------------------

    def file_hash(self, path: str) -> tuple[str, str] | None:
        """(sha256 of the content, the ``--deck`` it was added with) as of the last ``add``."""
        row = self.conn.execute("SELECT sha256, deck_option FROM files WHERE path = ?", (path,)).fetchone()
        return (row[0], row[1]) if row else None

    def set_file_hash(self, path: str, sha256: str, deck_option: str, now: datetime) -> None:
        self.conn.execute(
            "INSERT INTO files (path, sha256, deck_option, added_at) VALUES (?, ?, ?, ?)"
            " ON CONFLICT (path) DO UPDATE SET sha256 = excluded.sha256, deck_option = excluded.deck_option,"
            " added_at = excluded.added_at",
            (path, sha256, deck_option, now.isoformat(timespec="seconds")),
        )

    # -- reviews -----------------------------------------------------------

    def record_review(self, card_id: int, grade: int, day: date, at: datetime, answer_ms: int,
                      before: CardState, after: CardState, redrill: bool) -> int:
        """Log a grade and move the card to ``after``, atomically; returns the log id for undo."""
        with self.transaction():
            cursor = self.conn.execute(
                "INSERT INTO reviews (card_id, reviewed_at, day, grade, redrill, answer_ms, ef_before,"
                " repetitions_before, interval_before, due_before, ef_after, repetitions_after, interval_after,"
                " due_after) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (card_id, at.isoformat(timespec="milliseconds"), day.isoformat(), grade, int(redrill), answer_ms,
                 before.ef, before.repetitions, before.interval, _iso(before.due),
                 after.ef, after.repetitions, after.interval, _iso(after.due)),
            )
            self._set_state(card_id, after)
            return int(cursor.lastrowid)

    def undo_review(self, review_id: int) -> Review:
        """Delete a logged grade and restore the card's state exactly as it was before it."""
        with self.transaction():
            review = self.review(review_id)
            if review is None:
                raise StudycardsError(f"no review {review_id} to undo")
            self.conn.execute("DELETE FROM reviews WHERE id = ?", (review_id,))
            self._set_state(review.card_id, review.before)
            return review

    def _set_state(self, card_id: int, state: CardState) -> None:
        self.conn.execute(
            "UPDATE cards SET ef = ?, repetitions = ?, interval = ?, due = ? WHERE id = ?",
            (state.ef, state.repetitions, state.interval, _iso(state.due), card_id),
        )

    def review(self, review_id: int) -> Review | None:
        row = self.conn.execute(
            "SELECT id, card_id, day, grade, redrill, ef_before, repetitions_before, interval_before, due_before,"
            " ef_after, repetitions_after, interval_after, due_after FROM reviews WHERE id = ?", (review_id,)
        ).fetchone()
        return _review(row) if row else None

    def reviews(self, card_id: int | None = None) -> list[Review]:
        sql = ("SELECT id, card_id, day, grade, redrill, ef_before, repetitions_before, interval_before, due_before,"
               " ef_after, repetitions_after, interval_after, due_after FROM reviews")
        rows = self.conn.execute(sql + " WHERE card_id = ? ORDER BY id", (card_id,)) if card_id is not None \
            else self.conn.execute(sql + " ORDER BY id")
        return [_review(r) for r in rows]

    def graded_on(self, card_id: int, day: date) -> bool:
        """Whether the card already had its scheduling grade that day (later grades are re-drills)."""
        row = self.conn.execute(
            "SELECT 1 FROM reviews WHERE day = ? AND card_id = ? LIMIT 1", (day.isoformat(), card_id)
        ).fetchone()
        return row is not None

    def pending_redrills(self, day: date, deck: str | None = None) -> list[Card]:
        """Cards whose latest grade of the day was below 4: SM-2 brings them back until they reach 4."""
        clause, args = deck_clause(deck)
        rows = self.conn.execute(
            f"SELECT {CARD_COLUMNS} FROM {CARD_FROM} JOIN ("
            "  SELECT card_id, grade, MAX(id) AS last FROM reviews WHERE day = ? GROUP BY card_id"
            f") r ON r.card_id = c.id WHERE r.grade < 4 AND c.retired = 0 AND {clause} ORDER BY r.last",
            [day.isoformat(), *args],
        )
        return [card_from_row(r) for r in rows]

    def due_cards(self, day: date, limit: int, deck: str | None = None) -> list[Card]:
        """Reviews due by ``day``, most overdue first."""
        clause, args = deck_clause(deck)
        rows = self.conn.execute(
            f"SELECT {CARD_COLUMNS} FROM {CARD_FROM} WHERE c.retired = 0 AND c.due IS NOT NULL AND c.due <= ?"
            f" AND {clause} ORDER BY c.due, c.id LIMIT ?",
            [day.isoformat(), *args, limit],
        )
        return [card_from_row(r) for r in rows]

    def new_cards(self, limit: int, deck: str | None = None) -> list[Card]:
        """Never-seen cards in notes order (insertion order)."""
        clause, args = deck_clause(deck)
        rows = self.conn.execute(
            f"SELECT {CARD_COLUMNS} FROM {CARD_FROM} WHERE c.retired = 0 AND c.due IS NULL AND {clause}"
            " ORDER BY c.id LIMIT ?",
            [*args, limit],
        )
        return [card_from_row(r) for r in rows]

    def new_seen_on(self, day: date, deck: str | None = None) -> int:
        """How many new cards were introduced on ``day`` (counts against the daily ``--new``)."""
        clause, args = deck_clause(deck)
        row = self.conn.execute(
            f"SELECT COUNT(*) FROM reviews r JOIN cards c ON c.id = r.card_id WHERE r.day = ? AND r.redrill = 0"
            f" AND r.due_before IS NULL AND {clause}",
            [day.isoformat(), *args],
        ).fetchone()
        return row[0]

    def reviewed_on(self, day: date, deck: str | None = None) -> int:
        """How many due reviews (not new cards, not re-drills) were graded on ``day``: they count against ``--limit``."""
        clause, args = deck_clause(deck)
        row = self.conn.execute(
            f"SELECT COUNT(*) FROM reviews r JOIN cards c ON c.id = r.card_id WHERE r.day = ? AND r.redrill = 0"
            f" AND r.due_before IS NOT NULL AND {clause}",
            [day.isoformat(), *args],
        ).fetchone()
        return row[0]

    def count_due(self, day: date, deck: str | None = None) -> int:
        """Active cards due by ``day`` (overdue ones included): what a session on ``day`` would review."""
        clause, args = deck_clause(deck)
        row = self.conn.execute(
            f"SELECT COUNT(*) FROM cards c WHERE c.retired = 0 AND c.due IS NOT NULL AND c.due <= ? AND {clause}",
            [day.isoformat(), *args],
        ).fetchone()
        return row[0]

    def next_due(self, after: date, deck: str | None = None) -> date | None:
        clause, args = deck_clause(deck)
        row = self.conn.execute(
            f"SELECT MIN(c.due) FROM cards c WHERE c.retired = 0 AND c.due > ? AND {clause}",
            [after.isoformat(), *args],
        ).fetchone()
        return _day(row[0])

    # -- status ------------------------------------------------------------

    def deck_status(self, day: date, deck: str | None = None) -> list[DeckStatus]:
        """Counts per deck, each from an index alone (no per-row expressions): fast at 100,000 cards.

        Learned cards are the active ones neither new nor due.
        """
        clause, args = deck_clause(deck)
        today = day.isoformat()
        counts: dict[str, dict[str, int]] = {}

        def tally(name: str, sql: str, params: list) -> None:
            for deck_name, count in self.conn.execute(sql, params):
                counts.setdefault(deck_name, {})[name] = count

        for deck_name, retired, count in self.conn.execute(
                f"SELECT c.deck, c.retired, COUNT(*) FROM cards c WHERE {clause} GROUP BY c.deck, c.retired", args):
            counts.setdefault(deck_name, {})["retired" if retired else "total"] = count
        tally("new", "SELECT c.deck, COUNT(*) FROM cards c INDEXED BY cards_new WHERE c.retired = 0 AND c.due IS NULL"
              f" AND {clause} GROUP BY c.deck", args)
        tally("due", f"SELECT c.deck, COUNT(*) FROM cards c WHERE retired = 0 AND due <= ? AND {clause}"
              " GROUP BY c.deck", [today, *args])
        for card in self.pending_redrills(day, deck):
            counts[card.deck]["redrills"] = counts[card.deck].get("redrills", 0) + 1
        return [DeckStatus(deck=name, new=c.get("new", 0), due=c.get("due", 0), redrills=c.get("redrills", 0),
                           learned=c.get("total", 0) - c.get("new", 0) - c.get("due", 0), retired=c.get("retired", 0))
                for name, c in sorted(counts.items())]

    def forecast(self, day: date, days: int, deck: str | None = None) -> list[tuple[date, int]]:
        """Cards due on each of the next ``days`` days (overdue ones count for today, not here)."""
        clause, args = deck_clause(deck)
        end = day + timedelta(days=days)
        counts = dict(self.conn.execute(
            f"SELECT c.due, COUNT(*) FROM cards c WHERE c.retired = 0 AND c.due > ? AND c.due <= ? AND {clause}"
            " GROUP BY c.due", [day.isoformat(), end.isoformat(), *args],
        ).fetchall())
        return [(d, counts.get(d.isoformat(), 0)) for d in (day + timedelta(days=i) for i in range(1, days + 1))]

    # -- questions ---------------------------------------------------------

    def questions(self, *, paper: str | None = None, include_answered: bool = False,
                  where: str = "1", params: Iterable = ()) -> list[StoredQuestion]:
        sql = ("SELECT q.id, q.key, q.deck, q.paper, p.title, q.text, q.context, q.source, q.line, q.status, q.answer"
               " FROM questions q LEFT JOIN papers p ON p.arxiv_id = q.paper WHERE " + where)
        args = list(params)
        sql += " AND q.status IN ('open', 'answered')" if include_answered else " AND q.status = 'open'"
        if paper:
            sql += " AND q.paper = ?"
            args.append(paper)
        return [StoredQuestion(*r) for r in self.conn.execute(sql + " ORDER BY q.paper, q.source, q.line", args)]

    def question(self, question_id: int) -> StoredQuestion | None:
        found = self.questions(include_answered=True, where="q.id = ?", params=[question_id])
        return found[0] if found else None

    def questions_from_sources(self, sources: Iterable[str]) -> list[StoredQuestion]:
        result: list[StoredQuestion] = []
        for source in sources:
            result.extend(self.questions(include_answered=True, where="q.source = ?", params=[source]))
        return result

    def upsert_questions(self, rows: list[dict], now: datetime) -> None:
        stamp = now.isoformat(timespec="seconds")
        self.conn.executemany(
            "INSERT INTO questions (key, deck, paper, text, context, source, line, created_at)"
            " VALUES (:key, :deck, :paper, :text, :context, :source, :line, :now)"
            " ON CONFLICT (key) DO UPDATE SET deck = excluded.deck, paper = excluded.paper, text = excluded.text,"
            " context = excluded.context, source = excluded.source, line = excluded.line,"
            " status = CASE WHEN status = 'removed' THEN 'open' ELSE status END",
            [{**r, "now": stamp} for r in rows],
        )

    def set_question_status(self, ids: Iterable[int], status: str, answer: str | None = None) -> None:
        self.conn.executemany("UPDATE questions SET status = ?, answer = COALESCE(?, answer) WHERE id = ?",
                              [(status, answer, i) for i in ids])

    def open_questions(self, decks: Iterable[str] = ()) -> list[StoredQuestion]:
        """Open questions of the chosen decks (and subdecks), every deck if none is chosen."""
        clause, args = decks_clause(decks, "q.deck")
        return self.questions(where=clause, params=args)

    # -- export ------------------------------------------------------------

    def export_decks(self, decks: Iterable[str] = ()) -> list[tuple[str, int, int]]:
        """(deck, notes, cards) of live cards in the chosen decks, so an export knows its size up front."""
        clause, args = decks_clause(decks)
        return self.conn.execute(
            f"SELECT c.deck, COUNT(DISTINCT c.note_key), COUNT(*) FROM cards c WHERE c.retired = 0 AND {clause}"
            " GROUP BY c.deck ORDER BY c.deck", args).fetchall()

    def export_notes(self, deck: str) -> Iterator[ExportNote]:
        """One deck's notes with live cards (subdecks excluded), in notes order; streamed, so memory stays flat.

        Grouped by note with ``MIN(c.ord)``, so the other columns come from the note's first card.
        """
        cursor = self.conn.execute(
            "SELECT c.note_key, c.deck, c.kind, c.front, c.back, c.context, c.tags, c.source, c.line, c.paper,"
            " e.content_hash, e.mod, group_concat(c.ord), MIN(c.ord) FROM cards c"
            " LEFT JOIN exported_notes e ON e.note_key = c.note_key WHERE c.deck = ? AND c.retired = 0"
            " GROUP BY c.note_key ORDER BY c.id", (deck,))
        return (ExportNote._make(row[:-1]) for row in cursor)

    def paper_titles(self) -> dict[str, str]:
        """Titles of fetched papers by arXiv id: few, so export looks them up instead of joining per card."""
        return dict(self.conn.execute("SELECT arxiv_id, title FROM papers"))

    def record_export(self, notes: Iterable[tuple[str, str, int]]) -> None:
        """Remember (note key, content hash, modification time) of notes whose export changed them."""
        with self.transaction():
            self.conn.executemany(
                "INSERT INTO exported_notes (note_key, content_hash, mod) VALUES (?, ?, ?)"
                " ON CONFLICT (note_key) DO UPDATE SET content_hash = excluded.content_hash, mod = excluded.mod",
                notes)

    # -- papers ------------------------------------------------------------

    def save_paper(self, paper: Paper, source_dir: str | None, now: datetime) -> None:
        self.conn.execute(
            "INSERT INTO papers (arxiv_id, version, title, authors, abstract, published, updated, categories, doi,"
            " journal_ref, comment, pdf_url, code_links, source_dir, fetched_at)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
            " ON CONFLICT (arxiv_id) DO UPDATE SET version = excluded.version, title = excluded.title,"
            " authors = excluded.authors, abstract = excluded.abstract, published = excluded.published,"
            " updated = excluded.updated, categories = excluded.categories, doi = excluded.doi,"
            " journal_ref = excluded.journal_ref, comment = excluded.comment, pdf_url = excluded.pdf_url,"
            " code_links = excluded.code_links, source_dir = excluded.source_dir, fetched_at = excluded.fetched_at",
            (paper.arxiv_id, paper.version, paper.title, json.dumps(list(paper.authors)), paper.abstract,
             paper.published, paper.updated, json.dumps(list(paper.categories)), paper.doi, paper.journal_ref,
             paper.comment, paper.pdf_url, json.dumps(list(paper.code_links)), source_dir,
             now.isoformat(timespec="seconds")),
        )

    def get_paper(self, arxiv_id: str) -> Paper | None:
        row = self.conn.execute(
            "SELECT arxiv_id, version, title, authors, abstract, published, updated, categories, doi, journal_ref,"
            " comment, pdf_url, code_links FROM papers WHERE arxiv_id = ?", (arxiv_id,)
        ).fetchone()
        if row is None:
            return None
        return Paper(arxiv_id=row[0], version=row[1], title=row[2], authors=tuple(json.loads(row[3])),
                     abstract=row[4], published=row[5], updated=row[6], categories=tuple(json.loads(row[7])),
                     doi=row[8], journal_ref=row[9], comment=row[10], pdf_url=row[11],
                     code_links=tuple(json.loads(row[12])))

    def paper_source(self, arxiv_id: str) -> Path | None:
        row = self.conn.execute("SELECT source_dir FROM papers WHERE arxiv_id = ?", (arxiv_id,)).fetchone()
        return Path(row[0]) if row and row[0] else None

    def save_equations(self, arxiv_id: str, equations: Iterable[Equation]) -> None:
        self.conn.execute("DELETE FROM equations WHERE paper_id = ?", (arxiv_id,))
        self.conn.executemany(
            "INSERT INTO equations (paper_id, seq, number, label, section, intro, where_clause, file, line,"
            " environment, latex, symbols, pretty) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [(arxiv_id, i, e.number, e.label, e.section, e.intro, e.where, e.file, e.line, e.environment, e.latex,
              json.dumps(list(e.symbols)), e.pretty) for i, e in enumerate(equations)],
        )

    def equations(self, arxiv_id: str) -> list[Equation]:
        rows = self.conn.execute(
            "SELECT latex, file, line, environment, number, label, section, intro, where_clause, symbols, pretty"
            " FROM equations WHERE paper_id = ? ORDER BY seq", (arxiv_id,))
        return [Equation(latex=r[0], file=r[1], line=r[2], environment=r[3], number=r[4], label=r[5], section=r[6],
                         intro=r[7], where=r[8], symbols=tuple(json.loads(r[9])), pretty=r[10]) for r in rows]

    def list_papers(self) -> list[dict]:
        rows = self.conn.execute(
            "SELECT p.arxiv_id, p.version, p.title, p.authors, p.source_dir, p.code_links, p.fetched_at,"
            " (SELECT COUNT(*) FROM equations e WHERE e.paper_id = p.arxiv_id),"
            " (SELECT COUNT(*) FROM cards c WHERE c.paper = p.arxiv_id AND c.retired = 0)"
            " FROM papers p ORDER BY p.fetched_at, p.arxiv_id")
        return [
            {"id": r[0], "version": r[1], "title": r[2], "authors": json.loads(r[3]),
             "source_cached": bool(r[4]) and Path(r[4]).is_dir(), "code_links": json.loads(r[5]),
             "fetched_at": r[6], "equations": r[7], "cards": r[8]}
            for r in rows
        ]


def _review(row: tuple) -> Review:
    return Review(
        id=row[0], card_id=row[1], day=date.fromisoformat(row[2]), grade=row[3], redrill=bool(row[4]),
        before=CardState(row[5], row[6], row[7], _day(row[8])), after=CardState(row[9], row[10], row[11], _day(row[12])),
    )


def busy_error(exc: sqlite3.OperationalError) -> StudycardsError:
    if "locked" in str(exc) or "busy" in str(exc):
        return BusyError("the collection is busy: another studycards is writing to it; try again in a moment")
    return StudycardsError(f"database error: {exc}")


def database_error(exc: sqlite3.DatabaseError, home: Path) -> StudycardsError:
    """What the user reads when SQLite fails after the database opened: it is busy, or it is damaged."""
    message = str(exc)
    if "malformed" in message or "not a database" in message:
        return StudycardsError(f"{home / DB_NAME} is damaged ({message}): restore it from a backup, or move it away"
                               " and add your notes again (they hold every card; the review history is in the database)")
    return busy_error(exc)


def _use_wal(conn: sqlite3.Connection) -> None:
    """Switch a new database to WAL; SQLite refuses at once (no busy wait) while another first use does the same."""
    deadline = time.monotonic() + BUSY_TIMEOUT_MS / 1000
    while conn.execute("PRAGMA journal_mode").fetchone()[0] != "wal":
        try:
            conn.execute("PRAGMA journal_mode = WAL")
        except sqlite3.OperationalError as exc:
            if "locked" not in str(exc) or time.monotonic() > deadline:
                raise
            time.sleep(0.01)


def collection_status(home: Path, day: date, deck: str | None = None,
                      days: int = 7) -> tuple[list[DeckStatus], list[tuple[date, int]]]:
    """Counts per deck and the next days' forecast; a home with no database yet simply has no cards."""
    if not (home / DB_NAME).exists():
        return [], [(day + timedelta(days=i), 0) for i in range(1, days + 1)]
    with open_store(home) as store:
        return store.deck_status(day, deck), store.forecast(day, days, deck)


def open_store(home: Path, create: bool = True) -> Store:
    """Open (creating on first use) the home's database and migrate it forward.

    With ``create=False`` a home without a database reads as an empty one and is
    left untouched, so looking at a fresh home writes nothing.
    """
    path = home / DB_NAME
    if not create and not path.exists():
        conn = sqlite3.connect(":memory:", isolation_level=None)
        migrate(conn)
        return Store(conn, path)
    try:
        home.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise StudycardsError(f"cannot create the studycards home {home}: {exc.strerror}") from None
    conn: sqlite3.Connection | None = None
    try:
        conn = sqlite3.connect(path, isolation_level=None, timeout=BUSY_TIMEOUT_MS / 1000)
        conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        check_version(conn)  # before anything writes: a newer studycards' database stays exactly as it was
        _use_wal(conn)
        conn.execute("PRAGMA synchronous = NORMAL")
        conn.execute("PRAGMA foreign_keys = ON")
        migrate(conn)
    except BaseException as exc:
        if conn is not None:
            conn.close()
        if not isinstance(exc, sqlite3.DatabaseError):
            raise
        message = str(exc)
        if "not a database" in message or "malformed" in message:
            raise StudycardsError(f"{path} is damaged or not a studycards database ({message})") from None
        if "readonly" in message or "unable to open" in message:
            raise StudycardsError(f"cannot write to {path}: {message}; check the folder's permissions") from None
        raise busy_error(exc) from None
    return Store(conn, path)

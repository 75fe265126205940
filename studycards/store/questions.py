"""Open research questions noted while reading: kept by identity, answered or removed, never deleted."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable
from datetime import datetime
from typing import NamedTuple

from studycards.models import Question
from studycards.store.sql import decks_clause


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


class Questions:
    """The questions of one store; reached as ``store.questions``."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self._conn = conn

    def select(self, *, paper: str | None = None, include_answered: bool = False) -> list[StoredQuestion]:
        """Open questions (and answered ones if asked), by paper and then by place in the notes."""
        return self._select(paper=paper, include_answered=include_answered)

    def get(self, question_id: int) -> StoredQuestion | None:
        found = self._select("q.id = ?", [question_id], include_answered=True)
        return found[0] if found else None

    def from_sources(self, sources: Iterable[str]) -> list[StoredQuestion]:
        """The questions last seen in these notes files, so an ``add`` can tell which are gone."""
        result: list[StoredQuestion] = []
        for source in sources:
            result.extend(self._select("q.source = ?", [source], include_answered=True))
        return result

    def open(self, decks: Iterable[str] = ()) -> list[StoredQuestion]:
        """Open questions of the chosen decks (and subdecks), every deck if none is chosen."""
        clause, args = decks_clause(decks, "q.deck")
        return self._select(clause, args)

    def upsert(self, questions: Iterable[Question], now: datetime) -> None:
        """Store the questions as the notes say them; a removed question that is back is open again."""
        stamp = now.isoformat(timespec="seconds")
        self._conn.executemany(
            "INSERT INTO questions (key, deck, paper, text, context, source, line, created_at)"
            " VALUES (:key, :deck, :paper, :text, :context, :source, :line, :now)"
            " ON CONFLICT (key) DO UPDATE SET deck = excluded.deck, paper = excluded.paper, text = excluded.text,"
            " context = excluded.context, source = excluded.source, line = excluded.line,"
            " status = CASE WHEN status = 'removed' THEN 'open' ELSE status END",
            [{**q._asdict(), "key": q.key, "now": stamp} for q in questions],
        )

    def move(self, moves: Iterable[tuple[int, str, str]]) -> None:
        """Give questions (by id) the key and deck of the deck they moved to, keeping status and answer."""
        self._conn.executemany("UPDATE questions SET key = ?, deck = ? WHERE id = ?", [(k, d, i) for i, k, d in moves])

    def answered(self, question_id: int, answer: str) -> None:
        self._set_status([question_id], "answered", answer)

    def remove(self, ids: Iterable[int]) -> None:
        """Gone from the notes: kept (with any answer) but no longer listed."""
        self._set_status(ids, "removed")

    def _set_status(self, ids: Iterable[int], status: str, answer: str | None = None) -> None:
        self._conn.executemany(
            "UPDATE questions SET status = ?, answer = COALESCE(?, answer) WHERE id = ?",
            [(status, answer, i) for i in ids],
        )

    def _select(
        self,
        where: str = "1",
        params: Iterable[object] = (),
        *,
        paper: str | None = None,
        include_answered: bool = False,
    ) -> list[StoredQuestion]:
        sql = (
            "SELECT q.id, q.key, q.deck, q.paper, p.title, q.text, q.context, q.source, q.line, q.status, q.answer"
            " FROM questions q LEFT JOIN papers p ON p.arxiv_id = q.paper WHERE " + where
        )
        args = list(params)
        sql += " AND q.status IN ('open', 'answered')" if include_answered else " AND q.status = 'open'"
        if paper:
            sql += " AND q.paper = ?"
            args.append(paper)
        return [StoredQuestion(*r) for r in self._conn.execute(sql + " ORDER BY q.paper, q.source, q.line", args)]

"""The store's queries about papers, their equations, open questions and Anki export bookkeeping.

Kept apart from ``store`` (cards, reviews, status) so each stays readable; ``Store``
inherits these methods, so callers see one store.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable, Iterator
from datetime import datetime
from pathlib import Path
from typing import NamedTuple

from studycards.models import Equation, Paper
from studycards.store.sql import decks_clause


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


class LibraryQueries:
    """Mixed into ``Store``: needs only ``self.conn``."""

    conn: sqlite3.Connection

    def questions(
        self, *, paper: str | None = None, include_answered: bool = False, where: str = "1", params: Iterable = ()
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
        self.conn.executemany(
            "UPDATE questions SET status = ?, answer = COALESCE(?, answer) WHERE id = ?",
            [(status, answer, i) for i in ids],
        )

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
            " GROUP BY c.deck ORDER BY c.deck",
            args,
        ).fetchall()

    def export_notes(self, deck: str) -> Iterator[ExportNote]:
        """One deck's notes with live cards (subdecks excluded), in notes order; streamed, so memory stays flat.

        Grouped by note with ``MIN(c.ord)``, so the other columns come from the note's first card.
        """
        cursor = self.conn.execute(
            "SELECT c.note_key, c.deck, c.kind, c.front, c.back, c.context, c.tags, c.source, c.line, c.paper,"
            " e.content_hash, e.mod, group_concat(c.ord), MIN(c.ord) FROM cards c"
            " LEFT JOIN exported_notes e ON e.note_key = c.note_key WHERE c.deck = ? AND c.retired = 0"
            " GROUP BY c.note_key ORDER BY c.id",
            (deck,),
        )
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
                notes,
            )

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
            (
                paper.arxiv_id,
                paper.version,
                paper.title,
                json.dumps(list(paper.authors)),
                paper.abstract,
                paper.published,
                paper.updated,
                json.dumps(list(paper.categories)),
                paper.doi,
                paper.journal_ref,
                paper.comment,
                paper.pdf_url,
                json.dumps(list(paper.code_links)),
                source_dir,
                now.isoformat(timespec="seconds"),
            ),
        )

    def get_paper(self, arxiv_id: str) -> Paper | None:
        row = self.conn.execute(
            "SELECT arxiv_id, version, title, authors, abstract, published, updated, categories, doi, journal_ref,"
            " comment, pdf_url, code_links FROM papers WHERE arxiv_id = ?",
            (arxiv_id,),
        ).fetchone()
        if row is None:
            return None
        return Paper(
            arxiv_id=row[0],
            version=row[1],
            title=row[2],
            authors=tuple(json.loads(row[3])),
            abstract=row[4],
            published=row[5],
            updated=row[6],
            categories=tuple(json.loads(row[7])),
            doi=row[8],
            journal_ref=row[9],
            comment=row[10],
            pdf_url=row[11],
            code_links=tuple(json.loads(row[12])),
        )

    def paper_source(self, arxiv_id: str) -> Path | None:
        row = self.conn.execute("SELECT source_dir FROM papers WHERE arxiv_id = ?", (arxiv_id,)).fetchone()
        return Path(row[0]) if row and row[0] else None

    def save_equations(self, arxiv_id: str, equations: Iterable[Equation]) -> None:
        self.conn.execute("DELETE FROM equations WHERE paper_id = ?", (arxiv_id,))
        self.conn.executemany(
            "INSERT INTO equations (paper_id, seq, number, label, section, intro, where_clause, file, line,"
            " environment, latex, symbols, pretty) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [
                (
                    arxiv_id,
                    i,
                    e.number,
                    e.label,
                    e.section,
                    e.intro,
                    e.where,
                    e.file,
                    e.line,
                    e.environment,
                    e.latex,
                    json.dumps(list(e.symbols)),
                    e.pretty,
                )
                for i, e in enumerate(equations)
            ],
        )

    def equations(self, arxiv_id: str) -> list[Equation]:
        rows = self.conn.execute(
            "SELECT latex, file, line, environment, number, label, section, intro, where_clause, symbols, pretty"
            " FROM equations WHERE paper_id = ? ORDER BY seq",
            (arxiv_id,),
        )
        return [
            Equation(
                latex=r[0],
                file=r[1],
                line=r[2],
                environment=r[3],
                number=r[4],
                label=r[5],
                section=r[6],
                intro=r[7],
                where=r[8],
                symbols=tuple(json.loads(r[9])),
                pretty=r[10],
            )
            for r in rows
        ]

    def list_papers(self) -> list[dict]:
        rows = self.conn.execute(
            "SELECT p.arxiv_id, p.version, p.title, p.authors, p.source_dir, p.code_links, p.fetched_at,"
            " (SELECT COUNT(*) FROM equations e WHERE e.paper_id = p.arxiv_id),"
            " (SELECT COUNT(*) FROM cards c WHERE c.paper = p.arxiv_id AND c.retired = 0)"
            " FROM papers p ORDER BY p.fetched_at, p.arxiv_id"
        )
        return [
            {
                "id": r[0],
                "version": r[1],
                "title": r[2],
                "authors": json.loads(r[3]),
                "source_cached": bool(r[4]) and Path(r[4]).is_dir(),
                "code_links": json.loads(r[5]),
                "fetched_at": r[6],
                "equations": r[7],
                "cards": r[8],
            }
            for r in rows
        ]

"""Fetched papers and their equations: what ``fetch`` stored, for ``papers``, ``equations`` and export."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable
from datetime import date, datetime
from pathlib import Path
from typing import NamedTuple

from studycards.models import Equation, Paper


class PaperSummary(NamedTuple):
    """One line of ``studycards papers``: the paper, whether its source is still cached, what came of it."""

    id: str
    version: int | None
    title: str
    authors: tuple[str, ...]
    source_cached: bool
    code_links: tuple[str, ...]
    fetched_at: str
    equations: int
    cards: int
    learned: int = 0
    due: int = 0
    new: int = 0
    questions: int = 0
    last_reviewed: str | None = None


class Papers:
    """The papers of one store; reached as ``store.papers``."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self._conn = conn

    def save(self, paper: Paper, source_dir: str | None, now: datetime) -> None:
        self._conn.execute(
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

    def get(self, arxiv_id: str) -> Paper | None:
        row = self._conn.execute(
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

    def source(self, arxiv_id: str) -> Path | None:
        row = self._conn.execute("SELECT source_dir FROM papers WHERE arxiv_id = ?", (arxiv_id,)).fetchone()
        return Path(row[0]) if row and row[0] else None

    def save_equations(self, arxiv_id: str, equations: Iterable[Equation]) -> None:
        self._conn.execute("DELETE FROM equations WHERE paper_id = ?", (arxiv_id,))
        self._conn.executemany(
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
        rows = self._conn.execute(
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

    def titles(self) -> dict[str, str]:
        """Titles by arXiv id: few, so export looks them up instead of joining per card."""
        return dict(self._conn.execute("SELECT arxiv_id, title FROM papers"))

    def summaries(self, day: date) -> list[PaperSummary]:
        """Every fetched paper, oldest fetch first, with where its cards stand on ``day`` and its last review."""
        today = day.isoformat()
        rows = self._conn.execute(
            "SELECT p.arxiv_id, p.version, p.title, p.authors, p.source_dir, p.code_links, p.fetched_at,"
            " (SELECT COUNT(*) FROM equations e WHERE e.paper_id = p.arxiv_id),"
            " c.cards, c.learned, c.due, c.new,"
            " (SELECT COUNT(*) FROM questions q WHERE q.paper = p.arxiv_id AND q.status = 'open'),"
            " (SELECT MAX(r.day) FROM reviews r JOIN cards k ON k.id = r.card_id WHERE k.paper = p.arxiv_id)"
            " FROM papers p LEFT JOIN (SELECT paper, COUNT(*) AS cards, SUM(due IS NOT NULL) AS learned,"
            "  SUM(suspended = 0 AND due <= ? AND (buried_until IS NULL OR buried_until <= ?)) AS due,"
            "  SUM(suspended = 0 AND due IS NULL) AS new FROM cards WHERE retired = 0 GROUP BY paper"
            " ) c ON c.paper = p.arxiv_id ORDER BY p.fetched_at, p.arxiv_id",
            (today, today),
        )
        return [
            PaperSummary(
                id=r[0],
                version=r[1],
                title=r[2],
                authors=tuple(json.loads(r[3])),
                source_cached=bool(r[4]) and Path(r[4]).is_dir(),
                code_links=tuple(json.loads(r[5])),
                fetched_at=r[6],
                equations=r[7],
                cards=r[8] or 0,
                learned=r[9] or 0,
                due=r[10] or 0,
                new=r[11] or 0,
                questions=r[12],
                last_reviewed=r[13],
            )
            for r in rows
        ]

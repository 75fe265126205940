"""Full-text search over cards, open questions, papers and equations (FTS5, kept current by triggers).

The index itself is built and maintained in SQL (migration m006), so this module only asks it.
Hits come ranked by bm25, a hit's naming words (a front, a question, a title, an equation's
sentence) weighing twice its other text.  Queries with CJK go to the trigram index, since CJK
writes words without spaces between them.
"""

from __future__ import annotations

import re
import sqlite3
from typing import TYPE_CHECKING, NamedTuple

from studycards.errors import StudycardsError
from studycards.store.search_schema import HOLDS_CJK
from studycards.store.sql import deck_clause

if TYPE_CHECKING:
    from studycards.store.database import Store

KINDS = ("card", "question", "paper", "equation")
MARK_START, MARK_END = "\x02", "\x03"  # around matched words in a snippet; the CLI makes them bold or brackets
_SNIPPET_WORDS = 12
_HYPHENATED = re.compile(r'"[^"]*"?|\w+(?:-\w+)+\*?')  # self-attention is a phrase, not a column filter


class SearchHit(NamedTuple):
    """One ranked hit; ``score`` is bm25's relevance made positive (higher is better)."""

    kind: str
    id: int | str
    deck: str | None
    paper: str | None
    text: str
    snippet: str
    score: float


def search(
    store: Store,
    query: str,
    *,
    deck: str | None = None,
    paper: str | None = None,
    kind: str | None = None,
    limit: int = 20,
) -> list[SearchHit]:
    """The best ``limit`` hits for an FTS5 query (phrases, ``atten*``, AND/OR/NOT), best first.

    A query FTS5 cannot read is one clear error, with the hint that quotes search words as written.
    Cards an ``add`` left to be indexed in the background are indexed first: no search misses one.
    """
    if not query.strip():
        raise StudycardsError("nothing to search for: give a word, a phrase in quotes, or a prefix such as atten*")
    where, args = _filters(deck, paper, kind)
    store.search_backlog.catch_up(store.transaction)
    conn = store.conn
    query = _HYPHENATED.sub(_as_phrase, query)
    try:
        if HOLDS_CJK.search(query):
            return _search_cjk(conn, query, where, args, limit)
        rows = conn.execute(
            f"SELECT kind, ref, deck, paper, head,"
            f" snippet(search_index, -1, '{MARK_START}', '{MARK_END}', '…', {_SNIPPET_WORDS}),"
            f" bm25(search_index, 0, 0, 0, 0, 2.0, 1.0) AS score"
            f" FROM search_index WHERE search_index MATCH ? AND {where} ORDER BY score, rowid LIMIT ?",
            [query, *args, limit],
        ).fetchall()
    except sqlite3.OperationalError as exc:
        raise _query_error(query, exc) from None
    return [_hit(row) for row in rows]


def _as_phrase(match: re.Match[str]) -> str:
    text = match.group(0)
    if text.startswith('"'):
        return text
    return f'"{text[:-1]}"*' if text.endswith("*") else f'"{text}"'


def _filters(deck: str | None, paper: str | None, kind: str | None) -> tuple[str, list[object]]:
    clause, args = deck_clause(deck, "search_index.deck")
    clauses: list[str] = [clause]
    params: list[object] = list(args)
    if paper:
        clauses.append("search_index.paper = ?")
        params.append(paper)
    if kind:
        if kind not in KINDS:
            raise StudycardsError(f"no kind {kind!r} to search: choose {', '.join(KINDS)}")
        clauses.append("search_index.kind = ?")
        params.append(kind)
    return " AND ".join(clauses), params


def _search_cjk(conn: sqlite3.Connection, query: str, where: str, args: list[object], limit: int) -> list[SearchHit]:
    """Trigram search: each word (or quoted phrase) must appear as written; ranked by bm25 when every
    word is long enough for trigrams, else (a two-character word) by a substring scan of the CJK rows."""
    terms = [a or b for a, b in re.findall(r'"([^"]*)"|(\S+)', query) if (a or b)]
    short = any(len(term) < 3 for term in terms)
    if short:
        match = " AND ".join("(c.head || ' ' || c.body) LIKE ? ESCAPE '\\'" for _ in terms)
        params: list[object] = [f"%{_like(term)}%" for term in terms]
        rank = "0"
    else:
        match = "search_cjk MATCH ?"
        params = [" AND ".join('"' + term.replace('"', '""') + '"' for term in terms)]
        rank = "bm25(search_cjk, 2.0, 1.0)"
    rows = conn.execute(
        f"SELECT search_index.kind, search_index.ref, search_index.deck, search_index.paper, search_index.head,"
        f" c.head || ' ' || c.body, {rank} AS score FROM search_cjk c JOIN search_index"
        f" ON search_index.rowid = c.rowid WHERE {match} AND {where} ORDER BY score, c.rowid LIMIT ?",
        [*params, *args, limit],
    ).fetchall()
    return [_hit((*row[:5], _mark(row[5], terms), row[6])) for row in rows]


def _like(term: str) -> str:
    return term.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _mark(text: str, terms: list[str]) -> str:
    """A snippet around the first matched term, every term marked, as FTS5's ``snippet`` would give."""
    text = " ".join(text.split())
    positions = [text.find(term) for term in terms if term in text]
    start = max(0, min(positions, default=0) - 20)
    piece = ("…" if start else "") + text[start : start + 80] + ("…" if start + 80 < len(text) else "")
    for term in sorted(set(terms), key=len, reverse=True):
        piece = piece.replace(term, f"{MARK_START}{term}{MARK_END}")
    return piece


def _hit(row: tuple) -> SearchHit:
    kind, ref, deck, paper, head, snippet, score = row
    ident: int | str = int(ref) if kind in ("card", "question") else ref
    return SearchHit(kind, ident, deck, paper, " ".join(head.split()), " ".join(snippet.split()), round(-score, 4))


def _query_error(query: str, exc: sqlite3.OperationalError) -> StudycardsError:
    message = str(exc).removeprefix("fts5: ")
    if "no such column" in message and ":" in query:
        message = f"{message} (a word before ':' names a column)"
    return StudycardsError(
        f"cannot read the search {query!r}: {message}; put words in double quotes to search for them as written"
    )

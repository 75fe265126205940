"""The search index's schema: what each searchable table gives it, and the triggers that keep it current.

Kept apart from ``migrations`` (which builds it once, in ``m006_search``) so that file stays a list of
migrations; never change what a released migration built here: add a migration.
"""

from __future__ import annotations

import re

# What each searchable table gives the index: its kind, the row's key, deck, paper, the words a
# hit is named by (head), the rest (body), when a row is searchable, and the columns that change it.
SEARCHED = {
    "cards": (
        "card",
        "CAST({r}.id AS TEXT)",
        "{r}.deck",
        "{r}.paper",
        "{r}.front",
        "{r}.back || ' ' || {r}.context",
        "{r}.retired = 0",
        "key, deck, paper, front, back, context, retired",
    ),
    "questions": (
        "question",
        "CAST({r}.id AS TEXT)",
        "{r}.deck",
        "{r}.paper",
        "{r}.text",
        "{r}.context || ' ' || COALESCE({r}.answer, '')",
        "{r}.status <> 'removed'",
        "deck, paper, text, context, status, answer",
    ),
    "papers": (
        "paper",
        "{r}.arxiv_id",
        "NULL",
        "{r}.arxiv_id",
        "{r}.title",
        "{r}.abstract || ' ' || {r}.authors",
        "1",
        "title, abstract, authors",
    ),
    "equations": (
        "equation",
        "{r}.paper_id || '#' || ({r}.seq + 1)",
        "NULL",
        "{r}.paper_id",
        "{r}.intro || ' ' || {r}.section",
        "{r}.latex || ' ' || {r}.where_clause",
        "1",
        "number, section, intro, where_clause, latex",
    ),
}
# The scripts written without spaces between words, which the trigram index (``search_cjk``) is for.
CJK_CHARACTERS = "\u3040-\u30ff\u3400-\u9fff\uac00-\ud7af\uf900-\ufaff"
HOLDS_CJK: re.Pattern[str]  # compiled when first asked for (``__getattr__``)
_CJK = f"'*[{CJK_CHARACTERS}]*'"


def __getattr__(name: str) -> object:
    """``HOLDS_CJK`` is compiled when first used: its wide ranges take 1.5 ms to compile, and every command
    that opens the store imports this module (through ``migrations``), review and status among them."""
    if name == "HOLDS_CJK":
        global HOLDS_CJK
        HOLDS_CJK = re.compile(f"[{CJK_CHARACTERS}]")
        return HOLDS_CJK
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def _search_parts(table: str, row: str) -> dict[str, str]:
    kind, ref, deck, paper, head, body, searchable, _ = SEARCHED[table]
    parts = dict(ref=ref, deck=deck, paper=paper, head=head, body=body, ok=searchable)
    return {"kind": f"'{kind}'", **{name: part.format(r=row) for name, part in parts.items()}}


def search_fill(table: str, row: str, source: str, narrower: str = "") -> list[str]:
    """Statements indexing the searchable rows of ``source`` (``NEW`` in a trigger, the table itself at first).

    ``narrower`` (`` AND …``) keeps only some of the table's rows.
    """
    p = _search_parts(table, row)
    p["ok"] += narrower
    own = f"s.kind = {p['kind']} AND s.ref = {p['ref']} AND {p['ok']}"
    return [
        f"INSERT OR IGNORE INTO search_rows (kind, ref) SELECT {p['kind']}, {p['ref']} {source} WHERE {p['ok']}",
        f"INSERT INTO search_index (rowid, kind, ref, deck, paper, head, body) SELECT s.id, s.kind, s.ref,"
        f" {p['deck']}, {p['paper']}, {p['head']}, {p['body']} FROM search_rows s {source.replace('FROM', ',')}"
        f" WHERE {own}",
        f"INSERT INTO search_cjk (rowid, head, body) SELECT s.id, {p['head']}, {p['body']} FROM search_rows s"
        f" {source.replace('FROM', ',')} WHERE {own} AND ({p['head']} || ' ' || {p['body']}) GLOB {_CJK}",
    ]


def search_triggers(table: str) -> list[str]:
    """Insert, update and delete triggers that keep both search indexes in step with ``table``."""
    p = _search_parts(table, "old")
    row = f"(SELECT id FROM search_rows WHERE kind = {p['kind']} AND ref = {p['ref']})"
    drop = (
        f"DELETE FROM search_index WHERE rowid = {row}; DELETE FROM search_cjk WHERE rowid = {row};"
        f" DELETE FROM search_rows WHERE kind = {p['kind']} AND ref = {p['ref']};"
    )
    add = " ".join(statement + ";" for statement in search_fill(table, "new", ""))
    columns = SEARCHED[table][-1]
    return [
        f"CREATE TRIGGER search_{table}_insert AFTER INSERT ON {table} BEGIN {add} END",
        f"CREATE TRIGGER search_{table}_update AFTER UPDATE OF {columns} ON {table} BEGIN {drop} {add} END",
        f"CREATE TRIGGER search_{table}_delete AFTER DELETE ON {table} BEGIN {drop} END",
    ]


def cards_insert_trigger() -> str:
    """The cards' insert trigger, idle while ``search_paused`` holds a row (see ``index_cards_after``)."""
    add = " ".join(statement + ";" for statement in search_fill("cards", "new", ""))
    return (
        "CREATE TRIGGER search_cards_insert AFTER INSERT ON cards"
        f" WHEN NOT EXISTS (SELECT 1 FROM search_paused) BEGIN {add} END"
    )


def index_cards(cjk: bool = True) -> list[str]:
    """Statements indexing, all at once, the cards with ids from ``:first`` to ``:last`` that are not indexed yet.

    A trigger run per row cost half the time of writing 10,000 new cards; one statement per
    index does the same work about three times faster.  A card of the range already indexed (its
    update trigger indexed it when it was edited or restored before the range was) keeps its rows:
    only the ``search_rows`` made here, above ``:before`` (their highest id before), are indexed.
    ``cjk=False`` (the cards' text holds no ``HOLDS_CJK`` character) leaves out the trigram index's
    statement, which would index none of them: its GLOB, one pattern per card, was half the indexing.
    """
    rows, words, trigrams = search_fill("cards", "t", "FROM cards t", " AND t.id BETWEEN :first AND :last")
    statements = [rows, words + " AND s.id > :before", trigrams + " AND s.id > :before"]
    return statements if cjk else statements[:-1]

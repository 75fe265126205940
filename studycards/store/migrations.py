"""The schema as an ordered list of migrations, tracked by ``PRAGMA user_version``.

Each migration runs in its own explicit transaction: Python's sqlite3 does not
roll back DDL inside ``with conn:``.  Never edit a released migration; append.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable

from studycards.errors import StudycardsError

MIGRATIONS: list[Callable[[sqlite3.Connection], None]] = []
migration = MIGRATIONS.append


def run_statements(conn: sqlite3.Connection, script: str) -> None:
    """Run a schema script statement by statement: ``executescript`` would commit mid-migration."""
    for statement in script.split(";"):
        if statement.strip():
            conn.execute(statement)


@migration
def m001_initial(conn: sqlite3.Connection) -> None:
    run_statements(
        conn,
        """
        CREATE TABLE papers (
            arxiv_id TEXT PRIMARY KEY,
            version INTEGER,
            title TEXT NOT NULL,
            authors TEXT NOT NULL,
            abstract TEXT NOT NULL,
            published TEXT NOT NULL,
            updated TEXT NOT NULL,
            categories TEXT NOT NULL,
            doi TEXT,
            journal_ref TEXT,
            comment TEXT,
            pdf_url TEXT,
            code_links TEXT NOT NULL,
            source_dir TEXT,
            fetched_at TEXT NOT NULL
        ) STRICT;
        CREATE TABLE equations (
            paper_id TEXT NOT NULL REFERENCES papers(arxiv_id) ON DELETE CASCADE,
            seq INTEGER NOT NULL,
            number TEXT,
            label TEXT,
            section TEXT NOT NULL,
            intro TEXT NOT NULL,
            where_clause TEXT NOT NULL,
            file TEXT NOT NULL,
            line INTEGER NOT NULL,
            environment TEXT NOT NULL,
            latex TEXT NOT NULL,
            symbols TEXT NOT NULL,
            pretty TEXT,
            PRIMARY KEY (paper_id, seq)
        ) STRICT;
        CREATE TABLE files (
            path TEXT PRIMARY KEY,
            sha256 TEXT NOT NULL,
            deck_option TEXT NOT NULL DEFAULT '',
            added_at TEXT NOT NULL
        ) STRICT;
        CREATE TABLE cards (
            id INTEGER PRIMARY KEY,
            key TEXT NOT NULL UNIQUE,
            note_key TEXT NOT NULL,
            deck TEXT NOT NULL,
            kind TEXT NOT NULL,
            ord INTEGER NOT NULL,
            front TEXT NOT NULL,
            back TEXT NOT NULL,
            context TEXT NOT NULL,
            tags TEXT NOT NULL,
            source TEXT NOT NULL,
            line INTEGER NOT NULL,
            paper TEXT,
            front_text TEXT NOT NULL,
            back_text TEXT NOT NULL,
            retired INTEGER NOT NULL DEFAULT 0,
            ef INTEGER NOT NULL DEFAULT 250,
            repetitions INTEGER NOT NULL DEFAULT 0,
            interval INTEGER NOT NULL DEFAULT 0,
            due TEXT,
            created_at TEXT NOT NULL,
            updated_at TEXT NOT NULL
        ) STRICT;
        CREATE INDEX cards_deck_due ON cards (deck, retired, due);
        CREATE INDEX cards_due ON cards (retired, due);
        CREATE INDEX cards_source ON cards (source);
        CREATE INDEX cards_note ON cards (note_key);
        CREATE TABLE reviews (
            id INTEGER PRIMARY KEY,
            card_id INTEGER NOT NULL REFERENCES cards(id),
            reviewed_at TEXT NOT NULL,
            day TEXT NOT NULL,
            grade INTEGER NOT NULL CHECK (grade BETWEEN 0 AND 5),
            redrill INTEGER NOT NULL,
            answer_ms INTEGER NOT NULL,
            ef_before INTEGER NOT NULL,
            repetitions_before INTEGER NOT NULL,
            interval_before INTEGER NOT NULL,
            due_before TEXT,
            ef_after INTEGER NOT NULL,
            repetitions_after INTEGER NOT NULL,
            interval_after INTEGER NOT NULL,
            due_after TEXT
        ) STRICT;
        CREATE INDEX reviews_day ON reviews (day, card_id);
        CREATE INDEX reviews_card ON reviews (card_id);
        CREATE TABLE questions (
            id INTEGER PRIMARY KEY,
            key TEXT NOT NULL UNIQUE,
            deck TEXT NOT NULL,
            paper TEXT,
            text TEXT NOT NULL,
            context TEXT NOT NULL,
            source TEXT NOT NULL,
            line INTEGER NOT NULL,
            status TEXT NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'answered', 'removed')),
            answer TEXT,
            created_at TEXT NOT NULL
        ) STRICT;
        CREATE INDEX questions_source ON questions (source);
        """,
    )


@migration
def m002_exported_notes(conn: sqlite3.Connection) -> None:
    """What each note looked like when last exported to Anki, and the modification time it was given.

    Anki updates a note on import only when the package's modification time is
    newer than its own; remembering the content hash lets an unchanged note keep
    its time and a changed one get a newer one.
    """
    run_statements(
        conn,
        """
        CREATE TABLE exported_notes (
            note_key TEXT PRIMARY KEY,
            content_hash TEXT NOT NULL,
            mod INTEGER NOT NULL
        ) STRICT, WITHOUT ROWID;
        """,
    )


@migration
def m003_new_cards_index(conn: sqlite3.Connection) -> None:
    """New cards per deck counted from a small index alone: ``status`` stays fast at 100,000 cards."""
    run_statements(conn, "CREATE INDEX cards_new ON cards (deck) WHERE retired = 0 AND due IS NULL")


@migration
def m004_card_flags_and_practice(conn: sqlite3.Connection) -> None:
    """What a reviewer sets aside: suspended cards, cards buried until a day, lapses and leeches; and cram practice.

    Practice grades live in their own table: they never schedule, so the queries that read
    the day's scheduling grades stay as they were.
    """
    run_statements(
        conn,
        """
        ALTER TABLE cards ADD COLUMN suspended INTEGER NOT NULL DEFAULT 0;
        ALTER TABLE cards ADD COLUMN buried_until TEXT;
        ALTER TABLE cards ADD COLUMN lapses INTEGER NOT NULL DEFAULT 0;
        ALTER TABLE cards ADD COLUMN leech INTEGER NOT NULL DEFAULT 0;
        UPDATE cards SET lapses = (
            SELECT COUNT(*) FROM reviews r
            WHERE r.card_id = cards.id AND r.redrill = 0 AND r.grade < 3 AND r.repetitions_before > 0
        );
        CREATE TABLE practice (
            id INTEGER PRIMARY KEY,
            card_id INTEGER NOT NULL REFERENCES cards(id),
            reviewed_at TEXT NOT NULL,
            day TEXT NOT NULL,
            grade INTEGER NOT NULL CHECK (grade BETWEEN 0 AND 5),
            answer_ms INTEGER NOT NULL
        ) STRICT;
        CREATE INDEX practice_card ON practice (card_id);
        """,
    )


@migration
def m005_files_separators(conn: sqlite3.Connection) -> None:
    """Which separators a file was read with: turning ``separators = "compact"`` on must read unchanged files again."""
    run_statements(conn, "ALTER TABLE files ADD COLUMN separators TEXT NOT NULL DEFAULT 'standard'")


# What each searchable table gives the index: its kind, the row's key, deck, paper, the words a
# hit is named by (head), the rest (body), when a row is searchable, and the columns that change it.
_SEARCHED = {
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
_CJK = "'*[\u3040-\u30ff\u3400-\u9fff\uac00-\ud7af\uf900-\ufaff]*'"


def _search_parts(table: str, row: str) -> dict[str, str]:
    kind, ref, deck, paper, head, body, searchable, _ = _SEARCHED[table]
    parts = dict(ref=ref, deck=deck, paper=paper, head=head, body=body, ok=searchable)
    return {"kind": f"'{kind}'", **{name: part.format(r=row) for name, part in parts.items()}}


def _search_fill(table: str, row: str, source: str) -> list[str]:
    """Statements indexing the searchable rows of ``source`` (``NEW`` in a trigger, the table itself at first)."""
    p = _search_parts(table, row)
    own = f"s.kind = {p['kind']} AND s.ref = {p['ref']} AND {p['ok']}"
    return [
        f"INSERT OR IGNORE INTO search_rows (kind, ref) SELECT {p['kind']}, {p['ref']} {source} WHERE {p['ok']}",
        f"INSERT INTO search_index (rowid, kind, ref, deck, paper, head, body) SELECT s.id, s.kind, s.ref,"
        f" {p['deck']}, {p['paper']}, {p['head']}, {p['body']} FROM search_rows s {source.replace('FROM', ',')}"
        f" WHERE {own}",
        f"INSERT INTO search_cjk (rowid, head, body) SELECT s.id, {p['head']}, {p['body']} FROM search_rows s"
        f" {source.replace('FROM', ',')} WHERE {own} AND ({p['head']} || ' ' || {p['body']}) GLOB {_CJK}",
    ]


def _search_triggers(table: str) -> list[str]:
    """Insert, update and delete triggers that keep both search indexes in step with ``table``."""
    p = _search_parts(table, "old")
    row = f"(SELECT id FROM search_rows WHERE kind = {p['kind']} AND ref = {p['ref']})"
    drop = (
        f"DELETE FROM search_index WHERE rowid = {row}; DELETE FROM search_cjk WHERE rowid = {row};"
        f" DELETE FROM search_rows WHERE kind = {p['kind']} AND ref = {p['ref']};"
    )
    add = " ".join(statement + ";" for statement in _search_fill(table, "new", ""))
    columns = _SEARCHED[table][-1]
    return [
        f"CREATE TRIGGER search_{table}_insert AFTER INSERT ON {table} BEGIN {add} END",
        f"CREATE TRIGGER search_{table}_update AFTER UPDATE OF {columns} ON {table} BEGIN {drop} {add} END",
        f"CREATE TRIGGER search_{table}_delete AFTER DELETE ON {table} BEGIN {drop} END",
    ]


@migration
def m006_search(conn: sqlite3.Connection) -> None:
    """Full-text search over cards, open questions, papers and equations, kept current by triggers.

    Triggers mean no writer (``add``, ``fetch``, an answer, a path nobody remembers) can forget the
    index, and it changes in the writer's own transaction.  Words are folded (unicode61, accents
    removed); CJK has no spaces between words, so rows holding CJK also go into a trigram index.
    ``search_rows`` gives every row a stable index id: papers and equations have no integer key,
    and ``VACUUM`` may renumber their rowids.
    """
    conn.execute(
        "CREATE TABLE search_rows (id INTEGER PRIMARY KEY, kind TEXT NOT NULL, ref TEXT NOT NULL,"
        " UNIQUE (kind, ref)) STRICT"
    )
    conn.execute(
        "CREATE VIRTUAL TABLE search_index USING fts5(kind UNINDEXED, ref UNINDEXED, deck UNINDEXED,"
        " paper UNINDEXED, head, body, tokenize = 'unicode61 remove_diacritics 2')"
    )
    conn.execute("CREATE VIRTUAL TABLE search_cjk USING fts5(head, body, tokenize = 'trigram')")
    for table in _SEARCHED:
        for statement in _search_fill(table, "t", f"FROM {table} t"):
            conn.execute(statement)
        for statement in _search_triggers(table):
            conn.execute(statement)


@migration
def m007_written_highlights(conn: sqlite3.Connection) -> None:
    """The PDF highlights ``studycards highlights`` wrote into each notes file: a re-run adds only new ones.

    Kept here rather than as marks in the notes, so the file stays the reader's own words, and a quote
    the user deleted from it is not brought back.
    """
    run_statements(
        conn,
        """
        CREATE TABLE highlights (
            notes TEXT NOT NULL,
            key TEXT NOT NULL,
            pdf TEXT NOT NULL,
            paper TEXT,
            written_at TEXT NOT NULL,
            PRIMARY KEY (notes, key)
        ) STRICT, WITHOUT ROWID;
        CREATE INDEX highlights_paper ON highlights (paper);
        """,
    )


@migration
def m008_status_indexes(conn: sqlite3.Connection) -> None:
    """Mature and set-aside cards counted from small partial indexes: ``status`` stays fast at 100,000 cards.

    No index held the interval or the flags, so counting them read the whole table.
    """
    run_statements(
        conn,
        """
        CREATE INDEX cards_mature ON cards (deck) WHERE retired = 0 AND suspended = 0 AND interval >= 21;
        CREATE INDEX cards_aside ON cards (deck)
            WHERE retired = 0 AND (suspended = 1 OR leech = 1 OR buried_until IS NOT NULL);
        """,
    )


def check_version(conn: sqlite3.Connection) -> int:
    """The schema version, or an error for a database from a newer studycards (which must not be touched)."""
    current = conn.execute("PRAGMA user_version").fetchone()[0]
    if current > len(MIGRATIONS):
        raise StudycardsError(
            f"this database has schema version {current}, made by a newer studycards "
            f"(this one knows up to {len(MIGRATIONS)}); upgrade studycards to open it"
        )
    return current


def migrate(conn: sqlite3.Connection) -> None:
    """Bring the schema forward; refuse a database from a newer studycards rather than damage it."""
    current = check_version(conn)
    for version in range(current + 1, len(MIGRATIONS) + 1):
        conn.execute("BEGIN IMMEDIATE")
        try:
            if conn.execute("PRAGMA user_version").fetchone()[0] < version:  # not done meanwhile by another studycards
                MIGRATIONS[version - 1](conn)
                conn.execute(f"PRAGMA user_version = {version}")
            conn.execute("COMMIT")
        except BaseException:
            if conn.in_transaction:  # SQLite itself rolls back on some errors, a full disk among them
                conn.execute("ROLLBACK")
            raise

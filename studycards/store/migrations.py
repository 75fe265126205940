"""The schema as an ordered list of migrations, tracked by ``PRAGMA user_version`` (run by ``store.schema``).

Each migration runs in its own explicit transaction: Python's sqlite3 does not
roll back DDL inside ``with conn:``.  Never edit a released migration; append.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable

from studycards.store.search_schema import SEARCHED, cards_insert_trigger, search_fill, search_triggers

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
    for table in SEARCHED:
        for statement in search_fill(table, "t", f"FROM {table} t"):
            conn.execute(statement)
        for statement in search_triggers(table):
            conn.execute(statement)


@migration
def m007_written_highlights(conn: sqlite3.Connection) -> None:
    """The PDF highlights ``studycards highlights`` wrote into each notes file: a re-run adds only new ones.

    Kept here, not as marks in the notes: the file stays the reader's words, a quote deleted from it stays gone."""
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
    """Mature and set-aside cards counted from small partial indexes: ``status`` stays fast at 100,000 cards
    (no index held the interval or the flags, so counting them read the whole table)."""
    run_statements(
        conn,
        """
        CREATE INDEX cards_mature ON cards (deck) WHERE retired = 0 AND suspended = 0 AND interval >= 21;
        CREATE INDEX cards_aside ON cards (deck)
            WHERE retired = 0 AND (suspended = 1 OR leech = 1 OR buried_until IS NOT NULL);
        """,
    )


@migration
def m009_anki_note_identity(conn: sqlite3.Connection) -> None:
    """The key Anki knows each note by (its GUID's source), kept when a deck rename changes the note key.

    A note key holds the deck, so a moved card would reach Anki as a second note and leave the first untagged.
    ``anki_key`` is the note key a note had when its first card was added; a trigger sets it for every inserted
    card, so no writer can forget it: a card joins the Anki note of its siblings, and a note whose key another
    note's Anki identity already took (its deck was renamed away and a new note took the old name) gets one of
    its own.  What ``exported_notes`` remembers is keyed by it, with the deck a note was last exported to, so an
    export can say which notes moved deck since (Anki's import never moves a card).
    """
    run_statements(
        conn,
        """
        ALTER TABLE cards ADD COLUMN anki_key TEXT NOT NULL DEFAULT '';
        UPDATE cards SET anki_key = note_key;
        CREATE INDEX cards_anki ON cards (anki_key);
        ALTER TABLE exported_notes ADD COLUMN deck TEXT;
        UPDATE exported_notes SET deck = (
            SELECT c.deck FROM cards c WHERE c.anki_key = exported_notes.note_key ORDER BY c.id LIMIT 1
        )
        """,
    )
    conn.execute(  # one statement: its body's semicolons are not run_statements' to split
        "CREATE TRIGGER cards_anki_key AFTER INSERT ON cards WHEN NEW.anki_key = '' BEGIN"
        " UPDATE cards SET anki_key = COALESCE("
        " (SELECT s.anki_key FROM cards s WHERE s.note_key = NEW.note_key AND s.id <> NEW.id AND s.anki_key <> ''"
        " LIMIT 1),"
        " CASE WHEN EXISTS (SELECT 1 FROM cards o WHERE o.anki_key = NEW.note_key)"
        " THEN NEW.note_key || '@' || NEW.id ELSE NEW.note_key END"
        " ) WHERE id = NEW.id; END"
    )


@migration
def m010_sync_log(conn: sqlite3.Connection) -> None:
    """The sync log: this home's device id, every home's events, how far each log file was read, card starts.

    Written out in :mod:`studycards.store.sync_schema` (this file would pass 400 lines); like every
    migration it is never edited once released.
    """
    from studycards.store.sync_schema import create_sync_log

    create_sync_log(conn)


@migration
def m011_review_days(conn: sqlite3.Connection) -> None:
    """The review log summed per day by triggers: ``stats`` on a million grades reads 730 rows, not them all.

    Per day: grades, milliseconds, and the day-first grades of learned cards (retention's), young and
    mature (21 days, as ``status``), passed and in all; a day's last grade undone takes its row.
    """
    from studycards.store.review_days import PARTS

    names, parts = list(PARTS), list(PARTS.values())
    columns = "".join(f", {n} INTEGER NOT NULL" for n in names)
    conn.execute(f"CREATE TABLE review_days (day TEXT PRIMARY KEY, reviews INTEGER NOT NULL{columns}) STRICT")
    sums = ", ".join(f"SUM({p.format(r='r')})" for p in parts)
    conn.execute(f"INSERT INTO review_days SELECT r.day, COUNT(*), {sums} FROM reviews r GROUP BY r.day")
    added = ", ".join(["reviews = reviews + 1", *(f"{n} = {n} + excluded.{n}" for n in names)])
    new = ", ".join(p.format(r="NEW") for p in parts)
    add = f"INSERT INTO review_days VALUES (NEW.day, 1, {new}) ON CONFLICT (day) DO UPDATE SET {added}"
    undone = ", ".join(["reviews = reviews - 1", *(f"{n} = {n} - ({p.format(r='OLD')})" for n, p in zip(names, parts))])
    take_back = f"DELETE FROM review_days WHERE day = OLD.day AND reviews = 1; UPDATE review_days SET {undone}"
    take_back += " WHERE day = OLD.day"
    triggers = [("add", "AFTER INSERT", add), ("remove", "BEFORE DELETE", take_back)]
    triggers += [("unchange", "BEFORE UPDATE", take_back), ("change", "AFTER UPDATE", add)]
    for name, when, body in triggers:
        conn.execute(f"CREATE TRIGGER review_days_{name} {when} ON reviews BEGIN {body}; END")


@migration
def m012_cards_indexed_in_bulk(conn: sqlite3.Connection) -> None:
    """New cards written together are indexed for search together: ``add`` of many cards no longer runs a
    trigger per card.  The trigger stays for every other insert; it is idle only while ``search_paused``
    holds a row, which only the bulk insert's own transaction ever sees (``Cards.insert``)."""
    conn.execute("CREATE TABLE search_paused (paused INTEGER PRIMARY KEY) STRICT")
    conn.execute("DROP TRIGGER search_cards_insert")
    conn.execute(cards_insert_trigger())


@migration
def m013_anki_key_set_on_insert(conn: sqlite3.Connection) -> None:
    """A new card's Anki identity is set as it is written (the rule migration 9's trigger ran, now in
    ``cards.AnkiKeys``): the trigger rewrote every new row, about 15 % of ``add``'s inserting."""
    conn.execute("DROP TRIGGER cards_anki_key")


@migration
def m014_drawings(conn: sqlite3.Connection) -> None:
    """sympy's drawings kept by their equation's LaTeX and drawn after ``add``, in the background (the user never
    waits for sympy); card sides are rendered when shown, so the drawn sides ``add`` stored go.  Every display
    equation the cards hold waits to be drawn again: the old sides' drawings cannot be read back out of them."""
    from studycards.notes.syntax import display_math

    conn.execute(
        "CREATE TABLE drawings (latex TEXT PRIMARY KEY, state TEXT NOT NULL DEFAULT 'pending'"
        " CHECK (state IN ('pending', 'drawn', 'none')), drawing TEXT,"
        " CHECK ((state = 'drawn') = (drawing IS NOT NULL))) STRICT, WITHOUT ROWID"
    )
    conn.execute("CREATE INDEX drawings_pending ON drawings (state) WHERE state = 'pending'")
    sides = conn.execute("SELECT front, back FROM cards WHERE instr(front || back, '$$')").fetchall()
    equations = {(latex,) for side in sides for text in side for latex in display_math(text)}
    conn.executemany("INSERT INTO drawings (latex) VALUES (?)", sorted(equations))
    conn.execute("ALTER TABLE cards DROP COLUMN front_text")
    conn.execute("ALTER TABLE cards DROP COLUMN back_text")


@migration
def m015_search_backlog(conn: sqlite3.Connection) -> None:
    """New cards indexed for search after ``add`` returns, by the background process, or by the next ``search``
    before it asks the index (``store.search_backlog``): a row per range of card ids written and not yet indexed."""
    conn.execute(
        "CREATE TABLE search_backlog (first INTEGER NOT NULL, last INTEGER NOT NULL, cjk INTEGER NOT NULL) STRICT"
    )


@migration
def m016_review_days_up_to(conn: sqlite3.Connection) -> None:
    """The day sums hold the grades up to a mark; later ones are summed when ``stats`` reads them (``review_days``)."""
    from studycards.store.review_days import sum_up_to

    sum_up_to(conn)


@migration
def m017_due_index_holds_the_deck(conn: sqlite3.Connection) -> None:
    """A grade moves a card's due day in one index, not two: the due cards are read in queue order (due, id) with
    their deck from one index, and the per-deck totals from an index without the due day, which grades never
    touch.  A grade's commit writes two pages less; the due cards per deck are counted from the due ones alone."""
    conn.execute("DROP INDEX cards_deck_due")
    conn.execute("DROP INDEX cards_due")
    conn.execute("CREATE INDEX cards_deck ON cards (deck, retired)")
    conn.execute("CREATE INDEX cards_due ON cards (retired, due, id, deck)")


@migration
def m018_cards_key_index(conn: sqlite3.Connection) -> None:
    """The card key unique by an index of its own: a first add builds it after its cards (``schema.key_indexed``)."""
    from studycards.store.schema import key_indexed

    key_indexed(conn)

"""Old databases move forward with every card, grade and question; a newer one is refused and left untouched.

The fixtures ``tests/fixtures/db/vN.db`` were made by ``tests/fixtures/db/make.py``
with plain SQL of schema version N: one per released schema, kept forever.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import sqlite3
import tempfile
import zipfile
from collections.abc import Iterator
from contextlib import closing, contextmanager
from datetime import date, datetime
from pathlib import Path

import pytest
from click.testing import CliRunner

from studycards.cli import main
from studycards.errors import StudycardsError
from studycards.models import CardFlags, CardState
from studycards.review.session import Session
from studycards.sm2 import schedule
from studycards.store import migrations
from studycards.store.cards import CardContent
from studycards.store.database import open_store
from studycards.store.files import FileHash
from studycards.store.migrations import MIGRATIONS
from tests.displays import Recorder
from tests.fixtures.db import make
from tests.paths import FIXTURES, REPO
from tests.test_stats import LOG_BY_DAY, SUMS

DB_FIXTURES = FIXTURES / "db"
VERSIONS = range(1, len(MIGRATIONS) + 1)
V1_TABLES = {  # every table of schema 1, and the columns that identify a row
    "papers": "arxiv_id",
    "equations": "paper_id, seq",
    "files": "path",
    "cards": "id",
    "reviews": "id",
    "questions": "id",
}


@contextmanager
def reading(db: Path) -> Iterator[sqlite3.Connection]:
    """A connection to a copy: even a read-only open of a WAL database leaves -shm and -wal files beside it."""
    with tempfile.TemporaryDirectory() as folder:
        conn = sqlite3.connect(shutil.copy(db, Path(folder) / db.name))
        try:
            yield conn
        finally:
            conn.close()


def rows(db: Path, tables: dict[str, str] = V1_TABLES) -> dict[str, tuple[list[str], list[tuple]]]:
    """Every row of the given tables, in the columns schema 1 had (later columns are new, not lost)."""
    with reading(db) as conn:
        found = {}
        for table, order in tables.items():
            columns = [r[1] for r in conn.execute(f"PRAGMA table_info({table})")]
            found[table] = (columns, conn.execute(f"SELECT * FROM {table} ORDER BY {order}").fetchall())
        return found


# Columns a migration dropped on purpose: the sides add drew with sympy, derived from front and back, went
# in version 14 (sides are drawn when shown, sympy's drawings kept by their LaTeX).
DROPPED = {"cards": ("front_text", "back_text")}


def same_rows(old: dict, new: dict) -> None:
    for table, (columns, records) in old.items():
        new_columns, new_records = new[table]
        kept = [n for n, column in enumerate(columns) if column not in DROPPED.get(table, ())]
        assert new_columns[: len(kept)] == [columns[n] for n in kept], table
        assert [r[: len(kept)] for r in new_records] == [tuple(r[n] for n in kept) for r in records], table


def install(version: int, home: Path) -> Path:
    home.mkdir(parents=True, exist_ok=True)
    return Path(shutil.copy(DB_FIXTURES / f"v{version}.db", home / "studycards.db"))


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def run(*args: str):
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


def test_there_is_a_fixture_made_by_every_schema_version():
    """Adding a migration means adding ``vN`` to make.py and committing the database it builds."""
    for version in VERSIONS:
        path = DB_FIXTURES / f"v{version}.db"
        assert path.is_file(), f"no fixture for schema version {version}: run tests/fixtures/db/make.py"
        with reading(path) as conn:
            assert conn.execute("PRAGMA user_version").fetchone()[0] == version
            assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"


@pytest.mark.parametrize("version", VERSIONS)
def test_make_py_still_builds_the_committed_fixture(version, tmp_path):
    assert rows(make.build(version, tmp_path / "again.db")) == rows(DB_FIXTURES / f"v{version}.db")


@pytest.mark.parametrize("version", VERSIONS)
def test_an_old_database_migrates_with_every_card_grade_and_question(version, home):
    db = install(version, home)
    before = rows(db)
    with open_store(home) as store:
        assert store.conn.execute("PRAGMA user_version").fetchone()[0] == len(MIGRATIONS)
        assert store.conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        assert store.conn.execute("PRAGMA foreign_key_check").fetchall() == []
        cards = {card.id: card for card in store.cards.select()}
        reviews = store.reviews.log()
    same_rows(before, rows(db))
    assert len(cards) == len(make.V1_CARDS) and len(reviews) == len(make.V1_REVIEWS)
    for card_id, *_, retired, ef, n, interval, due in make.V1_CARDS:
        assert cards[card_id].state == CardState(ef, n, interval, date.fromisoformat(due) if due else None)
        assert cards[card_id].retired == bool(retired)
    for review in reviews:  # the log still explains every schedule
        expected = review.before if review.redrill else schedule(review.before, review.grade, review.day)
        assert review.after == expected
    assert cards[5].back.startswith("$$\n\\mathrm{Attention}") and cards[1].paper_title == "Attention Is All You Need"
    set_aside = {card_id: card.flags for card_id, card in cards.items() if card.flags != CardFlags()}
    assert set_aside == (
        {4: CardFlags(suspended=True, lapses=8, leech=True), 3: CardFlags(buried_until=date(2026, 11, 3))}
        if version >= 4
        else {}
    )


MARKED = next(n for n, step in enumerate(MIGRATIONS, 1) if step.__name__.endswith("_review_days_up_to"))


@pytest.mark.parametrize("version", range(1, MARKED))
def test_an_old_log_is_summed_per_day_when_it_migrates_and_marked_summed(version, home, rows):
    """Before version 11 the log had no sums; from 11 its triggers kept them: either way every grade is summed."""
    install(version, home)
    open_store(home).close()
    assert rows(SUMS) == rows(LOG_BY_DAY) != []
    assert rows("SELECT * FROM review_days_upto") == rows("SELECT MAX(id) FROM reviews")


def test_past_lapses_are_counted_from_the_log_when_cards_gain_a_lapse_count(home):
    db = install(3, home)
    conn = sqlite3.connect(db)
    with conn:  # a learned card failed on a later day: a lapse, in the log of a schema without the column
        conn.execute(
            "INSERT INTO reviews (card_id, reviewed_at, day, grade, redrill, answer_ms, ef_before,"
            " repetitions_before, interval_before, due_before, ef_after, repetitions_after, interval_after, due_after)"
            " VALUES (1, '2026-11-08T09:00:00.000', '2026-11-08', 1, 0, 900, 270, 2, 6, '2026-11-08', 216, 0, 1,"
            " '2026-11-09')"
        )
    conn.close()
    with open_store(home) as store:
        assert [(c.id, c.flags.lapses) for c in store.cards.select() if c.flags.lapses] == [(1, 1)]


def test_a_migrated_database_works_for_every_command(home, tmp_path):
    install(1, home)
    listed = json.loads(run("list", "--json", "--retired").stdout)["cards"]
    assert len(listed) == len(make.V1_CARDS)
    questions = run("questions", "--all")
    assert "Why does sinusoidal position encoding" in questions.stdout
    assert "Why share the embedding" in questions.stdout
    assert "Papers::Transformer" in run("status").stdout

    notes = tmp_path / "moved" / "attention.md"  # the user's notes, since moved to another folder
    notes.parent.mkdir()
    shutil.copy(DB_FIXTURES / "v1-notes.md", notes)
    added = run("add", str(notes))
    assert added.exit_code == 0, added.output
    assert added.stdout.startswith("Added 0 cards")  # every card was recognised: history is kept
    with open_store(home) as store:
        cards = {c.id: c for c in store.cards.select()}
        assert len(cards) == len(make.V1_CARDS)
        assert {c.source for c in cards.values() if not c.retired} == {str(notes.resolve())}
        assert cards[1].state == CardState(270, 2, 6, date(2026, 11, 8))
        assert len(store.reviews.log(1)) == 2
        assert sorted((q.id, q.status) for q in store.questions.select(include_answered=True)) == [
            (1, "open"),
            (2, "answered"),
        ]

        day = date(2026, 11, 10)
        session = Session(store, day, lambda: datetime(2026, 11, 10, 9), new=0)
        assert {item.card.id for item in session.queue} == {1, 2, 4}  # due ones; the retired card is not
        first = session.queue[0].card
        session.handle("\n", Recorder())
        session.handle("5", Recorder())
        assert store.cards.get(first.id).state == schedule(first.state, 5, day)
        assert len(store.reviews.log()) == len(make.V1_REVIEWS) + 1


def test_a_database_from_a_newer_studycards_is_refused_and_left_untouched(home):
    db = install(len(MIGRATIONS), home)
    conn = sqlite3.connect(db)
    conn.execute("PRAGMA journal_mode = DELETE")  # whatever a newer studycards chose, it stays its choice
    conn.execute(f"PRAGMA user_version = {len(MIGRATIONS) + 1}")
    conn.close()
    before = digest(db)
    for args in (["status"], ["list"], ["add", str(DB_FIXTURES / "v1-notes.md")], ["review"], ["questions"]):
        result = run(*args)
        assert result.exit_code == 1, args
        assert result.stderr.strip() == (
            f"Error: this database has schema version {len(MIGRATIONS) + 1}, made by a newer studycards "
            f"(this one knows up to {len(MIGRATIONS)}); upgrade studycards to open it"
        )
    assert digest(db) == before
    assert sorted(p.name for p in home.iterdir()) == ["studycards.db"]


def test_a_migration_that_fails_leaves_the_database_at_the_version_before(home, monkeypatch):
    db = install(len(MIGRATIONS), home)
    before = rows(db)

    def m999_broken(conn: sqlite3.Connection) -> None:
        conn.execute("CREATE TABLE half_done (x INTEGER) STRICT")
        conn.execute("UPDATE cards SET ef = 130")
        raise StudycardsError("migration 999 failed halfway")

    monkeypatch.setattr(migrations, "MIGRATIONS", [*MIGRATIONS, m999_broken])
    with pytest.raises(StudycardsError, match="halfway"):
        open_store(home)
    conn = sqlite3.connect(db)
    try:
        assert conn.execute("PRAGMA user_version").fetchone()[0] == len(MIGRATIONS)
        assert conn.execute("SELECT name FROM sqlite_master WHERE name = 'half_done'").fetchall() == []
    finally:
        conn.close()
    same_rows(before, rows(db))


@pytest.mark.parametrize("version", VERSIONS)
def test_files_remember_the_separators_they_were_read_with_after_migrating(version, home):
    install(version, home)
    with open_store(home) as store:
        assert store.files.hash(make.OLD_NOTES) == FileHash("0" * 64, "", "standard")
        vault = store.files.hash("/home/researcher/notes/vault.md")
    assert vault == (FileHash("1" * 64, "", "compact") if version >= 5 else None)


@pytest.mark.parametrize("version", VERSIONS)
def test_search_finds_what_an_old_database_holds_once_migrated(version, home):
    install(version, home)
    found = {}
    for query in ("recurrence", "extrapolate", "transduction", "outputs"):
        result = run("search", query, "--json")
        assert result.exit_code == 0, result.output
        found[query] = [(r["kind"], r["id"]) for r in json.loads(result.output)["results"]]
    assert found == {
        "recurrence": [("card", 1)],  # a card's front
        "extrapolate": [("question", 1)],
        "transduction": [("paper", "1706.03762")],  # the abstract
        "outputs": [("equation", "1706.03762#1")],  # the sentence introducing it
    }
    assert json.loads(run("search", "embedding", "--json").output)["results"][0]["kind"] == "question"  # answered


@pytest.mark.parametrize("version", VERSIONS)
def test_highlights_written_before_stay_written_after_migrating(version, home, tmp_path):
    """A re-run of ``highlights`` after an upgrade must not write again what an older studycards wrote."""
    from studycards.highlights.writing import Entry, insert_entries

    install(version, home)
    with open_store(home) as store:
        written = store.highlights.written(make.OLD_NOTES)
        assert store.highlights.notes_of("1706.03762") == [make.OLD_NOTES]
    assert written == ({"0f" * 16} if version >= 7 else set())
    notes = tmp_path / "reading.md"
    result = run("highlights", str(FIXTURES / "highlights" / "read.pdf"), "--notes", str(notes))
    assert result.exit_code == 0, result.output
    text = notes.read_text(encoding="utf-8")  # the paper was fetched: a reading guide, filled with the quotes
    assert text.startswith('---\npaper: "1706.03762"\ndeck: "Papers::Attention Is All You Need"')
    assert "## Implementation\n" in text and "> The model stacks six identical layers. (p. 1)\n" in text
    assert insert_entries("# t\n", [Entry("Notes", 1, "x", None)])[0] == "# t\n\n## Notes\n\n> x (p. 1)\n"


@pytest.mark.parametrize("version", VERSIONS)
def test_notes_keep_the_anki_identity_they_were_exported_with_after_migrating(version, home, tmp_path):
    """Anki knows a note by the GUID of its note key at first add: an old database's notes keep theirs."""
    from genanki import guid_for

    install(version, home)
    with open_store(home) as store:
        keys = dict(store.conn.execute("SELECT id, anki_key FROM cards"))
        notes = dict(store.conn.execute("SELECT id, note_key FROM cards"))
        exported = store.conn.execute("SELECT note_key, deck FROM exported_notes").fetchall()
    moved = {1} if version >= 9 else set()  # the v9 fixture's card 1 moved deck after its export
    assert {i for i in keys if keys[i] != notes[i]} == moved
    assert keys[1] == f"k1:basic:{make.DECK}:What replaces recurrence in the Transformer?"
    assert exported == ([(keys[1], make.DECK)] if version >= 2 else [])
    package = tmp_path / "old.apkg"
    result = run("export", "-o", str(package))
    assert result.exit_code == 0, result.output
    with zipfile.ZipFile(package) as archive:
        archive.extract("collection.anki2", tmp_path)
    with closing(sqlite3.connect(tmp_path / "collection.anki2")) as conn:
        guids = {row[0] for row in conn.execute("SELECT guid FROM notes")}
    assert guid_for(keys[1]) in guids
    if moved:  # exported under the old deck: Anki has it by that GUID, and is told where the cards went
        assert guid_for(notes[1]) not in guids
        assert 'search deck:"Papers::Transformer" and use Change Deck' in result.output


@pytest.mark.parametrize("version", VERSIONS)
def test_every_grade_logged_before_sync_is_an_event_and_replays_to_the_schedule_kept(version, home):
    """Migration 10 turns the old log into this home's first events, so another home learns every past grade."""
    from studycards.review.records import Habits
    from studycards.sync.replay import replay

    install(version, home)
    with open_store(home) as store:
        device = store.events.device()
        own = store.events.own_after(0)
        logged = store.conn.execute("SELECT event FROM reviews UNION ALL SELECT event FROM practice").fetchall()
        by_key = {}
        for event in own:
            by_key.setdefault(event.card, []).append(event)
        for card in store.cards.select():
            start = store.events.start(card.id) or (card.state, card.flags)
            replayed = replay(*start, by_key.get(card.key, []), Habits())
            assert (replayed.state, replayed.flags) == (card.state, card.flags), card.id
        pending = store.events.pending_keys()
    assert len(own) == len(make.V1_REVIEWS) + (version >= 4) and sorted(e for (e,) in logged) == sorted(
        e.id for e in own
    )
    assert all(event.device == device for event in own)
    assert pending == ({make.V10_RECEIVED[3]} if version >= 10 else set())


def test_cards_written_in_bulk_and_one_at_a_time_are_both_searchable_after_migrating(home, tmp_path):
    """Schema 12 indexes a bulk insert's cards at once; the trigger still indexes any other insert."""
    install([step.__name__ for step in MIGRATIONS].index("m012_cards_indexed_in_bulk"), home)
    notes = tmp_path / "zoo.md"
    notes.write_text("# Zoo\n\n" + "\n".join(f"zebrafish {i} :: stripes {i}" for i in range(30)), encoding="utf-8")
    assert run("add", str(notes)).exit_code == 0
    with open_store(home) as store:
        with pytest.raises(sqlite3.IntegrityError):  # a bulk insert that fails, outside any transaction, pauses nothing
            twice = CardContent("k#0", "k", "Zoo", "basic", 0, "okapi twice", "b", "", (), str(notes), 1, None)
            store.cards.insert([twice, twice], datetime(2026, 11, 23))
        store.conn.execute(
            "INSERT INTO cards (key, note_key, deck, kind, ord, front, back, context, tags, source, line, paper,"
            " created_at, updated_at) SELECT key || 'x', note_key, deck, kind, ord,"
            " 'okapi once', back, context, tags, source, line, paper, created_at, updated_at"
            " FROM cards WHERE id = 1"
        )
        assert store.conn.execute("SELECT COUNT(*) FROM search_paused").fetchone() == (0,)
    zebras = json.loads(run("search", "zebrafish", "--json", "--limit", "100").output)["results"]
    assert len(zebras) == 30
    assert [hit["text"] for hit in json.loads(run("search", "okapi", "--json").output)["results"]] == ["okapi once"]


def test_new_cards_get_their_anki_identity_from_the_insert_once_the_trigger_is_gone(home):
    """Schema 13 sets ``anki_key`` in the INSERT: siblings share one, a taken key gets the card's id."""
    install([step.__name__ for step in MIGRATIONS].index("m013_anki_key_set_on_insert"), home)
    with open_store(home) as store:
        conn = store.conn
        assert conn.execute("SELECT COUNT(*) FROM sqlite_schema WHERE name = 'cards_anki_key'").fetchone() == (0,)
        (moved_identity, moved_note), (kept_identity, kept_note) = conn.execute(
            "SELECT anki_key, note_key FROM cards WHERE id IN (1, 2) ORDER BY id"
        ).fetchall()
        assert moved_identity != moved_note  # the v9 fixture's card 1 moved deck: its old key is taken

        def card(key: str, note: str) -> CardContent:
            return CardContent(key, note, "Zoo", "basic", 0, key, "b", "", (), "/zoo.md", 1, None)

        with store.transaction():
            store.cards.insert(
                [card("n#0", "n"), card("n#1", "n"), card("taken#0", moved_identity), card("s#9", kept_note)],
                datetime(2026, 11, 23),
            )
        found = dict(conn.execute("SELECT key, anki_key FROM cards WHERE key IN ('n#0', 'n#1', 'taken#0', 's#9')"))
        (taken_id,) = conn.execute("SELECT id FROM cards WHERE key = 'taken#0'").fetchone()
    assert found == {"n#0": "n", "n#1": "n", "taken#0": f"{moved_identity}@{taken_id}", "s#9": kept_identity}


def test_drawn_sides_go_and_every_display_equation_of_the_cards_waits_to_be_drawn_once_migrated(home):
    """Schema 14 keeps sympy's drawings by their LaTeX, made after add: the sides add had drawn are dropped and
    the cards' display equations (once each, as ``display_math`` keys them) wait for the drawer."""
    install([step.__name__ for step in MIGRATIONS].index("m014_drawings"), home)
    with open_store(home) as store:
        conn = store.conn
        columns = {row[1] for row in conn.execute("PRAGMA table_info(cards)")}
        waiting = conn.execute("SELECT latex, state, drawing FROM drawings").fetchall()
        assert store.drawings.count_pending() == 1
    assert {"front_text", "back_text"} & columns == set()
    assert waiting == [(make.V14_DRAWINGS[0][0], "pending", None)]  # card 5's equation, without its $$ lines


def test_drawings_kept_before_stay_as_they_were(home):
    install(14, home)
    with open_store(home) as store:
        assert store.drawings.of(latex for latex, *_ in make.V14_DRAWINGS) == {
            "\\frac{a + b}{c}": make.V14_DRAWINGS[1][2]
        }
        assert store.drawings.pending(10) == ["\\sqrt{x + 1}"]


def test_cards_left_to_the_background_index_after_migrating_are_found_by_the_next_search(home, tmp_path):
    """Schema 15 lets new cards wait for the search index (``store.search_backlog``): an old collection
    gains the empty backlog, keeps every card it had found, and a search indexes the waiting ones first."""
    install([step.__name__ for step in MIGRATIONS].index("m015_search_backlog"), home)
    okapi = CardContent("k#0", "k", "Zoo", "basic", 0, "okapi waiting", "b", "", (), str(tmp_path / "z.md"), 1, None)
    with open_store(home) as store:
        assert store.conn.execute("SELECT COUNT(*) FROM search_backlog").fetchone() == (0,)
        store.cards.insert([okapi], datetime(2026, 12, 1), index_later=True)
        assert store.conn.execute("SELECT COUNT(*) FROM search_index WHERE head = 'okapi waiting'").fetchone() == (0,)
    assert [hit["text"] for hit in json.loads(run("search", "okapi", "--json").output)["results"]] == ["okapi waiting"]
    assert json.loads(run("search", "recurrence", "--json").output)["results"]  # an old card, indexed before


def made_of(conn: sqlite3.Connection) -> tuple[int, set[tuple], dict[str, list[tuple]]]:
    """A database's version, every schema entry (its page aside), and every table's rows, shadow tables too."""
    entries = set(conn.execute("SELECT type, name, tbl_name, sql FROM sqlite_master"))
    tables = [
        name
        for (name,) in conn.execute("SELECT name FROM pragma_table_list WHERE schema = 'main'")
        if not name.startswith("sqlite_")  # the schema itself, compared above without the pages it lies on
    ]
    return (
        conn.execute("PRAGMA user_version").fetchone()[0],
        entries,
        {name: sorted(conn.execute(f'SELECT * FROM "{name}"'), key=repr) for name in tables},
    )


def test_a_new_home_made_in_one_step_is_the_database_every_migration_makes(tmp_path):
    from studycards.store.schema import replayed

    with closing(sqlite3.connect(tmp_path / "replayed.db", isolation_level=None)) as conn:
        replayed(conn)
        version, entries, tables = made_of(conn)
    with open_store(tmp_path / "home") as store:
        fresh_version, fresh_entries, fresh_tables = made_of(store.conn)
    assert (fresh_version, fresh_entries) == (version, entries) and version == len(MIGRATIONS)
    devices = tables.pop("sync_device"), fresh_tables.pop("sync_device")
    assert fresh_tables == tables
    assert [(only, seq) for only, _, seq in devices[1]] == [(1, 0)] == [(only, seq) for only, _, seq in devices[0]]
    assert devices[0][0][1] != devices[1][0][1]  # each home its own device id


def test_the_one_step_schema_is_written_from_the_migrations_as_they_are():
    """A new migration means writing ``fresh_schema.py`` again (until then new homes replay the newer ones)."""
    from studycards.store import fresh_schema
    from studycards.store.schema import fresh_schema_source

    assert (REPO / "studycards" / "store" / "fresh_schema.py").read_text(encoding="utf-8") == (fresh_schema_source()), (
        "fresh_schema.py is behind the migrations: run python -m studycards.store.schema"
    )
    assert len(MIGRATIONS) == fresh_schema.VERSION


def test_a_one_step_schema_behind_the_migrations_is_brought_forward_by_the_newer_ones(tmp_path, monkeypatch):
    from studycards.store import fresh_schema, schema

    with closing(sqlite3.connect(":memory:", isolation_level=None)) as older:
        monkeypatch.setattr(migrations, "MIGRATIONS", MIGRATIONS[:10])
        schema.replayed(older)
        statements = tuple(schema.statements_of(older))
        monkeypatch.setattr(migrations, "MIGRATIONS", MIGRATIONS)
    monkeypatch.setattr(fresh_schema, "VERSION", 10)
    monkeypatch.setattr(fresh_schema, "STATEMENTS", statements)
    with closing(sqlite3.connect(tmp_path / "replayed.db", isolation_level=None)) as conn:
        schema.replayed(conn)
        version, entries, _ = made_of(conn)
    with open_store(tmp_path / "home") as store:
        assert made_of(store.conn)[:2] == (version, entries)


@pytest.mark.parametrize("version", [1, 17])
def test_cards_keep_their_ids_grades_and_search_when_their_table_is_made_again_for_its_key_index(version, home):
    """Schema 18 makes the cards table again (the key unique by an index of its own): every card keeps its id and
    row, every grade its card, the search its hits, and a second card with a taken key is still refused."""
    db = install(version, home)
    before = rows(db, {"cards": "id", "reviews": "id"})
    with open_store(home) as store:
        conn = store.conn
        assert conn.execute("PRAGMA foreign_key_check").fetchall() == []
        assert conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        assert "UNIQUE" not in conn.execute("SELECT sql FROM sqlite_master WHERE name = 'cards'").fetchone()[0]
        with pytest.raises(sqlite3.IntegrityError, match=r"UNIQUE constraint failed: cards\.key"):
            conn.execute("INSERT INTO cards (key, note_key, deck, kind, ord, front, back, context, tags, source, line,"
                         " created_at, updated_at) SELECT key, note_key, deck, kind, ord, front, back, context, tags,"
                         " source, line, created_at, updated_at FROM cards LIMIT 1")  # fmt: skip
    after = rows(db, {"cards": "id", "reviews": "id"})
    assert [row[:3] for row in after["cards"][1]] == [row[:3] for row in before["cards"][1]]  # id, key, note key
    assert [row[:3] for row in after["reviews"][1]] == [row[:3] for row in before["reviews"][1]]
    if version == 17:
        assert after == before  # every column of every row
    assert json.loads(run("search", "recurrence", "--json").output)["results"]

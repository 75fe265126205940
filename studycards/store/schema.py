"""Bringing a database to the current schema: the migrations run forward, a newer studycards' database refused.

The migrations themselves are a list in :mod:`studycards.store.migrations`; this module runs them, so that
file stays a list of migrations.  A new database is made in one step instead, from the statements the
migrations' schema is made of (``fresh_schema``, written by ``python -m studycards.store.schema`` from a
database the migrations built, and checked against one by the tests): replaying fourteen migrations one by
one took a new home 20-45 ms, the one step 6 ms.  Migrations newer than the statements then run as usual.
"""

from __future__ import annotations

import sqlite3

from studycards.errors import StudycardsError
from studycards.store import migrations


def check_version(conn: sqlite3.Connection) -> int:
    """The schema version, or an error for a database from a newer studycards (which must not be touched)."""
    current = conn.execute("PRAGMA user_version").fetchone()[0]
    known = len(migrations.MIGRATIONS)
    if current > known:
        raise StudycardsError(
            f"this database has schema version {current}, made by a newer studycards "
            f"(this one knows up to {known}); upgrade studycards to open it"
        )
    return current


def migrate(conn: sqlite3.Connection) -> None:
    """Bring the schema forward; refuse a database from a newer studycards rather than damage it.

    Each migration runs in its own explicit transaction: Python's sqlite3 does not roll back DDL
    inside ``with conn:``.  Foreign keys are off meanwhile, as SQLite asks of a change to a table's
    schema (a table made again keeps the other tables' references to it); a migration that moves rows
    checks them itself.
    """
    steps = migrations.MIGRATIONS
    current = check_version(conn)
    if current == 0:
        current = _create(conn)
    if current == len(steps):
        return
    enforced = conn.execute("PRAGMA foreign_keys").fetchone()[0]
    conn.execute("PRAGMA foreign_keys = OFF")
    try:
        for version in range(current + 1, len(steps) + 1):
            conn.execute("BEGIN IMMEDIATE")
            try:
                if conn.execute("PRAGMA user_version").fetchone()[0] < version:  # not done meanwhile by another one
                    steps[version - 1](conn)
                    conn.execute(f"PRAGMA user_version = {version}")
                conn.execute("COMMIT")
            except BaseException:
                if conn.in_transaction:  # SQLite itself rolls back on some errors, a full disk among them
                    conn.execute("ROLLBACK")
                raise
    finally:
        conn.execute(f"PRAGMA foreign_keys = {'ON' if enforced else 'OFF'}")


def _create(conn: sqlite3.Connection) -> int:
    """Make an empty database's schema in one transaction, as the migrations up to ``fresh_schema.VERSION``
    would; the version it is at after.  A database holding anything at all is left to the migrations."""
    from studycards.store.fresh_schema import STATEMENTS, VERSION
    from studycards.store.sync_schema import name_device

    if len(migrations.MIGRATIONS) < VERSION:  # never: the statements are written from these migrations
        return 0
    conn.execute("BEGIN IMMEDIATE")
    try:
        version = conn.execute("PRAGMA user_version").fetchone()[0]
        if version == 0 and conn.execute("SELECT 1 FROM sqlite_master LIMIT 1").fetchone() is None:
            for statement in STATEMENTS:
                conn.execute(statement)
            name_device(conn)  # the one row the migrations write into a new database (migration 10's)
            conn.execute(f"PRAGMA user_version = {VERSION}")
            version = VERSION
        conn.execute("COMMIT")
    except BaseException:
        if conn.in_transaction:
            conn.execute("ROLLBACK")
        raise
    return int(version)


def key_indexed(conn: sqlite3.Connection) -> None:
    """Migration 18: the cards table made again without its key's UNIQUE constraint, the key unique by an index.

    SQLite fills a constraint's index row by row as cards are written (random places: 30 ms of a first add of
    10,000); an index of its own a first add drops and builds after its cards in one sort (``indexed_after``,
    13 ms).  SQLite cannot drop a constraint, so the table is made again: renamed aside with the legacy rename
    and foreign keys off (``migrate``: the other tables' references keep naming ``cards``), the new one filled
    with every row and id, the old one dropped, and its indexes and triggers made again as they were.
    """
    made = conn.execute(
        "SELECT sql FROM sqlite_master WHERE tbl_name = 'cards' AND type IN ('index', 'trigger') AND sql IS NOT NULL"
        " ORDER BY type, rowid"
    ).fetchall()
    (table,) = conn.execute("SELECT sql FROM sqlite_master WHERE type = 'table' AND name = 'cards'").fetchone()
    without = table.replace("key TEXT NOT NULL UNIQUE,", "key TEXT NOT NULL,", 1)
    if without == table:
        raise StudycardsError("migration 18: the cards table has no key constraint to drop")
    conn.execute("PRAGMA legacy_alter_table = ON")
    try:
        conn.execute("ALTER TABLE cards RENAME TO cards_before_18")
    finally:
        conn.execute("PRAGMA legacy_alter_table = OFF")
    conn.execute(without)
    conn.execute("INSERT INTO cards SELECT * FROM cards_before_18")
    conn.execute("DROP TABLE cards_before_18")
    for (sql,) in made:
        conn.execute(sql)
    conn.execute("CREATE UNIQUE INDEX cards_key ON cards (key)")
    if conn.execute("PRAGMA foreign_key_check").fetchone() is not None:
        raise StudycardsError("migration 18: a grade or a start lost its card; the database is left as it was")


def statements_of(conn: sqlite3.Connection) -> list[str]:
    """The statements that make ``conn``'s schema again: its tables (a virtual table's own, never the shadow
    tables it makes itself), then its indexes, then its triggers, each kind in the order it was made."""
    shadow = {name for (name,) in conn.execute("SELECT name FROM pragma_table_list WHERE type = 'shadow'")}
    made = conn.execute("SELECT type, name, sql FROM sqlite_master WHERE sql IS NOT NULL ORDER BY rowid").fetchall()
    order = {"table": 0, "view": 1, "index": 2, "trigger": 3}
    return [sql for kind, name, sql in sorted(made, key=lambda row: order[row[0]]) if name not in shadow]


def replayed(conn: sqlite3.Connection) -> None:
    """Every migration run on an empty database one by one, as a home was made before ``fresh_schema``."""
    for version, step in enumerate(migrations.MIGRATIONS, start=1):
        conn.execute("BEGIN IMMEDIATE")
        step(conn)
        conn.execute(f"PRAGMA user_version = {version}")
        conn.execute("COMMIT")


def fresh_schema_source() -> str:
    """The text of ``fresh_schema.py`` for the migrations as they now are (JSON's strings are Python's, in the
    double quotes ``ruff format`` keeps)."""
    import json

    conn = sqlite3.connect(":memory:", isolation_level=None)
    try:
        replayed(conn)
        lines = "".join(f"    {json.dumps(statement, ensure_ascii=False)},\n" for statement in statements_of(conn))
    finally:
        conn.close()
    return (
        '"""The schema every migration makes, as statements run in one transaction to make a new database\n'
        "(``store.schema``).  Written by ``python -m studycards.store.schema``: never edit it by hand.\n"
        '"""\n\n# ruff: noqa: E501\n\n'
        f"VERSION = {len(migrations.MIGRATIONS)}\nSTATEMENTS = (\n{lines})\n"
    )


if __name__ == "__main__":
    from pathlib import Path

    target = Path(__file__).with_name("fresh_schema.py")
    target.write_text(fresh_schema_source(), encoding="utf-8")
    print(target)

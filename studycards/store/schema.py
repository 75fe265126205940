"""Bringing a database to the current schema: the migrations run forward, a newer studycards' database refused.

The migrations themselves are a list in :mod:`studycards.store.migrations`; this module runs them, so that
file stays a list of migrations.
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
    inside ``with conn:``.
    """
    steps = migrations.MIGRATIONS
    current = check_version(conn)
    for version in range(current + 1, len(steps) + 1):
        conn.execute("BEGIN IMMEDIATE")
        try:
            if conn.execute("PRAGMA user_version").fetchone()[0] < version:  # not done meanwhile by another studycards
                steps[version - 1](conn)
                conn.execute(f"PRAGMA user_version = {version}")
            conn.execute("COMMIT")
        except BaseException:
            if conn.in_transaction:  # SQLite itself rolls back on some errors, a full disk among them
                conn.execute("ROLLBACK")
            raise

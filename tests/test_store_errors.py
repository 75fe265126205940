"""When the database or the disk under it fails, the user reads one clear line naming what to do.

Each kind is provoked for real: a database file without write permission, files
that are not or no longer databases, a disk that fills up (a small tmpfs mounted
in a user namespace of the command's own), and a trigger whose message mimics
SQLite's, to show that the kind is decided by SQLite's result code.
"""

from __future__ import annotations

import ctypes
import json
import os
import sqlite3
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner

from studycards.cli import main
from studycards.errors import BusyError
from studycards.store.errors import user_error
from tests.paths import DECKS

CLONE_NEWUSER = 0x10000000
CLONE_NEWNS = 0x00020000
MS_REC = 0x4000
MS_PRIVATE = 0x40000
SKIPPED = 77
LIBC = ctypes.CDLL(None, use_errno=True)  # loaded here: the child of a fork should not load libraries

DRIVER = """
import json, subprocess, sys
out = []
for args in json.loads(sys.argv[1]):
    r = subprocess.run([sys.executable, "-m", "studycards", *args], capture_output=True, text=True, stdin=-3)
    out.append([r.returncode, r.stdout, r.stderr])
print(json.dumps(out))
"""


def run(*args: str):
    return CliRunner().invoke(main, list(args), input="", env={"STUDYCARDS_NOW": "2026-11-23T09:00"})


def commands_in(home: Path, preexec: Callable[[], None], *commands: list[str]) -> list[tuple[int, str, str]]:
    """Run studycards commands one after another in a child set up by ``preexec`` (a namespace of its own)."""
    result = subprocess.run(
        [sys.executable, "-c", DRIVER, json.dumps(commands)],
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "STUDYCARDS_HOME": str(home), "STUDYCARDS_NOW": "2026-11-23T09:00"},
        preexec_fn=preexec,
    )
    if result.returncode == SKIPPED:
        pytest.skip("user or mount namespaces are not available here")
    assert result.returncode == 0, result.stderr
    return [tuple(run) for run in json.loads(result.stdout)]


def without_root_powers() -> None:
    """In the child: a new user namespace where root keeps owning its files but loses its power over permissions."""
    if os.geteuid() == 0 and LIBC.unshare(CLONE_NEWUSER) != 0:
        os._exit(SKIPPED)


def with_a_small_disk_at(folder: Path, size: str) -> Callable[[], None]:
    """In the child: ``folder`` becomes a tmpfs of ``size``, seen by this child alone."""
    uid, gid, target = os.getuid(), os.getgid(), bytes(folder)

    def preexec() -> None:
        if LIBC.unshare(CLONE_NEWUSER | CLONE_NEWNS) != 0:
            os._exit(SKIPPED)
        for name, line in (("setgroups", "deny"), ("uid_map", f"0 {uid} 1"), ("gid_map", f"0 {gid} 1")):
            fd = os.open(f"/proc/self/{name}", os.O_WRONLY)
            os.write(fd, line.encode())
            os.close(fd)
        if LIBC.mount(b"none", b"/", None, MS_REC | MS_PRIVATE, None) != 0:
            os._exit(SKIPPED)
        if LIBC.mount(b"tmpfs", target, b"tmpfs", 0, f"size={size}".encode()) != 0:
            os._exit(SKIPPED)

    return preexec


def notes(folder: Path, cards: int) -> Path:
    path = folder / "many.md"
    path.write_text(
        "# Many\n\n" + "".join(f"Question {i} :: answer {i} {'with some length ' * 8}\n" for i in range(cards)),
        encoding="utf-8",
    )
    return path


# -- read-only -----------------------------------------------------------------------------------


def test_a_read_only_database_file_is_one_clear_line_when_the_command_writes(home):
    """The folder is writable, the file is not: SQLite opens it read-only, and only the first write fails."""
    assert run("add", str(DECKS / "adam.md")).exit_code == 0
    db = home / "studycards.db"
    before = db.read_bytes()
    db.chmod(0o444)
    try:
        [(code, out, err), (listed, cards, _)] = commands_in(
            home, without_root_powers, ["add", str(DECKS / "facenet.md")], ["list", "--json"]
        )
    finally:
        db.chmod(0o644)
    assert (code, out) == (1, "")
    assert err.strip().startswith(f"Error: cannot write to {db}: attempt to write a readonly database")
    assert err.strip().endswith("; check the folder's permissions")
    assert listed == 0 and {c["deck"] for c in json.loads(cards)["cards"]} == {"Papers::Adam"}
    assert db.read_bytes() == before


# -- damaged -------------------------------------------------------------------------------------


ADVICE = (
    ": restore it from a backup, or move it away and add your notes again"
    " (they hold every card; the review history is in the database)"
)


def test_a_file_that_is_no_database_is_named_damaged_with_what_to_do(home):
    home.mkdir(parents=True)
    db = home / "studycards.db"
    db.write_bytes(b"My notes, saved over the database by mistake.\n" * 100)
    result = run("list")
    assert result.exit_code == 1
    assert result.stderr == f"Error: {db} is damaged or not a studycards database (file is not a database){ADVICE}\n"
    assert db.read_bytes() == b"My notes, saved over the database by mistake.\n" * 100


def test_damage_found_in_the_middle_of_a_command_reads_the_same(home):
    assert run("add", str(DECKS / "adam.md")).exit_code == 0
    db = home / "studycards.db"
    conn = sqlite3.connect(db)
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    page = conn.execute("PRAGMA page_size").fetchone()[0]
    [root] = conn.execute("SELECT rootpage FROM sqlite_master WHERE name = 'cards'").fetchone()
    conn.close()
    data = bytearray(db.read_bytes())
    data[(root - 1) * page : root * page] = b"\xff" * page
    db.write_bytes(bytes(data))
    result = run("list")
    assert result.exit_code == 1
    assert (
        result.stderr
        == f"Error: {db} is damaged or not a studycards database (database disk image is malformed){ADVICE}\n"
    )


# -- no space ------------------------------------------------------------------------------------


def test_a_full_disk_under_the_database_is_one_clear_line_and_keeps_the_collection(home, tmp_path):
    home.mkdir(parents=True)
    many = notes(tmp_path, 4000)
    runs = commands_in(
        home,
        with_a_small_disk_at(home, "768k"),
        ["add", str(DECKS / "adam.md")],
        ["add", str(many)],
        ["list", "--json"],
    )
    (first, _, problem), (code, out, err), (listed, cards, _) = runs
    assert first == 0, problem
    assert (code, out) == (1, "")
    assert err == f"Error: no space left on the disk to write {home / 'studycards.db'}: free some space and try again\n"
    assert listed == 0 and {c["deck"] for c in json.loads(cards)["cards"]} == {"Papers::Adam"}


def test_a_full_disk_under_an_export_is_one_clear_line(home, tmp_path):
    out_dir = tmp_path / "out"
    out_dir.mkdir()
    many = notes(tmp_path, 4000)
    assert run("add", str(many)).exit_code == 0
    [(code, out, err)] = commands_in(
        home, with_a_small_disk_at(out_dir, "64k"), ["export", "-o", str(out_dir / "cards.apkg")]
    )
    assert (code, out) == (1, "")
    package = out_dir / "cards.apkg"
    assert err.splitlines()[-1] == f"Error: no space left on the disk to write {package}: free some space and try again"


# -- decided by code, not by message -------------------------------------------------------------


@pytest.fixture
def conn(tmp_path):
    conn = sqlite3.connect(tmp_path / "t.db", isolation_level=None)
    yield conn
    conn.close()


def failure(conn: sqlite3.Connection, sql: str) -> sqlite3.Error:
    with pytest.raises(sqlite3.Error) as caught:
        conn.execute(sql)
    return caught.value


def test_a_message_that_only_looks_like_sqlites_is_not_taken_for_it(conn, tmp_path):
    conn.execute("CREATE TABLE t (x)")
    conn.execute("CREATE TRIGGER t_says BEFORE INSERT ON t BEGIN SELECT RAISE(ABORT, 'database is locked'); END")
    said_locked = failure(conn, "INSERT INTO t VALUES (1)")
    assert str(said_locked) == "database is locked"
    error = user_error(said_locked, tmp_path / "t.db")
    assert str(error) == "database error: database is locked" and not isinstance(error, BusyError)


def test_a_database_that_reaches_its_page_limit_is_out_of_space(conn, tmp_path):
    conn.execute("CREATE TABLE t (x)")
    conn.execute("PRAGMA max_page_count = 4")
    full = failure(conn, "INSERT INTO t VALUES (zeroblob(100000))")
    assert str(user_error(full, tmp_path / "t.db")) == (
        f"no space left on the disk to write {tmp_path / 't.db'}: free some space and try again"
    )


def test_a_lock_held_by_another_connection_is_busy(conn, tmp_path):
    conn.execute("CREATE TABLE t (x)")
    other = sqlite3.connect(tmp_path / "t.db", isolation_level=None, timeout=0)
    try:
        conn.execute("BEGIN IMMEDIATE")
        busy = failure(other, "BEGIN IMMEDIATE")
    finally:
        conn.execute("ROLLBACK")
        other.close()
    assert isinstance(user_error(busy, tmp_path / "t.db"), BusyError)


def test_errors_that_are_not_the_stores_are_left_alone(tmp_path):
    assert user_error(ValueError("no"), tmp_path) is None
    assert user_error(FileNotFoundError(2, "No such file or directory", "x"), tmp_path) is None


def test_a_disk_too_full_for_the_schema_is_one_clear_line_every_time(home):
    """The first migration cannot be written: each command says so (not that the half-made database is damaged)."""
    home.mkdir(parents=True)
    runs = commands_in(home, with_a_small_disk_at(home, "128k"), ["add", str(DECKS / "adam.md")], ["status"])
    no_space = f"Error: no space left on the disk to write {home / 'studycards.db'}: free some space and try again\n"
    assert runs == [(1, "", no_space), (1, "", no_space)]

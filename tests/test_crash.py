"""A user's worst day: ``studycards`` killed with SIGKILL while it writes.

``add`` of a large notes file is killed at random moments and at chosen points of
its write (as the write-ahead log grows); ``review`` is killed right after grades.
Every time the database opens, passes ``PRAGMA integrity_check``, holds the whole
import or none of it, and every grade given before the kill.
"""

from __future__ import annotations

import os
import random
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from datetime import date, datetime
from pathlib import Path

import pexpect

from studycards.models import CardState
from studycards.sm2 import schedule
from studycards.store.database import open_store
from studycards.store.migrations import MIGRATIONS
from tests.benchmarks.generate import notes_text
from tests.paths import DECKS

NOW = "2026-11-23T09:00"
DAY = date(2026, 11, 23)
BIG = 5000  # cards in the large notes file: a write of about 3 MB


def make_template(cli, home: Path) -> None:
    """A collection with history: the Adam deck, three cards graded yesterday."""
    result = cli("--home", home, "add", DECKS / "adam.md", now="2026-11-22T09:00")
    assert result.exit_code == 0, result.output
    with open_store(home) as store:
        for card, grade in zip(store.cards.select()[:3], (5, 3, 1)):
            moment = datetime(2026, 11, 22, 9, 0)
            after = schedule(card.state, grade, moment.date())
            store.reviews.record(card.id, grade, moment.date(), moment, 900, card.state, after, redrill=False)


def contents(db: Path) -> dict[str, list[tuple]]:
    """Everything a user would miss, read with plain SQLite (which recovers a killed writer's log)."""
    conn = sqlite3.connect(db)
    try:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        assert conn.execute("PRAGMA foreign_key_check").fetchall() == []
        return {
            "cards": conn.execute(
                "SELECT id, key, deck, front, back, retired, ef, repetitions, interval, due FROM cards ORDER BY id"
            ).fetchall(),
            "reviews": conn.execute("SELECT * FROM reviews ORDER BY id").fetchall(),
            "questions": conn.execute("SELECT id, key, status FROM questions ORDER BY id").fetchall(),
            "files": conn.execute("SELECT path, sha256 FROM files ORDER BY path").fetchall(),
        }
    finally:
        conn.close()


def start(home: Path, *args: str) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "studycards", *args],
        env={**os.environ, "STUDYCARDS_HOME": str(home)},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def kill_when(process: subprocess.Popen, ready, timeout: float = 60) -> bool:
    """SIGKILL ``process`` as soon as ``ready()`` holds; False if it ended first."""
    deadline = time.monotonic() + timeout
    while process.poll() is None:
        if ready() or time.monotonic() > deadline:
            process.send_signal(signal.SIGKILL)
            process.wait()
            return True
        time.sleep(0.0005)
    return False


def wal_size(home: Path) -> int:
    try:
        return (home / "studycards.db-wal").stat().st_size
    except FileNotFoundError:
        return 0


def test_add_killed_at_any_moment_lands_whole_or_not_at_all(cli, tmp_path):
    big = tmp_path / "big.md"
    big.write_text(notes_text(BIG), encoding="utf-8")
    template = tmp_path / "template"
    make_template(cli, template)
    before = contents(template / "studycards.db")
    rng = random.Random(20261123)
    # (how, when): after a random delay; once the log holds that many bytes of the import (mid-write); or
    # once the database file itself grows (the import is committed and being copied in from the log)
    kills = (
        [("delay", rng.uniform(0.05, 1.5)) for _ in range(4)]
        + [("wal", size) for size in (1, 64_000, 500_000, 1_200_000, 2_000_000, 2_800_000)]
        + [("checkpoint", 1)]
    )
    outcomes = []
    for number, (how, when) in enumerate(kills):
        home = tmp_path / f"home{number}"
        shutil.copytree(template, home)
        start_size = wal_size(home)
        process = start(home, "add", str(big))
        started = time.monotonic()
        db_size = (home / "studycards.db").stat().st_size
        if how == "delay":
            killed = kill_when(process, lambda started=started, when=when: time.monotonic() - started >= when)
        elif how == "wal":
            killed = kill_when(process, lambda home=home, base=start_size + when: wal_size(home) > base)
        else:
            killed = kill_when(process, lambda db=home / "studycards.db", size=db_size: db.stat().st_size > size)
        mid_write = killed and wal_size(home) > start_size
        after = contents(home / "studycards.db")
        assert after["reviews"] == before["reviews"], (how, when)
        assert after["cards"][: len(before["cards"])] == before["cards"], (how, when)
        added = len(after["cards"]) - len(before["cards"])
        assert added in (0, BIG), (how, when, added)
        assert len(after["questions"]) - len(before["questions"]) == (1 if added else 0)
        assert len(after["files"]) - len(before["files"]) == (1 if added else 0)
        assert killed or added == BIG
        if how == "checkpoint":
            assert added == BIG  # committed before the kill: recovered from the log
        outcomes.append((how, when, killed, mid_write, added))
        with open_store(home) as store:  # and studycards itself carries on
            assert store.conn.execute("PRAGMA user_version").fetchone()[0] == len(MIGRATIONS)
        if number == 0:
            again = subprocess.run(
                [sys.executable, "-m", "studycards", "add", str(big)],
                capture_output=True,
                text=True,
                env={**os.environ, "STUDYCARDS_HOME": str(home)},
                timeout=120,
            )
            assert again.returncode == 0, again.stderr
            assert len(contents(home / "studycards.db")["cards"]) == len(before["cards"]) + BIG
    assert any(added == 0 for *_, added in outcomes), outcomes
    assert any(mid_write and added == 0 for *_, mid_write, added in outcomes), outcomes  # killed inside the write


def test_first_use_killed_leaves_a_database_that_opens(cli, tmp_path):
    """Killed while it creates the database and its schema: the next run finds all of the schema or none."""
    for number, delay in enumerate((0.0, 0.002, 0.01, 0.03)):
        home = tmp_path / f"fresh{number}"
        process = start(home, "add", str(DECKS / "adam.md"))
        appeared: list[float] = []

        def ready(db: Path = home / "studycards.db", delay: float = delay, appeared: list[float] = appeared) -> bool:
            if not appeared and db.exists():
                appeared.append(time.monotonic())
            return bool(appeared) and time.monotonic() - appeared[0] >= delay

        kill_when(process, ready)
        if (home / "studycards.db").exists():
            conn = sqlite3.connect(home / "studycards.db")
            try:
                assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
                version = conn.execute("PRAGMA user_version").fetchone()[0]
                tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
                assert ("cards" in tables) == (version >= 1) and ("exported_notes" in tables) == (version >= 2)
            finally:
                conn.close()
        result = cli("--home", home, "add", DECKS / "adam.md")
        assert result.exit_code == 0, result.output
        assert len(contents(home / "studycards.db")["cards"]) == 23


def test_review_killed_right_after_a_grade_keeps_every_grade_given(cli, tmp_path):
    template = tmp_path / "template"
    make_template(cli, template)
    rng = random.Random(7)
    for number, confirmed in enumerate((0, 1, 3, 5)):
        home = tmp_path / f"home{number}"
        shutil.copytree(template, home)
        before = contents(home / "studycards.db")
        child = pexpect.spawn(
            sys.executable,
            ["-m", "studycards", "review", "--new", "8"],
            encoding="utf-8",
            timeout=15,
            dimensions=(40, 100),
            env={**os.environ, "STUDYCARDS_HOME": str(home), "STUDYCARDS_NOW": NOW},
        )
        try:
            grades = [rng.randint(0, 5) for _ in range(confirmed + 1)]
            child.expect_exact("[space] show answer")
            for position, grade in enumerate(grades, start=1):
                child.send(" ")
                child.expect_exact(" again")  # the grade legend after the reveal
                child.send(str(grade))
                if position <= confirmed:  # the next card is on screen: this grade is saved
                    child.expect_exact("[space] show answer")
            time.sleep(rng.uniform(0, 0.05))  # the last grade: killed just after the key
            child.kill(signal.SIGKILL)
        finally:
            child.close(force=True)
        after = contents(home / "studycards.db")
        assert after["reviews"][: len(before["reviews"])] == before["reviews"]
        new_reviews = after["reviews"][len(before["reviews"]) :]
        assert [r[4] for r in new_reviews] in (grades[:confirmed], grades), (grades, new_reviews)
        with open_store(home) as store:  # each card is exactly where its logged grades put it
            for card in store.cards.select():
                log = store.reviews.log(card.id)
                expected = log[-1].after if log else CardState()
                assert card.state == expected
                for review in log:
                    if not review.redrill:
                        assert review.after == schedule(review.before, review.grade, review.day)

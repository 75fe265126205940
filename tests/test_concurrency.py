"""Two studycards on one home at the same moment: no "database is locked" traceback, and no grade lost.

A second writer waits for the first (SQLite's busy timeout); past the timeout it
says that the collection is busy, in one line, and a review keeps its card on
screen so the grade can be given again.
"""

from __future__ import annotations

import io
import os
import sqlite3
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, datetime
from pathlib import Path

import pexpect
import pytest
from click.testing import CliRunner

from studycards.cli import main
from studycards.errors import StudycardsError
from studycards.models import CardState
from studycards.notes.importer import apply_plan, plan_import
from studycards.review.session import Session
from studycards.sm2 import schedule
from studycards.store import database as store_module
from studycards.store.database import open_store
from studycards.store.migrations import MIGRATIONS
from tests.benchmarks.generate import notes_text
from tests.displays import Recorder
from tests.paths import DECKS

NOW = "2026-11-23T09:00"
DAY = date(2026, 11, 23)
MORNING = datetime(2026, 11, 23, 9, 0)
BUSY = "Error: the collection is busy: another studycards is writing to it; try again in a moment"


@pytest.fixture
def adam(home: Path) -> Path:
    result = CliRunner().invoke(main, ["add", str(DECKS / "adam.md")], env={"STUDYCARDS_NOW": NOW})
    assert result.exit_code == 0, result.output
    return home


@contextmanager
def held(home: Path, seconds: float | None = None) -> Iterator[sqlite3.Connection]:
    """Another writer holding the collection's write lock (for ``seconds``, from a thread, if given)."""
    conn = sqlite3.connect(home / "studycards.db", isolation_level=None, check_same_thread=False)
    conn.execute("BEGIN IMMEDIATE")
    conn.execute("UPDATE cards SET line = line")
    release = threading.Timer(seconds, lambda: conn.execute("COMMIT")) if seconds else None
    try:
        if release:
            release.start()
        yield conn
    finally:
        if release:
            release.join()
        else:
            conn.execute("COMMIT")
        conn.close()


def log(home: Path) -> dict[int, list[tuple[int, bool]]]:
    with open_store(home) as store:
        found: dict[int, list[tuple[int, bool]]] = {}
        for review in store.reviews.log():
            found.setdefault(review.card_id, []).append((review.grade, review.redrill))
        return found


def spawn(*args: str) -> pexpect.spawn:
    """A review in a pseudo-terminal; ``child.logfile_read`` keeps all it printed."""
    child = pexpect.spawn(
        sys.executable,
        ["-m", "studycards", "review", *args],
        encoding="utf-8",
        timeout=15,
        dimensions=(40, 100),
        env={**os.environ, "STUDYCARDS_NOW": NOW},
    )
    child.logfile_read = io.StringIO()
    return child


# -- first use ------------------------------------------------------------------


def test_several_first_uses_at_once_create_the_schema_once(tmp_path):
    """Four commands starting on a fresh home: each waits for the first to build the schema."""
    for attempt in range(10):
        barrier = threading.Barrier(4)
        outcomes: list[str] = []

        def first_use(
            home: Path = tmp_path / f"fresh{attempt}",
            barrier: threading.Barrier = barrier,
            outcomes: list[str] = outcomes,
        ) -> None:
            barrier.wait()
            try:
                with open_store(home) as store:
                    outcomes.append(str(store.conn.execute("PRAGMA user_version").fetchone()[0]))
            except Exception as exc:
                outcomes.append(f"{type(exc).__name__}: {exc}")

        threads = [threading.Thread(target=first_use) for _ in range(4)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert outcomes == [str(len(MIGRATIONS))] * 4


def test_two_adds_on_a_fresh_home_at_once(home, tmp_path):
    other = tmp_path / "other.md"
    other.write_text(notes_text(300), encoding="utf-8")
    runs = [
        subprocess.Popen(
            [sys.executable, "-m", "studycards", "add", str(path)],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for path in (DECKS / "adam.md", other)
    ]
    for run in runs:
        _, err = run.communicate(timeout=60)
        assert run.returncode == 0, err
        assert err == ""
    with open_store(home) as store:
        assert len(store.cards.select()) == 23 + len([c for c in store.cards.select() if c.deck == "Bench::Generated"])
        assert {c.deck for c in store.cards.select()} == {"Papers::Adam", "Bench::Generated"}


# -- two review sessions -----------------------------------------------------------


def test_two_sessions_grading_the_same_card_lose_neither_grade(adam):
    """The day's first grade schedules, wherever it was given; the other session's grade is a logged re-drill."""
    with open_store(adam) as one, open_store(adam) as two:
        first, second = Session(one, DAY, lambda: MORNING, new=3), Session(two, DAY, lambda: MORNING, new=3)
        card = first.queue[0].card
        assert second.queue[0].card.id == card.id
        for session, grade in ((first, 5), (second, 3)):
            session.handle("\n", Recorder())
            session.handle(str(grade), Recorder())
        assert one.cards.get(card.id).state == schedule(CardState(), 5, DAY)
        assert log(adam)[card.id] == [(5, False), (3, True)]
        assert [c.id for c in one.today.redrills(DAY)] == [card.id]  # 3 < 4: it comes back today

        second.handle("\n", Recorder())  # the next card: graded by the second session first this time
        second.handle("2", Recorder())
        first.handle("\n", Recorder())
        first.handle("4", Recorder())
        other = first.answers[-1].item.card
        assert one.cards.get(other.id).state == schedule(CardState(), 2, DAY)
        assert log(adam)[other.id] == [(2, False), (4, True)]


def test_a_card_read_ahead_while_its_answer_shows_is_read_again_once_another_session_graded_it(adam):
    """The session reads the card its grade needs while the answer is on screen; a grade given meanwhile in
    another session makes this one a re-drill all the same, as when the card is read at the grade."""
    with open_store(adam) as one, open_store(adam) as two:
        first, second = Session(one, DAY, lambda: MORNING, new=3), Session(two, DAY, lambda: MORNING, new=3)
        card = first.queue[0].card
        keys = iter(["\n", "5", "q"])

        def key() -> str:
            pressed = next(keys)
            if pressed == "5":  # first's answer is on screen: the other session grades the card now
                second.handle("\n", Recorder())
                second.handle("2", Recorder())
            return pressed

        first.run(key, Recorder())
        assert log(adam)[card.id] == [(2, False), (5, True)]
        assert one.cards.get(card.id).state == schedule(CardState(), 2, DAY)


def test_undo_after_another_session_graded_the_card_keeps_both_grades(adam):
    with open_store(adam) as one, open_store(adam) as two:
        first, second = Session(one, DAY, lambda: MORNING, new=3), Session(two, DAY, lambda: MORNING, new=3)
        card = first.queue[0].card
        for session, grade in ((first, 3), (second, 4)):
            session.handle("\n", Recorder())
            session.handle(str(grade), Recorder())
        first.handle("u", Recorder())
        assert "Not undone: the card was graded again since, in another session" in first.frame().notice
        assert one.cards.get(card.id).state == schedule(CardState(), 3, DAY)
        assert log(adam)[card.id] == [(3, False), (4, True)]
        second.handle("u", Recorder())  # the latest grade can still be taken back where it was given
        assert log(adam)[card.id] == [(3, False)]


def test_two_review_processes_at_the_same_moment(adam):
    a, b = spawn("--new", "4"), spawn("--new", "4")
    try:
        for child in (a, b):
            child.expect_exact("1 / 4")
            child.expect_exact("[space] show answer")
        for position, (grade_a, grade_b) in enumerate(((5, 3), (4, 5), (2, 4), (5, 5)), start=2):
            for child in (a, b):
                child.send(" ")
            for child in (a, b):
                child.expect_exact(" again")  # the grade legend after the reveal
            a.send(str(grade_a))  # both grades at once: either may reach the collection first
            b.send(str(grade_b))
            for child in (a, b):
                child.expect(rf"(No more cards|{position} / \d)" if position <= 4 else r"(No more cards|re-drill)")
        for child in (a, b):
            child.send("q")
            child.expect(pexpect.EOF)
            child.close()
            assert child.exitstatus == 0
            printed = child.logfile_read.getvalue()
            assert "Traceback" not in printed and "locked" not in printed and "Error" not in printed
    finally:
        a.close(force=True)
        b.close(force=True)
    grades = log(adam)
    assert len(grades) == 4 and all(len(g) == 2 for g in grades.values())
    with open_store(adam) as store:
        for card_id, given in grades.items():
            [first] = [grade for grade, redrill in given if not redrill]  # exactly one grade schedules
            assert store.cards.get(card_id).state == schedule(CardState(), first, DAY)


def test_review_while_add_writes_a_large_file(adam, tmp_path):
    big = tmp_path / "big.md"
    big.write_text(notes_text(3000), encoding="utf-8")
    child = spawn("--new", "6")
    child.expect_exact("1 / 6")
    adding = subprocess.Popen(
        [sys.executable, "-m", "studycards", "add", str(big)], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    wal = adam / "studycards.db-wal"
    start = wal.stat().st_size if wal.exists() else 0
    deadline = time.monotonic() + 30
    while adding.poll() is None and time.monotonic() < deadline:  # grade as soon as add starts writing
        if wal.exists() and wal.stat().st_size > start + 200_000:
            break
        time.sleep(0.001)
    for position in range(2, 6):
        child.send(" ")
        child.expect_exact(" again")  # the grade legend after the reveal
        child.send("5")
        child.expect_exact(f"{position} / 6")
    child.send("q")
    child.expect(pexpect.EOF)
    child.close()
    out, err = adding.communicate(timeout=60)
    assert adding.returncode == 0 and err == "", err
    assert child.exitstatus == 0 and "Traceback" not in child.logfile_read.getvalue()
    assert out.startswith("Added 3000 cards")
    assert sum(len(g) for g in log(adam).values()) == 4


# -- a writer that takes long -------------------------------------------------------


def test_a_second_writer_waits_for_the_first(adam):
    started = time.monotonic()
    with held(adam, seconds=1.5):
        result = subprocess.run(
            [sys.executable, "-m", "studycards", "add", str(DECKS / "facenet.md")],
            capture_output=True,
            text=True,
            timeout=60,
        )
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("Added")
    assert time.monotonic() - started >= 1.5


@pytest.fixture
def short_timeout(monkeypatch: pytest.MonkeyPatch) -> None:
    """A busy timeout of 0.2 s instead of 5 s, so that a lock held longer is quick to test."""
    monkeypatch.setattr(store_module, "BUSY_TIMEOUT_MS", 200)


def test_add_past_the_busy_timeout_says_the_collection_is_busy(adam, short_timeout):
    before = log(adam), len(CliRunner().invoke(main, ["list", "--json"]).stdout)
    with held(adam):
        result = CliRunner().invoke(main, ["add", str(DECKS / "facenet.md")])
        assert result.exit_code == 1
        assert result.stderr.strip() == BUSY
        reading = CliRunner().invoke(main, ["status"])  # readers never wait for a writer
        assert reading.exit_code == 0 and "Papers::Adam" in reading.stdout
    assert (log(adam), len(CliRunner().invoke(main, ["list", "--json"]).stdout)) == before


def test_re_adding_unchanged_notes_does_not_wait_for_a_writer(adam, short_timeout):
    with held(adam):
        result = CliRunner().invoke(main, ["add", str(DECKS / "adam.md")])
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("No changes")


def test_a_search_while_new_cards_wait_to_be_indexed_and_another_writer_holds_on_says_it_is_busy(
    home, background, short_timeout, monkeypatch
):
    """A search indexes what ``add`` left to the background before it asks, so that it misses no card: past the
    busy timeout it says the collection is busy, in one line, rather than answer without those cards."""
    from studycards.mathtext import drawer

    monkeypatch.setattr(drawer, "start", lambda home: None)  # no background process: the new cards wait
    assert CliRunner().invoke(main, ["add", str(DECKS / "adam.md")], env={"STUDYCARDS_NOW": NOW}).exit_code == 0
    with held(home):
        busy = CliRunner().invoke(main, ["search", "moment"])
        assert busy.exit_code == 1 and busy.stderr.strip() == BUSY
    found = CliRunner().invoke(main, ["search", "moment"])
    assert found.exit_code == 0 and "Papers::Adam" in found.stdout and "[moment]" in found.stdout


def test_a_grade_past_the_busy_timeout_keeps_the_card_to_grade_again(adam, short_timeout):
    with open_store(adam) as store:
        session = Session(store, DAY, lambda: MORNING, new=3)
        card = session.queue[0].card
        display = Recorder()
        session.handle("\n", display)
        with held(adam):
            assert session.handle("4", display) is True
        assert display.said[-1].startswith("The collection is busy")
        assert session.queue[0].card.id == card.id and session.answers == []
        assert store.reviews.log() == []
        session.handle("4", display)  # the answer is still shown: grading again works once it is free
        assert [(r.card_id, r.grade) for r in store.reviews.log()] == [(card.id, 4)]
        with held(adam):
            session.handle("u", display)
        assert display.said[-1].startswith("The collection is busy")
        assert len(store.reviews.log()) == 1
        session.handle("u", display)
        assert store.reviews.log() == [] and store.cards.get(card.id).state == CardState()


def test_an_edit_re_added_while_the_collection_is_busy_keeps_the_session(home, tmp_path, short_timeout):
    notes = tmp_path / "adam.md"
    notes.write_text((DECKS / "adam.md").read_text())
    assert CliRunner().invoke(main, ["add", str(notes)], env={"STUDYCARDS_NOW": NOW}).exit_code == 0

    def editor(path: str, line: int) -> None:
        if "Added while busy" not in notes.read_text():
            notes.write_text(notes.read_text() + "\nAdded while busy :: a new back\n")

    with open_store(home) as store:
        session = Session(store, DAY, lambda: MORNING, new=3, open_editor=editor)
        card = session.queue[0].card
        display = Recorder()
        with held(home):
            assert session.handle("e", display) is True
        notice = session.frame().notice
        assert "the collection is busy" in notice and "press e again" in notice
        assert session.queue[0].card.id == card.id
        session.handle("e", display)  # free again: the edit lands
        assert any(c.front == "Added while busy" for c in store.cards.select())


def test_a_review_piped_while_the_collection_is_busy(adam, short_timeout):
    with held(adam):
        result = CliRunner().invoke(main, ["review", "--new", "2"], input="\n5\n", env={"STUDYCARDS_NOW": NOW})
    assert result.exit_code == 0, result.output
    assert "The collection is busy" in result.stdout
    assert "Traceback" not in result.output
    assert log(adam) == {}


def test_an_exclusive_lock_taken_by_another_program_is_one_clear_line(adam, short_timeout):
    """A database browser holding an exclusive lock blocks even readers: every command says so."""
    conn = sqlite3.connect(adam / "studycards.db", isolation_level=None)
    try:
        conn.execute("PRAGMA locking_mode = EXCLUSIVE")
        conn.execute("BEGIN EXCLUSIVE")
        conn.execute("UPDATE cards SET line = line")
        for args in (["status"], ["list"], ["questions"], ["review"], ["add", str(DECKS / "adam.md")]):
            result = CliRunner().invoke(main, args, input="")
            assert result.exit_code == 1, args
            assert result.stderr.strip() == BUSY, args
    finally:
        conn.execute("COMMIT")
        conn.close()


# -- the same notes added twice at once ---------------------------------------------


def test_a_plan_outdated_by_another_add_is_refused_clearly_and_writes_nothing(home):
    with open_store(home) as one, open_store(home) as two:
        first = plan_import(one, [str(DECKS / "adam.md")])
        second = plan_import(two, [str(DECKS / "adam.md")])
        apply_plan(one, first, MORNING)
        with pytest.raises(StudycardsError, match="changed while"):
            apply_plan(two, second, MORNING)
        assert len(two.cards.select()) == 23


def test_the_same_notes_added_twice_at_once(tmp_path, monkeypatch):
    notes = tmp_path / "big.md"
    notes.write_text(notes_text(800), encoding="utf-8")
    for attempt in range(2):
        monkeypatch.setenv("STUDYCARDS_HOME", str(tmp_path / f"home{attempt}"))
        runs = [
            subprocess.Popen(
                [sys.executable, "-m", "studycards", "add", str(notes)],
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
            )
            for _ in range(2)
        ]
        outputs = [run.communicate(timeout=60) for run in runs]
        assert [run.returncode for run in runs] == [0, 0], outputs
        assert sorted(out.split(",")[0] for out, _ in outputs) == ["Added 800 cards", "No changes: 1 file checked"]

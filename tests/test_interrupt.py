"""Ctrl-C during a large `add`: one clear line, no traceback, all or nothing (and the drawer it started, in a
session of its own, never hears it: ``test_drawer.py``)."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from studycards.cli import main
from tests.benchmarks.generate import write_notes
from tests.paths import DECKS

ADAM_CARDS = 23  # the cards of the sample deck adam.md


def interrupt(*args: object, **kwargs: object) -> None:
    """Stands in for a step of ``add``: a Ctrl-C arrives there."""
    raise KeyboardInterrupt


def cards_in(home: Path) -> int:
    db = home / "studycards.db"
    if not db.exists():
        return 0
    with sqlite3.connect(db) as conn:
        return conn.execute("SELECT COUNT(*) FROM cards").fetchone()[0]


def test_ctrl_c_during_a_large_add(home: Path, tmp_path: Path) -> None:
    notes = write_notes(tmp_path / "notes", 6_000)  # long enough to be interrupted while reading or writing
    total = None
    for delay in (0.4, 0.8):
        proc = subprocess.Popen(
            [sys.executable, "-m", "studycards", "add", str(notes)],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            start_new_session=True,
        )
        time.sleep(delay)
        os.killpg(proc.pid, signal.SIGINT)  # as a terminal's Ctrl-C: the whole process group
        out, err = proc.communicate(timeout=60)
        assert "Traceback" not in err, err
        if proc.returncode == 130 and "the notes were added before it" in err:  # as the write ended, or after
            total = cards_in(home)
            assert total == 6_000
        elif proc.returncode == 130:
            assert "Interrupted; nothing was added" in err
            assert cards_in(home) in (0, total or 0)
        else:
            assert proc.returncode == 0, err
            total = cards_in(home)
            assert total and out.startswith(("Added", "No changes"))


@pytest.mark.parametrize("where", ["as the commit returns", "after the write", "while add says what it did"])
def test_a_ctrl_c_once_the_write_has_landed_says_the_notes_were_added(home, background, monkeypatch, where):
    """A Ctrl-C that lands just after the commit (before add has returned) or while add says what it did must
    not say that nothing was added: the cards are in."""
    from studycards.store import database
    from studycards.store.drawings import Drawings

    if where == "as the commit returns":
        committed = database.Transaction.__exit__

        def exit_then_interrupt(self, kind, *exc):  # the signal arrives on the commit's very return
            committed(self, kind, *exc)
            if kind is None and not self._store._depth:
                raise KeyboardInterrupt

        monkeypatch.setattr(database.Transaction, "__exit__", exit_then_interrupt)
    elif where == "after the write":
        monkeypatch.setattr(Drawings, "count_pending", interrupt)
    else:
        monkeypatch.setattr(database, "status_of", interrupt)
    monkeypatch.setattr("studycards.mathtext.drawer.start", lambda home: None)
    result = CliRunner().invoke(main, ["add", str(DECKS / "adam.md")])
    assert result.exit_code == 130
    assert result.stderr.strip() == "Interrupted; the notes were added before it (studycards status shows them)."
    assert cards_in(home) == ADAM_CARDS


def test_a_ctrl_c_before_the_write_lands_adds_nothing_and_says_so(home, monkeypatch):
    from studycards.store.cards import Cards

    monkeypatch.setattr(Cards, "retire", interrupt)  # inside the write, after the cards' rows
    result = CliRunner().invoke(main, ["add", str(DECKS / "adam.md")])
    assert result.exit_code == 130
    assert result.stderr.strip() == "Interrupted; nothing was added (run add again to add the notes)."
    assert cards_in(home) == 0

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

from tests.benchmarks.generate import write_notes


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
        if proc.returncode == 130:
            assert "Interrupted" in err
            assert cards_in(home) in (0, total or 0)
        else:
            assert proc.returncode == 0, err
            total = cards_in(home)
            assert total and out.startswith(("Added", "No changes"))

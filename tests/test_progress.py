"""Progress of long work: a status line on a terminal's stderr, nothing at all in a pipe, cleared however it ends.

The helper is checked on a stream that says it is a terminal, and each command that uses it in a real
pseudo-terminal (pexpect), beside the same command in a pipe.
"""

from __future__ import annotations

import io
import os
import re
import signal
import sys
from pathlib import Path

import pexpect
import pytest

from studycards.cli.progress import CLEAR, FRAMES, Progress, fitted
from tests.arxiv_server import ArxivServer

NOW = "2026-11-23T09:00:00"


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_a_pipe_gets_nothing_at_all():
    pipe = io.StringIO()
    with Progress(pipe) as progress:
        progress.count("Exporting notes", 10, 100)
        progress.note("arXiv answered HTTP 503; retry 1 of 3 in 3 s")
        progress.spin("Waiting for arXiv")
    assert pipe.getvalue() == ""


def test_on_a_terminal_the_line_is_redrawn_in_place_and_cleared_at_the_end():
    screen = Terminal()
    with Progress(screen) as progress:
        progress.count("Exporting notes", 100, 200)
        progress.count("Exporting notes", 200, 200)  # the last state is always drawn
    assert screen.getvalue() == f"{CLEAR}Exporting notes: 100 of 200{CLEAR}Exporting notes: 200 of 200{CLEAR}"


def test_a_note_stays_above_the_status_line_which_is_drawn_again():
    screen = Terminal()
    with Progress(screen) as progress:
        progress.show("Downloading", force=True)
        progress.note("retry 1 of 3 in 3 s")
    assert screen.getvalue() == f"{CLEAR}Downloading{CLEAR}retry 1 of 3 in 3 s\n{CLEAR}Downloading{CLEAR}"


def test_a_spinner_turns_until_the_work_ends_and_leaves_a_clean_line():
    screen = Terminal()
    with Progress(screen) as progress:
        progress.spin("Waiting for the arXiv API")
        import time

        time.sleep(0.35)
    frames = re.findall(r"\r\x1b\[K(\S) Waiting for the arXiv API", screen.getvalue())
    assert len(frames) >= 2 and frames[0] != frames[1]
    assert screen.getvalue().endswith(CLEAR)


def test_a_ctrl_c_in_the_middle_still_clears_the_line():
    screen = Terminal()
    with pytest.raises(KeyboardInterrupt), Progress(screen) as progress:
        progress.spin("Waiting")
        raise KeyboardInterrupt
    assert screen.getvalue().endswith(CLEAR)


class CtrlCInWrite(Terminal):
    """A terminal where the Ctrl-C lands inside the write that draws ``at``, once the user already sees it."""

    def __init__(self, at: str) -> None:
        super().__init__()
        self.at = at

    def write(self, text: str) -> int:
        written = super().write(text)
        if self.at and self.at in text:
            self.at = ""
            raise KeyboardInterrupt
        return written


def test_a_ctrl_c_landing_inside_the_first_frame_still_clears_it():
    screen = CtrlCInWrite("Waiting for the arXiv API")
    with pytest.raises(KeyboardInterrupt), Progress(screen) as progress:
        progress.spin("Waiting for the arXiv API")
    assert screen.getvalue() == f"{CLEAR}{FRAMES[0]} Waiting for the arXiv API{CLEAR}"


SWALLOWS_CTRL_C = """
import signal
try:
    signal.raise_signal(signal.SIGINT)  # a Ctrl-C pressed while this module sets itself up...
    sum(range(10))  # ...and raised here, at the next check
except BaseException:
    pass  # ...is swallowed, as lxml.etree's set-up (imported by the arxiv library) does
"""


def test_a_ctrl_c_during_the_import_of_the_arxiv_library_is_not_lost(tmp_path: Path, monkeypatch):
    from studycards.paper.network import import_keeping_ctrl_c

    (tmp_path / "swallower_plain.py").write_text(SWALLOWS_CTRL_C, encoding="utf-8")
    (tmp_path / "swallower_kept.py").write_text(SWALLOWS_CTRL_C, encoding="utf-8")
    monkeypatch.syspath_prepend(str(tmp_path))
    import importlib

    importlib.import_module("swallower_plain")  # what a plain import does: the Ctrl-C is gone
    with pytest.raises(KeyboardInterrupt):
        import_keeping_ctrl_c("swallower_kept")
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler  # the usual handler is back


@pytest.mark.parametrize(
    ("text", "columns", "shown"),
    [
        ("short", 80, "short"),
        ("Downloading the source of 1706.03762v7", 20, "Downloading the so…"),
        ("注意力機制注意力機制", 10, "注意力機…"),  # two cells each: 4 of them and the ellipsis fit in 9
    ],
)
def test_the_line_fits_the_terminal_so_it_never_wraps(text, columns, shown):
    assert fitted(text, columns) == shown


def spawn_cli(*args: str, env: dict | None = None, cwd: Path | None = None) -> pexpect.spawn:
    return pexpect.spawn(
        sys.executable,
        ["-m", "studycards", *args],
        encoding="utf-8",
        timeout=30,
        dimensions=(24, 200),
        env={
            **{k: v for k, v in os.environ.items() if k not in ("COLUMNS", "LINES")},
            "STUDYCARDS_NOW": NOW,
            **(env or {}),
        },
        cwd=str(cwd) if cwd else None,
    )


def test_fetch_on_a_terminal_shows_what_it_waits_for_and_each_retry(arxiv_server: ArxivServer, home: Path):
    arxiv_server.fail(503)
    child = spawn_cli("fetch", "1706.03762")
    child.expect_exact("Waiting for the arXiv API (")
    child.expect_exact("answered HTTP 503; retry 1 of 3 in 0.05 s\r\n")
    child.expect_exact("(retry 1 of 3)")
    child.expect_exact("Downloading the source of 1706.03762v7:")
    child.expect_exact("1706.03762v7  Attention Is All You Need")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0


def test_fetch_in_a_pipe_prints_no_progress(cli, arxiv_server: ArxivServer):
    arxiv_server.fail(503)
    result = cli("fetch", "1706.03762")
    assert result.exit_code == 0, result.output
    assert result.stderr == ""
    assert result.stdout.startswith("1706.03762v7  Attention Is All You Need\n")


def many_cards(tmp_path: Path, count: int) -> Path:
    notes = tmp_path / "many.md"
    notes.write_text("# Many\n\n" + "".join(f"Question {i} :: Answer {i}\n" for i in range(count)), encoding="utf-8")
    return notes


def test_export_on_a_terminal_counts_the_notes_and_a_pipe_sees_only_the_report(cli, tmp_path: Path):
    assert cli("add", many_cards(tmp_path, 1200)).exit_code == 0
    child = spawn_cli("export", "-o", str(tmp_path / "out.apkg"))
    child.expect_exact("Exporting notes: 500 of 1,200")
    child.expect_exact("Exporting notes: 1,200 of 1,200")
    child.expect_exact(CLEAR)
    child.expect_exact("Exported 1200 notes")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0
    result = cli("export", "-o", tmp_path / "again.apkg")
    assert result.exit_code == 0 and result.stderr == ""


def cards_in(home: Path) -> int:
    import sqlite3
    from contextlib import closing

    if not (home / "studycards.db").exists():
        return 0
    with closing(sqlite3.connect(home / "studycards.db")) as conn:
        return conn.execute("SELECT COUNT(*) FROM cards").fetchone()[0]


def test_a_large_add_shows_its_steps_and_ctrl_c_says_nothing_was_added(home: Path, tmp_path: Path):
    from tests.benchmarks.generate import write_notes

    notes = write_notes(tmp_path / "notes", 6_000)
    child = spawn_cli("add", str(notes))
    child.expect_exact(f"Reading {notes}")
    child.sendintr()
    child.expect_exact("Interrupted; nothing was added (run add again to add the notes).")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 130
    assert "Traceback" not in child.before
    assert cards_in(home) == 0
    child = spawn_cli("add", str(notes))
    child.expect_exact("Writing 6000 cards")
    child.expect_exact("Added 6000 cards")
    child.expect_exact("Drawing 6 equations in the background.")  # sympy works after add, not during it
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0 and cards_in(home) == 6000


def test_add_drawing_its_equations_itself_says_so_on_a_terminal(home: Path, tmp_path: Path):
    """With ``draw_math = "at add"`` sympy's drawing is one of add's steps, shown as the others are."""
    from tests.test_drawer import fractions

    home.mkdir()
    (home / "config.toml").write_text('draw_math = "at add"\n')
    notes = tmp_path / "fractions.md"
    notes.write_text(fractions(40))
    child = spawn_cli("add", str(notes))
    child.expect_exact("Drawing equations: 0 of 40")
    child.expect_exact("Added 40 cards")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0 and "background" not in child.before


def test_ctrl_c_while_add_draws_its_equations_keeps_the_cards_and_leaves_the_rest_to_the_background(
    home: Path, tmp_path: Path
):
    """The cards are written before the drawing starts: a Ctrl-C then stops only the drawing, which a drawer
    in the background finishes."""
    from tests.test_drawer import fractions, pending, wait_until_drawn

    home.mkdir()
    (home / "config.toml").write_text('draw_math = "at add"\n')
    notes = tmp_path / "fractions.md"
    notes.write_text(fractions(300))
    child = spawn_cli("add", str(notes))
    child.expect(r"Drawing equations: [1-9]\d* of 300")  # some are drawn
    child.sendintr()
    child.expect(r"Added 300 cards .*\r\nDrawing (\d+) equations in the background\.")
    left = int(child.match.group(1))
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0 and "Interrupted" not in child.before and 0 < left < 300
    assert cards_in(home) == 300
    wait_until_drawn(home)
    assert pending(home) == 0


def test_add_in_a_pipe_prints_no_progress(cli, tmp_path: Path):
    result = cli("add", many_cards(tmp_path, 50))
    assert result.exit_code == 0 and result.stderr == ""
    assert result.stdout.startswith("Added 50 cards")


def test_highlights_on_a_terminal_says_what_it_reads_and_writes(corpus: Path, home: Path, tmp_path: Path):
    import shutil

    pdf = tmp_path / "issue9.pdf"
    shutil.copy(corpus / "pdfs" / "issue9.pdf", pdf)
    child = spawn_cli("highlights", str(pdf), "--notes", str(tmp_path / "n.md"))
    child.expect_exact(f"Reading the highlights of {pdf}")
    child.expect_exact(f"Writing 1 highlight into {tmp_path / 'n.md'}")
    child.expect_exact(CLEAR)
    child.expect_exact("Wrote ")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0


def test_ctrl_c_while_fetch_waits_on_arxiv_clears_the_spinner_and_says_so(arxiv_server: ArxivServer, home: Path):
    # arXiv stalls far longer than pexpect waits (30 s), and the client would wait longer still: only
    # the Ctrl-C can end this run, so a lost or held one fails the test instead of letting the stall end it.
    arxiv_server.stall(300)
    child = spawn_cli("fetch", "1706.03762", env={"STUDYCARDS_ARXIV_TIMEOUT": "600"})
    child.expect_exact("Waiting for the arXiv API (")
    child.sendintr()
    child.expect_exact(CLEAR + "Interrupted; everything finished before it is kept.")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 130 and "Traceback" not in child.before

"""Display equations drawn after ``add``, by a real drawer process in the background (``draw_math``'s default).

``add`` writes no drawn side and loads no sympy: it keeps each card's display equations pending, by their
LaTeX, and starts ``python -m studycards.mathtext.drawer``.  These tests run that real process on a real
temporary home and wait for it by looking at the collection, with a bound that catches a hang, never a
timing.  The rest of the suite draws "at add" (see the conftest), so its tests see drawings at once.
"""

from __future__ import annotations

import fcntl
import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from contextlib import closing, contextmanager
from pathlib import Path

from studycards.mathtext.drawer import LOCK_NAME
from tests.benchmarks.measure import drawers

HANG = 120  # seconds: far beyond any drawing here, so only a drawer that never ends fails


def fractions(count: int, first: int = 0) -> str:
    """Equation cards, each a distinct equation sympy draws: ``(a+b)/(c+N)`` in line form, a fraction bar drawn."""
    cards = [f"Fraction {n}:\n$$\n\\frac{{a + b}}{{c + {n}}}\n$$\n" for n in range(first, first + count)]
    return "---\ndeck: Fractions\n---\n# Fractions\n\n" + "\n".join(cards)


def pending(home: Path) -> int:
    with closing(sqlite3.connect(home / "studycards.db")) as conn:
        return conn.execute("SELECT COUNT(*) FROM drawings WHERE state = 'pending'").fetchone()[0]


def wait_until_drawn(home: Path) -> None:
    """Until no equation is pending and no drawer runs; a drawer that never ends fails the test."""
    deadline = time.monotonic() + HANG
    while pending(home) or drawers(home):
        assert time.monotonic() < deadline, f"the drawer did not finish in {HANG} s: {pending(home)} pending"
        time.sleep(0.05)


def lock_holders(home: Path) -> set[int]:
    """The pids holding the drawer's lock file, from the kernel's table of locks."""
    if not (home / LOCK_NAME).exists():
        return set()
    inode = (home / LOCK_NAME).stat().st_ino
    holders = set()
    for line in Path("/proc/locks").read_text().splitlines():
        fields = line.split()
        if "FLOCK" in fields and fields[fields.index("FLOCK") + 4].endswith(f":{inode}"):
            holders.add(int(fields[fields.index("FLOCK") + 3]))
    return holders


@contextmanager
def no_drawer_can_start(home: Path):
    """Hold the drawer's lock, as a drawer at work does: every drawer started meanwhile exits at once."""
    home.mkdir(parents=True, exist_ok=True)
    with open(home / LOCK_NAME, "a+b") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        yield


def card_id(cli, front: str) -> int:
    cards = json.loads(cli("list", "--json").stdout)["cards"]
    return next(c["id"] for c in cards if c["front"] == front)


def test_add_returns_before_sympy_and_a_drawer_draws_every_equation_after(cli, background, tmp_path):
    notes = tmp_path / "fractions.md"
    notes.write_text(fractions(12))
    added = cli("add", notes)
    assert added.exit_code == 0, added.output
    assert "Drawing 12 equations in the background." in added.stdout.splitlines()
    assert added.stdout.rstrip().endswith("Next: studycards review")  # add still ends with today's work
    wait_until_drawn(background)
    shown = cli("show", str(card_id(cli, "Fraction 7:"))).stdout.splitlines()
    bar = next(n for n, line in enumerate(shown) if line.strip() == "─────")
    assert shown[bar - 1].strip() == "a + b" and shown[bar + 1].strip() == "c + 7"
    again = cli("add", notes)
    assert "No changes" in again.stdout and "background" not in again.stdout  # nothing left to draw
    assert "wait to be drawn" not in cli("status").stdout
    assert json.loads(cli("status", "--json").stdout)["equations_waiting"] == 0


def test_add_itself_never_loads_sympy(background, tmp_path):
    """The user waits for the parse and the write only: sympy is loaded by the drawer, never by add."""
    notes = tmp_path / "fractions.md"
    notes.write_text(fractions(5))
    code = (
        "import sys; from studycards.cli import main\n"
        f"try:\n    main(['add', {str(notes)!r}])\nexcept SystemExit:\n    pass\n"
        "print('LOADED', 'sympy' in sys.modules)"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=HANG)
    assert "Drawing 5 equations in the background." in done.stdout and "LOADED False" in done.stdout, done
    wait_until_drawn(background)


def test_until_drawn_an_equation_shows_its_line_form_and_status_counts_it(cli, background, tmp_path):
    notes = tmp_path / "fractions.md"
    notes.write_text(fractions(3))
    with no_drawer_can_start(background):
        assert "Drawing 3 equations in the background." in cli("add", notes).stdout
        assert "(a+b)/(c+1)" in cli("show", str(card_id(cli, "Fraction 1:"))).stdout
        assert "3 equations wait to be drawn (shown in line form until then)." in cli("status").stdout.splitlines()
        assert json.loads(cli("status", "--json").stdout)["equations_waiting"] == 3
        assert pending(background) == 3
    started = cli("review", input="q\n")  # review's start sees what waits and starts a drawer
    assert started.exit_code == 0, started.output
    wait_until_drawn(background)
    assert "─────" in cli("show", str(card_id(cli, "Fraction 1:"))).stdout
    assert "wait to be drawn" not in cli("status").stdout
    assert json.loads(cli("status", "--json").stdout)["equations_waiting"] == 0


def test_the_drawer_keeps_to_itself(background, tmp_path):
    """Its own session (a Ctrl-C in the terminal never reaches it), nothing to print to, a low priority."""
    notes = tmp_path / "fractions.md"
    notes.write_text(fractions(100))
    with no_drawer_can_start(background):
        subprocess.run([sys.executable, "-m", "studycards", "add", str(notes)], capture_output=True, timeout=HANG)
    started = subprocess.run(
        [sys.executable, "-m", "studycards", "review"], input="q\n", capture_output=True, text=True, timeout=HANG
    )
    assert started.returncode == 0, started.stderr
    deadline = time.monotonic() + HANG
    while not (found := lock_holders(background)):  # it holds the lock while it loads sympy and draws
        assert time.monotonic() < deadline and pending(background), "no drawer was seen at work"
        time.sleep(0.005)
    (pid,) = found
    assert os.getsid(pid) == pid != os.getsid(0)
    assert {os.readlink(f"/proc/{pid}/fd/{fd}") for fd in (0, 1, 2)} == {"/dev/null"}
    assert os.getpriority(os.PRIO_PROCESS, pid) >= 10
    wait_until_drawn(background)


def killed_halfway(cli, home: Path, notes: Path, count: int) -> int:
    """Add ``count`` fraction cards and kill their drawer once it has drawn some: how many are left pending."""
    notes.write_text(fractions(count))
    assert cli("add", notes).exit_code == 0
    deadline = time.monotonic() + HANG
    while pending(home) == count or not lock_holders(home):  # it has drawn some, and is at work
        assert time.monotonic() < deadline, "the drawer never started drawing"
        time.sleep(0.01)
    for pid in lock_holders(home):
        os.kill(pid, signal.SIGKILL)
    while drawers(home):
        time.sleep(0.01)
    left = pending(home)
    assert 0 < left < count
    return left


def test_a_drawer_killed_halfway_leaves_the_rest_pending_and_the_next_add_starts_another(cli, background, tmp_path):
    notes = tmp_path / "fractions.md"
    left = killed_halfway(cli, background, notes, 150)
    again = cli("add", notes)
    assert f"Drawing {left} equations in the background." in again.stdout, again.stdout
    wait_until_drawn(background)
    assert "─────" in cli("show", str(card_id(cli, "Fraction 149:"))).stdout


def test_a_review_starts_a_drawer_for_what_a_killed_one_left_once_its_first_card_is_shown(cli, background, tmp_path):
    killed_halfway(cli, background, tmp_path / "fractions.md", 150)
    review = subprocess.run(
        [sys.executable, "-m", "studycards", "review"], input="q\n", capture_output=True, text=True, timeout=HANG
    )
    assert "Fraction 0:" in review.stdout, review.stdout + review.stderr
    wait_until_drawn(background)
    assert "─────" in cli("show", str(card_id(cli, "Fraction 149:"))).stdout


def test_a_card_edited_while_the_drawer_works_shows_its_own_equation(cli, background, tmp_path):
    notes = tmp_path / "fractions.md"
    notes.write_text(fractions(80))
    assert cli("add", notes).exit_code == 0
    deadline = time.monotonic() + HANG
    while not lock_holders(background):  # the drawer is at work: it holds the lock until it is done
        assert time.monotonic() < deadline and pending(background), "no drawer was seen at work"
        time.sleep(0.005)
    notes.write_text(notes.read_text().replace("\\frac{a + b}{c + 79}", "\\frac{x + y}{z}"))
    edited = cli("add", notes)
    assert "updated 1 (history kept)" in edited.stdout, edited.stdout
    wait_until_drawn(background)
    shown = cli("show", str(card_id(cli, "Fraction 79:"))).stdout.splitlines()
    bar = next(n for n, line in enumerate(shown) if line.strip() == "─────")
    assert shown[bar - 1].strip() == "x + y" and shown[bar + 1].strip() == "z"
    assert not any("c + 79" in line for line in shown)


def test_two_adds_racing_start_one_drawer(background, tmp_path):
    """Each add starts a drawer; the one that finds the lock taken exits, and the other draws both files."""
    first, second = tmp_path / "one.md", tmp_path / "two.md"
    first.write_text(fractions(100).replace("deck: Fractions", "deck: One"))
    second.write_text(fractions(100, first=100).replace("deck: Fractions", "deck: Two"))
    adds = [
        subprocess.Popen([sys.executable, "-m", "studycards", "add", str(path)], stdout=subprocess.DEVNULL)
        for path in (first, second)
    ]
    holders: set[int] = set()
    deadline = time.monotonic() + HANG
    while any(add.poll() is None for add in adds) or pending(background) or drawers(background):
        assert time.monotonic() < deadline, "the drawing never finished"
        if (background / LOCK_NAME).exists():
            holders |= lock_holders(background)
        time.sleep(0.005)
    assert [add.wait() for add in adds] == [0, 0]
    assert len(holders) == 1, holders
    with closing(sqlite3.connect(background / "studycards.db")) as conn:
        assert conn.execute("SELECT state, COUNT(*) FROM drawings GROUP BY state").fetchall() == [("drawn", 200)]


def test_the_drawer_waits_for_a_busy_collection_and_then_finishes(cli, background, tmp_path):
    """Another writer holds the collection longer than the store's busy timeout: the drawer waits, then draws."""
    notes = tmp_path / "fractions.md"
    notes.write_text(fractions(20))
    with no_drawer_can_start(background):
        assert cli("add", notes).exit_code == 0
    writer = sqlite3.connect(background / "studycards.db", isolation_level=None)
    writer.execute("BEGIN IMMEDIATE")
    try:
        assert cli("review", input="q\n").exit_code == 0  # starts the drawer; reading is never blocked
        time.sleep(7)  # beyond the 5 s busy timeout: the drawer's first write gave up once and tries again
        assert drawers(background) and pending(background) == 20
    finally:
        writer.execute("ROLLBACK")
        writer.close()
    wait_until_drawn(background)
    assert "─────" in cli("show", str(card_id(cli, "Fraction 3:"))).stdout


def test_draw_math_at_add_draws_before_add_returns(cli, home, tmp_path):
    """``draw_math = "at add"``: no drawer, nothing pending once add returns (the suite's own choice)."""
    notes = tmp_path / "fractions.md"
    notes.write_text(fractions(4))
    added = cli("add", notes)
    assert "background" not in added.stdout and pending(home) == 0 and drawers(home) == []
    assert "─────" in cli("show", str(card_id(cli, "Fraction 2:"))).stdout


def test_background_is_the_default_and_at_add_a_setting(cli, background):
    shown = cli("config", env={"COLUMNS": "160"}).stdout
    assert any(line.split()[:3] == ["draw_math", '"background"', '"background"'] for line in shown.splitlines())
    assert cli("config", "draw_math", "at add").exit_code == 0
    assert 'draw_math = "at add"' in (background / "config.toml").read_text()
    refused = cli("config", "draw_math", "later")
    assert refused.exit_code == 1 and "draw_math must be 'background' or 'at add', not 'later'" in refused.stderr


def test_the_equations_of_cards_added_before_wait_to_be_drawn_after_migrating(cli, background):
    """Version 14 dropped the sides add had drawn: the equations they held are drawn again, in the background."""
    from tests.test_migrations import install

    install(13, background)
    status = cli("status")
    assert "1 equation waits to be drawn (shown in line form until then)." in status.stdout.splitlines()
    with closing(sqlite3.connect(background / "studycards.db")) as conn:
        columns = {row[1] for row in conn.execute("PRAGMA table_info(cards)")}
        assert {"front_text", "back_text"} & columns == set()
        (latex,) = conn.execute("SELECT latex FROM drawings WHERE state = 'pending'").fetchone()
    assert latex.startswith("\\mathrm{Attention}(Q,K,V)")
    assert cli("review", "--new", "0", input="q\n").exit_code == 0
    wait_until_drawn(background)
    with closing(sqlite3.connect(background / "studycards.db")) as conn:
        assert conn.execute("SELECT state FROM drawings").fetchall() == [("none",)]  # sympy declines \mathrm

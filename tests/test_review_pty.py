"""`studycards review` in a real pseudo-terminal: single keys, undo, re-drills, q, Ctrl-C, a kill, the editor."""

from __future__ import annotations

import io
import os
import signal
import sys
from datetime import date
from pathlib import Path

import pexpect
import pytest

from studycards.models import CardState
from studycards.sm2 import schedule
from studycards.store.database import open_store
from tests.paths import DECKS

NOW = "2026-11-23T09:00"
DAY = date(2026, 11, 23)
ADAM = [  # the first cards of decks/adam.md in a day's queue (reverse cards wait: siblings): (front, back start)
    ("Adam", "Adaptive moment estimation"),
    ("AdaMax", "The variant of Adam"),
    ("Which two methods does Adam combine", "AdaGrad, which works well"),
    ("How does Adam react to rescaling", "It is invariant"),
]


@pytest.fixture
def adam(cli, home: Path) -> Path:
    result = cli("add", DECKS / "adam.md", now=NOW)
    assert result.exit_code == 0, result.output
    return home


def spawn(*args: str, env: dict | None = None) -> pexpect.spawn:
    child = pexpect.spawn(
        sys.executable,
        ["-m", "studycards", "review", *args],
        encoding="utf-8",
        timeout=10,
        dimensions=(40, 100),
        env={**os.environ, "STUDYCARDS_NOW": NOW, **(env or {})},
    )
    return child


def front(child: pexpect.spawn, position: str, text: str) -> None:
    child.expect_exact(position)
    child.expect_exact(text)
    child.expect_exact("[space] show answer")


def reveal(child: pexpect.spawn, back: str, key: str = " ") -> None:
    child.send(key)
    child.expect_exact(back)
    child.expect_exact(" again")  # the grade legend: 0-2 again, or 0-3 again for a re-drill


def states(home: Path) -> tuple[dict[str, CardState], dict[str, list[tuple[int, bool]]]]:
    """State and log (grade, re-drill) of the cards in ``ADAM``, by the front as listed there."""
    with open_store(home) as store:
        cards = store.cards.select()
        named = {}
        for front, _ in ADAM:
            [named[front]] = [c for c in cards if c.front == front or (len(front) > 10 and c.front.startswith(front))]
        return (
            {front: card.state for front, card in named.items()},
            {front: [(r.grade, r.redrill) for r in store.reviews.log(card.id)] for front, card in named.items()},
        )


def test_single_keys_reveal_grade_undo_redrill_and_quit(adam):
    child = spawn("--new", "3")
    front(child, "1 / 3", ADAM[0][0])
    reveal(child, ADAM[0][1])
    child.send("5")
    front(child, "2 / 3", ADAM[1][0])
    reveal(child, ADAM[1][1], key="\r")
    child.send("4")
    front(child, "3 / 3", ADAM[2][0])
    child.send("u")
    front(child, "2 / 3", ADAM[1][0])
    child.expect_exact("Undone: grade 4.")
    reveal(child, ADAM[1][1])
    child.send("3")
    front(child, "3 / 4", ADAM[2][0])
    reveal(child, ADAM[2][1])
    child.send("5")
    front(child, "re-drill   4 / 4", ADAM[1][0])
    reveal(child, ADAM[1][1])
    child.send("3")
    front(child, "re-drill   5 / 5", ADAM[1][0])
    reveal(child, ADAM[1][1])
    child.send("4")
    child.expect_exact("No more cards.")
    child.send("q")
    child.expect_exact("Reviewed 3 cards (3 new)")
    child.expect_exact("2 re-drills.")
    child.expect_exact("Grades: 3:1 5:2")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0

    state, log = states(adam)
    assert state[ADAM[0][0]] == state[ADAM[2][0]] == schedule(CardState(), 5, DAY)
    assert state[ADAM[1][0]] == schedule(CardState(), 3, DAY)
    assert log[ADAM[1][0]] == [(3, False), (3, True), (4, True)]
    assert log[ADAM[0][0]] == log[ADAM[2][0]] == [(5, False)]
    assert sum(len(v) for v in log.values()) == 5


def test_ctrl_c_mid_session_keeps_every_answer(adam):
    child = spawn("--new", "5")
    front(child, "1 / 5", ADAM[0][0])
    reveal(child, ADAM[0][1])
    child.send("5")
    front(child, "2 / 5", ADAM[1][0])
    reveal(child, ADAM[1][1])
    child.send("2")
    front(child, "3 / 6", ADAM[2][0])
    reveal(child, ADAM[2][1])
    child.sendintr()
    child.expect_exact("Interrupted; every answer given is kept.")
    child.expect_exact("Reviewed 2 cards (2 new)")
    child.expect_exact("1 re-drill left today.")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0 and "Traceback" not in child.before

    state, log = states(adam)
    assert state[ADAM[0][0]] == schedule(CardState(), 5, DAY)
    assert state[ADAM[1][0]] == schedule(CardState(), 2, DAY)
    assert state[ADAM[2][0]] == CardState()
    assert log[ADAM[0][0]] == [(5, False)] and log[ADAM[1][0]] == [(2, False)]

    again = spawn("--new", "5")  # the re-drill and the rest of today's new cards are waiting
    front(again, "1 / 4", ADAM[2][0])
    again.send("q")
    again.expect_exact("Nothing graded.")
    again.expect(pexpect.EOF)
    again.close()


def test_a_killed_session_loses_at_most_the_card_on_screen(adam):
    child = spawn("--new", "5")
    front(child, "1 / 5", ADAM[0][0])
    reveal(child, ADAM[0][1])
    child.send("4")
    front(child, "2 / 5", ADAM[1][0])
    reveal(child, ADAM[1][1])
    child.kill(signal.SIGKILL)
    child.close(force=True)
    state, log = states(adam)
    assert state[ADAM[0][0]] == schedule(CardState(), 4, DAY) and log[ADAM[0][0]] == [(4, False)]
    assert log[ADAM[1][0]] == []


def test_e_opens_the_editor_at_the_card_and_shows_the_edited_card(cli, adam, tmp_path):
    (adam / "config.toml").write_text("bury_siblings = false\n")  # the edited reverse card comes next
    notes = tmp_path / "adam.md"
    notes.write_text((DECKS / "adam.md").read_text())
    assert cli("add", notes, "--deck", "Mine", now=NOW).exit_code == 0
    editor = tmp_path / "editor.py"
    editor.write_text(
        "import sys, pathlib\n"
        "line, path = int(sys.argv[1][1:]), pathlib.Path(sys.argv[2])\n"
        "lines = path.read_text().splitlines()\n"
        "lines[line - 1] = lines[line - 1].split(' ::: ')[0] + ' ::: Edited while reviewing'\n"
        "path.write_text('\\n'.join(lines) + '\\n')\n"
        "print('EDITOR RAN AT LINE', line)\n"
    )
    child = spawn("--deck", "Mine", "--new", "2", env={"EDITOR": f"{sys.executable} {editor}"})
    front(child, "1 / 2", "Adam")
    child.send("e")
    child.expect_exact("EDITOR RAN AT LINE 14")
    front(child, "1 / 2", "Adam")
    reveal(child, "Edited while reviewing")
    child.send("5")
    front(child, "2 / 2", "Edited while reviewing")
    child.send("q")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0
    with open_store(adam) as store:
        mine = {c.front: c for c in store.cards.select(deck="Mine")}
        assert mine["Adam"].back == "Edited while reviewing" and mine["Adam"].state.repetitions == 1


def test_a_highlight_is_in_reverse_video_on_a_terminal_and_plain_text_with_no_color(cli, home, tmp_path):
    notes = tmp_path / "softmax.md"
    notes.write_text(
        "# Softmax\n\nWhat does the ==temperature== divide? :: The ==logits==, before `exp` (`a==b` is code)\n",
        encoding="utf-8",
    )
    assert cli("add", notes, now=NOW).exit_code == 0
    child = spawn()
    child.expect_exact("What does the \x1b[7mtemperature\x1b[27m divide?")
    child.send(" ")
    child.expect_exact("The \x1b[7mlogits\x1b[27m, before `exp` (`a==b` is code)")
    child.send("q")
    child.expect(pexpect.EOF)

    child = spawn(env={"NO_COLOR": "1"})
    child.logfile_read = shown = io.StringIO()
    child.expect_exact("What does the temperature divide?")
    child.send(" ")
    child.expect_exact("The logits, before `exp` (`a==b` is code)")
    child.send("q")
    child.expect(pexpect.EOF)
    assert "\x1b[7m" not in shown.getvalue() and "==" not in shown.getvalue().replace("`a==b`", "")

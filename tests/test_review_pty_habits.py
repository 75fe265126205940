"""The daily session in a real pseudo-terminal at 100×30 and 40×20: siblings, leeches, set-aside keys, the screen.

Each test reads what a user would see: the frames drawn between clear-screen sequences.
"""

from __future__ import annotations

import os
import re
import sys
from datetime import date, timedelta
from pathlib import Path

import pexpect
import pytest

from studycards.review.layout import cells
from studycards.store.database import open_store

NOW = "2026-11-23T09:00"
CLEAR = "\x1b[H\x1b[2J"
SIZES = [(30, 100), (20, 40)]  # (rows, columns)
SIBLINGS = """---
deck: Sib
---
# 注意力 Siblings 😀 of a note

Alpha ::: Beta
The {{c1::one}}, {{c2::two}} and {{c3::three}}.
Gamma :: Delta
"""


def spawn(*args: str, size: tuple[int, int] = (30, 100), now: str = NOW, env: dict | None = None) -> pexpect.spawn:
    return pexpect.spawn(
        sys.executable,
        ["-m", "studycards", "review", *args],
        encoding="utf-8",
        timeout=10,
        dimensions=size,
        env={**os.environ, "STUDYCARDS_NOW": now, **(env or {})},
    )


def frames(output: str) -> list[list[str]]:
    """Each frame drawn, as its lines with escape sequences taken out."""
    plain = [re.sub(r"\x1b\[[0-9;]*m", "", part) for part in output.split(CLEAR)[1:]]
    return [part.replace("\r", "").split("\n") for part in plain]


def finish(child: pexpect.spawn) -> str:
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0
    return child.before


@pytest.fixture
def siblings(cli, tmp_path: Path) -> Path:
    notes = tmp_path / "sib.md"
    notes.write_text(SIBLINGS)
    assert cli("add", notes, now=NOW).exit_code == 0
    return notes


@pytest.mark.parametrize("size", SIZES)
def test_two_siblings_never_show_on_one_day_and_the_counter_stays_on_the_heading_line(siblings, size):
    shown = []
    for day in range(4):
        now = (date(2026, 11, 23) + timedelta(days=day)).isoformat() + "T09:00"
        child = spawn(size=size, now=now)
        output = ""
        while True:
            index = child.expect_exact(["[space] show answer", "No more cards.", pexpect.EOF])
            output += child.before + (child.after if isinstance(child.after, str) else "")
            if index:
                break
            child.send(" ")
            child.expect_exact("0-2 again")
            output += child.before
            child.send("5")
        if index == 1:
            child.send("q")
        finish(child)
        fronts = []
        for frame in frames(output):
            assert frame[0].rstrip().endswith(" / 3") or frame[0].rstrip().endswith(" / 2"), frame[0]
            assert all(cells(line) < size[1] for line in frame), frame
            fronts.append(frame[2].strip())
        shown.append(list(dict.fromkeys(fronts)))
    notes = {"Alpha": "pair", "Beta": "pair", "Gamma": "basic"}
    for day in shown:
        kinds = [notes.get(front, "cloze") for front in day]
        assert len(kinds) == len(set(kinds)), shown
    assert {"Alpha", "Beta"} <= {f for day in shown for f in day}  # both directions, on different days


def test_a_leech_is_suspended_with_a_notice_and_bang_b_u_work_on_it(cli, home, tmp_path):
    """Learned, then failed every morning (piped, each fail re-drilled to 5): the eighth lapse is on the ninth."""
    notes = tmp_path / "leech.md"
    notes.write_text("# Leech\n\nGamma :: Delta\n")
    assert cli("add", notes, now=NOW).exit_code == 0
    day = date(2026, 11, 23)
    for offset in range(8):
        keys = "\n5\n" if offset == 0 else "\n0\n\n5\n"
        assert cli("review", input=keys, now=f"{day + timedelta(offset)}T09:00").exit_code == 0
    with open_store(home) as store:
        [gamma] = store.cards.select()
    assert gamma.flags.lapses == 7 and not gamma.flags.leech
    child = spawn(size=(20, 40), now=f"{day + timedelta(8)}T09:00")
    child.expect_exact("Gamma")
    child.send(" ")
    child.expect_exact("0-2 again")
    child.send("0")
    child.expect_exact("Leech: this card has lapsed 8")
    child.expect_exact(f"unsuspend {gamma.id}")
    child.send("u")
    child.expect_exact("Undone: grade 0.")
    child.send("!")
    child.expect_exact(f"Suspended card {gamma.id}")
    child.send("u")
    child.expect_exact("Undone: suspended.")
    child.send("b")
    child.expect_exact(f"Buried card {gamma.id} until")
    child.send("q")
    finish(child)
    with open_store(home) as store:
        flags = store.cards.get(gamma.id).flags
    assert (flags.suspended, flags.leech, flags.lapses, flags.buried_until) == (False, False, 7, day + timedelta(9))
    again = cli("review", input="\n0\n", now=f"{day + timedelta(9)}T09:00")
    assert "Leech: card 1, suspended." in again.stdout and "(suspended) (leech)" in cli("list", "--leeches").stdout


def test_a_resize_mid_session_lays_the_next_frame_out_at_the_new_width(siblings):
    child = spawn(size=(30, 100))
    child.expect_exact("[space] show answer")
    child.setwinsize(20, 50)
    child.send(" ")
    child.expect_exact("0-2 again")
    child.send("5")
    child.expect_exact("[space] show answer")
    rule = next(line for line in frames(child.before)[-1] if "re-drill ─" in line)
    child.send("q")
    finish(child)
    assert cells(rule) == 49


def test_a_card_three_screens_tall_is_paged_with_its_header_kept(cli, tmp_path):
    items = "\n".join(f"- step {n:02d} of the long derivation" for n in range(1, 31))
    notes = tmp_path / "tall.md"
    notes.write_text(f"# Tall\n\nQ: What are the steps?\nA: They are:\n{items}\n\nShort :: card\n")
    assert cli("add", notes, now=NOW).exit_code == 0
    child = spawn(size=(20, 40))
    child.expect_exact("[space] show answer")
    pages = []
    for marker in ("[space/↓] more", "[space/↓] more", "[↑] back"):
        child.send(" ")
        child.expect_exact(marker)
        seen = child.before + child.after
        child.expect_exact("[q] quit")
        pages.append(frames(seen + child.before)[-1])
    child.send("\x1b[A")
    child.expect_exact("[space/↓] more")
    child.send("5")
    child.expect_exact("Short")
    child.send("q")
    finish(child)
    for page in pages:
        assert page[0].startswith(" Tall") and page[0].rstrip().endswith("1 / 2") and "─" in page[1]
        assert len(page) <= 20 and any("0-2 again" in line for line in page)
    assert "step 01" in "".join(pages[0]) and "step 30" in "".join(pages[2])
    assert "step 30" not in "".join(pages[0]) and "step 30" not in "".join(pages[1])


def test_no_color_output_has_no_escape_sequences_but_the_clear(siblings):
    child = spawn(env={"NO_COLOR": "1"})
    child.expect_exact("[space] show answer")
    child.send(" ")
    child.expect_exact("0-2 again")
    child.send("5")
    child.expect_exact("[space] show answer")
    child.send("q")
    output = finish(child)
    assert "\x1b" not in (child.before + output).replace(CLEAR, "")
    coloured = spawn()
    coloured.expect_exact("[space] show answer")
    coloured.send(" ")
    coloured.expect_exact("again")
    coloured.send("q")
    assert "\x1b[1m" in coloured.before + finish(coloured)

"""The daily session in a real pseudo-terminal, narrow to wide: siblings, leeches, set-aside keys, the screen.

What depends on the terminal's size runs at 40×12, 80×24 and 160×50 (and the siblings test also at issue
15's 40×20 and 100×30).

Each test reads what a user would see: the frames drawn between clear-screen sequences.
"""

from __future__ import annotations

import io
import os
import re
import sys
from datetime import date, timedelta
from pathlib import Path

import pexpect
import pytest

from studycards.review.layout import cells
from studycards.review.terminal import MAX_WIDTH
from studycards.store.database import open_store

NOW = "2026-11-23T09:00"
CLEAR = "\x1b[H\x1b[2J"
SIZES = [(12, 40), (24, 80), (50, 160)]  # (rows, columns): narrow, normal, wide
SIZE_IDS = ["40x12", "80x24", "160x50"]
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


@pytest.mark.parametrize("size", [*SIZES, (20, 40), (30, 100)], ids=[*SIZE_IDS, "40x20", "100x30"])
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


@pytest.fixture
def leech(cli, home: Path, tmp_path: Path) -> tuple[int, date]:
    """A card learned, then failed every morning (piped, each fail re-drilled to 5): 7 lapses; (its id, the 9th day)."""
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
    return gamma.id, day + timedelta(8)


def failed(size: tuple[int, int], day: date) -> pexpect.spawn:
    """A session on ``day`` with the leech-to-be revealed and graded 0: its eighth lapse."""
    child = spawn(size=size, now=f"{day}T09:00")
    child.logfile_read = io.StringIO()
    child.expect_exact("Gamma")
    child.send(" ")
    child.expect_exact("0-2 again")
    child.send("0")
    return child


def on_screen(child: pexpect.spawn) -> list[list[str]]:
    """The frames the session drew, without the summary printed after it."""
    drawn = frames(child.logfile_read.getvalue())
    drawn[-1] = drawn[-1][: next((n for n, line in enumerate(drawn[-1]) if line and line[0] != " "), None)]
    return drawn


@pytest.mark.parametrize("size", SIZES, ids=SIZE_IDS)
def test_a_leech_is_suspended_with_a_notice_and_bang_b_u_work_on_it(cli, home, leech, size):
    """The eighth lapse comes on the ninth morning: within the fortnight issue 15 asks."""
    card, day = leech
    child = failed(size, day)
    child.expect_exact("Leech: this card has lapsed 8")
    child.expect_exact(f"unsuspend {card}")
    child.send("u")
    child.expect_exact("Undone: grade 0.")
    child.send("!")
    child.expect_exact(f"Suspended card {card}")
    child.send("u")
    child.expect_exact("Undone: suspended.")
    child.send("b")
    child.expect_exact(f"Buried card {card} until")
    child.send("q")
    finish(child)
    drawn = on_screen(child)
    assert all(cells(line) < size[1] for frame in drawn for line in frame)
    notice = next(frame for frame in drawn if any("Leech:" in line for line in frame))
    said = " ".join(" ".join(notice).split())
    assert f"Leech: this card has lapsed 8 times; suspended (studycards unsuspend {card}). Rewrite it" in said
    with open_store(home) as store:
        flags = store.cards.get(card).flags
    assert (flags.suspended, flags.leech, flags.lapses, flags.buried_until) == (False, False, 7, day + timedelta(1))
    again = cli("review", input="\n0\n", now=f"{day + timedelta(1)}T09:00")
    assert "Leech: card 1, suspended." in again.stdout and "(suspended) (leech)" in cli("list", "--leeches").stdout


@pytest.mark.parametrize("size", SIZES, ids=SIZE_IDS)
def test_the_leech_notice_and_the_last_prompt_stay_within_the_terminal(leech, size):
    _, day = leech
    child = failed(size, day)
    child.expect_exact("No more cards.")
    child.send("q")
    finish(child)
    drawn = on_screen(child)
    assert drawn and all(len(frame) <= size[0] for frame in drawn), drawn


def test_the_end_screen_pages_back_to_the_card_when_it_does_not_fit(leech):
    """At 40×12 the card, the leech notice and the prompt are one line too many: the notice is in view
    first; PgUp pages back to the card's front, the prompt still at the foot; any other key finishes."""
    _, day = leech
    child = failed((12, 40), day)
    child.expect_exact("No more cards.")
    child.send("\x1b[5~")  # PgUp
    child.expect_exact("[space/↓] more")
    child.send("q")
    finish(child)
    end, back = on_screen(child)[-2:]
    said, again = "\n".join(end), "\n".join(back)
    assert "Gamma" not in said and "Leech: this card has lapsed 8 times;" in said and "[↑] back" in said
    assert "Gamma" in again and "Leech:" not in again
    prompt = next(n for n, line in enumerate(back) if line.startswith(" No more cards."))
    assert back.index(" [space/↓] more") == prompt - 1 and not any(back[prompt + 2 :]), back
    assert len(end) <= 12 and len(back) <= 12


@pytest.mark.parametrize(("start", "end"), [(SIZES[1], SIZES[0]), (SIZES[0], SIZES[2]), (SIZES[2], SIZES[1])])
def test_a_resize_mid_session_lays_the_next_frame_out_at_the_new_width(siblings, start, end):
    child = spawn(size=start)
    child.expect_exact("[space] show answer")
    child.setwinsize(*end)
    child.send(" ")
    child.expect_exact("0-2 again")
    child.send("5")
    child.expect_exact("[space] show answer")
    rule = next(line for line in frames(child.before)[-1] if "re-drill ─" in line)
    child.send("q")
    finish(child)
    assert cells(rule) == min(end[1], MAX_WIDTH) - 1  # a wide terminal gets lines of readable length


@pytest.mark.parametrize("size", SIZES, ids=SIZE_IDS)
def test_a_card_three_screens_tall_is_paged_with_its_header_kept(cli, tmp_path, size):
    steps = 3 * size[0]  # the answer alone is three screens of this height
    items = "\n".join(f"- step {n:02d} of the long derivation" for n in range(1, steps + 1))
    notes = tmp_path / "tall.md"
    notes.write_text(f"# Tall\n\nQ: What are the steps?\nA: They are:\n{items}\n\nShort :: card\n")
    assert cli("add", notes, now=NOW).exit_code == 0
    child = spawn(size=size)
    child.expect_exact("[space] show answer")
    pages = []
    marker = "[space/↓] more"
    while marker == "[space/↓] more":  # space pages on until the key line offers only the way back
        child.send(" ")
        child.expect_exact(["[space/↓] more", "[↑] back"])
        marker, seen = child.after, child.before + child.after
        child.expect_exact("[q] quit")
        pages.append(frames(seen + child.before)[-1])
    child.send("\x1b[A")
    child.expect_exact("[space/↓] more")
    child.send("5")
    child.expect_exact("Short")
    child.send("q")
    finish(child)
    assert len(pages) >= 3
    last = f"step {steps:02d}"
    for page in pages:
        assert page[0].startswith(" Tall") and page[0].rstrip().endswith("1 / 2") and "─" in page[1]
        assert len(page) < size[0] and any("0-2 again" in line for line in page)  # and the newline after it
        assert all(cells(line) < size[1] for line in page)
    assert "What are the steps?" in "".join(pages[0]) and last in "".join(pages[-1])
    assert all(last not in "".join(page) for page in pages[:-1])
    shown = [[int(n) for n in re.findall(r"step (\d+) of", "".join(page))] for page in pages]
    assert sorted({n for page in shown for n in page}) == list(range(1, steps + 1))  # no line lost
    assert all(page == list(range(page[0], page[0] + len(page))) for page in shown if page)  # each in order


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

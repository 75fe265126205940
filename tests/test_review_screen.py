"""The review screen laid out: display cells, headings shortened in the middle, answers reflowed, grades explained.

The layout is pure, so most of it is checked on the text it returns; the terminal itself is in test_review_pty.
"""

from __future__ import annotations

import io
from datetime import date

import pytest

from studycards.cli.review_views import summary_text
from studycards.models import CardState
from studycards.review.layout import ONE_CELL, cells, draw, shorten_context
from studycards.review.records import Frame, Summary
from studycards.review.terminal import Screen
from studycards.sm2 import schedule

DAY = date(2026, 11, 23)


def frame(**fields) -> Frame:
    base = {"context": "Notes › Basics", "position": 1, "total": 3, "front": "front", "back": None}
    return Frame(**{**base, **fields})


@pytest.mark.parametrize("width", [40, 100])
def test_a_cjk_and_emoji_heading_keeps_the_counter_on_its_line(width):
    heading = "注意力就是你所需要的一切 › 模型架构 😀 › 缩放点积注意力 é"
    lines = draw(frame(context=heading, position=12, total=340), width).splitlines()
    assert lines[0].endswith("12 / 340") and all(cells(line) < width for line in lines)
    assert "─" in lines[1]


def test_combining_marks_take_no_cell_and_wide_characters_two():
    assert (cells("e\u0301"), cells("注意"), cells("😀"), cells("abc")) == (1, 4, 2, 3)


def test_the_characters_counted_without_wcwidth_are_one_cell_for_wcwidth():
    """The fast path for the first card (no wcwidth import) must count what wcwidth counts."""
    from wcwidth import wcwidth

    bounds = ONE_CELL.replace("-", "")
    ranges = [(ord(bounds[i]), ord(bounds[i + 1])) for i in range(0, len(bounds), 2)]
    assert ranges[0] == (0x20, 0x2FF) and len(ranges) == 10
    disagree = [
        hex(point)
        for low, high in ranges
        for point in range(low, high + 1)
        if not 0x7F <= point <= 0x9F and wcwidth(chr(point)) != 1  # controls: always counted one, never drawn
    ]
    assert disagree == []
    assert cells("x₀ + α ⎛ → ∑ ─") == sum(max(0, wcwidth(c)) for c in "x₀ + α ⎛ → ∑ ─") == 14


def test_a_long_heading_is_shortened_in_the_middle_keeping_the_title_start_and_the_innermost_heading():
    context = "Attention Is All You Need › Model Architecture › Training"
    assert shorten_context(context, 80) == context
    assert shorten_context(context, 28) == "Attention Is All… › Training"
    assert shorten_context("Training", 5) == "Trai…"


def test_answers_are_reflowed_as_paragraphs_while_lists_and_drawings_keep_their_lines():
    back = "For large d_k the dot\nproducts grow large.\n\n- one\n- two\n\n  ⎛a⎞\n  ⎝b⎠"
    lines = draw(frame(back=back), 60).splitlines()
    rule = next(i for i, line in enumerate(lines) if line.startswith(" ╌"))
    assert lines[rule + 1 : rule + 8] == [
        " For large d_k the dot products grow large.",
        "",
        " - one",
        " - two",
        "",
        "   ⎛a⎞",
        "   ⎝b⎠",
    ]


def test_after_the_reveal_the_key_line_says_what_each_grade_schedules():
    state = CardState(250, 2, 6, DAY)
    intervals = tuple(schedule(state, grade, DAY).interval for grade in range(6))
    shown = draw(frame(back="back", intervals=intervals), 100)
    assert f" 0-2 again · 3 hard {intervals[3]}d · 4 good {intervals[4]}d · 5 easy {intervals[5]}d\n" in shown
    assert intervals[3:] == (15, 15, 16)


def test_notices_are_indented_like_the_card():
    assert draw(frame(notice="Undone: grade 4."), 40).splitlines()[-1] == " Undone: grade 4."


def test_bold_and_colour_on_a_terminal_and_none_with_no_color_or_in_a_pipe(monkeypatch):
    revealed = frame(front="The […] heads", back="The [8] heads", marks=("[…]", "[8]"), intervals=(1, 1, 1, 1, 6, 6))
    monkeypatch.delenv("NO_COLOR", raising=False)
    styled = io.StringIO()
    Screen(styled, is_tty=True, width=60).show(revealed)
    assert "\x1b[1m[…]\x1b[22m" in styled.getvalue() and "\x1b[1m The [8] heads\x1b[22m" in styled.getvalue()
    assert "\x1b[32m4 good 6d\x1b[39m" in styled.getvalue()
    monkeypatch.setenv("NO_COLOR", "1")
    plain = io.StringIO()
    Screen(plain, is_tty=True, width=60).show(revealed)
    piped = io.StringIO()
    monkeypatch.delenv("NO_COLOR")
    Screen(piped, is_tty=False, width=60).show(revealed)
    for text in (plain.getvalue().replace("\x1b[H\x1b[2J", ""), piped.getvalue()):
        assert "\x1b" not in text and " The [8] heads" in text


def test_the_summary_fits_forty_columns_and_counts_redrills_apart():
    summary = Summary(
        day=DAY,
        reviewed=0,
        new=0,
        grades=(0,) * 6,
        redrills=4,
        pending_redrills=12,
        seconds=3725,
        due_tomorrow=1234,
        buried=17,
        leeches=(10421, 10422),
        suspended=3,
        new_waiting=11400,
        new_limit=20,
    )
    text = summary_text(summary)
    assert all(len(line) <= 40 for line in text.splitlines()), text
    assert text.startswith(
        "4 re-drills.\nTime: 62 min 05 s.\n12 re-drills left today.\nRun review again to finish them.\n"
    )
    assert "17 siblings buried till tomorrow.\n3 cards suspended.\nLeech: card 10421, suspended." in text
    assert "Due tomorrow: 1234 cards." in text
    assert "11400 new cards wait beyond today's 20.\nMore today: studycards review --new 40" in text


def test_the_idle_message_fits_forty_columns(cli, tmp_path):
    notes = tmp_path / "n.md"
    notes.write_text("# N\n\n" + "\n".join(f"front {n} :: back" for n in range(3)) + "\n")
    empty = cli("review")
    assert cli("add", notes).exit_code == 0
    cli("review", "--new", "3", input="\n5\n\n5\n\n5\n")
    done = cli("review", "--new", "3", now="2026-11-23T10:00")
    for text in (empty.stdout, done.stdout):
        assert text.startswith("Nothing due today.") and all(len(line) <= 40 for line in text.splitlines()), text


def test_a_latin_card_is_laid_out_without_loading_wcwidth():
    """wcwidth's import would delay the first card; Latin text and the screen's marks need no table."""
    import subprocess
    import sys

    code = (
        "import sys\n"
        "from studycards.review.layout import draw\n"
        "from studycards.review.records import Frame\n"
        "draw(Frame('Adam › Understanding', 1, 2, 'Adam', 'Adaptive moment estimation…', left=(1, 0, 0)), 40)\n"
        "print('wcwidth' in sys.modules)\n"
        "draw(Frame('注意力 › 模型', 1, 2, 'front', None), 40)\n"
        "print('wcwidth' in sys.modules)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.split() == ["False", "True"]


HIGHLIGHTS = [  # a card line as written -> (front, back) as shown, and the stressed text on each side
    ("The ==logits== :: are divided", ("The logits", "are divided"), (["logits"], [])),
    ("What divides? :: The ==temperature== divides ==the logits==", None, ([], ["temperature", "the logits"])),
    (r"An escaped \==x== stays :: as Anki shows it", ("An escaped ==x== stays", "as Anki shows it"), ([], [])),
    (r"Is \== text? :: yes, but `a \== b` in code", ("Is == text?", r"yes, but `a \== b` in code"), ([], [])),
    (r"A \== then ==c== :: both", ("A == then c", "both"), (["c"], [])),
    ("`a==b` and ==c== :: in code it is text", ("`a==b` and c", "in code it is text"), (["c"], [])),
    (r"$a==b$ and ==c== :: in math too", ("a = = b and c", "in math too"), (["c"], [])),
    (
        r"==the $\sqrt{d_k}$ factor== :: math inside one",
        ("the √dₖ factor", "math inside one"),
        (["the √dₖ factor"], []),
    ),
    ("A ==b c :: unclosed", ("A ==b c", "unclosed"), ([], [])),
]


@pytest.mark.parametrize(("line", "sides", "stressed"), HIGHLIGHTS, ids=[case[0][:24] for case in HIGHLIGHTS])
def test_a_basic_cards_highlights_are_stressed_on_a_terminal_and_plain_without(
    cli, tmp_path, home, line, sides, stressed
):
    import re

    from studycards.review.layout import PLAIN, Style
    from studycards.review.sides import card_sides
    from studycards.store.database import open_store

    notes = tmp_path / "n.md"
    notes.write_text(f"# T\n\n{line}\n", encoding="utf-8")
    assert cli("add", notes).exit_code == 0
    with open_store(home) as store:
        [card] = store.cards.select()
    front, back = card_sides(card, marked=True)
    revealed = frame(front=front, back=back, intervals=(1, 1, 1, 1, 6, 6))
    styled, plain = draw(revealed, 100, Style(on=True)), draw(revealed, 100, PLAIN)
    top, _, bottom = styled.partition("╌" * 20)
    assert (re.findall("\x1b\\[7m(.*?)\x1b\\[27m", top), re.findall("\x1b\\[7m(.*?)\x1b\\[27m", bottom)) == stressed
    shown = card_sides(card)  # `show` and a pipe: the text without its == marks
    if sides is not None:
        assert shown == sides
    assert f" {shown[0]}\n" in plain and f" {shown[1]}\n" in plain and "\x0e" not in plain + "".join(shown)


def test_a_highlight_that_wraps_is_stressed_on_each_of_its_lines():
    from studycards.review.layout import Style
    from studycards.review.records import HIGHLIGHT_OFF, HIGHLIGHT_ON

    text = f"Scale the {HIGHLIGHT_ON}dot products by one over the square root of the key size{HIGHLIGHT_OFF} first"
    lines = draw(frame(front=text), 30, Style(on=True)).splitlines()[2:6]
    assert lines == [
        " Scale the \x1b[7mdot products by\x1b[27m",
        " \x1b[7mone over the square root of\x1b[27m",
        " \x1b[7mthe key size\x1b[27m first",
        "",
    ]
    assert all(cells(line) <= 29 for line in draw(frame(front=text), 30).splitlines())


def test_an_escaped_double_equals_in_a_cloze_reads_as_anki_shows_it(cli, tmp_path):
    notes = tmp_path / "n.md"
    notes.write_text("# T\n\nThe \\== sign tests {{c1::equality}}; `a \\== b` is code.\n", encoding="utf-8")
    assert cli("add", notes).exit_code == 0
    shown = cli("review", input="\n4\n").stdout
    assert " The == sign tests […]; `a \\== b` is code.\n" in shown
    assert " The == sign tests [equality]; `a \\== b` is code.\n" in shown
    assert "The \\== sign" not in shown

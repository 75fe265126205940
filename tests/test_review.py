"""The review session: the engine driven with scripted keys, then the piped CLI and readable math."""

from __future__ import annotations

import sqlite3
import sys
from datetime import date, datetime, timedelta
from pathlib import Path

import pytest

from studycards.cli.review_views import idle_text, summary_text
from studycards.models import CardState
from studycards.notes.importer import apply_plan, plan_import
from studycards.review.session import Frame, Session, build_queue, card_sides, cloze_sides, idle
from studycards.review.terminal import draw
from studycards.sm2 import schedule
from studycards.store.database import Store, open_store
from tests.displays import Recorder
from tests.paths import DECKS

DAY = date(2026, 11, 23)
MORNING = datetime(2026, 11, 23, 9, 0)


class Clock:
    """Advances by ``step`` at every reading, so answer times and time spent are known."""

    def __init__(self, start: datetime = MORNING, step: timedelta = timedelta(milliseconds=1500)) -> None:
        self.now, self.step = start, step

    def __call__(self) -> datetime:
        moment = self.now
        self.now += self.step
        return moment


def keys(*script):
    """One key per call, then the end of input; a callable in the script runs between keys."""
    queue = list(script)

    def read() -> str:
        if not queue:
            raise EOFError
        key = queue.pop(0)
        if callable(key):
            key()
            return read()
        if key == "^C":
            raise KeyboardInterrupt
        return key

    return read


def answers(*grades: int | str) -> list[str]:
    """Reveal then grade, for each grade; strings pass through as keys."""
    out: list[str] = []
    for grade in grades:
        out += ["\n", str(grade)] if isinstance(grade, int) else [grade]
    return out


NOTES = """---
deck: Test
---
# Test notes

## Basics
front 1 :: back 1
front 2 :: back 2
front 3 :: back 3
front 4 :: back 4
front 5 :: back 5
front 6 :: back 6
"""


@pytest.fixture
def notes(tmp_path: Path) -> Path:
    path = tmp_path / "test.md"
    path.write_text(NOTES)
    return path


@pytest.fixture
def store(home: Path, notes: Path):
    with open_store(home) as store:
        apply_plan(store, plan_import(store, [str(notes)]), MORNING)
        yield store


def ids(store: Store) -> dict[str, int]:
    return {c.front: c.id for c in store.cards.select()}


def session(store: Store, day: date = DAY, clock: Clock | None = None, **options) -> Session:
    return Session(store, day, clock or Clock(datetime.combine(day, MORNING.time())), **options)


def play(store: Store, *script: str, day: date = DAY, **options) -> tuple[Session, Recorder, object]:
    s = session(store, day, **options)
    screen = Recorder()
    summary = s.run(keys(*script), screen)
    return s, screen, summary


def set_due(store: Store, card_id: int, due: date, interval: int = 6, repetitions: int = 2) -> None:
    store.cards.set_state(card_id, CardState(ef=250, repetitions=repetitions, interval=interval, due=due))


def test_queue_is_most_overdue_first_then_new_cards_in_notes_order(store):
    by_front = ids(store)
    set_due(store, by_front["front 5"], DAY - timedelta(days=1))
    set_due(store, by_front["front 3"], DAY - timedelta(days=4))
    set_due(store, by_front["front 6"], DAY + timedelta(days=1))
    queue = [item.card.front for item in build_queue(store, DAY, None, new=2, limit=200)]
    assert queue == ["front 3", "front 5", "front 1", "front 2"]
    assert [i.card.front for i in build_queue(store, DAY, None, new=0, limit=1)] == ["front 3"]


def test_a_grade_schedules_commits_and_logs_the_answer_time(store):
    _, screen, summary = play(store, "\n", "5")
    card = store.cards.get(ids(store)["front 1"])
    assert card.state == schedule(CardState(), 5, DAY)
    [review] = store.reviews.log(card.id)
    assert (review.grade, review.redrill, review.before, review.after) == (5, False, CardState(), card.state)
    answer_ms = store.conn.execute("SELECT answer_ms FROM reviews").fetchone()[0]
    assert answer_ms == 1500  # one clock step between the card shown and its grade
    assert screen.frames[0].back is None and screen.frames[1].back == "back 1"
    assert (screen.frames[0].context, screen.frames[0].position, screen.frames[0].total) == (
        "Test notes › Basics",
        1,
        6,
    )
    assert (summary.reviewed, summary.new, summary.grades) == (1, 1, (0, 0, 0, 0, 0, 1))


def test_a_grade_before_the_answer_is_shown_is_refused(store):
    _, screen, summary = play(store, "4", "q")
    assert store.reviews.log() == [] and summary.reviewed == 0
    assert "Show the answer first" in screen.said[0]


def test_cards_below_4_come_back_after_the_others_until_graded_4_or_5(store):
    script = answers(3, 5, 1, 5, 5, 5, 2, 0, 4, 5)
    s, screen, summary = play(store, *script)
    assert screen.fronts == [
        "front 1",
        "front 2",
        "front 3",
        "front 4",
        "front 5",
        "front 6",
        "front 1",
        "front 3",
        "front 1",
        "front 3",
    ]
    by_front = ids(store)
    for front, first in (("front 1", 3), ("front 3", 1)):
        card = store.cards.get(by_front[front])
        assert card.state == schedule(CardState(), first, DAY), front
        log = store.reviews.log(card.id)
        assert [(r.grade, r.redrill) for r in log] == [
            (first, False),
            (2 if front == "front 1" else 0, True),
            (4 if front == "front 1" else 5, True),
        ]
        assert all(r.before == r.after == card.state for r in log[1:])
    assert [f.redrill for f in screen.frames if f.position == 7] == [True, True]
    assert (summary.reviewed, summary.redrills, summary.pending_redrills) == (6, 4, 0)
    assert summary.grades == (0, 1, 0, 1, 0, 4)
    assert not s.queue


def test_undo_restores_state_and_log_exactly_back_through_the_session(store, home):
    play(store, *answers(5, 4), "q")
    db, snaps = home / "studycards.db", {}
    snap = lambda name: lambda: snaps.__setitem__(name, _dump(db))  # noqa: E731
    snaps["before"] = _dump(db)
    script = [*answers(5), snap("one"), *answers(3), snap("two"), "u", snap("undo 1"), "u", snap("undo 2"), "q"]
    s, screen, summary = play(store, *script, day=DAY + timedelta(days=1), new=0)
    assert snaps["one"] != snaps["before"] and snaps["two"] != snaps["one"]
    assert snaps["undo 1"] == snaps["one"] and snaps["undo 2"] == snaps["before"]
    assert screen.fronts == ["front 1", "front 2", "front 2", "front 2", "front 1"]
    assert screen.frames[4].redrill and screen.frames[5].notice == "Undone: grade 3."
    assert screen.frames[-1].notice == "Undone: grade 5." and screen.frames[-1].back is None
    assert [item.card.front for item in s.queue] == ["front 1", "front 2"]
    assert summary.reviewed == 0 and summary.redrills == 0


def test_undo_of_a_redrill_and_of_the_grade_that_caused_it(store):
    s, _screen, _ = play(store, *answers(2, "s", "s", "s", "s", "s", 3), "u", "u", "q", new=6)
    # 2 on front 1, skip 5 cards, then the re-drill of front 1 graded 3, both undone
    assert store.reviews.log() == []
    assert store.cards.get(ids(store)["front 1"]).state == CardState()
    assert [item.card.front for item in s.queue][:2] == ["front 1", "front 2"]
    assert sum(1 for item in s.queue if item.card.front == "front 1") == 1


def test_nothing_to_undo_and_undo_after_the_last_card(store):
    _s, screen, summary = play(store, "u", *answers(5), "u", "\n", "4", new=1)
    assert screen.frames[1].notice == "Nothing to undo."
    assert "No more cards" in screen.said[-1]
    [review] = store.reviews.log()
    assert review.grade == 4 and summary.reviewed == 1


def test_skip_moves_the_card_to_the_end_without_logging(store):
    _s, screen, _ = play(store, "s", "\n", "s", *answers(5, 5), "q", new=3)
    assert screen.fronts == ["front 1", "front 2", "front 3", "front 1", "front 2"]
    assert [r.card_id for r in store.reviews.log()] == [ids(store)["front 3"], ids(store)["front 1"]]


def test_quit_and_interrupt_keep_every_answer_and_pending_redrills_come_back_the_same_day(store):
    _, _, summary = play(store, *answers(5, 1), "q", new=4)
    assert (summary.reviewed, summary.interrupted) == (2, False)
    _, _, summary = play(store, *answers(3), "^C")
    assert summary.interrupted and summary.reviewed == 1 and len(store.reviews.log()) == 3
    s = session(store, new=4)
    # front 3 and 4 remain of today's 4 new; front 2 (1) and front 3 (3) are re-drills still pending
    assert [(i.card.front, i.redrill) for i in s.queue] == [("front 4", False), ("front 2", True), ("front 3", True)]
    tomorrow = session(store, DAY + timedelta(days=1), new=0)
    assert {i.card.front for i in tomorrow.queue} == {"front 1", "front 2", "front 3"}
    assert not any(i.redrill for i in tomorrow.queue)


def test_new_cards_and_reviews_already_done_today_count_against_the_limits(store):
    play(store, *answers(5, 5, 5), new=3)
    assert [i.card.front for i in session(store, new=4).queue] == ["front 4"]
    for front in ("front 1", "front 2", "front 3"):
        store.cards.set_state(ids(store)[front], CardState(250, 1, 1, DAY + timedelta(days=1)))
    tomorrow = DAY + timedelta(days=1)
    play(store, *answers(5), "q", day=tomorrow, new=0, limit=2)
    assert [i.card.front for i in session(store, tomorrow, new=0, limit=2).queue] == ["front 2"]


def test_the_study_day_of_the_session_is_the_day_passed_in_not_the_clock_date(store):
    late = Clock(datetime(2026, 11, 24, 1, 30))
    s = Session(store, DAY, late, new=1)
    s.run(keys(*answers(4)), Recorder())
    [review] = store.reviews.log()
    assert review.day == DAY and review.after.due == DAY + timedelta(days=1)


def test_summary_counts_and_time_spent(store):
    clock = Clock(step=timedelta(seconds=20))
    s = Session(store, DAY, clock, new=3)
    summary = s.run(keys(*answers(5, 2, 4, 5), "q"), Recorder())
    assert (summary.reviewed, summary.new, summary.redrills, summary.grades) == (3, 3, 1, (0, 0, 1, 0, 1, 1))
    assert summary.seconds == 180 and summary.due_tomorrow == 3  # 9 clock steps from start to end
    text = summary_text(summary)
    assert text.startswith("Reviewed 3 cards (3 new).\n1 re-drill.\nTime: 3 min 00 s.\nGrades: 2:1 4:1 5:1\n")
    assert "\nDue tomorrow: 3 cards.\n" in text


def test_idle_text_names_the_next_due_day(home, store):
    for card_id in ids(store).values():
        set_due(store, card_id, DAY + timedelta(days=3))
    assert idle_text(DAY, idle(store, DAY)) == "Nothing due today.\nNext card due on 2026-11-26 (in 3 days)."
    with open_store(home / "empty") as empty:
        assert "No cards yet" in idle_text(DAY, idle(empty, DAY))


def test_edit_opens_the_notes_at_the_card_and_follows_the_change(store, notes):
    opened = []

    def editor(path: str, line: int) -> None:
        opened.append((path, line))
        text = notes.read_text()
        if len(opened) == 1:
            notes.write_text(text.replace("back 1", "back one"))
        elif len(opened) == 2:
            notes.write_text(text.replace("front 1 ::", "front one ::"))
        else:
            notes.write_text(text.replace("front 2 :: back 2", "front 2 :: back 2\n\nQ: dangling\n"))

    _s, screen, _ = play(store, "e", "\n", "e", "e", "q", open_editor=editor)
    assert opened[0] == (str(notes.resolve()), 7)
    assert screen.frames[2].back == "back one"
    assert "front changed" in screen.frames[3].notice and screen.frames[3].front == "front 2"
    assert store.cards.get(ids(store)["front 1"]).retired
    assert str(notes.resolve()) in screen.frames[4].notice and "Not re-added" in screen.frames[4].notice
    assert screen.frames[4].front == "front 2"


def test_edit_without_an_editor_says_so(store):
    _, screen, _ = play(store, "e", "q")
    assert screen.said == ["No editor available here."]


def test_cloze_sides_hide_one_deletion_and_show_the_others():
    text = "Uses {{c1::8::how many?}} heads of {{c2::$\\sqrt{d_k}$}} each"
    assert cloze_sides(text, 1) == (
        "Uses [how many?] heads of $\\sqrt{d_k}$ each",
        "Uses [8] heads of $\\sqrt{d_k}$ each",
    )
    assert cloze_sides(text, 2) == ("Uses 8 heads of […] each", "Uses 8 heads of [$\\sqrt{d_k}$] each")


def test_cards_of_every_kind_show_a_front_without_the_answer(cli, home):
    assert cli("add", DECKS).exit_code == 0
    with open_store(home) as store:
        for card in store.cards.select():
            front, back = card_sides(card)
            assert front.strip() and back.strip(), card.key
            if card.kind == "cloze":
                assert "{{c" not in front and "[" in front, card.key


def test_long_text_wraps_between_words_within_the_width():
    back = "Adaptive moment estimation: per-parameter step sizes computed from running estimates of the moments"
    screen = draw(Frame("Adam", 1, 1, "Adam", back), width=40)
    lines = screen.splitlines()
    assert all(len(line) <= 40 for line in lines)
    rule = lines.index(" " + "╌" * 20)
    assert " ".join(line.strip() for line in lines[rule + 1 : rule + 4]) == back
    assert lines[rule + 4] == ""


def test_draw_shows_context_position_front_and_keys():
    frame = Frame(
        context="Attention Is All You Need › Implementation",
        position=3,
        total=24,
        front="Scaled dot-product attention:",
        back=None,
        has_latex=True,
        left=(2, 19, 0),
    )
    lines = draw(frame, 72).splitlines()
    assert lines[0].startswith(" Attention Is All You Need › Implementation") and lines[0].endswith("3 / 24")
    assert len(lines[0]) == 71 and lines[1] == " ── 2 new · 19 review · 0 re-drill " + "─" * 36
    assert lines[2] == " Scaled dot-product attention:"
    assert lines[-2:] == [
        " [space] show answer   [u] undo   [s] skip   [!] suspend   [b] bury",
        " [e] edit   [l] LaTeX   [q] quit",
    ]
    revealed = draw(frame._replace(back="softmax(QKᵀ/√dₖ)V", redrill=True), 72)
    assert "re-drill   3 / 24" in revealed and " softmax(QKᵀ/√dₖ)V" in revealed
    assert " 0-3 again · 4-5 done (re-drill, schedule kept)\n [u] undo" in revealed


def _dump(db: Path) -> list:
    with sqlite3.connect(db) as conn:
        return [conn.execute(f"SELECT * FROM {t} ORDER BY 1").fetchall() for t in ("cards", "reviews")]


# -- the piped CLI ---------------------------------------------------------


def test_piped_review_reads_one_key_per_line_and_ends_cleanly_at_the_end_of_input(cli, home):
    assert cli("add", str(DECKS / "adam.md")).exit_code == 0
    result = cli("review", "--new", "3", input="\n5\n\n3\n")
    assert result.exit_code == 0, result.output
    assert "Adam: A Method for Stochastic Optimization › Understanding" in result.stdout
    assert "1 / 3" in result.stdout and " [space] show answer" in result.stdout
    assert "Reviewed 2 cards (2 new).\nTime: 0 s.\nGrades: 3:1 5:1\n" in result.stdout  # no line of zeros
    with open_store(home) as store:
        assert [(r.grade, r.redrill) for r in store.reviews.log()] == [(5, False), (3, False)]
    again = cli("review", "--new", "3", input="q\n")
    assert "Nothing graded.\nTime: 0 s.\n1 re-drill left today.\nRun review again to finish it.\n" in again.stdout


def test_piped_review_uses_the_settings_and_the_study_day(cli, home):
    cli("add", str(DECKS / "adam.md"))
    home.joinpath("config.toml").write_text('new_per_day = 2\nday_start = "05:00"\n')
    result = cli("review", input="\n5\n\n5\n\n5\n", now="2026-11-24T04:30")
    assert "Reviewed 2 cards (2 new)" in result.stdout
    with open_store(home) as store:
        assert {r.day for r in store.reviews.log()} == {DAY}
    result = cli("review", "--new", "0", now="2026-11-24T04:59")
    assert result.stdout == "Nothing due today.\nNext card due on 2026-11-24 (in 1 day).\n"
    assert "1 / 2" in cli("review", "--new", "0", now="2026-11-24T05:00").stdout


def test_review_with_nothing_due_says_when_the_next_card_is(cli, home):
    empty = cli("review")
    assert (
        empty.exit_code == 0
        and empty.stdout == "Nothing due today.\nNo cards yet. Add notes with:\nstudycards add NOTES.md\n"
    )
    cli("add", str(DECKS / "adam.md"))
    cli("review", "--new", "1", input="\n5\n")
    result = cli("review", "--new", "0")
    assert result.stdout == "Nothing due today.\nNext card due on 2026-11-24 (in 1 day).\n"
    assert cli("review", "--new", "0", now="2026-11-24T09:00").stdout.count("1 / 1") == 1


def test_the_review_never_imports_sympy_or_the_markdown_parser(cli, home):
    import subprocess

    cli("add", str(DECKS / "adam.md"))
    code = (
        "import sys; from studycards.cli import main\n"
        "try:\n    main(['review', '--new', '2'])\nexcept SystemExit:\n    pass\n"
        "bad = [m for m in ('sympy', 'markdown_it', 'genanki', 'arxiv') if m in sys.modules]\n"
        "print('IMPORTED', bad)"
    )
    out = subprocess.run(
        [sys.executable, "-c", code],
        input="\n5\n\n5\n",
        capture_output=True,
        text=True,
        env={**__import__("os").environ, "STUDYCARDS_NOW": "2026-11-23T09:00"},
        timeout=60,
    )
    assert "IMPORTED []" in out.stdout, out.stdout + out.stderr


MATH_NOTES = r"""---
deck: Math
---
# Math

Fraction:
$$
\frac{a + b}{c}
$$

Root:
$$
\sqrt{x + 1}
$$

Bias-corrected moment:
$$
\hat{m}_t = \frac{m_t}{1 - \beta_1^t}
$$
"""


def test_math_cards_show_the_pretty_printer_drawing_and_fall_back_without_error(cli, home, tmp_path):
    notes = tmp_path / "math.md"
    notes.write_text(MATH_NOTES)
    assert cli("add", str(notes)).exit_code == 0
    result = cli("review", input="\n5\n\n5\n\nl\n5\n")
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    bar = next(i for i, line in enumerate(lines) if line.strip() == "─────")
    assert lines[bar - 1].strip() == "a + b" and lines[bar + 1].strip() == "c"
    root = next(i for i, line in enumerate(lines) if line.strip().startswith("╲╱"))
    assert lines[root].strip() == "╲╱ x + 1" and set(lines[root - 1].strip()) == {"_"}
    hat = next(line for line in lines if "m̂" in line)
    assert "\\" not in hat and "mₜ" in hat
    assert " \\hat{m}_t = \\frac{m_t}{1 - \\beta_1^t}" in lines  # `l` shows the raw LaTeX
    assert "Traceback" not in result.output and "Reviewed 3 cards" in result.stdout


def test_undo_of_a_card_retired_since_restores_it_but_does_not_bring_it_back(store, notes):
    def editor(path: str, line: int) -> None:
        notes.write_text(notes.read_text().replace("front 1 ::", "front one ::"))

    _s, screen, _ = play(store, *answers(5), "e", "u", "q", open_editor=editor)
    old = store.cards.get(ids(store)["front 1"])
    assert old.retired and old.state == CardState() and store.reviews.log() == []
    assert screen.frames[-1].notice == "Undone: grade 5 (the card has since been retired)."
    assert screen.frames[-1].front == "front 2"

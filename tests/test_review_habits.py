"""The daily session's habits: siblings kept apart, leeches caught, cards suspended and buried, cram, limits, decks.

The engine is driven with scripted keys on a store filled by ``add``; the CLI through piped input.
"""

from __future__ import annotations

import json
from datetime import date, datetime, timedelta
from pathlib import Path

import pytest

from studycards.models import CardFlags, CardState
from studycards.review.session import Habits, Session
from studycards.sm2 import schedule
from studycards.store.database import open_store
from tests.paths import DECKS
from tests.test_review import Clock, Recorder, answers, keys

DAY = date(2026, 11, 23)
NOTES = """---
deck: Sib
---
# Siblings

Alpha ::: Beta
The {{c1::one}}, {{c2::two}} and {{c3::three}}.
Gamma :: Delta
"""


@pytest.fixture
def notes(tmp_path: Path, cli) -> Path:
    path = tmp_path / "sib.md"
    path.write_text(NOTES)
    assert cli("add", path).exit_code == 0
    return path


def run(home: Path, *script: str, day: date = DAY, **options):
    with open_store(home) as store:
        session = Session(store, day, Clock(datetime.combine(day, datetime.min.time())), **options)
        screen = Recorder()
        return session, screen, session.run(keys(*script), screen)


def test_only_one_card_of_a_note_comes_up_in_a_day_and_the_summary_counts_the_rest(home, notes):
    _, screen, summary = run(home, *answers(5, 5, 5))
    assert screen.fronts == ["Alpha", "The […], two and three.", "Gamma"]
    assert summary.buried == 3
    _, again, _ = run(home, *answers(5))  # a second session the same day still keeps them apart
    assert again.fronts == []
    with open_store(home) as store:
        beta = next(c for c in store.cards.select() if c.front == "Beta")
        assert beta.state.is_new


def test_siblings_come_together_when_burying_is_off(home, notes):
    _, screen, summary = run(home, *answers(5, 5, 5, 5, 5, 5), habits=Habits(bury_siblings=False))
    assert len(screen.fronts) == 6 and summary.buried == 0


def test_a_redrill_of_the_same_card_still_comes_back(home, notes):
    _, screen, _ = run(home, *answers(2, 5, 5, 5))
    assert screen.fronts == ["Alpha", "The […], two and three.", "Gamma", "Alpha"]
    assert screen.frames[-1].redrill


def learned(home: Path, front: str, lapses: int) -> int:
    with open_store(home) as store:
        card = next(c for c in store.cards.select() if c.front == front)
        store.cards.set_state(card.id, CardState(150, 3, 4, DAY))
        store.cards.set_flags(card.id, CardFlags(lapses=lapses))
        return card.id


def test_the_eighth_lapse_makes_a_leech_suspends_it_and_undo_takes_it_back(home, notes):
    card_id = learned(home, "Gamma", 7)
    session, screen, summary = run(home, *answers(1), "u", "q", new=0)
    assert screen.said[0] == (
        f"Leech: this card has lapsed 8 times; suspended (studycards unsuspend {card_id}). Rewrite it in its notes?"
    )
    assert screen.frames[2].notice == "Undone: grade 1." and screen.frames[2].front == "Gamma"
    with open_store(home) as store:
        card = store.cards.get(card_id)
        assert card.flags == CardFlags(lapses=7) and card.state == CardState(150, 3, 4, DAY)

    session, screen, summary = run(home, *answers(1), new=0)
    assert summary.leeches == (card_id,) and not session.queue  # suspended: no re-drill either
    with open_store(home) as store:
        card = store.cards.get(card_id)
        assert card.flags == CardFlags(suspended=True, lapses=8, leech=True)
        assert card.state == schedule(CardState(150, 3, 4, DAY), 1, DAY)
        assert store.today.redrills(DAY) == []


def test_a_fail_is_a_lapse_only_on_a_learned_card_and_tag_only_tags(home, notes):
    card_id = learned(home, "Gamma", 7)
    _, screen, _ = run(home, *answers(0, 4, 4), new=1, habits=Habits(leech_action="tag"))
    assert screen.fronts == ["Gamma", "Alpha", "Gamma"]  # tagged, not suspended: the re-drill comes
    assert screen.frames[2].notice.startswith("Leech: this card has lapsed 8 times; tagged leech.")
    with open_store(home) as store:
        assert store.cards.get(card_id).flags == CardFlags(lapses=8, leech=True)
        alpha = next(c for c in store.cards.select() if c.front == "Alpha")
        assert alpha.flags == CardFlags()  # a new card graded 0 has not lapsed: it was never learned


def test_a_card_failed_every_morning_lapses_every_morning_and_one_never_learned_never_does():
    """Issue 15's leech: a card failed ten days running must not sit at interval 1 without a word."""
    from studycards.review.rules import graded

    state, flags = CardState(), CardFlags()
    never = (state, flags)
    state, flags = graded(state, flags, 5, DAY, first=True, habits=Habits())
    for offset in range(1, 11):
        state, flags = graded(state, flags, 0, DAY + timedelta(offset), first=True, habits=Habits(leech_lapses=99))
        state, flags = graded(state, flags, 5, DAY + timedelta(offset), first=False, habits=Habits(leech_lapses=99))
        never = graded(*never, 0, DAY + timedelta(offset), first=True, habits=Habits())
    assert (flags.lapses, state.repetitions, state.interval) == (10, 0, 1)
    assert never[1] == CardFlags()


def test_bang_suspends_b_buries_and_u_takes_each_back(home, notes):
    _, screen, _ = run(home, "!", "b", "u", "u", "q", new=20)
    assert [f.notice for f in screen.frames[1:]] == [
        "Suspended card 1: no session shows it until studycards unsuspend 1.",
        "Buried card 3 until tomorrow.",
        "Undone: buried.",
        "Undone: suspended.",
    ]
    _, screen, _ = run(home, "!", "b", "q")
    with open_store(home) as store:
        flags = {c.id: c.flags for c in store.cards.select() if c.flags != CardFlags()}
    assert flags == {1: CardFlags(suspended=True), 3: CardFlags(buried_until=DAY + timedelta(days=1))}
    tomorrow, _, _ = run(home, "q", day=DAY + timedelta(days=1))
    assert [i.card.id for i in tomorrow.queue] == [2, 3, 6]  # 3 buried yesterday is back; 1 stays out


def test_suspend_unsuspend_and_bury_commands(cli, home, rows, notes):
    assert cli("suspend", "1", "6").stdout == "Suspended: 1  Alpha\nSuspended: 6  Gamma\n"
    listed = json.loads(cli("list", "--suspended", "--json").stdout)["cards"]
    assert [(c["id"], c["suspended"], c["leech"], c["lapses"]) for c in listed] == [
        (1, True, False, 0),
        (6, True, False, 0),
    ]
    assert cli("unsuspend", "6").stdout == "Unsuspended: 6  Gamma\n"
    assert cli("bury", "3").stdout == "Buried until tomorrow: 3  The {{c1::one}}, {{c2::two}} and {{c3::three}}.\n"
    [bury] = json.loads(cli("list", "--json").stdout)["cards"][2:3]
    assert bury["buried"] == "2026-11-24"
    assert cli("review", input="\n5\n\n5\n\n5\n").exit_code == 0
    assert rows("SELECT card_id FROM reviews ORDER BY id") == [(2,), (4,), (6,)]  # 1 suspended, 3 buried
    missing = cli("suspend", "6", "99")
    assert (missing.exit_code, missing.stderr) == (1, "Error: no card with id 99 (studycards list shows the ids)\n")
    assert json.loads(cli("list", "--suspended", "--json").stdout)["cards"][0]["id"] == 1  # 6 untouched


def test_an_unknown_deck_names_the_nearest_for_review_status_and_list(cli, home):
    assert cli("add", DECKS).exit_code == 0
    for command in ("review", "status", "list"):
        result = cli(command, "--deck", "Papers::Transfromer")
        assert result.exit_code == 1, command
        assert result.stderr.startswith("Error: no deck 'Papers::Transfromer'; nearest: Papers::Transformer")
        assert result.stderr.count("\n") == 1 and result.stdout == ""
    assert cli("status", "--deck", "Papers").exit_code == 0  # a parent of decks is a deck


def test_the_limit_is_said_plainly_and_how_to_study_more(cli, home):
    assert cli("add", DECKS / "adam.md").exit_code == 0
    with open_store(home) as store:
        waiting = store.cards.count_new()
    result = cli("review", "--new", "2", input="\n5\n\n5\n")
    assert f"{waiting - 2} new cards wait beyond today's 2.\nMore today: studycards review --new 4" in result.stdout
    idle = cli("review", "--new", "2")
    assert idle.stdout.startswith(f"Nothing due today.\n{waiting - 2} new cards wait beyond today's 2.")
    status = cli("status")
    assert f"\n{waiting - 20} new cards wait beyond today's 20.\n" in status.stdout  # 18 more fit in today's 20


def test_cram_practises_without_changing_schedules_and_logs_practice(cli, home, rows, notes):
    cli("review", input="\n5\n\n5\n\n5\n")
    before = rows("SELECT id, ef, repetitions, interval, due, lapses FROM cards ORDER BY id")
    reviews = rows("SELECT COUNT(*) FROM reviews")
    result = cli("review", "--cram", input="\n2\n\n5\n\n5\n\n5\n\n5\n\n5\n\n5\n")
    assert result.exit_code == 0, result.output
    assert "Practised 7 cards; schedules unchanged." in result.stdout and "Reviewed" not in result.stdout
    assert rows("SELECT id, ef, repetitions, interval, due, lapses FROM cards ORDER BY id") == before
    assert rows("SELECT COUNT(*) FROM reviews") == reviews
    assert rows("SELECT card_id, grade FROM practice ORDER BY id")[:2] == [(1, 2), (3, 5)]
    assert len(rows("SELECT * FROM practice")) == 7

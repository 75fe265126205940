"""A grade as the store writes it (its log row, its sync event, the card's start and schedule), and the queue's
counts the header shows, kept as cards come and go rather than counted afresh for every card."""

from __future__ import annotations

import random
import sqlite3
from datetime import date, datetime, timedelta
from pathlib import Path

import pytest

from studycards.models import CardFlags, CardState
from studycards.notes.importer import apply_plan, plan_import
from studycards.review.session import Session
from studycards.review.terminal import draw
from studycards.sm2 import schedule
from studycards.store.database import Store, open_store
from tests.displays import Recorder

DAY = date(2026, 11, 23)
MORNING = datetime(2026, 11, 23, 9, 0)
NOTES = "---\ndeck: Grades\n---\n# Grades\n\n" + "".join(f"front {n} :: back {n}\n" for n in range(1, 13))
NOTES += "\nA pair ::: of sides\n\nThe {{c1::first}} and the {{c2::second}} deletion.\n"


@pytest.fixture
def store(home: Path, tmp_path: Path):
    notes = tmp_path / "grades.md"
    notes.write_text(NOTES)
    with open_store(home) as store:
        apply_plan(store, plan_import(store, [str(notes)]), MORNING)
        cards = store.cards.select()
        for card in cards[:6]:  # half of the cards are reviews, some overdue
            store.cards.set_state(card.id, CardState(250, 2, 6, DAY - timedelta(days=card.id % 3)))
        yield store


def counted(session: Session) -> tuple[int, int, int]:
    """What is left behind the card in front, counted from the queue itself."""
    rest = list(session.queue)[1:]
    redrills = sum(1 for item in rest if item.redrill)
    new = sum(1 for item in rest if not item.redrill and item.card.state.is_new)
    return new, len(rest) - new - redrills, redrills


@pytest.mark.parametrize("seed", range(6))
def test_the_header_counts_what_is_left_whatever_the_keys(store: Store, seed: int) -> None:
    """Grades (re-drills come back), skips, undo, suspend and bury: the counts follow every key."""
    rng = random.Random(seed)
    session = Session(store, DAY, lambda: MORNING, new=10)
    checked = 0
    for _ in range(120):
        if session.queue:
            frame = session.frame()
            assert frame.left == counted(session)
            new, review, redrill = frame.left
            assert f" {new} new · {review} review · {redrill} re-drill " in draw(frame, 80).splitlines()[1]
            checked += 1
        key = rng.choice(["\n", "0", "2", "3", "4", "5", "5", "s", "u", "u", "!", "b"])
        if key in "012345" and session.queue:
            session.handle("\n", Recorder())
        if not session.queue and key != "u":
            continue
        session.handle(key, Recorder())
    assert checked > 40


def events(store: Store, key: str) -> list[tuple[str, int, int]]:
    rows = store.conn.execute(
        "SELECT device || ':' || seq, grade, redrill FROM sync_events WHERE card = ? AND kind = 'grade' ORDER BY seq",
        (key,),
    )
    return rows.fetchall()


def test_a_grade_logs_its_event_keeps_the_start_once_and_moves_the_card(store: Store) -> None:
    session = Session(store, DAY, lambda: MORNING, new=10)
    card = session.queue[0].card
    for grade in (2, 5):  # a fail comes back the same day as a re-drill, which moves nothing
        while session.queue[0].card.id != card.id:
            session.handle("s", Recorder())
        session.handle("\n", Recorder())
        session.handle(str(grade), Recorder())
    logged = [(a.event, a.grade, int(a.redrill)) for a in session.answers]
    assert events(store, card.key) == logged and len(logged) == 2
    rows = store.conn.execute("SELECT event, grade, redrill FROM reviews WHERE card_id = ? ORDER BY id", (card.id,))
    assert rows.fetchall() == logged
    start = store.events.start(card.id)
    assert start == (card.state, card.flags)  # as it was before its first event, not after either grade
    assert store.cards.get(card.id).state == schedule(card.state, 2, DAY)


def test_a_lapse_moves_the_schedule_and_the_flags_together(store: Store, home: Path) -> None:
    session = Session(store, DAY, lambda: MORNING, new=0)
    card = session.queue[0].card
    assert card.state.repetitions == 2
    session.handle("\n", Recorder())
    session.handle("1", Recorder())
    with sqlite3.connect(home / "studycards.db") as other:  # what another process reads
        row = other.execute("SELECT repetitions, interval, due, lapses FROM cards WHERE id = ?", (card.id,)).fetchone()
    assert row == (0, 1, (DAY + timedelta(days=1)).isoformat(), 1)
    session.handle("u", Recorder())
    restored = store.cards.get(card.id)
    assert (restored.state, restored.flags) == (card.state, CardFlags())


def test_events_recorded_outside_a_transaction_are_numbered_in_turn(store: Store) -> None:
    first, second = store.cards.select()[:2]
    made = [store.events.record(kind, c.id, MORNING, DAY) for kind, c in (("bury", first), ("suspend", second))]
    assert not store.conn.in_transaction
    device = store.events.device()
    (before,) = store.conn.execute("SELECT MAX(seq) FROM sync_events WHERE device = ?", (device,)).fetchone()
    assert made == [f"{device}:{before - 1}", f"{device}:{before}"]


def test_a_homes_events_are_numbered_on_from_the_highest_it_holds(store: Store) -> None:
    """Its log's highest number, or the grades logged before sync existed (``last_seq``) if they are more."""
    card = store.cards.select()[0]
    device = store.events.device()
    assert store.events.record("bury", card.id, MORNING, DAY) == f"{device}:1"
    with store.transaction():
        store.conn.execute("UPDATE sync_device SET last_seq = 7")
    assert store.events.record("bury", card.id, MORNING, DAY) == f"{device}:8"
    assert store.events.record("bury", card.id, MORNING, DAY) == f"{device}:9"
    with store.transaction():
        store.conn.execute("UPDATE sync_device SET device = 'other-home'")  # what a sync test does to name a home
    assert store.events.record("bury", card.id, MORNING, DAY) == "other-home:8"


MATH_NOTES = """---
deck: Math
---
# Math

What is $x_{1}$? :: The first of $\\alpha_{i}$
The {{c1::softmax}} of $QK^\\top$ and the {{c2::scale}} $\\sqrt{d_k}$.

Scaled dot-product attention:
$$
\\mathrm{softmax}(QK^\\top / \\sqrt{d_k}) V
$$

Which way does $\\beta$ go? ::: Up $\\uparrow$
"""


def fresh(store: Store, frame_card, revealed: bool) -> tuple[str, str]:
    """A card's sides worked out on the spot, as the screen would show them with nothing kept."""
    from studycards.review.sides import card_sides, shown_equations

    sides = card_sides(frame_card, marked=True, drawings=store.drawings.of(shown_equations(frame_card)))
    return sides[0], sides[1] if revealed else ""


def test_the_next_card_made_ready_during_the_answer_shows_as_it_would_fresh(home: Path, tmp_path: Path) -> None:
    notes = tmp_path / "math.md"
    notes.write_text(MATH_NOTES)
    with open_store(home) as store:
        apply_plan(store, plan_import(store, [str(notes)]), MORNING)
        session = Session(store, DAY, lambda: MORNING, new=10)
        shown = Recorder()
        cards = [item.card for item in session.queue]
        assert len(cards) >= 4 and any("$$" in c.back for c in cards) and any(c.kind == "cloze" for c in cards)
        for card in cards:
            session._present(shown)
            assert shown.frames[-1].front == fresh(store, card, False)[0]
            session.handle("\n", shown)
            session._present(shown)  # the answer is on screen; the next card is made ready meanwhile
            front, back = fresh(store, card, True)
            assert (shown.frames[-1].front, shown.frames[-1].back) == (front, back)
            session.handle("5", shown)


def test_kept_sides_follow_a_drawing_finished_since_and_an_edited_card(store: Store) -> None:
    from studycards.review.prepared import Prepared

    card = store.cards.select()[0]
    card = card._replace(front="Attention:\n\n$$\nQK^\\top\n$$", back="done")
    store.drawings.wait_for(["QK^\\top"])
    prepared = Prepared(store)
    before = prepared.sides(card).front
    assert "QKᵀ" in before or "QK^" in before  # its line form until the drawer has drawn it
    store.drawings.put([("QK^\\top", "DRAWN BY SYMPY")])
    assert "DRAWN BY SYMPY" in prepared.sides(card).front
    edited = card._replace(front="Attention, edited:\n\n$$\nQK^\\top\n$$")
    assert prepared.sides(edited).front.startswith("Attention, edited:")

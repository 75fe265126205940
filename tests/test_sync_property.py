"""Property: two or three homes reviewing, undoing and syncing in any interleaving end equal, and equal to one home.

Each home is a real collection (a copy of one built from real notes) with its own device id, run
through the real session engine and the real sync into one folder.  After a final sync round on
every home, each must hold what a single home replaying the union of the surviving grades in time
order holds: the day's first grade of a card schedules it (SM-2, written out here from the
README's rule), every later one that day is a re-drill.
"""

from __future__ import annotations

import shutil
from datetime import datetime, time, timedelta
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from studycards.home import study_day
from studycards.models import CardState
from studycards.review.records import Habits
from studycards.review.session import Session
from studycards.sm2 import schedule
from studycards.store.database import open_store
from studycards.store.history import card_history
from studycards.sync.run import sync
from tests.displays import Recorder

NOTES = "# Property deck\n\n" + "".join(f"Question {i}? :: Answer {i}\n" for i in range(5))
START = datetime(2026, 11, 23, 8, 0)
OFFSETS = (timedelta(0), timedelta(hours=3), timedelta(minutes=-20))  # the second home's clock is 3 hours ahead


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One collection with the notes added, copied for every home of every example."""
    from studycards.notes.importer import add_notes

    folder = tmp_path_factory.mktemp("template")
    notes = folder / "property.md"
    notes.write_text(NOTES, encoding="utf-8")
    with open_store(folder / "home") as store:
        add_notes(store, [str(notes)], START)
        store.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    return folder / "home" / "studycards.db"


class Home:
    """One machine: its collection, its clock (the shared one plus its offset), its session of the moment."""

    def __init__(self, base: Path, number: int, template: Path, folder: Path) -> None:
        home = base / f"home{number}"
        home.mkdir()
        shutil.copy(template, home / "studycards.db")
        self.store = open_store(home)
        self.device = f"home{number}-{number:06x}"
        with self.store.transaction():
            self.store.conn.execute("UPDATE sync_device SET device = ?", (self.device,))
        self.offset, self.folder = OFFSETS[number], folder
        self.session: Session | None = None
        self.number = number

    def clock(self, now: datetime) -> datetime:
        return now + self.offset

    def act(self, op: str, grade: int, now: datetime, grades: dict[str, tuple]) -> None:
        moment = self.clock(now)
        day = study_day(moment, time(4, 0))
        if op == "sync":
            sync(self.store, self.folder, moment, Habits())
            self.session = None
            return
        if self.session is None or self.session.day != day:
            self.session = Session(self.store, day, lambda: moment)
        self.session.clock = lambda: moment
        session = self.session
        if op == "undo":
            if session.answers:
                undone, before = session.answers[-1], len(session.answers)
                event = self.event(undone.review_id) if undone.action == "grade" else None
                session.handle("u", Recorder())
                if len(session.answers) < before and event:
                    del grades[event]
            return
        if not session.queue:
            return
        if op == "bury":
            session.handle("b", Recorder())
            return
        session.handle("\n", Recorder())
        session.handle(str(grade), Recorder())
        answer = session.answers[-1]
        at, studied, event = self.store.conn.execute(
            "SELECT reviewed_at, day, event FROM reviews WHERE id = ?", (answer.review_id,)
        ).fetchone()
        grades[event] = (answer.item.card.key, studied, at, self.device, grade)

    def event(self, review_id: int) -> str:
        return self.store.conn.execute("SELECT event FROM reviews WHERE id = ?", (review_id,)).fetchone()[0]


def expected(grades: list[tuple]) -> dict[str, tuple[CardState, list[tuple]]]:
    """What one home given every grade in time order holds, card by card: its state and its log."""
    found: dict[str, tuple[CardState, list[tuple]]] = {}
    for key, studied, at, _, grade in sorted(grades, key=lambda g: (g[1], g[2], g[3])):
        state, log = found.get(key, (CardState(), []))
        first = all(day != studied for _, day, _, _ in log)
        if first:
            state = schedule(state, grade, datetime.fromisoformat(studied).date())
        found[key] = (state, [*log, (at, studied, grade, not first)])
    return found


OPS = st.tuples(
    st.integers(0, 2),
    st.sampled_from(["grade", "grade", "grade", "undo", "sync", "bury"]),
    st.integers(0, 5),
    st.integers(1, 600),  # minutes until the next step: several study days pass in a run
)


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(devices=st.integers(2, 3), ops=st.lists(OPS, max_size=40))
def test_any_interleaving_of_reviews_undos_and_syncs_ends_as_one_home_replaying_the_union(
    template, tmp_path_factory, devices, ops
):
    base = tmp_path_factory.mktemp("homes")
    folder = base / "Sync"
    folder.mkdir()
    homes = [Home(base, number, template, folder) for number in range(devices)]
    grades: dict[str, tuple] = {}
    now = START
    try:
        for who, op, grade, minutes in ops:
            homes[who % devices].act(op, grade, now, grades)
            now += timedelta(minutes=minutes)
        for _ in range(2):  # a final sync on each home, twice round, so each has read every other's last events
            for home in homes:
                home.act("sync", 0, now, grades)
                now += timedelta(minutes=1)
        want = expected(list(grades.values()))
        states = []
        for home in homes:
            cards = home.store.cards.select()
            got = {}
            for card in cards:
                log = [(g.at, g.day.isoformat(), g.grade, g.redrill) for g in card_history(home.store.conn, card.id)]
                got[card.key] = (card.state, log)
            assert {key: value for key, value in got.items() if value[1]} == want
            states.append([(card.key, card.state, card.flags) for card in cards])
        assert all(state == states[0] for state in states)
    finally:
        for home in homes:
            home.store.close()

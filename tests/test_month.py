"""A simulated month of daily reviews of the sample decks, checked against SM-2 computed independently.

Each day ``studycards review`` runs with ``STUDYCARDS_NOW`` on that day and its
answers piped in, one key per line.  The expected schedule comes from the small
reference below (exact fractions, DESIGN §5), never from ``studycards.sm2``;
the expected queue (most overdue first, then 20 new cards in notes order,
re-drills after, and only one card of a note a day: siblings are buried) decides
which card receives which grade, so a wrong order shows up as wrong states.
Each morning before the session, ``status`` must count the same new, due, young
and mature cards as the reference, and forecast the new cards the limit brings.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from fractions import Fraction

from studycards.store.database import open_store
from tests.paths import DECKS

START = date(2026, 11, 2)
DAYS = 30
SKIPPED = {9, 16, 17}  # days without a session: their cards are overdue on the next one
LATE_NIGHT = {4, 12, 25}  # sessions at 01:30 the next calendar day still count for this study day
PATTERN = (5, 4, 3, 5, 2, 4, 5, 1, 4, 0, 3, 5, 4)
NEW_PER_DAY = 20


def first_grade(index: int, reviews: int) -> int:
    """The fixed pattern: card ``index``'s grade on its ``reviews``-th scheduled review."""
    return PATTERN[(index + reviews) % len(PATTERN)]


@dataclass
class Expected:
    """SM-2 by the book, with EF as an exact fraction."""

    index: int
    note: str = ""
    ef: Fraction = Fraction(5, 2)
    repetitions: int = 0
    interval: int = 0
    due: date | None = None
    reviews: int = 0

    def answer(self, grade: int, day: date) -> None:
        miss = 5 - grade
        self.ef = max(Fraction(13, 10), self.ef + Fraction(1, 10) - miss * (Fraction(8, 100) + miss * Fraction(2, 100)))
        if grade >= 3:
            self.repetitions += 1
            self.interval = {1: 1, 2: 6}.get(self.repetitions) or math.ceil(self.interval * self.ef)
        else:
            self.repetitions, self.interval = 0, 1
        self.due = day + timedelta(days=self.interval)
        self.reviews += 1


def day_script(cards: list[Expected], day: date) -> tuple[str, int, int]:
    """The keys of one day's session (and the counts of first grades and re-drills it will give)."""
    notes: set[str] = set()

    def unburied(candidates: list[Expected], limit: int) -> list[Expected]:
        taken = []
        for card in candidates:
            if len(taken) < limit and card.note not in notes:
                notes.add(card.note)
                taken.append(card)
        return taken

    due = unburied(
        sorted((c for c in cards if c.due is not None and c.due <= day), key=lambda c: (c.due, c.index)), 10**6
    )
    new = unburied([c for c in cards if c.due is None], NEW_PER_DAY)
    lines: list[str] = []
    again: list[Expected] = []
    for card in due + new:
        grade = first_grade(card.index, card.reviews)
        card.answer(grade, day)
        lines += ["", str(grade)]
        if grade < 4:
            again.append(card)
    redrills, round_ = 0, 0
    while again:  # in the first round odd cards get 3 and come back once more for a 5; even ones pass with 4
        round_ += 1
        still = []
        for card in again:
            grade = (3 if card.index % 2 else 4) if round_ == 1 else 5
            lines += ["", str(grade)]
            redrills += 1
            if grade < 4:
                still.append(card)
        again = still
    return "\n".join(lines) + "\n", len(due) + len(new), redrills


def session_time(offset: int) -> str:
    day = START + timedelta(days=offset)
    if offset in LATE_NIGHT:
        return datetime.combine(day + timedelta(days=1), time(1, 30)).isoformat()
    return datetime.combine(day, time(9, 0)).isoformat()


def check_status(cli, cards: list[Expected], day: date, now: str) -> None:
    """``status`` before the day's session: its columns counted from the reference, the forecast's new cards too."""
    result = cli("status", "--json", now=now)
    assert result.exit_code == 0, result.output
    document = json.loads(result.stdout)
    totals = {name: sum(deck[name] for deck in document["decks"]) for name in ("new", "due", "young", "mature")}
    seen = [c for c in cards if c.due is not None]
    assert totals == {
        "new": len(cards) - len(seen),
        "due": sum(1 for c in seen if c.due <= day),
        "young": sum(1 for c in seen if c.interval < 21),
        "mature": sum(1 for c in seen if c.interval >= 21),
    }, day
    waiting = len(cards) - len(seen) - NEW_PER_DAY
    assert [d["new"] for d in document["forecast"]] == [
        max(0, min(NEW_PER_DAY, waiting - NEW_PER_DAY * k)) for k in range(7)
    ]


def test_a_month_of_piped_reviews_follows_sm2_exactly(cli, home):
    added = cli("add", DECKS, now=session_time(0))
    assert added.exit_code == 0, added.output
    with open_store(home) as store:
        live = store.cards.select(include_retired=False)
    ids = [card.id for card in live]
    expected = [Expected(index, card.note_key) for index, card in enumerate(live)]
    assert len({card.note_key for card in live}) < len(live)  # the decks have siblings to bury
    total_answers = total_redrills = 0

    for offset in range(DAYS):
        if offset in SKIPPED:
            continue
        day = START + timedelta(days=offset)
        check_status(cli, expected, day, session_time(offset))
        script, graded, redrills = day_script(expected, day)
        result = cli("review", input=script, now=session_time(offset))
        assert result.exit_code == 0, result.output
        if graded:
            assert f"Reviewed {graded} card" in result.stdout, (day, result.stdout[-400:])
            if redrills:
                assert f"\n{redrills} re-drill{'s' if redrills > 1 else ''}.\n" in result.stdout, day
        else:
            assert result.stdout.startswith("Nothing due today."), day
        total_answers += graded + redrills
        total_redrills += redrills

        with open_store(home) as store:
            for card_id, want in zip(ids, expected):
                state = store.cards.get(card_id).state
                got = (Fraction(state.ef, 100), state.repetitions, state.interval, state.due)
                assert got == (want.ef, want.repetitions, want.interval, want.due), (day, card_id, want.index)

    with open_store(home) as store:
        log = store.reviews.log()
    assert len(log) == total_answers and sum(r.redrill for r in log) == total_redrills
    assert all(r.before == r.after for r in log if r.redrill)
    assert max(c.interval for c in expected) > 6 and min(c.ef for c in expected) < Fraction(25, 10)


def test_the_reference_matches_a_hand_computed_card():
    """Card 0 gets 5, 4, 3, 5, 2, 4, ...: worked by hand from DESIGN §5."""
    card = Expected(0)
    day = START
    rows = []
    for k in range(6):
        card.answer(first_grade(0, k), day)
        rows.append((card.ef, card.repetitions, card.interval))
        day = card.due
    assert rows == [
        (Fraction(260, 100), 1, 1),  # 5: EF 2.5 + 0.1
        (Fraction(260, 100), 2, 6),  # 4: EF unchanged
        (Fraction(246, 100), 3, 15),  # 3: EF - 0.14 = 2.46; 6 × 2.46 = 14.76 -> 15
        (Fraction(256, 100), 4, 39),  # 5: 2.56; 15 × 2.56 = 38.4 -> 39
        (Fraction(224, 100), 0, 1),  # 2: EF - 0.32 = 2.24; a failure starts again at 1 day
        (Fraction(224, 100), 1, 1),  # 4: n = 1 -> 1 day
    ]

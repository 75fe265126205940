"""`status` counts per deck: new, due today, re-drills pending, learned, retired, and the 7-day forecast."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from studycards.models import CardState
from studycards.store.cards import CardContent
from studycards.store.database import open_store
from studycards.store.reviews import DeckStatus

DAY = date(2026, 11, 23)


def card(i: int, deck: str) -> CardContent:
    return CardContent(
        key=f"k1:basic:{deck}:c{i}#0",
        note_key=f"k1:basic:{deck}:c{i}",
        deck=deck,
        kind="basic",
        ord=0,
        front=f"c{i}",
        back="b",
        context=deck,
        tags=(),
        source="/n.md",
        line=i,
        paper=None,
        front_text=f"c{i}",
        back_text="b",
    )


def test_counts_per_deck_and_forecast(home):
    moment = datetime(2026, 11, 23, 9)
    with open_store(home) as store:
        with store.transaction():
            store.cards.insert([card(i, "A") for i in range(6)] + [card(i, "A::Sub") for i in range(6, 8)], moment)
        ids = [c.id for c in store.cards.select()]
        # A: ids[0] due two days ago, ids[1] due in 3 days, ids[2] graded 2 today (re-drill pending), ids[3] retired
        store.reviews.record(
            ids[0],
            5,
            DAY - timedelta(days=8),
            moment,
            1,
            CardState(),
            CardState(260, 1, 6, DAY - timedelta(days=2)),
            redrill=False,
        )
        store.reviews.record(
            ids[1], 5, DAY, moment, 1, CardState(), CardState(260, 1, 3, DAY + timedelta(days=3)), redrill=False
        )
        store.reviews.record(
            ids[2], 2, DAY, moment, 1, CardState(), CardState(218, 0, 1, DAY + timedelta(days=1)), redrill=False
        )
        with store.transaction():
            store.cards.retire([ids[3]], moment)
        assert store.reviews.status(DAY) == [
            DeckStatus(deck="A", new=2, due=1, redrills=1, learned=2, retired=1),
            DeckStatus(deck="A::Sub", new=2, due=0, redrills=0, learned=0, retired=0),
        ]
        assert [s.deck for s in store.reviews.status(DAY, "A::Sub")] == ["A::Sub"]
        assert store.reviews.forecast(DAY, 7)[:3] == [
            (DAY + timedelta(days=1), 1),
            (DAY + timedelta(days=2), 0),
            (DAY + timedelta(days=3), 1),
        ]

"""`status` counts per deck: new, due, re-drill, young, mature, suspended, retired; and the 7-day forecast."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from studycards.models import CardFlags, CardState
from studycards.store.cards import CardContent
from studycards.store.counts import DeckStatus, DueOn
from studycards.store.database import open_store

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
        store.reviews.record(
            ids[4], 4, DAY - timedelta(days=30), moment, 1, CardState(), CardState(270, 4, 25, DAY), redrill=False
        )
        store.reviews.record(
            ids[6],
            5,
            DAY - timedelta(days=9),
            moment,
            1,
            CardState(),
            CardState(260, 3, 40, DAY + timedelta(30)),
            redrill=False,
        )
        with store.transaction():
            store.cards.retire([ids[3]], moment)
            store.cards.set_flags(ids[5], CardFlags(suspended=True, lapses=8, leech=True))
        # A: 0 due (young), 1 young, 2 young with a re-drill, 3 retired, 4 due today (mature), 5 suspended leech
        assert store.counts.status(DAY) == [
            DeckStatus(deck="A", new=0, due=2, redrills=1, young=3, mature=1, suspended=1, retired=1, leeches=1),
            DeckStatus(deck="A::Sub", new=1, due=0, redrills=0, young=0, mature=1, suspended=0, retired=0),
        ]
        assert [s.deck for s in store.counts.status(DAY, "A::Sub")] == ["A::Sub"]
        assert store.counts.forecast(DAY, 7, new_per_day=0)[:3] == [
            (DAY + timedelta(days=1), 1, 0),
            (DAY + timedelta(days=2), 0, 0),
            (DAY + timedelta(days=3), 1, 0),
        ]


def test_the_forecast_counts_the_new_cards_the_daily_limit_brings(home):
    moment = datetime(2026, 11, 23, 9)
    with open_store(home) as store:
        with store.transaction():
            store.cards.insert([card(i, "A") for i in range(12)], moment)
        first = store.cards.select()[0].id
        store.reviews.record(
            first, 5, DAY, moment, 1, CardState(), CardState(260, 1, 1, DAY + timedelta(1)), redrill=False
        )
        # 11 new left; today's limit of 5 still brings 4, then 5 a day until none are left
        assert store.counts.new_waiting(DAY, None, 5) == 7
        assert store.counts.forecast(DAY, 3, new_per_day=5) == [
            DueOn(DAY + timedelta(days=1), 1, 5),
            DueOn(DAY + timedelta(days=2), 0, 2),
            DueOn(DAY + timedelta(days=3), 0, 0),
        ]


def test_status_text_has_a_column_for_each_state_and_says_what_the_limit_holds_back(cli, tmp_path):
    notes = tmp_path / "n.md"
    notes.write_text("# N\n\n" + "\n".join(f"front {n} :: back" for n in range(25)) + "\n")
    assert cli("add", notes).exit_code == 0
    text = cli("status").stdout.splitlines()
    assert text[1].split() == ["deck", "new", "due", "re-drill", "young", "mature", "suspended", "retired"]
    assert text[2].split() == ["N", "25", "0", "0", "0", "0", "0", "0"]
    assert (
        text[4]
        == "Next 7 days (reviews+new): Tue 24: 0+5  Wed 25: 0  Thu 26: 0  Fri 27: 0  Sat 28: 0  Sun 29: 0  Mon 30: 0"
    )
    assert text[5:] == [
        "5 new cards wait beyond today's 20.",
        "More today: studycards review --new 25",
        "Ready today: 20 cards (20 new). Next: studycards review",
    ]


def test_suspended_and_buried_cards_are_not_counted_due_nor_forecast(home):
    moment = datetime(2026, 11, 23, 9)
    with open_store(home) as store:
        with store.transaction():
            store.cards.insert([card(i, "A") for i in range(4)], moment)
        ids = [c.id for c in store.cards.select()]
        for card_id, due in zip(ids, (DAY, DAY, DAY + timedelta(1), DAY + timedelta(1))):
            store.cards.set_state(card_id, CardState(250, 3, 30, due))
        with store.transaction():
            store.cards.set_flags(ids[0], CardFlags(suspended=True))
            store.cards.set_flags(ids[1], CardFlags(buried_until=DAY + timedelta(1)))
            store.cards.set_flags(ids[2], CardFlags(suspended=True))
        [status] = store.counts.status(DAY)
        assert (status.due, status.mature, status.young, status.suspended) == (0, 2, 0, 2)
        assert store.counts.forecast(DAY, 1) == [DueOn(DAY + timedelta(1), 1, 0)]
        [tomorrow] = store.counts.status(DAY + timedelta(1))
        assert tomorrow.due == 2  # the buried card is back with the one due tomorrow

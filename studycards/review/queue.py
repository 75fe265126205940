"""The day's queue: due reviews, then new cards, then the day's pending re-drills, with siblings kept apart.

Siblings are the cards of one note (the two directions of ``:::``, the clozes of one paragraph):
once one of them is graded on a day, the others wait for the next, so the answer just seen
never gives the next card away.  Nothing is stored for that: the day's log says which notes
were graded, so a second session the same day keeps them apart too.
"""

# Annotations are evaluated here (no __future__ import): a NamedTuple compiles each string annotation, at start-up.
from collections.abc import Iterable, Iterator
from datetime import date
from typing import NamedTuple

from studycards.models import Card
from studycards.store.database import Store


class Item:
    """A card waiting in the queue; ``redrill`` marks a card already graded today (or practised, in cram).

    Each item is itself (equal only to itself), and a plain class: dataclasses is a millisecond of the
    start of a review."""

    __slots__ = ("card", "redrill")

    def __init__(self, card: Card, redrill: bool = False) -> None:
        self.card = card
        self.redrill = redrill

    def __repr__(self) -> str:
        return f"Item(card={self.card!r}, redrill={self.redrill!r})"


class Planned(NamedTuple):
    """The queue and how many siblings were left out of it for today."""

    items: list[Item]
    buried: int


def plan_queue(store: Store, day: date, deck: str | None, new: int, limit: int, bury_siblings: bool = True) -> Planned:
    """Due reviews (most overdue first), then new cards in notes order, then today's pending re-drills.

    New cards and reviews already graded today count against ``new`` and ``limit``; a sibling
    passed over counts against neither, so the limits fill with cards that can be shown.
    """
    notes = store.today.notes_graded_on(day, deck) if bury_siblings else set()
    redrills = store.today.redrills(day, deck)
    taken: set[int] = {card.id for card in redrills}
    items: list[Item] = []
    buried = 0

    def fill(cards: Iterator[Card], count: int) -> None:
        nonlocal buried
        if count <= 0:
            return
        for card in cards:
            if card.id in taken:
                continue
            if card.note_key in notes:
                buried += 1
                continue
            taken.add(card.id)
            if bury_siblings:
                notes.add(card.note_key)
            items.append(Item(card))
            count -= 1
            if count == 0:
                return

    fill(store.cards.iter_due(day, deck), limit - store.today.reviewed_on(day, deck))
    fill(store.cards.iter_new(day, deck), new - store.today.new_seen_on(day, deck))
    items += [Item(card, redrill=True) for card in redrills]
    return Planned(items, buried)


def build_queue(
    store: Store, day: date, deck: str | None, new: int, limit: int, bury_siblings: bool = True
) -> list[Item]:
    return plan_queue(store, day, deck, new, limit, bury_siblings).items


def cram_queue(store: Store, day: date, deck: str | None, limit: int) -> list[Item]:
    """Every card that could be shown, due or not (soonest due first, then the new ones): practice, not review."""
    cards: Iterable[Card] = (
        card
        for card in store.cards.select(deck=deck, include_retired=False)
        if not card.flags.suspended and (card.flags.buried_until is None or card.flags.buried_until <= day)
    )
    ordered = sorted(cards, key=lambda c: (c.state.due is None, c.state.due or day, c.id))
    return [Item(card) for card in ordered[:limit]]


class Idle(NamedTuple):
    """Why the queue is empty from the start: the next due day, if any, and how many new cards wait."""

    next_due: date | None
    new_waiting: bool
    new_beyond_limit: int = 0
    new_limit: int = 0


def idle(store: Store, day: date, deck: str | None = None, new_limit: int = 20) -> Idle:
    """The facts the CLI words when there is nothing to review today."""
    waiting = store.cards.count_new(deck)
    return Idle(store.cards.next_due(day, deck), waiting > 0, store.counts.new_waiting(day, deck, new_limit), new_limit)

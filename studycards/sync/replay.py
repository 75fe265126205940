"""A card's schedule from its start and every home's events: pure, so each home that holds the same events agrees.

Events are taken in time order (study day, then moment, then device and sequence, so that
equal times still have one order).  An undo takes its grade out, wherever it sits; the rest
goes through the session's own rule (:func:`studycards.review.rules.graded`): the day's first
grade of the card schedules it, later ones that day, from any home, are re-drills.
Identity moves (a deck renamed) join keys into one card: :func:`identities`.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from operator import attrgetter
from typing import NamedTuple

from studycards.models import CardFlags, CardState, Event
from studycards.review.records import Habits
from studycards.review.rules import graded, set_aside
from studycards.store.events import ReplayedGrade


class Replayed(NamedTuple):
    state: CardState
    flags: CardFlags
    grades: list[ReplayedGrade]


order = attrgetter("day", "at", "device", "seq")  # (Event) -> the tuple events are replayed in
_new = tuple.__new__  # a grade's log row made from its fields at once (the class's own __new__ is a Python call)


def replay(state: CardState, flags: CardFlags, events: Iterable[Event], habits: Habits) -> Replayed:
    """The card's state, flags and grade log after ``events``, from its start (``state``, ``flags``).

    A first sync replays a hundred thousand events: each is unpacked once, and its id made only
    where it is needed (every grade's log row names its event; an undo is looked up by it).
    """
    events = sorted(events, key=order)
    undone = {event.ref for event in events if event.kind == "undo"}
    days: set[date] = set()
    grades: list[ReplayedGrade] = []
    keep = grades.append
    for device, seq, kind, _, at, day, grade, ms, _, cram, _ in events:
        if kind == "grade":
            assert grade is not None
            event = f"{device}:{seq}"
            if undone and event in undone:
                continue
            before = state
            if cram:
                first = False
            else:
                first = day not in days
                days.add(day)
                state, flags = graded(state, flags, grade, day, first=first, habits=habits)
            keep(_new(ReplayedGrade, (event, at, day, grade, ms, not first, cram, before, state)))
        elif kind not in ("undo", "move") and not (undone and f"{device}:{seq}" in undone):
            flags = set_aside(flags, kind, day)
    return Replayed(state, flags, grades)


def identities(moves: Iterable[tuple[str, str]]) -> dict[str, str]:
    """Each key that ever moved, mapped to one name for its card (keys joined by moves share it)."""
    parent: dict[str, str] = {}

    def root(key: str) -> str:
        while parent.get(key, key) != key:
            parent[key] = parent.get(parent[key], parent[key])
            key = parent[key]
        return key

    for old, new in moves:
        a, b = root(old), root(new)
        if a != b:
            parent[max(a, b)] = min(a, b)
        parent.setdefault(old, old)
        parent.setdefault(new, new)
    return {key: root(key) for key in parent}

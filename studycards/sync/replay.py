"""A card's schedule from its start and every home's events: pure, so each home that holds the same events agrees.

Events are taken in time order (study day, then moment, then device and sequence, so that
equal times still have one order).  An undo takes its grade out, wherever it sits; the rest
goes through the session's own rule (:func:`studycards.review.rules.graded`): the day's first
grade of the card schedules it, later ones that day, from any home, are re-drills.
Identity moves (a deck renamed) join keys into one card: :func:`identities`.
"""

from __future__ import annotations

from collections.abc import Iterable
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


def replay(state: CardState, flags: CardFlags, events: Iterable[Event], habits: Habits) -> Replayed:
    """The card's state, flags and grade log after ``events``, from its start (``state``, ``flags``)."""
    events = sorted(events, key=order)
    undone = {event.ref for event in events if event.kind == "undo"}
    days: set[object] = set()
    grades: list[ReplayedGrade] = []
    for event in events:
        if event.kind in ("undo", "move") or (undone and event.id in undone):
            continue
        if event.kind != "grade":
            flags = set_aside(flags, event.kind, event.day)
            continue
        assert event.grade is not None
        before = state
        if not event.cram:
            first = event.day not in days
            days.add(event.day)
            state, flags = graded(state, flags, event.grade, event.day, first=first, habits=habits)
        else:
            first = False
        grades.append(
            ReplayedGrade(event.id, event.at, event.day, event.grade, event.ms, not first, event.cram, before, state)
        )
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

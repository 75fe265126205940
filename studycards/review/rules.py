"""What a grade or a set-aside does to a card: pure, so a session and a sync replay apply one and the same rule.

Only the day's first grade of a card schedules it (SM-2); later grades that day are
re-drills that leave the schedule alone.  A first grade below 3 on a card that has
been learned is a lapse, and the ``leech_lapses``-th makes the card a leech.
"""

from __future__ import annotations

from datetime import date, timedelta

from studycards.models import CardFlags, CardState
from studycards.review.records import Habits
from studycards.sm2 import PASS, schedule

ASIDE = ("suspend", "unsuspend", "bury")


def graded(
    state: CardState, flags: CardFlags, grade: int, day: date, *, first: bool, habits: Habits
) -> tuple[CardState, CardFlags]:
    """The card's state and flags after a grade; ``first`` says it is the card's first grade of the study day."""
    if not first:
        return state, flags
    after = schedule(state, grade, day)
    if grade < PASS and learned(state, flags):
        flags = lapsed(flags, habits)
    return after, flags


def learned(state: CardState, flags: CardFlags) -> bool:
    """Whether a fail now is a lapse: the card has been learned (repetitions > 0), or was before it lapsed.

    SM-2 sets repetitions to 0 on a fail and re-drills leave them so, so by repetitions alone a card
    failed every morning would lapse once and never become a leech, the very card leeches are for.
    """
    return state.repetitions > 0 or flags.lapses > 0


def lapsed(flags: CardFlags, habits: Habits) -> CardFlags:
    """One more lapse; the ``leech_lapses``-th tags the card a leech and, by default, suspends it."""
    lapses = flags.lapses + 1
    leech = flags.leech or lapses >= habits.leech_lapses
    suspend = leech and not flags.leech and habits.leech_action == "suspend"
    # built whole, not by _replace (which goes through map and _make): a sync replays every lapse of a log
    return CardFlags(flags.suspended or suspend, flags.buried_until, lapses, leech)


def set_aside(flags: CardFlags, how: str, day: date) -> CardFlags:
    """Suspend (until unsuspended), unsuspend, or bury until the next study day after ``day``."""
    if how == "bury":
        return flags._replace(buried_until=day + timedelta(days=1))
    if how in ("suspend", "unsuspend"):
        return flags._replace(suspended=how == "suspend")
    raise ValueError(f"how must be one of {ASIDE}, not {how!r}")

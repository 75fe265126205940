"""The SuperMemo-2 scheduler: a pure function of (state, grade, day).

EF is kept in integer hundredths, so floating-point error can never push an
interval up a day (five perfect answers give 1, 6, 17, 50, 150 days).
Where Woźniak's text leaves room, studycards reads it as the README says:
every day's first grade updates EF, failures included; the interval multiplies
by the updated EF; lateness is ignored.
"""

from __future__ import annotations

from datetime import date, timedelta

from studycards.models import CardState

EF_FLOOR = 130
PASS = 3
REDRILL_BELOW = 4


def next_ef(ef: int, grade: int) -> int:
    """EF' = EF + (0.1 - (5-q)(0.08 + (5-q)0.02)), in hundredths, floored at 1.3."""
    miss = 5 - grade
    return max(EF_FLOOR, ef + 10 - miss * (8 + 2 * miss))


_DAYS: dict[int, timedelta] = {}  # each interval as a timedelta, made once: a sync replays 100,000 grades


def schedule(state: CardState, grade: int, day: date) -> CardState:
    """The state after the day's first grade of a card."""
    if not 0 <= grade <= 5:
        raise ValueError(f"grade must be 0..5, not {grade}")
    ef = next_ef(state.ef, grade)
    if grade < PASS:
        repetitions, interval = 0, 1
    else:
        repetitions = state.repetitions + 1
        if repetitions == 1:
            interval = 1
        elif repetitions == 2:
            interval = 6
        else:
            interval = -(-state.interval * ef // 100)
    try:
        ahead = _DAYS[interval]
    except KeyError:
        ahead = _DAYS.setdefault(interval, timedelta(days=interval))
    return CardState(ef, repetitions, interval, day + ahead)


def needs_redrill(grade: int) -> bool:
    """SM-2 step 7: anything graded below 4 comes back the same day until it is 4 or 5."""
    return grade < REDRILL_BELOW

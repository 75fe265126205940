"""SM-2 against hand-computed sequences, and its invariants over random grades."""

from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from studycards.models import CardState
from studycards.sm2 import needs_redrill, next_ef, schedule

DAY = date(2026, 1, 1)


def run(grades: list[int]) -> list[CardState]:
    state, day, states = CardState(), DAY, []
    for grade in grades:
        state = schedule(state, grade, day)
        states.append(state)
        day = state.due
    return states


def test_five_perfect_answers_give_the_textbook_intervals():
    states = run([5, 5, 5, 5, 5])
    assert [s.interval for s in states] == [1, 6, 17, 50, 150]
    assert [s.ef for s in states] == [260, 270, 280, 290, 300]
    assert states[-1].due == DAY + timedelta(days=1 + 6 + 17 + 50 + 150)


@pytest.mark.parametrize(
    "grades, intervals, efs, reps",
    [
        # q=4 leaves EF unchanged: 2.5 * 6 = 15
        ([4, 4, 4], [1, 6, 15], [250, 250, 250], [1, 2, 3]),
        # q=3 lowers EF by 0.14 each time: 6 * 2.08 = 12.48 -> 13
        ([3, 3, 3], [1, 6, 13], [236, 222, 208], [1, 2, 3]),
        # a failure restarts at 1 day and keeps the lowered EF (2.70 - 0.54); then 6 * 2.46 = 14.76 -> 15
        ([5, 5, 1, 5, 5, 5], [1, 6, 1, 1, 6, 15], [260, 270, 216, 226, 236, 246], [1, 2, 0, 1, 2, 3]),
        # grade 2 lowers EF by 0.32; grade 0 by 0.8, floored at 1.3
        ([2], [1], [218], [0]),
        ([0, 0, 0], [1, 1, 1], [170, 130, 130], [0, 0, 0]),
    ],
)
def test_hand_computed_sequences(grades, intervals, efs, reps):
    states = run(grades)
    assert [s.interval for s in states] == intervals
    assert [s.ef for s in states] == efs
    assert [s.repetitions for s in states] == reps


@pytest.mark.parametrize("grade, delta", [(5, 10), (4, 0), (3, -14), (2, -32), (1, -54), (0, -80)])
def test_ef_moves_by_the_formula_in_hundredths(grade, delta):
    assert next_ef(250, grade) == 250 + delta


def test_redrill_rule_is_below_four():
    assert [needs_redrill(g) for g in range(6)] == [True, True, True, True, False, False]


@pytest.mark.parametrize(
    "grades, intervals, efs, reps",
    [
        # 2 is a failure even after two passes: back to one day, repetitions restart
        ([5, 5, 2], [1, 6, 1], [260, 270, 238], [1, 2, 0]),
        # 3 is a pass: the interval grows by the lowered EF, 6 * 2.56 = 15.36 -> 16
        ([5, 5, 3], [1, 6, 16], [260, 270, 256], [1, 2, 3]),
        # at the floor, passing with 3 keeps EF at 1.30 and intervals grow by 1.3: 7.8 -> 8, 10.4 -> 11
        ([0, 0, 0, 3, 3, 3, 3], [1, 1, 1, 1, 6, 8, 11], [170, 130, 130, 130, 130, 130, 130], [0, 0, 0, 1, 2, 3, 4]),
        # from the floor only a 5 raises EF
        ([0, 0, 4, 5], [1, 1, 1, 6], [170, 130, 130, 140], [0, 0, 1, 2]),
    ],
)
def test_the_pass_mark_and_the_ef_floor(grades, intervals, efs, reps):
    states = run(grades)
    assert [s.interval for s in states] == intervals
    assert [s.ef for s in states] == efs
    assert [s.repetitions for s in states] == reps


@pytest.mark.parametrize(
    "ef, interval, expected",
    [
        (250, 6, 15),  # exact: not rounded up
        (251, 6, 16),  # 15.06: any fraction of a day rounds up
        (258, 6, 16),  # 15.48
        (130, 1, 2),  # 1.3
        (300, 50, 150),
    ],
)
def test_the_third_interval_on_is_the_previous_one_times_ef_rounded_up(ef, interval, expected):
    state = CardState(ef=ef, repetitions=2, interval=interval, due=DAY)
    after = schedule(state, 4, DAY)
    assert (after.ef, after.repetitions, after.interval, after.due) == (ef, 3, expected, DAY + timedelta(days=expected))


def test_lateness_is_ignored_the_interval_counts_from_the_day_of_the_grade():
    late = DAY + timedelta(days=10)
    after = schedule(CardState(ef=250, repetitions=2, interval=6, due=DAY), 4, late)
    assert (after.interval, after.due) == (15, late + timedelta(days=15))


@pytest.mark.parametrize("grade", [-1, 6])
def test_grade_out_of_range_is_refused(grade):
    with pytest.raises(ValueError, match=f"grade must be 0..5, not {grade}"):
        schedule(CardState(), grade, DAY)


@pytest.mark.parametrize("grade", [0, 5])
def test_the_end_grades_are_accepted(grade):
    assert schedule(CardState(), grade, DAY).due == DAY + timedelta(days=1)


@given(st.lists(st.integers(min_value=0, max_value=5), min_size=1, max_size=40))
def test_invariants_over_random_grades(grades):
    state, day = CardState(), DAY
    for grade in grades:
        new = schedule(state, grade, day)
        assert new.ef >= 130
        assert new.ef == max(130, state.ef + 10 - (5 - grade) * (8 + 2 * (5 - grade)))
        assert new.interval >= 1
        assert new.due == day + timedelta(days=new.interval)
        if grade < 3:
            assert (new.repetitions, new.interval) == (0, 1)
        else:
            assert new.repetitions == state.repetitions + 1
            if new.repetitions > 2:
                assert new.interval >= state.interval
        assert schedule(state, grade, day) == new  # pure and deterministic
        state, day = new, new.due

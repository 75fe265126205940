"""The day's review queue: what comes up, in which order, how far the daily limits reach, and which deck it keeps to.

Cards come in through ``studycards add`` and get their history through real
sessions on earlier days, so the queue is read from a store in the state a user
would leave it.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, time, timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner

from studycards.cli import main
from studycards.review.session import Session, build_queue
from studycards.store.database import open_store
from tests.displays import Recorder

DAY = date(2026, 11, 23)


def notes(deck: str, *fronts: str) -> str:
    lines = ["---", f"deck: {deck}", "---", f"# {deck}", ""]
    return "\n".join(lines + [f"{front} :: back of {front}" for front in fronts]) + "\n"


def add(tmp_path: Path, name: str, text: str) -> None:
    path = tmp_path / name
    path.write_text(text)
    result = CliRunner().invoke(main, ["add", str(path)], env={"STUDYCARDS_NOW": "2026-11-01T08:00"})
    assert result.exit_code == 0, result.output


def clock_on(day: date) -> Callable[[], datetime]:
    return lambda: datetime.combine(day, time(9))


def grade(home: Path, day: date, front: str, value: int, deck: str | None = None) -> None:
    """Grade one card in a session on ``day``, skipping past the others; the store keeps only that grade."""
    screen = Recorder()
    script: list[str] = []

    def key() -> str:
        if script:
            return script.pop(0)
        if len(screen.frames) > 50:
            raise AssertionError(f"{front!r} never came up on {day}")
        if screen.frames[-1].front != front:
            return "s"
        script.extend([str(value), "q"])
        return "\n"

    with open_store(home) as store:
        Session(store, day, clock_on(day), deck=deck).run(key, screen)


def queue(home: Path, deck: str | None = None, new: int = 20, limit: int = 200) -> list[tuple[str, bool]]:
    with open_store(home) as store:
        return [(item.card.front, item.redrill) for item in build_queue(store, DAY, deck, new, limit)]


@pytest.fixture
def six(tmp_path: Path) -> None:
    add(tmp_path, "test.md", notes("Test", *(f"front {n}" for n in range(1, 7))))


def test_overdue_reviews_come_first_most_overdue_first_then_new_cards_in_notes_order_then_redrills(home, six):
    grade(home, DAY - timedelta(days=5), "front 5", 5)  # due four days ago
    grade(home, DAY - timedelta(days=3), "front 3", 5)  # due two days ago
    grade(home, DAY - timedelta(days=1), "front 4", 5)  # due today
    grade(home, DAY, "front 6", 2)  # failed today: due tomorrow, re-drilled today
    assert queue(home) == [
        ("front 5", False),
        ("front 3", False),
        ("front 4", False),
        ("front 1", False),
        ("front 2", False),
        ("front 6", True),
    ]


def test_cards_due_later_are_not_in_the_queue(home, six):
    grade(home, DAY - timedelta(days=1), "front 1", 5)
    grade(home, DAY - timedelta(days=1), "front 2", 5)
    grade(home, DAY, "front 2", 5)  # reviewed today: due in six days
    assert queue(home, new=0) == [("front 1", False)]


def test_redrills_come_back_in_the_order_they_were_failed_until_graded_four(home, six):
    grade(home, DAY, "front 4", 1)
    grade(home, DAY, "front 2", 3)
    assert queue(home, new=0) == [("front 4", True), ("front 2", True)]
    grade(home, DAY, "front 4", 3)  # still below 4: it goes to the back
    assert queue(home, new=0) == [("front 2", True), ("front 4", True)]
    grade(home, DAY, "front 2", 4)
    assert queue(home, new=0) == [("front 4", True)]
    grade(home, DAY, "front 4", 5)
    assert queue(home, new=0) == []


def test_a_redrill_is_not_also_listed_as_a_due_review(home, six):
    grade(home, DAY - timedelta(days=1), "front 1", 5)
    grade(home, DAY, "front 1", 2)  # a due review failed today: due again tomorrow, re-drilled today
    assert queue(home, new=0) == [("front 1", True)]


@pytest.mark.parametrize(
    "new, expected",
    [
        (0, []),
        (2, []),
        (3, ["front 3"]),
        (4, ["front 3", "front 4"]),
    ],
)
def test_new_cards_already_introduced_today_count_against_the_new_limit(home, six, new, expected):
    grade(home, DAY, "front 1", 5)
    grade(home, DAY, "front 2", 2)  # new and failed: its re-drill does not use another new card
    grade(home, DAY, "front 2", 4)
    assert [front for front, _ in queue(home, new=new)] == expected


@pytest.mark.parametrize(
    "limit, expected",
    [
        (0, []),
        (2, []),
        (3, ["front 3"]),
        (4, ["front 3", "front 4"]),
        (200, ["front 3", "front 4"]),
    ],
)
def test_reviews_already_graded_today_count_against_the_review_limit(home, six, limit, expected):
    for front in ("front 1", "front 2", "front 3", "front 4"):
        grade(home, DAY - timedelta(days=1), front, 5)
    grade(home, DAY, "front 1", 5)
    grade(home, DAY, "front 2", 3)  # graded 3: re-drilled today, and the re-drill is not another review
    grade(home, DAY, "front 2", 5)
    assert queue(home, new=0, limit=limit) == [(front, False) for front in expected]


def test_pending_redrills_come_whatever_the_limits(home, six):
    grade(home, DAY - timedelta(days=1), "front 1", 5)
    grade(home, DAY, "front 1", 1)
    grade(home, DAY, "front 2", 0)
    assert queue(home, new=0, limit=0) == [("front 1", True), ("front 2", True)]


@pytest.fixture
def decks(tmp_path: Path) -> None:
    add(tmp_path, "resnet.md", notes("Papers::ResNet", "resnet 1", "resnet 2"))
    add(tmp_path, "adam.md", notes("Papers::Adam", "adam 1", "adam 2"))
    add(tmp_path, "extra.md", notes("PapersExtra", "extra 1", "extra 2"))


def test_a_deck_session_leaves_out_the_pending_redrills_of_other_decks(home, decks):
    for front in ("resnet 1", "adam 1", "extra 1"):
        grade(home, DAY, front, 2)
    assert queue(home, "Papers::ResNet") == [("resnet 2", False), ("resnet 1", True)]
    assert queue(home, "Papers::Adam") == [("adam 2", False), ("adam 1", True)]
    assert queue(home, "Papers") == [
        ("resnet 2", False),
        ("adam 2", False),
        ("resnet 1", True),
        ("adam 1", True),
    ]
    assert queue(home, "PapersExtra") == [("extra 2", False), ("extra 1", True)]
    assert queue(home, "Paper") == []


def test_a_deck_session_shows_and_counts_only_its_own_redrills(home, decks):
    for front in ("resnet 1", "adam 1", "extra 1"):
        grade(home, DAY, front, 2)
    screen = Recorder()
    script = ["\n", "5", "\n", "5"]

    def key() -> str:
        if not script:
            raise EOFError
        return script.pop(0)

    with open_store(home) as store:
        summary = Session(store, DAY, clock_on(DAY), deck="Papers::ResNet").run(key, screen)
    assert {frame.front for frame in screen.frames} == {"resnet 2", "resnet 1"}
    assert [frame.redrill for frame in screen.frames if frame.back is None] == [False, True]
    assert (summary.reviewed, summary.redrills, summary.pending_redrills) == (1, 1, 0)
    assert queue(home) == [("adam 2", False), ("extra 2", False), ("adam 1", True), ("extra 1", True)]


def test_limits_in_a_deck_session_count_only_that_decks_cards(home, decks):
    grade(home, DAY, "adam 1", 5)
    grade(home, DAY, "extra 1", 5)
    assert queue(home, "Papers::ResNet", new=1) == [("resnet 1", False)]
    assert queue(home, "Papers", new=2) == [("resnet 1", False)]
    assert queue(home, new=3) == [("resnet 1", False)]
    assert queue(home, new=4) == [("resnet 1", False), ("resnet 2", False)]


def test_the_summary_counts_the_redrills_left_and_tomorrows_reviews_of_the_session_deck(home, decks):
    grade(home, DAY - timedelta(days=1), "adam 1", 5)  # due today, in another deck
    grade(home, DAY - timedelta(days=5), "adam 2", 5)
    grade(home, DAY - timedelta(days=4), "adam 2", 5)  # due the day after tomorrow
    script = ["\n", "5", "\n", "1", "\n", "3"]

    def key() -> str:
        if not script:
            raise EOFError
        return script.pop(0)

    with open_store(home) as store:
        summary = Session(store, DAY, clock_on(DAY), deck="Papers::ResNet").run(key, Recorder())
    assert (summary.reviewed, summary.new, summary.redrills, summary.pending_redrills) == (2, 2, 1, 1)
    assert summary.due_tomorrow == 2
    grade(home, DAY, "adam 1", 5)  # due in six days: not tomorrow
    with open_store(home) as store:
        summary = Session(store, DAY, clock_on(DAY)).run(lambda: "q", Recorder())
    assert (summary.pending_redrills, summary.due_tomorrow) == (1, 2)

"""What the session hands out: the frame a display draws, the summary at the end, and the user's habits.

NamedTuples, not dataclasses: as immutable, and defined in a fifth of the time at the start of a review.
"""

# Annotations are evaluated here (no __future__ import): a NamedTuple compiles each string annotation, at start-up.
from datetime import date
from typing import NamedTuple

# Around a highlight's text in a frame's sides, for the screen to stress; control characters, so they take no cell.
HIGHLIGHT_ON, HIGHLIGHT_OFF = "\x0e", "\x0f"


class Frame(NamedTuple):
    """What the screen shows of the card in front: ``back`` is None until revealed.

    ``left`` is what remains after this card (new, review, re-drill); ``intervals`` the days
    each grade 0-5 would schedule, shown with the answer (so empty until it is revealed, and when
    grades change nothing: re-drills, practice);
    ``marks`` the hidden blank and the revealed answer, for the screen to stress.  A side's
    ``==…==`` highlights stand between ``HIGHLIGHT_ON`` and ``HIGHLIGHT_OFF``, without their ``==``.
    """

    context: str
    position: int
    total: int
    front: str
    back: str | None
    redrill: bool = False
    latex: bool = False
    has_latex: bool = False
    notice: str = ""
    left: tuple[int, int, int] = (0, 0, 0)
    intervals: tuple[int, ...] = ()
    marks: tuple[str, str] = ("", "")
    practice: bool = False


class Display:
    """Where a session shows its cards and says its notices.  A display that cannot page (a test's, a
    pipe's) keeps the defaults: nothing scrolls, and the end of a session is said as plain lines."""

    def show(self, frame: Frame) -> None:
        raise NotImplementedError

    def say(self, text: str) -> None:
        raise NotImplementedError

    def end(self, notice: str, prompt: str) -> None:
        """The queue is done: the last key's notice (if any), then the prompt for the last keys."""
        for text in (notice, prompt):
            if text:
                self.say(text)

    def scroll(self, key: str) -> bool:
        """Page a card taller than the display by ``key``; False when nothing moved."""
        return False

    def prepare(self, frame: Frame) -> None:
        """Lay out ahead a frame shown soon (the next card's front, while an answer is read), if it helps."""


class Summary(NamedTuple):
    day: date
    reviewed: int
    new: int
    grades: tuple[int, ...]
    redrills: int
    pending_redrills: int
    seconds: int
    due_tomorrow: int
    interrupted: bool = False
    buried: int = 0
    leeches: tuple[int, ...] = ()
    suspended: int = 0
    practice: int = 0
    new_waiting: int = 0
    new_limit: int = 0
    leech_action: str = "suspend"


class Habits(NamedTuple):
    """How the user likes sessions to go (``config.toml``): burying siblings, and what a leech does."""

    bury_siblings: bool = True
    leech_lapses: int = 8
    leech_action: str = "suspend"

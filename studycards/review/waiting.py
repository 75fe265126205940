"""The day's queue as a session holds it: a deque that keeps count of what the header says is left.

Every card's header says how many new cards, reviews and re-drills wait behind it.  Counted
afresh, that was a walk over the whole queue for each card shown (at 200 cards, a sixth of the
time from a grade to the next card); here each item is counted as it comes in and goes out.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable
from typing import SupportsIndex

from studycards.review.queue import Item

NEW, REVIEW, REDRILL = 0, 1, 2


def kind(item: Item) -> int:
    """What the header counts an item as: a re-drill, else a new card or a review."""
    return REDRILL if item.redrill else NEW if item.card.state.is_new else REVIEW


class Waiting(deque[Item]):
    """The queue, front first, with :meth:`left` kept current by every way of putting items in and taking them out.

    An item is counted by what it is when it comes in: the session changes an item's card only while the
    item is out of the queue (undo), or on the way into a new one (a re-read after an edit).
    """

    def __init__(self, items: Iterable[Item] = ()) -> None:
        super().__init__()
        self._counts = [0, 0, 0]
        self.extend(items)

    def left(self) -> tuple[int, int, int]:
        """New cards, reviews and re-drills behind the one in front."""
        counts = list(self._counts)
        if self:
            counts[kind(self[0])] -= 1
        return counts[NEW], counts[REVIEW], counts[REDRILL]

    def append(self, item: Item) -> None:
        super().append(item)
        self._counts[kind(item)] += 1

    def appendleft(self, item: Item) -> None:
        super().appendleft(item)
        self._counts[kind(item)] += 1

    def extend(self, items: Iterable[Item]) -> None:
        for item in items:
            self.append(item)

    def extendleft(self, items: Iterable[Item]) -> None:
        for item in items:
            self.appendleft(item)

    def __iadd__(self, items: Iterable[Item]) -> Waiting:
        self.extend(items)
        return self

    def insert(self, at: int, item: Item) -> None:
        super().insert(at, item)
        self._counts[kind(item)] += 1

    def popleft(self) -> Item:
        item = super().popleft()
        self._counts[kind(item)] -= 1
        return item

    def pop(self) -> Item:  # type: ignore[override]
        item = super().pop()
        self._counts[kind(item)] -= 1
        return item

    def remove(self, item: Item) -> None:
        super().remove(item)
        self._counts[kind(item)] -= 1

    def clear(self) -> None:
        super().clear()
        self._counts = [0, 0, 0]

    def __delitem__(self, at: SupportsIndex) -> None:  # type: ignore[override]
        self._counts[kind(self[at])] -= 1
        super().__delitem__(at)

    def __setitem__(self, at: SupportsIndex, item: Item) -> None:  # type: ignore[override]
        self._counts[kind(self[at])] -= 1
        super().__setitem__(at, item)
        self._counts[kind(item)] += 1

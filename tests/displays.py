"""The display the session tests give it: it keeps every frame and every line said, and draws nothing."""

from __future__ import annotations

from studycards.review.records import Display, Frame


class Recorder(Display):
    def __init__(self) -> None:
        self.frames: list[Frame] = []
        self.said: list[str] = []

    def show(self, frame: Frame) -> None:
        self.frames.append(frame)

    def say(self, text: str) -> None:
        self.said.append(text)

    @property
    def fronts(self) -> list[str]:
        """The fronts in the order cards came up (a redraw of the same card counts once)."""
        seen: list[str] = []
        last = None
        for frame in self.frames:
            if (frame.position, frame.front) != last:
                seen.append(frame.front)
            last = (frame.position, frame.front)
        return seen

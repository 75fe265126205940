"""The terminal side of a review: keys in, cards out.

From a terminal, single keys are read in cbreak mode (no Enter; Ctrl-C still
interrupts); from a pipe, one line is one key, so sessions can be scripted.
Nothing here knows about scheduling: it reads keys and draws frames.
"""

from __future__ import annotations

import os
import select
import shlex
import shutil
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TextIO

from studycards.review.session import Frame

CLEAR = "\x1b[H\x1b[2J"
MAX_WIDTH = 100


class Keys:
    """A key source: use it as a context manager so a terminal is always put back as it was."""

    def __init__(self, stream: TextIO) -> None:
        self.stream = stream
        fd = _fileno(stream)
        self.fd: int | None = fd if fd is not None and os.isatty(fd) else None  # only a terminal is read by key
        self.is_tty = self.fd is not None
        self._saved: list | None = None

    def __enter__(self) -> Keys:
        if self.fd is not None:
            import termios
            import tty

            self._saved = termios.tcgetattr(self.fd)
            tty.setcbreak(self.fd)
        return self

    def __exit__(self, *exc: object) -> None:
        self._restore()

    def _restore(self) -> None:
        if self._saved is not None and self.fd is not None:
            import termios

            termios.tcsetattr(self.fd, termios.TCSADRAIN, self._saved)
            self._saved = None

    def __call__(self) -> str:
        """The next key: a character from a terminal, a stripped line from a pipe ("\\n" for an empty one).

        Raises EOFError at the end of input.
        """
        return self._line() if self.fd is None else self._key(self.fd)

    def _line(self) -> str:
        line = self.stream.readline()
        if not line:
            raise EOFError
        return line.strip() or "\n"

    def _key(self, fd: int) -> str:
        first = os.read(fd, 1)
        if not first:
            raise EOFError
        if first == b"\x1b":
            while select.select([fd], [], [], 0.02)[0]:
                os.read(fd, 16)
            return "\x1b"
        data = first
        extra = 3 if first[0] >= 0xF0 else 2 if first[0] >= 0xE0 else 1 if first[0] >= 0xC0 else 0
        if extra:
            data += os.read(fd, extra)
        return data.decode("utf-8", errors="replace").replace("\r", "\n")

    @contextmanager
    def suspended(self) -> Iterator[None]:
        """The terminal as it was before the session, e.g. while an editor runs."""
        saved = self._saved
        self._restore()
        try:
            yield
        finally:
            if saved is not None and self.fd is not None:
                import tty

                self._saved = saved
                tty.setcbreak(self.fd)

    def open_editor(self, path: str, line: int) -> None:
        """``$EDITOR +LINE FILE`` (``vi`` if unset), with the terminal back in its normal mode."""
        command = shlex.split(os.environ.get("EDITOR") or "vi") + [f"+{line}", path]
        with self.suspended():
            try:
                subprocess.run(command, check=False)
            except OSError as exc:
                print(f"Cannot run the editor {command[0]!r}: {exc.strerror}", file=sys.stderr)


def _fileno(stream: TextIO) -> int | None:
    try:
        return stream.fileno()
    except (AttributeError, OSError, ValueError):
        return None


class Screen:
    """Draws frames: a terminal is cleared for each card; a pipe gets each part once, as plain lines."""

    def __init__(self, stream: TextIO, is_tty: bool | None = None, width: int | None = None) -> None:
        self.stream = stream
        fd = _fileno(stream)
        self.is_tty = (fd is not None and os.isatty(fd)) if is_tty is None else is_tty
        self.width = max(40, width or min(MAX_WIDTH, shutil.get_terminal_size((80, 24)).columns))
        self._last: Frame | None = None

    def show(self, frame: Frame) -> None:
        if self.is_tty:
            self._write(CLEAR + draw(frame, self.width))
        else:
            self._write(draw_change(self._last, frame, self.width))
        self._last = frame

    def say(self, text: str) -> None:
        self._write(text + "\n")

    def _write(self, text: str) -> None:
        self.stream.write(text)
        self.stream.flush()


def draw(frame: Frame, width: int = 80) -> str:
    """A card as in DESIGN §6: context and position, a rule, the front, then the back once revealed."""
    lines = _header(frame, width) + _indent(frame.front, width)
    if frame.back is not None:
        lines += _back(frame, width)
    return "\n".join(lines + _footer(frame, width)) + "\n"


def draw_change(last: Frame | None, frame: Frame, width: int = 80) -> str:
    """For a pipe: the whole card when it changes, otherwise only the back just revealed and any notice."""
    same = last is not None and (last.context, last.position, last.total, last.front, last.latex, last.redrill) == (
        frame.context,
        frame.position,
        frame.total,
        frame.front,
        frame.latex,
        frame.redrill,
    )
    if last is None or not same:
        return draw(frame, width)
    if last.back is None and frame.back is not None:
        return "\n".join(_back(frame, width)[1:] + _footer(frame, width)) + "\n"
    return frame.notice + "\n" if frame.notice else ""


def _header(frame: Frame, width: int) -> list[str]:
    position = f"{frame.position} / {frame.total}"
    if frame.redrill:
        position = "re-drill   " + position
    context = frame.context
    room = width - len(position) - 4
    if len(context) > room:
        context = "…" + context[-(room - 1) :]
    gap = " " * max(2, width - 2 - len(context) - len(position))
    return [f" {context}{gap}{position}", " " + "─" * (width - 2)]


def _back(frame: Frame, width: int) -> list[str]:
    return ["", " " + "╌" * min(20, width - 2), *_indent(frame.back or "", width)]


def _footer(frame: Frame, width: int) -> list[str]:
    keys = ["grade 0-5"] if frame.back is not None else ["[space] show answer"]
    keys += ["[u] undo", "[s] skip", "[e] edit"]
    if frame.has_latex:
        keys.append("[l] rendered math" if frame.latex else "[l] LaTeX")
    keys.append("[q] quit")
    lines = [""]
    for key in keys:
        if len(lines[-1]) > 1 and len(lines[-1]) + 3 + len(key) >= width:
            lines.append("")
        lines[-1] += "   " + key if len(lines[-1]) > 1 else " " + key
    return ["", *lines] + ([frame.notice] if frame.notice else [])


def _indent(text: str, width: int) -> list[str]:
    """Card text one space in, long lines wrapped between words (the terminal would cut words in two)."""
    import textwrap

    lines = []
    for line in text.strip("\n").split("\n"):
        if len(line) < width - 1:
            lines.append((" " + line).rstrip())
        else:
            lines += textwrap.wrap(
                line,
                width - 1,
                initial_indent=" ",
                subsequent_indent=" ",
                break_long_words=False,
                break_on_hyphens=False,
            ) or [""]
    return lines

"""The terminal side of a review: keys in, cards out.

From a terminal, single keys are read in cbreak mode (no Enter; Ctrl-C still
interrupts); from a pipe, one line is one key, so sessions can be scripted.
Nothing here knows about scheduling: it reads keys and draws frames.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from typing import TextIO

from studycards.review.layout import PLAIN, Style, body, draw, draw_change, header, key_lines, notice_lines
from studycards.review.records import Display, Frame
from studycards.text import columns as terminal_columns

__all__ = ["Keys", "Screen", "draw", "draw_change"]

CLEAR = "\x1b[H\x1b[2J"
MAX_WIDTH = 100
MIN_WIDTH = 30
MIN_HEIGHT = 10
ARROWS = {b"[A": "up", b"[B": "down", b"OA": "up", b"OB": "down", b"[5~": "pgup", b"[6~": "pgdn"}
PAGE_KEYS = "[space/↓] more"


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
            import select

            rest = b""
            while select.select([fd], [], [], 0.02)[0]:
                rest += os.read(fd, 16)
            return ARROWS.get(rest, "\x1b")
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
        import shlex
        import subprocess  # here, not at the top: the first card is on screen sooner

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


class Screen(Display):
    """Draws frames: a terminal is cleared for each card; a pipe gets each part once, as plain lines.

    On a terminal the frame follows the window: it is laid out again at the new size when the
    window changes (SIGWINCH), and a card taller than the window is paged with its header kept.
    Bold and colour only on a terminal, and not when ``NO_COLOR`` is set.
    """

    def __init__(self, stream: TextIO, is_tty: bool | None = None, width: int | None = None) -> None:
        self.stream = stream
        fd = _fileno(stream)
        self.fd = fd
        self.is_tty = (fd is not None and os.isatty(fd)) if is_tty is None else is_tty
        self.fixed_width = width
        self.style = Style(on=self.is_tty and not os.environ.get("NO_COLOR"))
        self._last: Frame | None = None
        self._offset = 0
        self._more = False
        self._room = 1
        self._saved_handler: object = None
        self._end: tuple[str, str] | None = None  # the end screen's notice and prompt while it is up
        self._piped: tuple[int, int] | None = None  # a pipe's size, once read

    def __enter__(self) -> Screen:
        if self.is_tty:  # a pipe has no window to follow, and starts without signal's enums
            import signal

            if hasattr(signal, "SIGWINCH"):
                self._saved_handler = signal.signal(signal.SIGWINCH, self._resized)
        return self

    def __exit__(self, *exc: object) -> None:
        if self._saved_handler is not None:
            import signal

            signal.signal(signal.SIGWINCH, self._saved_handler)  # type: ignore[arg-type]
            self._saved_handler = None

    def _resized(self, signum: int, stack: object) -> None:
        if self._last is not None:
            self._draw(self._last)

    def size(self) -> tuple[int, int]:
        """Columns and lines to lay out in: the window's own size on a terminal, read afresh every time; a pipe
        has no window, and its size (``COLUMNS``, else 80 columns) is read once."""
        columns, lines = 80, 24
        if self.fd is not None and self.is_tty:
            with suppress(OSError):
                columns, lines = os.get_terminal_size(self.fd)
        elif self._piped is not None:
            return self._piped
        else:
            columns = terminal_columns()
        size = max(MIN_WIDTH, self.fixed_width or min(MAX_WIDTH, columns)), max(MIN_HEIGHT, lines)
        if not self.is_tty:
            self._piped = size
        return size

    def show(self, frame: Frame) -> None:
        last = self._last
        if last is None or (last.position, last.front, last.total) != (frame.position, frame.front, frame.total):
            self._offset = 0
        self._last, self._end = frame, None
        if self.is_tty:
            self._draw(frame)
        else:
            self._write(draw_change(last, frame, self.size()[0]))

    def prepare(self, frame: Frame) -> None:
        body(frame, self.size()[0], self.style if self.is_tty else PLAIN)  # kept by layout's cache

    def _draw(self, frame: Frame) -> None:
        width, height = self.size()
        top = header(frame, width)
        lines = body(frame, width, self.style)
        notice = notice_lines(frame.notice, width)

        def key_rows(where: str = "") -> list[str]:
            if self._end is None:
                return key_lines(frame, width, self.style, where)
            return [*notice_lines(where, width), *notice_lines(self._end[1], width)]

        if self._end is not None:  # the end screen: the notice is read after the card, paged with it
            lines += ["", *notice_lines(self._end[0], width)] if self._end[0] else []
            notice = []
        height -= 1  # the newline after the last line takes a row: a frame of all of them scrolls its header off
        room = height - len(top) - len(notice) - 1 - len(key_rows(PAGE_KEYS))
        paged = len(lines) + 1 + len(key_rows()) + len(notice) + len(top) > height
        self._room = max(1, room)
        if paged:
            self._offset = max(0, min(self._offset, len(lines) - max(1, room)))
            shown = lines[self._offset : self._offset + max(1, room)]
            self._more = self._offset + len(shown) < len(lines)
            where = PAGE_KEYS if self._more else "[↑] back" if self._offset else ""
            keys = key_rows(where)
            shown += [""] * (max(1, room) - len(shown))
        else:
            self._offset, self._more = 0, False
            shown, keys = lines, key_rows()
        self._write(CLEAR + "\n".join([*top, *shown, "", *keys, *notice]) + "\n")

    def end(self, notice: str, prompt: str) -> None:
        """The end of a session: on a terminal the last card is drawn again with the notice after it
        and the prompt for its keys, so both stay within the window, the notice in view and the
        card above it paged back to as a tall card is (a pipe gets them as plain lines, as any notice)."""
        if not self.is_tty or self._last is None:
            super().end(notice, prompt)
            return
        self._end, self._offset = (notice, prompt), len(body(self._last, self.size()[0], self.style))
        self._draw(self._last)

    def scroll(self, key: str) -> bool:
        """Page a tall card: space and down go on while there is more, up goes back; False if nothing moved."""
        if not self.is_tty or self._last is None:
            return False
        step = self._room
        if key in (" ", "down", "pgdn") and self._more:
            self._offset += step if key != "down" else 1
        elif key in ("up", "pgup") and self._offset:
            self._offset = max(0, self._offset - (step if key == "pgup" else 1))
        else:
            return False
        self._draw(self._last)
        return True

    def say(self, text: str) -> None:
        width = self.size()[0]
        self._write("\n".join(notice_lines(text, width)) + "\n")

    def _write(self, text: str) -> None:
        self.stream.write(text)
        self.stream.flush()

"""Progress of long work on stderr, only when stderr is a terminal: a pipe or a log file gets nothing.

One helper for every command that can keep the user waiting (``add``, ``export``, ``highlights``,
``fetch``, ``sync``).  The core never prints: it takes a callback, and the command turns each call
into one redrawn status line here.  The line is always cleared on leaving, a Ctrl-C included, so
what the command prints next starts on a clean line.

    with Progress() as progress:
        export_collection(..., progress=lambda written, total: progress.count("Exporting notes", written, total))
"""

from __future__ import annotations

import io
import sys
import threading
import time
from types import TracebackType
from typing import TextIO

FRAMES = "⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏"
EVERY = 0.1  # seconds between redraws: often enough to look alive, rare enough to cost nothing
CLEAR = "\r\x1b[K"


def is_terminal(stream: TextIO) -> bool:
    try:
        return stream.isatty()
    except (AttributeError, ValueError):  # a closed or unusual stream is not a terminal
        return False


def fitted(text: str, columns: int) -> str:
    """``text`` cut to fit one line of ``columns`` cells (CJK and emoji take two), so ``\\r`` can redraw it."""
    from wcwidth import wcwidth

    flat = " ".join(text.split())
    room = max(2, columns - 1)  # the last column would make some terminals wrap
    cells = [max(0, wcwidth(char)) for char in flat]
    if sum(cells) <= room:
        return flat
    used, end = 0, 0
    while used + cells[end] <= room - 1:  # one cell kept for the ellipsis
        used += cells[end]
        end += 1
    return flat[:end] + "…"


class Progress:
    """A status line redrawn in place, with lines that stay above it, and a spinner for waits of unknown length.

    Everything is a no-op unless ``stream`` (stderr by default) is a terminal.  ``show`` redraws at most
    every :data:`EVERY` seconds (the last state is drawn by ``force=True`` or the next call); ``note``
    prints a line that stays; ``spin`` animates a line from a thread until the next ``show``, ``spin``
    or ``clear``.  Use it as a context manager so the line is cleared however the work ends.
    """

    def __init__(self, stream: TextIO | None = None) -> None:
        self.stream = sys.stderr if stream is None else stream
        self.on = is_terminal(self.stream)
        self._text = ""
        self._drawn = False
        self._last = 0.0
        self._lock = threading.Lock()
        self._spinner: threading.Thread | None = None
        self._stop = threading.Event()

    def __enter__(self) -> Progress:
        return self

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None) -> None:
        self.clear()

    def show(self, text: str, *, force: bool = False) -> None:
        """Make ``text`` the status line (drawn now if ``force`` or the last draw is old enough)."""
        if not self.on:
            return
        self._stop_spinner()
        with self._lock:
            self._text = text
            moment = time.monotonic()
            if force or moment - self._last >= EVERY:
                self._draw(text)
                self._last = moment

    def count(self, label: str, done: int, total: int | None = None) -> None:
        """``label: 120 of 400`` (or ``label: 120`` when the total is unknown), drawn when due and at the end."""
        if not self.on:
            return
        shown = f"{label}: {done:,} of {total:,}" if total else f"{label}: {done:,}"
        self.show(shown, force=total is not None and done >= total)

    def note(self, text: str) -> None:
        """A line that stays (a retry and its wait): printed above the status line, which is drawn again under it."""
        if not self.on:
            return
        with self._lock:
            self.stream.write(CLEAR + fitted(text, self._columns()) + "\n")
            self._drawn = False
            if self._text and self._spinner is None:
                self._draw(self._text)
            self.stream.flush()

    def spin(self, text: str) -> None:
        """Animate ``text`` with a spinner until something else is shown: for a wait whose end nobody knows."""
        if not self.on:
            return
        self._stop_spinner()
        with self._lock:
            self._text = text
            self._draw(f"{FRAMES[0]} {text}")  # at once, so even a short step is seen
        self._stop = stop = threading.Event()
        spinner = threading.Thread(target=self._turn, args=(text, stop), daemon=True)
        spinner.start()
        self._spinner = spinner  # a Ctrl-C before this line still stops it: clear() sets ``stop``

    def clear(self) -> None:
        """Remove the status line (and stop the spinner); what is printed next starts on a clean line."""
        if not self.on:
            return
        self._stop_spinner()
        with self._lock:
            self._text = ""
            if self._drawn:
                self.stream.write(CLEAR)
                self.stream.flush()
                self._drawn = False

    def _turn(self, text: str, stop: threading.Event) -> None:
        frame = 1
        while not stop.wait(EVERY):
            with self._lock:
                if stop.is_set():
                    return
                self._draw(f"{FRAMES[frame % len(FRAMES)]} {text}")
            frame += 1

    def _stop_spinner(self) -> None:
        self._stop.set()
        spinner, self._spinner = self._spinner, None
        if spinner is not None and spinner.ident is not None:
            spinner.join()

    def _draw(self, text: str) -> None:
        # Marked drawn before the write: a Ctrl-C can land inside it, after the user already sees the line.
        self._drawn = True
        self.stream.write(CLEAR + fitted(text, self._columns()))
        self.stream.flush()

    def _columns(self) -> int:
        """The width of the terminal the line goes to (stderr's own, which may differ from stdout's)."""
        import os
        import shutil

        try:
            return os.get_terminal_size(self.stream.fileno()).columns
        except (AttributeError, ValueError, OSError, io.UnsupportedOperation):
            return shutil.get_terminal_size().columns

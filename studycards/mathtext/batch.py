"""Card sides rendered for the terminal at add time, with sympy's slow start kept off the critical path.

Importing sympy's LaTeX parser takes about half a second.  When large notes files
have display math, a helper process starts importing it while the notes are still
being parsed, then pretty-prints each distinct display equation once.  The helper
is spawned, not forked, so it never holds the database's files (a fork would
inherit its descriptors and its shared-memory map), and it ends with its parent.  Small files
parse faster than sympy loads, so for them sympy simply runs in this process.
"""

from __future__ import annotations

import multiprocessing
import os
import signal
import sys
from collections.abc import Callable, Iterable
from concurrent.futures import ProcessPoolExecutor

from studycards.notes.syntax import display_math

HELPER_FROM_BYTES = 256 * 1024
PR_SET_PDEATHSIG = 1


def _start_helper(parent: int) -> None:
    """Ctrl-C is the parent's to handle (it rolls back and says so); the helper must not print a traceback.

    And the helper ends with its parent: killed, the parent cannot shut it down,
    so the kernel is asked to (Linux), and a helper that finds itself orphaned
    already exits at once.
    """
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT})
    if sys.platform.startswith("linux"):
        import ctypes

        ctypes.CDLL(None).prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
    if os.getppid() != parent:
        os._exit(0)


def _load_sympy() -> None:
    """Import sympy and run its LaTeX parser once: the first parse alone costs a third of a second."""
    from studycards.mathtext.pretty import sympy_reading

    sympy_reading("x + 1")


class Renderer:
    """Renders many card sides at once; use as a context manager so the helper process always ends."""

    def __init__(self) -> None:
        self._pool: ProcessPoolExecutor | None = None
        self._math_bytes = 0

    def __enter__(self) -> Renderer:
        return self

    def __exit__(self, *exc: object) -> None:
        """End the helper now and wait for the pool's thread: left running, its exit hook writes to a closed pipe.

        (With ``wait=False`` a Ctrl-C could end the interpreter while the pool's
        thread still ran, and Python printed that hook's traceback.)  The helper
        holds nothing worth finishing, so it is killed rather than waited for.
        """
        if self._pool is not None:
            for helper in list((getattr(self._pool, "_processes", None) or {}).values()):
                helper.kill()
            self._pool.shutdown(wait=True, cancel_futures=True)
            self._pool = None

    def expect_display_math(self, size: int) -> None:
        """A file of ``size`` characters with display math is coming: load sympy aside if parsing will be long."""
        self._math_bytes += size
        if self._math_bytes < HELPER_FROM_BYTES or "sympy" in sys.modules:
            return
        if self._pool is None:
            self._pool = ProcessPoolExecutor(
                1, mp_context=multiprocessing.get_context("spawn"), initializer=_start_helper, initargs=(os.getpid(),)
            )
            blocked = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})  # inherited: the helper starts deaf
            try:
                self._pool.submit(_load_sympy)
            finally:
                signal.pthread_sigmask(signal.SIG_SETMASK, blocked)

    def drawer(self, texts: Iterable[str]) -> Callable[[str], str]:
        """How to draw card sides one at a time, as they are written; the display equations of ``texts`` are
        sent to the helper now, so that drawing a side waits only for its own equations' readings."""
        from studycards.mathtext.pretty import SympyReading, render_markdown, sympy_reading

        equations = sorted({latex for text in texts for latex in display_math(text)})
        pending = {eq: self._pool.submit(sympy_reading, eq) for eq in equations} if self._pool else {}
        readings: dict[str, SympyReading | None] = {}

        def draw(text: str) -> str:
            if "$" not in text:
                return text
            for latex in display_math(text):
                if latex in pending and latex not in readings:
                    readings[latex] = pending[latex].result()
            return render_markdown(text, readings=readings)

        return draw

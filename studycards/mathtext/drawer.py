"""The drawer: sympy draws the display equations ``add`` left pending, in a process of its own, after ``add``.

It first indexes for search the cards ``add`` left to it (``store.search_backlog``: a fifth of what a
first ``add`` spent writing), a few thousand to a short transaction; a ``search`` before it is done indexes the rest.

sympy takes half a second to load and about 20 ms an equation: the user never waits for it.  ``add``
writes its cards with their equations pending and starts ``python -m studycards.mathtext.drawer HOME``,
detached (its own session: a Ctrl-C in the terminal never reaches it), at low priority, with nothing to
print to.  It draws a few equations at a time and stores them in a short transaction, so the write lock
is never held while sympy works, until none is pending.  One drawer at a time: a second finds the lock
file taken and exits at once, and the first looks again after letting go of the lock, so the equations
of an ``add`` that found it busy are never left behind.  Killed halfway, the equations it had not stored
stay pending, and the next ``add`` (or ``review``) starts a drawer again.
"""

from __future__ import annotations

import contextlib
import functools
import os
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

if TYPE_CHECKING:  # subprocess only when a drawer starts: review's start looks here first
    import subprocess

    from studycards.store.database import Store

LOCK_NAME = "drawer.lock"
BATCH = 8  # equations drawn between two writes: about 0.2 s of sympy, then a write of a few milliseconds
NICENESS = 10
BUSY_PAUSE_S = 1.0  # a collection busy beyond the store's own timeout: the drawer waits and tries again
BUSY_TRIES = 120

T = TypeVar("T")

_started: list[subprocess.Popen[bytes]] = []  # held, so a drawer still at work when we exit is no warning


def draw_pending(store: Store, progress: Callable[[int, int], None] | None = None) -> int:
    """Draw every pending equation of ``store`` and keep the drawings; the count drawn.

    Run by the drawer process, and by ``add`` itself when ``draw_math = "at add"``.  sympy declining an
    equation (it does not parse strictly and faithfully: ``sympy_reading``'s rules) is kept as "none".
    """
    from studycards.mathtext.pretty import sympy_reading

    done = 0
    total = store.drawings.count_pending() if progress else 0
    while latexes := store.drawings.pending(BATCH):
        if progress:
            progress(done, total)
        drawn = [(latex, reading.pretty if (reading := sympy_reading(latex)) else None) for latex in latexes]
        _write(store, functools.partial(store.drawings.put, drawn))
        done += len(drawn)
    return done


def index_waiting(store: Store) -> None:
    """Index the cards waiting for the search index, a chunk to a short transaction, until none waits."""
    from studycards.store.search_backlog import CHUNK

    while _write(store, lambda: store.search_backlog.fill(CHUNK)):
        pass


def _write(store: Store, work: Callable[[], T]) -> T:
    """``work`` in one short transaction; a collection busy for longer than the store's timeout is waited for."""
    from studycards.errors import BusyError

    for attempt in range(BUSY_TRIES):
        try:
            with store.transaction():
                return work()
        except BusyError:
            if attempt == BUSY_TRIES - 1:
                raise
            time.sleep(BUSY_PAUSE_S)
    raise AssertionError("unreachable")


def start(home: Path) -> None:
    """Start a drawer for ``home`` and return at once; it exits by itself if another one is at work."""
    import subprocess

    for drawer in [d for d in _started if d.poll() is not None]:
        _started.remove(drawer)
    _started.append(
        subprocess.Popen(
            [sys.executable, "-m", "studycards.mathtext.drawer", str(home)],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
            close_fds=True,
        )
    )


def start_for_write(store: Store) -> None:
    """Start a drawer from inside a write that leaves it work (``add``'s new cards): its first write waits for
    this one's commit.  While it has the collection open, this connection's commit and close also leave it the
    checkpoint of what was written (the log copied into the database, with two fsyncs: 20 ms of a 10,000-card
    ``add``); started late, it leaves the close to do it, as before."""
    store.conn.execute("PRAGMA wal_autocheckpoint = 0")
    start(store.path.parent)


def start_if_pending(store: Store) -> int:
    """Start a drawer when some equation or card waits for one (a look at one row each); how many equations wait."""
    drawing = store.drawings.any_pending()
    if not drawing and not store.search_backlog.waiting():
        return 0
    start(store.path.parent)
    return store.drawings.count_pending() if drawing else 0


def run(home: Path) -> None:
    """The drawer process: take the lock or leave, draw until nothing is pending, let go, look once more."""
    import fcntl

    from studycards.store.database import open_store

    while True:
        with open(home / LOCK_NAME, "a+b") as lock:
            try:
                fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                return  # another drawer is at work, and it looks again before it stops
            with open_store(home, create=False) as store:
                index_waiting(store)
                draw_pending(store)
        with open_store(home, create=False) as store:  # an add that found the lock taken may have come meanwhile
            if not store.drawings.any_pending() and not store.search_backlog.waiting():
                return


def main(argv: list[str]) -> int:
    """Nothing to say and no one to say it to: any failure leaves the equations pending for the next drawer."""
    with contextlib.suppress(OSError):  # already as low as it may go
        os.nice(NICENESS)
    try:
        run(Path(argv[0]))
    except BaseException:
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

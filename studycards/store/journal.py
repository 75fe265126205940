"""An answer being written into a notes file: the journal that lets a later run finish it or forget it.

A notes file and the database cannot change in one transaction.  So before the
file is swapped, ``questions answer`` writes down what it is about to do (the
question, the file, the file's hash before and after) and holds a lock on the
home while it works.  A run killed at any moment leaves the journal behind; the
next open of the store finds it with the lock free and settles it from the file
itself: the answer is in the file, so the question is answered (the next ``add``
makes its card), or the file is as it was (or edited since), so the question
stays open.  Either way file and store agree.
"""

from __future__ import annotations

import contextlib
import errno
import hashlib
import json
import os
import sqlite3
import time
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import IO

from studycards.errors import BusyError, StudycardsError
from studycards.home import JOURNAL_NAME
from studycards.store.errors import no_space

LOCK_NAME = "answer.lock"
LOCK_WAIT = 10.0


@dataclass(frozen=True)
class Pending:
    """One answer under way: ``temporary`` holds the new text, then (after the swap) the old."""

    question: int
    answer: str
    path: str
    before: str
    after: str
    temporary: str


def digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def write(home: Path, pending: Pending) -> None:
    """Put the journal on disk (whole, synced) before the notes file is touched."""
    target = home / JOURNAL_NAME
    part = home / f".{JOURNAL_NAME}.{os.getpid()}.part"
    try:
        with open(part, "w", encoding="utf-8") as handle:
            json.dump(asdict(pending), handle)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(part, target)
    except OSError as exc:
        part.unlink(missing_ok=True)
        raise StudycardsError(_cannot(target, exc)) from None


def clear(home: Path) -> None:
    (home / JOURNAL_NAME).unlink(missing_ok=True)


@contextlib.contextmanager
def exclusive(home: Path, wait: float = LOCK_WAIT) -> Iterator[None]:
    """Hold the home's answer lock: one answer at a time, and no run settles an answer another is writing."""
    handle = _lock(home, wait)
    try:
        yield
    finally:
        handle.close()


def settle(conn: sqlite3.Connection, home: Path) -> None:
    """Finish or forget an answer whose run was killed; nothing to do (and no lock taken) when there is none."""
    journal = home / JOURNAL_NAME
    if not journal.exists():
        return
    try:
        handle = _lock(home, 0)
    except BusyError:
        return  # another run is writing its answer right now
    try:
        settle_locked(conn, home)
    finally:
        handle.close()


def settle_locked(conn: sqlite3.Connection, home: Path) -> None:
    """:func:`settle` for a caller already holding the lock."""
    journal = home / JOURNAL_NAME
    try:
        pending = Pending(**json.loads(journal.read_text(encoding="utf-8")))
    except FileNotFoundError:
        return
    except (OSError, ValueError, TypeError):
        journal.unlink(missing_ok=True)  # cut short while being written: the notes file was not touched yet
        return
    try:
        current = digest(Path(pending.path).read_bytes())
    except OSError:
        current = None
    if current == pending.after:
        conn.execute("BEGIN IMMEDIATE")
        try:
            conn.execute(
                "UPDATE questions SET status = 'answered', answer = ? WHERE id = ?", (pending.answer, pending.question)
            )
            conn.execute("COMMIT")
        except BaseException:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            raise
    Path(pending.temporary).unlink(missing_ok=True)
    journal.unlink(missing_ok=True)


def _lock(home: Path, wait: float) -> IO[str]:
    import fcntl

    path = home / LOCK_NAME
    try:
        handle = open(path, "a")  # noqa: SIM115 - held open for as long as the lock is
    except OSError as exc:
        raise StudycardsError(_cannot(path, exc)) from None
    deadline = time.monotonic() + wait
    while True:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
            return handle
        except BlockingIOError:
            if time.monotonic() >= deadline:
                handle.close()
                raise BusyError(
                    "another studycards is writing an answer into a notes file; try again in a moment"
                ) from None
            time.sleep(0.02)


def _cannot(path: Path, exc: OSError) -> str:
    if exc.errno == errno.ENOSPC:
        return no_space(path)
    return f"cannot write {path}: {exc.strerror}"

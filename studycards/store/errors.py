"""What the user reads when the database or the disk under it fails: one translator, deciding by error code.

SQLite's messages are for programmers and vary between versions; its result
codes do not.  ``sqlite3`` exceptions carry the extended code, whose low byte is
the primary one.
"""

from __future__ import annotations

import errno
import sqlite3
from pathlib import Path

from studycards.errors import BusyError, StudycardsError

BUSY = "the collection is busy: another studycards is writing to it; try again in a moment"

_BUSY_CODES = {sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED}
_DAMAGED_CODES = {sqlite3.SQLITE_CORRUPT, sqlite3.SQLITE_NOTADB}
_UNWRITABLE_CODES = {sqlite3.SQLITE_READONLY, sqlite3.SQLITE_CANTOPEN, sqlite3.SQLITE_PERM}


def primary_code(exc: sqlite3.Error) -> int | None:
    """SQLite's primary result code of ``exc``; ``None`` for errors raised by Python's module itself."""
    code = getattr(exc, "sqlite_errorcode", None)
    return code & 0xFF if isinstance(code, int) else None


def is_busy(exc: sqlite3.Error) -> bool:
    return primary_code(exc) in _BUSY_CODES


def user_error(exc: BaseException, path: Path) -> StudycardsError | None:
    """The one clear line for a failure of the database at ``path`` (or of its disk); ``None`` if it is not one.

    A busy collection becomes :class:`BusyError`, so a review can offer the same key again.
    """
    if isinstance(exc, OSError) and exc.errno == errno.ENOSPC:
        return StudycardsError(no_space(exc.filename))
    if not isinstance(exc, sqlite3.DatabaseError):
        return None
    code = primary_code(exc)
    if code in _BUSY_CODES:
        return BusyError(BUSY)
    if code in _DAMAGED_CODES:
        return StudycardsError(
            f"{path} is damaged or not a studycards database ({exc}): restore it from a backup, or move it away"
            " and add your notes again (they hold every card; the review history is in the database)"
        )
    if code in _UNWRITABLE_CODES:
        return StudycardsError(f"cannot write to {path}: {exc}; check the folder's permissions")
    if code == sqlite3.SQLITE_FULL or (code == sqlite3.SQLITE_IOERR and _disk_full(path)):
        return StudycardsError(no_space(path))
    return StudycardsError(f"database error: {exc}")


def _disk_full(path: Path) -> bool:
    """SQLite reports a failed write to its log or shared memory as an I/O error; a full disk is the usual cause."""
    import os

    try:
        return os.statvfs(path.parent).f_bavail == 0
    except OSError:
        return False


def no_space(path: Path | str | None) -> str:
    """The one wording of a full disk; an ``OSError`` from writing to an open file names no file, nor does the line."""
    where = f" to write {path}" if path else ""
    return f"no space left on the disk{where}: free some space and try again"

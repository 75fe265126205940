"""Which notes files an ``add`` reads, which of those it once read are gone, and their text.

A folder stands for every ``*.md`` inside it, so a file missing from a folder that
is given again was deleted (or moved) by the user: its cards are retired.  A file
added alone, or from a folder not given this time, is never looked at.
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import NamedTuple

from studycards.errors import NotesError, StudycardsError
from studycards.store.database import Store

MAX_NOTES_BYTES = 20 * 1024 * 1024


class NotesFiles(NamedTuple):
    """The files to read, resolved, in a stable order; and the once-added files gone from the folders given."""

    present: list[Path]
    gone: list[str]


def notes_files(store: Store, paths: list[str]) -> NotesFiles:
    """Files as given, folders as every ``*.md`` inside, recursively; an empty folder is an error unless it held notes.

    A folder whose last notes file was deleted is not an error: its files are gone.
    """
    found: list[Path] = []
    remembered: list[str] = []
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            inside = sorted(p for p in path.rglob("*.md") if p.is_file())
            known = store.files.under(str(path.resolve()))
            if not inside and not known:
                raise StudycardsError(f"{raw}: no notes files (*.md) in this folder")
            found.extend(inside)
            remembered.extend(known)
        elif path.is_file():
            found.append(path)
        else:
            raise StudycardsError(f"{raw}: no such file or folder")
    present = list(dict.fromkeys(p.resolve() for p in found))
    seen = {str(p) for p in present}
    gone = [known for known in dict.fromkeys(remembered) if known not in seen and not Path(known).is_file()]
    return NotesFiles(present, gone)


def read_notes(path: Path) -> str:
    """The file's text, or a ``FILE:LINE`` error a user can act on for binary or non-UTF-8 files."""
    try:
        if path.stat().st_size > MAX_NOTES_BYTES:
            raise NotesError(str(path), 1, f"file is larger than {MAX_NOTES_BYTES // 2**20} MB; split it")
        data = path.read_bytes()
    except OSError as exc:
        raise NotesError(str(path), 1, f"cannot read: {exc.strerror}") from None
    if b"\0" in data:
        raise NotesError(str(path), 1, "not a text file (it contains NUL bytes)")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise NotesError(
            str(path), line, f"not UTF-8 text (byte 0x{data[exc.start]:02x}); save the file as UTF-8"
        ) from None


def content_hash(text: str) -> str:
    """What ``add`` remembers of a file, to skip it when unchanged and to notice edits since."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()

"""The sync folder's files: this home appends to its own log; every other log is read on from where it stopped.

A log is ``DEVICE.jsonl``; copies a sync tool made of one (``DEVICE.sync-conflict-….jsonl``
from Syncthing, ``DEVICE (1).jsonl`` from cloud folders) are read too, and events repeated
in them are kept once, by id.  A last line without its newline is a file still arriving:
it is left for the next sync.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable
from pathlib import Path
from typing import NamedTuple

from studycards.errors import StudycardsError
from studycards.store.events import FileMark

SUFFIX = ".jsonl"
COPY = re.compile(r"(?P<device>[^ .]+?)(?:\.sync-conflict-[^.]*| \(\d+\)|\.conflict[^.]*)?")


class Chunk(NamedTuple):
    """The whole lines read from a log this time, numbered from the file's start, and where reading stopped."""

    lines: list[tuple[int, str]]
    mark: FileMark


def device_of(name: str) -> str | None:
    """The device a log file belongs to, by its name; None for a file that is not a log."""
    if not name.endswith(SUFFIX) or name.startswith("."):
        return None
    match = COPY.fullmatch(name[: -len(SUFFIX)])
    return match.group("device") if match else None


def logs(folder: Path) -> list[Path]:
    """Every log file in the folder (conflict copies included), in name order."""
    try:
        return sorted(p for p in folder.iterdir() if device_of(p.name) and p.is_file())
    except OSError as exc:
        raise StudycardsError(f"cannot read the sync folder {folder}: {exc.strerror}") from None


def read_on(path: Path, mark: FileMark) -> Chunk:
    """The complete lines after ``mark``; a file that shrank or changed before it is read again from the start."""
    try:
        with path.open("rb") as file:
            size = os.fstat(file.fileno()).st_size
            if mark.offset:
                file.seek(mark.offset - 1)
                if size < mark.offset or file.read(1) != b"\n":
                    mark = FileMark()
                    file.seek(0)
            data = file.read()
    except OSError as exc:
        raise StudycardsError(f"cannot read {path}: {exc.strerror}") from None
    end = data.rfind(b"\n") + 1  # a torn last line waits for the rest of it
    # decoded whole, then split: the same text as line by line ("\n" is never part of a UTF-8 sequence), a tenth of
    # the time for 100,000 lines
    lines = list(enumerate(data[:end].decode("utf-8", errors="replace").split("\n")[:-1], mark.lines + 1))
    return Chunk(lines, FileMark(mark.offset + end, mark.lines + len(lines), mark.seq))


def append(path: Path, lines: Iterable[str], mark: FileMark, seq: int) -> FileMark:
    """Add lines to this home's own log and make them durable (fsync) before the store says they were sent."""
    data = _encoded(lines)
    count = data.count(b"\n")
    try:
        _write_durably(path, data, "ab")
    except OSError as exc:
        raise StudycardsError(f"cannot write {path}: {exc.strerror}") from None
    return FileMark(mark.offset + len(data), mark.lines + count, seq)


def rewrite(path: Path, lines: Iterable[str], seq: int) -> FileMark:
    """Write this home's whole log again (it was lost, cut short or changed by someone else), atomically."""
    data = _encoded(lines)
    temporary = path.with_name(f".{path.name}.tmp")
    try:
        _write_durably(temporary, data, "wb")
        os.replace(temporary, path)
    except OSError as exc:
        temporary.unlink(missing_ok=True)
        raise StudycardsError(f"cannot write {path}: {exc.strerror}") from None
    return FileMark(len(data), data.count(b"\n"), seq)


def size(path: Path) -> int | None:
    try:
        return path.stat().st_size
    except FileNotFoundError:
        return None


def _encoded(lines: Iterable[str]) -> bytes:
    return "".join(line + "\n" for line in lines).encode("utf-8")


def _write_durably(path: Path, data: bytes, mode: str) -> None:
    """Write and fsync: the store marks events sent only once they are on the disk."""
    with path.open(mode) as file:
        file.write(data)
        file.flush()
        os.fsync(file.fileno())

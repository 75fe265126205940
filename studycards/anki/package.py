"""The ``.apkg`` file: an Anki collection in a zip, with the tables, rows and GUIDs genanki writes.

genanki is the reference for every byte, but its package imports its note model, and with it asyncio,
yaml and chevron: 60 ms of CPU, a sixth of an export of 10,000 notes.  So the collection's schema and
its ``col`` row are genanki's own (read from its ``apkg_schema``, ``apkg_col`` and ``deck`` modules, which
need only the standard library, without running genanki's ``__init__``), the note types are written as
its ``Model.to_json`` writes them (``note_type_json``), and notes and cards in its row format.  Tests hold
the tables, the ``col`` row, the rows and the GUIDs equal to what genanki itself writes.
"""

from __future__ import annotations

import hashlib
import itertools
import json
import sqlite3
import string
import zipfile
from collections.abc import Iterable, Iterator
from functools import cache
from pathlib import Path
from types import ModuleType
from typing import NamedTuple

from studycards.anki.notetypes import NOTE_TYPES, deck_id, note_type_json
from studycards.errors import StudycardsError
from studycards.store.sql import insert_rows

BATCH = 1000
GUID_DIGITS = string.ascii_letters + string.digits + "!#$%&()*+,-./:;<=>?@[]^_`{|}~"  # Anki's base 91
GUID_PAIRS = [high + low for high in GUID_DIGITS for low in GUID_DIGITS]
GUID_PAIRS_BASE = len(GUID_PAIRS)


class PackageNote(NamedTuple):
    """One note as it goes into the package; ``ords`` are Anki's card ordinals (cloze number − 1).

    ``suspended`` (a retired note's) marks its cards suspended: Anki keeps that only for a note it
    does not have yet, imported with its learning progress; a note it has keeps its cards' schedule.
    """

    guid: str
    model_id: int
    deck_id: int
    mod: int
    due: int
    fields: list[str]
    tags: list[str]
    ords: tuple[int, ...]
    suspended: bool = False


def guid_for(key: str) -> str:
    """A note's GUID from its key, as genanki's ``guid_for(key)`` makes it: SHA-256's first 8 bytes in base 91.

    Two digits at a time (half the divisions: a GUID per note adds up), no leading zero digit.
    """
    number = int.from_bytes(hashlib.sha256(key.encode("utf-8")).digest()[:8], "big")
    guid = ""
    while number >= GUID_PAIRS_BASE:
        number, pair = divmod(number, GUID_PAIRS_BASE)
        guid = GUID_PAIRS[pair] + guid
    return (GUID_PAIRS[number] if number >= len(GUID_DIGITS) else GUID_DIGITS[number] if number else "") + guid


def write_package(path: Path, deck_names: list[str], notes: Iterable[PackageNote], timestamp: float) -> None:
    """The collection with its decks, note types and these notes (streamed in batches), zipped as genanki does.

    Unlike genanki's ``Note.write_to_db``, each note carries its own modification
    time (what Anki compares on import), rows go in many to a statement, and the
    indexes are built once the rows are in.
    """
    tables, indexes = _schema()
    db_path = path.with_name(path.name + ".anki2")  # beside the package, where the next export finds a killed one's
    try:
        conn = sqlite3.connect(db_path)
        conn.execute("PRAGMA journal_mode = OFF")
        conn.execute("PRAGMA synchronous = OFF")
        cursor = conn.cursor()
        cursor.executescript(tables)
        cursor.executescript(_genanki_part("apkg_col").APKG_COL)
        _write_header(cursor, deck_names, timestamp)
        ids = itertools.count(int(timestamp * 1000))
        iterator = iter(notes)
        while batch := list(itertools.islice(iterator, BATCH)):
            note_rows, card_rows = package_rows(batch, ids)
            insert_rows(conn, "INSERT INTO notes", 11, note_rows)
            insert_rows(conn, "INSERT INTO cards", 18, card_rows)
        cursor.executescript(indexes)
        conn.commit()
        conn.close()
        with zipfile.ZipFile(path, "w") as package:
            package.write(db_path, "collection.anki2")
            package.writestr("media", "{}")
    finally:
        db_path.unlink(missing_ok=True)


def _write_header(cursor: sqlite3.Cursor, deck_names: list[str], timestamp: float) -> None:
    """The decks and note types in one update: genanki rewrites the whole deck list once per deck, quadratic in decks.

    The note types belong to the first deck, as genanki's ``Package`` writes them when they are added to it.
    """
    deck_class = _genanki_part("deck").Deck
    (current,) = cursor.execute("SELECT decks FROM col").fetchone()
    decks = json.loads(current)
    decks.update({str(deck_id(name)): deck_class(deck_id(name), name).to_json() for name in deck_names})
    first = deck_id(deck_names[0])
    models = {str(note_type.id): note_type_json(note_type, timestamp, first) for note_type in NOTE_TYPES.values()}
    cursor.execute("UPDATE col SET decks = ?, models = ?", (json.dumps(decks), json.dumps(models)))


def _schema() -> tuple[str, str]:
    """genanki's schema as its tables and its indexes, so that the indexes are built after the rows go in."""
    lines = _genanki_part("apkg_schema").APKG_SCHEMA.splitlines(keepends=True)
    indexes = [line for line in lines if line.startswith("CREATE INDEX")]
    return "".join(line for line in lines if line not in indexes), "".join(indexes)


@cache
def _genanki_part(name: str) -> ModuleType:
    """One of genanki's modules that imports only the standard library, loaded without genanki's ``__init__``."""
    import importlib.util

    found = importlib.util.find_spec("genanki")
    folders = found.submodule_search_locations if found else None
    source = Path(folders[0], f"{name}.py") if folders else None
    part = importlib.util.spec_from_file_location(f"genanki.{name}", source) if source and source.is_file() else None
    if part is None or part.loader is None:
        raise StudycardsError(f"cannot write an Anki package: genanki's {name}.py is missing (pip install genanki)")
    module = importlib.util.module_from_spec(part)
    part.loader.exec_module(module)
    return module


def package_rows(notes: Iterable[PackageNote], ids: Iterator[int]) -> tuple[list[tuple], list[tuple]]:
    """The ``notes`` and ``cards`` rows genanki writes for these notes (new cards, suspended if the note is)."""
    note_rows, card_rows = [], []
    for note in notes:
        note_id = next(ids)
        queue = -1 if note.suspended else 0
        fields = note.fields
        note_rows.append(
            (
                note_id,
                note.guid,
                note.model_id,
                note.mod,
                -1,
                f" {' '.join(note.tags)} ",
                "\x1f".join(fields),
                fields[0],
                0,
                0,
                "",
            )
        )
        card_rows += [
            (next(ids), note_id, note.deck_id, ord_, note.mod, -1, 0, queue, note.due, 0, 0, 0, 0, 0, 0, 0, 0, "")
            for ord_ in note.ords
        ]
    return note_rows, card_rows

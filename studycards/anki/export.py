"""The store -> one Anki package (as genanki writes it: ``package``) and the open questions as markdown.

Re-importing a newer export must update the notes Anki already has, never add
duplicates: note GUIDs come from note keys, deck ids from deck names, note-type
ids from their shape (``anki_notetypes``).  Anki updates a note only when the
package's modification time is newer than its own, so each note's content hash
and the time it was exported with are remembered: a changed note gets the
export's time (strictly later than before), an unchanged one keeps its old time.

Notes are built while the package is written, one at a time, so that memory
stays flat however large the collection is.
"""

from __future__ import annotations

import errno
import hashlib
import html
import json
import os
import re
import sqlite3
from collections.abc import Callable, Iterator, Sequence
from datetime import datetime
from pathlib import Path
from typing import NamedTuple

from studycards.anki.html import HtmlRenderer
from studycards.anki.notetypes import NOTE_TYPES, deck_id
from studycards.anki.package import PackageNote, guid_for, write_package
from studycards.anki.questions import ARXIV_ABS, questions_markdown
from studycards.errors import StudycardsError
from studycards.notes.syntax import CONTEXT_SEPARATOR, CardKind
from studycards.store.database import Store
from studycards.store.exports import ExportDeck, ExportedNote, ExportNote

PROGRESS_EVERY = 500
RETIRED_TAG = "studycards::retired"


class ExportReport(NamedTuple):
    """What an export wrote, for the user to read (a NamedTuple: dataclasses cost an export's start-up a few ms).

    ``moved`` counts the notes whose deck changed since their last export, as ``(old, new, notes)``:
    Anki's import updates a note it has but never moves its cards, so the user is told where to.
    """

    path: Path
    decks: int
    notes: int
    cards: int
    changed: int
    questions: int
    questions_path: Path
    retired: int = 0
    moved: tuple[tuple[str, str, int], ...] = ()


def _chosen_decks(store: Store, decks: Sequence[str]) -> list[ExportDeck]:
    found = store.exports.decks(decks)
    for deck in decks:
        if not any(name == deck or name.startswith(deck + "::") for name, _, _ in found):
            known = sorted(name for name, _, _ in store.exports.decks())
            hint = f"; decks: {', '.join(known)}" if known else "; add notes first with: studycards add NOTES.md"
            raise StudycardsError(f"no cards to export in deck {deck!r}{hint}")
    if not found:
        raise StudycardsError("nothing to export: add notes first with: studycards add NOTES.md")
    return found


def export_collection(
    store: Store,
    path: Path,
    now: datetime,
    *,
    decks: Sequence[str] = (),
    questions_path: Path | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> ExportReport:
    """Write the package and the questions file, then remember what each changed note was exported as.

    ``progress`` is called with the notes written so far and the notes the export writes
    (counted once, with the decks chosen).  Both files appear whole or not at all; the
    store is only told about the export once they are in place.
    """
    chosen = _chosen_decks(store, decks)
    deck_names = [name for name, _, _ in chosen]
    total = sum(notes for _, notes, _ in chosen)
    questions_path = questions_path or path.with_name("questions.md")
    for target in (path, questions_path):
        if not target.parent.is_dir():
            raise StudycardsError(f"cannot write {target}: folder {target.parent} does not exist")
    writer = _NoteWriter(int(now.timestamp()), store.papers.titles())
    questions = store.questions.open(decks)
    try:
        with _replacing(path) as package, _replacing(questions_path) as questions_file:
            write_package(package, deck_names, writer.notes(store, deck_names, progress, total), now.timestamp())
            if questions:  # no open question: no file (an earlier export's is left as it was)
                questions_file.write_text(questions_markdown(questions, questions_path.parent, now), encoding="utf-8")
    except (OSError, sqlite3.OperationalError) as exc:
        raise _unwritten(exc, path) from None
    store.exports.record(writer.changed)
    return ExportReport(
        path=path,
        decks=len(deck_names),
        notes=writer.note_count,
        cards=writer.card_count,
        changed=len(writer.changed),
        questions=len(questions),
        questions_path=questions_path,
        retired=writer.retired_count,
        moved=tuple((old, new, count) for (old, new), count in sorted(writer.moved.items())),
    )


def _unwritten(exc: OSError | sqlite3.OperationalError, path: Path) -> Exception:
    """A full disk named with the package; anything else as it was (the translator in the cli words it)."""
    from studycards.store.errors import no_space

    if (isinstance(exc, OSError) and exc.errno == errno.ENOSPC) or "disk is full" in str(exc):
        return StudycardsError(no_space(path))
    if isinstance(exc, OSError) and exc.strerror:
        return StudycardsError(f"cannot write {exc.filename or path}: {exc.strerror}")
    return exc


class _NoteWriter:
    """Turns the store's notes into package notes, counting them and noting which changed."""

    def __init__(self, stamp: int, titles: dict[str, str]) -> None:
        self.stamp = stamp
        self.titles = titles
        self.render = HtmlRenderer()
        self.model_ids = {kind: note_type.id for kind, note_type in NOTE_TYPES.items()}
        self.changed: list[ExportedNote] = []
        self.note_count = self.card_count = 0
        self.retired_count = 0
        self.moved: dict[tuple[str, str], int] = {}
        self.folder = ""
        self._contexts: dict[str, str] = {}
        self._papers: dict[str | None, str] = {None: ""}
        self._sources: dict[str, str] = {}
        self._tags: dict[tuple[str, str, str | None, bool], list[str]] = {}
        self._ords: dict[tuple[str, str], tuple[int, ...]] = {}

    def notes(
        self, store: Store, deck_names: list[str], progress: Callable[[int, int], None] | None, total: int
    ) -> Iterator[PackageNote]:
        self.folder = notes_folder(store.exports.sources())
        for name in deck_names:
            this_deck = deck_id(name)
            for note in store.exports.notes(name):
                fields, tags = self.note_content(note)
                model_id = self.model_ids.get(note.kind, self.model_ids[CardKind.BASIC])
                ords = self._ords.get((note.kind, note.ords))
                if ords is None:
                    ords = self._ords[note.kind, note.ords] = anki_ords(note.kind, note.ords)
                mod = self.mod_for(note, model_id, fields, tags)
                self.note_count += 1
                self.card_count += len(ords)
                self.retired_count += note.retired
                if note.exported_deck and note.exported_deck != note.deck:
                    move = (note.exported_deck, note.deck)
                    self.moved[move] = self.moved.get(move, 0) + 1
                yield PackageNote(
                    guid_for(note.note_key),
                    model_id,
                    this_deck,
                    mod,
                    self.note_count,
                    fields,
                    tags,
                    ords,
                    note.retired,
                )
                if progress and self.note_count % PROGRESS_EVERY == 0:
                    progress(self.note_count, total)
        if progress and self.note_count % PROGRESS_EVERY:
            progress(self.note_count, total)

    def mod_for(self, note: ExportNote, model_id: int, fields: list[str], tags: list[str]) -> int:
        """The note's old time if its content is as last exported, else a time newer than Anki has."""
        content = "\x1f".join([str(model_id), note.deck, *fields, " ".join(tags)])
        digest = hashlib.sha1(content.encode("utf-8")).hexdigest()
        if digest == note.exported_hash and note.exported_mod is not None:
            return note.exported_mod
        mod = max(self.stamp, (note.exported_mod or 0) + 1)
        self.changed.append(ExportedNote(note.note_key, digest, mod, note.deck))
        return mod

    def note_content(self, note: ExportNote) -> tuple[list[str], list[str]]:
        """Fields and tags; contexts, papers, sources and tag sets repeat, so each is built once."""
        context = self._contexts.get(note.context)
        if context is None:
            context = self._contexts[note.context] = self.render.inline(note.context)
        paper = self._papers.get(note.paper)
        if paper is None:
            arxiv_id = note.paper or ""  # never empty here: the cache starts with None -> "" (no paper)
            paper = self._papers[note.paper] = paper_field(arxiv_id, self.titles.get(arxiv_id))
        source = self._sources.get(note.source)
        if source is None:
            source = self._sources[note.source] = html.escape(shown_source(note.source, self.folder), quote=False)
        key = (note.tags, note.context, note.paper, note.retired)
        tags = self._tags.get(key)
        if tags is None:
            tags = self._tags[key] = note_tags(*key)
        if note.kind == CardKind.CLOZE:
            sides = [self.render.cloze(note.front)]
        elif note.kind == CardKind.EQUATION:
            sides = [self.render(note.front), self.render(note.back)]
        else:
            sides = [self.render(note.front, highlights=True), self.render(note.back, highlights=True)]
        return [*sides, context, paper, f"{source}:{note.line}"], tags


def anki_ords(kind: str, ords: str) -> tuple[int, ...]:
    """A note's card ordinals as Anki numbers them, from the store's comma-separated ords (a cloze's from 1)."""
    numbers = sorted(int(ord_) for ord_ in ords.split(","))
    return tuple(number - 1 for number in numbers) if kind == CardKind.CLOZE else tuple(numbers)


def paper_field(arxiv_id: str, title: str | None) -> str:
    """The paper as a link to its arXiv page: its title once fetched, else its id."""
    label = f"{title} (arXiv:{arxiv_id})" if title else f"arXiv:{arxiv_id}"
    return f'<a href="{ARXIV_ABS}{html.escape(arxiv_id)}">{html.escape(label, quote=False)}</a>'


def note_tags(tags_json: str, context: str, paper: str | None, retired: bool = False) -> list[str]:
    """The notes' tags, the heading path as one hierarchical tag, ``arxiv::ID``, and ``studycards::retired``.

    Never a space.  The retired tag lets the user find, in Anki, the notes whose
    cards studycards no longer reviews (Anki keeps them through every import).
    """
    tags = [re.sub(r"\s+", "_", tag) for tag in json.loads(tags_json)]
    heading = "::".join(
        part for part in (re.sub(r"\s+", "_", p.strip()) for p in context.split(CONTEXT_SEPARATOR)) if part
    )
    if heading:
        tags.append(heading)
    if paper:
        tags.append(f"arxiv::{paper}")
    if retired:
        tags.append(RETIRED_TAG)
    return list(dict.fromkeys(tag for tag in tags if tag))


def notes_folder(sources: Sequence[str]) -> str:
    """The deepest folder holding every notes file the collection knows: the Source field starts below it.

    Taken over the whole collection, not the decks exported, so a card's Source
    reads the same in every export; it moves only when notes from outside it are added.
    """
    folders = [os.path.dirname(source) for source in sources]
    return os.path.commonpath(folders) if folders else ""


def shown_source(source: str, folder: str) -> str:
    """A notes file's path below ``folder`` (``attention.md``, ``papers/resnet.md``), never an absolute path."""
    shown = os.path.relpath(source, folder) if folder else source
    return Path(shown).as_posix()


class _replacing:
    """A temporary file beside ``target`` that replaces it only if the block succeeds."""

    def __init__(self, target: Path) -> None:
        self.target = target
        self.temporary = target.with_name(f".{target.name}.{os.getpid()}.tmp")

    def __enter__(self) -> Path:
        _remove_stale(self.target)
        return self.temporary

    def __exit__(self, kind: type | None, *exc: object) -> None:
        if kind is None:
            if self.temporary.exists():  # a block that wrote nothing leaves the target as it was
                os.replace(self.temporary, self.target)
        else:
            self.temporary.unlink(missing_ok=True)


def _remove_stale(target: Path) -> None:
    """What a killed export left beside ``target`` (its temporary package and collection), once its process is gone."""
    for stale in target.parent.glob(f".{target.name}.*.tmp*"):
        pid = stale.name[len(target.name) + 2 :].split(".")[0]
        try:
            os.kill(int(pid), 0)  # still running: not stale
        except ProcessLookupError:
            stale.unlink(missing_ok=True)
        except (ValueError, PermissionError):
            pass

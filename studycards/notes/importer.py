"""Notes files -> the store: plan what changes (added, updated, retired), then apply it atomically.

Identity (``Note.key``) decides history: an edited back updates a card in place,
an edited front retires the old card and adds a new one, and a card whose front
comes back is restored with its history.  Unchanged files are skipped by hash.
"""

from __future__ import annotations

import hashlib
import sqlite3
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from studycards.errors import NotesError, NotesErrors, StudycardsError
from studycards.models import Card, Note, Question
from studycards.notes.parser import ParsedNotes, parse_notes
from studycards.notes.syntax import CardKind, QuestionStatus
from studycards.store.cards import CardContent, CardPlace
from studycards.store.database import Store
from studycards.store.files import FileHash

if TYPE_CHECKING:
    from studycards.mathtext.batch import Renderer

MAX_NOTES_BYTES = 20 * 1024 * 1024


class OutdatedPlan(StudycardsError):
    """Another studycards wrote the same cards between this plan and its writing."""


@dataclass(frozen=True)
class CardRow:
    """A card as the notes now describe it; ``id`` is set when it already exists."""

    key: str
    note_key: str
    deck: str
    kind: str
    ord: int
    front: str
    back: str
    context: str
    tags: tuple[str, ...]
    source: str
    line: int
    paper: str | None
    id: int | None = None

    def content(self, front_text: str, back_text: str) -> CardContent:
        fields = {name: getattr(self, name) for name in CardContent._fields if name not in ("front_text", "back_text")}
        return CardContent(**fields, front_text=front_text, back_text=back_text)


@dataclass
class ImportPlan:
    """What ``add`` will do; ``--dry-run`` prints it, ``apply_plan`` writes it."""

    files: list[str] = field(default_factory=list)
    unchanged_files: list[str] = field(default_factory=list)
    hashes: dict[str, str] = field(default_factory=dict)
    deck_option: str = ""
    added: list[CardRow] = field(default_factory=list)
    updated: list[CardRow] = field(default_factory=list)
    restored: list[CardRow] = field(default_factory=list)
    moved: list[CardRow] = field(default_factory=list)
    retired: list[Card] = field(default_factory=list)
    questions: list[Question] = field(default_factory=list)
    new_questions: int = 0
    removed_questions: list[int] = field(default_factory=list)
    skipped: list[NotesError] = field(default_factory=list)

    @property
    def changes(self) -> bool:
        return bool(
            self.added or self.updated or self.restored or self.retired or self.new_questions or self.removed_questions
        )


def collect_paths(paths: list[str]) -> list[Path]:
    """Files as given, folders as every ``*.md`` inside, recursively, in a stable order."""
    found: list[Path] = []
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            inside = sorted(p for p in path.rglob("*.md") if p.is_file())
            if not inside:
                raise StudycardsError(f"{raw}: no notes files (*.md) in this folder")
            found.extend(inside)
        elif path.is_file():
            found.append(path)
        else:
            raise StudycardsError(f"{raw}: no such file or folder")
    unique = list(dict.fromkeys(p.resolve() for p in found))
    return unique


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


def card_rows(note: Note) -> list[CardRow]:
    """The cards a note makes: one per ord (two for ``:::``, one per cloze number)."""
    rows = []
    for ord_ in note.ords:
        front, back = note.front, note.back
        if note.kind == CardKind.REVERSED and ord_ == 1:
            front, back = back, front
        rows.append(
            CardRow(
                key=note.card_key(ord_),
                note_key=note.key,
                deck=note.deck,
                kind=note.kind,
                ord=ord_,
                front=front,
                back=back,
                context=note.context,
                tags=note.tags,
                source=note.source,
                line=note.line,
                paper=note.paper,
            )
        )
    return rows


def plan_import(
    store: Store,
    paths: list[str],
    deck: str | None = None,
    skip_bad: bool = False,
    force: bool = False,
    on_display_math: Callable[[int], None] | None = None,
) -> ImportPlan:
    """Parse every file and compare with the store; raises ``NotesErrors`` listing every mistake.

    ``on_display_math(size)`` is called for each changed file holding ``$$``, so rendering can get ready early.
    """
    plan = ImportPlan(deck_option=deck or "")
    parsed: list[ParsedNotes] = []
    errors: list[NotesError] = []
    for path in collect_paths(paths):
        source = str(path)
        plan.files.append(source)
        try:
            data = read_notes(path)
        except NotesError as exc:
            errors.append(exc)
            continue
        digest = content_hash(data)
        if not force and store.files.hash(source) == FileHash(digest, plan.deck_option):
            plan.unchanged_files.append(source)
            continue
        plan.hashes[source] = digest
        if on_display_math and "$$" in data:
            on_display_math(len(data))
        notes = parse_notes(data, source, deck)
        errors.extend(notes.errors)
        parsed.append(notes)
    rows = [row for notes in parsed for note in notes.notes for row in card_rows(note)]
    errors.extend(_cross_file_duplicates(rows))
    sources = {notes.path for notes in parsed}
    _plan_cards(store, plan, rows, sources, errors)
    if errors and not skip_bad:
        raise NotesErrors(sorted(errors, key=lambda e: (e.path, e.line)))
    plan.skipped = errors
    _plan_questions(store, plan, [q for notes in parsed for q in notes.questions], sources)
    return plan


def _cross_file_duplicates(rows: list[CardRow]) -> list[NotesError]:
    seen: dict[str, CardRow] = {}
    errors = []
    for row in rows:
        first = seen.setdefault(row.key, row)
        if first is not row and first.source != row.source:
            errors.append(
                NotesError(
                    row.source, row.line, f"duplicate front in deck {row.deck} (also at {first.source}:{first.line})"
                )
            )
    return errors


def _plan_cards(
    store: Store, plan: ImportPlan, rows: list[CardRow], sources: set[str], errors: list[NotesError]
) -> None:
    existing = store.cards.by_keys(row.key for row in rows)
    for row in rows:
        old = existing.get(row.key)
        if old is None:
            plan.added.append(row)
            continue
        row = CardRow(**{**row.__dict__, "id": old.id})
        if old.source != row.source and old.source not in sources and not old.retired and Path(old.source).exists():
            errors.append(
                NotesError(
                    row.source, row.line, f"duplicate front in deck {row.deck} (also at {old.source}:{old.line})"
                )
            )
        elif old.retired:
            plan.restored.append(row)
        elif (old.front, old.back, old.context, old.tags, old.paper) != (
            row.front,
            row.back,
            row.context,
            row.tags,
            row.paper,
        ):
            plan.updated.append(row)
        elif (old.source, old.line) != (row.source, row.line):
            plan.moved.append(row)
    keep = {row.key for row in rows}
    plan.retired = [c for c in store.cards.from_sources(sources) if c.key not in keep and not c.retired]


def _plan_questions(store: Store, plan: ImportPlan, questions: list[Question], sources: set[str]) -> None:
    plan.questions = questions
    known = {q.key: q for q in store.questions.from_sources(sources)}
    keys = {q.key for q in questions}
    plan.new_questions = sum(1 for q in questions if q.key not in known)
    plan.removed_questions = [q.id for q in known.values() if q.key not in keys and q.status == QuestionStatus.OPEN]


def apply_plan(store: Store, plan: ImportPlan, now: datetime, renderer: Renderer | None = None) -> None:
    """Write the whole plan in one transaction: all of it lands, or none of it (and nothing, if nothing changed)."""
    from studycards.mathtext.batch import Renderer

    if not (plan.changes or plan.moved or plan.hashes):
        return

    changed = plan.added + plan.updated + plan.restored
    with renderer or Renderer() as active:
        texts = active.render_all([text for row in changed for text in (row.front, row.back)])
    contents = [row.content(texts[2 * i], texts[2 * i + 1]) for i, row in enumerate(changed)]
    added = len(plan.added)
    edits = {row.id: content for row, content in zip(changed[added:], contents[added:]) if row.id is not None}
    try:
        with store.transaction():
            store.cards.insert(contents[:added], now)
            store.cards.update(edits, now)
            store.cards.move([CardPlace(row.id, row.source, row.line) for row in plan.moved if row.id is not None])
            store.cards.retire([card.id for card in plan.retired], now)
            store.questions.upsert(plan.questions, now)
            store.questions.remove(plan.removed_questions)
            for source, digest in plan.hashes.items():
                store.files.remember(source, FileHash(digest, plan.deck_option), now)
    except sqlite3.IntegrityError:
        raise OutdatedPlan(
            "the collection changed while the notes were read (another studycards added them?);"
            " nothing was written: run add again"
        ) from None


def add_notes(
    store: Store,
    paths: list[str],
    now: datetime,
    *,
    deck: str | None = None,
    skip_bad: bool = False,
    dry_run: bool = False,
) -> ImportPlan:
    """``studycards add``: plan, then apply unless it is a dry run."""
    from studycards.mathtext.batch import Renderer

    with Renderer() as renderer:
        for attempt in range(2):
            plan = plan_import(
                store,
                paths,
                deck=deck,
                skip_bad=skip_bad,
                on_display_math=None if dry_run else renderer.expect_display_math,
            )
            if dry_run:
                break
            try:
                apply_plan(store, plan, now, renderer)
                break
            except OutdatedPlan:  # the same notes were added at the same moment: plan again from what is stored
                if attempt:
                    raise
    return plan

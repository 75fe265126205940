"""Notes files -> the store: plan what changes (added, updated, retired), then apply it atomically.

Identity (``Note.key``) decides history: an edited back updates a card in place, an edited front retires the
old card and adds a new one, and a card whose front comes back is restored with its history.  A card of the same
file whose only change is its deck moves with its history; the cards of a file gone from a folder given again are
retired.  Unchanged files are skipped by hash."""

from __future__ import annotations

import contextlib
import sqlite3
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field, replace
from datetime import datetime
from operator import attrgetter
from pathlib import Path
from typing import NamedTuple

from studycards.errors import NotesError, NotesErrors, StudycardsError, WrittenThenInterrupted
from studycards.home import SEPARATORS
from studycards.mathtext import drawer
from studycards.models import KEY_VERSION, Card, CardState, Note, Question, card_key
from studycards.notes.parser import ParsedNotes, check_duplicates, parse_notes
from studycards.notes.sources import MAX_NOTES_BYTES, content_hash, notes_files, read_notes
from studycards.notes.syntax import CardKind, QuestionStatus, display_math
from studycards.store.cards import CardContent, CardPlace
from studycards.store.database import Store
from studycards.store.files import FileHash

__all__ = ["MAX_NOTES_BYTES", "ImportPlan", "add_notes", "apply_plan", "content_hash", "plan_import", "read_notes"]

STANDARD, COMPACT = SEPARATORS
_AS_WRITTEN = attrgetter(*CardContent._fields)  # a card row's content, as the store keeps it
_COMPARED = attrgetter("front", "back", "context", "tags", "paper")  # what an update of a stored card rewrites
StepFn = Callable[[str, int, int], None]  # (step, done, total): what a progress display hears


class OutdatedPlan(StudycardsError):
    """Another studycards wrote the same cards between this plan and its writing."""


@dataclass(slots=True)
class CardRow:
    """A card as the notes now describe it; ``id`` is set when it already exists.  Never changed once made:
    ``replace`` makes the one with an id.  (Not frozen: a frozen dataclass sets its thirteen fields one call at
    a time, 2.8 µs a card against 1; and not a NamedTuple, which held 300,000 cards in 40 MB more.)"""

    key: str
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
    start: CardState | None = None

    @property
    def note_key(self) -> str:
        """Read off the key (``card_key(note_key, ord)``), not kept: that string was a tenth of a big add's peak."""
        return self.key[: self.key.rindex("#")]

    def content(self) -> CardContent:
        return CardContent(*_AS_WRITTEN(self))


class DeckMove(NamedTuple):
    """A card whose deck changed (front matter ``deck:`` or ``--deck``) and nothing that identifies it else."""

    row: CardRow
    old_deck: str


class QuestionMove(NamedTuple):
    """A stored question whose deck changed and nothing else: it keeps its id, status and answer."""

    id: int
    key: str
    deck: str


@dataclass
class ImportPlan:
    """What ``add`` will do; ``--dry-run`` prints it, ``apply_plan`` writes it.

    ``empty_files`` were read and hold no card; ``lookalikes`` are the ``(file, line)`` that would be cards with
    compact separators; ``gone_files`` were added from a folder given again and are no longer there.
    ``drawing`` counts the display equations left to the background drawer once the plan is written.
    """

    files: list[str] = field(default_factory=list)
    unchanged_files: list[str] = field(default_factory=list)
    hashes: dict[str, FileHash] = field(default_factory=dict)
    deck_option: str = ""
    added: list[CardRow] = field(default_factory=list)
    updated: list[CardRow] = field(default_factory=list)
    restored: list[CardRow] = field(default_factory=list)
    moved: list[CardRow] = field(default_factory=list)
    deck_moves: list[DeckMove] = field(default_factory=list)
    retired: list[Card] = field(default_factory=list)
    questions: list[Question] = field(default_factory=list)
    new_questions: int = 0
    removed_questions: list[int] = field(default_factory=list)
    moved_questions: list[QuestionMove] = field(default_factory=list)
    skipped: list[NotesError] = field(default_factory=list)
    warnings: list[NotesError] = field(default_factory=list)
    empty_files: list[str] = field(default_factory=list)
    lookalikes: list[tuple[str, int]] = field(default_factory=list)
    gone_files: list[str] = field(default_factory=list)
    drawing: int = 0

    @property
    def changes(self) -> bool:
        return bool(
            self.added
            or self.updated
            or self.restored
            or self.deck_moves
            or self.retired
            or self.new_questions
            or self.removed_questions
            or self.moved_questions
        )


def card_rows(note: Note, note_key: str = "") -> list[CardRow]:
    """The cards a note makes: one per ord (two for ``:::``, one per cloze number); ``note_key`` if known."""
    note_key = note_key or note.key  # once: it collapses the front's whitespace
    deck, kind, front, back, context, source, line, tags, paper, ords, _, starts = note
    if len(ords) == 1:  # most notes: one card, and its sides as written
        return [CardRow(card_key(note_key, ords[0]), deck, kind, ords[0], front, back, context, tags, source, line,
                        paper, None, starts[0] if starts else None)]  # fmt: skip
    return [
        CardRow(card_key(note_key, ord_), deck, kind, ord_,
                *((back, front) if kind == CardKind.REVERSED and ord_ == 1 else (front, back)),
                context, tags, source, line, paper, None, starts[index] if index < len(starts) else None)
        for index, ord_ in enumerate(ords)
    ]  # fmt: skip


def _card_rows_letting_go(notes: ParsedNotes, rows: list[CardRow]) -> None:
    """The file's cards onto ``rows``, each note let go once its cards are made: never all notes and all cards
    at once."""
    (pending, keys), notes.notes, notes.keys = (notes.notes[::-1], notes.keys[::-1]), [], []
    while pending:
        rows += card_rows(pending.pop(), keys.pop())


def plan_import(
    store: Store,
    paths: list[str],
    deck: str | None = None,
    skip_bad: bool = False,
    force: bool = False,
    *,
    compact: bool | None = None,
    progress: StepFn | None = None,
) -> ImportPlan:
    """Parse every file and compare with the store; raises ``NotesErrors`` listing every mistake.

    ``compact`` reads ``front::back`` as a card (the ``separators`` setting); ``None`` reads each file as it
    was last added, so re-adding one file after an edit never changes how it reads.
    """
    plan = ImportPlan(deck_option=deck or "")
    rows: list[CardRow] = []
    questions: list[Question] = []
    sources: set[str] = set()
    errors: list[NotesError] = []
    found = notes_files(store, paths)
    for index, path in enumerate(found.present):
        source = str(path)
        if progress:
            progress("read", index, len(found.present))
        plan.files.append(source)
        try:
            data = read_notes(path)
        except NotesError as exc:
            errors.append(exc)
            continue
        known = store.files.hash(source)
        separators = _separators(compact, known)
        reading = FileHash(content_hash(data), plan.deck_option, separators)
        if not force and known == reading:
            plan.unchanged_files.append(source)
            if not store.files.holds_cards(source):  # said again each time: the user may not have acted on it yet
                _note_reading(plan, parse_notes(data, source, deck, compact=separators == COMPACT))
            continue
        plan.hashes[source] = reading
        notes = parse_notes(data, source, deck, compact=separators == COMPACT, duplicates=False)
        del data  # before the duplicates' keys are made: a large file's text and its keys are never both held
        check_duplicates(notes)
        errors.extend(notes.errors)
        _note_reading(plan, notes)
        _card_rows_letting_go(notes, rows)
        questions.extend(notes.questions)
        sources.add(notes.path)
    if len(sources) > 1:  # a front twice in one file was found with that file
        rows = _without_cross_file_duplicates(rows, errors)
    plan.gone_files = found.gone
    sources.update(plan.gone_files)
    _plan_cards(store, plan, rows, sources, errors)
    if errors and not skip_bad:
        raise NotesErrors(sorted(errors, key=lambda e: (e.path, e.line)))
    plan.skipped = errors
    _plan_questions(store, plan, questions, sources)
    return plan


def _separators(compact: bool | None, known: FileHash | None) -> str:
    if compact is None:
        return known.separators if known else STANDARD
    return COMPACT if compact else STANDARD


def _note_reading(plan: ImportPlan, notes: ParsedNotes) -> None:
    """What ``add`` says of a file besides its cards: its warnings, that it has none, compact look-alikes."""
    plan.warnings.extend(notes.warnings)
    if not notes.notes:
        plan.empty_files.append(notes.path)
    plan.lookalikes.extend((notes.path, line) for line in notes.compact_lookalikes)


def _without_cross_file_duplicates(rows: list[CardRow], errors: list[NotesError]) -> list[CardRow]:
    """The rows without a front another file of the deck already gave, each of those an error: the first is the
    card (``--skip-bad`` adds it and skips the later one, as it is told)."""
    seen: dict[str, CardRow] = {}
    kept = []
    for row in rows:
        first = seen.setdefault(row.key, row)
        if first is not row and first.source != row.source:
            errors.append(
                NotesError(
                    row.source, row.line, f"duplicate front in deck {row.deck} (also at {first.source}:{first.line})"
                )
            )
        else:
            kept.append(row)
    return kept


def _plan_cards(
    store: Store, plan: ImportPlan, rows: list[CardRow], sources: set[str], errors: list[NotesError]
) -> None:
    existing = store.cards.by_keys(row.key for row in rows)
    keep = {row.key for row in rows}
    before = store.cards.from_sources(sources)
    left = _by_identity_apart_from_deck(c for c in before if c.key not in keep)
    for row in rows:
        old = existing.get(row.key)
        if old is None:
            old = left.pop((row.source, _apart_from_deck(row.key, row.kind, row.deck)), None) if left else None
            if old is None:
                plan.added.append(row)
            else:
                plan.deck_moves.append(DeckMove(replace(row, id=old.id), old.deck))
            continue
        row = replace(row, id=old.id)
        if old.source != row.source and old.source not in sources and not old.retired and Path(old.source).exists():
            errors.append(
                NotesError(
                    row.source, row.line, f"duplicate front in deck {row.deck} (also at {old.source}:{old.line})"
                )
            )
        elif old.retired:
            plan.restored.append(row)
        elif _COMPARED(old) != _COMPARED(row):
            plan.updated.append(row)
        elif (old.source, old.line) != (row.source, row.line):
            plan.moved.append(row)
    moved = {move.row.id for move in plan.deck_moves}
    plan.retired = [c for c in before if c.key not in keep and not c.retired and c.id not in moved]


def _apart_from_deck(key: str, kind: str, deck: str) -> str:
    """A card key without its deck: what stays when only the deck is renamed."""
    prefix = f"{KEY_VERSION}:{kind}:{deck}:"
    return f"{kind}:{key[len(prefix) :]}" if key.startswith(prefix) else key


def _by_identity_apart_from_deck(cards: Iterable[Card]) -> dict[tuple[str, str], Card]:
    """Cards by file and identity apart from the deck; a live card wins over a retired one of the same identity."""
    found: dict[tuple[str, str], Card] = {}
    for card in sorted(cards, key=lambda c: not c.retired):
        found[(card.source, _apart_from_deck(card.key, card.kind, card.deck))] = card
    return found


def _plan_questions(store: Store, plan: ImportPlan, questions: list[Question], sources: set[str]) -> None:
    """New, gone and moved questions; one of the same file and text in another deck moved, as a card does."""
    plan.questions = questions
    known = {q.key: q for q in store.questions.from_sources(sources)}
    keys = {q.key for q in questions}
    left = {(q.source, _apart_from_deck(q.key, "question", q.deck)): q for q in known.values() if q.key not in keys}
    for question in questions:
        if question.key not in known:
            old = left.pop((question.source, _apart_from_deck(question.key, "question", question.deck)), None)
            if old is None:
                plan.new_questions += 1
            else:
                plan.moved_questions.append(QuestionMove(old.id, question.key, question.deck))
    moved = {move.id for move in plan.moved_questions}
    plan.removed_questions = [
        q.id for q in known.values() if q.key not in keys and q.status == QuestionStatus.OPEN and q.id not in moved
    ]


def apply_plan(
    store: Store, plan: ImportPlan, now: datetime, progress: StepFn | None = None, *, background: bool = False
) -> None:
    """Write the whole plan in one transaction: all of it lands, or none of it (and nothing, if nothing changed).

    Nothing is drawn here: card sides are rendered when shown, and the display equations of the cards
    written wait in the same transaction for sympy's drawing (``mathtext.drawer``), kept by their LaTeX.
    With ``background`` new cards wait likewise for the search index (``store.search_backlog``), and the
    drawer that indexes them starts as the write does (``drawer.start_for_write``).
    """
    if not (plan.changes or plan.moved or plan.hashes or plan.gone_files):
        return

    changed = plan.added + plan.updated + plan.restored + [move.row for move in plan.deck_moves]
    edits = {row.id: row.content() for row in changed[len(plan.added) :] if row.id is not None}
    starts = {row.key: row.start for row in plan.added if row.start}
    if progress:
        progress("write", 0, len(changed))
    try:
        with store.transaction():
            if background and plan.added:
                drawer.start_for_write(store)
            store.cards.insert(plan.added, now, starts, index_later=background)  # rows read as they are
            if plan.deck_moves:  # the sync log's writer (and its day sums) loads only for a move to log
                store.events.record_moves(((m.row.id, m.row.key) for m in plan.deck_moves if m.row.id is not None), now)
            store.cards.update(edits, now)
            store.cards.move([CardPlace(row.id, row.source, row.line) for row in plan.moved if row.id is not None])
            store.cards.retire([card.id for card in plan.retired], now)
            store.questions.move(plan.moved_questions)  # first: the upsert then finds them under their new key
            store.questions.upsert(plan.questions, now)
            store.questions.remove(plan.removed_questions)
            for source, reading in plan.hashes.items():
                store.files.remember(source, reading, now)
            store.files.forget(plan.gone_files)
            store.drawings.wait_for(_equations(changed))
    except sqlite3.IntegrityError:
        raise OutdatedPlan(
            "the collection changed while the notes were read (another studycards added them?);"
            " nothing was written: run add again"
        ) from None


def _equations(rows: Iterable[CardRow]) -> Iterator[str]:
    """The display equations of these cards' sides, as the terminal renderer looks them up."""
    for row in rows:
        for side in (row.front, row.back):
            if "$$" in side:
                yield from display_math(side)


def add_notes(
    store: Store,
    paths: list[str],
    now: datetime,
    *,
    deck: str | None = None,
    skip_bad: bool = False,
    dry_run: bool = False,
    compact: bool = False,
    draw_math: str = "background",
    progress: StepFn | None = None,
) -> ImportPlan:
    """``studycards add``: plan, then apply unless it is a dry run; ``compact`` is the ``separators`` setting.

    Then the equations that wait for sympy are drawn and the new cards indexed for search: by a drawer
    in the background (``plan.drawing`` says how many equations it has to draw; a ``search`` meanwhile
    indexes what it has not), or here before returning with ``draw_math = "at add"``.
    ``progress(step, done, total)`` hears of each step ("read" per file, "write", "draw") as it starts.
    """
    background = draw_math != "at add"
    for attempt in range(2):
        plan = plan_import(store, paths, deck=deck, skip_bad=skip_bad, compact=compact, progress=progress)
        if dry_run:
            return plan
        try:
            apply_plan(store, plan, now, progress, background=background)
            break
        except OutdatedPlan:  # the same notes were added at the same moment: plan again from what is stored
            if attempt:
                raise
        except KeyboardInterrupt as stop:  # as the write ended, it may have landed all the same
            raise (WrittenThenInterrupted() if store.files.remembered(plan.hashes) else stop) from None
    try:
        if not background:  # the cards are in: a Ctrl-C while drawing leaves the rest to the background
            with contextlib.suppress(KeyboardInterrupt):
                drawer.draw_pending(store, (lambda done, total: progress("draw", done, total)) if progress else None)
        plan.drawing = store.drawings.count_pending() if background and plan.added else drawer.start_if_pending(store)
    except KeyboardInterrupt:
        raise WrittenThenInterrupted() from None
    return plan

"""The daily review session: the day's queue, what each key does to it, and the summary.

Keys come from a callable, frames go to a display and time comes from a clock,
all passed in, so one engine serves a terminal, a pipe and the tests.  The queue
is built once and kept in memory; every grade is committed as it is given, so a
killed session loses at most the card on screen.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Protocol

from studycards.errors import BusyError, GradedElsewhere
from studycards.models import Card
from studycards.notes.syntax import CONTEXT_SEPARATOR, CardKind, deletions
from studycards.sm2 import needs_redrill, schedule
from studycards.store.database import Store

REVEAL = (" ", "\n", "\r")
GRADES = "012345"
QUIT = ("q", "\x04")


@dataclass(frozen=True)
class Frame:
    """What the screen shows of the card in front: ``back`` is None until revealed."""

    context: str
    position: int
    total: int
    front: str
    back: str | None
    redrill: bool = False
    latex: bool = False
    has_latex: bool = False
    notice: str = ""


class Display(Protocol):
    def show(self, frame: Frame) -> None: ...

    def say(self, text: str) -> None: ...


@dataclass(eq=False)
class Item:
    """A card waiting in the queue; ``redrill`` marks a card already graded today."""

    card: Card
    redrill: bool = False


@dataclass(frozen=True)
class Answer:
    """One grade given in this session: what undo needs to take it back."""

    review_id: int
    item: Item
    grade: int
    redrill: bool
    new: bool
    again: Item | None


@dataclass(frozen=True)
class Summary:
    day: date
    reviewed: int
    new: int
    grades: tuple[int, ...]
    redrills: int
    pending_redrills: int
    seconds: int
    due_tomorrow: int
    interrupted: bool = False


def build_queue(store: Store, day: date, deck: str | None, new: int, limit: int) -> list[Item]:
    """Due reviews (most overdue first), then new cards in notes order, then today's pending re-drills.

    New cards and reviews already graded today count against ``new`` and ``limit``.
    """
    reviews = store.cards.due(day, max(0, limit - store.reviews.reviewed_on(day, deck)), deck)
    fresh = store.cards.new(max(0, new - store.reviews.new_seen_on(day, deck)), deck)
    items, seen = [], set()
    for cards, redrill in ((reviews, False), (fresh, False), (store.reviews.redrills(day, deck), True)):
        for card in cards:
            if card.id not in seen:
                seen.add(card.id)
                items.append(Item(card, redrill))
    return items


class Session:
    """One review session over a store; :meth:`run` reads keys until the queue is done or the user quits.

    ``open_editor(path, line)`` is how ``e`` reaches the user's editor; without it ``e`` says so.
    """

    def __init__(
        self,
        store: Store,
        day: date,
        clock: Callable[[], datetime],
        *,
        deck: str | None = None,
        new: int = 20,
        limit: int = 200,
        open_editor: Callable[[str, int], None] | None = None,
    ) -> None:
        self.store, self.day, self.clock, self.deck = store, day, clock, deck
        self.open_editor = open_editor
        self.queue: deque[Item] = deque(build_queue(store, day, deck, new, limit))
        self.answers: list[Answer] = []
        self.interrupted = False
        self._revealed = self._latex = False
        self._shown_at: datetime | None = None
        self._dirty = True
        self._notice = ""

    def run(self, keys: Callable[[], str], display: Display) -> Summary:
        """Ctrl-C and the end of input end the session like ``q``: every grade is already committed."""
        started = self.clock()
        try:
            self._loop(keys, display)
        except EOFError:
            pass
        except KeyboardInterrupt:
            self.interrupted = True
        return self.summary(started)

    def _loop(self, keys: Callable[[], str], display: Display) -> None:
        while True:
            if not self.queue:
                if not self.answers:
                    return
                display.say("No more cards.  [u] undo   any other key: finish")
                if keys() != "u":
                    return
                self.undo()
                continue
            self._present(display)
            if not self.handle(keys(), display):
                return

    def handle(self, key: str, display: Display) -> bool:
        """Apply one key to the card in front; False means quit."""
        if key in QUIT:
            return False
        if key in REVEAL:
            if not self._revealed:
                self._revealed = self._dirty = True
        elif len(key) == 1 and key in GRADES:
            if self._revealed:
                self._saving(display, lambda: self.grade(int(key)))
            else:
                display.say("Show the answer first: [space] or Enter.")
        elif key == "u":
            self._saving(display, self.undo)
        elif key == "s":
            self.queue.rotate(-1)
            self._next()
        elif key == "e":
            self.edit(display)
        elif key == "l":
            if self.frame().has_latex:
                self._latex, self._dirty = not self._latex, True
            else:
                display.say("This card has no LaTeX.")
        elif key and key != "\x1b":
            display.say(f"Unknown key {key!r}: space/Enter reveal, 0-5 grade, u undo, s skip, e edit, l LaTeX, q quit.")
        return True

    @staticmethod
    def _saving(display: Display, action: Callable[[], None]) -> None:
        """Run a grade or an undo; if the collection stays busy, nothing changed and the key can be pressed again."""
        try:
            action()
        except BusyError:
            display.say(
                "The collection is busy: another studycards is writing to it. Nothing was saved;"
                " press the key again in a moment."
            )

    def _present(self, display: Display) -> None:
        if not self._dirty:
            return
        if self._shown_at is None:
            self._shown_at = self.clock()
        display.show(self.frame())
        self._dirty, self._notice = False, ""

    def frame(self) -> Frame:
        item = self.queue[0]
        front, back = card_sides(item.card, raw=self._latex)
        card = item.card
        return Frame(
            context=card_context(card),
            position=len(self.answers) + 1,
            total=len(self.answers) + len(self.queue),
            front=front,
            back=back if self._revealed else None,
            redrill=item.redrill,
            latex=self._latex,
            has_latex="$" in card.front + card.back,
            notice=self._notice,
        )

    def _next(self, notice: str = "") -> None:
        self._revealed = self._latex = False
        self._shown_at = None
        self._dirty = True
        self._notice = notice

    def grade(self, grade: int) -> None:
        """Only the day's first grade schedules; later ones are logged re-drills that leave the state alone."""
        item = self.queue[0]
        with self.store.transaction():  # read the card where it is written: another session may have graded it
            card = self.store.cards.get(item.card.id) or item.card
            first = not self.store.reviews.graded_on(card.id, self.day)
            after = schedule(card.state, grade, self.day) if first else card.state
            at = self.clock()
            answer_ms = max(0, round((at - (self._shown_at or at)).total_seconds() * 1000))
            review_id = self.store.reviews.record(
                card.id, grade, self.day, at, answer_ms, card.state, after, redrill=not first
            )
        self.queue.popleft()
        again = Item(card._replace(state=after), redrill=True) if needs_redrill(grade) else None
        if again is not None:
            self.queue.append(again)
        self.answers.append(Answer(review_id, item, grade, not first, first and card.state.is_new, again))
        self._next()

    def undo(self) -> None:
        """Take back the last grade: the store restores the card and the log; the card comes back in front."""
        if not self.answers:
            self._next("Nothing to undo.")
            return
        answer = self.answers[-1]
        try:
            review = self.store.reviews.undo(answer.review_id)
        except GradedElsewhere as exc:
            self.answers.pop()
            self._next(f"Not undone: {exc}.")
            return
        self.answers.pop()
        if answer.again is not None and answer.again in self.queue:
            self.queue.remove(answer.again)
        card = self.store.cards.get(review.card_id)
        if card is None or card.retired:
            self._next(f"Undone: grade {answer.grade} (the card has since been retired).")
            return
        answer.item.card = card
        self.queue.appendleft(answer.item)
        self._next(f"Undone: grade {answer.grade}.")

    def edit(self, display: Display) -> None:
        """Open the card's notes file, re-add it, and follow the edit: a changed front retires the card."""
        if self.open_editor is None:
            display.say("No editor available here.")
            return
        card = self.queue[0].card
        self.open_editor(card.source, card.line)
        problems = reimport(self.store, card.source, self.clock())
        self._refresh(card.source)
        notice = "\n".join(problems)
        if not self.queue or self.queue[0].card.id != card.id:
            notice = "\n".join([*problems, "The card's front changed: the old card is retired; moving on."])
        self._next(notice)

    def _refresh(self, source: str) -> None:
        kept: deque[Item] = deque()
        for item in self.queue:
            if item.card.source == source:
                fresh = self.store.cards.get(item.card.id)
                if fresh is None or fresh.retired:
                    continue
                item.card = fresh
            kept.append(item)
        self.queue = kept

    def summary(self, started: datetime) -> Summary:
        first = [a for a in self.answers if not a.redrill]
        grades = tuple(sum(1 for a in first if a.grade == g) for g in range(6))
        return Summary(
            day=self.day,
            reviewed=len(first),
            new=sum(1 for a in first if a.new),
            grades=grades,
            redrills=len(self.answers) - len(first),
            pending_redrills=sum(1 for i in self.queue if i.redrill),
            seconds=max(0, round((self.clock() - started).total_seconds())),
            due_tomorrow=self.store.cards.count_due(self.day + timedelta(days=1), self.deck),
            interrupted=self.interrupted,
        )


def reimport(store: Store, path: str, now: datetime) -> list[str]:
    """Re-add one notes file after an edit; its mistakes come back as lines to show, never as a stop."""
    from studycards.errors import NotesErrors, StudycardsError
    from studycards.notes.importer import apply_plan, plan_import

    known = store.files.hash(path)
    try:
        plan = plan_import(store, [path], deck=known.deck_option if known and known.deck_option else None)
        apply_plan(store, plan, now)
    except NotesErrors as exc:
        return [str(error) for error in exc.errors] + ["Not re-added: fix the notes and press e again."]
    except StudycardsError as exc:  # a busy collection included: the session goes on
        return [str(exc), "Not re-added: press e again in a moment."]
    return []


def card_context(card: Card) -> str:
    """The heading path, led by the fetched paper's title when the notes' headings do not name it."""
    context = card.context or card.deck
    if card.paper_title and card.paper_title.lower() not in context.lower():
        return card.paper_title + CONTEXT_SEPARATOR + context
    return context


def card_sides(card: Card, raw: bool = False) -> tuple[str, str]:
    """Front and back as the user sees them: rendered math (or the raw LaTeX), clozes masked on the front."""
    front = card.front if raw else card.front_text or card.front
    back = card.back if raw else card.back_text or card.back
    if card.kind != CardKind.CLOZE:
        return front, back
    if f"{{{{c{card.ord}::" not in front:
        front = card.front
    masked, shown = cloze_sides(front, card.ord)
    return masked, "\n\n".join(part for part in (shown, back) if part.strip())


def cloze_sides(text: str, number: int) -> tuple[str, str]:
    """Cloze ``number`` hidden (its hint, or …) and then revealed; the other deletions read as plain text."""
    hidden, revealed, pos = [], [], 0
    for cloze in deletions(text):
        answer, _, hint = text[cloze.body : cloze.end].partition("::")
        mine = cloze.number == number
        hidden.append(text[pos : cloze.start] + (f"[{hint or '…'}]" if mine else answer))
        revealed.append(text[pos : cloze.start] + (f"[{answer}]" if mine else answer))
        pos = cloze.end + 2
    hidden.append(text[pos:])
    revealed.append(text[pos:])
    return "".join(hidden), "".join(revealed)


@dataclass(frozen=True)
class Idle:
    """Why the queue is empty from the start: the next due day, if any, and whether unseen new cards wait."""

    next_due: date | None
    new_waiting: bool


def idle(store: Store, day: date, deck: str | None = None) -> Idle:
    """The facts the CLI words when there is nothing to review today."""
    return Idle(store.cards.next_due(day, deck), bool(store.cards.new(1, deck)))

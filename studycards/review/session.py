"""The daily review session: what each key does to the day's queue, and the summary.

Keys come from a callable, frames go to a display and time comes from a clock,
all passed in, so one engine serves a terminal, a pipe and the tests.  The queue
is built once and kept in memory; every grade is committed as it is given, so a
killed session loses at most the card on screen.
"""

# Annotations are evaluated here (no __future__ import): a NamedTuple compiles each string annotation, at start-up.
from collections.abc import Callable
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING, NamedTuple

from studycards.errors import BusyError, GradedElsewhere, StudycardsError
from studycards.models import CardFlags
from studycards.review.prepared import Prepared
from studycards.review.queue import Idle, Item, build_queue, cram_queue, idle, plan_queue
from studycards.review.records import Display, Frame, Habits, Summary
from studycards.review.reimport import reimport
from studycards.review.rules import graded
from studycards.review.rules import set_aside as aside_flags
from studycards.review.sides import card_sides, cloze_sides
from studycards.review.waiting import Waiting
from studycards.sm2 import needs_redrill, schedule
from studycards.store.database import Store

if TYPE_CHECKING:  # the grade's modules load once the first card is on screen
    from studycards.store.reviews import Looked

__all__ = [
    "Display",
    "Frame",
    "Habits",
    "Idle",
    "Item",
    "Session",
    "Summary",
    "build_queue",
    "card_sides",
    "cloze_sides",
    "idle",
]

REVEAL = (" ", "\n", "\r")
GRADES = "012345"
QUIT = ("q", "\x04")
SCROLL = ("up", "down", "pgup", "pgdn")
NO_FLAGS = CardFlags()
USUAL = Habits()


class Answer(NamedTuple):
    """One step of this session undo can take back: a grade, a practice grade, a suspension or a burial."""

    review_id: int
    item: Item
    grade: int
    redrill: bool
    new: bool
    again: Item | None
    flags: CardFlags = NO_FLAGS
    action: str = "grade"
    leech: bool = False
    event: str = ""


class _Shown:
    """What the card on screen shows (answer revealed, raw LaTeX), since when, and the notice under it.

    A plain class: dataclasses (with inspect behind it) is a millisecond of the start of a review."""

    __slots__ = ("at", "buried", "latex", "notice", "revealed")

    def __init__(self) -> None:
        self.revealed = self.latex = False
        self.at: datetime | None = None
        self.notice = ""
        self.buried = 0


class Session:
    """One review session over a store; :meth:`run` reads keys until the queue is done or the user quits.

    ``open_editor(path, line)`` is how ``e`` reaches the user's editor; without it ``e`` says so.
    With ``cram`` every live card comes up, due or not, and grades are logged as practice only.
    ``after_first_card`` is called once the first card is on screen: work the reader need not wait for.
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
        habits: Habits = USUAL,
        cram: bool = False,
        after_first_card: Callable[[], object] | None = None,
    ) -> None:
        self.store, self.day, self.clock, self.deck = store, day, clock, deck
        self.open_editor, self.habits, self.cram, self.new_limit = open_editor, habits, cram, new
        self._shown = _Shown()
        self._prepared = Prepared(store)
        self._looked: Looked | None = None  # not evaluated: an annotation in a function
        self._after_first = after_first_card
        if cram:
            items = cram_queue(store, day, deck, limit)
        else:
            items, self._shown.buried = plan_queue(store, day, deck, new, limit, habits.bury_siblings)
        self.queue = Waiting(items)
        self.answers: list[Answer] = []
        self.interrupted = False
        self._dirty = True

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
                if not self._end(keys, display):
                    return
                self.undo()
                continue
            self._present(display)
            if not self.handle(keys(), display):
                return

    def _end(self, keys: Callable[[], str], display: Display) -> bool:
        """The queue is done: what the last key did (a leech suspended, say) is never lost, and ``u``
        can still take it back (True). A terminal shows both within its rows, paged by the same keys
        as a tall card."""
        notice, self._shown.notice = self._shown.notice, ""
        if not self.answers:
            if notice:
                display.say(notice)
            return False
        prompt = "No more cards.  [u] undo   any other key: finish"
        display.end(notice, prompt)
        key = keys()
        while (key in SCROLL or key == " ") and display.scroll(key):
            key = keys()
        return key == "u"

    def handle(self, key: str, display: Display) -> bool:
        """Apply one key to the card in front; False means quit."""
        if (key in SCROLL or key == " ") and display.scroll(key):
            return True
        if key in QUIT:
            return False
        if key in REVEAL:
            if not self._shown.revealed:
                self._shown.revealed = self._dirty = True
        elif len(key) == 1 and key in GRADES:
            if self._shown.revealed:
                self._saving(display, lambda: self.grade(int(key)))
            else:
                display.say("Show the answer first: [space] or Enter.")
        elif key == "u":
            self._saving(display, self.undo)
        elif key == "s":
            self.queue.rotate(-1)
            self._next()
        elif key in ("!", "b") and not self.cram:
            self._saving(display, lambda: self.set_aside(key))
        elif key == "e":
            self.edit(display)
        elif key == "l":
            if self.frame().has_latex:
                self._shown.latex, self._dirty = not self._shown.latex, True
            else:
                display.say("This card has no LaTeX.")
        elif key and key != "\x1b" and key not in SCROLL:
            display.say(
                f"Unknown key {key!r}: space/Enter reveal, 0-5 grade, u undo, s skip, ! suspend, b bury,"
                " e edit, l LaTeX, q quit."
            )
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
        if self._shown.at is None:
            self._shown.at = self.clock()
        display.show(self.frame())
        self._dirty, self._shown.notice = False, ""
        if not self.answers:
            _ = self.store.reviews  # the first card is on screen: the grade's modules load while it is read
            if self._after_first is not None:  # and what else can wait for it
                after, self._after_first = self._after_first, None
                after()
        if self._shown.revealed:  # the answer is read now: the grade's read done and the next card made ready
            if not self.cram:
                self._looked = self.store.reviews.look(self.queue[0].card.id, self.day)
            if len(self.queue) > 1:  # its sides worked out and its front laid out (the counts above it come later)
                display.prepare(self._frame_of(self.queue[1], False, False, "", len(self.answers) + 2))

    def frame(self) -> Frame:
        shown = self._shown
        return self._frame_of(self.queue[0], shown.revealed, shown.latex, shown.notice, len(self.answers) + 1)

    def _frame_of(self, item: Item, revealed: bool, latex: bool, notice: str, position: int) -> Frame:
        card = item.card
        sides = self._prepared.sides(card, latex, revealed)
        schedules = revealed and not (item.redrill or self.cram)  # what each grade does is shown with the answer
        return Frame(
            context=sides.context,
            position=position,
            total=len(self.answers) + len(self.queue),
            front=sides.front,
            back=sides.back if revealed else None,
            redrill=item.redrill,
            latex=latex,
            has_latex=sides.has_latex,
            notice=notice,
            left=self.queue.left(),
            intervals=tuple(schedule(card.state, g, self.day).interval for g in range(6)) if schedules else (),
            marks=sides.marks,
            practice=self.cram,
        )

    def _next(self, notice: str = "") -> None:
        self._shown.revealed = self._shown.latex = False
        self._shown.at = None
        self._dirty = True
        self._shown.notice = notice

    def _answer_ms(self, at: datetime) -> int:
        return max(0, round((at - (self._shown.at or at)).total_seconds() * 1000))

    def grade(self, grade: int) -> None:
        """Only the day's first grade schedules; later ones are logged re-drills that leave the state alone.

        A first grade below 3 on a learned card is a lapse; the ``leech_lapses``-th makes the card a leech.
        """
        item = self.queue[0]
        if self.cram:
            self._practise(item, grade)
            return
        reviews = self.store.reviews
        with self.store.transaction():  # read the card where it is written: another session may have graded it
            found = reviews.find(item.card.id, self.day, self._looked)
            if found is None:
                raise StudycardsError(f"card {item.card.id} is no longer in the collection")
            first = not found.graded
            after, flags = graded(found.state, found.flags, grade, self.day, first=first, habits=self.habits)
            at = self.clock()
            logged = reviews.grade(item.card.id, grade, self.day, at, self._answer_ms(at), found, after, flags)
        self.queue.popleft()
        leech = flags.leech and not found.flags.leech
        again = None
        if needs_redrill(grade) and not flags.suspended:
            again = Item(item.card._replace(key=found.key, state=after, flags=flags), redrill=True)
            self.queue.append(again)
        new = first and found.state.is_new
        self.answers.append(
            Answer(logged.review_id, item, grade, not first, new, again, found.flags, "grade", leech, logged.event)
        )
        self._next(self._leech_notice(item.card.id, flags) if leech else "")

    def _leech_notice(self, card_id: int, flags: CardFlags) -> str:
        done = f"suspended (studycards unsuspend {card_id})" if flags.suspended else "tagged leech"
        return f"Leech: this card has lapsed {flags.lapses} times; {done}. Rewrite it in its notes?"

    def _practise(self, item: Item, grade: int) -> None:
        at = self.clock()
        practice_id = self.store.reviews.practise(item.card.id, grade, self.day, at, self._answer_ms(at))
        self.queue.popleft()
        again = Item(item.card, redrill=True) if needs_redrill(grade) else None
        if again is not None:
            self.queue.append(again)
        event = self.store.reviews.event_of("practice", practice_id) or ""
        self.answers.append(
            Answer(practice_id, item, grade, item.redrill, False, again, action="practice", event=event)
        )
        self._next()

    def set_aside(self, key: str) -> None:
        """``!`` suspends the card on screen, ``b`` buries it until tomorrow; both are undone like a grade."""
        item = self.queue[0]
        action = "suspend" if key == "!" else "bury"
        with self.store.transaction():
            card = self.store.cards.get(item.card.id) or item.card
            if key == "!":
                notice = f"Suspended card {card.id}: no session shows it until studycards unsuspend {card.id}."
            else:
                notice = f"Buried card {card.id} until tomorrow."
            event = self.store.events.record(action, card.id, self.clock(), self.day)
            self.store.cards.set_flags(card.id, aside_flags(card.flags, action, self.day))
        self.queue.popleft()
        self.answers.append(Answer(0, item, -1, item.redrill, False, None, card.flags, action, event=event))
        self._next(notice)

    def undo(self) -> None:
        """Take back the last step: the store restores the card and the log; the card comes back in front."""
        if not self.answers:
            self._next("Nothing to undo.")
            return
        answer = self.answers[-1]
        try:
            with self.store.transaction():
                if answer.action == "grade":
                    self.store.reviews.undo(answer.review_id, self.clock(), answer.event or None)
                elif answer.action == "practice":
                    self.store.reviews.unpractise(answer.review_id, self.clock(), answer.event or None)
                else:
                    self.store.events.record("undo", answer.item.card.id, self.clock(), self.day, ref=answer.event)
                if answer.action != "practice":
                    self.store.cards.set_flags(answer.item.card.id, answer.flags)
        except GradedElsewhere as exc:
            self.answers.pop()
            self._next(f"Not undone: {exc}.")
            return
        self.answers.pop()
        if answer.again is not None and answer.again in self.queue:
            self.queue.remove(answer.again)
        what = {"suspend": "suspended", "bury": "buried"}.get(answer.action, f"grade {answer.grade}")
        card = self.store.cards.get(answer.item.card.id)
        if card is None or card.retired:
            self._next(f"Undone: {what} (the card has since been retired).")
            return
        answer.item.card = card
        self.queue.appendleft(answer.item)
        self._next(f"Undone: {what}.")

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
        kept = Waiting()
        for item in self.queue:
            if item.card.source == source:
                fresh = self.store.cards.get(item.card.id)
                if fresh is None or fresh.retired:
                    continue
                item.card = fresh
            kept.append(item)
        self.queue = kept

    def summary(self, started: datetime) -> Summary:
        graded = [a for a in self.answers if a.action in ("grade", "practice")]
        first = [a for a in graded if not a.redrill and a.action == "grade"]
        grades = tuple(sum(1 for a in first if a.grade == g) for g in range(6))
        return Summary(
            day=self.day,
            reviewed=len(first),
            new=sum(1 for a in first if a.new),
            grades=grades,
            redrills=sum(1 for a in graded if a.redrill and a.action == "grade"),
            pending_redrills=0 if self.cram else sum(1 for i in self.queue if i.redrill),
            seconds=max(0, round((self.clock() - started).total_seconds())),
            due_tomorrow=self.store.cards.count_due(self.day + timedelta(days=1), self.deck),
            interrupted=self.interrupted,
            buried=self._shown.buried,
            leeches=tuple(a.item.card.id for a in self.answers if a.leech),
            suspended=sum(1 for a in self.answers if a.action == "suspend"),
            practice=sum(1 for a in graded if a.action == "practice"),
            new_waiting=0 if self.cram else self.store.counts.new_waiting(self.day, self.deck, self.new_limit),
            new_limit=self.new_limit,
            leech_action=self.habits.leech_action,
        )

"""Plain data shared by every layer: immutable records (NamedTuples, cheap to define at start-up) and identity."""

# Annotations are evaluated here (no __future__ import): a NamedTuple compiles each string annotation, at start-up.
from datetime import date
from typing import NamedTuple

KEY_VERSION = "k1"


def normalise(text: str) -> str:
    """Collapse whitespace so that re-wrapping a line never changes a card's identity.

    ``str.split`` cuts at the whitespace ``\\s`` matches (each run once, none at the ends): the same
    text as ``re.sub(r"\\s+", " ", text).strip()``, a quarter of the time (a test holds them equal).
    """
    return " ".join(text.split())


def card_key(note_key: str, ord_: int) -> str:
    """One card of a note: its key is the note's and the card's number (the side, or the cloze)."""
    return f"{note_key}#{ord_}"


class Note(NamedTuple):
    """One card-making item of a notes file; it yields one card per ``ords`` entry.

    ``identity`` is the deck, kind and normalised front: editing the back keeps the
    note (and its cards' history); editing the front makes a new one.  For cloze
    notes the front is the paragraph with its deletions masked, so fixing a typo in
    an answer keeps history too.

    ``starts`` is the schedule another tool already gave each card (an Obsidian
    spaced-repetition comment), in ``ords`` order; empty when there is none.  It
    is used only when the card is first added.
    """

    deck: str
    kind: str
    front: str
    back: str
    context: str
    source: str
    line: int
    tags: tuple[str, ...] = ()
    paper: str | None = None
    ords: tuple[int, ...] = (0,)
    identity: str = ""
    starts: "tuple[CardState, ...]" = ()

    @property
    def key(self) -> str:
        return f"{KEY_VERSION}:{self.kind}:{self.deck}:{self.identity or normalise(self.front)}"

    def card_key(self, ord_: int) -> str:
        return card_key(self.key, ord_)


class Question(NamedTuple):
    """An open research question noted while reading: not a card until answered."""

    deck: str
    text: str
    context: str
    source: str
    line: int
    paper: str | None = None

    @property
    def key(self) -> str:
        return f"{KEY_VERSION}:question:{self.deck}:{normalise(self.text)}"


class CardState(NamedTuple):
    """SM-2 state; ``ef`` is in exact hundredths (250 means 2.50)."""

    ef: int = 250
    repetitions: int = 0
    interval: int = 0
    due: date | None = None

    @property
    def is_new(self) -> bool:
        return self.due is None


class CardFlags(NamedTuple):
    """What sets a card aside from the queue, apart from its SM-2 state: undo restores both."""

    suspended: bool = False
    buried_until: date | None = None
    lapses: int = 0
    leech: bool = False


class Card(NamedTuple):
    """A stored card with its schedule, as review, list and export see it."""

    id: int
    key: str
    note_key: str
    deck: str
    kind: str
    ord: int
    front: str
    back: str
    context: str
    source: str
    line: int
    tags: tuple[str, ...] = ()
    paper: str | None = None
    paper_title: str | None = None
    retired: bool = False
    state: CardState = CardState()
    flags: CardFlags = CardFlags()


class Event(NamedTuple):
    """One thing a home did to a card, as the sync log carries it between homes (``studycards sync``).

    ``card`` is the card's key when it happened, never a row id: another home numbers its rows
    otherwise.  ``ref`` is the event an ``undo`` takes back, or the key a ``move`` gives the card.
    """

    device: str
    seq: int
    kind: str
    card: str
    at: str
    day: date
    grade: int | None = None
    ms: int = 0
    redrill: bool = False
    cram: bool = False
    ref: str | None = None

    @property
    def id(self) -> str:
        return f"{self.device}:{self.seq}"


class Paper(NamedTuple):
    """An arXiv paper's metadata, as stored after ``fetch``."""

    arxiv_id: str
    version: int | None
    title: str
    authors: tuple[str, ...] = ()
    abstract: str = ""
    published: str = ""
    updated: str = ""
    categories: tuple[str, ...] = ()
    doi: str | None = None
    journal_ref: str | None = None
    comment: str | None = None
    pdf_url: str | None = None
    code_links: tuple[str, ...] = ()


class Equation(NamedTuple):
    """A display equation of a paper, numbered as the PDF shows it (``None`` if unnumbered)."""

    latex: str
    file: str
    line: int
    environment: str
    number: str | None = None
    label: str | None = None
    section: str = ""
    intro: str = ""
    where: str = ""
    symbols: tuple[str, ...] = ()
    pretty: str | None = None

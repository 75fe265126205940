"""New cards as SQLite asks for them: their rows, their Anki identity, and whether they hold CJK.

Kept apart from ``cards`` (the table's reads and writes) so that each stays short.  ``Cards.insert`` takes
anything that reads as a :class:`NewCard`: the importer's own rows, written without first being made into a
``CardContent`` each (1.1 µs a card).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from operator import attrgetter
from typing import Protocol

from studycards.models import CardState
from studycards.store.sql import iso, stored_tags

INSERT_CARD = (  # the values follow, many rows to a statement (``sql.insert_rows``)
    "INSERT INTO cards (key, note_key, deck, kind, ord, front, back, context, tags, source, line, paper,"
    " ef, repetitions, interval, due, created_at, updated_at, anki_key)"
)
CARD_VALUES = INSERT_CARD.count(",") + 1  # a value a column named


class NewCard(Protocol):
    """What a new card's row is made of (``cards.CardContent``'s fields, read by name)."""

    @property
    def key(self) -> str: ...
    @property
    def note_key(self) -> str: ...
    @property
    def deck(self) -> str: ...
    @property
    def kind(self) -> str: ...
    @property
    def ord(self) -> int: ...
    @property
    def front(self) -> str: ...
    @property
    def back(self) -> str: ...
    @property
    def context(self) -> str: ...
    @property
    def tags(self) -> tuple[str, ...]: ...
    @property
    def source(self) -> str: ...
    @property
    def line(self) -> int: ...
    @property
    def paper(self) -> str | None: ...


_HEAD = attrgetter("key", "note_key", "deck", "kind", "ord", "front", "back", "context")  # the row's first columns
_TAIL = attrgetter("source", "line", "paper")  # after the tags


class AnkiKeys:
    """A new card's Anki identity (``anki_key``, see migration 9), card by card in the order they are written.

    It is its note's if a card of that note has one; else its note key, unless another note's identity
    already took that key, then the key and its own id (the next rowid: ids are never given by hand
    here).  Each card sees the cards written before it, stored or just written.  Pure: ``stored``
    hears what the store holds of each batch's notes.  (Set by the INSERT, this rule's look-ups needed
    two of the cards' indexes, which a first ``add`` builds only after its cards.)

    Only the unusual identities are kept, so memory stays flat however many cards come: a note whose
    card took its plain note key needs no record, since its next card reaches the same key by the
    same rule (no identity made since can equal that key, unless the key holds an ``@``: those are kept).
    """

    def __init__(self, first_id: int) -> None:
        self.next_id = first_id
        self.unusual: dict[str, str] = {}  # note key -> Anki key, for the notes whose key is not their note key
        self.made: set[str] = set()  # the ``key@id`` identities given here
        self.found: tuple[dict[str, str], set[str]] = ({}, set())

    def stored(self, found: tuple[dict[str, str], set[str]]) -> None:
        """What the store holds of the next batch's notes (``Cards._anki_keys_of``), cards written before included."""
        self.found = found

    def __call__(self, note_key: str) -> str:
        own, taken = self.found
        anki_key = self.unusual.get(note_key) or own.get(note_key)
        if anki_key is None:
            anki_key = note_key
            if note_key in taken or note_key in self.made:
                anki_key = f"{note_key}@{self.next_id}"
                self.made.add(anki_key)
            if anki_key != note_key or "@" in note_key:
                self.unusual[note_key] = anki_key
        self.next_id += 1
        return anki_key


def holds_cjk(cards: list[NewCard]) -> bool:
    """Whether the searched text of these cards (a front, a back, the heading path) holds a CJK character.

    Only text that is not ASCII can (``isascii`` is a flag Python keeps), and a file's cards share their
    heading paths: one search over all of a batch's text was 4 ms of 10,000 cards, most of it ASCII.
    """
    wide = {text for card in cards for text in (card.front, card.back, card.context) if not text.isascii()}
    if not wide:
        return False
    from studycards.store.search_schema import HOLDS_CJK

    return any(HOLDS_CJK.search(text) for text in wide)


def row_values(
    cards: Iterable[NewCard], stamp: str, starts: Mapping[str, CardState], identity: AnkiKeys
) -> Iterator[tuple]:
    """Each new card's row (CardContent's fields in order, tags as JSON, its Anki key last), made as SQLite
    asks for it: a dict per card cost 18 µs, a tuple about 2 µs; its columns are read by two ``attrgetter``."""
    tags_json: dict[tuple[str, ...], str] = {}  # a file's cards share their tags
    new = CardState()
    fresh = (new.ef, new.repetitions, new.interval, None, stamp, stamp)  # a new card's schedule and stamps
    for card in cards:
        tags = tags_json.get(card.tags)
        if tags is None:
            tags = tags_json[card.tags] = stored_tags(card.tags)
        state = starts.get(card.key) if starts else None
        schedule = (
            fresh if state is None else (state.ef, state.repetitions, state.interval, iso(state.due), stamp, stamp)
        )
        yield (*_HEAD(card), tags, *_TAIL(card), *schedule, identity(card.note_key))

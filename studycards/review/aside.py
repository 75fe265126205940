"""Setting cards aside outside a session: suspend (until unsuspended), bury (until the next study day)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime, time

from studycards.errors import StudycardsError
from studycards.models import Card
from studycards.review.rules import ASIDE as HOW
from studycards.review.rules import set_aside as aside_flags
from studycards.store.database import Store


def set_aside(store: Store, ids: Iterable[int], how: str, day: date, at: datetime | None = None) -> list[Card]:
    """Suspend, unsuspend or bury cards by id, all or none: one unknown id changes nothing.

    Unsuspending a leech keeps its tag and lapse count, so a second round of failures is seen at once.
    Each is logged for sync at ``at`` (the start of ``day`` if not given).
    """
    if how not in HOW:
        raise ValueError(f"how must be one of {HOW}, not {how!r}")
    wanted = list(dict.fromkeys(ids))
    with store.transaction():
        cards = [store.cards.get(card_id) for card_id in wanted]
        missing = [str(card_id) for card_id, card in zip(wanted, cards) if card is None]
        if missing:
            raise StudycardsError(f"no card with id {', '.join(missing)} (studycards list shows the ids)")
        done = []
        for card in cards:
            assert card is not None
            flags = aside_flags(card.flags, how, day)
            store.events.record(how, card.id, at or datetime.combine(day, time()), day)
            store.cards.set_flags(card.id, flags)
            done.append(card._replace(flags=flags))
    return done

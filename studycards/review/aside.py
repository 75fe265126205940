"""Setting cards aside outside a session: suspend (until unsuspended), bury (until the next study day)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, timedelta

from studycards.errors import StudycardsError
from studycards.models import Card
from studycards.store.database import Store

HOW = ("suspend", "unsuspend", "bury")


def set_aside(store: Store, ids: Iterable[int], how: str, day: date) -> list[Card]:
    """Suspend, unsuspend or bury cards by id, all or none: one unknown id changes nothing.

    Unsuspending a leech keeps its tag and lapse count, so a second round of failures is seen at once.
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
            if how == "bury":
                flags = card.flags._replace(buried_until=day + timedelta(days=1))
            else:
                flags = card.flags._replace(suspended=how == "suspend")
            store.cards.set_flags(card.id, flags)
            done.append(card._replace(flags=flags))
    return done

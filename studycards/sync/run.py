"""One sync: send this home's new events, receive the others', replay every card that gained events.

Receiving and replaying are one transaction: a sync that fails or is interrupted leaves the
store as it was, and the next one reads the same lines again (events are kept once, by id).
Events for cards this home does not have yet wait, and :func:`apply_pending` replays them
when ``add`` brings the card.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import NamedTuple

from studycards.errors import StudycardsError
from studycards.models import Card
from studycards.review.records import Habits
from studycards.store.database import Store
from studycards.store.events import FileMark
from studycards.sync import git
from studycards.sync.events import YEARS, BadEvent, decode, encode
from studycards.sync.folder import append, device_of, logs, read_on, rewrite, size
from studycards.sync.replay import identities, replay


class SyncReport(NamedTuple):
    """What a sync did: events sent, received per device, cards rescheduled, and what it could not read."""

    folder: str
    device: str
    sent: int
    received: dict[str, int]
    rescheduled: int
    waiting: int
    warnings: list[str]
    git: bool = False


def sync(
    store: Store,
    folder: Path,
    now: datetime,
    habits: Habits,
    *,
    use_git: bool = False,
    progress: Callable[[str], None] | None = None,
) -> SyncReport:
    """``studycards sync``: send, (with git: commit, pull, push), receive and replay."""
    if not folder.is_dir():
        raise StudycardsError(f"no sync folder {folder} (create it, or point sync_dir at one)")
    folder = folder.resolve()
    tell = progress or (lambda _: None)
    device = store.events.device()
    own = folder / f"{device}.jsonl"
    tell("sending")
    sent = send(store, folder, own)
    if use_git:
        tell("git")
        git.commit(folder, own, device)
        git.pull(folder)
        git.push(folder)
    tell("receiving")
    with store.transaction():
        received, warnings = receive(store, folder, own, now)
        tell("replaying")
        rescheduled, waiting = apply_pending(store, habits)
    return SyncReport(str(folder), device, sent, received, rescheduled, waiting, warnings, use_git)


def send(store: Store, folder: Path, own: Path) -> int:
    """Append this home's events not yet in its log; a log that is not as this home left it is written anew."""
    with store.transaction():
        mark = store.events.mark(str(folder), own.name)
        actual = size(own) or 0
        if actual == mark.offset:
            events = store.events.own_after(mark.seq)
            if events:
                store.events.set_mark(str(folder), own.name, append(own, map(encode, events), mark, events[-1].seq))
            return len(events)
        _refuse_a_second_writer(store, own)
        events = store.events.own_after(0)
        written = rewrite(own, map(encode, events), events[-1].seq if events else 0)
        store.events.set_mark(str(folder), own.name, written)
        return sum(1 for event in events if event.seq > mark.seq)


def _refuse_a_second_writer(store: Store, own: Path) -> None:
    """A log holding events of this device that this home never made: another home has the same id."""
    if not own.exists():
        return
    device = store.events.device()
    ours = {event.seq: encode(event) for event in store.events.own_after(0)}
    for number, text in read_on(own, FileMark()).lines:
        try:
            event = decode(text, datetime(YEARS[1], 1, 1))
        except BadEvent:
            continue
        if event.device == device and ours.get(event.seq) != text:
            raise StudycardsError(
                f"{own}:{number}: this log holds events this home never made: another home uses the same device"
                " id (was studycards.db copied from it?); nothing was sent"
            )


def receive(store: Store, folder: Path, own: Path, now: datetime) -> tuple[dict[str, int], list[str]]:
    """Read every other log on from where it stopped; a bad line is skipped with its ``FILE:LINE``."""
    received: dict[str, int] = {}
    warnings: list[str] = []
    for path in logs(folder):
        if path.name == own.name:
            continue
        device = device_of(path.name)
        chunk = read_on(path, store.events.mark(str(folder), path.name))
        events = []
        for number, text in chunk.lines:
            try:
                event = decode(text, now)
            except BadEvent as exc:
                warnings.append(f"{path}:{number}: {exc}; skipped")
                continue
            if event.device != device:
                warnings.append(f"{path}:{number}: an event of {event.device} in the log of {device}; skipped")
                continue
            events.append(event)
        for name, count in store.events.receive(events).items():
            received[name] = received.get(name, 0) + count
        store.events.set_mark(str(folder), path.name, chunk.mark)
    return received, warnings


def apply_pending(store: Store, habits: Habits) -> tuple[int, int]:
    """Replay every card here that has received events not applied yet; returns (cards rescheduled, cards waiting).

    A card is every key joined to it by moves; cards not in this home keep their events for later.
    """
    pending = store.events.pending_keys()
    if not pending:
        return 0, 0
    names = identities(store.events.moves())
    members: dict[str, set[str]] = {}
    for key, name in names.items():
        members.setdefault(name, set()).add(key)
    groups = {names.get(key, key): members.get(names.get(key, key), {key}) for key in pending}
    local = store.cards.by_keys(key for keys in groups.values() for key in keys)
    found: dict[int, tuple[Card, set[str]]] = {}
    waiting = 0
    for keys in groups.values():
        cards = sorted((local[key] for key in keys if key in local), key=lambda c: (c.retired, c.id))
        if not cards:
            waiting += 1
            continue
        found[cards[0].id] = (cards[0], keys)
    events = store.events.for_keys(key for _, keys in found.values() for key in keys)
    rescheduled = 0
    with store.transaction():
        for card, keys in found.values():
            state, flags = store.events.start(card.id) or (card.state, card.flags)
            result = replay(state, flags, (e for key in keys for e in events.get(key, ())), habits)
            store.events.keep_start(card.id, state, flags)
            if (result.state, result.flags) != (card.state, card.flags):
                rescheduled += 1
                store.cards.set_state(card.id, result.state)
                store.cards.set_flags(card.id, result.flags)
            store.events.rewrite_log(card.id, result.grades)
        store.events.mark_applied(key for _, keys in found.values() for key in keys)
    return rescheduled, waiting

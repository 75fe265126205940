"""One sync: send this home's new events, receive the others', replay every card that gained events.

Receiving and replaying are one transaction: a sync that fails or is interrupted leaves the
store as it was, and the next one reads the same lines again (events are kept once, by id).
Events for cards this home does not have yet wait, and :func:`apply_pending` replays them
when ``add`` brings the card.
"""

from __future__ import annotations

import gc
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import NamedTuple

from studycards.errors import StudycardsError
from studycards.models import Event
from studycards.review.records import Habits
from studycards.store.cards import CardSchedule
from studycards.store.database import Store
from studycards.store.events import FileMark
from studycards.sync import git
from studycards.sync.events import YEARS, BadEvent, decode, decode_lines, encode
from studycards.sync.folder import append, device_of, logs, read_on, rewrite, size
from studycards.sync.replay import identities, replay

CACHE_KIB = 64 * 1024


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
    with store.transaction(), _roomy_cache(store), _no_collector():
        received, warnings, keys, known = receive(store, folder, own, now)
        tell("replaying")
        rescheduled, waiting = apply_pending(store, habits, keys, known)
    return SyncReport(str(folder), device, sent, received, rescheduled, waiting, warnings, use_git)


@contextmanager
def _roomy_cache(store: Store) -> Iterator[None]:
    """A page cache of 64 MiB while a sync writes: a log of 100,000 events spreads its keys over an index too big
    for SQLite's 2 MiB default, and pages written out and read again cost a tenth of the sync's time."""
    (before,) = store.conn.execute("PRAGMA cache_size").fetchone()
    store.conn.execute(f"PRAGMA cache_size = -{CACHE_KIB}")
    try:
        yield
    finally:
        store.conn.execute(f"PRAGMA cache_size = {int(before)}")


@contextmanager
def _no_collector() -> Iterator[None]:
    """Python's cycle collector off while a sync makes its hundreds of thousands of events and grades (it makes no
    cycles): otherwise each collection walks every event made so far, a tenth of the sync's time."""
    was = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was:
            gc.enable()


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


class Known(NamedTuple):
    """Cards here already looked up (by id, with their keys) and every event under those keys: read once, not again."""

    cards: dict[int, tuple[set[str], CardSchedule]]
    keys: set[str]
    events: dict[str, list[Event]]


def receive(store: Store, folder: Path, own: Path, now: datetime) -> tuple[dict[str, int], list[str], set[str], Known]:
    """Read every other log on from where it stopped; a bad line is skipped with its ``FILE:LINE``.

    Returns the events new per device, the warnings, the card keys that gained events, and every
    event under the keys of cards here (read before the new ones join them, so that the replay
    need not read a hundred thousand events back).  Events whose card is here are kept as applied
    (the replay that follows in the same transaction applies them); the others wait for ``add``.
    """
    received: dict[str, int] = {}
    warnings: list[str] = []
    batches: list[tuple[str, str | None, list[Event], FileMark]] = []
    for path in logs(folder):
        if path.name == own.name:
            continue
        device = device_of(path.name)
        chunk = read_on(path, store.events.mark(str(folder), path.name))
        events, refused = decode_lines(chunk.lines, now, device)
        warnings.extend(f"{path}:{number}: {why}; skipped" for number, why in refused)
        batches.append((path.name, device, events, chunk.mark))
    keys = {event.card for _, _, events, _ in batches for event in events}
    moves = [(e.card, e.ref) for _, _, events, _ in batches for e in events if e.kind == "move" and e.ref]
    found = _cards(store, keys, moves)
    here = {key for keys_of_card, _ in found.values() for key in keys_of_card}
    known = Known(found, here, store.events.for_keys(here))
    for name, device, events, mark in batches:
        new = store.events.receive(events, here)
        grouped = known.events
        for event in new:
            card = event.card
            if card in here:
                try:
                    grouped[card].append(event)
                except KeyError:
                    grouped[card] = [event]
        if new and device:
            received[device] = received.get(device, 0) + len(new)
        store.events.set_mark(str(folder), name, mark)
    return received, warnings, keys, known


def _cards(
    store: Store, keys: Iterable[str], moves: Iterable[tuple[str, str]] = ()
) -> dict[int, tuple[set[str], CardSchedule]]:
    """The cards here that these keys name, each with every key moves join to it (by card id)."""
    names = identities([*store.events.moves(), *moves])
    members: dict[str, set[str]] = {}
    for key, name in names.items():
        members.setdefault(name, set()).add(key)
    groups = {names.get(key, key): members.get(names.get(key, key), {key}) for key in keys}
    local = store.cards.schedules_by_keys(key for group in groups.values() for key in group)
    found: dict[int, tuple[set[str], CardSchedule]] = {}
    for group in groups.values():
        if len(group) == 1:  # a key that never moved (most): its card, if here
            card = local.get(next(iter(group)))
            if card is not None:
                found[card.id] = (group, card)
            continue
        cards = sorted((local[key] for key in group if key in local), key=lambda c: (c.retired, c.id))
        if cards:
            found[cards[0].id] = (group, cards[0])
    return found


def apply_pending(
    store: Store, habits: Habits, keys: Iterable[str] = (), known: Known | None = None
) -> tuple[int, int]:
    """Replay every card here that gained events (``keys``) or has received events not applied yet.

    Returns (cards rescheduled, cards waiting: those with events kept for when ``add`` brings them).
    A card is every key joined to it by moves.  The cards and events ``known`` holds (a sync's
    receive looked them up) are taken as given, the rest read from the store.
    """
    pending = store.events.pending_keys()
    wanted = pending | set(keys)
    if not wanted:
        return 0, 0
    known = known or Known({}, set(), {})
    found = {**_cards(store, wanted - known.keys), **known.cards}
    reached = {key for group, _ in found.values() for key in group}
    waiting = len(identities_of(store, pending - reached))
    events = {**store.events.for_keys(reached - known.keys), **known.events}
    logs = {}
    changed = []
    with store.transaction():
        starts = store.events.starts(found)
        fresh = [(card.id, card.state, card.flags) for _, card in found.values() if card.id not in starts]
        store.events.keep_starts(fresh)  # a card's first events: its state until now is where replays begin
        starts.update((card_id, (state, flags)) for card_id, state, flags in fresh)
        for card_id in sorted(found):  # in id order: the cards' rows and their new log rows are written in order
            group, card = found[card_id]
            if len(group) == 1:  # a card whose key never moved: its events as they are
                mine = events.get(next(iter(group)), [])
            else:
                mine = [event for key in group for event in events.get(key, ())]
            result = replay(*starts[card.id], mine, habits)
            if (result.state, result.flags) != (card.state, card.flags):
                changed.append((card.id, result.state, result.flags))
            logs[card.id] = result.grades
        store.cards.set_schedules(changed)
        store.events.rewrite_logs(logs)
        store.events.mark_applied(pending & reached)
    return len(changed), waiting


def identities_of(store: Store, keys: set[str]) -> set[str]:
    """One name per card among ``keys`` (keys joined by moves count once)."""
    names = identities(store.events.moves())
    return {names.get(key, key) for key in keys}

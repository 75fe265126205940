"""The log's line format: one event as one JSON object on one line, and the checks a line from outside must pass.

A line from the sync folder is data from another machine (or a damaged file): it is
decoded, never evaluated, and refused with a reason unless every field is what its
kind needs.  The README's Sync section documents each field.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from datetime import date, datetime, timedelta

from studycards.models import Event

KINDS = ("grade", "undo", "suspend", "unsuspend", "bury", "move")
DEVICE = re.compile(r"[a-z0-9][a-z0-9-]{0,63}")
MAX_KEY = 10_000  # characters of a card key: far beyond any front
MAX_SECONDS = 86_400  # an answer taking longer than a day is no answer time
AHEAD = timedelta(days=1)  # how far another device's clock may run ahead of ours (a clock hours off is fine)
YEARS = (1900, 9000)


class BadEvent(ValueError):
    """A line that is not a valid event; its message says why, for a ``FILE:LINE`` warning."""


def encode(event: Event) -> str:
    """One line of JSON (no newline): the fields of the event's kind, in a fixed order."""
    doc: dict[str, object] = {"id": event.id, "kind": event.kind, "card": event.card, "at": event.at}
    doc["day"] = event.day.isoformat()
    if event.kind == "grade":
        doc.update(grade=event.grade, seconds=event.ms / 1000, redrill=event.redrill, cram=event.cram)
    elif event.kind == "undo":
        doc["undoes"] = event.ref
    elif event.kind == "move":
        doc["to"] = event.ref
    return json.dumps(doc, ensure_ascii=False, separators=(",", ":"))


# A grade exactly as :func:`encode` writes it (a key with nothing to unescape, a real time of day): most lines.
GRADE_LINE = re.compile(
    r'\{"id":"([a-z0-9][a-z0-9-]{0,63}):([1-9][0-9]{0,17})","kind":"grade","card":"([^"\\\x00-\x1f]+)",'
    r'"at":"(([0-9]{4}-[0-9]{2}-[0-9]{2})T(?:[01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9]\.[0-9]{3})",'
    r'"day":"([0-9]{4}-[0-9]{2}-[0-9]{2})","grade":([0-5]),"seconds":((?:0|[1-9][0-9]{0,4})(?:\.[0-9]{1,17})?),'
    r'"redrill":(true|false),"cram":(true|false)\}'
)
_new = tuple.__new__  # an Event made from its fields' tuple at once: the class's own __new__ is a Python call per line
_GRADES = {str(grade): grade for grade in range(6)}


def decode(line: str, now: datetime) -> Event:
    """The event a line holds, or :class:`BadEvent`; ``now`` is this machine's clock, for the sanity of times."""
    events, refused = decode_lines([(1, line)], now)
    if refused:
        raise BadEvent(refused[0][1])
    return events[0]


def decode_lines(
    lines: Iterable[tuple[int, str]], now: datetime, device: str | None = None
) -> tuple[list[Event], list[tuple[int, str]]]:
    """The events of numbered lines, and the lines refused with the reason (``device``: the only one a log may hold).

    A sync may read a hundred thousand lines: a grade as :func:`encode` writes it is matched by one
    pattern and its few remaining checks made here, each pair of dates checked once per log (moments
    in the one form compare as text); any line it does not take, or whose value is in doubt, goes
    through :func:`careful_decode`, which says why a bad one is bad.
    """
    limit = (now + AHEAD).isoformat(timespec="milliseconds")
    match = GRADE_LINE.fullmatch
    studied_on: dict[tuple[str, str], date | None] = {}  # (date of the moment, day) -> the study day, None if refused
    events: list[Event] = []
    refused: list[tuple[int, str]] = []
    keep = events.append
    for number, line in lines:
        found = match(line)
        if found is not None:
            who, seq, card, at, on, day, grade, seconds, redrill, cram = found.groups()
            try:
                studied = studied_on[on, day]
            except KeyError:
                studied = studied_on.setdefault((on, day), _study_day(on, day))
            spent = float(seconds)
            if (
                studied is not None
                and at <= limit
                and spent <= MAX_SECONDS
                and len(card) <= MAX_KEY
                and card.strip()
                and (device is None or who == device)
            ):
                keep(_new(Event, (who, int(seq), "grade", card, at, studied, _GRADES[grade], round(spent * 1000),
                                  redrill == "true", cram == "true", None)))  # fmt: skip
                continue
        try:
            event = careful_decode(line, now)
        except BadEvent as exc:
            refused.append((number, str(exc)))
            continue
        if device is not None and event.device != device:
            refused.append((number, f"an event of {event.device} in the log of {device}"))
            continue
        keep(event)
    return events, refused


def _study_day(on: str, day: str) -> date | None:
    """The study day ``day`` if both dates are real, ``on`` (a moment's date) is it or the next, in sane years."""
    try:
        dated, studied = date.fromisoformat(on), date.fromisoformat(day)
    except ValueError:
        return None
    if not 0 <= dated.toordinal() - studied.toordinal() <= 1 or not YEARS[0] <= dated.year <= YEARS[1]:
        return None
    return studied


def careful_decode(line: str, now: datetime) -> Event:
    """:func:`decode` for any line: parsed as JSON, each field checked, a bad one refused with the reason."""
    try:
        doc = json.loads(line)
    except (ValueError, RecursionError):
        raise BadEvent("not a JSON event") from None
    if type(doc) is not dict:
        raise BadEvent("not a JSON object")
    get = doc.get
    device, seq = _id(get("id"))
    kind = get("kind")
    if kind not in KINDS or type(kind) is not str:
        raise BadEvent(f"unknown kind {str(kind)[:40]!r} (known: {', '.join(KINDS)})")
    card = get("card")
    if type(card) is not str or len(card) > MAX_KEY or not card.strip():
        raise BadEvent("card must be a card key")
    at, day = _times(get("at"), get("day"), now)
    if kind == "grade":
        grade = get("grade")
        if type(grade) is not int or not 0 <= grade <= 5:
            raise BadEvent(f"grade must be a whole number from 0 to 5, not {str(grade)[:20]}")
        seconds = get("seconds", 0)
        if type(seconds) not in (int, float) or not 0 <= seconds <= MAX_SECONDS:
            raise BadEvent(f"seconds must be a number from 0 to {MAX_SECONDS}")
        redrill, cram = get("redrill", False), get("cram", False)
        if type(redrill) is not bool or type(cram) is not bool:
            raise BadEvent("redrill and cram must be true or false")
        return Event(device, seq, kind, card, at, day, grade, round(seconds * 1000), redrill, cram, None)
    ref = None
    if kind == "undo":
        ref = get("undoes")
        _id(ref, "undoes")
    elif kind == "move":
        ref = get("to")
        if type(ref) is not str or len(ref) > MAX_KEY or not ref.strip():
            raise BadEvent("to must be a card key")
    return Event(device, seq, kind, card, at, day, None, 0, False, False, ref)


_DEVICES: set[str] = set()  # device names already checked: a log repeats one name on every line


def _id(value: object, name: str = "id") -> tuple[str, int]:
    """``device:sequence``: a device of lower-case letters, digits and dashes, and a positive whole number."""
    if type(value) is str:
        device, _, seq = value.rpartition(":")
        if (device in _DEVICES or DEVICE.fullmatch(device)) and seq.isdigit() and seq.isascii() and len(seq) < 19:
            number = int(seq)
            if number > 0:
                _DEVICES.add(device)
                return device, number
    raise BadEvent(f"{name} must be DEVICE:NUMBER, not {str(value)[:40]!r}")


def _times(at: object, day: object, now: datetime) -> tuple[str, date]:
    """A moment (in one precision, so that moments sort as text) and its study day.

    Both must be real dates, the day the moment's date or the one before (a day may start at any hour), and the
    moment not more than a day ahead of this machine's clock: a device a few hours off is still believed.
    """
    try:
        if type(at) is not str or type(day) is not str:
            raise ValueError
        moment = datetime.fromisoformat(at)
        studied = date.fromisoformat(day)
    except ValueError:
        raise BadEvent("at and day must be an ISO date-time and an ISO date") from None
    if moment.tzinfo is not None or not YEARS[0] <= moment.year <= YEARS[1]:
        raise BadEvent(f"at is not a sane local time: {at[:40]!r}")
    if moment > now + AHEAD:
        raise BadEvent(f"at {at[:40]} is more than a day ahead of this machine's clock")
    if not 0 <= moment.toordinal() - studied.toordinal() <= 1:
        raise BadEvent(f"day {day} is not the study day of {at[:40]}")
    if len(at) != CANONICAL or at[10] != "T" or at[19] != ".":  # put in the one form moments are compared in
        at = moment.isoformat(timespec="milliseconds")
    return at, studied


CANONICAL = len("2026-11-23T09:00:00.000")

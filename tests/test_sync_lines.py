"""A log line is read the same whichever way it is read: the quick pattern for grades as sync writes them, or JSON.

The quick path takes a line only when every field is as :func:`encode` writes it and hands
anything in doubt to the careful decoder; here lines near every edge of every check (and lines
written with other spacing, escapes or field order) must give the same event, or the same
reason for refusing it, from both.
"""

from __future__ import annotations

import json
from datetime import date, datetime, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from studycards.models import Event
from studycards.sync.events import BadEvent, careful_decode, decode, decode_lines, encode

NOW = datetime(2026, 11, 23, 9, 0)
EDGES = {  # per field, values at or past the edge of its check, and other spellings of good ones
    "id": ["Laptop:1", "bad_name:1", "x" * 65 + ":1", "-a:1", ":1", "a:0", "a:007", "a:" + "9" * 19, "a:-1", "a:٣", 5],
    "card": ["   ", "", 'say "hi"#0', "back\\slash", "tab\there", "k" * 10_001, "k" * 10_000, None],
    "at": ["2026-11-23T09:00:00", "2026-11-23T24:00:00.000", "2026-11-23T23:59:60.000", "1899-12-31T08:00:00.000",
           "2026-02-30T08:00:00.000", "2026-11-23T09:00:00.000+01:00", "2026-11-23 09:00:00.000",
           "2026-11-24T09:00:00.000", "2026-11-24T09:00:00.001", "9001-01-01T00:00:00.000"],
    "day": ["2026-11-20", "2026-11-21", "2026-11-24", "2026-11-25", "2026-13-01", "20261123", "2026-11-23T00:00", 3],
    "grade": [6, -1, True, 2.0, "3", None],
    "seconds": [0, 3, 86_400, 86_400.0004, 86_400.001, -0.0, -1, 1e-05, 2.5e3, 1e20, True, "3", 0.1 + 0.2],
    "redrill": [0, 1, None, "true"],
    "cram": [0, None],
    "kind": ["undo", "Grade", ""],
}  # fmt: skip


@st.composite
def grade_lines(draw) -> str:
    """A valid grade, or one with one field at an edge, written as sync writes it or in another JSON spelling."""
    moment = draw(st.datetimes(datetime(2026, 11, 20), NOW + timedelta(days=1)))
    day = moment.date() - timedelta(days=draw(st.integers(0, 1)))
    doc = {
        "id": f"{draw(st.sampled_from(['laptop-0a1b2c', 'a', '9-x', 'x' * 64]))}:{draw(st.integers(1, 10**18 - 1))}",
        "kind": "grade",
        "card": draw(st.one_of(st.just("k1:basic:Papers::Adam:What does Adam keep?#0"), st.text(min_size=1))),
        "at": moment.isoformat(timespec="milliseconds"),
        "day": day.isoformat(),
        "grade": draw(st.integers(0, 5)),
        "seconds": draw(st.one_of(st.integers(0, 86_400), st.floats(0, 86_400))) / draw(st.sampled_from([1, 1000])),
        "redrill": draw(st.booleans()),
        "cram": draw(st.booleans()),
    }
    field = draw(st.sampled_from([None, None, *EDGES]))
    if field:
        edged(doc, field, draw(st.sampled_from(EDGES[field])))
    return written(doc, draw(st.sampled_from(["canonical", "canonical", "spaced", "ascii", "reordered"])))


def edged(doc: dict, field: str, value: object) -> dict:
    doc[field] = value
    if field == "at" and isinstance(value, str):
        doc["day"] = value[:10]  # so that the moment's own check is the one that counts
    return doc


def written(doc: dict, style: str) -> str:
    if style == "reordered":
        doc = dict(reversed(doc.items()))
    spaced = style == "spaced"
    return json.dumps(doc, ensure_ascii=style == "ascii", separators=(", ", ": ") if spaced else (",", ":"))


def outcome(line: str, read) -> Event | str:
    try:
        return read(line, NOW)
    except BadEvent as exc:
        return f"refused: {exc}"


@settings(max_examples=500, deadline=None)
@given(grade_lines())
def test_a_grade_line_reads_the_same_by_the_quick_path_and_by_json(line):
    assert outcome(line, decode) == outcome(line, careful_decode)


def test_every_edge_of_every_check_reads_the_same_by_both():
    good = {"id": "laptop-0a1b2c:12", "kind": "grade", "card": "k1:basic:Deck:Q?#0", "at": "2026-11-23T08:00:00.000"}
    good.update(day="2026-11-23", grade=4, seconds=3.2, redrill=False, cram=False)
    lines = [written(edged(dict(good), field, value), "canonical") for field in EDGES for value in EDGES[field]]
    lines += [written(dict(good), "canonical"), written(edged(dict(good), "day", "2026-11-22"), "canonical")]
    read = {line: (outcome(line, decode), outcome(line, careful_decode)) for line in lines}
    assert {line: quick for line, (quick, _) in read.items()} == {line: careful for line, (_, careful) in read.items()}
    assert sum(not isinstance(quick, str) for quick, _ in read.values()) > 10  # good lines among them, not all refused


def test_the_lines_sync_writes_are_read_back_as_the_events_they_were():
    moment = NOW - timedelta(hours=2)
    events = [
        Event("laptop-0a1b2c", 7, "grade", "k1:basic:Papers::Adam:What does Adam keep?#0", moment.isoformat(
            timespec="milliseconds"), date(2026, 11, 23), 4, 3200, False, False, None),
        Event("laptop-0a1b2c", 8, "grade", "k1:cloze:Deck:{{c1::x}} é#1", "2026-11-23T01:30:00.000",
              date(2026, 11, 22), 0, 0, True, True, None),
        Event("laptop-0a1b2c", 9, "undo", "k1:basic:Deck:Q#0", "2026-11-23T01:31:00.000", date(2026, 11, 22),
              ref="laptop-0a1b2c:8"),
    ]  # fmt: skip
    assert [decode(encode(event), NOW) for event in events] == events


def test_a_log_refuses_the_events_of_another_device_by_either_path():
    moment, day = "2026-11-23T08:00:00.000", date(2026, 11, 23)
    mine = Event("laptop-0a1b2c", 1, "grade", "k1:basic:Deck:Q#0", moment, day, 4, 3200)
    theirs = encode(mine._replace(device="desk-1"))
    lines = [encode(mine), theirs, json.dumps(json.loads(theirs), separators=(", ", ": ")), "{"]
    events, refused = decode_lines(enumerate(lines, 1), NOW, "laptop-0a1b2c")
    assert events == [mine]
    assert refused == [
        (2, "an event of desk-1 in the log of laptop-0a1b2c"),
        (3, "an event of desk-1 in the log of laptop-0a1b2c"),
        (4, "not a JSON event"),
    ]

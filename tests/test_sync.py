"""Sync through a folder: two homes on the same notes end with one history, whatever the order they sync in.

Every home is a real studycards home driven through the CLI; the sync folder is a real folder
whose files the tests read, cut short, damage and copy as a sync tool or a crash would.
"""

from __future__ import annotations

import json
import sqlite3
from contextlib import closing
from datetime import date, datetime
from pathlib import Path

import pytest

from studycards.models import CardState
from studycards.sm2 import schedule

NOTES = """# Sync deck

What replaces recurrence in the Transformer? :: Self-attention
What does Adam keep per parameter? :: Two moving averages
What does a residual block add? :: Its input
"""
DAY1 = "2026-11-23T09:00:00"
DAY2 = "2026-11-24T09:00:00"


@pytest.fixture
def world(tmp_path: Path, cli):
    """Homes A, B (and a reference C) with the same notes, and one sync folder."""
    notes = tmp_path / "notes" / "sync.md"
    notes.parent.mkdir()
    notes.write_text(NOTES, encoding="utf-8")
    folder = tmp_path / "Sync"
    folder.mkdir()

    class World:
        def __init__(self) -> None:
            self.notes, self.folder = notes, folder

        def home(self, name: str) -> Path:
            return tmp_path / name

        def run(self, name: str, *args: str | Path, now: str = DAY1, ok: bool = True):
            result = cli("--home", self.home(name), *args, now=now)
            if ok:
                assert result.exit_code == 0, result.output
            return result

        def add(self, name: str, now: str = DAY1):
            return self.run(name, "add", self.notes, now=now)

        def review(self, name: str, keys: str, now: str = DAY1, *more: str):
            return cli("--home", self.home(name), "review", *more, input=keys, now=now)

        def sync(self, name: str, now: str = DAY1, *more: str):
            return self.run(name, "sync", self.folder, *more, now=now)

        def cards(self, name: str) -> list[dict]:
            return json.loads(self.run(name, "list", "--json", "--retired").stdout)["cards"]

        def history(self, name: str, card: int) -> list[dict]:
            return json.loads(self.run(name, "show", str(card), "--json").stdout)["reviews"]

        def log(self, name: str) -> Path:
            (path,) = [p for p in folder.iterdir() if p.name == f"{self.device(name)}.jsonl"]
            return path

        def device(self, name: str) -> str:
            with closing(sqlite3.connect(self.home(name) / "studycards.db")) as conn:
                return conn.execute("SELECT device FROM sync_device").fetchone()[0]

    return World()


def everything(world, name: str) -> tuple[list[dict], list[list[dict]]]:
    cards = world.cards(name)
    return cards, [world.history(name, card["id"]) for card in cards]


def test_two_homes_end_with_the_history_one_home_given_all_the_grades_would_have(world):
    for name in "ABC":
        world.add(name)
    day1 = "\n5\n\n3\n\n4\n\n4\n"  # 5, 3, 4, then the card graded 3 comes back and gets a 4
    day2 = "\n4\n\n2\n\n5\n\n5\n"
    assert world.review("A", day1).exit_code == 0
    sent = world.sync("A")
    assert "sent 4 events, received 0 events" in sent.stdout
    received = world.sync("B", DAY2)
    assert f"received 4 events (4 from {world.device('A')})" in received.stdout
    assert "Rescheduled 3 cards." in received.stdout
    assert world.review("B", day2, DAY2).exit_code == 0
    world.sync("B", DAY2)
    assert "Rescheduled 3 cards." in world.sync("A", DAY2).stdout

    assert world.review("C", day1).exit_code == 0
    assert world.review("C", day2, DAY2).exit_code == 0
    reference = everything(world, "C")
    assert everything(world, "A") == reference
    assert everything(world, "B") == reference
    assert [len(h) for h in reference[1]] == [2, 4, 2]  # every grade of both days, re-drills included


def test_syncing_twice_changes_nothing(world, rows):
    for name in "AB":
        world.add(name)
    world.review("A", "\n5\n\n2\n\n4\n")
    world.sync("A")
    world.sync("B")
    again = [world.sync(name) for name in "AB"]
    for result in again:
        assert "sent 0 events, received 0 events" in result.stdout and "Rescheduled 0 cards." in result.stdout
    tables = [world.run(n, "list", "--json").stdout + str([world.history(n, i) for i in (1, 2, 3)]) for n in "AB"]
    world.sync("B")
    assert tables[1] == world.run("B", "list", "--json").stdout + str([world.history("B", i) for i in (1, 2, 3)])
    assert tables[0] == tables[1]


def test_the_same_card_graded_on_two_homes_the_same_day_is_scheduled_by_the_earlier_grade(world):
    for name in "AB":
        world.add(name)
    world.review("A", "\n5\n", "2026-11-23T09:00:00", "--new", "1")
    world.review("B", "\n3\n\n4\n", "2026-11-23T10:00:00", "--new", "1")  # later, on the other machine
    world.sync("A", "2026-11-23T10:05:00")
    world.sync("B", "2026-11-23T10:06:00")
    world.sync("A", "2026-11-23T10:07:00")
    first = schedule(CardState(), 5, date(2026, 11, 23))
    for name in "AB":
        card = world.cards(name)[0]
        assert (card["ef"], card["repetitions"], card["interval"], card["due"]) == (2.6, 1, 1, first.due.isoformat())
        history = world.history(name, 1)
        assert [(g["at"][11:16], g["grade"], g["redrill"]) for g in history] == [
            ("09:00", 5, False),
            ("10:00", 3, True),
            ("10:00", 4, True),
        ]
    assert world.cards("A") == world.cards("B")


def lines_of(path: Path) -> list[str]:
    return path.read_text(encoding="utf-8").splitlines()


def test_a_torn_last_line_waits_for_the_next_sync(world, tmp_path):
    for name in "AB":
        world.add(name)
    world.review("A", "\n5\n\n5\n\n5\n")
    world.sync("A")
    whole = world.log("A").read_bytes()
    arriving = tmp_path / "arriving"
    arriving.mkdir()
    copy = arriving / world.log("A").name
    copy.write_bytes(whole[:-20])  # the sync tool has not brought the end of the last line yet
    first = world.run("B", "sync", arriving)
    assert "received 2 events" in first.stdout and first.stderr == ""
    copy.write_bytes(whole)
    second = world.run("B", "sync", arriving)
    assert "received 1 event " in second.stdout and second.stderr == ""
    assert world.cards("B") == world.cards("A")


def synced_log(world, keys: str) -> Path:
    """Homes A and B with the same notes and A's grades (``keys``, a review's input) synced: A's log file."""
    for name in "AB":
        world.add(name)
    world.review("A", keys)
    world.sync("A")
    return world.log("A")


def test_a_damaged_line_in_the_middle_is_skipped_with_its_file_and_line(world):
    log = synced_log(world, "\n5\n\n5\n\n5\n")
    lines = lines_of(log)
    log.write_text("\n".join([lines[0], lines[1][:15] + "#garbage", lines[2]]) + "\n", encoding="utf-8")
    result = world.sync("B")
    assert result.stderr == f"{log}:2: not a JSON event; skipped\n"
    assert "received 2 events" in result.stdout and "Skipped 1 bad line (listed above)." in result.stdout
    assert [c["repetitions"] for c in world.cards("B")] == [1, 0, 1]
    assert world.sync("B").stderr == ""  # said once: the line was read


def test_a_line_of_broken_utf8_is_skipped_with_its_line_and_the_lines_around_it_are_read(world):
    """The log is decoded whole: bytes that are not UTF-8 spoil only their own line, and lines keep their numbers."""
    log = synced_log(world, "\n5\n\n5\n\n5\n")
    lines = log.read_bytes().split(b"\n")
    log.write_bytes(b"\n".join([lines[0], lines[1][:40] + b"\xff\xfe" + lines[1][40:] + b"\xc3", lines[2], b""]))
    result = world.sync("B")
    assert result.stderr == f"{log}:2: not a JSON event; skipped\n"
    assert "received 2 events" in result.stdout
    assert [c["repetitions"] for c in world.cards("B")] == [1, 0, 1]


def test_a_conflict_copy_is_read_too_and_its_events_kept_once(world):
    log = synced_log(world, "\n5\n\n4\n")
    early = lines_of(log)
    world.review("A", "\n5\n", DAY1)
    world.sync("A")
    # the sync tool kept an older copy beside the newer file, and another copy with one more line
    (world.folder / f"{log.stem}.sync-conflict-20261123-093000-ABCDEFG.jsonl").write_text(
        "\n".join(early) + "\n", encoding="utf-8"
    )
    newer = lines_of(log)
    log.write_text("\n".join(newer[:2]) + "\n", encoding="utf-8")
    (world.folder / f"{log.stem} (1).jsonl").write_text("\n".join(newer) + "\n", encoding="utf-8")
    result = world.sync("B")
    assert "received 3 events" in result.stdout and result.stderr == ""
    assert [c["repetitions"] for c in world.cards("B")] == [1, 1, 1]


def test_a_log_holding_an_event_twice_keeps_it_once(world):
    """A sync tool that wrote a line twice into one file: the event counts once (all the others are new)."""
    log = synced_log(world, "\n5\n\n4\n")
    lines = lines_of(log)
    log.write_text("\n".join([*lines, lines[0]]) + "\n", encoding="utf-8")
    result = world.sync("B")
    assert f"received 2 events (2 from {world.device('A')})" in result.stdout and result.stderr == ""
    assert [c["repetitions"] for c in world.cards("B")] == [1, 1, 0]
    assert [len(world.history("B", c["id"])) for c in world.cards("B")] == [1, 1, 0]


def test_a_device_whose_clock_is_3_hours_off_is_believed(world):
    for name in "AB":
        world.add(name)
    world.review("B", "\n3\n\n4\n", "2026-11-23T12:30:00", "--new", "1")  # B's clock runs 3 hours ahead
    world.review("A", "\n5\n", "2026-11-23T10:00:00", "--new", "1")
    result = world.sync("B", "2026-11-23T12:40:00")
    world.sync("A", "2026-11-23T09:45:00")  # B's events are nearly 3 hours in A's future
    world.sync("B", "2026-11-23T12:50:00")
    assert "received 0 events" in result.stdout
    assert world.run("A", "sync", world.folder, now="2026-11-23T09:46:00").stderr == ""
    for name in "AB":
        assert [(g["grade"], g["redrill"]) for g in world.history(name, 1)] == [(5, False), (3, True), (4, True)]
    assert world.cards("A") == world.cards("B")


def test_bad_events_are_skipped_each_with_its_file_and_line(world):
    world.add("A")
    device = world.device("A")
    good = {"kind": "grade", "card": "k1:basic:Sync deck:x#0", "at": "2026-11-23T08:00:00", "day": "2026-11-23"}
    good.update(grade=4, seconds=2.5, redrill=False, cram=False)
    bad = [
        {**good, "grade": 7},
        {**good, "grade": True},
        {**good, "kind": "explode"},
        {**good, "at": "2026-11-29T08:00:00", "day": "2026-11-29"},  # days ahead of this machine
        {**good, "day": "2026-11-20"},
        {**good, "id": "nobody:1"},
        {**good, "id": "other-1:0"},
        {**good, "seconds": -1},
        {"kind": "undo", **{k: good[k] for k in ("card", "at", "day")}, "undoes": "__import__('os')"},
        [1, 2],
    ]
    lines = [
        json.dumps({"id": f"other-1:{n}", **e} if isinstance(e, dict) and "id" not in e else e)
        for n, e in enumerate(bad, 1)
    ]
    lines.append(json.dumps({"id": f"other-1:{len(bad) + 1}", **good}))
    log = world.folder / "other-1.jsonl"
    log.write_text("\n".join(lines) + "\n", encoding="utf-8")
    result = world.sync("A")
    assert result.stderr.splitlines() == [
        f"{log}:1: grade must be a whole number from 0 to 5, not 7; skipped",
        f"{log}:2: grade must be a whole number from 0 to 5, not True; skipped",
        f"{log}:3: unknown kind 'explode' (known: grade, undo, suspend, unsuspend, bury, move); skipped",
        f"{log}:4: at 2026-11-29T08:00:00 is more than a day ahead of this machine's clock; skipped",
        f"{log}:5: day 2026-11-20 is not the study day of 2026-11-23T08:00:00; skipped",
        f"{log}:6: an event of nobody in the log of other-1; skipped",
        f"{log}:7: id must be DEVICE:NUMBER, not 'other-1:0'; skipped",
        f"{log}:8: seconds must be a number from 0 to 86400; skipped",
        f"{log}:9: undoes must be DEVICE:NUMBER, not \"__import__('os')\"; skipped",
        f"{log}:10: not a JSON object; skipped",
    ]
    assert "received 1 event (1 from other-1)" in result.stdout
    assert "Kept the grades of 1 card not in this home yet" in result.stdout
    assert device != "other-1"


def test_grades_for_cards_not_here_yet_are_applied_when_add_brings_them(world, tmp_path):
    more = tmp_path / "notes" / "more.md"
    more.write_text("# Later deck\n\nWhat is a GAN? :: Two networks in a game\n", encoding="utf-8")
    world.add("A")
    world.run("A", "add", more)
    world.review("A", "\n5\n\n5\n\n5\n\n4\n")
    world.sync("A")
    world.add("B")
    result = world.sync("B")
    assert "Kept the grades of 1 card not in this home yet: add their notes." in result.stdout
    added = world.run("B", "add", more)
    assert "Rescheduled 1 card from grades synced from other machines." in added.stdout
    assert world.cards("B") == world.cards("A")
    assert "Kept" not in world.sync("B").stdout


def test_a_deck_renamed_on_one_home_still_gets_the_grades_of_the_other(world):
    for name in "AB":
        world.add(name)
    world.review("A", "\n5\n\n5\n\n5\n")
    renamed = NOTES.replace("# Sync deck", "---\ndeck: Renamed\n---\n# Sync deck")
    world.notes.write_text(renamed, encoding="utf-8")
    assert "moved" in world.add("A", DAY2).stdout.lower()
    world.review("A", "\n4\n\n4\n\n4\n", DAY2)  # graded under the new keys
    world.sync("A", DAY2)
    world.notes.write_text(NOTES, encoding="utf-8")
    world.sync("B", DAY2)  # B still has the old deck: the move joins the keys
    b = world.cards("B")
    assert [(c["deck"], c["repetitions"]) for c in b] == [("Sync deck", 2)] * 3
    a = world.cards("A")
    same = {"deck": "", "line": 0}  # the renamed notes have front matter above the cards
    assert [{**c, **same} for c in a] == [{**c, **same} for c in b]


def test_a_lost_own_log_is_written_again_whole(world):
    log = synced_log(world, "\n5\n\n5\n")
    log.unlink()
    result = world.sync("A")
    assert "sent 0 events" in result.stdout and len(lines_of(log)) == 2
    world.sync("B")
    assert world.cards("B") == world.cards("A")


def test_two_homes_with_one_device_id_are_refused_before_either_log_is_lost(world, tmp_path):
    world.add("A")
    world.review("A", "\n5\n")
    copied = world.home("A2")
    copied.mkdir()
    (copied / "studycards.db").write_bytes((world.home("A") / "studycards.db").read_bytes())
    world.sync("A2")
    world.review("A2", "\n4\n", DAY1)
    world.sync("A2")
    before = world.log("A").read_bytes()
    world.review("A", "\n3\n", DAY1)
    result = world.run("A", "sync", world.folder, ok=False)
    assert result.exit_code == 1
    assert "another home uses the same device id (was studycards.db copied from it?); nothing was sent" in result.stderr
    assert world.log("A").read_bytes() == before


def test_sync_needs_a_folder(world, tmp_path):
    world.add("A")
    result = world.run("A", "sync", ok=False)
    assert result.exit_code == 1
    assert result.stderr == (
        'Error: no sync folder: give one (studycards sync DIR) or set sync_dir = "DIR" in config.toml\n'
    )
    missing = tmp_path / "nowhere"
    result = world.run("A", "sync", missing, ok=False)
    assert result.stderr == f"Error: no sync folder {missing} (create it, or point sync_dir at one)\n"


def test_auto_sync_syncs_at_the_start_and_the_end_of_a_review(world):
    for name in "AB":
        world.add(name)
        (world.home(name) / "config.toml").write_text(f'sync_dir = "{world.folder}"\nauto_sync = true\n')
    result = world.review("A", "\n5\n\n5\n\n5\n")
    assert result.exit_code == 0, result.output
    assert "sent 3 events" in result.stderr
    b = world.review("B", "", DAY2)
    assert "received 3 events" in b.stderr
    assert world.cards("B") == world.cards("A")
    json_report = json.loads(world.run("B", "sync", "--json", now=DAY2).stdout)
    assert json_report == {
        "folder": str(world.folder.resolve()),
        "device": world.device("B"),
        "git": False,
        "sent": 0,
        "received": {},
        "rescheduled": 0,
        "waiting": 0,
        "warnings": [],
    }


def test_suspensions_burials_their_undos_and_cram_grades_reach_the_other_home(world):
    for name in "AB":
        world.add(name)
    world.run("A", "suspend", "3")
    world.review("A", "\n5\nb\nu\n!\n")  # card 1 graded; card 2 buried, the burial undone, then suspended
    world.review("A", "\n2\n\n4\n", DAY1, "--cram", "--deck", "Sync deck")  # practice: no schedule moves
    world.sync("A")
    world.sync("B")
    flags = [(c["suspended"], c["buried"], c["repetitions"]) for c in world.cards("B")]
    assert flags == [(False, None, 1), (True, None, 0), (True, None, 0)]
    assert world.cards("B") == world.cards("A")
    world.run("A", "unsuspend", "2", "3", now=DAY2)
    world.sync("A", DAY2)
    assert "Rescheduled 2 cards." in world.sync("B", DAY2).stdout
    assert [c["suspended"] for c in world.cards("B")] == [False, False, False]
    practice = []
    for name in "AB":
        with closing(sqlite3.connect(world.home(name) / "studycards.db")) as conn:
            practice.append(conn.execute("SELECT card_id, reviewed_at, grade FROM practice ORDER BY id").fetchall())
    assert practice[0] == practice[1] and [grade for *_, grade in practice[1]] == [2, 4]


def test_an_undo_after_a_sync_rewrote_the_card_leaves_the_grade_and_says_why(world):
    from studycards.review.records import Habits
    from studycards.review.session import Session
    from studycards.store.database import open_store
    from studycards.sync.run import sync
    from tests.displays import Recorder

    for name in "AB":
        world.add(name)
    world.review("B", "\n3\n\n4\n", "2026-11-23T08:30:00", "--new", "1")
    world.sync("B", "2026-11-23T08:40:00")
    display = Recorder()
    moment = datetime(2026, 11, 23, 9, 0)
    with open_store(world.home("A")) as store:
        pressed = iter(["\n", "5", "sync", "u"])

        def keys() -> str:
            key = next(pressed, None)
            if key is None:
                raise EOFError
            if key == "sync":  # another terminal syncs while the session waits for a key
                sync(store, world.folder, moment, Habits())
                return "u"
            return key

        session = Session(store, date(2026, 11, 23), lambda: moment, new=1)
        session.run(keys, display)
        assert [(g.grade, g.redrill) for g in store.reviews.log()] == [(3, False), (4, True), (5, True)]
    assert "Not undone: a sync has since rewritten this card's history; the grade stays." in display.said


def sums_and_log(home: Path) -> tuple[list[tuple], list[tuple]]:
    """The per-day sums ``stats`` reads, and the same sums computed here from the review log itself."""
    from tests.test_stats import LOG_BY_DAY, read_sums

    with closing(sqlite3.connect(home / "studycards.db")) as conn:
        return read_sums(home), conn.execute(LOG_BY_DAY).fetchall()


def test_stats_after_a_sync_are_the_figures_of_the_log_it_rewrote(world):
    """A sync rewrites cards' logs in bulk and moves the per-day sums by whole days, not by a trigger per row."""
    for name in "ABC":
        world.add(name)
    day1, day2, day3 = "\n5\n\n3\n\n4\n\n4\n", "\n4\n\n2\n\n5\n\n5\n", "\n4\n\n4\n\n4\n"
    world.review("A", day1)
    world.sync("A")
    world.sync("B", DAY2)
    world.review("B", day2, DAY2)
    world.sync("B", DAY2)
    world.sync("A", DAY2)  # A's own day-1 rows are taken out and written again with B's day 2
    world.review("C", day1)
    world.review("C", day2, DAY2)
    reference = world.run("C", "stats", "--json", now=DAY2).stdout
    for name in "AB":
        sums, log = sums_and_log(world.home(name))
        assert sums == log and [day for day, *_ in sums] == ["2026-11-23", "2026-11-24"]
        assert any(young for _, _, _, _, young, _, _ in sums)  # learned cards' day-first grades are counted too
        assert world.run(name, "stats", "--json", now=DAY2).stdout == reference
    later = "2026-11-25T09:00:00"
    assert (
        world.review("A", day3, later).exit_code == 0
    )  # a grade after the sync: read from the log until stats sums it
    sums, log = sums_and_log(world.home("A"))
    assert sums == log and sums[-1][0] == "2026-11-25"


def test_a_replay_that_fails_midway_leaves_the_log_and_its_sums_as_they_were(world, monkeypatch):
    from studycards.models import CardState
    from studycards.store.events import Events, ReplayedGrade

    for name in "AB":
        world.add(name)
    world.review("A", "\n5\n\n3\n\n4\n\n4\n")
    world.review("B", "\n4\n\n4\n\n4\n", "2026-11-23T10:00:00")
    world.sync("A")
    triggers = "SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'reviews' ORDER BY name"
    with closing(sqlite3.connect(world.home("B") / "studycards.db")) as conn:
        kept = conn.execute(triggers).fetchall()
    before = sums_and_log(world.home("B"))
    written = Events.rewrite_logs

    def cut_short(self, logs):  # the last card's grade breaks the log's rule: its rows fail mid-write
        bad = ReplayedGrade("x:1", DAY1, date(2026, 11, 23), 9, 0, False, False, CardState(), CardState())
        written(self, {**logs, max(logs): [*logs[max(logs)], bad]})

    monkeypatch.setattr(Events, "rewrite_logs", cut_short)
    assert world.run("B", "sync", world.folder, ok=False).exit_code != 0
    monkeypatch.undo()
    assert sums_and_log(world.home("B")) == before and before[0] == before[1] != []
    with closing(sqlite3.connect(world.home("B") / "studycards.db")) as conn:
        assert conn.execute(triggers).fetchall() == kept and len(kept) == 3  # removed, changed, unchanged grades
    world.review("B", "\n3\n", "2026-11-24T09:00:00")  # the next grade is read from the log until stats sums it
    sums, log = sums_and_log(world.home("B"))
    assert sums == log and sums[-1][0] == "2026-11-24"


INDEXES = "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name IN ('sync_events', 'reviews')"


def indexes_and_plan(home: Path) -> tuple[list[tuple], str]:
    """The indexes of the tables a first sync fills, and how SQLite finds a card's events."""
    with closing(sqlite3.connect(home / "studycards.db")) as conn:
        plan = conn.execute("EXPLAIN QUERY PLAN SELECT * FROM sync_events WHERE card = 'x'").fetchall()
        return sorted(conn.execute(INDEXES).fetchall()), " ".join(str(row[-1]) for row in plan)


def test_a_first_sync_into_empty_tables_leaves_every_index_as_it_was(world):
    """Into empty tables a sync builds the indexes after the rows (faster); they end exactly as migrations made them."""
    for name in "AC":
        world.add(name)
    world.review("A", "\n5\n\n3\n\n4\n\n4\n")
    world.sync("A")
    before, _ = indexes_and_plan(world.home("C"))
    assert any(name == "sync_events_card" for name, _ in before) and any(name == "reviews_day" for name, _ in before)
    world.sync("C")
    after, plan = indexes_and_plan(world.home("C"))
    assert after == before and "sync_events_card" in plan
    with closing(sqlite3.connect(world.home("C") / "studycards.db")) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        assert conn.execute("SELECT COUNT(*) FROM reviews").fetchone() == (4,)
    assert world.run("C", "sync", world.folder).exit_code == 0  # idempotent, through the rebuilt indexes


def test_a_first_sync_that_fails_midway_keeps_the_indexes_it_had_dropped(world, monkeypatch):
    from studycards.store.events import Events, ReplayedGrade

    for name in "AC":
        world.add(name)
    world.review("A", "\n5\n\n3\n\n4\n\n4\n")
    world.sync("A")
    before, _ = indexes_and_plan(world.home("C"))
    written = Events.rewrite_logs

    def cut_short(self, logs):  # a bad grade among the rows: the insert fails with the reviews' indexes dropped
        bad = ReplayedGrade("x:1", DAY1, date(2026, 11, 23), 9, 0, False, False, CardState(), CardState())
        written(self, {**logs, max(logs): [*logs[max(logs)], bad]})

    monkeypatch.setattr(Events, "rewrite_logs", cut_short)
    assert world.run("C", "sync", world.folder, ok=False).exit_code != 0
    monkeypatch.undo()
    assert indexes_and_plan(world.home("C"))[0] == before
    with closing(sqlite3.connect(world.home("C") / "studycards.db")) as conn:
        theirs = "SELECT COUNT(*) FROM sync_events WHERE device != (SELECT device FROM sync_device)"
        assert conn.execute(theirs).fetchone() == (0,)
    world.sync("C")
    assert indexes_and_plan(world.home("C"))[0] == before

"""Anki as the peer of the benchmarks: the same cards in a collection of the ``anki`` package (Anki's own engine).

Every Anki figure is measured the way ours is, as a process a user or a script starts: Python, ``import anki``,
open the collection, do the thing.  The collections are built before the clock starts (and copied fresh where a
figure changes them), with the cards of our store after ``add``: the same fronts, backs and tags as Basic notes,
and for the review figures the same schedule (interval, ease, due day relative to today), so both engines fetch
the same-sized queue from the same-sized collection.
"""

from __future__ import annotations

import csv
import json
import shutil
import sqlite3
import subprocess
import sys
import time
from contextlib import closing
from datetime import date
from pathlib import Path

PY = sys.executable
DECK = "Bench::Generated"

EMPTY = """
import sys
from anki.collection import Collection
col = Collection(sys.argv[1])
col.decks.select(col.decks.id(sys.argv[2]))
col.close()
"""

# Anki importing a CSV as its File › Import does: read the file's metadata (delimiter, columns), choose the deck
# and note type (here from the file's header lines), import.  Prints the seconds spent inside Anki's import
# call alone, for the record.
CSV_IMPORT = """
import sys, time
from anki.collection import Collection, ImportCsvRequest
col = Collection(sys.argv[1])
start = time.perf_counter()
metadata = col.get_csv_metadata(sys.argv[2], None)
log = col.import_csv(ImportCsvRequest(path=sys.argv[2], metadata=metadata))
inside = time.perf_counter() - start
col.close()
print(len(log.log.new), inside)
"""

# Anki's review start: open the collection, fetch the first queued card, render its question (what the
# reviewer shows), then say so on stdout, as ``studycards review`` shows its first card.
FIRST_CARD = """
import sys
from anki.collection import Collection
from anki.cards import Card
col = Collection(sys.argv[1])
queued = col.sched.get_queued_cards(fetch_limit=1).cards[0]
question = Card(col, backend_card=queued.card).question()
print("READY", len(question), flush=True)
sys.stdin.read()
"""

# Anki's answer → next card, in process: answer the card shown as Good (the v3 scheduler's states, as the
# reviewer passes them), fetch the next queued card and render its question.  Median of the answers.
ANSWER_TO_NEXT = """
import json, statistics, sys, time
from anki.collection import Collection
from anki.cards import Card
from anki.scheduler_pb2 import CardAnswer
col = Collection(sys.argv[1])
queued = col.sched.get_queued_cards(fetch_limit=1).cards[0]
card = Card(col, backend_card=queued.card)
card.question()
card.start_timer()
timings = []
for _ in range(int(sys.argv[2])):
    start = time.perf_counter()
    col.sched.answer_card(col.sched.build_answer(card=card, states=queued.states, rating=CardAnswer.GOOD))
    queued = col.sched.get_queued_cards(fetch_limit=1).cards[0]
    card = Card(col, backend_card=queued.card)
    card.question()
    card.start_timer()
    timings.append(time.perf_counter() - start)
col.close()
print(json.dumps(statistics.median(timings)))
"""

SCHEDULE = """
import json, sys
from anki.collection import Collection
col = Collection(sys.argv[1])
today = col.sched.today
rows = json.load(open(sys.argv[2]))
ids = col.db.list("SELECT id FROM cards ORDER BY id")
assert len(ids) == len(rows), (len(ids), len(rows))
col.db.executemany(
    "UPDATE cards SET type = 2, queue = 2, ivl = ?, factor = ?, reps = ?, due = ? WHERE id = ?",
    [(ivl, ef * 10, reps, today + days, cid) for cid, (ivl, ef, reps, days) in zip(ids, rows) if days is not None],
)
col.close()
"""


def write_csv(db: Path, path: Path) -> int:
    """The cards of our store (not retired, in id order) as ``front,back,tags`` rows: what Anki imports.

    The header lines say what Anki would otherwise guess from the first rows (it took ``$x_{0}$?`` lines for
    tab-separated): comma-separated text, not HTML, Basic notes, the deck, the tags in the third column.
    """
    with closing(sqlite3.connect(db)) as conn:
        cards = conn.execute("SELECT front, back, tags FROM cards WHERE retired = 0 ORDER BY id").fetchall()
    with path.open("w", encoding="utf-8", newline="") as out:
        out.write(f"#separator:comma\n#html:false\n#notetype:Basic\n#deck:{DECK}\n#tags column:3\n")
        writer = csv.writer(out)
        for front, back, tags in cards:
            writer.writerow([front, back, " ".join(json.loads(tags)) if tags.startswith("[") else tags])
    return len(cards)


def empty_collection(path: Path) -> Path:
    """A new Anki collection holding only the benchmark's deck, selected as the current one."""
    subprocess.run([PY, "-c", EMPTY, str(path), DECK], check=True, capture_output=True)
    return path


def csv_import_command(collection: Path, csv_path: Path) -> list[str]:
    """The command whose wall time is Anki's CSV import (run it on a fresh copy of an empty collection)."""
    return [PY, "-c", CSV_IMPORT, str(collection), str(csv_path)]


def csv_import(empty: Path, csv_path: Path, scratch: Path) -> tuple[float, float, int]:
    """One Anki CSV import into a copy of ``empty``: (wall seconds of the process, seconds inside import, notes)."""
    fresh_copy(empty, scratch)
    start = time.perf_counter()
    done = subprocess.run(csv_import_command(scratch, csv_path), check=True, capture_output=True, text=True)
    wall = time.perf_counter() - start
    notes, inside = done.stdout.split()
    return wall, float(inside), int(notes)


def fresh_copy(source: Path, dest: Path) -> Path:
    """``source`` copied to ``dest`` with nothing of an earlier copy (WAL, media) left beside it."""
    for leftover in dest.parent.glob(dest.name + "*"):
        if leftover.is_dir():
            shutil.rmtree(leftover)
        else:
            leftover.unlink()
    shutil.copyfile(source, dest)
    return dest


def build_collection(db: Path, path: Path, today: date) -> Path:
    """An Anki collection with our store's cards and their schedule: due reviews due the same days from today."""
    work = path.parent / (path.stem + ".csv")
    count = write_csv(db, work)
    empty_collection(path)
    done = subprocess.run(csv_import_command(path, work), check=True, capture_output=True, text=True)
    if int(done.stdout.split()[0]) != count:
        raise RuntimeError(f"Anki imported {done.stdout.split()[0]} of {count} cards")
    with closing(sqlite3.connect(db)) as conn:
        cards = conn.execute(
            "SELECT interval, ef, repetitions, CASE WHEN repetitions > 0 AND due IS NOT NULL"
            " THEN CAST(julianday(due) - julianday(?) AS INTEGER) END FROM cards WHERE retired = 0 ORDER BY id",
            (today.isoformat(),),
        ).fetchall()
    schedule = path.parent / (path.stem + ".json")
    schedule.write_text(json.dumps(cards))
    subprocess.run([PY, "-c", SCHEDULE, str(path), str(schedule)], check=True, capture_output=True)
    work.unlink()
    schedule.unlink()
    return path


def first_card_time(collection: Path) -> float:
    """Start of Anki's process until its first queued card's question is rendered."""
    start = time.perf_counter()
    proc = subprocess.Popen(
        [PY, "-c", FIRST_CARD, str(collection)], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
    )
    assert proc.stdout is not None
    line = proc.stdout.readline()
    elapsed = time.perf_counter() - start
    proc.kill()
    proc.wait()
    if not line.startswith("READY"):
        raise RuntimeError("Anki showed no first card")
    return elapsed


def answer_to_next(collection: Path, scratch: Path, answers: int = 100) -> float:
    """Median seconds from an answer to the next card in Anki, on a fresh copy of ``collection``."""
    fresh_copy(collection, scratch)
    done = subprocess.run([PY, "-c", ANSWER_TO_NEXT, str(scratch), str(answers)], check=True, capture_output=True)
    return float(json.loads(done.stdout))

"""Run with ``python -m tests.benchmarks.sync``: ``studycards sync`` receiving 100,000 events, against 2 s.

Another home's log of 100,000 events (5,000 cards, a grade on each of 20 study days, a re-drill
after each failure, some undos) lies in the sync folder; this home holds the same cards and has
never synced.  The figure is the whole command as a user runs it — start-up, reading and checking
every line, keeping the events, replaying all 5,000 cards and rewriting their logs — the median
of a few runs, each on a fresh copy of the home.  ``rows()`` gives the line for the main table.
"""

from __future__ import annotations

import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import date, datetime, timedelta
from pathlib import Path

EVENTS = 100_000
CARDS = 5_000
TARGET = 2.0  # seconds
RUNS = 3
NOW = "2026-12-30T09:00:00"
STUDYCARDS = str(Path(sys.executable).with_name("studycards"))


def build(folder: Path) -> tuple[Path, Path]:
    """A home with CARDS cards and a sync folder holding another device's log of EVENTS events."""
    from studycards.models import Event
    from studycards.store.cards import CardContent
    from studycards.store.database import open_store
    from studycards.sync.events import encode

    home, shared = folder / "home", folder / "Sync"
    shared.mkdir(parents=True)
    deck = "Bench::Sync"
    contents = [
        CardContent(
            f"k1:basic:{deck}:Question {i}?#0", f"k1:basic:{deck}:Question {i}?", deck, "basic", 0,
            f"Question {i}?", f"Answer {i}", deck, (), "/notes/bench.md", i + 1, None,
        )
        for i in range(CARDS)
    ]  # fmt: skip
    with open_store(home) as store, store.transaction():
        store.cards.insert(contents, datetime(2026, 11, 1, 8))
    chance = random.Random(18)
    lines, seq = [], 0
    start = date(2026, 11, 1)
    while seq < EVENTS:
        for index, content in enumerate(contents):
            if seq >= EVENTS:
                break
            day = start + timedelta(days=seq // CARDS)
            at = datetime.combine(day, datetime.min.time()) + timedelta(hours=8, seconds=index)
            grade = chance.choice((1, 2, 3, 4, 4, 5, 5))
            seq += 1
            lines.append(encode(Event("bench-other", seq, "grade", content.key, stamp(at), day, grade, 3200)))
            if grade < 4 and seq < EVENTS:
                seq += 1
                redo = Event("bench-other", seq, "grade", content.key, stamp(at + timedelta(minutes=9)), day, 4, 2100)
                lines.append(encode(redo._replace(redrill=True)))
            if chance.random() < 0.01 and seq < EVENTS:
                seq += 1
                undo = Event("bench-other", seq, "undo", content.key, stamp(at + timedelta(minutes=10)), day)
                lines.append(encode(undo._replace(ref=f"bench-other:{seq - 1}")))
    (shared / "bench-other.jsonl").write_text("\n".join(lines[:EVENTS]) + "\n", encoding="utf-8")
    return home, shared


def stamp(at: datetime) -> str:
    return at.isoformat(timespec="milliseconds")


def measure(home: Path, shared: Path, scratch: Path) -> tuple[float, float]:
    """One run of ``studycards sync`` on a fresh copy of the home that has never synced: wall and CPU seconds.

    The CPU time is the process's own (``os.wait4``): on a shared machine it drifts less than the wall time.
    """
    copy = scratch / "run"
    shutil.rmtree(copy, ignore_errors=True)
    shutil.copytree(home, copy)
    environ = {**os.environ, "STUDYCARDS_HOME": str(copy), "STUDYCARDS_NOW": NOW}
    said = scratch / "said.txt"
    with said.open("w+", encoding="utf-8") as output:
        began = time.perf_counter()
        done = subprocess.Popen([STUDYCARDS, "sync", str(shared)], env=environ, stdout=output, stderr=output)
        _, status, usage = os.wait4(done.pid, 0)
        elapsed = time.perf_counter() - began
    out = said.read_text(encoding="utf-8")
    if os.waitstatus_to_exitcode(status) or f"received {EVENTS:,}".replace(",", "") not in out.replace(",", ""):
        raise SystemExit(f"sync failed or received too little: {out}")
    return elapsed, usage.ru_utime + usage.ru_stime


def rows() -> list[tuple[str, str, str, str, str, bool]]:
    """(figure, measured, floor, ratio, target, pass) for the main benchmark table; the CPU time and load beside."""
    with tempfile.TemporaryDirectory() as folder:
        home, shared = build(Path(folder))
        times = [measure(home, shared, Path(folder)) for _ in range(RUNS)]
    figure = statistics.median(wall for wall, _ in times)
    cpu = statistics.median(cpu for _, cpu in times)
    measured = f"{figure:.3f} s (CPU {cpu:.2f} s, load {os.getloadavg()[0]:.1f})"
    return [(f"sync: receive {EVENTS:,} events", measured, "", "", f"< {TARGET:g} s", figure < TARGET)]


def main() -> None:
    for what, measured, _, _, target, ok in rows():
        print(f"{what:<36} {measured:>10}   {target}  {'pass' if ok else 'FAIL'}")


if __name__ == "__main__":
    main()

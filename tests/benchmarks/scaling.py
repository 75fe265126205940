"""The scaling table: each command's time and peak memory at 1,000 to 300,000 cards, so growth is visible.

Each figure is a whole process run as a user would (``add`` on a new home, the same file again, ``status``,
``review`` shown its first card then ``q``, ``export``), its peak resident memory as the OS counts it.  Sizes
up to 10,000 take the median of three runs; larger ones run once (they take seconds, the noise is smaller).
"""

from __future__ import annotations

import shutil
import statistics
import subprocess
import time
from pathlib import Path

from tests.benchmarks.figures import make_due
from tests.benchmarks.generate import write_notes
from tests.benchmarks.measure import PEAK, PY, env, settle, shown

COMMANDS = ("add", "re-add", "status", "review", "export")


def measured(args: list[str], environ: dict[str, str], stdin: str = "") -> tuple[float, float]:
    """Wall seconds and peak MB of ``studycards ARGS``."""
    start = time.perf_counter()
    done = subprocess.run([PY, "-c", PEAK, *args], env=environ, input=stdin, capture_output=True, text=True)
    wall = time.perf_counter() - start
    lines = [x for x in done.stderr.splitlines() if x.startswith("PEAK")]
    if not lines or done.returncode:
        raise RuntimeError(f"studycards {' '.join(args)} failed: {done.stderr[-500:]}")
    return wall, int(lines[-1].split()[1]) / 1024


def size_row(tmp: Path, cards: int) -> dict[str, tuple[float, float]]:
    notes = write_notes(tmp / f"scale{cards}", cards)
    home = tmp / f"scale-home{cards}"
    runs = 3 if cards <= 10_000 else 1
    out: dict[str, list[tuple[float, float]]] = {name: [] for name in COMMANDS}
    for _ in range(runs):
        shutil.rmtree(home, ignore_errors=True)
        out["add"].append(measured(["add", str(notes)], env(home)))
        settle(home)  # add's drawer, let finish untimed: it must not share the CPU with the next figure
        out["re-add"].append(measured(["add", str(notes)], env(home)))
    make_due(home, due_today=min(2000, cards // 10))
    for _ in range(runs):
        out["status"].append(measured(["status"], env(home)))
        out["review"].append(measured(["review"], env(home), stdin="q\n"))
        out["export"].append(measured(["export", "-o", str(tmp / "scale.apkg")], env(home)))
    shutil.rmtree(home, ignore_errors=True)
    shutil.rmtree(notes.parent, ignore_errors=True)
    return {
        name: (statistics.median(w for w, _ in values), statistics.median(m for _, m in values))
        for name, values in out.items()
    }


def table(tmp: Path, sizes: list[int]) -> str:
    """The table as printed: one row per size, time and peak memory per command."""
    head = ["cards", *[f"{name} time / peak" for name in COMMANDS]]
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for cards in sizes:
        row = size_row(tmp, cards)
        cells = [f"{cards:,}", *[f"{shown(row[name][0])} / {row[name][1]:.0f} MB" for name in COMMANDS]]
        lines.append("| " + " | ".join(cells) + " |")
        print(lines[-1], flush=True)
    return "\nScaling (review: start, first card shown, q):\n" + "\n".join(lines)

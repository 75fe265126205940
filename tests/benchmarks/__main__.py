"""Run with ``python -m tests.benchmarks``: every performance figure against its floor.

Floors and figures are measured side by side in the same run, alternating, and
compared as ratios: the machines are shared and noisy, absolute times are not.
"""

from __future__ import annotations

import gzip
import io
import os
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tarfile
import tempfile
import time
from datetime import date, datetime
from pathlib import Path

from tests.benchmarks import collection as views
from tests.benchmarks.generate import write_notes

PY = sys.executable
STUDYCARDS = str(Path(sys.executable).with_name("studycards"))  # the console script users run
REPO = Path(__file__).resolve().parents[2]
CORPUS = REPO.parent / "shared" / "corpus"
NOW = "2026-11-23T09:00"
MD_FLOOR = """
import sys
from markdown_it import MarkdownIt
from mdit_py_plugins.dollarmath import dollarmath_plugin
from mdit_py_plugins.front_matter import front_matter_plugin
md = MarkdownIt("commonmark").use(front_matter_plugin).use(dollarmath_plugin)
md.parse(open(sys.argv[1], encoding="utf-8").read())
"""
PEAK = """
import resource, sys
from studycards.cli import main
try:
    main(sys.argv[1:])
except SystemExit:
    pass
usage = resource.getrusage
print("PEAK", usage(resource.RUSAGE_SELF).ru_maxrss, usage(resource.RUSAGE_CHILDREN).ru_maxrss, file=sys.stderr)
"""
GENANKI_FLOOR = """
import sqlite3, sys
import genanki
rows = sqlite3.connect(sys.argv[1]).execute("SELECT key, front, back, context FROM cards WHERE retired = 0").fetchall()
model = genanki.Model(1607392319, "floor", fields=[{"name": "Front"}, {"name": "Back"}, {"name": "Context"}],
                      templates=[{"name": "Card 1", "qfmt": "{{Front}}", "afmt": "{{FrontSide}}<hr>{{Back}}"}])
deck = genanki.Deck(2059400110, "Bench::Generated")
for key, front, back, context in rows:
    deck.add_note(genanki.Note(model=model, fields=[front, back, context], guid=genanki.guid_for(key)))
genanki.Package(deck).write_to_file(sys.argv[2])
"""

rows: list[tuple[str, str, str, str, str]] = []


def env(home: Path) -> dict:
    """Bytecode caching on, as after any install: a start-up figure must not include compiling our sources."""
    environ = {**os.environ, "STUDYCARDS_HOME": str(home), "STUDYCARDS_NOW": NOW}
    environ.pop("PYTHONDONTWRITEBYTECODE", None)
    return environ


def timed(cmd: list[str], environ: dict | None = None) -> float:
    start = time.perf_counter()
    subprocess.run(cmd, env=environ, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True)
    return time.perf_counter() - start


def side_by_side(
    floor: list[str], figure: list[str], environ: dict, runs: int, before_figure=None
) -> tuple[float, float]:
    """Medians of ``runs`` alternating runs, so that drift in machine load hits both alike (after one warm-up)."""
    timed(floor, environ)
    timed(figure, environ)
    floors, figures = [], []
    for _ in range(runs):
        floors.append(timed(floor, environ))
        if before_figure:
            before_figure()
        figures.append(timed(figure, environ))
    return statistics.median(floors), statistics.median(figures)


def record(what: str, figure: float, floor_name: str, floor: float | None, target: float, unit: str = "s") -> None:
    if floor is None:
        ratio, ok = "", figure < target
        target_text = f"< {target * 1000:.0f} ms" if unit == "ms" else f"< {target:g} {unit}"
        shown = f"{figure * 1000:.2f} ms" if unit == "ms" else f"{figure:.3f} {unit}"
        rows.append((what, shown, floor_name, ratio, target_text + ("  pass" if ok else "  FAIL")))
        return
    ratio_value = figure / floor
    rows.append(
        (
            what,
            f"{figure * 1000:.0f} ms",
            f"{floor_name} {floor * 1000:.0f} ms",
            f"{ratio_value:.2f}x",
            f"<= {target:g}x  " + ("pass" if ratio_value <= target else "FAIL"),
        )
    )


def peak(args: list[str], environ: dict) -> tuple[float, float]:
    result = subprocess.run([PY, "-c", PEAK, *args], env=environ, capture_output=True, text=True, check=True)
    line = [x for x in result.stderr.splitlines() if x.startswith("PEAK")][-1]
    own, child = line.split()[1:]
    return int(own) / 1024, int(child) / 1024


def make_due(home: Path, due_today: int) -> None:
    """Give a generated collection a realistic schedule: some due today, most in the coming months."""
    with sqlite3.connect(home / "studycards.db") as conn:
        today = date.fromisoformat(NOW[:10])
        conn.execute(
            "UPDATE cards SET repetitions = 3, interval = 17, ef = 250,"
            " due = date(?, '+' || (id % 90 + 1) || ' days') WHERE id % 5 != 0",
            (today.isoformat(),),
        )
        conn.execute(
            "UPDATE cards SET due = date(?, '-' || (id % 7) || ' days') WHERE id IN"
            " (SELECT id FROM cards WHERE id % 5 != 0 ORDER BY id LIMIT ?)",
            (today.isoformat(), due_today),
        )


def first_card_time(environ: dict) -> float:
    """Start of ``studycards review`` until the first card is on screen (piped, as a script would see it)."""
    start = time.perf_counter()
    proc = subprocess.Popen(
        [STUDYCARDS, "review"], env=environ, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL
    )
    seen = b""
    while b"[space]" not in seen:
        chunk = proc.stdout.read1(4096)
        if not chunk:
            raise RuntimeError("review ended before showing a card")
        seen += chunk
    elapsed = time.perf_counter() - start
    proc.kill()
    proc.wait()
    return elapsed


def grade_to_next(home: Path) -> float:
    """Median time from a grade to the next card drawn, in-process, 100,000 cards in the store."""
    from studycards.review.session import Session
    from studycards.review.terminal import Screen
    from studycards.store.database import open_store

    class Null(io.StringIO):
        pass

    moment = datetime.fromisoformat(NOW)
    with open_store(home) as store:
        session = Session(store, moment.date(), lambda: moment, new=20, limit=200)
        screen = Screen(Null(), is_tty=False)
        session._present(screen)
        timings = []
        for grade in [5, 4, 3, 5, 2] * 20:
            session.handle("\n", screen)
            session._present(screen)
            start = time.perf_counter()
            session.handle(str(grade), screen)
            session._present(screen)
            timings.append(time.perf_counter() - start)
        while session.answers:
            session.undo()
    return statistics.median(timings)


def corpus_sources(tmp: Path) -> list[Path]:
    folders = [p for p in sorted((CORPUS / "papers").iterdir()) if p.is_dir()]
    for eprint in sorted((CORPUS / "eprints").iterdir()):
        dest = tmp / "eprints" / eprint.name.split(".tar")[0].split(".single")[0]
        dest.mkdir(parents=True, exist_ok=True)
        if eprint.name.endswith(".tar.gz"):
            with tarfile.open(eprint) as tar:
                tar.extractall(dest, filter="data")
        else:
            (dest / "main.tex").write_bytes(gzip.decompress(eprint.read_bytes()))
        folders.append(dest)
    return folders


def extraction(tmp: Path) -> None:
    from studycards.latex.document import read_document, with_sympy

    if not CORPUS.is_dir():
        print(f"(equation extraction skipped: no corpus at {CORPUS})")
        return
    total_plain = 0.0
    print("\nEquation extraction per corpus paper:")
    print(f"  {'paper':<14} {'equations':>9} {'no sympy':>10} {'with sympy':>11}")
    for folder in corpus_sources(tmp):
        start = time.perf_counter()
        document = read_document(folder)
        plain = time.perf_counter() - start
        start = time.perf_counter()
        with_sympy(document.equations)
        symbolic = time.perf_counter() - start
        total_plain += plain
        print(f"  {folder.name:<14} {len(document.equations):>9} {plain * 1000:>8.0f} ms {symbolic * 1000:>8.0f} ms")
    record("equation extraction, whole corpus, no sympy", total_plain, "", None, 1.0)


def main() -> None:
    tmp = Path(tempfile.mkdtemp(prefix="studycards-bench-"))
    try:
        floor_cmd = [PY, "-c", "import click, sqlite3"]
        empty = env(tmp / "empty")
        f, x = side_by_side(floor_cmd, [STUDYCARDS, "--help"], empty, 11)
        record("studycards --help", x, "import click, sqlite3", f, 1.3)
        f, x = side_by_side(floor_cmd, [STUDYCARDS, "status"], empty, 11)
        record("studycards status (empty)", x, "import click, sqlite3", f, 1.3)

        notes10k = write_notes(tmp / "notes10k", 10_000)
        home10k = tmp / "home10k"
        md_floor = [PY, "-c", MD_FLOOR, str(notes10k)]
        f, x = side_by_side(
            md_floor,
            [STUDYCARDS, "add", str(notes10k)],
            env(home10k),
            3,
            before_figure=lambda: shutil.rmtree(home10k, ignore_errors=True),
        )
        record("add 10,000 cards, first time", x, "markdown-it parse", f, 3.0)
        f, x = side_by_side(md_floor, [STUDYCARDS, "add", str(notes10k)], env(home10k), 5)
        record("add 10,000 cards, unchanged", x, "markdown-it parse", f, 1.5)

        package = tmp / "out.apkg"
        f, x = side_by_side(
            [PY, "-c", GENANKI_FLOOR, str(home10k / "studycards.db"), str(tmp / "floor.apkg")],
            [STUDYCARDS, "export", "-o", str(package)],
            env(home10k),
            3,
        )
        record("export 10,000 cards", x, "genanki direct", f, 1.3)

        notes100k = write_notes(tmp / "notes100k", 100_000)
        home100k = tmp / "home100k"
        own, helper = peak(["add", str(notes100k)], env(home100k))
        record("peak memory, add 100,000 cards", own, "", None, 300, "MB")
        print(f"(the sympy helper process of that add peaked at {helper:.0f} MB)")
        own, _ = peak(["export", "-o", str(tmp / "big.apkg")], env(home100k))
        record("peak memory, export 100,000 cards", own, "", None, 300, "MB")
        make_due(home100k, due_today=2000)
        f, x = side_by_side(floor_cmd, [STUDYCARDS, "status"], env(home100k), 9)
        record("studycards status, 100,000 cards", x, "import click, sqlite3", f, 2.0)
        floors, firsts = [], []
        first_card_time(env(home100k))
        for _ in range(7):
            floors.append(timed(floor_cmd, env(home100k)))
            firsts.append(first_card_time(env(home100k)))
        record(
            "review: start to first card, 100,000 cards",
            statistics.median(firsts),
            "import click, sqlite3",
            statistics.median(floors),
            1.5,
        )
        record("review: grade to next card, 100,000 cards", grade_to_next(home100k), "", None, 0.005, "ms")
        views.run(STUDYCARDS, home100k, env(home100k), side_by_side, record)
        extraction(tmp)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    width = [max(len(r[i]) for r in rows + [("figure", "measured", "floor", "ratio", "target")]) for i in range(5)]
    print()
    for row in [("figure", "measured", "floor", "ratio", "target"), *rows]:
        print("  ".join(cell.ljust(w) for cell, w in zip(row, width)))


if __name__ == "__main__":
    main()

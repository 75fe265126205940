"""``python -m tests.benchmarks.highlights``: a 20-page, 60-highlight paper read by ``studycards highlights``.

The PDF is made with the fixture writer (two columns of Courier, 45 lines each, three highlights per page
with comments in card syntax) and the whole command is timed as a user runs it, after one warm-up;
the acceptance is under 3 s.  The floor, timed alternately in the same run, is pdfminer extracting the
text of every page (the command lays out only the pages holding annotations, but tests each character).
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from tests.fixtures.highlights import make

PAGES = 20
PER_PAGE = 3
STUDYCARDS = str(Path(sys.executable).with_name("studycards"))


def paper() -> bytes:
    """Pages of two columns; on each, three highlights of three colours, one with a ``::`` comment."""
    pages = []
    colours = [(1.0, 1.0, 0.0), (0.0, 1.0, 0.0), (0.24, 0.66, 0.96)]
    for number in range(1, PAGES + 1):
        columns = {
            x: [f"Page {number} column {c} line {i} of the paper text." for i in range(45)]
            for c, x in enumerate(make.COLUMNS)
        }
        marks = [
            (number, k % 2, 4 + 10 * k, 5 + 10 * k, colours[k], f"Fact {number}.{k} :: answer {k}" if k else None)
            for k in range(PER_PAGE)
        ]
        pages.append((make._content(columns, number == 1), make._annotations(marks, number, columns)))
    return make.pdf(pages, "<< /Title (A twenty page paper) >>")


def measure() -> tuple[float, float, int]:
    """Median seconds of the command, of the pdfminer floor, and the number of highlights written."""
    with tempfile.TemporaryDirectory() as folder:
        pdf = Path(folder) / "paper.pdf"
        pdf.write_bytes(paper())
        env = {**os.environ, "STUDYCARDS_HOME": str(Path(folder) / "home"), "STUDYCARDS_NOW": "2026-11-23T09:00"}
        floor_code = "import sys; from pdfminer.high_level import extract_text; extract_text(sys.argv[1])"
        times, floors = [], []
        for run in range(4):
            start = time.perf_counter()
            subprocess.run([sys.executable, "-c", floor_code, str(pdf)], check=True)
            floors.append(time.perf_counter() - start)
            notes = Path(folder) / f"notes{run}.md"
            start = time.perf_counter()
            done = subprocess.run(
                [STUDYCARDS, "highlights", str(pdf), "--notes", str(notes)], env=env, capture_output=True, text=True
            )
            times.append(time.perf_counter() - start)
            if done.returncode:
                raise SystemExit(done.stderr)
        written = notes.read_text(encoding="utf-8").count("\n> ")
        return statistics.median(times[1:]), statistics.median(floors[1:]), written


def main() -> None:
    median, floor, written = measure()
    print(
        f"| `highlights` of a {PAGES}-page PDF, {written} highlights | {median:.2f} s"
        f" | pdfminer extracting its text, {floor:.2f} s | {median / floor:.2f}× | < 3 s |"
    )


if __name__ == "__main__":
    main()

"""Run with ``python -m tests.benchmarks``: every performance figure against its peer or floor, in one table.

Peers and floors are measured side by side in the same run, alternating, and compared as ratios: the machine
is shared and noisy, absolute times are not.  Anki (the ``anki`` package) and raw genanki are the peers where
the issue names them.  The run exits 1 when a row misses its target.  ``--only add,review`` runs some stages;
``--scaling`` adds the table of ``add``, re-add, ``status``, review start and ``export`` at 1k to 300k cards.
"""

from __future__ import annotations

import argparse
import gzip
import importlib.util
import platform
import shutil
import sys
import tarfile
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

from tests.benchmarks import collection as views
from tests.benchmarks import figures, highlights, scaling
from tests.benchmarks.measure import TABLE, Row, adopt_orphans, bound, printed

REPO = Path(__file__).resolve().parents[2]
STAGES = ("startup", "add", "export", "review", "views", "memory", "highlights", "sync", "extraction")


def corpus() -> Path:
    from tests.paths import CORPUS

    return CORPUS


def corpus_sources(tmp: Path) -> list[Path]:
    folders = [p for p in sorted((corpus() / "papers").iterdir()) if p.is_dir()]
    for eprint in sorted((corpus() / "eprints").iterdir()):
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
    from studycards.latex.document import read_document

    if not corpus().is_dir():
        print(f"(equation extraction skipped: no corpus at {corpus()}; set STUDYCARDS_CORPUS)")
        return
    total = 0.0
    for folder in corpus_sources(tmp):
        start = time.perf_counter()
        read_document(folder)
        total += time.perf_counter() - start
    bound("equation extraction, whole corpus, no sympy", total, "s", 1.0)


def pdf_highlights() -> None:
    median, floor, written = highlights.measure()
    bound(
        f"`highlights` of a {highlights.PAGES}-page PDF, {written} highlights",
        median,
        "s",
        3.0,
        f"(pdfminer extracting its text: {floor:.2f} s)",
    )


def sync_rows() -> None:
    """Rows from ``tests/benchmarks/sync.py`` when it exists: (figure, measured, floor, ratio, target, pass)."""
    if importlib.util.find_spec("tests.benchmarks.sync") is None:
        print("(sync rows skipped: no tests/benchmarks/sync.py)")
        return
    from tests.benchmarks import sync

    for figure, measured, floor, value, target, ok in sync.rows():
        passed = ok if isinstance(ok, bool) else str(ok).strip().lower() in {"pass", "true", "ok", "yes"}
        TABLE.append(Row(str(figure), str(measured), str(floor), str(value), str(target), passed))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tests.benchmarks", description=__doc__.splitlines()[0])
    parser.add_argument("--only", help=f"comma-separated stages of {','.join(STAGES)}")
    parser.add_argument("--scaling", action="store_true", help="also the scaling table (several minutes)")
    parser.add_argument("--scaling-only", action="store_true", help="only the scaling table")
    parser.add_argument("--sizes", default="1000,10000,100000,300000", help="scaling sizes")
    args = parser.parse_args(argv)
    chosen = set(STAGES) if not args.only else set(args.only.split(","))
    if unknown := chosen - set(STAGES):
        parser.error(f"unknown stages: {', '.join(sorted(unknown))}")
    if args.scaling_only:
        chosen = set()
    started = datetime.now(UTC)
    adopt_orphans()  # add's drawer outlives add: the runner waits for it between figures
    tmp = Path(tempfile.mkdtemp(prefix="studycards-bench-"))
    try:
        if "startup" in chosen:
            figures.startup(tmp)
        if chosen & {"add", "export"}:
            home10k = figures.adding(tmp) if "add" in chosen else figures.large_home(tmp, 10_000)
            if "export" in chosen:
                figures.export(home10k, tmp)
        if chosen & {"review", "views", "memory"}:
            home100k = figures.large_home(tmp)
            if "review" in chosen:
                figures.review(home100k, tmp)
            if "memory" in chosen:
                figures.memory(tmp, home100k)
            if "views" in chosen:
                views.run(home100k)
        if "highlights" in chosen:
            pdf_highlights()
        if "sync" in chosen:
            sync_rows()
        if "extraction" in chosen:
            extraction(tmp)
        if args.scaling or args.scaling_only:
            print(scaling.table(tmp, [int(n) for n in args.sizes.split(",")]))
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    minutes = (datetime.now(UTC) - started).total_seconds() / 60
    print(
        f"\n{started:%Y-%m-%d %H:%M} UTC, {minutes:.0f} min; {platform.machine()}, {_cores()} cores,"
        f" Python {platform.python_version()}, SQLite {_sqlite()}, anki {_version('anki')}, genanki"
        f" {_version('genanki')}"
    )
    if TABLE:
        print(printed(TABLE))
    missed = [row for row in TABLE if not row.ok]
    if missed:
        print(f"\n{len(missed)} row(s) missed their target.")
    return 1 if missed else 0


def _cores() -> int:
    import os

    return len(os.sched_getaffinity(0))


def _sqlite() -> str:
    import sqlite3

    return sqlite3.sqlite_version


def _version(name: str) -> str:
    from importlib.metadata import version

    return version(name)


if __name__ == "__main__":
    sys.exit(main())

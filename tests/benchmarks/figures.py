"""The rows of the benchmark table, one function per stage, each against the peer or floor its issue names."""

from __future__ import annotations

import io
import re
import shutil
import sqlite3
import statistics
import subprocess
import time
from contextlib import closing
from datetime import date, datetime
from pathlib import Path

from tests.benchmarks import anki_peer
from tests.benchmarks.generate import write_equation_notes, write_notes
from tests.benchmarks.measure import (
    FLOOR,
    FLOOR_NAME,
    NOW,
    PY,
    STUDYCARDS,
    bound,
    env,
    info,
    peak,
    ratio,
    run,
    settle,
    shown,
    side_by_side,
)

TODAY = date.fromisoformat(NOW[:10])
MD_FLOOR = """
import sys
from markdown_it import MarkdownIt
from mdit_py_plugins.dollarmath import dollarmath_plugin
from mdit_py_plugins.front_matter import front_matter_plugin
md = MarkdownIt("commonmark").use(front_matter_plugin).use(dollarmath_plugin)
md.parse(open(sys.argv[1], encoding="utf-8").read())
"""
# genanki writing the same notes as our package: the same note types (fields, templates, CSS), deck, fields
# (as our package holds them, HTML and MathJax), tags and GUIDs from the same keys; read from a file made
# before the clock starts.  Our export also reads the store, renders the fields and remembers what changed.
GENANKI_FLOOR = """
import json, sys
import genanki
spec = json.load(open(sys.argv[1], encoding="utf-8"))
models = {
    m["id"]: genanki.Model(m["id"], m["name"], fields=[{"name": f} for f in m["fields"]], templates=m["templates"],
                           css=m["css"], model_type=m["type"])
    for m in spec["models"]
}
deck = genanki.Deck(spec["deck"][0], spec["deck"][1])
for key, model, fields, tags in spec["notes"]:
    deck.add_note(genanki.Note(model=models[model], fields=fields, tags=tags, guid=genanki.guid_for(key)))
genanki.Package(deck).write_to_file(sys.argv[2])
"""


def genanki_spec(home: Path, package: Path, spec: Path) -> Path:
    """What our package holds (note types, deck, each note's fields, tags and key), for genanki to write again."""
    import json
    import zipfile

    from genanki import guid_for

    with sqlite3.connect(home / "studycards.db") as conn:
        keys = {guid_for(key): key for (key,) in conn.execute("SELECT DISTINCT anki_key FROM cards")}
    spec.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(package) as archive:
        (spec.parent / "collection.anki2").write_bytes(archive.read("collection.anki2"))
    with closing(sqlite3.connect(spec.parent / "collection.anki2")) as conn:
        models, decks = (json.loads(conn.execute(f"SELECT {c} FROM col").fetchone()[0]) for c in ("models", "decks"))
        notes = [
            [keys[guid], model, fields.split("\x1f"), tags.split()]
            for guid, model, fields, tags in conn.execute("SELECT guid, mid, flds, tags FROM notes ORDER BY id")
        ]
    deck = next(d for d in decks.values() if d["name"] != "Default")
    spec.write_text(
        json.dumps(
            {
                "models": [
                    {
                        "id": int(m["id"]),
                        "name": m["name"],
                        "type": m["type"],
                        "fields": [f["name"] for f in m["flds"]],
                        "templates": [{"name": t["name"], "qfmt": t["qfmt"], "afmt": t["afmt"]} for t in m["tmpls"]],
                        "css": m["css"],
                    }
                    for m in models.values()
                ],
                "deck": [int(deck["id"]), deck["name"]],
                "notes": notes,
            }
        ),
        encoding="utf-8",
    )
    return spec


CARD_SHOWN = re.compile(rb"(fact|Term|thing|case|Equation|definition) \d+")


def startup(tmp: Path) -> None:
    empty = env(tmp / "empty")
    pair = side_by_side(FLOOR, [STUDYCARDS, "--help"], empty, 25)
    ratio("`studycards --help`", pair.ours, FLOOR_NAME, pair.peer, 1.2)
    pair = side_by_side(FLOOR, [STUDYCARDS, "status"], empty, 25)
    ratio("`studycards status`, empty home", pair.ours, FLOOR_NAME, pair.peer, 1.2)


def adding(tmp: Path) -> Path:
    """``add`` of 10,000 cards against markdown-it and Anki's CSV import; returns the home it filled."""
    notes = write_notes(tmp / "notes10k", 10_000)
    home = tmp / "home10k"
    fresh = lambda: shutil.rmtree(home, ignore_errors=True)  # noqa: E731

    def add() -> tuple[float, float]:
        """``add`` as the user waits for it; then its drawer is let finish, untimed, before anything else runs."""
        timed = run([STUDYCARDS, "add", str(notes)], env(home))
        settle(home)
        return timed

    md_floor = [PY, "-c", MD_FLOOR, str(notes)]
    pair = side_by_side(md_floor, add, env(home), 5, before=fresh)
    ratio("`add` 10,000 cards, first time", pair.ours, "markdown-it parsing the file", pair.peer, 2.0)
    csv_path = tmp / "cards10k.csv"
    anki_peer.write_csv(home / "studycards.db", csv_path)
    empty = anki_peer.empty_collection(tmp / "empty.anki2")
    scratch = tmp / "csv.anki2"
    inside: list[float] = []

    def anki_import() -> tuple[float, float]:
        wall, within, _ = anki_peer.csv_import(empty, csv_path, scratch)
        inside.append(within)
        return wall, 0.0

    pair = side_by_side(anki_import, add, env(home), 5, before=fresh)
    ratio("`add` 10,000 cards, first time", pair.ours, "Anki importing them from CSV", pair.peer, 1.0)
    print(f"(Anki's import call alone, without its start-up: {statistics.median(inside) * 1000:.0f} ms)")
    pair = side_by_side(md_floor, add, env(home), 5)
    ratio("`add` 10,000 cards, unchanged", pair.ours, "markdown-it parsing the file", pair.peer, 1.5)
    plain = write_equation_notes(tmp / "eq", 1_000, math=False)
    math = write_equation_notes(tmp / "eq", 1_000, math=True)
    plain_home, math_home = tmp / "plain-home", tmp / "math-home"
    drawings: list[tuple[float, float]] = []

    def add_plain() -> tuple[float, float]:
        shutil.rmtree(plain_home, ignore_errors=True)
        return run([STUDYCARDS, "add", str(plain)], env(plain_home))

    def add_math() -> tuple[float, float]:
        """``add`` until it returns (what the user waits for); then the drawer it started, waited for untimed."""
        shutil.rmtree(math_home, ignore_errors=True)
        timed = run([STUDYCARDS, "add", str(math)], env(math_home))
        drawings.append(settle(math_home))
        return timed

    pair = side_by_side(add_plain, add_math, env(home), 5)
    ratio("`add` 1,000 display-math cards, first time", pair.ours, "the same cards without math", pair.peer, 1.5)
    wall, cpu = statistics.median(w for w, _ in drawings), statistics.median(c for _, c in drawings)
    info("background drawing of those 1,000 equations", f"{shown(wall)} wall", f"after add returned; {shown(cpu)} CPU")
    return home


def export(home: Path, tmp: Path) -> None:
    run([STUDYCARDS, "export", "-o", str(tmp / "out.apkg")], env(home))
    spec = genanki_spec(home, tmp / "out.apkg", tmp / "genanki" / "notes.json")
    floor = [PY, "-c", GENANKI_FLOOR, str(spec), str(tmp / "floor.apkg")]
    pair = side_by_side(floor, [STUDYCARDS, "export", "-o", str(tmp / "out.apkg")], env(home), 7)
    ratio("`export` 10,000 cards, wall time", pair.ours, "genanki writing the same notes", pair.peer, 1.2)
    ratio("`export` 10,000 cards, CPU time", pair.ours_cpu, "genanki writing the same notes", pair.peer_cpu, 1.2)


def make_due(home: Path, due_today: int) -> None:
    """Give a generated collection a realistic schedule: some due today, most in the coming months."""
    with sqlite3.connect(home / "studycards.db") as conn:
        conn.execute(
            "UPDATE cards SET repetitions = 3, interval = 17, ef = 250,"
            " due = date(?, '+' || (id % 90 + 1) || ' days') WHERE id % 5 != 0",
            (TODAY.isoformat(),),
        )
        conn.execute(
            "UPDATE cards SET due = date(?, '-' || (id % 7) || ' days') WHERE id IN"
            " (SELECT id FROM cards WHERE id % 5 != 0 ORDER BY id LIMIT ?)",
            (TODAY.isoformat(), due_today),
        )


def large_home(tmp: Path, cards: int = 100_000) -> Path:
    notes = write_notes(tmp / f"notes{cards}", cards)
    home = tmp / f"home{cards}"
    subprocess.run([STUDYCARDS, "add", str(notes)], env=env(home), check=True, capture_output=True)
    settle(home)
    make_due(home, due_today=2000)
    return home


def first_card_time(environ: dict[str, str]) -> float:
    """Start of ``studycards review`` until the first card's front is on screen (piped, as a script sees it)."""
    start = time.perf_counter()
    proc = subprocess.Popen(
        [STUDYCARDS, "review"], env=environ, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL
    )
    assert proc.stdout is not None
    seen = b""
    while not CARD_SHOWN.search(seen):
        chunk = proc.stdout.read1(4096)
        if not chunk:
            raise RuntimeError(f"review ended before showing a card: {seen[-300:]!r}")
        seen += chunk
    elapsed = time.perf_counter() - start
    proc.kill()
    proc.wait()
    return elapsed


def grade_to_next(home: Path, grades: int = 100) -> tuple[float, float]:
    """Median seconds from a grade to the next card drawn, in process, as the session does it (then undone);
    and from the reveal to the answer drawn, which now includes the grade's read of its card and laying out the
    next card."""
    from studycards.review.session import Session
    from studycards.review.terminal import Screen
    from studycards.store.database import open_store

    moment = datetime.fromisoformat(NOW)
    with open_store(home) as store:
        session = Session(store, moment.date(), lambda: moment, new=20, limit=200)
        screen = Screen(io.StringIO(), is_tty=False)
        session._present(screen)
        timings, reveals = [], []
        for grade in [5, 4, 3, 5, 2] * (grades // 5):
            start = time.perf_counter()
            session.handle("\n", screen)
            session._present(screen)
            reveals.append(time.perf_counter() - start)
            start = time.perf_counter()
            session.handle(str(grade), screen)
            session._present(screen)
            timings.append(time.perf_counter() - start)
        while session.answers:
            session.undo()
    return statistics.median(timings), statistics.median(reveals)


def review(home: Path, tmp: Path) -> None:
    """Status and review at 100,000 cards against the floor, and against Anki's engine on the same cards."""
    environ = env(home)
    pair = side_by_side(FLOOR, [STUDYCARDS, "status"], environ, 9)
    ratio("`status`, 100,000 cards", pair.ours, FLOOR_NAME, pair.peer, 2.0)
    collection = anki_peer.build_collection(home / "studycards.db", tmp / "review.anki2", TODAY)
    ours_first = lambda: (first_card_time(environ), 0.0)  # noqa: E731
    pair = side_by_side(FLOOR, ours_first, environ, 15)
    ratio("`review` start → first card, 100,000 cards", pair.ours, FLOOR_NAME, pair.peer, 1.3)
    anki_first = lambda: (anki_peer.first_card_time(collection), 0.0)  # noqa: E731
    pair = side_by_side(anki_first, ours_first, environ, 9)
    ratio("`review` start → first card, 100,000 cards", pair.ours, "Anki: open → first queued card", pair.peer, 0.3)
    ours, anki, reveals = [], [], []
    for _ in range(3):
        anki.append(anki_peer.answer_to_next(collection, tmp / "answer.anki2"))
        grade, reveal = grade_to_next(home)
        ours.append(grade)
        reveals.append(reveal)
    ratio(
        "`review` grade → next card, 100,000 cards",
        statistics.median(ours),
        "Anki: answer → next card",
        statistics.median(anki),
        0.2,
    )
    reveal = statistics.median(reveals) * 1000
    made_ready = "the grade's read and the next card's front made ready meanwhile"
    print(f"(ours, reveal → answer on screen, with {made_ready}: {reveal:.3f} ms)")


def memory(tmp: Path, home100k: Path) -> None:
    """Peak memory as the OS counts it: ``add`` of 300,000 cards (bounded), ``export`` of 100,000."""
    notes = write_notes(tmp / "notes300k", 300_000)
    own, _ = peak(["add", str(notes)], env(tmp / "home300k"))
    bound("`add` 300,000 cards, peak memory", own, "MB", 200)
    settle(tmp / "home300k")
    shutil.rmtree(tmp / "home300k", ignore_errors=True)
    own, _ = peak(["export", "-o", str(tmp / "big.apkg")], env(home100k))
    bound("`export` 100,000 cards, peak memory", own, "MB", 300)

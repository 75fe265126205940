"""Export at scale and under faults: many decks in linear work, a killed export cleaned up, a full disk named."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
import zipfile
from datetime import datetime
from pathlib import Path

from studycards.store.cards import CardContent
from studycards.store.database import open_store
from tests.test_answer_safety import fill, small_disk  # noqa: F401 - the fixture
from tests.test_crash import kill_when

MORNING = datetime(2026, 11, 23, 9, 0)


def cards_in_decks(home: Path, decks: int, per_deck: int = 1) -> None:
    """``decks`` decks of ``per_deck`` cards, written through the store as ``add`` would."""
    with open_store(home) as store, store.transaction():
        store.cards.insert(
            [
                CardContent(
                    key=f"b:{d}:{i}",
                    note_key=f"n:{d}:{i}",
                    deck=f"Many::Deck {d:05}",
                    kind="basic",
                    ord=0,
                    front=f"Front {d} {i} " + "lorem ipsum " * 20,
                    back=f"Back {d} {i}",
                    context="",
                    tags=(),
                    source=f"/notes/deck-{d}.md",
                    line=i + 1,
                    paper=None,
                )
                for d in range(decks)
                for i in range(per_deck)
            ],
            MORNING,
        )


def test_an_export_of_many_decks_writes_the_deck_list_once(cli, home, tmp_path):
    cards_in_decks(home, 2000)
    rewrites = []
    dumps = json.dumps.__code__  # each rewrite of the package's deck list serialises the whole list again

    def count(frame, event, arg):
        if event == "call" and frame.f_code is dumps and "Many::Deck 00000" in str(frame.f_locals["obj"]):
            rewrites.append(1)

    sys.setprofile(count)
    try:
        result = cli("export", "-o", tmp_path / "many.apkg")
    finally:
        sys.setprofile(None)
    assert result.exit_code == 0, result.output
    assert len(rewrites) == 1, f"the deck list was rewritten {len(rewrites)} times"
    with zipfile.ZipFile(tmp_path / "many.apkg") as package:
        (tmp_path / "col.anki2").write_bytes(package.read("collection.anki2"))
    with sqlite3.connect(tmp_path / "col.anki2") as conn:
        (decks,) = conn.execute("SELECT decks FROM col").fetchone()
    names = {deck["name"] for deck in json.loads(decks).values()}
    assert {f"Many::Deck {d:05}" for d in range(2000)} <= names


def test_a_killed_export_leaves_nothing_in_tmpdir_and_the_next_export_cleans_up(cli, home, tmp_path):
    cards_in_decks(home, 20, per_deck=1000)
    temporary = tmp_path / "tmpdir"
    temporary.mkdir()
    out = tmp_path / "out"
    out.mkdir()
    env = {**os.environ, "STUDYCARDS_HOME": str(home), "TMPDIR": str(temporary), "STUDYCARDS_NOW": "2026-11-23T09:00"}
    run = subprocess.Popen(
        [sys.executable, "-m", "studycards", "export", "-o", str(out / "p.apkg")],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    killed = kill_when(run, lambda: any(out.glob(".p.apkg.*")) or any(temporary.iterdir()))
    assert killed, "the export ended before it could be killed"
    assert list(temporary.iterdir()) == [], "the temporary collection went to $TMPDIR"
    left = sorted(p.name for p in out.iterdir())
    assert left and all(name.startswith(".p.apkg.") for name in left)
    result = cli("export", "-o", out / "p.apkg")
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in out.iterdir()) == ["p.apkg"]  # no open question, so no questions.md


def test_an_export_onto_a_full_disk_names_the_package_and_leaves_nothing(cli, home, small_disk):  # noqa: F811
    cards_in_decks(home, 3, per_deck=200)
    fill(small_disk)
    result = cli("export", "-o", small_disk / "p.apkg")
    assert result.exit_code == 1
    assert (
        result.stderr
        == f"Error: no space left on the disk to write {small_disk / 'p.apkg'}: free some space and try again\n"
    )
    assert sorted(p.name for p in small_disk.iterdir()) == ["filler"]


def test_an_add_onto_a_full_disk_says_so_and_writes_nothing(cli, small_disk, tmp_path):  # noqa: F811
    home = small_disk / "home"
    notes = tmp_path / "n.md"
    notes.write_text("# Full\n\n" + "".join(f"Front {i} {'x' * 200} :: Back {i}\n" for i in range(3000)))
    assert cli("--home", home, "status").exit_code == 0
    assert cli("--home", home, "add", tmp_path / "none.md").exit_code == 1  # creates nothing
    small = tmp_path / "small.md"
    small.write_text("# Small\n\nA :: B\n")
    assert cli("--home", home, "add", small).exit_code == 0
    fill(small_disk)
    result = cli("--home", home, "add", notes)
    assert result.exit_code == 1
    assert result.stderr.startswith("Error: no space left on the disk to write "), result.stderr
    assert "rollback" not in result.stderr and len(result.stderr.splitlines()) == 1
    (small_disk / "filler").unlink()
    with open_store(home) as store:
        assert [c.front for c in store.cards.select()] == ["A"]

"""New cards indexed for search after ``add`` returns (by the background drawer), and found by any search before.

``add`` (``draw_math``'s default, the ``background`` fixture) writes its cards and leaves their range of ids
to be indexed; the drawer process indexes them, and a ``search`` that comes first indexes what is left
itself.  These tests hold the drawer's lock where they need the cards still waiting (a drawer started
meanwhile exits at once, as one killed before its work), and run the real drawer process otherwise.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from tests.test_drawer import HANG, no_drawer_can_start, wait_until_drawn
from tests.test_search import hits


def facts(words: list[str], deck: str = "Zoo") -> str:
    return f"---\ndeck: {deck}\n---\n# {deck}\n\n" + "".join(f"What is a {w}? :: An animal called {w}\n" for w in words)


def indexed(rows) -> int:
    return rows("SELECT COUNT(*) FROM search_index WHERE kind = 'card'")[0][0]


def live(rows) -> int:
    return rows("SELECT COUNT(*) FROM cards WHERE retired = 0")[0][0]


def test_every_card_is_found_the_moment_add_returns_though_none_was_indexed_yet(cli, background, rows, tmp_path):
    notes = tmp_path / "zoo.md"
    notes.write_text(facts([f"okapi{n}" for n in range(300)] + ["zebra"]), encoding="utf-8")
    with no_drawer_can_start(background):
        added = cli("add", notes)
        assert added.exit_code == 0, added.output
        assert indexed(rows) == 0  # left to the background: add did not wait for the index
        assert hits(cli, "zebra") == [("card", "What is a zebra?")]
        assert len(hits(cli, "animal", "--limit", "1000")) == 301
        assert indexed(rows) == live(rows) == 301
        assert rows("SELECT COUNT(*) FROM search_backlog") == [(0,)]


def test_cards_edited_retired_or_restored_before_they_are_indexed_are_found_as_they_now_read(
    cli, background, rows, tmp_path
):
    notes = tmp_path / "zoo.md"
    animals = ["okapi", "zebra", "tapir", "quokka"]
    with no_drawer_can_start(background):
        notes.write_text(facts(animals), encoding="utf-8")
        assert cli("add", notes).exit_code == 0
        edited = facts(["okapi", "tapir", "wombat"]).replace("An animal called okapi", "A giraffe's cousin")
        notes.write_text(edited, encoding="utf-8")  # okapi's back edited, zebra and quokka retired, wombat new
        assert cli("add", notes).exit_code == 0
        notes.write_text(edited + "What is a zebra? :: An animal called zebra\n", encoding="utf-8")
        assert cli("add", notes).exit_code == 0  # zebra comes back before anything was indexed
        assert sorted(hits(cli, "animal")) == [("card", f"What is a {w}?") for w in ("tapir", "wombat", "zebra")]
        assert hits(cli, "giraffe") == [("card", "What is a okapi?")]
        assert hits(cli, "quokka") == []
        assert indexed(rows) == live(rows) == 4  # each card once: none indexed twice by its trigger and its range


def test_several_adds_and_cjk_cards_wait_together_and_one_search_finds_them_all(cli, background, tmp_path):
    with no_drawer_can_start(background):
        for n, words in enumerate([["okapi"], ["zebra"], ["注意力机制"]]):
            notes = tmp_path / f"zoo{n}.md"
            notes.write_text(facts(words, deck=f"Zoo{n}"), encoding="utf-8")
            assert cli("add", notes).exit_code == 0
        assert hits(cli, "注意力") == [("card", "What is a 注意力机制?")]
        assert hits(cli, "okapi OR zebra") == [("card", "What is a okapi?"), ("card", "What is a zebra?")]


def test_the_background_drawer_indexes_every_card_after_add_and_the_next_add_starts_another(
    cli, background, rows, tmp_path
):
    """A drawer that could not work (as one killed before it began) leaves the range; the next add's drawer
    indexes it, with no search to help."""
    first, second = tmp_path / "one.md", tmp_path / "two.md"
    first.write_text(facts([f"okapi{n}" for n in range(2500)], deck="One"), encoding="utf-8")
    second.write_text(facts(["zebra"], deck="Two"), encoding="utf-8")
    with no_drawer_can_start(background):
        assert cli("add", first).exit_code == 0
    assert indexed(rows) == 0
    assert cli("add", second).exit_code == 0
    wait_until_drawn(background)
    assert rows("SELECT COUNT(*) FROM search_backlog") == [(0,)]
    assert indexed(rows) == live(rows) == 2501


def test_a_search_while_the_drawer_indexes_finds_every_card_and_indexes_none_twice(cli, background, rows, tmp_path):
    notes = tmp_path / "zoo.md"
    notes.write_text(facts([f"okapi{n}" for n in range(6000)]), encoding="utf-8")
    with no_drawer_can_start(background):
        assert cli("add", notes).exit_code == 0
    drawer = subprocess.Popen([sys.executable, "-m", "studycards.mathtext.drawer", str(background)])
    found = subprocess.run(
        [sys.executable, "-m", "studycards", "search", "animal", "--json", "--limit", "10000"],
        capture_output=True,
        text=True,
        timeout=HANG,
    )
    assert drawer.wait(timeout=HANG) == 0
    assert found.returncode == 0, found.stderr
    assert len(json.loads(found.stdout)["results"]) == 6000
    assert indexed(rows) == live(rows) == 6000


def test_draw_math_at_add_indexes_before_add_returns(cli, home, rows, tmp_path):
    notes = Path(tmp_path / "zoo.md")
    notes.write_text(facts(["okapi", "zebra"]), encoding="utf-8")
    assert cli("add", notes).exit_code == 0
    assert indexed(rows) == 2 and rows("SELECT COUNT(*) FROM search_backlog") == [(0,)]

"""`studycards add`, `status`, `list`, `questions` end to end through the CLI, on a real SQLite home."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from studycards.home import study_day
from studycards.sm2 import schedule
from studycards.store.database import open_store
from tests.paths import DECKS, FIXTURES

TABLES = ("cards", "reviews", "questions", "files")


def cards_json(cli, *args: str) -> list[dict]:
    result = cli("list", "--json", "--retired", *args)
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)["cards"]


def test_adding_the_sample_decks_then_status(cli):
    result = cli("add", str(DECKS))
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("Added 134 cards")
    status = cli("status")
    assert status.exit_code == 0
    for deck in ("Papers::Transformer", "Papers::ResNet", "Papers::FaceNet", "Papers::Adam"):
        assert deck in status.stdout
    doc = json.loads(cli("status", "--json").stdout)
    assert sum(d["new"] for d in doc["decks"]) == 134
    assert len(doc["forecast"]) == 7


@pytest.mark.parametrize("deck", sorted(p.name for p in DECKS.glob("*.md")))
def test_adding_each_deck_twice_changes_nothing_the_second_time(cli, deck, home, rows):
    assert cli("add", str(DECKS / deck)).exit_code == 0
    before = rows.tables(*TABLES)
    again = cli("add", str(DECKS / deck))
    assert again.exit_code == 0
    assert again.stdout.startswith("No changes: 1 file checked")
    assert rows.tables(*TABLES) == before


def review(home: Path, front: str, grade: int) -> int:
    """Grade a card the way a review session does (the session has its own tests)."""
    with open_store(home) as store:
        [card] = [c for c in store.cards.select() if c.front == front]
        from datetime import datetime

        moment = datetime(2026, 11, 23, 9, 0)
        after = schedule(card.state, grade, study_day(moment))
        store.reviews.record(card.id, grade, study_day(moment), moment, 1200, card.state, after, redrill=False)
        return card.id


def test_edits_keep_history_for_backs_and_retire_edited_fronts(cli, tmp_path, home):
    notes = tmp_path / "resnet.md"
    shutil.copy(DECKS / "deep-residual-learning.md", notes)
    assert cli("add", str(notes)).exit_code == 0
    lines = notes.read_text().splitlines()
    basic = [i for i, line in enumerate(lines) if " :: " in line and not line.startswith("-")]
    edit_back, edit_front, delete = basic[0], basic[1], basic[2]
    back_front = lines[edit_back].split(" :: ")[0]
    front_front = lines[edit_front].split(" :: ")[0]
    deleted_front = lines[delete].split(" :: ")[0]
    back_id = review(home, back_front, 5)
    front_id = review(home, front_front, 4)

    lines[edit_back] = back_front + " :: a corrected answer"
    lines[edit_front] = "Reworded: " + lines[edit_front]
    del lines[delete]
    notes.write_text("\n".join(lines) + "\n")
    result = cli("add", str(notes))
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("Added 1 card, updated 1 (history kept), retired 2")
    assert front_front in result.stdout and deleted_front in result.stdout

    by_id = {c["id"]: c for c in cards_json(cli)}
    assert by_id[back_id]["back"] == "a corrected answer"
    assert (by_id[back_id]["repetitions"], by_id[back_id]["retired"]) == (1, False)
    assert by_id[front_id]["retired"] is True and by_id[front_id]["repetitions"] == 1
    with open_store(home) as store:
        assert [r.grade for r in store.reviews.log(front_id)] == [4]
    new = [c for c in by_id.values() if c["front"] == "Reworded: " + front_front]
    assert len(new) == 1 and new[0]["repetitions"] == 0

    # putting the old front back restores the retired card with its history
    notes.write_text("\n".join(lines).replace("Reworded: ", "") + "\n")
    result = cli("add", str(notes))
    assert "restored 1 (history kept)" in result.stdout
    assert {c["id"]: c for c in cards_json(cli)}[front_id]["retired"] is False


def test_a_notes_file_with_mistakes_reports_each_and_writes_nothing(cli, home, rows):
    assert cli("add", str(DECKS / "adam.md")).exit_code == 0
    before = rows.tables(*TABLES)
    path = FIXTURES / "notes" / "mistakes.md"
    result = cli("add", str(DECKS / "facenet.md"), str(path))
    assert result.exit_code == 1
    errors = [line for line in result.stderr.splitlines() if line.startswith(str(path.resolve()))]
    assert [int(line.split(":")[1]) for line in errors] == [3, 8, 9, 11, 13, 15, 17, 20]
    assert "nothing was written" in result.stderr
    assert "Traceback" not in result.output
    assert rows.tables(*TABLES) == before


def test_dry_run_lists_changes_and_writes_nothing(cli, home, rows):
    result = cli("add", "--dry-run", str(DECKS / "facenet.md"))
    assert result.exit_code == 0
    assert result.stdout.startswith("Would add 33 cards")
    assert "  + " in result.stdout
    assert rows.tables(*TABLES) in ([], [[], [], [], []])


def test_list_json_has_the_schedule_and_source(cli, home):
    cli("add", str(DECKS / "adam.md"))
    [card] = [c for c in cards_json(cli) if c["kind"] == "equation"][:1]
    assert set(card) >= {
        "id",
        "deck",
        "kind",
        "front",
        "back",
        "context",
        "tags",
        "source",
        "line",
        "retired",
        "ef",
        "repetitions",
        "interval",
        "due",
    }
    assert (card["ef"], card["repetitions"], card["interval"], card["due"]) == (2.5, 0, 0, None)
    assert card["source"].endswith("adam.md") and card["line"] > 1


def test_list_json_gives_each_card_its_ord(cli, tmp_path):
    notes = tmp_path / "n.md"
    notes.write_text("# T\n\nfront :: back\n\nleft ::: right\n\nThe {{c2::second}} and {{c1::first}} blank.\n")
    assert cli("add", str(notes)).exit_code == 0
    assert sorted((c["kind"], c["ord"], c["front"]) for c in cards_json(cli)) == [
        ("basic", 0, "front"),
        ("cloze", 1, "The {{c2::second}} and {{c1::first}} blank."),
        ("cloze", 2, "The {{c2::second}} and {{c1::first}} blank."),
        ("reversed", 0, "left"),
        ("reversed", 1, "right"),
    ]


def test_list_shows_each_cards_deck(cli, tmp_path):
    for name, deck in (("a.md", "Papers::Adam"), ("b.md", "Papers::ResNet")):
        (tmp_path / name).write_text(f"---\ndeck: {deck}\n---\nWhat is it? :: A paper\n")
    assert cli("add", str(tmp_path / "a.md"), str(tmp_path / "b.md")).exit_code == 0
    lines = cli("list").stdout.splitlines()
    assert lines[0].split() == ["id", "due", "interval", "EF", "kind", "deck", "front"]
    assert [line.split()[4:] for line in lines[1:]] == [
        ["basic", "Papers::Adam", "What", "is", "it?"],
        ["basic", "Papers::ResNet", "What", "is", "it?"],
    ]


def test_time_travel_with_studycards_now(cli, home):
    cli("add", str(DECKS / "adam.md"))
    card_id = review(home, cards_json(cli)[0]["front"], 5)  # due the next day

    def due(when: str) -> list[int]:
        return [c["id"] for c in json.loads(cli("list", "--due", "--json", now=when).stdout)["cards"]]

    assert card_id not in due("2026-11-23T20:00")
    assert card_id not in due("2026-11-24T03:59")  # the study day starts at 04:00
    assert card_id in due("2026-11-24T04:00")
    bad = cli("status", env={"STUDYCARDS_NOW": "yesterday"})
    assert bad.exit_code == 1 and "STUDYCARDS_NOW" in bad.stderr


def test_questions_by_paper(cli, home):
    cli("add", str(DECKS))
    doc = json.loads(cli("questions", "--json").stdout)["questions"]
    assert len(doc) == 14
    assert {q["paper"] for q in doc} == {"1706.03762", "1512.03385", "1503.03832", "1412.6980"}
    text = cli("questions", "--paper", "1412.6980").stdout
    assert text.startswith("Adam: A Method for Stochastic Optimization · arXiv:1412.6980 · deck Papers::Adam\n")
    assert "adam.md:" in text


@pytest.mark.parametrize(
    "args, message",
    [
        (["add", "no/such/file.md"], "no such file or folder"),
        (["add", "EMPTY"], "no notes files"),
    ],
)
def test_bad_paths_get_one_clear_line(cli, args, message, tmp_path):
    (tmp_path / "empty").mkdir()
    args = [a.replace("EMPTY", str(tmp_path / "empty")) for a in args]
    result = cli(*args)
    assert result.exit_code == 1
    assert message in result.stderr and len(result.stderr.strip().splitlines()) == 1


def test_every_command_has_help_with_an_example(cli, commands):
    for name in commands:
        result = cli(name, "--help")
        assert result.exit_code == 0, name
        assert "Example" in result.stdout, name


PEAK_OF_ADD = """
import resource, subprocess, sys
done = subprocess.run([sys.executable, "-m", "studycards", "add", sys.argv[1]], capture_output=True, text=True)
print(done.returncode, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)
print(done.stdout or done.stderr)
"""


def test_adding_a_100000_card_file_peaks_under_150_mb(tmp_path):
    """Memory is bounded by the file, not held for every card at once: measured by the OS, in a process of its own."""
    from tests.benchmarks.generate import write_notes

    notes = write_notes(tmp_path / "notes", 100_000)
    run = subprocess.run([sys.executable, "-c", PEAK_OF_ADD, str(notes)], capture_output=True, text=True, check=True)
    status, peak_kb = map(int, run.stdout.split("\n", 1)[0].split())
    assert status == 0, run.stdout
    assert run.stdout.split("\n")[1].startswith("Added 100001 cards")
    assert peak_kb / 1024 < 150, f"add peaked at {peak_kb / 1024:.0f} MB"

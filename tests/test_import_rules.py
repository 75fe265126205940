"""What ``add`` does with notes read as their author meant (issue 12): nothing dropped without a word,
files gone from a folder retired, deck renames keeping history, other tools' schedules kept."""

from __future__ import annotations

import json
from datetime import date, datetime
from pathlib import Path

import pytest

from studycards.home import study_day
from studycards.models import CardState, Note
from studycards.notes.importer import ImportPlan, apply_plan, card_rows
from studycards.sm2 import schedule
from studycards.store.database import open_store

MORNING = datetime(2026, 11, 23, 9, 0)


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def added(cli, *args: str | Path) -> str:
    result = cli("add", *args)
    assert result.exit_code == 0, result.output
    return result.stdout


def listed(cli) -> list[dict]:
    result = cli("list", "--json", "--retired")
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)["cards"]


def grade(home: Path, card_id: int, grade: int) -> None:
    """A grade as a review session records it (the session has its own tests)."""
    with open_store(home) as store:
        card = store.cards.get(card_id)
        assert card is not None
        after = schedule(card.state, grade, study_day(MORNING))
        store.reviews.record(card.id, grade, study_day(MORNING), MORNING, 1500, card.state, after, redrill=False)


def graded(home: Path, card_id: int) -> list[int]:
    with open_store(home) as store:
        return [review.grade for review in store.reviews.log(card_id)]


def config(home: Path, text: str) -> None:
    home.mkdir(parents=True, exist_ok=True)
    (home / "config.toml").write_text(text, encoding="utf-8")


# -- files without cards, look-alikes, warnings ---------------------------------


def test_a_file_without_cards_says_so_every_time(cli, tmp_path):
    notes = write(tmp_path / "prose.md", "# Reading log\n\nOnly prose here, nothing to learn yet.\n")
    for _ in range(2):
        out = added(cli, notes)
        assert f"No cards found in {notes.resolve()}." in out
        assert "every card already up to date" not in out


def test_a_file_without_cards_among_others_is_named(cli, tmp_path):
    write(tmp_path / "notes" / "cards.md", "# T\n\na :: b\n")
    write(tmp_path / "notes" / "prose.md", "# Log\n\nNothing yet.\n")
    out = added(cli, tmp_path / "notes")
    assert out.startswith("Added 1 card")
    assert f"No cards found in {(tmp_path / 'notes' / 'prose.md').resolve()}." in out
    again = added(cli, tmp_path / "notes")
    assert again.startswith("No changes: 2 files checked")
    assert f"No cards found in {(tmp_path / 'notes' / 'prose.md').resolve()}." in again


def test_compact_lookalikes_are_counted_with_the_first_place_and_how_to_read_them(cli, tmp_path):
    notes = write(tmp_path / "obsidian.md", "# Vault\n\nSoftmax::normalises logits\nDropout::zeroes units\n")
    out = added(cli, notes)
    assert f"No cards found in {notes.resolve()}." in out
    first = f"the first at {notes.resolve()}:3;"
    assert f"2 lines would be cards with compact separators (front::back, without spaces), {first}" in out
    assert 'separators = "compact" in config.toml' in out and "separators: compact in the file's front matter" in out


def test_front_matter_warnings_go_to_stderr_and_the_add_goes_on(cli, tmp_path):
    notes = write(tmp_path / "n.md", "---\ndek: Papers::Typo\n---\n# T\n\na :: b\n")
    result = cli("add", notes)
    assert result.exit_code == 0, result.output
    [warning] = result.stderr.splitlines()
    assert warning.startswith(f"{notes.resolve()}:2: warning: ") and "deck" in warning
    assert result.stdout.startswith("Added 1 card")


# -- the separators setting -------------------------------------------------------


def test_compact_separators_in_config_read_front_colon_colon_back_as_cards(cli, home, tmp_path):
    notes = write(tmp_path / "obsidian.md", "# Vault\n\nSoftmax::normalises logits\n")
    assert "No cards found" in added(cli, notes)
    config(home, 'separators = "compact"\n')
    out = added(cli, notes)  # the file is unchanged, but it reads differently now
    assert out.startswith("Added 1 card")
    assert [(c["front"], c["back"]) for c in listed(cli)] == [("Softmax", "normalises logits")]
    assert added(cli, notes).startswith("No changes: 1 file checked")


@pytest.mark.parametrize("value", ['"obsidian"', "true"])
def test_a_bad_separators_setting_is_one_clear_line(cli, home, tmp_path, value):
    config(home, f"separators = {value}\n")
    result = cli("add", write(tmp_path / "n.md", "# T\n\na :: b\n"))
    assert result.exit_code == 1
    assert result.stderr.strip().splitlines() == [
        f"Error: {home / 'config.toml'}: separators must be 'standard' or 'compact', not {json.loads(value)!r}"
    ]


def test_a_file_re_added_after_an_edit_keeps_the_separators_it_was_added_with(home, tmp_path):
    from studycards.notes.importer import plan_import

    notes = write(tmp_path / "obsidian.md", "# Vault\n\nSoftmax::normalises logits\n")
    with open_store(home) as store:
        apply_plan(store, plan_import(store, [str(notes)], compact=True), MORNING)
        notes.write_text("# Vault\n\nSoftmax::normalises the logits\n", encoding="utf-8")
        plan = plan_import(store, [str(notes)])  # as review's `e` and `questions answer` re-add a file
    assert ([r.back for r in plan.updated], plan.retired) == (["normalises the logits"], [])


# -- files gone from a folder -----------------------------------------------------


def test_a_file_gone_from_a_folder_retires_its_cards_and_coming_back_restores_them(cli, home, tmp_path):
    folder = tmp_path / "notes"
    write(folder / "attention.md", "# Attention\n\nWhat replaces recurrence? :: Self-attention\n")
    gone = write(
        folder / "sub" / "resnet.md", "# ResNet\n\nWhat does a block learn? :: A residual\n## Questions\n- Why?\n"
    )
    added(cli, folder)
    [card_id] = [c["id"] for c in listed(cli) if c["front"] == "What does a block learn?"]
    grade(home, card_id, 5)
    text = gone.read_text()
    gone.unlink()

    out = added(cli, folder)
    assert out.startswith("Added 0 cards, retired 1, questions: 0 new, 1 gone")
    assert f"  - {gone.resolve()}:3  What does a block learn?" in out
    assert f"Gone from its folder: {gone.resolve()} (1 card retired)." in out
    assert {c["front"]: c["retired"] for c in listed(cli)} == {
        "What replaces recurrence?": False,
        "What does a block learn?": True,
    }
    assert added(cli, folder).startswith("No changes")

    gone.write_text(text)
    assert "restored 1 (history kept)" in added(cli, folder)
    [card] = [c for c in listed(cli) if c["id"] == card_id]
    assert (card["retired"], card["repetitions"], graded(home, card_id)) == (False, 1, [5])


def test_the_last_file_gone_from_a_folder_is_retired_too(cli, tmp_path):
    folder = tmp_path / "notes"
    notes = write(folder / "only.md", "# T\n\na :: b\n")
    added(cli, folder)
    notes.unlink()
    out = added(cli, folder)
    assert out.startswith("Added 0 cards, retired 1")
    assert [c["retired"] for c in listed(cli)] == [True]


def test_only_files_inside_a_folder_given_again_count_as_gone(cli, tmp_path):
    alone = write(tmp_path / "elsewhere" / "alone.md", "# Alone\n\na :: b\n")
    outside = write(tmp_path / "notes" / "top.md", "# Top\n\nc :: d\n")
    write(tmp_path / "notes" / "sub" / "kept.md", "# Kept\n\ne :: f\n")
    added(cli, alone)
    added(cli, tmp_path / "notes")
    alone.unlink()
    outside.unlink()
    out = added(cli, tmp_path / "notes" / "sub")  # neither gone file is inside the folder given
    assert out.startswith("No changes")
    assert "Gone" not in out
    assert not any(c["retired"] for c in listed(cli))


def test_a_file_moved_within_a_folder_keeps_its_cards(cli, home, tmp_path):
    folder = tmp_path / "notes"
    old = write(folder / "draft.md", "# Attention\n\nWhat replaces recurrence? :: Self-attention\n")
    added(cli, folder)
    [card] = listed(cli)
    grade(home, card["id"], 4)
    old.rename(folder / "attention.md")
    out = added(cli, folder)
    assert out.startswith("No changes")
    assert f"Gone from its folder: {old.resolve()} (0 cards retired)." in out
    [after] = listed(cli)
    assert (after["id"], after["retired"], after["source"]) == (
        card["id"],
        False,
        str((folder / "attention.md").resolve()),
    )


def test_a_dry_run_with_a_gone_file_writes_nothing(cli, tmp_path, rows):
    folder = tmp_path / "notes"
    write(folder / "a.md", "# A\n\na :: b\n")
    gone = write(folder / "b.md", "# B\n\nc :: d\n")
    added(cli, folder)
    before = rows.tables("cards", "files")
    gone.unlink()
    out = added(cli, "--dry-run", folder)
    assert out.startswith("Would add 0 cards, would retire 1")
    assert rows.tables("cards", "files") == before


# -- deck renames -----------------------------------------------------------------


def deck_notes(deck: str, back: str = "Self-attention") -> str:
    cards = f"What replaces recurrence? :: {back}\nSeveral heads ::: Multi-head attention\n"
    return f"---\ndeck: {deck}\n---\n# Attention\n\n{cards}"


def test_a_deck_renamed_in_front_matter_moves_the_cards_with_their_history(cli, home, tmp_path):
    notes = write(tmp_path / "attention.md", deck_notes("Papers::Old"))
    added(cli, notes)
    before = {c["front"]: c for c in listed(cli)}
    grade(home, before["What replaces recurrence?"]["id"], 5)

    notes.write_text(deck_notes("Papers::Transformer", back="Attention over all positions"))
    out = added(cli, notes)
    assert out.startswith("Added 0 cards, moved 3 to another deck (history kept)")
    assert "Moved from deck Papers::Old to Papers::Transformer: 3 cards." in out
    assert "retired" not in out.lower()
    after = {c["front"]: c for c in listed(cli)}
    assert {f: (c["id"], c["deck"], c["retired"]) for f, c in after.items()} == {
        f: (c["id"], "Papers::Transformer", False) for f, c in before.items()
    }
    moved = after["What replaces recurrence?"]
    assert (moved["back"], moved["repetitions"]) == ("Attention over all positions", 1)
    assert graded(home, moved["id"]) == [5]
    assert added(cli, notes).startswith("No changes")


def test_a_deck_given_with_the_deck_option_moves_the_cards(cli, home, tmp_path):
    notes = write(tmp_path / "attention.md", "# Attention\n\nWhat replaces recurrence? :: Self-attention\n")
    added(cli, notes)
    [card] = listed(cli)
    grade(home, card["id"], 4)
    out = added(cli, "--deck", "Papers::Transformer", notes)
    assert out.startswith("Added 0 cards, moved 1 to another deck (history kept)")
    [after] = listed(cli)
    assert (after["id"], after["deck"], after["repetitions"]) == (card["id"], "Papers::Transformer", 1)
    out = added(cli, notes)  # without --deck, back to the deck the file names
    assert "Moved from deck Papers::Transformer to Attention: 1 card." in out
    assert [(c["id"], c["deck"]) for c in listed(cli)] == [(card["id"], "Attention")]


def test_a_deck_rename_with_an_edited_front_retires_that_card(cli, tmp_path):
    notes = write(tmp_path / "attention.md", deck_notes("Papers::Old"))
    added(cli, notes)
    notes.write_text(deck_notes("Papers::New").replace("What replaces recurrence?", "What replaced recurrence?"))
    out = added(cli, notes)
    assert out.startswith("Added 1 card, moved 2 to another deck (history kept), retired 1")
    assert "What replaces recurrence?" in out.split("Retired")[1]


def test_a_card_moved_to_another_files_deck_is_not_taken_for_a_rename(cli, tmp_path):
    first = write(tmp_path / "a.md", "---\ndeck: A\n---\nshared :: one\n")
    write(tmp_path / "b.md", "---\ndeck: B\n---\nother :: two\n")
    added(cli, tmp_path / "a.md", tmp_path / "b.md")
    first.write_text("---\ndeck: A\n---\n")
    write(tmp_path / "b.md", "---\ndeck: B\n---\nother :: two\nshared :: one\n")
    out = added(cli, tmp_path / "a.md", tmp_path / "b.md")
    assert out.startswith("Added 1 card, retired 1")


def questions(cli, *args: str) -> dict[str, tuple[int, str, str]]:
    result = cli("questions", "--all", "--json", *args)
    assert result.exit_code == 0, result.output
    return {q["text"]: (q["id"], q["deck"], q["status"]) for q in json.loads(result.stdout)["questions"]}


@pytest.mark.parametrize("rename", ["front matter", "--deck"])
def test_a_deck_rename_keeps_each_open_questions_id(cli, tmp_path, rename):
    notes = write(
        tmp_path / "attention.md",
        deck_notes("Papers::Old") + "\n? Why not recurrence?\n\n## Questions\n- Why sinusoids?\n- Why 8 heads?\n",
    )
    added(cli, notes)
    before = questions(cli)
    answered = cli("questions", "answer", str(before["Why 8 heads?"][0]), "It worked best in Table 3.")
    assert answered.exit_code == 0, answered.output
    before = questions(cli)
    assert before["Why 8 heads?"][2] == "answered" and len(before) == 3

    if rename == "--deck":
        out = added(cli, "--deck", "Papers::New", notes)
    else:
        notes.write_text(notes.read_text().replace("deck: Papers::Old", "deck: Papers::New"))
        out = added(cli, notes)
    assert "questions: 0 new, 0 gone, 2 moved to another deck" in out
    after = questions(cli)
    assert after.pop("Why 8 heads?") == before.pop("Why 8 heads?")  # answered: a card now, which moved itself
    assert after == {text: (i, "Papers::New", "open") for text, (i, _, _) in before.items()}
    assert {c["front"]: c["deck"] for c in listed(cli)}["Why 8 heads?"] == "Papers::New"
    out = cli("export", "-o", str(tmp_path / "a.apkg"), "--deck", "Papers::New")
    assert out.exit_code == 0, out.output
    assert (tmp_path / "questions.md").read_text().count("- Why ") == 2  # the open two, under the new deck


# -- schedules from other tools ---------------------------------------------------


def test_a_new_card_starts_from_the_schedule_its_note_brings(home):
    note = Note(
        deck="Vault",
        kind="reversed",
        front="Softmax",
        back="normalises logits",
        context="Vault",
        source="/notes/vault.md",
        line=3,
        ords=(0, 1),
        starts=(CardState(ef=230, repetitions=2, interval=3, due=date(2026, 12, 5)),),
    )
    with open_store(home) as store:
        apply_plan(store, ImportPlan(added=card_rows(note)), MORNING)
        states = {c.ord: c.state for c in store.cards.select()}
    assert states == {0: CardState(230, 2, 3, date(2026, 12, 5)), 1: CardState()}


def test_obsidian_schedule_comments_start_new_cards_and_only_new_ones(cli, tmp_path):
    notes = write(tmp_path / "vault.md", "# Vault\n\nSoftmax :: normalises logits\n<!--SR:!2026-12-05,3,230-->\n")
    added(cli, notes)
    [card] = listed(cli)
    assert (card["front"], card["back"]) == ("Softmax", "normalises logits")
    assert (card["due"], card["interval"], card["ef"]) == ("2026-12-05", 3, 2.3)
    notes.write_text("# Vault\n\nSoftmax :: normalises the logits\n<!--SR:!2026-12-30,20,270-->\n")
    added(cli, notes)
    [again] = listed(cli)
    assert (again["back"], again["due"], again["interval"], again["ef"]) == (
        "normalises the logits",
        "2026-12-05",
        3,
        2.3,
    )


OBSIDIAN_VAULT = """---
aliases: [adam]
sr-due: 2026-12-01
---
# Optimisers

Adam::Adaptive moment estimation <!--SR:!2026-12-05,3,230-->
Momentum:::A running average of gradients <!--SR:!2026-12-01,1,250!2026-12-10,10,270-->

What does AdaMax divide by?
?
An exponentially weighted infinity norm
<!--SR:!2026-11-30,6,210-->

Nesterov::looks ahead
"""


def test_an_obsidian_vault_keeps_its_cards_and_their_schedules(cli, home, tmp_path):
    config(home, 'separators = "compact"\n')
    write(tmp_path / "vault" / "optimisers.md", OBSIDIAN_VAULT)
    out = added(cli, tmp_path / "vault")
    assert out.startswith("Added 5 cards")
    got = [(c["kind"], c["ord"], c["front"], c["back"], c["due"], c["interval"], c["ef"]) for c in listed(cli)]
    assert got == [
        ("basic", 0, "Adam", "Adaptive moment estimation", "2026-12-05", 3, 2.3),
        ("reversed", 0, "Momentum", "A running average of gradients", "2026-12-01", 1, 2.5),
        ("reversed", 1, "A running average of gradients", "Momentum", "2026-12-10", 10, 2.7),
        ("basic", 0, "What does AdaMax divide by?", "An exponentially weighted infinity norm", "2026-11-30", 6, 2.1),
        ("basic", 0, "Nesterov", "looks ahead", None, 0, 2.5),
    ]
    due = json.loads(cli("list", "--due", "--json", now="2026-11-30T09:00").stdout)["cards"]
    assert [c["front"] for c in due] == ["What does AdaMax divide by?"]

"""Anki knows each note by one GUID for good: a deck rename in the notes updates the note Anki has.

Real Anki throughout (the ``anki`` package): what a user's collection holds after each import,
their review history in it included.
"""

from __future__ import annotations

from pathlib import Path

from tests.test_export import export

NOTES = """---
deck: {deck}
---
# Adam

What does Adam keep per parameter? :: Running means of the gradient and its square

Adam's defaults {{{{c1::β₁ = 0.9}}}} and {{{{c2::β₂ = 0.999}}}} set the moment decays.
"""


def write(path: Path, deck: str) -> Path:
    path.write_text(NOTES.format(deck=deck), encoding="utf-8")
    return path


def review_first_card(anki) -> int:
    """Answer one card in Anki as a user would ("good"), so that it has history there; its card id."""
    card = anki.get_card(anki.find_cards('"Front:What does Adam*"')[0])
    card.start_timer()
    anki.sched.answerCard(card, 3)
    return card.id


def decks_of_cards(anki) -> dict[str, str]:
    """Each card's question's first words -> the name of the deck it is in."""
    found = {}
    for card_id in anki.find_cards(""):
        card = anki.get_card(card_id)
        found[card.note().fields[0][:12]] = anki.decks.name(card.did)
    return found


def test_a_renamed_deck_updates_the_notes_anki_has_and_keeps_their_history(cli, tmp_path, anki):
    notes = write(tmp_path / "adam.md", "Papers::Optimisers")
    cli("add", str(notes))
    anki.load(export(cli, tmp_path, "first.apkg"))
    reviewed = review_first_card(anki)
    assert (anki.note_count(), anki.card_count()) == (2, 3)

    write(notes, "Papers::Adam")
    added = cli("add", str(notes))
    assert "moved 3 to another deck (history kept)" in added.stdout and "retired" not in added.stdout, added.stdout
    result = cli("export", "-o", str(tmp_path / "second.apkg"), now="2026-11-24T09:00:00")
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines()[2:] == [
        "Moved to deck Papers::Adam since the last export: 2 notes; Anki's import keeps their cards in"
        ' Papers::Optimisers: in its browser, search deck:"Papers::Optimisers" and use Change Deck'
        " (or rename Papers::Optimisers there before importing).",
    ]
    log = anki.load(tmp_path / "second.apkg")
    assert (len(log.new), len(log.updated), len(log.duplicate)) == (0, 2, 0)
    assert (anki.note_count(), anki.card_count()) == (2, 3)
    card = anki.get_card(reviewed)
    assert (card.reps, anki.db.scalar("SELECT COUNT(*) FROM revlog WHERE cid = ?", reviewed)) == (1, 1)
    assert anki.find_notes("tag:studycards::retired") == []

    moving = anki.find_cards('deck:"Papers::Optimisers"')  # what the export said to do
    anki.set_deck(moving, anki.decks.id_for_name("Papers::Adam"))
    assert set(decks_of_cards(anki).values()) == {"Papers::Adam"}
    assert anki.get_card(reviewed).reps == 1

    third = cli("export", "-o", str(tmp_path / "third.apkg"), now="2026-11-25T09:00:00")
    assert "Moved to deck" not in third.stdout  # said once, for the export that moved them
    log = anki.load(tmp_path / "third.apkg")
    assert (len(log.new), len(log.updated), anki.note_count()) == (0, 0, 2)


def test_a_new_note_under_a_moved_notes_old_deck_is_a_note_of_its_own_in_anki(cli, tmp_path, anki):
    notes = write(tmp_path / "adam.md", "Papers::Optimisers")
    cli("add", str(notes))
    anki.load(export(cli, tmp_path, "first.apkg"))
    write(notes, "Papers::Adam")
    cli("add", str(notes))
    again = write(tmp_path / "again.md", "Papers::Optimisers")  # the old deck's name and fronts, now new cards
    assert "Added 3 cards" in cli("add", str(again)).stdout

    log = anki.load(export(cli, tmp_path, "second.apkg", now="2026-11-24T09:00:00"))
    assert (len(log.new), len(log.updated)) == (2, 2)
    assert anki.note_count() == 4
    sources = sorted(anki.get_note(n)["Source"] for n in anki.find_notes(""))
    assert sources == ["adam.md:6", "adam.md:8", "again.md:6", "again.md:8"]


def imported(package: Path, folder: Path, *, with_scheduling: bool) -> dict[str, set[int]]:
    """A fresh Anki collection after importing ``package``: each note's first field -> its cards' queues."""
    from anki.collection import Collection, ImportAnkiPackageOptions, ImportAnkiPackageRequest

    folder.mkdir()
    col = Collection(str(folder / "collection.anki2"))
    try:
        options = ImportAnkiPackageOptions(with_scheduling=with_scheduling)
        col.import_anki_package(ImportAnkiPackageRequest(package_path=str(package), options=options))
        found: dict[str, set[int]] = {}
        for card in (col.get_card(c) for c in col.find_cards("")):
            found.setdefault(card.note().fields[0][:20], set()).add(card.queue)
        return found
    finally:
        col.close()


def test_retired_notes_go_out_suspended_which_anki_keeps_only_for_a_note_it_lacks(cli, tmp_path, anki):
    """What README's In Anki says: tagged in a collection that has them, suspended in one that gets them anew."""
    from anki.consts import QUEUE_TYPE_NEW, QUEUE_TYPE_SUSPENDED

    notes = write(tmp_path / "adam.md", "Papers::Optimisers")
    cli("add", str(notes))
    anki.load(export(cli, tmp_path, "first.apkg"))
    notes.write_text(notes.read_text().replace("What does Adam keep", "Which averages does Adam keep"), "utf-8")
    assert "retired 1" in cli("add", str(notes)).stdout
    second = export(cli, tmp_path, "second.apkg", now="2026-11-24T09:00:00")

    anki.load(second)
    [retired] = anki.find_cards("tag:studycards::retired")
    assert anki.get_card(retired).note()["Front"] == "What does Adam keep per parameter?"
    assert anki.get_card(retired).queue == QUEUE_TYPE_NEW  # a card Anki has keeps its schedule: tagged only

    new, suspended = {QUEUE_TYPE_NEW}, {QUEUE_TYPE_SUSPENDED}
    assert imported(second, tmp_path / "with-progress", with_scheduling=True) == {
        "What does Adam keep ": suspended,
        "Which averages does ": new,
        "Adam's defaults {{c1": new,
    }
    assert imported(second, tmp_path / "without", with_scheduling=False) == {
        "What does Adam keep ": new,  # Anki's default import drops all scheduling, suspension included
        "Which averages does ": new,
        "Adam's defaults {{c1": new,
    }

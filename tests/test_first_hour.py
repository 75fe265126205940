"""The first hour of a newcomer (issue 20): what each step tells them, read as they would read it."""

from __future__ import annotations

import re
from pathlib import Path

from studycards.cli.base import ROAD
from tests.paths import DECKS


def commands_listed(help_text: str) -> list[tuple[str, str]]:
    section = help_text.split("Commands:\n", 1)[1]
    return [(m.group(1), m.group(2)) for m in re.finditer(r"^  (\S+)\s+(.*)$", section, re.MULTILINE)]


def test_help_lists_the_commands_in_the_order_of_the_road_with_whole_summaries(cli, commands):
    result = cli("--help", env={"COLUMNS": "80"})
    assert result.exit_code == 0
    listed = commands_listed(result.stdout)
    names = [name for name, _ in listed]
    road = [name for name in ROAD if name in commands]
    assert names[: len(road)] == road
    assert names[:12] == [
        "fetch",
        "highlights",
        "add",
        "review",
        "status",
        "search",
        "show",
        "stats",
        "questions",
        "export",
        "papers",
        "equations",
    ]
    assert sorted(names) == sorted(commands)
    assert "..." not in result.stdout.split("Commands:\n", 1)[1]
    assert all(len(line) <= 80 for line in result.stdout.splitlines())
    for name, summary in listed:
        assert summary.endswith("."), (name, summary)  # whole, not cut
    example = result.stdout.split("Example:\n", 1)[1].split("\n")[0]
    assert example.strip().startswith("studycards fetch ")


def test_a_command_added_later_is_listed_after_the_road_and_a_missing_one_is_skipped():
    import click

    from studycards.cli.base import RoadGroup

    group = RoadGroup()
    for name in ("zeta", "add", "fetch", "alpha"):
        group.add_command(click.Command(name, help=f"Do {name}. And more."))
    ctx = click.Context(group)
    assert group.list_commands(ctx) == ["fetch", "add", "alpha", "zeta"]
    assert commands_listed(group.get_help(ctx))[0] == ("fetch", "Do fetch.")


def test_the_readme_first_command_on_a_fresh_home_ends_with_the_next_step(cli):
    added = cli("add", DECKS)
    assert added.exit_code == 0, added.output
    assert added.stdout.splitlines()[-1] == "Ready today: 20 cards (20 new). Next: studycards review"
    status = cli("status")
    assert status.exit_code == 0
    lines = status.stdout.splitlines()
    forecast = next(line for line in lines if line.startswith("Next 7 days"))
    assert "0+20" in forecast  # the new cards the daily limit will bring, not seven zeros
    assert lines[-1] == "Ready today: 20 cards (20 new). Next: studycards review"


def test_the_ready_line_counts_due_reviews_and_names_the_deck(cli, tmp_path: Path):
    notes = tmp_path / "two.md"
    notes.write_text("# Two\n\nOne :: 1\n\nTwo :: 2\n", encoding="utf-8")
    assert cli("add", notes).exit_code == 0
    assert cli("review", input="\n5\n\n5\n").exit_code == 0
    cli.now = "2026-11-24T09:00:00"
    status = cli("status", "--deck", "Two")
    assert status.stdout.splitlines()[-1] == "Ready today: 2 cards (2 due). Next: studycards review --deck Two"
    cli.now = "2026-11-30T09:00:00"
    assert cli("review", input="\n5\n\n5\n").exit_code == 0
    assert cli("status").stdout.splitlines()[-1].startswith("Next 7 days")  # nothing today: no next step to claim


def test_export_to_a_name_without_an_extension_writes_an_apkg(cli, tmp_path: Path):
    assert cli("add", DECKS / "adam.md").exit_code == 0
    result = cli("export", "-o", tmp_path / "papers")
    assert result.exit_code == 0, result.output
    assert (tmp_path / "papers.apkg").is_file() and not (tmp_path / "papers").exists()
    assert f" to {tmp_path / 'papers.apkg'}; " in result.stdout
    kept = cli("export", "-o", tmp_path / "deck.v2")  # a name with an extension is the user's choice
    assert kept.exit_code == 0 and (tmp_path / "deck.v2").is_file()


def test_an_export_without_open_questions_writes_no_questions_file_and_says_so(cli, tmp_path: Path):
    notes = tmp_path / "plain.md"
    notes.write_text("# Plain\n\nOne :: 1\n", encoding="utf-8")
    assert cli("add", notes).exit_code == 0
    out = tmp_path / "out"
    out.mkdir()
    result = cli("export", "-o", out / "plain.apkg")
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in out.iterdir()) == ["plain.apkg"]
    first = result.stdout.splitlines()[0]
    assert first.endswith(f"; no open questions, so {out / 'questions.md'} was not written")


def front_column(lines: list[str]) -> set[int]:
    """The display cell where each line's front starts (after the deck column)."""
    from wcwidth import wcswidth

    return {wcswidth(line[: line.index("The ")]) for line in lines}


def test_list_and_dry_run_show_each_cloze_with_its_blank_the_deck_and_aligned_columns(cli, tmp_path: Path):
    (tmp_path / "a.md").write_text("# 注意力\n\nThe base uses {{c1::8}} heads and ==64== dims.\n", encoding="utf-8")
    lines = [f"The card {i} :: back {i}" for i in range(1, 12)]
    (tmp_path / "b.md").write_text("# Long deck name\n\n" + "\n".join(lines) + "\n", encoding="utf-8")
    dry = cli("add", "--dry-run", tmp_path)
    assert dry.exit_code == 0, dry.output
    shown = [line for line in dry.stdout.splitlines() if line.startswith("  + ")]
    assert shown[0].startswith(f"  + {tmp_path / 'a.md'}:3   cloze  ")  # padded to the width of b.md:12
    assert shown[0].endswith("注意力          The base uses […] heads and 64 dims.")
    assert shown[1].endswith("注意力          The base uses 8 heads and […] dims.")
    assert shown[2].endswith("Long deck name  The card 1")
    assert len(front_column(shown)) == 1  # line numbers of 1 and 2 digits, a CJK deck: the fronts still line up
    assert cli("add", tmp_path).exit_code == 0
    listed = cli("list").stdout.splitlines()
    assert listed[0].split() == ["id", "due", "interval", "EF", "kind", "deck", "front"]
    assert listed[1].endswith("注意力          The base uses […] heads and 64 dims.")
    assert listed[2].endswith("注意力          The base uses 8 heads and […] dims.")
    assert len(front_column(listed[1:])) == 1


def test_questions_headers_have_one_form_with_or_without_a_paper(cli, tmp_path: Path):
    (tmp_path / "loose.md").write_text("# Loose notes\n\n## Questions\n- Why?\n", encoding="utf-8")
    assert cli("add", DECKS / "adam.md", tmp_path / "loose.md").exit_code == 0
    headers = [line for line in cli("questions").stdout.splitlines() if not line.startswith(" ")]
    assert sorted(headers) == [
        "Adam: A Method for Stochastic Optimization · arXiv:1412.6980 · deck Papers::Adam",
        "Loose notes · deck Loose notes",
    ]


def test_the_review_summary_reads_as_english_and_leaves_zeros_out(cli, tmp_path: Path):
    notes = tmp_path / "n.md"
    notes.write_text("# N\n\nOne :: 1\n\nTwo :: 2\n", encoding="utf-8")
    assert cli("add", notes).exit_code == 0
    one = cli("review", input="\n2\n\n5\n\n4\n").stdout  # a fail, a pass, the fail again passed: one re-drill
    summary = one[one.index("Reviewed") :].splitlines()
    assert summary == [
        "Reviewed 2 cards (2 new).",
        "1 re-drill.",
        "Time: 0 s.",
        "Grades: 2:1 5:1",
        "Due tomorrow: 2 cards.",
    ]


def test_a_file_without_cards_says_no_cards_found_and_what_looks_like_one(cli, tmp_path: Path):
    prose = tmp_path / "prose.md"
    prose.write_text("# Prose\n\nJust reading notes.\n", encoding="utf-8")
    assert cli("add", prose).stdout == f"No cards found in {prose}.\n"
    look = tmp_path / "look.md"
    look.write_text("# Look\n\nfront::back\nother::thing\n", encoding="utf-8")
    for _ in range(2):  # the first add and every later one
        said = cli("add", look).stdout.splitlines()
        assert said[0] == f"No cards found in {look}."
        assert said[1].startswith(
            f"2 lines would be cards with compact separators (front::back, without spaces), the first at {look}:3"
        )
        assert "studycards config separators compact" in said[1]
        assert "up to date" not in " ".join(said)
    folder = tmp_path / "folder"
    folder.mkdir()
    (folder / "empty.md").write_text("# E\n\nprose\n", encoding="utf-8")
    (folder / "cards.md").write_text("# C\n\nq :: a\n", encoding="utf-8")
    assert cli("add", folder).exit_code == 0
    assert cli("add", folder).stdout.splitlines() == [
        "No changes: 2 files checked, every card already up to date.",
        f"No cards found in {folder / 'empty.md'}.",
    ]


def test_the_count_of_mistakes_is_plain_english(cli, tmp_path: Path):
    notes = tmp_path / "bad.md"
    notes.write_text("# Bad\n\nQ: no answer\n\nempty ::\n", encoding="utf-8")
    result = cli("add", notes)
    assert result.exit_code == 1
    assert result.stderr.splitlines()[-1] == "Error: 2 errors; nothing was written"

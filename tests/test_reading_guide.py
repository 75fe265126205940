"""The reading guide end to end: fetch from a local arXiv, the guide written, `add` on it unedited."""

from __future__ import annotations

import json
from pathlib import Path

from tests.arxiv_server import ArxivServer


def test_fetch_writes_a_guide_that_adds_as_is(cli, arxiv_server: ArxivServer, home: Path, tmp_path: Path) -> None:
    notes = tmp_path / "notes"
    result = cli("fetch", "1706.03762", "--notes", str(notes))
    assert result.exit_code == 0, result.output
    guide = notes / "attention-is-all-you-need.md"
    assert f"Reading guide written: {guide}" in result.stdout
    text = guide.read_text()
    assert text.startswith('---\npaper: "1706.03762"\n')

    added = cli("add", str(guide))
    assert added.exit_code == 0, added.output
    cards = json.loads(cli("list", "--json").stdout)["cards"]
    equations = [c for c in cards if c["kind"] == "equation"]
    attention = [c for c in equations if "softmax" in c["back"] and "sqrt{d_k}" in c["back"]]
    assert len(attention) == 1, [c["back"] for c in equations]
    assert "We compute the matrix of outputs as" in attention[0]["front"]
    assert attention[0]["paper"] == "1706.03762" and attention[0]["paper_title"] == "Attention Is All You Need"

    again = cli("fetch", "1706.03762", "--notes", str(notes))
    assert again.exit_code == 0
    assert f"Reading guide kept: {guide} already exists" in again.stdout
    assert guide.read_text() == text


def test_review_names_the_fetched_paper_of_a_notes_file(
    cli,
    arxiv_server: ArxivServer,
    home: Path,
    tmp_path: Path,
) -> None:
    notes = tmp_path / "mine.md"
    notes.write_text("---\npaper: 1706.03762\n---\n# My reading notes\n\nWhat replaces recurrence? :: Attention\n")
    assert cli("add", str(notes)).exit_code == 0
    before = cli("review", input="q\n")
    assert " My reading notes " in before.stdout and "Attention Is All You Need" not in before.stdout
    assert cli("fetch", "--no-source", "1706.03762").exit_code == 0
    after = cli("review", input="q\n")
    assert " Attention Is All You Need › My reading notes " in after.stdout


def test_sympy_reading_is_stored_at_fetch_and_shown_from_the_store(
    cli,
    arxiv_server: ArxivServer,
    home: Path,
) -> None:
    import shutil

    from studycards.store.database import open_store

    assert cli("fetch", "0903.0179").exit_code == 0
    with open_store(home) as store:
        equations = store.papers.equations("0903.0179")
    read = [eq for eq in equations if eq.pretty]
    assert read and all(eq.symbols for eq in read)
    shutil.rmtree(home / "cache")  # what `equations ID` shows now can only come from the store
    shown = cli("equations", "0903.0179")
    assert shown.exit_code == 0, shown.output
    assert read[0].pretty.splitlines()[0].strip() in shown.stdout
    assert len([line for line in shown.stdout.splitlines() if line.startswith("(")]) == len(equations)

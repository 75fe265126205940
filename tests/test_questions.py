"""Open questions: the exported questions file, and `questions answer` turning a question into a card."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest

from studycards.notes.parser import parse_notes
from tests.paths import DECKS


def questions(cli, *args: str) -> dict[int, dict]:
    result = cli("questions", "--json", *args)
    assert result.exit_code == 0, result.output
    return {q["id"]: q for q in json.loads(result.stdout)["questions"]}


def copy_decks(cli, tmp_path: Path) -> Path:
    folder = tmp_path / "notes"
    shutil.copytree(DECKS, folder)
    assert cli("add", str(folder)).exit_code == 0
    return folder


def test_the_questions_file_lists_every_open_question_of_the_notes_by_paper(cli, tmp_path):
    folder = copy_decks(cli, tmp_path)
    assert cli("export", "-o", str(folder / "papers.apkg")).exit_code == 0
    text = (folder / "questions.md").read_text()
    assert text.startswith(
        "# Open research questions\n\n14 open questions from your notes, exported by studycards on 2026-11-23.\n"
    )

    expected = {}
    for path in sorted(folder.glob("*.md")):
        if path.name == "questions.md":
            continue
        parsed = parse_notes(path.read_text(), str(path.resolve()))
        for q in parsed.questions:
            expected[(path.name, q.line)] = (" ".join(q.text.split()), parsed.paper)
    listed = re.findall(r"^- (.+)\n  — (?:\*.+\*, )?`([^`:]+):(\d+)` \(#(\d+)\)$", text, re.M)
    assert {(name, int(line)): question for question, name, line, _ in listed} == {
        key: question for key, (question, _) in expected.items()
    }

    sections = re.split(r"^## ", text, flags=re.M)[1:]
    assert [s.splitlines()[0] for s in sections] == [
        "Adam: A Method for Stochastic Optimization",
        "FaceNet: A Unified Embedding for Face Recognition and Clustering",
        "Deep Residual Learning for Image Recognition",
        "Attention Is All You Need",
    ]
    for section in sections:
        link = re.search(r"^\[arXiv:(\S+)\]\(https://arxiv\.org/abs/(\S+)\) · deck Papers::\w+$", section, re.M)
        assert link and link.group(1) == link.group(2)
        for name, line in re.findall(r"`([^`:]+):(\d+)`", section):
            assert expected[(name, int(line))][1] == link.group(1)
            noted = (folder / name).read_text().splitlines()[int(line) - 1]
            assert noted.startswith(("- ", "? "))


def test_answering_a_list_question_and_a_paragraph_question_makes_cards_and_keeps_the_rest(cli, tmp_path, home):
    folder = copy_decks(cli, tmp_path)
    path = folder / "attention-is-all-you-need.md"
    original = path.read_bytes().decode().splitlines(keepends=True)
    by_line = {q["line"]: q for q in questions(cli).values() if q["source"] == str(path)}
    listed, paragraph = by_line[126], by_line[36]

    result = cli("questions", "answer", str(listed["id"]), "Not shown;  the paper only\nguesses  it might.")
    assert result.exit_code == 0, result.output
    assert (
        result.stdout == f"Answered #{listed['id']}: it is now a Q/A card at {path}:126 (deck Papers::Transformer).\n"
    )
    result = cli("questions", "answer", str(paragraph["id"]), r"Partly: heads differ, some follow $\mathrm{syntax}$.")
    assert result.exit_code == 0, result.output

    assert (
        path.read_bytes().decode().splitlines(keepends=True)
        == [
            *original[:35],
            "Q: " + original[35][2:],
            original[36],
            "A: Partly: heads differ, some follow $\\mathrm{syntax}$.\n",
            *original[37:125],
            "Q: " + original[125][2:],
            "A: Not shown; the paper only guesses it might.\n",
            "\n",
            "\n",  # two blank lines: after one, the rest of the list would continue the answer
            *original[126:],
        ]
    )
    cards = json.loads(cli("list", "--json").stdout)["cards"]
    made = {c["front"]: c for c in cards if c["source"] == str(path) and c["line"] in (36, 127)}
    assert made[listed["text"]]["back"] == "Not shown; the paper only guesses it might."
    assert made[paragraph["text"]]["back"] == r"Partly: heads differ, some follow $\mathrm{syntax}$."

    assert listed["id"] not in questions(cli) and paragraph["id"] not in questions(cli)
    answered = questions(cli, "--all")
    assert (answered[listed["id"]]["status"], answered[listed["id"]]["answer"]) == (
        "answered",
        "Not shown; the paper only guesses it might.",
    )
    assert "[answered]" in cli("questions", "--all").stdout
    assert cli("add", str(path)).stdout.startswith("No changes")
    others = [q for q in questions(cli).values() if q["source"] == str(path)]
    assert sorted(q["line"] for q in others) == [131, 132]


def test_line_endings_and_a_byte_order_mark_are_kept(cli, tmp_path):
    path = tmp_path / "crlf.md"
    body = "# Paper\r\n\r\nWhat is it? :: A test\r\n\r\n## Questions\r\n- First?\r\n- Second?\r\n- Third?"
    path.write_bytes(b"\xef\xbb\xbf" + body.encode())
    assert cli("add", str(path)).exit_code == 0
    ids = {q["text"]: q["id"] for q in questions(cli).values()}
    assert cli("questions", "answer", str(ids["Second?"]), "Two").exit_code == 0
    assert cli("questions", "answer", str(ids["Third?"]), "Three").exit_code == 0
    assert path.read_bytes() == b"\xef\xbb\xbf" + (
        b"# Paper\r\n\r\nWhat is it? :: A test\r\n\r\n## Questions\r\n- First?\r\n"
        b"\r\nQ: Second?\r\nA: Two\r\n\r\n\r\nQ: Third?\r\nA: Three"
    )
    assert [q["text"] for q in questions(cli).values()] == ["First?"]


def test_a_file_changed_since_it_was_added_is_refused_and_nothing_changes(cli, tmp_path, home, rows):
    folder = copy_decks(cli, tmp_path)
    path = folder / "facenet.md"
    [question] = [q for q in questions(cli).values() if q["source"] == str(path)][:1]
    path.write_text(path.read_text() + "\nA new line, not added yet.\n")
    edited, before = path.read_bytes(), rows.tables("cards", "questions", "files")
    result = cli("questions", "answer", str(question["id"]), "Some answer")
    assert result.exit_code == 1
    assert result.stderr == f"Error: {path} changed since it was added; run studycards add {path} first\n"
    assert path.read_bytes() == edited and rows.tables("cards", "questions", "files") == before


@pytest.mark.parametrize(
    "answer, message",
    [
        ("an unclosed $x math", "unclosed $ math"),
        ("   ", "the answer is empty"),
    ],
)
def test_a_bad_answer_leaves_file_and_store_as_they_were(cli, answer, message, tmp_path, home, rows):
    folder = copy_decks(cli, tmp_path)
    path = folder / "adam.md"
    [question] = [q for q in questions(cli).values() if q["source"] == str(path)][:1]
    original, before = path.read_bytes(), rows.tables("cards", "questions", "files")
    result = cli("questions", "answer", str(question["id"]), answer)
    assert result.exit_code == 1 and message in result.stderr and "Traceback" not in result.output
    assert path.read_bytes() == original and rows.tables("cards", "questions", "files") == before
    assert not list(folder.glob(".*.tmp"))


def test_unknown_and_already_answered_questions(cli, tmp_path):
    copy_decks(cli, tmp_path)
    unknown = cli("questions", "answer", "999", "x")
    assert unknown.exit_code == 1 and "no question #999" in unknown.stderr
    first = min(questions(cli))
    assert cli("questions", "answer", str(first), "Yes").exit_code == 0
    again = cli("questions", "answer", str(first), "Yes")
    assert again.exit_code == 1 and f"question #{first} is already answered" in again.stderr


def test_a_question_sharing_its_list_item_is_refused(cli, tmp_path):
    path = tmp_path / "loose.md"
    path.write_text("# Paper\n\n## Questions\n\n- First question?\n\n  Second paragraph, also a question?\n")
    assert cli("add", str(path)).exit_code == 0
    original = path.read_bytes()
    for question in questions(cli).values():
        result = cli("questions", "answer", str(question["id"]), "An answer")
        assert result.exit_code == 1 and "shares its list item with other text" in result.stderr
    assert path.read_bytes() == original


def test_a_question_nested_deeper_than_markdowns_default_limit_is_answered(cli, tmp_path):
    """`answer` reads the file with the notes parser itself, so it finds what `add` found."""
    items = "".join("  " * depth + f"- level {depth}\n" for depth in range(12))
    notes = tmp_path / "deep.md"
    notes.write_text("# Deep\n\n## Questions\n" + items + "  " * 12 + "- Why so deep?\n")
    assert cli("add", str(notes)).exit_code == 0
    [found] = [q for q in questions(cli).values() if q["text"] == "Why so deep?"]
    result = cli("questions", "answer", str(found["id"]), "Because.")
    assert result.exit_code == 0, result.output
    assert "Q: Why so deep?\nA: Because." in notes.read_text()


def test_questions_are_wrapped_never_cut_and_paper_takes_every_id_form(cli, tmp_path):
    long = (
        "Would the same results hold if the encoder and decoder shared one stack of layers, with the cross-attention"
        " replaced by attention over the concatenated sequence, as later decoder-only models do?"
    )
    path = tmp_path / "n.md"
    path.write_text(f"---\npaper: 1706.03762\n---\n# Attention\n\na :: b\n\n## Questions\n- {long}\n", encoding="utf-8")
    assert cli("add", path).exit_code == 0
    for form in ("1706.03762", "arXiv:1706.03762", "1706.03762v7", "https://arxiv.org/abs/1706.03762"):
        result = cli("questions", "--paper", form, env={"COLUMNS": "60"})
        assert result.exit_code == 0, result.output
        lines = result.stdout.splitlines()
        question = [line for line in lines if line.startswith("  #") or (line.startswith(" " * 6) and line[6] != " ")]
        assert lines[0] == "Attention · arXiv:1706.03762 · deck Attention"
        assert len(question) == 4 and all(len(line) <= 60 for line in question)
        assert " ".join(line.strip() for line in question) == f"#1  {long}"
        assert lines[len(question) + 1].startswith("        Attention › Questions — ")
    refused = cli("questions", "--paper", "not-an-id")
    assert refused.exit_code == 1
    assert refused.stderr.startswith("Error: not an arXiv id or URL: 'not-an-id'")

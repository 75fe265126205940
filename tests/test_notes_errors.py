"""Every mistake a notes file can hold: the exact ``FILE:LINE: message`` that ``add`` prints, and nothing written."""

from __future__ import annotations

from pathlib import Path

import pytest

NESTED = "".join("  " * depth + "- level\n" for depth in range(60))

CASES = [
    ("---\nseparators: tight\n---\na :: b\n", 2, "separators: must be compact (front::back) or spaced (front :: back)"),
    (
        "---\npaper: nope\n---\n# T\n\na :: b\n",
        2,
        "paper: 'nope' is not an arXiv id (like 1706.03762 or hep-th/9901001)",
    ),
    ("---\ntags: [a]\ndeck: 5\n---\na :: b\n", 3, "deck: must be a name like Papers::Transformer"),
    ("---\ndeck: ' :: '\n---\na :: b\n", 2, "deck: must be a name like Papers::Transformer"),
    ("---\ntags: {a: 1}\n---\na :: b\n", 2, "tags: must be a list of words, like [attention, nlp]"),
    (
        "---\ntags: &t [a]\ndeck: *t\n---\na :: b\n",
        3,
        "front matter uses YAML anchors or aliases (&name, *name); write each value out",
    ),
    ("---\ntags: [a\n---\na :: b\n", 2, "front matter is not valid YAML: expected ',' or ']', but got '<stream end>'"),
    ("---\n- a\n---\na :: b\n", 2, "front matter must be `key: value` lines (paper, deck, tags)"),
    ("# T\n\n:: back\n", 3, "empty front in `::` card"),
    ("# T\n\nfront ::\n", 3, "empty back in `::` card"),
    ("# T\n\nfront :::\n", 3, "empty back in `:::` card"),
    ("# T\n\nfront :: costs $5\n", 3, "unclosed $ math: every $ needs a closing $ (write \\$ for a dollar sign)"),
    ("# T\n\nsee $x :: y\n", 3, "unclosed $ math: every $ needs a closing $ (write \\$ for a dollar sign)"),
    ("# T\n\nQ: Why?\nNo answer here.\n", 3, "`Q:` without an `A:` (the answer starts with `A:` on its own line)"),
    ("# T\n\nQ: Why?\nA:\n", 3, "empty answer in `Q:`/`A:` card"),
    ("# T\n\nQ:\nA: Because.\n", 3, "empty question in `Q:`/`A:` card"),
    ("# T\n\nQ: Why $x?\nA: Because.\n", 3, "unclosed $ math: every $ needs a closing $ (write \\$ for a dollar sign)"),
    ("# T\n\nA {{c1::b {{c2::c}} d}} e.\n", 3, "a cloze inside a cloze is not supported"),
    ("# T\n\nA {{c1::b e.\n", 3, "unclosed cloze `{{c1::`: it needs a closing `}}`"),
    ("# T\n\nA {{c1:: }} e.\n", 3, "empty cloze `{{c1::}}`"),
    ("# T\n\nA {{c0::b}} e.\n", 3, "cloze numbers start at c1"),
    ("# T\n\nA {{c1::b}} costs $5.\n", 3, "unclosed $ math: every $ needs a closing $ (write \\$ for a dollar sign)"),
    ("# T\n\nThe loss:\n$$\n$$\n", 5, "empty $$ block under an equation prompt"),
    ("# T\n\nThe loss:\n$$\nx = 1\n", 4, "unclosed $$: the display math never ends"),
    ("# T\n\na :: b\n\na :: c\n", 5, "duplicate front in deck T (first at line 3)"),
    (
        "# T\n\n" + NESTED,
        3 + 49,
        "lists or quotes nested too deeply: markdown reads no further here, and cards below "
        "would be lost; flatten them",
    ),
]


@pytest.mark.parametrize("text, line, message", CASES)
def test_each_mistake_is_reported_at_its_line_and_nothing_is_written(cli, rows, tmp_path, text, line, message):
    notes = tmp_path / "n.md"
    notes.write_text(text, encoding="utf-8")
    result = cli("add", notes)
    assert result.exit_code == 1
    assert f"{notes}:{line}: {message}" in result.stderr.splitlines()
    assert result.stderr.splitlines()[-1].endswith("; nothing was written")
    assert rows.tables("cards", "files") in ([], [[], []])


@pytest.mark.parametrize(
    "data, line, message",
    [
        (b"# T\n\na :: b\x00\n", 1, "not a text file (it contains NUL bytes)"),
        (b"# T\n\na :: b\n\xe9t\xe9 :: summer\n", 4, "not UTF-8 text (byte 0xe9); save the file as UTF-8"),
    ],
)
def test_files_that_are_not_utf8_text(cli, tmp_path, data, line, message):
    notes = tmp_path / "n.md"
    notes.write_bytes(data)
    result = cli("add", notes)
    assert result.exit_code == 1
    assert f"{notes}:{line}: {message}" in result.stderr.splitlines()


def test_a_front_reused_in_another_file_of_the_deck_is_refused_in_both_runs(cli, rows, tmp_path):
    first, second = tmp_path / "a.md", tmp_path / "b.md"
    first.write_text("---\ndeck: D\n---\nSame front :: one\n", encoding="utf-8")
    second.write_text("---\ndeck: D\n---\n\nSame front :: two\n", encoding="utf-8")
    together = cli("add", first, second)
    assert together.exit_code == 1
    assert f"{second}:5: duplicate front in deck D (also at {first}:4)" in together.stderr.splitlines()
    assert cli("add", first).exit_code == 0
    later = cli("add", second)
    assert later.exit_code == 1
    assert f"{second}:5: duplicate front in deck D (also at {first}:4)" in later.stderr.splitlines()
    assert rows("SELECT front, back, source FROM cards") == [("Same front", "one", str(first))]


def test_skip_bad_adds_a_front_two_files_give_from_the_first_and_skips_the_other(cli, rows, tmp_path):
    first, second = tmp_path / "a.md", tmp_path / "b.md"
    first.write_text("---\ndeck: D\n---\nSame front :: one\n", encoding="utf-8")
    second.write_text("---\ndeck: D\n---\n\nSame front :: two\n\nOther :: three\n", encoding="utf-8")
    result = cli("add", "--skip-bad", first, second)
    assert result.exit_code == 0, result.output
    assert f"skipped: {second}:5: duplicate front in deck D (also at {first}:4)" in result.output.splitlines()
    assert rows("SELECT front, back, source FROM cards ORDER BY id") == [
        ("Same front", "one", str(first)),
        ("Other", "three", str(second)),
    ]


def test_skip_bad_adds_the_good_cards_and_lists_the_bad(cli, rows, tmp_path: Path):
    notes = tmp_path / "n.md"
    notes.write_text("# T\n\ngood :: card\n\nQ: no answer\n\nalso :: good\n\nbad ::\n", encoding="utf-8")
    refused = cli("add", notes)
    assert refused.exit_code == 1
    result = cli("add", "--skip-bad", notes)
    assert result.exit_code == 0, result.output
    assert result.output.splitlines() == [
        f"skipped: {notes}:5: `Q:` without an `A:` (the answer starts with `A:` on its own line)",
        f"skipped: {notes}:9: empty back in `::` card",
        "Added 2 cards (1 file, 0 unchanged).",
        "Ready today: 2 cards (2 new). Next: studycards review",
    ]
    assert rows("SELECT front FROM cards ORDER BY line") == [("good",), ("also",)]

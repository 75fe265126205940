"""Small rules of the notes grammar that mutation testing found unpinned: deck names, headings, escapes."""

from __future__ import annotations

import pytest

from studycards.notes.parser import parse_notes
from studycards.notes.syntax import QuestionStatus, find_separator


@pytest.mark.parametrize(
    "text, path, deck",
    [
        ("## Background\n\n# Real Title\n\na :: b\n", "n.md", "Real Title"),
        ("a :: b\n", "notes\\win\\paper-notes.md", "paper-notes"),
        ("a :: b\n", "dir/sub/resnet.md", "resnet"),
        ("a :: b\n", ".md", "Default"),
        ("# Papers ::  Transformer \n\na :: b\n", "n.md", "Papers::Transformer"),
    ],
)
def test_the_deck_comes_from_the_first_top_heading_else_the_file_name(text, path, deck):
    assert parse_notes(text, path).deck == deck


@pytest.mark.parametrize(
    "heading", ["## Questions", "## Open questions", "## Questions:", "## OPEN QUESTIONS", "### questions"]
)
def test_list_items_under_a_questions_heading_are_questions(heading):
    parsed = parse_notes(f"# T\n\n{heading}\n\n- Why?\n1. How?\n", "n.md")
    assert [(q.text, q.line) for q in parsed.questions] == [("Why?", 5), ("How?", 6)]
    assert parsed.notes == []


def test_list_items_elsewhere_are_read_as_cards():
    parsed = parse_notes("# T\n\n## Notes\n\n- a :: b\n1. c :: d\n", "n.md")
    assert [(n.front, n.back, n.line) for n in parsed.notes] == [("a", "b", 5), ("c", "d", 6)]


@pytest.mark.parametrize(
    "text, expected",
    [
        ("a\\: :: b", 4),
        ("\\\\ :: b", 3),
        ("{{c1::a :: b}} :: c", 15),
        ("}} a :: b", 5),
    ],
)
def test_separator_positions_after_escapes_and_clozes(text, expected):
    found = find_separator(text)
    assert found is not None and found[1] == expected


def test_an_equation_prompt_is_the_prose_right_above_the_display():
    text = "# T\n\nIntro line one.\nThe loss is:\n$$\nL = x\n$$\n"
    parsed = parse_notes(text, "n.md")
    assert [(n.kind, n.front, n.back, n.line) for n in parsed.notes] == [
        ("equation", "Intro line one.\nThe loss is:", "$$\nL = x\n$$", 3)
    ]


def test_a_display_without_a_prompt_makes_no_card_and_the_prose_after_it_is_read():
    parsed = parse_notes("# T\n\nNo colon here\n$$\nx\n$$\nlater :: card\n", "n.md")
    assert [(n.front, n.back) for n in parsed.notes] == [("later", "card")]


def test_question_states_are_the_words_the_store_and_json_use():
    assert [s.value for s in QuestionStatus] == ["open", "answered", "gone"]


def test_nesting_at_the_limit_is_read_and_one_deeper_is_an_error():
    from studycards.notes.parser import MAX_NESTING

    def nested(levels: int) -> str:
        return "# T\n\n" + "".join("  " * d + "- x\n" for d in range(levels - 1)) + "  " * (levels - 1) + "- a :: b\n"

    deepest_read = (MAX_NESTING - 2) // 2
    ok = parse_notes(nested(deepest_read), "n.md")
    assert (ok.errors, [(n.front, n.back) for n in ok.notes]) == ([], [("a", "b")])
    too_deep = parse_notes(nested(deepest_read + 1), "n.md")
    assert [e.message.split(":")[0] for e in too_deep.errors] == ["lists or quotes nested too deeply"]

"""Where a card starts and ends, cloze and code, other tools' notes: each rule a table of small notes files."""

from __future__ import annotations

from datetime import date

import pytest

from studycards.models import CardState
from studycards.notes.parser import parse_notes


def cards(text: str, **options: bool) -> list[tuple[str, str, str]]:
    parsed = parse_notes(text, "n.md", **options)
    assert [str(e) for e in parsed.errors] == []
    return [(n.kind, n.front, n.back) for n in parsed.notes]


@pytest.mark.parametrize(
    "text, expected",
    [
        ("# T\n\nfront :: back\nQ: Kept?\nA: Yes.\n", [("basic", "front", "back"), ("basic", "Kept?", "Yes.")]),
        ("# T\n\nSome prose first.\nQ: Kept?\nA: Yes.\n", [("basic", "Kept?", "Yes.")]),
        ("# T\n\nQ: Why?\nA: Because.\nnext :: card\n", [("basic", "Why?", "Because."), ("basic", "next", "card")]),
        ("# T\n\nQ: One?\nA: 1\nQ: Two?\nA: 2\n", [("basic", "One?", "1"), ("basic", "Two?", "2")]),
        ("# T\n\nQ: Parts?\nA: Three parts:\n- one\n- two\n", [("basic", "Parts?", "Three parts:\n- one\n- two")]),
        (
            "# T\n\nQ: Sizes?\nA: These:\n| model | d |\n|---|---|\n| base | 512 |\n",
            [("basic", "Sizes?", "These:\n| model | d |\n|---|---|\n| base | 512 |")],
        ),
        ("# T\n\nQ: Loss?\nA: It is\n$$\nL = x :: y\n$$\n", [("basic", "Loss?", "It is\n$$\nL = x :: y\n$$")]),
        ("# T\n\nQ: Loss?\nA:\n\n$$\nL = x\n$$\n", [("basic", "Loss?", "$$\nL = x\n$$")]),
        ("# T\n\nQ: Parts?\nA:\n\n- one\n- two\n", [("basic", "Parts?", "- one\n- two")]),
        ("# T\n\nQ: Code?\nA: Like this:\n\n    x = 1\n", [("basic", "Code?", "Like this:\n\n    x = 1")]),
        ("# T\n\nQ: Why?\nA: Because.\n\nThen prose.\n", [("basic", "Why?", "Because.")]),
        ("# T\n\nQ: Why?\nA: Because.\n\n\n- a list of its own\n", [("basic", "Why?", "Because.")]),
        (
            "# T\n\nQ: Why?\nA: Because.\n## Next\n- item :: card\n",
            [("basic", "Why?", "Because."), ("basic", "item", "card")],
        ),
    ],
)
def test_where_a_card_starts_and_ends(text, expected):
    assert cards(text) == expected


@pytest.mark.parametrize(
    "text, expected",
    [
        ("# T\n\nUse `a==b` or `c==d` here.\n", []),
        ("# T\n\nAn escaped \\==equals== is text.\n", []),
        ("# T\n\nSee `{{c1::x}}` in code.\n", []),
        (
            "# T\n\nSoftmax :: normalises\nTemperature :: divides the ==logits==\nDropout :: zeroes units\n",
            [
                ("basic", "Softmax", "normalises"),
                ("basic", "Temperature", "divides the ==logits=="),
                ("basic", "Dropout", "zeroes units"),
            ],
        ),
        ("# T\n\n==c1::text== in another tool's form.\n", [("cloze", "{{c1::text}} in another tool's form.", "")]),
        ("# T\n\nThe ==c2::answer== and ==other==.\n", [("cloze", "The {{c2::answer}} and {{c1::other}}.", "")]),
        ("# T\n\nWhen $a==b$ the ==loss== is zero.\n", [("cloze", "When $a==b$ the {{c1::loss}} is zero.", "")]),
        ("# T\n\nThe ==$x$ term== and `==`.\n", [("cloze", "The {{c1::$x$ term}} and `==`.", "")]),
        (
            "# T\n\nScaled by $\\frac{1}{ {{c1::\\sqrt{d_k}}} }$ here.\n",
            [("cloze", "Scaled by $\\frac{1}{ {{c1::\\sqrt{d_k}}} }$ here.", "")],
        ),
    ],
)
def test_code_and_math_are_opaque_to_clozes_and_highlights(text, expected):
    assert cards(text) == expected


@pytest.mark.parametrize(
    "text, message",
    [
        (
            "# T\n\nA {{c1::b $x}} c$ d.\n",
            "n.md:3: cloze `{{c1::` crosses a math or code boundary: keep it inside or outside",
        ),
        ("# T\n\nA ==b $x== c$ d.\n", "n.md:3: a highlight `==…==` may not cross a math or code boundary"),
        ("# T\n\nQ: Why?\nA:\n", "n.md:3: empty answer in `Q:`/`A:` card"),
        ("# T\n\nfront\n?\n", "n.md:3: empty back in `?` card"),
    ],
)
def test_what_cannot_be_read_is_an_error_at_its_line(text, message):
    assert [str(e) for e in parse_notes(text, "n.md").errors] == [message]


OBSIDIAN_FRONT_MATTER = """---
aliases: [Attention]
created: 2026-01-04
id: 20260104-attention
cssclasses: [wide]
sr-due: 2026-01-09
annotation-target: attention.pdf
tags: attention, nlp transformers
---
# Attention

front :: back
"""


def test_other_tools_front_matter_keys_are_ignored_and_tags_may_be_one_string():
    parsed = parse_notes(OBSIDIAN_FRONT_MATTER, "n.md")
    assert (parsed.errors, parsed.warnings) == ([], [])
    assert parsed.tags == ("attention", "nlp", "transformers")
    assert [(n.front, n.back) for n in parsed.notes] == [("front", "back")]


def test_a_key_close_to_a_known_one_is_a_warning_naming_it():
    parsed = parse_notes("---\ndek: Papers\ntag: [a]\n---\na :: b\n", "n.md")
    assert parsed.errors == []
    assert [str(w) for w in parsed.warnings] == [
        "n.md:2: front-matter key 'dek' is ignored: did you mean 'deck'?",
        "n.md:3: front-matter key 'tag' is ignored: did you mean 'tags'?",
    ]
    assert len(parsed.notes) == 1


COMPACT = "# T\n\nWhat is attention?::A weighted average\nSelf-attention:::Attention of a sequence to itself\n"


def test_compact_separators_are_a_setting_and_look_alikes_are_reported_without_it():
    parsed = parse_notes(COMPACT, "n.md")
    assert (parsed.notes, parsed.errors, parsed.compact_lookalikes) == ([], [], [3, 4])
    expected = [
        ("basic", "What is attention?", "A weighted average"),
        ("reversed", "Self-attention", "Attention of a sequence to itself"),
    ]
    assert cards(COMPACT, compact=True) == expected
    assert cards("---\nseparators: compact\n---\n" + COMPACT) == expected
    assert cards("---\nseparators: spaced\n---\n" + COMPACT, compact=True) == []


@pytest.mark.parametrize(
    "text, expected",
    [
        (
            "# T\n\nWhat does\nlayer norm do?\n?\nIt normalises\nover features.\n",
            [("basic", "What does\nlayer norm do?", "It normalises\nover features.")],
        ),
        (
            "# T\n\nWarmup\n??\nLinear increase of the learning rate\n",
            [("reversed", "Warmup", "Linear increase of the learning rate")],
        ),
    ],
)
def test_obsidian_multi_line_cards(text, expected):
    assert cards(text) == expected


def test_schedule_comments_are_never_card_text_and_give_each_card_its_start():
    text = (
        "# T\n\n"
        "Adam's β1? :: 0.9 <!--SR:!2026-01-05,3,250-->\n"
        "Warmup ::: Linear increase <!--SR:!2026-01-07,1,230!2026-01-20,12,270-->\n\n"
        "What is dropout?\n?\nZeroing units at random.\n<!--SR:!2026-02-01,20,290-->\n\n"
        "The ==base== model uses ==8== heads. <!--SR:!2026-01-10,6,260!2026-01-11,1,120-->\n"
    )
    parsed = parse_notes(text, "n.md")
    assert (parsed.errors, parsed.warnings) == ([], [])
    got = [(n.front, n.back, n.starts) for n in parsed.notes]
    assert got == [
        ("Adam's β1?", "0.9", (CardState(250, 2, 3, date(2026, 1, 5)),)),
        (
            "Warmup",
            "Linear increase",
            (CardState(230, 1, 1, date(2026, 1, 7)), CardState(270, 2, 12, date(2026, 1, 20))),
        ),
        ("What is dropout?", "Zeroing units at random.", (CardState(290, 2, 20, date(2026, 2, 1)),)),
        (
            "The {{c1::base}} model uses {{c2::8}} heads.",
            "",
            (CardState(260, 2, 6, date(2026, 1, 10)), CardState(130, 1, 1, date(2026, 1, 11))),
        ),
    ]


def test_an_unreadable_schedule_comment_is_a_warning_and_the_card_starts_new():
    parsed = parse_notes("# T\n\na :: b <!--SR:!2026-13-40,3,250-->\n", "n.md")
    assert [(n.front, n.back, n.starts) for n in parsed.notes] == [("a", "b", ())]
    assert [str(w) for w in parsed.warnings] == [
        "n.md:3: cannot read the schedule comment `<!--SR:!2026-13-40,3,250-->`: the card starts new"
    ]

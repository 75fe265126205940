"""The notes syntax of DESIGN §4, table-driven, with the traps a real notes file holds."""

from __future__ import annotations

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from studycards.notes.parser import parse_notes
from studycards.notes.syntax import cloze_parts, find_separator
from tests.paths import DECKS, FIXTURES


def cards(text: str, deck: str | None = None) -> list[tuple]:
    parsed = parse_notes(text, "n.md", deck)
    assert not parsed.errors, parsed.errors
    return [(n.kind, n.front, n.back, n.ords) for n in parsed.notes]


@pytest.mark.parametrize(
    "text, expected",
    [
        ("a :: b", [("basic", "a", "b", (0,))]),
        ("a ::: b", [("reversed", "a", "b", (0, 1))]),
        # consecutive lines form one markdown paragraph but are separate cards
        (
            "a :: b\nc ::: d\ne :: f",
            [("basic", "a", "b", (0,)), ("reversed", "c", "d", (0, 1)), ("basic", "e", "f", (0,))],
        ),
        # `::` inside inline code, math or a cloze is not a separator
        ("Use `std::vector` :: a growable array", [("basic", "Use `std::vector`", "a growable array", (0,))]),
        ("The set $a :: b$ here", []),
        ("No spaces a::b is prose", []),
        (
            "Q: Why $\\sqrt{d_k}$?\nA: Large dot products\nsaturate softmax.",
            [("basic", "Why $\\sqrt{d_k}$?", "Large dot products\nsaturate softmax.", (0,))],
        ),
        ("{{c1::8}} heads, $d_k =$ {{c2::64}}", [("cloze", "{{c1::8}} heads, $d_k =$ {{c2::64}}", "", (1, 2))]),
        ("Hint {{c1::answer::the hint}} kept", [("cloze", "Hint {{c1::answer::the hint}} kept", "", (1,))]),
        ("==Adam== uses ==two== moments", [("cloze", "{{c1::Adam}} uses {{c2::two}} moments", "", (1, 2))]),
        ("Brace aware {{c1::$\\sqrt{d_k}$}} ok", [("cloze", "Brace aware {{c1::$\\sqrt{d_k}$}} ok", "", (1,))]),
        (
            "Scaled attention:\n$$\n\\frac{QK^\\top}{\\sqrt{d_k}}\n$$",
            [("equation", "Scaled attention:", "$$\n\\frac{QK^\\top}{\\sqrt{d_k}}\n$$", (0,))],
        ),
        ("Residual:\n\n$$\ny = F(x) + x\n$$", [("equation", "Residual:", "$$\ny = F(x) + x\n$$", (0,))]),
        ("- in a list :: still a card", [("basic", "in a list", "still a card", (0,))]),
        ("> quoted :: is prose", []),
        ("```\ncode :: is prose\n```", []),
        ("Just prose ending in a colon:\n\nMore prose.", []),
        ("Math alone\n\n$$\nx\n$$", []),
    ],
)
def test_card_syntax(text, expected):
    assert cards(text) == expected


def test_math_is_kept_verbatim():
    [(_, front, back, _)] = cards(
        "Update $\\theta_t = \\theta_{t-1} - \\alpha \\hat{m}_t$ :: with $\\epsilon = 10^{-8}$"
    )
    assert front == "Update $\\theta_t = \\theta_{t-1} - \\alpha \\hat{m}_t$"
    assert back == "with $\\epsilon = 10^{-8}$"


def test_context_deck_tags_and_questions():
    text = (
        "---\npaper: 1706.03762\ndeck: Papers::T\ntags: [attention, deep learning]\n---\n# Title\n\n## Understanding\n"
        "a :: b\n\n? why this\n\n## Questions\n- Why sinusoids?\n- Why 8 heads?\n"
    )
    parsed = parse_notes(text, "n.md")
    [note] = parsed.notes
    assert (note.deck, note.paper, note.tags, note.context, note.line) == (
        "Papers::T",
        "1706.03762",
        ("attention", "deep_learning"),
        "Title › Understanding",
        9,
    )
    assert [(q.text, q.context, q.line) for q in parsed.questions] == [
        ("why this", "Title › Understanding", 11),
        ("Why sinusoids?", "Title › Questions", 14),
        ("Why 8 heads?", "Title › Questions", 15),
    ]


@pytest.mark.parametrize("front_matter, deck", [("deck: A::B", "A::B"), ("", "My Title")])
def test_deck_comes_from_front_matter_else_title(front_matter, deck):
    assert parse_notes(f"---\n{front_matter}\n---\n# My Title\na :: b\n", "x/notes.md").deck == deck


def test_deck_option_wins_and_file_name_is_last_resort():
    assert parse_notes("---\ndeck: A\n---\na :: b", "n.md", "Chosen").deck == "Chosen"
    assert parse_notes("a :: b", "dir/resnet-notes.md").deck == "resnet-notes"


def test_every_mistake_is_reported_with_its_line():
    path = FIXTURES / "notes" / "mistakes.md"
    parsed = parse_notes(path.read_text(), str(path))
    assert [(e.line, e.message.split(" ")[0:2]) for e in parsed.errors] == [
        (3, ["tags:", "must"]),
        (8, ["empty", "back"]),
        (9, ["empty", "front"]),
        (11, ["`Q:`", "without"]),
        (13, ["duplicate", "front"]),
        (15, ["unclosed", "cloze"]),
        (17, ["unclosed", "$"]),
        (20, ["unclosed", "$$:"]),
    ]
    assert "first at line 7" in parsed.errors[4].message
    assert all(str(e).startswith(f"{path}:{e.line}: ") for e in parsed.errors)


@pytest.mark.parametrize("raw", ["paper: not-an-id", "paper: 1706.0376", "tags: {a: 1}", "deck: [x]", "a: [unclosed"])
def test_bad_front_matter_is_an_error_at_line_2(raw):
    parsed = parse_notes(f"---\n{raw}\n---\na :: b\n", "n.md")
    assert [e.line for e in parsed.errors] == [2]


def test_paper_id_with_trailing_zero_is_read_as_text():
    assert parse_notes("---\npaper: 1412.6980\n---\n", "n.md").paper == "1412.6980"


def test_cloze_identity_masks_answers_so_a_typo_fix_keeps_the_card():
    [a] = parse_notes("The base model has {{c1::8}} heads", "n.md").notes
    [b] = parse_notes("The base model has {{c1::eight}} heads", "n.md").notes
    assert a.key == b.key and a.front != b.front


def test_separator_and_cloze_helpers():
    assert find_separator("a :: b") == ("basic", 2, 2)
    assert find_separator("{{c1::x::hint}} and `a :: b`") is None
    with pytest.raises(ValueError, match="unclosed cloze"):
        cloze_parts("{{c1::open")


def test_sample_decks_parse_cleanly_with_every_kind():
    for path in sorted(DECKS.glob("*.md")):
        parsed = parse_notes(path.read_text(), str(path))
        assert not parsed.errors, parsed.errors
        assert {n.kind for n in parsed.notes} == {"basic", "reversed", "cloze", "equation"}, path
        assert 15 <= sum(len(n.ords) for n in parsed.notes) <= 40, path
        assert parsed.questions and parsed.paper, path


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("ab :$=?QA{}c1-#>`\n\\")), max_size=200))
def test_parser_never_crashes_and_is_deterministic(text):
    first = parse_notes(text, "f.md")
    second = parse_notes(text, "f.md")
    assert [n.key for n in first.notes] == [n.key for n in second.notes]
    assert [str(e) for e in first.errors] == [str(e) for e in second.errors]


MARKDOWN_PIECES = [
    "a",
    "b ",
    "  ",
    "    ",
    "\t",
    "\n",
    "\n\n",
    "\r\n",
    "\r",
    "\x00",
    "-",
    "---",
    "=",
    "===",
    ">",
    "> ",
    "* ",
    "+ ",
    "0. ",
    "1. ",
    "2) ",
    "# ",
    "###### ",
    "$$",
    "```",
    "~~~",
    "***",
    "_ _ _",
    "| a |",
    "|-|",
    ":-",
    "<div>",
    "<!--SR:x-->",
    "[x]: y",
    "[",
    ":: ",
    "Q: ",
    "\n- ",
    "\n> ",
    "\n$$\n",
    "\n---\n",
    "\n===\n",
    "\n  -\n",
]


@settings(max_examples=400, deadline=None)
@given(st.lists(st.sampled_from(MARKDOWN_PIECES), max_size=40).map("".join))
@example("> a\n> ---\n").via("an underline in a quote")
@example("- a\n  ===\n").via("an underline in a list item")
@example("a\n\t---\n").via("an underline after a tab")
@example("a\n```\nb\n```\n").via("a fence ends a paragraph")
@example("a\n> b\n- c\n1. d\n# e\n<div>\n***\n").via("each block a paragraph may end at")
@example("a | b\n-|-\nc | d\n\nx\ne | f\n-|-\n").via("tables, one ending a paragraph")
@example("x\n|a\n|-\n").via("a table whose first line holds one |, its first character")
@example("---\ndeck: x\n---\n- ---\n").via("front matter, and a rule in a list")
@example("a\n\n$$\nx\n$$\n> $$\n> y\n> $$\n").via("display math, and in a quote")
@example("0. a\n\nb\n\n0) c\n").via("a list numbered from 0")
@example("a\r\n- b\r> c\x00\n").via("line breaks and a NUL that markdown-it normalises")
def test_block_rules_tried_only_where_they_may_start_read_the_same_blocks(text):
    """``block_parser`` tries each block rule only at the first characters it can start with, and the
    setext-heading rule only where a line below could be an underline, normalises only a text that needs it
    and skips text_join: markdown-it reads the same."""
    from studycards.notes.blocks import markdown

    def blocks(md):
        return [(t.type, t.tag, t.map, t.content, t.markup, t.level, t.info) for t in md.parse(text)]

    joined = markdown(guarded=False)
    joined.core.ruler.enable("text_join")  # which joins inline children, and the parser makes none
    assert blocks(markdown(guarded=True)) == blocks(markdown(guarded=False)) == blocks(joined)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(MARKDOWN_PIECES), max_size=20).map("".join))
@example("x\n\na | b\n-|-\n").via("a table below line 0")
def test_each_guarded_block_rule_matches_nothing_at_a_line_it_cannot_start(text):
    """The rule for each guarded block, tried at a line whose first character it does not start with (the front
    matter below line 0, a table at a line without a ``|``), leaves the state as it was and says no, as the
    dispatcher assumes."""
    from markdown_it.rules_block import StateBlock

    from studycards.notes.blocks import FIRST_LINE_ONLY, PIPED, STARTS, markdown

    md = markdown(guarded=False)
    rules = {rule.name: rule.fn for rule in md.block.ruler.__rules__ if rule.enabled}
    assert {*STARTS, *FIRST_LINE_ONLY, *PIPED} <= set(rules)
    lines = StateBlock(text, md, {}, []).lineMax
    for name in [*STARTS, *FIRST_LINE_ONLY, *PIPED]:
        for line in range(lines):
            for silent in (True, False):
                state = StateBlock(text, md, {}, [])
                pos = state.bMarks[line] + state.tShift[line]
                first = text[pos : pos + 1]
                if (
                    (name in STARTS and first and first in STARTS[name])
                    or (name in FIRST_LINE_ONLY and not line)
                    or (name in PIPED and "|" in text[pos : state.eMarks[line]])
                ):
                    continue
                before = (list(state.bMarks), list(state.tShift), state.line, state.parentType, state.level)
                assert not rules[name](state, line, lines, silent), (name, line, first)
                assert state.tokens == []
                assert (list(state.bMarks), list(state.tShift), state.line, state.parentType, state.level) == before


@pytest.mark.parametrize("underline", ["===", "---", "  ---", "Wrapped title\n==="])
def test_an_underlined_line_names_the_cards_below_it(underline):
    parsed = parse_notes(f"Underlined\n{underline}\n\nfront :: back\n", "notes/setext.md")
    title = "Underlined\nWrapped title" if "\n" in underline else "Underlined"
    assert [(note.front, note.context) for note in parsed.notes] == [("front", title)]


WHITESPACE = [chr(c) for c in range(0x3100) if chr(c).isspace()]  # every one str.isspace knows lies below U+3100


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.sampled_from([*WHITESPACE, "a", "$", "\u200b", "\ufeff"]), max_size=30))
def test_a_front_is_normalised_as_collapsing_every_whitespace_run_to_one_space(text):
    """A card's identity: the front with each run of whitespace (``\\s``, Unicode's) one space, none at the ends."""
    import re

    from studycards.models import normalise

    assert normalise(text) == re.sub(r"\s+", " ", text).strip()


# -- long files: blocks are read a few hundred at a time --------------------------


def test_a_title_below_hundreds_of_cards_names_the_deck_of_every_card_and_question():
    text = "\n\n".join(f"front {i} :: back {i}" for i in range(400)) + "\n\n# Late Title\n\n## Questions\n- Why?\n"
    parsed = parse_notes(text, "notes/late.md")
    assert len(parsed.notes) == 400
    assert {note.deck for note in parsed.notes} == {"Late Title"}
    assert [(q.deck, q.text) for q in parsed.questions] == [("Late Title", "Why?")]


@pytest.mark.parametrize("cards_before", range(80, 92))  # one of them ends a batch of blocks right under the answer
def test_an_answer_goes_on_over_the_list_below_it_wherever_the_file_puts_it(cards_before):
    text = "\n\n".join(f"front {i} :: back {i}" for i in range(cards_before))
    parsed = parse_notes(text + "\n\nQ: Which two?\nA: These:\n\n- one\n- two\n\nprose after\n", "n.md")
    assert not parsed.errors
    assert len(parsed.notes) == cards_before + 1
    assert parsed.notes[-1].back == "These:\n\n- one\n- two"


TRICKY_BLOCKS = [
    "```\n\n# not a heading\nQ: no\n```\n",
    "~~~~\n\n## inside tildes\n~~~\n\n## still inside\n~~~~\n",
    "<!--\n\n# in a comment\n-->\n",
    "$$\nx\n\n# in display math\n$$\n",
    "Prompt:\n$$\na = b\n$$\n",
    "<pre>\n\n# in pre\n</pre>\n",
    "- a list\n\n  continued\n\n# after a list\n",
    "> quote c :: d\n\n# after a quote\n",
    "Q: q\nA: a\n\n- one\n\n# after an answer\n",
    "x :: y\n<!--SR:!2026-01-05,3,250-->\n\n# after a schedule\n",
    "price $$5 each\n\n# after a lone $$\n",
]


@pytest.mark.parametrize("seed", range(40))
def test_a_long_file_read_in_pieces_reads_as_the_whole(seed, monkeypatch):
    """markdown-it reads a long file a piece at a time; cuts inside fences, math or HTML must never change a card."""
    import random

    from studycards.notes import pieces

    rng = random.Random(seed)
    text = "".join(rng.choice(TRICKY_BLOCKS) + f"front {i} :: back {i}\n\n# Section {i}\n\n" for i in range(30))
    text += "```\n\n# in a fence never closed\n\nlast :: card\n"

    def read(lines_per_piece: int) -> tuple:
        monkeypatch.setattr(pieces, "LINES_PER_PIECE", lines_per_piece)
        parsed = parse_notes(text, "n.md")
        return parsed.notes, parsed.questions, [str(e) for e in parsed.errors], [str(w) for w in parsed.warnings]

    whole = read(10**9)
    assert whole[0], "the file has cards"
    assert read(1) == whole
    assert read(5) == whole

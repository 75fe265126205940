"""The notes grammar: where code and math are, separators, clozes; and that every reader agrees with it."""

from __future__ import annotations

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from studycards.mathtext.lines import render_markdown
from studycards.notes.parser import parse_notes
from studycards.notes.syntax import (
    CardKind,
    deletions,
    escape_block_start,
    escape_inline,
    find_separator,
    separated,
    spans,
    unbalanced_math,
)


@pytest.mark.parametrize(
    "text, expected",
    [
        ("plain", []),
        ("a `code` b", [("code", "`code`")]),
        ("``a ` b`` c", [("code", "``a ` b``")]),
        ("an unclosed ` is text", []),
        ("$x$ and $y$", [("math", "$x$"), ("math", "$y$")]),
        ("$a$$b$", [("math", "$a$"), ("math", "$b$")]),
        ("$$x$ y$$ z", [("display", "$$x$ y$$")]),
        ("\\$5 and \\$6", []),
        ("$\\$ inside$", [("math", "$\\$ inside$")]),
        ("`$` then $`$", [("code", "`$`"), ("math", "$`$")]),
        ("costs $5", [("math", "$5")]),
    ],
)
def test_spans_find_code_and_math(text: str, expected: list[tuple[str, str]]) -> None:
    assert [(s.kind, text[s.start : s.end]) for s in spans(text)] == expected


@pytest.mark.parametrize(
    "text, expected",
    [
        ("a :: b", (CardKind.BASIC, 2)),
        ("a ::: b", (CardKind.REVERSED, 2)),
        ("a::b", None),
        ("a \\:: b", None),
        ("$x :: y$ :: z", (CardKind.BASIC, 9)),
        ("`a :: b` :: c", (CardKind.BASIC, 9)),
        ("{{c1::x::hint}} and `a :: b`", None),
        ("an unclosed ` :: is text", (CardKind.BASIC, 14)),
        ("a :::: b", None),
        ("a:: b", None),
        ("a ::b", None),
        ("{{a {{b}} :: c", None),
        ("{{a {{b}} }} :: c", (CardKind.BASIC, 13)),
        ("a\\ :: b", None),
    ],
)
def test_find_separator_skips_code_math_clozes_and_escapes(text: str, expected: tuple | None) -> None:
    found = find_separator(text)
    assert (found[:2] if found else None) == expected


@pytest.mark.parametrize(
    "text, unbalanced",
    [("$x$", False), ("costs $5", True), ("$$ a $", True), ("`$` fine", False), ("\\$5", False), ("$a$$b$", False)],
)
def test_unbalanced_math(text: str, unbalanced: bool) -> None:
    assert unbalanced_math(text) is unbalanced


def _dollarmath(text: str) -> list[tuple[str, str]]:
    from markdown_it import MarkdownIt
    from mdit_py_plugins.dollarmath import dollarmath_plugin

    md = MarkdownIt("commonmark").use(dollarmath_plugin, double_inline=True)
    kinds = {"math_inline": "math", "math_inline_double": "display", "code_inline": "code"}
    return [
        (kinds[child.type], child.content)
        for token in md.parse(text)
        if token.type == "inline"
        for child in token.children or []
        if child.type in kinds
    ]


# dollarmath looks before a leading `$` by wrapping to the text's last character, so a text ending in a
# backslash is left out: that is its quirk, not a rule of ours.
LINE = st.text(alphabet="ab $`\\:=", min_size=1, max_size=24).filter(
    lambda t: t.strip() == t and not unbalanced_math(t) and not t.startswith(("$$", "`")) and not t.endswith("\\")
)


@settings(max_examples=400, deadline=None, derandomize=True, database=None)
@given(LINE)
def test_spans_agree_with_the_markdown_that_renders_anki_fields(text: str) -> None:
    """What the parser takes for code and math is what markdown-it's dollarmath renders as code and math in Anki."""
    ours = [(s.kind, text[s.body] if s.kind != "code" else text[s.start : s.end].strip("`")) for s in spans(text)]
    theirs = _dollarmath(text)
    assert [kind for kind, _ in ours] == [kind for kind, _ in theirs]
    assert [body.strip() for _, body in ours] == [body.strip() for _, body in theirs]


@settings(max_examples=300, deadline=None, derandomize=True, database=None)
@given(st.text(alphabet="ab {}c1:=?QA-#>`\n", max_size=40))
def test_escaped_prose_never_reads_as_a_card(text: str) -> None:
    """The reading guide quotes a paper's words through these escapes: they must never make a card or an error."""
    line = escape_block_start(escape_inline(" ".join(text.split())))
    parsed = parse_notes(f"# T\n\n{line}\n", "guide.md")
    assert (parsed.notes, parsed.errors) == ([], [])


def test_terminal_draws_as_math_what_the_grammar_calls_math() -> None:
    """``costs $5 and $10`` is one math span to the parser and to Anki, so the terminal draws it as math too."""
    assert render_markdown("costs $5 and $10") == "costs 5and10"
    assert render_markdown("costs \\$5 and \\$10") == "costs \\$5 and \\$10"


def test_deletions_walk_brace_aware() -> None:
    text = "{{c1::\\sqrt{d_k}}} and {{c2::b::hint}}"
    assert [(d.number, text[d.body : d.end]) for d in deletions(text)] == [(1, "\\sqrt{d_k}"), (2, "b::hint")]


WHITESPACE_AND_NEAR = [chr(c) for c in range(0x3100) if chr(c).isspace()] + ["\x00", "\x1b", "\u200b", "\ufeff"]


@settings(max_examples=500, deadline=None)
@given(
    st.lists(st.sampled_from([*"ab:{}$`\\c1", "::", ":::", "{{c1::", "}}", *WHITESPACE_AND_NEAR]), max_size=20).map(
        "".join
    ),
    st.booleans(),
)
@example("x{{::y}} z", True).via("a compact separator right after a cloze opens")
@example("{{c1:: a }} :: b", False).via("a spaced one inside a cloze, then one outside")
def test_a_separator_outside_any_cloze_is_found_as_the_cloze_aware_scan_finds_it(text: str, compact: bool) -> None:
    """Where no ``{{`` comes before the first run of colons that would separate, ``find_separator`` takes it from
    one expression; behind a closed ``{{}}`` it scans token by token, brace depth and all, and finds the same."""
    found = find_separator(text, compact=compact)
    behind = find_separator("{{}} " + text, compact=compact)
    assert behind == (found and (found[0], found[1] + 5, found[2]))


def test_regular_expressions_call_space_what_str_isspace_calls_space() -> None:
    """The separator's expression looks for ``\\s`` around it where the grammar says whitespace (``str.isspace``)."""
    import re

    space = re.compile(r"\s")
    assert [c for c in map(chr, range(0x110000)) if bool(space.match(c)) != c.isspace()] == []


@settings(max_examples=400, deadline=None)
@given(st.lists(st.sampled_from([*"ab $`\\:", "$$", "``"]), max_size=24).map("".join))
def test_only_the_last_span_may_be_unclosed_and_it_is_math(text: str) -> None:
    """``unbalanced_math`` looks at the last span alone: ``spans`` stops at the first one never closed."""
    found = spans(text)
    assert all(span.closed for span in found[:-1])
    assert not found or found[-1].closed or found[-1].kind in ("math", "display")
    assert unbalanced_math(text) == unbalanced_math(text, found) == any(not span.closed for span in found)


@settings(max_examples=600, deadline=None)
@given(
    st.lists(
        st.sampled_from([*"ab :\t$`\\{}c1", "::", ":::", "$$", "``", "{{", "}}", "{{c1::", "\\:", "\\ ", "\xa0"]),
        max_size=20,
    ).map("".join),
    st.booleans(),
)
@example("a\\ :: b", False).via("an escaped space before the separator")
@example("a\\::: b", True).via("an escaped colon before a compact one")
@example("{{c1::x}} :: y $z$", False).via("a cloze before the separator")
@example("$x :: y$ :: `a :: b` $c", False).via("separators in math and code, then unclosed math")
def test_one_scan_of_a_card_line_finds_its_separator_and_spans_as_the_two_readings_do(text: str, compact: bool) -> None:
    """``separated`` reads a card line once for the card reader: the separator and the spans come out as
    ``find_separator`` and ``spans`` find them."""
    assert separated(text, compact) == (find_separator(text, compact, spans(text)), spans(text))

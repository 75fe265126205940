"""What one display's LaTeX becomes on a card: its rows joined, its marks and trailing punctuation gone.

A display ends the sentence it sits in, so the ``,`` or ``.`` after it belongs to the
prose, as do spacing commands and a last line break; the formula itself keeps
every character it needs.  Line numbers point at the first row of the formula.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from studycards.latex.document import read_document


def extract(tmp_path: Path, body: str) -> list[str]:
    (tmp_path / "main.tex").write_text(
        f"\\documentclass{{article}}\n\\begin{{document}}\n{body}\n\\end{{document}}\n", encoding="utf-8"
    )
    return [eq.latex for eq in read_document(tmp_path).equations]


def eq(body: str, env: str = "equation") -> str:
    return f"\\begin{{{env}}}{body}\\end{{{env}}}"


TRAILING = [
    ("a = b,", "a = b"),
    ("a = b.", "a = b"),
    ("a = b;", "a = b"),
    ("a = b\\,", "a = b"),
    ("a = b\\;", "a = b"),
    ("a = b\\:", "a = b"),
    ("a = b\\!", "a = b"),
    ("a = b\\ ", "a = b"),  # a control space is spacing, like \\, (pdflatex prints a = b)
    ("a = b\\quad", "a = b"),
    ("a = b\\qquad", "a = b"),
    ("a = b~", "a = b"),
    ("a = b\\\\", "a = b"),
    ("a = b,\\qquad", "a = b"),
    ("a = b \\quad .", "a = b"),
    ("a = b~.", "a = b"),
    ("a = b.~", "a = b"),
    ("a = b\\,.\\,", "a = b"),
    ("a = b, \\\\", "a = b"),
    ("a = b,,", "a = b,"),
    ("a = b.;", "a = b."),
    ("a = b:", "a = b:"),
    ("a = b\\.", "a = b\\."),
    ("a = b\\qquad \\text{and}", "a = b\\qquad \\text{and}"),
    ("x_{i,}", "x_{i,}"),
    ("y = X", "y = X"),
    ("y = \\max~", "y = \\max"),
    ("  a\n  =\tb  ", "a = b"),
]


@pytest.mark.parametrize("latex, expected", TRAILING)
def test_trailing_punctuation_and_spacing_are_dropped(tmp_path: Path, latex: str, expected: str):
    assert extract(tmp_path, eq(latex)) == [expected]


@pytest.mark.parametrize("env", ["equation", "equation*", "displaymath", "$$", "\\["])
def test_every_single_display_drops_its_full_stop(tmp_path: Path, env: str):
    body = {"$$": "$$ a = b. $$", "\\[": "\\[ a = b. \\]"}.get(env) or eq(" a = b. ", env)
    assert extract(tmp_path, body) == ["a = b"]


ROWS = [
    ("align-one-row-loses-its-ampersands", eq("a &= b &\\quad c &= d", "align"), ["a = b \\quad c = d"]),
    (
        "ampersands-inside-groups-stay",
        eq("\\begin{matrix}1&2\\end{matrix} &= {x&y}", "align"),
        ["\\begin{matrix}1&2\\end{matrix} = {x&y}"],
    ),
    ("align-rows-each-an-equation", eq("a &= 1, \\\\ b &= 2.", "align"), ["a = 1", "b = 2"]),
    (
        "suppressed-rows-join-as-aligned",
        eq("a &= 1, \\nonumber \\\\ &= 2.", "align"),
        ["\\begin{aligned} a &= 1 \\\\\n&= 2 \\end{aligned}"],
    ),
    (
        "a-trailing-suppressed-row-joins-the-last-equation",
        eq("a &= 1 \\\\ b &= 2 \\\\ c &= 3 \\notag", "align"),
        ["a = 1", "\\begin{aligned} b &= 2 \\\\\nc &= 3 \\end{aligned}"],
    ),
    (
        "starred-rows-join",
        eq("a &= 1 \\\\[2pt] b &= 2", "align*"),
        ["\\begin{aligned} a &= 1 \\\\\nb &= 2 \\end{aligned}"],
    ),
    ("gather-star-rows-join-as-aligned", eq("a \\\\ b", "gather*"), ["\\begin{aligned} a \\\\\nb \\end{aligned}"]),
    (
        "multline-rows-join-as-gathered",
        eq("a + b \\\\ + c.", "multline"),
        ["\\begin{gathered} a + b \\\\\n+ c \\end{gathered}"],
    ),
    ("eqnarray-loses-its-second-ampersand", eq("a &=& b", "eqnarray"), ["a = b"]),
    (
        "eqnarray-rows-join-as-aligned",
        eq("a &=& b \\nonumber \\\\ &=& c", "eqnarray"),
        ["\\begin{aligned} a &= b \\\\\n&= c \\end{aligned}"],
    ),
    ("alignat-column-count-is-not-math", "\\begin{alignat}{2} a &= b & c &= d \\end{alignat}", ["a = b c = d"]),
    ("marks-are-not-math", eq("a = b \\label{x} \\tag{T}") + eq("c \\nonumber") + eq("d \\notag"), ["a = b", "c", "d"]),
    ("a-label-inside-a-tag-is-part-of-the-tag", eq("a \\tag{b\\label{x}} \\label{y}"), ["a"]),
    ("eqno-is-not-math", "$$ a = b \\eqno(7) $$ $$ c \\leqno 8 $$", ["a = b", "c"]),
    ("empty-rows-are-dropped", eq("\\\\ a \\\\ \\\\", "multline"), ["a"]),
    (
        "inner-line-breaks-stay",
        eq("\\begin{cases} 1 & x \\\\ 0 & y \\end{cases}"),
        ["\\begin{cases} 1 & x \\\\\n0 & y \\end{cases}"],
    ),
    ("empty-bare-displays-are-nothing", "$$ $$ \\[ \\] " + eq("a"), ["a"]),
]


@pytest.mark.parametrize("body, expected", [pytest.param(*case[1:], id=case[0]) for case in ROWS])
def test_rows_join_as_the_card_shows_them(tmp_path: Path, body: str, expected: list[str]):
    assert extract(tmp_path, body) == expected


def test_a_line_points_at_the_first_row_of_the_formula(tmp_path: Path):
    body = (
        "\\begin{align}\n"  # line 3
        "  \\label{first}\n"
        "  % a remark\n"
        "  a &= 1 \\\\\n"  # line 6
        "  \\nonumber\n"
        "  b &= 2 \\\\\n"  # line 8: joins the next numbered row
        "  c &= 3\n"
        "\\end{align}\n"
        "$$\n\n  d\n$$"  # d on line 13
    )
    (tmp_path / "main.tex").write_text(f"\\documentclass{{article}}\n\\begin{{document}}\n{body}\n\\end{{document}}\n")
    document = read_document(tmp_path)
    assert [(eq.line, eq.number, eq.label) for eq in document.equations] == [
        (6, "1", "first"),
        (8, "2", None),
        (13, None, None),
    ]


def test_displays_before_the_document_or_without_one(tmp_path: Path):
    (tmp_path / "main.tex").write_text(
        "\\documentclass{article}\n\\[ p \\]\\begin{equation}q\\end{equation}\\section{P}\n"
        "\\begin{document}\\begin{equation}a\\end{equation}\\end{document}\n"
    )
    assert [(eq.latex, eq.number, eq.section) for eq in read_document(tmp_path).equations] == [("a", "1", "")]
    (tmp_path / "part.tex").write_text("\\section{S}\\begin{equation}a\\end{equation}\\[b\\]\n")
    assert [(eq.latex, eq.number, eq.section) for eq in read_document(tmp_path / "part.tex").equations] == [
        ("a", "1", "S"),
        ("b", None, "S"),
    ]


def test_an_unclosed_environment_or_bracket_is_skipped_with_a_warning(tmp_path: Path):
    (tmp_path / "main.tex").write_text(
        "\\documentclass{article}\n\\begin{document}\n\\begin{equation} a \\[ b $$ c\n\\end{document}\n"
    )
    document = read_document(tmp_path)
    assert document.equations == ()
    assert document.warnings == (
        "unclosed \\begin{equation} ignored",
        "unclosed \\[ ignored",
        "unclosed $$ ignored",
    )


def test_title_abstract_and_links_are_read_from_their_commands(tmp_path: Path):
    (tmp_path / "main.tex").write_text(
        "\\documentclass[11pt]{article}\n\\icmltitle[Short]{The \\emph{First} Title}\\title{Second}\n"
        "\\begin{document}\\begin{abstract}We do it.\\end{abstract}\\begin{abstract}Twice.\\end{abstract}\n"
        "Code: \\url{https://example.org/a\\_b}, \\href{https://example.org/c\\#d}{here}; http://plain.org\n"
        "\\end{document}\n"
    )
    document = read_document(tmp_path)
    assert (document.title, document.abstract) == ("The First Title", "We do it.")
    assert document.urls == ("https://example.org/a_b", "https://example.org/c#d")


def test_a_label_names_the_last_numbered_heading_even_after_text(tmp_path: Path):
    """pdflatex prints "See 1, 2.": a label in a section's prose names that section."""
    (tmp_path / "main.tex").write_text(
        "\\documentclass{article}\n\\begin{document}\\section[Short]{Long}\n  \\label{near}"
        "\\section{Far} text \\label{far}\\section{Last}See \\ref{near}, \\ref{far}.\\end{document}\n"
    )
    sections = read_document(tmp_path).sections
    assert [(s.title, s.number) for s in sections] == [("Long", "1"), ("Far", "2"), ("Last", "3")]
    assert sections[-1].text == "See 1, 2."

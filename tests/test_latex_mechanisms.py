"""LaTeX mechanisms that move every later equation number: each case is a small document whose
numbers were read from pdflatex's PDF (TeX Live, amsmath and mathtools loaded, compiled
until the references settled, read back with pdftotext).  No test here needs TeX."""

from __future__ import annotations

from pathlib import Path

import pytest

from studycards.latex.document import read_document


def eq(body: str, env: str = "equation") -> str:
    return f"\\begin{{{env}}}{body}\\end{{{env}}}\n"


def read(tmp_path: Path, preamble: str, body: str):
    (tmp_path / "main.tex").write_text(
        "\\documentclass{article}\n\\usepackage{amsmath,mathtools}\n"
        f"{preamble}\n\\begin{{document}}\n{body}\\end{{document}}\n",
        encoding="utf-8",
    )
    return read_document(tmp_path)


def numbers(tmp_path: Path, preamble: str, body: str) -> str:
    return " ".join(e.number or "-" for e in read(tmp_path, preamble, body).equations)


ONLY_REFS_BODY = (
    eq("aa=bb \\label{e:a}")
    + eq("cc=dd \\label{e:c}")
    + "See \\eqref{e:c} and \\ref{e:r}.\n"
    + eq("ee=ff \\label{e:e} \\\\ gg=hh \\label{e:g} \\\\ ii=jj \\label{e:r}", "align")
    + eq("kk=ll \\tag{T}")
    + eq("mm=nn")
    + eq("oo=pp \\label{e:o}")
    + "\\noeqref{e:o}\n"
)

# (id, preamble, body, the numbers pdflatex printed, "-" where it printed none)
CASES = [
    # pdflatex: cc=dd (1), oo=pp (3); \ref does not count as a citation; the hidden \tag still steps
    ("showonlyrefs", "\\mathtoolsset{showonlyrefs}", ONLY_REFS_BODY, "- 1 - - - - - 3"),
    # pdflatex: cc=dd (1), kk=ll (T), oo=pp (2)
    ("showonlyrefs-showmanualtags", "\\mathtoolsset{showonlyrefs,showmanualtags}", ONLY_REFS_BODY, "- 1 - - - T - 2"),
    # pdflatex: (1), (2) by hand, then (3)
    (
        "refstepcounter-by-hand",
        "",
        eq("a") + "$$ \\min_x f(x) \\refstepcounter{equation}~(\\theequation)\\label{e:min} $$\n" + eq("b"),
        "1 2 3",
    ),
    # pdflatex: (1), (1 revisited), (2)
    (
        "ref-inside-tag",
        "",
        eq("a \\label{e:loss}") + eq("c \\tag{\\ref{e:loss} revisited}") + eq("d"),
        "1 1 revisited 2",
    ),
    # pdflatex: ((1)') for a tag citing an equation further on, then (1)
    ("eqref-inside-tag-forward", "", eq("c \\tag{\\eqref{e:later}'}") + eq("a \\label{e:later}"), "(1)' 1"),
    # pdflatex: (1) (2): the ICML-only display is not printed; with \\def\\icml{1} it is
    (
        "if-on-the-papers-macro",
        "\\def\\icml{0}",
        eq("a") + "\\if\\icml1 Only in the ICML version: " + eq("x") + "\\fi\n" + eq("b"),
        "1 2",
    ),
    ("if-on-the-papers-macro-true", "\\def\\icml{1}", "\\if\\icml1 " + eq("x") + "\\fi\n" + eq("b"), "1 2"),
    # pdflatex: gg=hh (1), then (2); without \\arxivtrue ii=ii (1)
    (
        "newif-switch",
        "\\newif\\ifarxiv \\arxivtrue",
        "\\ifarxiv " + eq("g") + "\\else " + eq("i") + eq("j") + "\\fi\n" + eq("k"),
        "1 2",
    ),
    ("newif-switch-off", "\\newif\\ifarxiv", "\\ifarxiv " + eq("g") + "\\else " + eq("i") + "\\fi " + eq("k"), "1 2"),
    # pdflatex: kk=ll (1), oo=pp (2)
    (
        "ifdefined",
        "\\newcommand{\\here}{x}",
        "\\ifdefined\\here " + eq("k") + "\\fi\\ifdefined\\nothere " + eq("m") + "\\else " + eq("o") + "\\fi",
        "1 2",
    ),
    # pdflatex: qq=rr (1), then (2)
    ("iftrue", "", "\\iftrue " + eq("q") + "\\else " + eq("s") + "\\fi " + eq("t"), "1 2"),
    # pdflatex: AA=AA, the \\ifnum branch, numbered
    ("ifnum", "\\def\\version{2}", "\\ifnum\\version>1 " + eq("a") + "\\else " + eq("b") + "\\fi " + eq("c"), "1 2"),
]


@pytest.mark.parametrize("preamble, body, expected", [pytest.param(*c[1:], id=c[0]) for c in CASES])
def test_numbers_match_the_pdf(tmp_path: Path, preamble: str, body: str, expected: str):
    assert numbers(tmp_path, preamble, body) == expected


def test_a_number_made_by_hand_leaves_the_formula_clean_and_is_cited(tmp_path: Path):
    body = "$$ \\min_x f(x) \\refstepcounter{equation}~(\\theequation)\\label{e:min} $$\nBy \\ref{e:min}, we get\n"
    doc = read(tmp_path, "", body + eq("b"))
    first, second = doc.equations
    assert (first.latex, first.number, first.label) == ("\\min_x f(x)", "1", "e:min")
    assert (second.number, second.intro) == ("2", "By 1, we get")


def test_a_switched_off_branch_leaves_nothing_in_the_intro(tmp_path: Path):
    doc = read(
        tmp_path, "\\def\\icml{0}", "We minimise the loss:\n" + "\\if\\icml1 Only in the ICML version: \\fi\n" + eq("a")
    )
    assert [e.intro for e in doc.equations] == ["We minimise the loss:"]


def test_a_display_right_after_another_carries_the_runs_sentence(tmp_path: Path):
    doc = read(
        tmp_path, "", "The model is\n" + eq("a = b") + eq("c = d") + "\\label{x}\n" + eq("e = f") + "Then we train."
    )
    assert [e.intro for e in doc.equations] == ["The model is"] * 3


def test_a_display_after_prose_has_its_own_sentence(tmp_path: Path):
    doc = read(tmp_path, "", "The model is\n" + eq("a = b") + "and the loss is\n" + eq("c = d"))
    assert [e.intro for e in doc.equations] == ["The model is", "and the loss is"]


def test_what_the_paper_builds_its_displays_from_numbers_as_the_pdf(tmp_path: Path):
    """pdflatex printed 1.1 1.2a 1.2b 1.3 1.4 1.10 1.16 1.17 1.18 1.19 A.1 for this document:
    subequations, split and aligned inside equation (one number each), \\setcounter and
    \\addtocounter, an environment from the paper's own notation.sty and one from \\newenvironment,
    \\numberwithin{equation}{section} into the appendix."""
    (tmp_path / "notation.sty").write_text(
        "\\ProvidesPackage{notation}\n\\newcommand{\\R}{\\mathbb{R}}\n\\def\\@internal{x}\n"
        "\\newenvironment{eqn}{\\begin{equation}}{\\end{equation}}\n",
        encoding="utf-8",
    )
    body = (
        "\\section{A}\n"
        + eq("a")
        + "\\begin{subequations}"
        + eq("b")
        + eq("c")
        + "\\end{subequations}\n"
        + eq("\\begin{split} d &= e \\\\ &= f \\end{split}")
        + eq("\\begin{aligned} g &= h \\\\ i &= j \\end{aligned}")
        + "\\setcounter{equation}{9}\n"
        + eq("k")
        + "\\addtocounter{equation}{5}\n"
        + eq("l")
        + eq("x \\in \\R", "eqn")
        + eq("m \\\\ n", "bigeq")
        + "\\appendix\n\\section{B}\n"
        + eq("o")
    )
    preamble = (
        "\\usepackage{amssymb,notation}\n\\numberwithin{equation}{section}\n"
        "\\newenvironment{bigeq}{\\begin{align}}{\\end{align}}"
    )
    doc = read(tmp_path, preamble, body)
    assert [e.number for e in doc.equations] == [
        "1.1", "1.2a", "1.2b", "1.3", "1.4", "1.10", "1.16", "1.17", "1.18", "1.19", "A.1",
    ]  # fmt: skip
    assert doc.equations[3].latex == "\\begin{split} d &= e \\\\\n&= f \\end{split}"
    assert doc.equations[7].latex == "x \\in \\mathbb{R}"
    assert doc.warnings == ()


def test_a_venues_style_file_is_not_run(tmp_path: Path):
    """Only its user-level notation is taken: internal @-macros and layout code stay out."""
    (tmp_path / "venue.sty").write_text(
        "\\def\\@title{T}\\renewenvironment{abstract}{\\begin{center}}{\\end{center}}\n"
        "\\newcommand{\\E}{\\mathbb{E}}\n\\ifdim\\textwidth>1pt \\def\\@x{y}\\fi\n",
        encoding="utf-8",
    )
    doc = read(tmp_path, "\\usepackage{venue}", "\\begin{abstract}We study.\\end{abstract}\n" + eq("\\E x"))
    assert [(e.number, e.latex) for e in doc.equations] == [("1", "\\mathbb{E}x")]
    assert doc.abstract.strip() == "We study."


def test_equations_output_draws_the_math_of_intros_and_says_a_run_continues(tmp_path: Path):
    from click.testing import CliRunner

    from studycards.cli import main

    read(tmp_path, "", "\\section{Model}The map $x \\mapsto y$ is\n" + eq("a = b") + eq("c = d \\tag{\\ref{x} bis}"))
    (tmp_path / "main.tex").write_text(
        (tmp_path / "main.tex").read_text().replace("a = b", "a = b \\label{x}"), encoding="utf-8"
    )
    result = CliRunner().invoke(main, ["equations", str(tmp_path), "--no-sympy"])
    assert result.exit_code == 0, result.output
    assert result.output.splitlines()[0] == "(1)  Model › The map x ↦ y is"
    assert "(1 bis)  Model › (continued) The map x ↦ y is" in result.output


def test_a_label_in_a_list_names_the_item_not_the_section(tmp_path: Path):
    """pdflatex prints "R: 1 1." (the theorem's counter, and the item's), not the section's number 2;
    more list cases are in test_latex_contexts.py."""
    body = (
        "\\section{A}\\section{B}\\begin{theorem}\\label{t}x\\end{theorem}"
        "\\begin{enumerate}\\item\\label{i}a\\end{enumerate} R: \\ref{t} \\ref{i}.\n"
    )
    doc = read(tmp_path, "\\newtheorem{theorem}{Theorem}", body)
    assert doc.sections[-1].text.endswith("R: 1 1.")


def test_theorem_counters_are_numbered_as_the_pdf(tmp_path: Path):
    """pdflatex prints "R: 1.1 1 1.2 1 2.1.": per section, a shared counter, a label after the
    theorem names the section again, a counter of its own."""
    preamble = (
        "\\newtheorem{theorem}{Theorem}[section]\\newtheorem{lemma}[theorem]{Lemma}\\newtheorem{definition}{Definition}"
    )
    body = (
        "\\section{A}\\begin{theorem}\\label{t}x\\end{theorem}\\label{after}\\begin{lemma}\\label{l}y\\end{lemma}"
        "\\section{B}\\begin{definition}\\label{d}z\\end{definition}\\begin{theorem}\\label{t2}w\\end{theorem}\n"
        "R: \\ref{t} \\ref{after} \\ref{l} \\ref{d} \\ref{t2}.\n"
    )
    assert read(tmp_path, preamble, body).sections[-1].text.endswith("R: 1.1 1 1.2 1 2.1.")

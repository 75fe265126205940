"""Equation and reference numbers as the PDF prints them, pinned case by case.

Each row of ``NUMBERS`` and ``REFERENCES`` was typeset with pdflatex (TeX Live 2022,
amsmath loaded) and the numbers it printed were read back; ``REFUSED`` holds what
LaTeX will not typeset at all, pinned as the extractor answers.  Numbers that depend on the page, on math
or text mode, or on a numbered list are in ``test_latex_contexts.py``.  No test here needs TeX.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from studycards.latex.document import read_document


def eq(body: str, env: str = "equation") -> str:
    return f"\\begin{{{env}}}{body}\\end{{{env}}}\n"


def source(cls: str, preamble: str, body: str) -> str:
    """A whole document; ``cls`` may carry options (``[11pt]{book}``)."""
    cls = cls if cls.startswith("[") else "{" + cls + "}"
    return f"\\documentclass{cls}\n\\usepackage{{amsmath}}\n{preamble}\n\\begin{{document}}\n{body}\\end{{document}}\n"


def numbers(tmp_path: Path, cls: str, preamble: str, body: str) -> str:
    """The number of every extracted equation in order, ``-`` for an unnumbered one."""
    (tmp_path / "main.tex").write_text(source(cls, preamble, body), encoding="utf-8")
    return " ".join(eq.number or "-" for eq in read_document(tmp_path).equations)


CHAPTERS = (
    "\\chapter{One}" + eq("a") + "\\section{S}" + eq("b") + "\\chapter*{Preface}" + eq("c")
    + "\\chapter{Two}" + eq("d") + "\\appendix\\chapter{Extra}" + eq("e") + "\\chapter{More}" + eq("f")
)  # fmt: skip

# (id, document class, preamble, body, numbers: "-" where the PDF shows none)
NUMBERS = [
    ("plain", "article", "", eq("a") + eq("b") + eq("c"), "1 2 3"),
    (
        "starred-and-bare-displays",
        "article",
        "",
        eq("a", "equation*") + "\\[b\\]$$c$$" + eq("d", "displaymath") + eq("e"),
        "- - - - 1",
    ),
    ("math-env-is-inline", "article", "", eq("a", "math") + eq("b"), "1"),
    ("inline-math-is-skipped", "article", "", "$a$ and \\(b\\) " + eq("c"), "1"),
    ("tag-does-not-step", "article", "", eq("a") + eq("b\\tag{T}") + eq("c"), "1 T 2"),
    ("tag-star", "article", "", eq("a\\tag*{T}") + eq("b"), "T 1"),
    ("tag-with-space-before-brace", "article", "", eq("a\\tag {T}") + eq("b"), "T 1"),
    ("tag-on-a-bare-display", "article", "", "\\[a\\tag{7}\\]" + eq("b"), "7 1"),
    ("nonumber-and-notag", "article", "", eq("a\\nonumber") + eq("b\\notag") + eq("c"), "- - 1"),
    ("tag-in-starred-equation", "article", "", eq("a\\tag{T}", "equation*") + eq("b"), "T 1"),
    ("empty-equation-takes-a-number-it-does-not-show", "article", "", eq("") + eq("a"), "2"),
    ("multline-is-one", "article", "", eq("a\\\\b\\\\c", "multline") + eq("d"), "1 2"),
    ("multline-star", "article", "", eq("a\\\\b", "multline*") + eq("c"), "- 1"),
    ("align-rows", "article", "", eq("a&=1\\\\b&=2\\\\c&=3", "align"), "1 2 3"),
    ("align-nonumber-row-joins-the-next", "article", "", eq("a&=1\\nonumber\\\\b&=2", "align") + eq("c"), "1 2"),
    ("align-notag-last-row-joins-the-previous", "article", "", eq("a&=1\\\\b&=2\\notag", "align") + eq("c"), "1 2"),
    ("align-all-rows-suppressed", "article", "", eq("a\\nonumber\\\\b\\notag", "align") + eq("c"), "- 1"),
    ("align-tags", "article", "", eq("a\\tag{X}\\\\b\\\\c\\tag*{Y}\\\\d", "align"), "X 1 Y 2"),
    ("align-star", "article", "", eq("a\\\\b", "align*") + eq("c"), "- 1"),
    ("align-star-tag", "article", "", eq("a\\\\b\\tag{T}\\\\c", "align*") + eq("d"), "T 1"),
    ("align-row-spacing-option", "article", "", eq("a\\\\[2pt]b\\\\*c\\\\*[1ex]d", "align"), "1 2 3 4"),
    (
        "align-braces-and-inner-rows",
        "article",
        "",
        eq("a=\\substack{b\\\\c}\\\\d=\\begin{matrix}e\\\\f\\end{matrix}", "align"),
        "1 2",
    ),
    ("alignat", "article", "", "\\begin{alignat}{2}a&=1&b&=2\\\\c&=3&d&=4\\end{alignat}" + eq("e"), "1 2 3"),
    ("alignat-star", "article", "", "\\begin{alignat*}{2}a&=1&b&=2\\\\c&=3\\end{alignat*}" + eq("e"), "- 1"),
    ("alignat-star-tag", "article", "", "\\begin{alignat*}{1}a&=1\\tag{T}\\end{alignat*}" + eq("e"), "T 1"),
    ("flalign", "article", "", eq("a&=1&\\\\b&=2&", "flalign") + eq("c"), "1 2 3"),
    ("flalign-star", "article", "", eq("a&=1&\\\\b&=2&", "flalign*") + eq("c"), "- 1"),
    ("xalignat", "article", "", "\\begin{xalignat}{2}a&=1&b&=2\\\\c&=3&d&=4\\end{xalignat}", "1 2"),
    ("gather", "article", "", eq("a\\\\b\\nonumber\\\\c", "gather") + eq("d", "gather*"), "1 2 -"),
    ("eqnarray", "article", "", eq("a&=&1\\\\b&=&2\\nonumber\\\\c&=&3", "eqnarray") + eq("d", "eqnarray*"), "1 2 -"),
    ("split-is-one", "article", "", eq("\\begin{split}a&=1\\\\&=2\\end{split}") + eq("b"), "1 2"),
    (
        "subequations",
        "article",
        "",
        eq("a") + "\\begin{subequations}" + eq("b") + eq("c\\\\d", "align") + "\\end{subequations}" + eq("e"),
        "1 2a 2b 2c 3",
    ),
    (
        "subequations-tag-and-star",
        "article",
        "",
        "\\begin{subequations}"
        + eq("a")
        + eq("b\\tag{T}")
        + eq("c", "equation*")
        + eq("d")
        + "\\end{subequations}"
        + eq("e"),
        "1a T - 1b 2",
    ),
    (
        "subequations-after-a-set-counter",
        "article",
        "",
        "\\setcounter{equation}{4}\\begin{subequations}" + eq("a") + "\\end{subequations}",
        "5a",
    ),
    (
        "setcounter",
        "article",
        "",
        eq("a") + "\\setcounter{equation}{9}" + eq("b") + "\\setcounter{equation}{0}" + eq("c"),
        "1 10 1",
    ),
    (
        "addtocounter",
        "article",
        "",
        eq("a") + "\\addtocounter{equation}{5}" + eq("b") + "\\addtocounter{equation}{-3}" + eq("c"),
        "1 7 5",
    ),
    ("setcounter-value-with-spaces", "article", "", "\\setcounter{equation}{ 3 }" + eq("a"), "4"),
    (
        "setcounter-section",
        "article",
        "\\numberwithin{equation}{section}",
        "\\setcounter{section}{4}\\section{A}" + eq("a"),
        "5.1",
    ),
    (
        "addtocounter-section",
        "article",
        "\\numberwithin{equation}{section}",
        "\\section{A}\\addtocounter{section}{2}\\section{B}" + eq("a"),
        "4.1",
    ),
    ("setcounter-of-other-counters", "article", "", "\\setcounter{page}{5}\\addtocounter{footnote}{2}" + eq("a"), "1"),
    ("escaped-closing-bracket", "article", "", "\\[a\\\\]b\\]" + eq("c"), "- 1"),
    ("theequation-arabic", "article", "\\renewcommand{\\theequation}{S\\arabic{equation}}", eq("a") + eq("b"), "S1 S2"),
    (
        "theequation-thesection",
        "article",
        "\\renewcommand{\\theequation}{\\thesection.\\arabic{equation}}",
        "\\section{A}" + eq("a") + eq("b") + "\\section{B}" + eq("c"),
        "1.1 1.2 2.3",
    ),
    (
        "theequation-alph-section",
        "article",
        "\\renewcommand{\\theequation}{\\Alph{section}\\arabic{equation}}",
        "\\section{A}" + eq("a") + "\\section{B}" + eq("b"),
        "A1 B2",
    ),
    (
        "theequation-arabic-section",
        "article",
        "\\renewcommand{\\theequation}{\\arabic{section}-\\arabic{equation}}",
        "\\section{A}" + eq("a"),
        "1-1",
    ),
    (
        "theequation-thesubsection",
        "article",
        "\\renewcommand{\\theequation}{\\thesubsection.\\arabic{equation}}",
        "\\section{A}\\subsection{B}" + eq("a"),
        "1.1.1",
    ),
    (
        "theequation-thechapter",
        "book",
        "\\renewcommand{\\theequation}{\\thechapter-\\arabic{equation}}",
        "\\chapter{A}" + eq("a") + "\\chapter{B}" + eq("b"),
        "1-1 2-1",
    ),
    ("theequation-renewcommand-star", "article", "\\renewcommand*{\\theequation}{S\\arabic{equation}}", eq("a"), "S1"),
    (
        "theequation-in-the-body",
        "article",
        "",
        eq("a") + "\\renewcommand{\\theequation}{S\\arabic{equation}}" + eq("b"),
        "1 S2",
    ),
    (
        "theequation-with-appendix",
        "article",
        "\\renewcommand{\\theequation}{\\thesection.\\arabic{equation}}",
        "\\section{A}" + eq("a") + "\\appendix\\section{P}" + eq("b"),
        "1.1 A.2",
    ),
    (
        "numberwithin-section",
        "article",
        "\\numberwithin{equation}{section}",
        "\\section{A}"
        + eq("a")
        + eq("b")
        + "\\section*{U}"
        + eq("c")
        + "\\section{B}\\subsection{B1}"
        + eq("d\\\\e", "align"),
        "1.1 1.2 1.3 2.1 2.2",
    ),
    (
        "numberwithin-before-any-section",
        "article",
        "\\numberwithin{equation}{section}",
        eq("a") + "\\section{A}" + eq("b"),
        "0.1 1.1",
    ),
    (
        "numberwithin-section-appendix",
        "article",
        "\\numberwithin{equation}{section}",
        "\\section{A}" + eq("a") + "\\appendix\\section{P}" + eq("b") + eq("c") + "\\section{Q}" + eq("d"),
        "1.1 A.1 A.2 B.1",
    ),
    (
        "numberwithin-subsection",
        "article",
        "\\numberwithin{equation}{subsection}",
        "\\section{A}\\subsection{a}" + eq("a") + eq("b") + "\\subsection{b}" + eq("c") + "\\section{B}" + eq("d"),
        "1.1.1 1.1.2 1.2.1 2.0.1",
    ),
    (
        "numberwithin-in-the-body",
        "article",
        "",
        eq("a") + "\\numberwithin{equation}{section}\\section{A}" + eq("b"),
        "1 1.1",
    ),
    (
        "counterwithin",
        "article",
        "\\counterwithin{equation}{section}",
        "\\section{A}" + eq("a") + "\\section{B}" + eq("b"),
        "1.1 2.1",
    ),
    (
        "counterwithout",
        "book",
        "\\counterwithout{equation}{chapter}",
        "\\chapter{A}" + eq("a") + "\\chapter{B}" + eq("b"),
        "1 2",
    ),
    (
        "appendix-without-numberwithin",
        "article",
        "",
        "\\section{A}" + eq("a") + "\\appendix\\section{P}" + eq("b"),
        "1 2",
    ),
    ("book-chapters", "book", "", CHAPTERS, "1.1 1.2 1.3 2.1 A.1 B.1"),
    ("report-chapters", "report", "", CHAPTERS, "1.1 1.2 1.3 2.1 A.1 B.1"),
    ("scrbook-chapters", "scrbook", "", CHAPTERS, "1.1 1.2 1.3 2.1 A.1 B.1"),
    ("scrreprt-chapters", "scrreprt", "", CHAPTERS, "1.1 1.2 1.3 2.1 A.1 B.1"),
    ("memoir-chapters", "memoir", "", CHAPTERS, "1.1 1.2 1.3 2.1 A.1 B.1"),
    ("book-class-options", "[11pt,twoside]{book}", "", "\\chapter{A}" + eq("a"), "1.1"),
    ("scrartcl-is-not-a-book", "scrartcl", "", "\\section{A}" + eq("a") + "\\section{B}" + eq("b"), "1 2"),
    (
        "book-numberwithin-section",
        "book",
        "\\numberwithin{equation}{section}",
        "\\chapter{A}"
        + eq("a")
        + "\\section{S}"
        + eq("b")
        + "\\section{T}"
        + eq("c")
        + "\\chapter{B}\\section{U}"
        + eq("d"),
        "1.0.1 1.1.1 1.2.1 2.1.1",
    ),
    (
        "book-numberwithin-chapter-again",
        "book",
        "\\counterwithout{equation}{chapter}\\numberwithin{equation}{chapter}",
        "\\chapter{A}" + eq("a") + "\\chapter{B}" + eq("b"),
        "1.1 2.1",
    ),
    ("book-part-does-not-reset", "book", "", "\\chapter{A}" + eq("a") + "\\part{P}\\chapter{B}" + eq("b"), "1.1 2.1"),
    ("align-trailing-line-break-takes-a-number-it-does-not-show", "article", "", eq("a\\\\", "align") + eq("b"), "1 3"),
    ("leqno-and-eqno", "article", "", "$$a\\eqno(7)$$ $$b\\leqno 8$$" + eq("c"), "7 8 1"),
    ("dmath", "article", "\\usepackage{breqn}", eq("a=b", "dmath") + eq("c=d", "dmath*") + eq("e"), "1 - 2"),
    (
        "book-subequations",
        "book",
        "",
        "\\chapter{A}" + eq("a") + "\\begin{subequations}" + eq("b") + eq("c") + "\\end{subequations}",
        "1.1 1.2a 1.2b",
    ),
    (
        "book-appendix-sections",
        "book",
        "\\numberwithin{equation}{section}",
        "\\appendix\\chapter{A}\\section{S}" + eq("a"),
        "A.1.1",
    ),
    ("book-chapter-star-does-not-reset", "book", "", "\\chapter{A}" + eq("a") + "\\chapter*{B}" + eq("b"), "1.1 1.2"),
]

# Cases the extractor once numbered otherwise, now as pdflatex prints them (checked with pdflatex)
NUMBERS += [
    ("roman-equation", "article", "\\renewcommand{\\theequation}{\\roman{equation}}", eq("a") + eq("b"), "i ii"),
    (
        "numberwithin-subsubsection",
        "article",
        "\\numberwithin{equation}{subsubsection}",
        "\\section{A}\\subsection{B}\\subsubsection{C}" + eq("a"),
        "1.1.1.1",
    ),
    (
        "counterwithin-star-keeps-plain-numbers",
        "article",
        "\\counterwithin*{equation}{section}",
        "\\section{A}" + eq("a") + "\\section{B}" + eq("b"),
        "1 1",
    ),
    ("amsbook-numbers-run-on-through-chapters", "amsbook", "", CHAPTERS, "1 2 3 4 5 6"),
    (
        "setcounter-to-a-value",
        "article",
        "",
        "\\section{A}\\section{B}\\setcounter{equation}{\\value{section}}" + eq("a"),
        "3",
    ),
    (
        "renewed-thesection",
        "article",
        "\\numberwithin{equation}{section}\\renewcommand{\\thesection}{\\Roman{section}}",
        "\\section{A}" + eq("a"),
        "I.1",
    ),
    (
        "xxalignat-has-no-numbers",
        "article",
        "",
        "\\begin{xxalignat}{2}a&=1&b&=2\\\\c&=3&d&=4\\end{xxalignat}" + eq("e"),
        "- 1",
    ),
    ("appendix-before-a-section", "article", "\\numberwithin{equation}{section}", "\\appendix" + eq("a"), ".1"),
]


@pytest.mark.parametrize("cls, preamble, body, expected", [pytest.param(*case[1:], id=case[0]) for case in NUMBERS])
def test_equation_numbers_match_the_pdf(tmp_path: Path, cls: str, preamble: str, body: str, expected: str):
    assert numbers(tmp_path, cls, preamble, body) == expected


def refs(tmp_path: Path, cls: str, preamble: str, body: str, wanted: str) -> str:
    """What the paper's own ``\\ref``s read as, in a last section that holds nothing else."""
    (tmp_path / "main.tex").write_text(
        source(cls, preamble, body + "\\section*{Refs}" + wanted + "\n"), encoding="utf-8"
    )
    return read_document(tmp_path).sections[-1].text


def fig(caption: str, label: str, env: str = "figure") -> str:
    return f"\\begin{{{env}}}\\caption{{{caption}}}\\label{{{label}}}\\end{{{env}}}\n"


# (id, class, preamble, body, the references, how they read)
REFERENCES = [
    (
        "floats-count-apart",
        "article",
        "",
        fig("A", "f1") + fig("B", "t1", "table") + fig("C", "f2", "figure*"),
        "\\ref{f1}; \\ref{t1}; \\ref{f2}.",
        "1; 1; 2.",
    ),
    (
        "floats-per-chapter",
        "book",
        "",
        "\\chapter{A}" + fig("A", "f1") + "\\chapter{B}" + fig("B", "f2") + fig("C", "t1", "table"),
        "\\ref{f1}; \\ref{f2}; \\ref{t1}.",
        "1.1; 2.1; 2.1.",
    ),
    (
        "floats-reset-per-chapter-not-per-section",
        "book",
        "",
        "\\chapter{A}"
        + fig("A", "f1")
        + fig("B", "t1", "table")
        + "\\section{S}"
        + fig("C", "f2")
        + fig("D", "t2", "table")
        + "\\chapter{B}"
        + fig("E", "t3", "table"),
        "\\ref{f1}; \\ref{t1}; \\ref{f2}; \\ref{t2}; \\ref{t3}.",
        "1.1; 1.1; 1.2; 1.2; 2.1.",
    ),
    (
        "headings-before-their-parents",
        "article",
        "",
        "\\subsection{A}\\label{a}\\subsubsection{B}\\label{b}",
        "\\ref{a}; \\ref{b}.",
        "0.1; 0.1.1.",
    ),
    ("a-subsubsection-first", "article", "", "\\subsubsection{A}\\label{a}", "\\ref{a}.", "0.0.1."),
    (
        "floats-go-on-through-the-appendix",
        "article",
        "",
        fig("A", "f1") + "\\appendix\\section{P}" + fig("B", "f2"),
        "\\ref{f1}; \\ref{f2}.",
        "1; 2.",
    ),
    (
        "two-captions-in-one-float",
        "article",
        "",
        "\\begin{figure}\\caption{A}\\label{a}\\caption{B}\\label{b}\\end{figure}",
        "\\ref{a}; \\ref{b}.",
        "1; 2.",
    ),
    (
        "captionof-counts-its-kind",
        "article",
        "\\usepackage{caption}",
        "\\begin{figure}\\captionof{table}{A}\\label{a}\\end{figure}" + fig("B", "b", "table"),
        "\\ref{a}; \\ref{b}.",
        "1; 2.",
    ),
    (
        "wrapfigure",
        "article",
        "\\usepackage{wrapfig}",
        "\\begin{wrapfigure}{r}{3cm}\\caption{A}\\label{a}\\end{wrapfigure}",
        "\\ref{a}.",
        "1.",
    ),
    (
        "section-labels",
        "article",
        "",
        "\\section{A}\\label{s}\\subsection{B}\\label{ss}\\subsubsection{C}\\label{sss}",
        "\\ref{s}; \\ref{ss}; \\ref{sss}.",
        "1; 1.1; 1.1.1.",
    ),
    (
        "appendix-section-labels",
        "article",
        "",
        "\\section{A}\\appendix\\section{P}\\label{p}\\subsection{Q}\\label{q}",
        "\\ref{p}; \\ref{q}.",
        "A; A.1.",
    ),
    (
        "chapter-labels",
        "book",
        "",
        "\\chapter{A}\\label{c}\\section{S}\\label{s}\\appendix\\chapter{P}\\label{p}\\section{Q}\\label{q}",
        "\\ref{c}; \\ref{s}; \\ref{p}; \\ref{q}.",
        "1; 1.1; A; A.1.",
    ),
    (
        "equation-labels",
        "article",
        "",
        eq("a\\label{e1}") + eq("b\\tag{T}\\label{e2}") + eq("c\\nonumber\\\\d\\label{e3}", "align"),
        "\\ref{e1}; \\eqref{e2}; \\ref{e3}.",
        "1; (T); 2.",
    ),
    (
        "label-on-a-suppressed-row-goes-to-its-equation",
        "article",
        "",
        eq("c\\label{e}\\nonumber\\\\d", "align"),
        "\\ref{e}.",
        "1.",
    ),
]

# References the extractor once read as "?", now as pdflatex prints them (checked with pdflatex):
# a label names what was last numbered
REFERENCES += [
    (
        "label-before-caption",
        "article",
        "",
        "\\section{A}\\begin{figure}\\label{a}\\caption{A}\\end{figure}",
        "\\ref{a}.",
        "1.",
    ),
    ("label-after-a-starred-section", "article", "", "\\section{A}\\section*{B}\\label{b}", "\\ref{b}.", "1."),
    (
        "subequations-label",
        "article",
        "",
        eq("a") + "\\begin{subequations}\\label{s}" + eq("b") + "\\end{subequations}",
        "\\ref{s}.",
        "2.",
    ),
]


@pytest.mark.parametrize(
    "cls, preamble, body, wanted, expected", [pytest.param(*case[1:], id=case[0]) for case in REFERENCES]
)
def test_references_read_as_the_pdf_prints_them(
    tmp_path, cls: str, preamble: str, body: str, wanted: str, expected: str
):
    assert refs(tmp_path, cls, preamble, body, wanted) == expected


# LaTeX stops at these (an error, "Counter too large", no such class); the extractor carries on, as pinned here.
REFUSED = [
    ("two-unclosed-environments", "article", "", "\\begin{equation}a \\begin{equation}b " + eq("c", "align"), "1"),
    ("a-lone-dollar-ends-at-the-paragraph", "article", "", "it costs $5\n\n" + eq("a") + "and $b$.", "1"),
    ("a-thesis-class-numbers-per-chapter", "thesis", "", CHAPTERS, "1.1 1.2 1.3 2.1 A.1 B.1"),
    (
        "a-27th-appendix-section",
        "article",
        "\\numberwithin{equation}{section}",
        "\\appendix" + "\\section{S}" * 27 + eq("a"),
        "AA.1",
    ),
    (
        "a-27th-subequation",
        "article",
        "",
        "\\begin{subequations}" + eq("a") * 27 + "\\end{subequations}" + eq("b"),
        " ".join(f"1{letter}" for letter in "abcdefghijklmnopqrstuvwxyz") + " 127 2",
    ),
]


@pytest.mark.parametrize("cls, preamble, body, ours", [pytest.param(*case[1:], id=case[0]) for case in REFUSED])
def test_what_latex_refuses_is_pinned(tmp_path: Path, cls: str, preamble: str, body: str, ours: str):
    assert numbers(tmp_path, cls, preamble, body) == ours


def test_heading_numbers_are_pinned(tmp_path: Path):
    """As the PDF numbers them, but for one departure: a part shows "Part I" there.  A book prints
    no number on a subsubsection (secnumdepth 2), and a ``\\ref`` to it reads its subsection's 1.1.1."""
    body = "\\part{P}\\chapter{C}\\section{S}\\subsection{T}\\subsubsection{U}\\section*{V}\\appendix\\chapter{W}"
    (tmp_path / "main.tex").write_text(source("book", "", body), encoding="utf-8")
    assert [(s.title, s.level, s.number) for s in read_document(tmp_path).sections] == [
        ("P", -1, ""),
        ("C", 0, "1"),
        ("S", 1, "1.1"),
        ("T", 2, "1.1.1"),
        ("U", 3, ""),
        ("V", 1, ""),
        ("W", 0, "A"),
    ]


@pytest.mark.parametrize(
    "cls, preamble, expected, ref",
    [
        ("book", "", "1 1.1 1.1.1 - 1.1.2", "1.1.1"),
        ("book", "\\setcounter{secnumdepth}{3}", "1 1.1 1.1.1 1.1.1.1 1.1.2", "1.1.1.1"),
        ("article", "\\setcounter{secnumdepth}{1}", "- 1 - - -", "1"),
        ("amsbook", "", "1 1 1.1 1.1.1 1.2", "1.1.1"),
    ],
)
def test_headings_deeper_than_secnumdepth_show_no_number(
    tmp_path: Path, cls: str, preamble: str, expected: str, ref: str
):
    """pdflatex: a heading below ``secnumdepth`` is not numbered and steps nothing, so a label
    after it names the heading above (book: "1.1.1"); amsbook numbers sections 1, 2 in a chapter
    and its subsubsections too (the part's "Part I" is the one departure, shown as "-")."""
    body = "\\chapter{C}\\section{S}\\subsection{T}\\subsubsection{U}\\label{u}\\subsection{V}"
    body = body if cls != "article" else body.replace("\\chapter{C}", "\\part{C}")
    (tmp_path / "main.tex").write_text(source(cls, preamble, body + "\\section*{R}\\ref{u}.\n"), encoding="utf-8")
    doc = read_document(tmp_path)
    assert " ".join(s.number or "-" for s in doc.sections[:-1]) == expected
    assert doc.sections[-1].text == f"{ref}."

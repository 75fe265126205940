"""Numbers that depend on where LaTeX stands: the page, math or text mode, a numbered list.

Every expected value here was typeset with pdflatex (TeX Live 2022, amsmath loaded) and
read back with pdftotext; the sources are the small documents below.  No test needs TeX.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from studycards.latex.document import read_document
from tests.test_latex_numbering import eq, numbers, refs, source

PAGE = "\\renewcommand{\\theequation}{\\Alph{page}\\arabic{page}.\\arabic{equation}}"
MODE = "\\renewcommand{\\theequation}{\\ifmmode m\\else t\\fi\\arabic{equation}}"


@pytest.mark.parametrize(
    "preamble",
    [PAGE, "\\renewcommand{\\theequation}{\\thepage-\\arabic{equation}}", "\\numberwithin{equation}{section}" + PAGE],
)
def test_a_number_resting_on_the_page_is_not_claimed(tmp_path: Path, preamble: str):
    """pdflatex prints (A1.1) on page 1 and (B2.2) on page 2: only the typeset page knows, so
    no number is claimed (none can mismatch the PDF), a reference reads "?", and the user is told."""
    body = "\\section{S}" + eq("a\\label{e:a}") + "\\newpage" + eq("b") + "\\section*{R}See \\eqref{e:a}.\n"
    (tmp_path / "main.tex").write_text(source("article", preamble, body), encoding="utf-8")
    doc = read_document(tmp_path)
    assert [e.number for e in doc.equations] == [None, None]
    assert doc.sections[-1].text == "See (?)."
    (warning,) = doc.warnings
    assert ("the page counter" in warning or "\\thepage" in warning) and "left out, not guessed" in warning


def test_a_counter_of_our_own_still_numbers(tmp_path: Path):
    """The page rule does not catch counters the extractor keeps (section, equation)."""
    preamble = "\\renewcommand{\\theequation}{\\Roman{section}-\\alph{equation}}"
    assert numbers(tmp_path, "article", preamble, "\\section{A}" + eq("a") + eq("b")) == "I-a I-b"
    assert read_document(tmp_path).warnings == ()


MODE_BODY = (
    eq("a\\label{e:eq}")
    + eq("b\\label{e:al}", "align")
    + eq("c\\label{e:ga}", "gather")
    + eq("d\\label{e:ea}", "eqnarray")
    + "$$ e \\refstepcounter{equation}~(\\theequation)\\label{e:hand} $$\n"
    + "\\[ f \\refstepcounter{equation}\\label{e:bare} \\]\n"
    + "\\begin{subequations}\\label{e:sub}"
    + eq("g\\label{e:suba}")
    + "\\end{subequations}"
    + "\\[ h \\tag{\\theequation} \\]\n"
    + eq("i \\tag{\\ifmmode M\\else T\\fi}")
)


def test_ifmmode_in_theequation_prints_the_text_branch(tmp_path: Path):
    """The printed number is typeset in text mode; a number written by hand inside ``$$`` in math;
    a bare ``\\refstepcounter`` prints nothing; ``\\tag{…}`` is text (pdflatex: t1 t2 t3 t4 (m5)
    - t7a (t7) (T))."""
    assert numbers(tmp_path, "article", MODE, MODE_BODY) == "t1 t2 t3 t4 m5 - t7a t7 T"


def test_ifmmode_in_references_follows_the_mode_of_the_refstep(tmp_path: Path):
    """``equation`` and ``eqnarray`` step their counter in math mode, the others in text mode,
    so ``\\ref`` reads the math branch for them only (pdflatex: m1; t2; t3; m4; m5; m6; t7; t7a)."""
    wanted = "; ".join(f"\\ref{{e:{name}}}" for name in "eq al ga ea hand bare sub suba".split()) + "."
    assert refs(tmp_path, "article", MODE, MODE_BODY, wanted) == "m1; t2; t3; m4; m5; m6; t7; t7a."


def test_ifmmode_in_a_macro_takes_the_branch_of_where_it_is_used(tmp_path: Path):
    """``\\vx`` written for both modes: the equation gets the math branch, the introducing
    sentence its text branch (which is itself math), ``\\text{…}`` inside math the text one."""
    preamble = "\\newcommand{\\vx}{\\ifmmode\\mathbf{x}\\else$\\mathbf{x}$\\fi}"
    preamble += "\\newcommand{\\w}{\\ifmmode u\\else v\\fi}"
    body = "The vector \\vx{} and $\\w$ and \\w{} give:\n" + eq("\\vx = \\text{\\w} + \\w")
    (tmp_path / "main.tex").write_text(source("article", preamble, body), encoding="utf-8")
    (equation,) = read_document(tmp_path).equations
    assert equation.latex == "\\mathbf{x} = \\text{v} + u"
    assert equation.intro == "The vector $\\mathbf{x}$ and $u$ and v give:"
    assert equation.number == "1"


def items(*rows: str, option: str = "") -> str:
    return f"\\begin{{enumerate}}{option}" + "".join(f"\\item {row}\n" for row in rows) + "\\end{enumerate}\n"


NESTED = "\\section{S}" + items(
    "first \\label{i:1}",
    "second \\label{i:2}"
    + items("in \\label{i:2a}", "in b \\label{i:2b}" + items("deep \\label{i:d}" + items("x \\label{i:x}"))),
    "third" + eq("x=1 \\label{e:x}") + "after \\label{i:3}",
    "[(*)] custom \\label{i:custom}",
    "fourth \\label{i:4}",
)
NESTED += "after the list \\label{after}" + eq("y \\label{e:y}") + "after it \\label{after-eq}"
NESTED += "\\begin{enumerate}\\setcounter{enumi}{4}\\item five \\label{i:5}\\end{enumerate}"
NESTED += "\\begin{itemize}\\item bullet \\label{i:b}\\end{itemize}"

# (id, preamble, body, the references, how pdflatex prints them)
LISTS = [
    (
        "nested-enumerate-with-equations",
        "",
        NESTED,
        "\\ref{i:1}; \\ref{i:2}; \\ref{i:2a}; \\ref{i:2b}; \\ref{i:d}; \\ref{i:x}; \\ref{e:x}; \\ref{i:3}; "
        "\\ref{i:custom}; \\ref{i:4}; \\ref{after}; \\ref{e:y}; \\ref{after-eq}; \\ref{i:5}; \\ref{i:b}; \\eqref{i:2}.",
        "1; 2; 2a; 2b; 2(b)i; 2(b)iA; 1; 3; 3; 4; 1; 2; 1; 5; 1; (2).",
    ),
    (
        "renewed-theenumi",
        "\\renewcommand{\\theenumi}{\\Roman{enumi}}",
        "\\section{S}" + items("a \\label{a}" + items("b \\label{b}")),
        "\\ref{a}; \\ref{b}.",
        "I; Ia.",
    ),
    (
        "enumitem-label-ref-start-resume",
        "\\usepackage{enumitem}",
        "\\section{S}"
        + items("a \\label{a}" + items("b \\label{b}", option="[label=\\roman*.]"), option="[label=(\\alph*)]")
        + items("c \\label{c}", option="[label=\\textbf{Step \\arabic*:}, ref=Step~\\arabic*, start=3]")
        + items("d \\label{d}", "e \\label{e}", option="[leftmargin=*]")
        + items("f \\label{f}", option="[resume]"),
        "\\ref{a}; \\ref{b}; \\ref{c}; \\ref{d}; \\ref{e}; \\ref{f}.",
        "(a); i.; Step 3; 1; 2; 3.",
    ),
]


LISTS.append(
    (
        "a-paper-counter-carries-the-count-to-the-next-list",
        "\\newcounter{keep}",
        "\\section{S}"
        + items("a", "b \\label{b}\\setcounter{keep}{\\value{enumi}}")
        + "prose"
        + "\\begin{enumerate}\\setcounter{enumi}{\\value{keep}}\\item c \\label{c}\\item d \\label{d}\\end{enumerate}"
        + "\\begin{enumerate}\\setcounter{enumi}{\\value{unknown}}\\item e \\label{e}\\end{enumerate}",
        "\\ref{b}; \\ref{c}; \\ref{d}; \\ref{e}.",
        "2; 3; 4; ?.",  # pdflatex: 2; 3; 4; and an error for the undefined counter
    )
)


@pytest.mark.parametrize("preamble, body, wanted, expected", [pytest.param(*case[1:], id=case[0]) for case in LISTS])
def test_labels_in_numbered_lists_read_as_the_pdf_prints_them(
    tmp_path: Path, preamble: str, body: str, wanted: str, expected: str
):
    assert refs(tmp_path, "article", preamble, body, wanted) == expected


def test_equations_inside_a_list_are_numbered_as_any_other(tmp_path: Path):
    """pdflatex: (1) in the third item, (2) after the list, (3) in the last one."""
    assert numbers(tmp_path, "article", "", NESTED + items(eq("z"))) == "1 2 3"


def test_a_list_whose_labels_cannot_be_told_names_no_item(tmp_path: Path):
    """The enumerate package's short label ``[(a)]`` is not modelled: "?" rather than a guess;
    a label after the list names the section again."""
    body = "\\section{S}" + items("a \\label{a}", option="[(a)]") + "after \\label{b}"
    assert refs(tmp_path, "article", "\\usepackage{enumerate}", body, "\\ref{a}; \\ref{b}.") == "?; 1."

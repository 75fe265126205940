"""LaTeX extraction: numbering rules, macros, inputs, hostile sources, and the real corpus papers."""

from __future__ import annotations

import gzip
import re
import shutil
import tarfile
import time
from pathlib import Path

import pytest

from studycards.errors import StudycardsError
from studycards.latex.document import (
    drop_switched_off,
    find_main,
    read_document,
    strip_comments,
    with_sympy,
)
from studycards.models import Equation

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "latex"


def numbered(doc) -> list[tuple[str, str]]:
    return [(eq.number, eq.latex) for eq in doc.equations if eq.number]


def write(folder: Path, text: str, name: str = "main.tex") -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / name).write_text(text, encoding="utf-8")
    return folder


def article(body: str, preamble: str = "", cls: str = "article") -> str:
    return f"\\documentclass{{{cls}}}\n{preamble}\n\\begin{{document}}\n{body}\n\\end{{document}}\n"


# -- numbering ------------------------------------------------------------------


def test_numbering_rules_of_the_fixture():
    doc = read_document(FIXTURES / "numbering")
    assert numbered(doc) == [
        ("1", "a = 1"),
        ("$\\star$", "c = 3"),
        ("2", "\\begin{split} d &= 4 \\\\\n&= 2 + 2 \\end{split}"),
        ("3", "x = 1"),
        ("Z", "\\begin{aligned} y &= 2 \\\\\nz &= 3 \\end{aligned}"),
        ("4", "w = 4"),
        ("5", "p = 1"),
        ("6", "q = 2"),
        ("7", "\\begin{gathered} r = 1 + 2 \\\\\n+ 3 + 4 \\end{gathered}"),
        ("8", "\\begin{aligned} s &= 1 \\\\\n&= 0 + 1 \\end{aligned}"),
        ("U", "\\begin{aligned} t &= 1 \\\\\nu &= 2 \\end{aligned}"),
        ("9", "v = 1 \\quad m = 2"),
        ("10", "k = 1"),
        ("12a", "\\alpha = 1"),
        ("12b", "\\beta = 2"),
        ("13", "f(x) = \\begin{cases} 1 & x > 0 \\\\\n0 & \\text{otherwise} \\end{cases}"),
        ("14", "l = 1"),
    ]
    unnumbered = [eq.latex for eq in doc.equations if not eq.number]
    assert unnumbered == ["b = 2", "e = 5", "f = 6", "g = 7", "h = 8"]
    assert [eq.environment for eq in doc.equations if not eq.number] == [
        "equation*",
        "equation",
        "displaymath",
        "$$",
        "displaymath",
    ]


def test_labels_sections_intro_where_and_lines():
    doc = read_document(FIXTURES / "numbering")
    first, split = doc.equations[0], doc.equations[3]
    assert (first.label, first.file, first.line) == ("eq:first", "main.tex", 10)
    assert first.intro == "The first equation is plain:"
    assert first.section == "Single equations"
    assert split.label == "eq:split"
    x = next(eq for eq in doc.equations if eq.number == "3")
    assert (x.label, x.line, x.section) == ("eq:x", 43, "Rows")
    assert x.intro == "Each row of align counts:" and x.where == "where $w$ is the last."
    assert next(eq for eq in doc.equations if eq.number == "4").line == 46
    rows = next(s for s in doc.sections if s.title == "Rows")
    assert "See Eq. (3) and Section 3." in rows.text
    assert [(s.title, s.level, s.number) for s in doc.sections] == [
        ("Single equations", 1, "1"),
        ("Rows", 1, "2"),
        ("Last", 1, "3"),
    ]
    assert doc.title == "Numbering Rules"
    assert "one two, and a price of \\$$5$ is inline." in doc.sections[0].text


@pytest.mark.parametrize(
    "preamble, body, expected",
    [
        (
            "\\usepackage{amsmath}\\numberwithin{equation}{section}",
            (
                "\\section{A}\\begin{equation}a\\end{equation}\\begin{equation}b\\end{equation}"
                "\\section*{Unnumbered}\\begin{equation}c\\end{equation}"
                "\\section{B}\\subsection{B1}\\begin{align}d\\\\e\\end{align}"
                "\\appendix\\section{Proofs}\\begin{equation}f\\end{equation}"
            ),
            ["1.1", "1.2", "1.3", "2.1", "2.2", "A.1"],
        ),
        (
            "",
            "\\section{A}\\begin{equation}a\\end{equation}\\appendix\\section{P}\\begin{equation}b\\end{equation}",
            ["1", "2"],
        ),
        (
            "",
            "\\begin{equation}a\\end{equation}\\setcounter{equation}{9}\\begin{equation}b\\end{equation}",
            ["1", "10"],
        ),
        (
            "\\renewcommand{\\theequation}{S\\arabic{equation}}",
            "\\begin{equation}a\\end{equation}\\begin{equation}b\\tag*{T}\\end{equation}",
            ["S1", "T"],
        ),
        ("", "\\[ a \\tag{1'} \\] $$ b \\eqno(7) $$ \\begin{gather*} c \\\\ d \\end{gather*}", ["1'", "7"]),
    ],
)
def test_numbering_table(tmp_path: Path, preamble: str, body: str, expected: list[str]):
    doc = read_document(write(tmp_path, article(body, preamble)))
    assert [eq.number for eq in doc.equations if eq.number] == expected


@pytest.mark.parametrize("cls", ["report", "book"])
def test_chapters_number_equations_per_chapter(tmp_path: Path, cls: str):
    body = (
        "\\chapter{One}\\begin{equation}a\\end{equation}\\section{S}\\begin{equation}b\\end{equation}"
        "\\chapter*{Preface}\\begin{equation}c\\end{equation}"
        "\\chapter{Two}\\begin{equation}d\\end{equation}"
        "\\appendix\\chapter{Extra}\\begin{equation}e\\end{equation}"
    )
    doc = read_document(write(tmp_path, article(body, cls=cls)))
    assert [eq.number for eq in doc.equations] == ["1.1", "1.2", "1.3", "2.1", "A.1"]
    within = article(body.replace("\\appendix", ""), "\\numberwithin{equation}{section}", cls)
    doc = read_document(write(tmp_path / "within", within))
    assert [eq.number for eq in doc.equations] == ["1.0.1", "1.1.1", "1.1.2", "2.0.1", "3.0.1"]


# -- macros ---------------------------------------------------------------------


def test_macros_from_a_commands_file_with_arguments_and_optional_arguments():
    doc = read_document(FIXTURES / "macros")
    risk, reg = doc.equations
    assert risk.latex == (
        "\\theta^* = \\operatorname*{arg\\,min}_{\\theta} \\mathbb{E}_{\\mathcal{D}}"
        "\\mathcal{L}(f_\\theta(x), y) + \\left\\| \\theta \\right\\|_{2} + \\left\\| \\theta \\right\\|_{1}"
    )
    assert reg.latex == (
        "\\widehat{r} = \\frac{1}{2}\\left\\| \\mathbf{w} \\right\\|_{2}^2 + \\langle u, v \\rangle"
        " + \\operatorname{Tr}(A) + \\varepsilon + \\left(a, b\\right) + \\mathbf{1}"
    )
    assert risk.where == "where $\\mathcal{D}$ is the data set."
    assert risk.section == "Method with $\\mathbf{x} \\in \\mathbb{R}^n$"
    assert doc.title == "Macros of Example"
    assert "old vector macro still works: $\\mathbf{z}$" in doc.sections[0].text
    for name in ("R", "vect", "norm", "inner", "loss", "pair", "argmin", "late", "half", "risk", "1"):
        assert name in doc.macros
        for eq in doc.equations:
            assert not re.search(re.escape("\\" + name) + r"(?![A-Za-z])", eq.latex), (name, eq.latex)


@pytest.mark.parametrize(
    "preamble, math, expected",
    [
        ("\\newcommand{\\x}{\\mathbf{x}}\\renewcommand{\\x}{\\mathbf{y}}", "\\x", "\\mathbf{y}"),
        ("\\providecommand{\\x}{a}\\providecommand{\\x}{b}", "\\x", "a"),
        ("\\newcommand{\\f}[2][0]{f_{#1}(#2)}", "\\f{x} + \\f[1]{y}", "f_{0}(x) + f_{1}(y)"),
        ("\\def\\v#1{\\vec{#1}}\\def\\vv{\\v{u}}", "\\vv\\cdot\\v w", "\\vec{u}\\cdot\\vec{w}"),
        ("\\DeclareMathOperator*{\\argmax}{arg\\,max}", "\\argmax_x", "\\operatorname*{arg\\,max}_x"),
        ("\\newcommand\\half{\\frac12}", "\\half x", "\\frac12x"),
        ("\\newcommand{\\a}{\\alpha}", "\\a b", "\\alpha b"),
        ("\\let\\b\\beta", "\\b", "\\b"),
        ("\\newcommand{\\be}{\\begin{equation}}\\newcommand{\\ee}{\\end{equation}}", "", ""),
    ],
)
def test_macro_expansion_table(tmp_path: Path, preamble: str, math: str, expected: str):
    body = f"\\begin{{equation}}{math}\\end{{equation}}" if math else "\\be q = 1 \\ee"
    doc = read_document(write(tmp_path, article(body, preamble)))
    assert doc.equations[0].latex == (expected or "q = 1")
    assert doc.equations[0].number == "1"


# -- files: main, inputs, comments ------------------------------------------------


def test_inputs_comments_and_switched_off_text():
    doc = read_document(FIXTURES / "inputs")
    assert doc.main.name == "main.tex"
    assert [(eq.number, eq.latex, eq.file, eq.line) for eq in doc.equations] == [
        ("1", "1 + 1 = 2", "sections/intro.tex", 4),
        ("2", "m = 1", "sections/method.tex", 4),
        ("3", "n = 2", "sections/method.tex", 5),
        ("4", "loop = 1", "sections/loop.tex", 7),
    ]
    warnings = "\n".join(doc.warnings)
    assert "\\input{/etc/passwd}: outside the paper's folder" in warnings
    assert "\\input{../../outside}: outside the paper's folder" in warnings
    assert "\\input{sections/loop}: it inputs itself (a loop)" in warnings
    assert "\\input{sections/nothere}: file not found" in warnings
    assert "missing" not in warnings and "draft" not in warnings
    assert "The percent sign 50% stays." in doc.sections[-1].text


def test_paths_outside_the_paper_are_never_read(tmp_path: Path):
    secret = tmp_path / "secret.tex"
    secret.write_text("\\begin{equation} leaked = 1 \\end{equation}")
    paper = tmp_path / "a" / "paper"
    write(paper, article(f"\\input{{../../secret}}\\input{{{secret}}}\\input{{link}}\\input{{|cat x}}"))
    (paper / "link.tex").symlink_to(secret)
    doc = read_document(paper)
    assert doc.equations == ()
    assert sum("outside the paper's folder" in w for w in doc.warnings) == 3
    assert any("not a file name" in w for w in doc.warnings)


def test_find_main_prefers_the_document_and_explains_failure(tmp_path: Path):
    write(tmp_path, "\\section{Only a part}", "part.tex")
    with pytest.raises(StudycardsError, match="no main LaTeX file"):
        find_main(tmp_path)
    write(tmp_path, article("\\input{part}"), "paper.tex")
    (tmp_path / "._paper.tex").write_bytes(b"\x00\x05\x16\x07\\documentclass\\begin{document}")
    assert find_main(tmp_path).name == "paper.tex"
    assert read_document(tmp_path / "paper.tex").sections[0].title == "Only a part"


@pytest.mark.parametrize(
    "text, expected",
    [
        ("a % c\nb", "a %\nb"),
        ("50\\% off", "50\\% off"),
        ("a \\\\% c", "a \\\\%"),
        ("\\\\\\%", "\\\\\\%"),
    ],
)
def test_strip_comments(text: str, expected: str):
    assert strip_comments(text) == expected


@pytest.mark.parametrize(
    "text, expected",
    [
        ("a\\iffalse b \\ifx c\\fi d\\fi e", "a e"),
        ("a\\iffalse b\\else c\\fi d", "a c d"),
        ("a\\if0 x\n\\fi y", "a\n y"),
        ("a\\iffalse never closed\nb", "a\n"),
        ("a\\newif\\iffoo\\iffalse x\\fi b", "a\\newif\\iffoo b"),
        ("a\\begin{comment}\nx\n\\end{comment}b", "a\n\nb"),
        ("a\\end{document}\n\\begin{equation}", "a"),
    ],
)
def test_switched_off_text_is_dropped_keeping_line_breaks(text: str, expected: str):
    assert drop_switched_off(text) == expected


def test_non_utf8_source_is_read(tmp_path: Path):
    tmp_path.joinpath("main.tex").write_bytes(
        article("\\section{Caf\xe9}\\begin{equation}x\\end{equation}").encode("latin-1")
    )
    doc = read_document(tmp_path)
    assert doc.sections[0].title == "Café" and doc.equations[0].number == "1"


# -- hostile input ----------------------------------------------------------------


def test_macro_that_expands_forever_is_bounded(tmp_path: Path):
    body = "\\begin{equation}\\a = 1\\end{equation}\\begin{equation}\\b\\end{equation}"
    start = time.perf_counter()
    doc = read_document(write(tmp_path, article(body, "\\def\\a{\\a\\a}\\newcommand{\\b}{x\\b}")))
    assert time.perf_counter() - start < 10
    assert [eq.number for eq in doc.equations] == ["1", "2"]
    assert any("expansion budget exhausted" in w for w in doc.warnings)


def test_empty_displays_are_not_equations(tmp_path: Path):
    (tmp_path / "main.tex").write_text(
        article(
            "A $$ $$ B \\[ \\] C $$$$$$$$ D $$x = 1$$ E"
            " \\begin{equation}\\end{equation} F \\begin{equation}y\\end{equation}"
        )
    )
    doc = read_document(tmp_path)
    assert (doc.equations[0].latex, doc.equations[0].number) == ("x = 1", None)
    assert doc.equations[-1].number == "2"  # an empty numbered equation still takes (1) in the PDF


# -- sympy --------------------------------------------------------------------------


def test_with_sympy_reads_what_it_can_and_keeps_the_rest():
    good = Equation(latex="y = a x + b", file="f.tex", line=1, environment="equation", number="1")
    odd = Equation(latex="\\weird{", file="f.tex", line=2, environment="equation", number="2")
    read = with_sympy([good, odd])
    assert read[0].pretty and set(read[0].symbols) >= {"a", "b", "x", "y"}
    assert read[1] == odd


# -- the corpus -----------------------------------------------------------------------


def unpack(eprint: Path, into: Path) -> Path:
    """An arXiv e-print as the fetcher leaves it: a tar.gz unpacked, or a gzipped single .tex."""
    folder = into / eprint.name.split(".tar")[0].split(".single")[0]
    folder.mkdir(parents=True)
    if eprint.name.endswith(".tar.gz"):
        with tarfile.open(eprint) as archive:
            archive.extractall(folder, filter="data")
    else:
        with gzip.open(eprint) as source, (folder / "main.tex").open("wb") as target:
            shutil.copyfileobj(source, target)
    return folder


def corpus_sources(corpus: Path, tmp_path: Path) -> list[Path]:
    papers = sorted(p for p in (corpus / "papers").iterdir() if p.is_dir())
    return papers + [unpack(e, tmp_path) for e in sorted((corpus / "eprints").glob("*.gz"))]


def defined_names(folder: Path) -> set[str]:
    """The macro names a paper defines, read straight from its files (not from the extractor)."""
    names = set()
    pattern = re.compile(
        r"\\(?:(?:re|provide)?newcommand\*?\s*\{?\s*\\([A-Za-z]+|.)"
        r"|def\s*\\([A-Za-z]+|.)|DeclareMathOperator\*?\s*\{\s*\\([A-Za-z]+))"
    )
    for path in folder.rglob("*.tex"):
        if path.name.startswith("._"):
            continue
        text = strip_comments(path.read_bytes().decode("utf-8", "replace"))
        names |= {a or b or c for a, b, c in pattern.findall(text)}
    return names - {"theequation", "thefootnote"}


def test_every_corpus_paper_reads_without_author_macros(corpus: Path, tmp_path: Path):
    """How fast is the benchmark's row ("equation extraction, whole corpus"), not an assertion here."""
    sources = corpus_sources(corpus, tmp_path)
    assert len(sources) == 11
    docs = [read_document(source) for source in sources]
    for source, doc in zip(sources, docs):
        names = defined_names(source)
        for eq in doc.equations:
            for name in names:
                boundary = r"(?![A-Za-z])" if name[0].isalpha() else ""
                assert not re.search(re.escape("\\" + name) + boundary, eq.latex), (source.name, name, eq)
            assert eq.latex.count("{") == eq.latex.count("}") or "\\{" in eq.latex, eq


ATTENTION = [
    (
        "1",
        "model_architecture.tex",
        41,
        None,
        "\\mathrm{Attention}(Q, K, V) = \\mathrm{softmax}(\\frac{QK^T}{\\sqrt{d_k}})V",
    ),
    ("2", "model_architecture.tex", 118, None, "\\mathrm{FFN}(x)=\\max(0, xW_1 + b_1) W_2 + b_2"),
    (
        "3",
        "training.tex",
        15,
        None,
        (
            "lrate = d_{\\text{model}}^{-0.5} \\cdot \\min({step\\_num}^{-0.5},"
            " {step\\_num} \\cdot {warmup\\_steps}^{-1.5})"
        ),
    ),
]
DIN = [  # 1706.06978: \[ … \] with a comment inside, eqnarray + split, \bs macro without arguments
    ("1", "ch_approach.tex", 93, "eq:pooling", "\\boldsymbol{e}_i = \\text{pooling}("),
    ("2", "ch_approach.tex", 104, None, "L= - \\frac{1}{N} \\sum_{(\\boldsymbol{x},y)"),
    ("3", "ch_approach.tex", 158, "eq:attention", "\\begin{split} \\boldsymbol{v}_U(A) ="),
    ("4", "ch_approach.tex", 261, "eq:batch", "\\begin{split} L_2(\\boldsymbol{\\mathrm{W}}) &="),
    ("5", "ch_approach.tex", 275, "eq:minibatch", "L_2(\\boldsymbol{\\mathrm{W}}) = \\sum_{j=1}^{K}"),
    ("6", "ch_approach.tex", 290, "eq:approx", "L_2(\\boldsymbol{\\mathrm{W}})\\approx"),
    ("7", "ch_approach.tex", 312, None, "\\boldsymbol{w}_j \\leftarrow \\boldsymbol{w}_j- \\eta"),
    ("8", "ch_approach.tex", 418, None, "f(s) = \\begin{cases} s & \\text{ if } s > 0"),
    ("9", "ch_approach.tex", 430, None, "f(s) = p(s) \\cdot s + (1-p(s))\\cdot \\alpha s"),
    ("10", "ch_exp.tex", 86, "imps-guac", "\\text{AUC} = \\frac{\\sum_{i=1}^{n}"),
    ("11", "ch_exp.tex", 94, None, "RelaImpr = \\left(\\frac{\\text{AUC(measured model)}"),
]
DEEPSEEK_LINES = [
    300,
    301,
    302,
    303,
    304,
    317,
    318,
    319,
    320,
    329,
    330,
    341,
    342,
    343,
    347,
    365,
    379,
    381,
    382,
    383,
    424,
    431,
    436,
    445,
    450,
    999,
    1006,
    1012,
]


def check(doc, expected) -> None:
    got = [eq for eq in doc.equations if eq.number]
    assert [(e.number, e.file, e.line, e.label) for e in got] == [x[:4] for x in expected]
    for eq, (*_, latex) in zip(got, expected):
        assert eq.latex.startswith(latex), (eq.number, eq.latex)


def test_attention_is_all_you_need(corpus: Path):
    doc = read_document(corpus / "papers" / "1706.03762")
    check(doc, ATTENTION)
    first = doc.equations[0]
    assert first.intro == "We compute the matrix of outputs as:"
    assert first.section == "Scaled Dot-Product Attention"
    multi_head = doc.equations[1]
    assert multi_head.number is None and multi_head.environment == "align*"
    assert multi_head.where.startswith("Where the projections are parameter matrices")
    assert doc.title == "Attention Is All You Need"
    assert doc.abstract.startswith("The dominant sequence transduction models")
    assert "https://github.com/tensorflow/tensor2tensor" in doc.urls
    assert not any("parameter_attention" in eq.file or "sqrt_d_trick" in eq.file for eq in doc.equations)


def test_deep_interest_network(corpus: Path):
    doc = read_document(corpus / "papers" / "1706.06978")
    check(doc, DIN)
    underbrace = doc.equations[0]
    assert underbrace.number is None and underbrace.line == 20
    assert "\\underbrace{[0,0,0,0,1,0,0]}" in underbrace.latex and "%" not in underbrace.latex
    assert doc.equations[5].intro == "Eq.(4) can be transformed into Eq.(5) in the mini-batch aware manner"


def test_deepseek_v3_align_rows(corpus: Path):
    doc = read_document(corpus / "papers" / "2412.19437")
    got = [eq for eq in doc.equations if eq.number]
    assert [eq.number for eq in got] == [str(n) for n in range(1, 29)]
    assert [eq.line for eq in got] == DEEPSEEK_LINES
    assert {eq.file for eq in got} == {"main.tex"}
    assert got[13].latex.startswith("g^{\\prime}_{i,t} = \\begin{cases}")
    assert got[25].label == "eq:GRPO-obj" and got[25].latex.startswith("\\begin{split}")
    fim = [eq for eq in doc.equations if not eq.number]
    assert len(fim) == 1 and "fim\\_begin" in fim[0].latex
    assert doc.title == "DeepSeek-V3 Technical Report"


def test_minimal_de_sitter_supergravity_eprint(corpus: Path, tmp_path: Path):
    """0903.0179: \\numberwithin{equation}{section}, eqnarray rows with \\notag, \\bea macros, appendix."""
    doc = read_document(unpack(corpus / "eprints" / "0903.0179.single-tex.gz", tmp_path))
    numbers = [eq.number for eq in doc.equations if eq.number]
    assert numbers == (
        [f"2.{i}" for i in range(1, 10)]
        + [f"4.{i}" for i in range(1, 31)]
        + [f"5.{i}" for i in range(1, 27)]
        + [f"6.{i}" for i in range(1, 7)]
        + ["A.1"]
    )
    by_number = {eq.number: eq for eq in doc.equations}
    assert by_number["2.1"].line == 199 and "d \\star F &= 0" in by_number["2.1"].latex
    assert by_number["2.6"].label == "form1" and by_number["2.6"].latex == "\\epsilon = e_2"
    assert by_number["A.1"].label == "ksedecomp"
    assert by_number["4.1"].section == "Solutions with $\\epsilon =1+\\mu e_{1}$"


def test_amortized_optimization_book_numbers_per_chapter(corpus: Path):
    doc = read_document(corpus / "papers" / "2202.00665")
    numbers = [eq.number for eq in doc.equations if eq.number]
    per_chapter = {c: sum(n.split(".")[0] == c for n in numbers) for c in "1234"}
    assert per_chapter == {"1": 1, "2": 30, "3": 62, "4": 4}
    assert numbers[:3] == ["1.1", "2.1", "2.2"] and numbers[-1] == "4.4"


def test_paper_without_display_math(corpus: Path):
    doc = read_document(corpus / "papers" / "2305.13245")
    assert doc.equations == () and doc.warnings == ()
    assert doc.title.startswith("GQA: Training Generalized Multi-Query Transformer Models")
    assert any(s.title == "Conclusion" for s in doc.sections)


# -- the equations command -------------------------------------------------------------


def test_equations_command_on_a_folder_a_file_and_a_cached_paper(home: Path, tmp_path: Path):
    from click.testing import CliRunner

    from studycards.cli import main

    runner = CliRunner()
    result = runner.invoke(main, ["equations", str(FIXTURES / "macros"), "--no-sympy"])
    assert result.exit_code == 0, result.output
    assert result.output.startswith("(1)  Method with x ∈ ℝⁿ › We minimise the risk of a model in ℝᵈ:\n")
    assert "(2)  Method with" in result.output and "\\operatorname" not in result.output

    result = runner.invoke(main, ["equations", str(FIXTURES / "numbering" / "main.tex"), "--json"])
    assert result.exit_code == 0, result.output
    document = __import__("json").loads(result.output)
    assert document["target"] == str(FIXTURES / "numbering" / "main.tex")
    rows = document["equations"]
    assert rows[0] == {
        "number": "1",
        "label": "eq:first",
        "section": "Single equations",
        "intro": "The first equation is plain:",
        "intro_latex": "The first equation is plain:",
        "where": "",
        "where_latex": "",
        "file": "main.tex",
        "line": 10,
        "latex": "a = 1",
        "symbols": ["a"],
        "pretty": "a = 1",
    }

    result = runner.invoke(main, ["equations", str(FIXTURES / "macros"), "--json", "--no-sympy"])
    first = __import__("json").loads(result.output)["equations"][0]
    assert first["intro"] == "We minimise the risk of a model in ℝᵈ:"  # as the text view draws it
    assert first["intro_latex"] == "We minimise the risk of a model in $\\mathbb{R}^d$:"
    assert first["where"] == "where 𝒟 is the data set."
    assert first["where_latex"] == "where $\\mathcal{D}$ is the data set."

    result = runner.invoke(main, ["equations", "1706.03762"])
    assert result.exit_code == 1
    assert result.output.strip() == "Error: paper 1706.03762 has no cached source; run: studycards fetch 1706.03762"
    shutil.copytree(FIXTURES / "inputs", home / "cache" / "arxiv" / "1706.03762" / "src")
    result = runner.invoke(main, ["equations", "arXiv:1706.03762v2", "--no-sympy"])
    assert result.exit_code == 0, result.output
    assert "(4)  Loop › and its neighbour, which inputs it back:\n     loop = 1" in result.output

    result = runner.invoke(main, ["equations", str(tmp_path / "nothing")])
    assert result.exit_code == 1 and "no such file or folder, and not an arXiv id" in result.output

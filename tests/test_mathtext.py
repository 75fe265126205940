"""Math for the terminal: the unicode fallback family by family, sympy only when trustworthy."""

from __future__ import annotations

import re
import subprocess
import sys

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from studycards.mathtext.lines import render_markdown
from studycards.mathtext.pretty import SympyReading, render, sympy_reading
from studycards.mathtext.unicode import latex_to_unicode
from tests.paths import DECKS

ADAM = r"\theta_t = \theta_{t-1} - \alpha \cdot \hat{m}_t / (\sqrt{\hat{v}_t} + \epsilon)"
ATTENTION = r"\mathrm{Attention}(Q,K,V) = \mathrm{softmax}\left(\frac{QK^\top}{\sqrt{d_k}}\right)V"


@pytest.mark.parametrize(
    "latex, expected",
    [
        # fractions: parentheses only where a side is not atomic, or the fraction touches a neighbour
        (r"\frac{a}{b}", "a/b"),
        (r"\frac{a+b}{c+d}", "(a+b)/(c+d)"),
        (r"\dfrac{1}{2}", "1/2"),
        (r"\tfrac{x}{y+1}", "x/(y+1)"),
        (r"\frac12", "1/2"),
        (r"\frac{1}{2}x", "(1/2)x"),
        (r"\frac{a}{b}^2", "(a/b)²"),
        (r"\frac{\frac{a}{b}}{c}", "(a/b)/c"),
        (r"\log\frac{a}{b}", "log(a/b)"),
        # roots
        (r"\sqrt{x}", "√x"),
        (r"\sqrt{a+b}", "√(a+b)"),
        (r"\sqrt[3]{x}", "∛x"),
        (r"\sqrt[4]{x}", "∜x"),
        (r"\sqrt[n]{x}", "ⁿ√x"),
        (r"\sqrt{x}y", "√(x)y"),
        # norms and absolute values
        (r"\|x\|", "‖x‖"),
        (r"\lVert x \rVert", "‖x‖"),
        (r"\left\| w \right\|_2^2", "‖w‖₂²"),
        (r"|x|", "|x|"),
        (r"\lvert x \rvert", "|x|"),
        # sub- and superscripts
        ("x_t", "xₜ"),
        ("x^2", "x²"),
        (r"\beta_1^t", "β₁ᵗ"),
        ("x_{t-1}", "xₜ₋₁"),
        ("x^{n+1}", "xⁿ⁺¹"),
        ("x_{ij+1}", "x_(ij+1)"),
        ("x^{a/b}", "x^(a/b)"),
        (r"W_Q", "W_Q"),
        ("e^{-x^2}", "e^(-x²)"),
        (r"x^{(t)}", "x⁽ᵗ⁾"),
        # transpose
        (r"x^\top y", "xᵀy"),
        ("W^T", "Wᵀ"),
        (r"A^{\top}", "Aᵀ"),
        # greek, both cases and variants
        (r"\alpha \beta \Gamma \Omega", "αβΓΩ"),
        (r"\epsilon, \varepsilon, \phi, \varphi, \vartheta", "ϵ, ε, ϕ, φ, ϑ"),
        # operators and relations
        (r"\sum_{i=1}^{N} x_i", "∑ᵢ₌₁ᴺ xᵢ"),
        (r"\prod_i p_i", "∏ᵢ pᵢ"),
        (r"\int_0^1 f(x)\,dx", "∫₀¹ f(x) dx"),
        (r"a \cdot b \times c", "a · b × c"),
        (r"a \leq b \geq c \neq d \approx e", "a ≤ b ≥ c ≠ d ≈ e"),
        (r"x \in S", "x ∈ S"),
        (r"n \to \infty", "n → ∞"),
        (r"\theta \leftarrow \theta - \eta g", "θ ← θ - ηg"),
        (r"\partial f / \partial x", "∂f/∂x"),
        (r"\nabla f", "∇f"),
        (r"a \odot b \otimes c", "a ⊙ b ⊗ c"),
        (r"p \propto q", "p ∝ q"),
        (r"x \sim p", "x ∼ p"),
        (r"\pm 1", "±1"),
        (r"-x + (-y)", "-x + (-y)"),
        (r"1, \ldots, n", "1, …, n"),
        (r"x_1 \dots x_n \cdots", "x₁…xₙ…"),
        # functions
        (r"\log p(x) + \exp(x)", "log p(x) + exp(x)"),
        (r"\max_i x_i", "maxᵢ xᵢ"),
        (r"\min(a, b)", "min(a, b)"),
        (r"\arg\max_\theta L", "arg max_θ L"),
        (r"\operatorname{softmax}(z)", "softmax(z)"),
        (r"\operatorname*{arg\,min}_x f", "arg minₓ f"),
        # font commands
        (r"\mathrm{ReLU}(x)", "ReLU(x)"),
        (r"\text{if } x > 0", "if x > 0"),
        (r"\textrm{loss}", "loss"),
        (r"\mathbf{W}x + \mathbf{b}", "Wx + b"),
        (r"\boldsymbol{\mu} + \bm{x} + \mathit{y}", "μ + x + y"),
        (r"x \in \mathbb{R}^{d}", "x ∈ ℝᵈ"),
        (r"\mathbb{E}[x]", "𝔼[x]"),
        (r"\mathcal{L}", "ℒ"),
        (r"\mathcal{N}(0, 1)", "𝒩(0, 1)"),
        (r"\mathbb{1}", "𝟙"),
        (r"\mathbb{x}", "x"),
        # accents: combining marks on one letter, a word otherwise
        (r"\hat{x}", "x̂"),
        (r"\bar{x}", "x̄"),
        (r"\tilde{x}", "x̃"),
        (r"\vec{v}", "v⃗"),
        (r"\dot{q}", "q̇"),
        (r"\hat{\theta}_t", "θ̂ₜ"),
        (r"\hat{xy}", "hat(xy)"),
        (r"\overline{AB}", "bar(AB)"),
        # sizing, braces, spacing, alignment
        (r"\left( a \right) \big[ b \Big]", "(a)[b]"),
        (r"\left. x \right|_0", "x|₀"),
        (r"\{ x \mid x > 0 \}", "{x | x > 0}"),
        (r"a \quad b \; c \, d \! e", "a b c de"),
        (r"a &= b \\ &= c", "a = b\n= c"),
        (r"\begin{aligned} a &= b \\ c &= d \end{aligned}", "a = b\nc = d"),
        (r"\begin{split} a &= b \\ &= c \end{split}", "a = b\n= c"),
        (r"|x| = \begin{cases} x & x \geq 0 \\ -x & \text{otherwise} \end{cases}", "|x| = { x, x ≥ 0\n-x, otherwise"),
        (r"\begin{bmatrix} a & b \\ c & d \end{bmatrix}", "[a, b; c, d]"),
        # unknown commands keep their name, without the backslash
        (r"\softmax(x)", "softmax(x)"),
        (r"\foo", "foo"),
        # the examples of the design document
        (ATTENTION, "Attention(Q, K, V) = softmax(QKᵀ/√dₖ)V"),
        (ADAM, "θₜ = θₜ₋₁ - α · m̂ₜ/(√v̂ₜ + ϵ)"),
    ],
)
def test_latex_to_unicode(latex, expected):
    assert latex_to_unicode(latex) == expected


@pytest.mark.parametrize(
    "junk",
    [
        "",
        "{",
        "}",
        "{{{{",
        "}}}}a",
        r"\frac{",
        "x^",
        "x_",
        r"\\",
        "\\",
        r"\begin{cases",
        r"\end{bmatrix}",
        r"\sqrt[",
        r"\left",
        "&&&",
        "$x$",
        "{" * 5000 + "x",
        r"\frac" * 2000,
    ],
)
def test_latex_to_unicode_degrades_on_junk(junk):
    assert isinstance(latex_to_unicode(junk), str)


LATEXISH = st.lists(
    st.sampled_from(
        [
            "\\",
            "{",
            "}",
            "[",
            "]",
            "^",
            "_",
            "&",
            "$",
            " ",
            "\n",
            "x",
            "1",
            "+",
            "(",
            ")",
            "|",
            r"\frac",
            r"\sqrt",
            r"\left",
            r"\right",
            r"\begin{cases}",
            r"\end{cases}",
            r"\begin{bmatrix}",
            r"\\",
            r"\hat",
            r"\mathbb",
            r"\text",
            r"\alpha",
            r"\not",
            r"\overset",
            r"\operatorname",
            r"\foo",
        ]
    ),
    max_size=40,
).map("".join)


@settings(max_examples=300, deadline=None)
@given(st.one_of(st.text(), LATEXISH))
def test_latex_to_unicode_never_raises(text):
    assert isinstance(latex_to_unicode(text), str)


PLAIN = st.lists(
    st.sampled_from(
        [
            "x",
            "k",
            "T",
            "1",
            "42",
            " ",
            "  ",
            "\t",
            "\n",
            "+",
            "-",
            "=",
            "<",
            ">",
            ",",
            "(",
            ")",
            "_",
            "^",
            "{",
            "}",
            "_{t-1}",
            "^{2}",
            "_{ij}",
            "^T",
            "_k",
            "^{(t)}",
            "_{}",
            r"\alpha",
            r"\beta",
            r"\infty",
            r"\leq",
            r"\cdot",
            r"\to",
            r"\alphax",
            r"\sqrt",
            r"\,",
            "*",
            "'",
        ]
    ),
    max_size=30,
).map("".join)


@settings(max_examples=500, deadline=None)
@given(PLAIN)
def test_the_one_pass_reading_of_plain_math_is_the_parsers_own(text):
    """The fast path for the plainest spans (``x_{12}``, ``\\alpha = 3``) reads exactly as the full parser, or
    leaves the span to it."""
    from studycards.mathtext.unicode import _Parser, _plain

    fast = _plain(text)
    assert fast is None or fast == _Parser(text).seq(None, "math")


@pytest.mark.parametrize("text", ["x_{12}", "d_k", r"\alpha = 12", "x_{t-1} = y^2 + 1", r"a \leq b, c", "QK^T"])
def test_plain_math_takes_the_one_pass_reading(text):
    from studycards.mathtext.unicode import _plain

    assert _plain(text) is not None


@settings(max_examples=60, deadline=None)
@given(LATEXISH)
def test_sympy_reading_never_raises(text):
    reading = sympy_reading(text)
    assert reading is None or isinstance(reading, SympyReading)


def test_sympy_draws_a_fraction_with_a_bar():
    reading = sympy_reading(r"\frac{a+b}{c}")
    assert reading is not None
    lines = reading.pretty.splitlines()
    assert len(lines) == 3 and set(lines[1]) == {"─"}
    assert reading.symbols == ("a", "b", "c")


def test_sympy_draws_a_root():
    reading = sympy_reading(r"\frac{1}{\sqrt{x}}")
    assert reading is not None and "√x" in reading.pretty and "─" in reading.pretty


def test_sympy_keeps_the_whole_equation():
    reading = sympy_reading(r"m_t = \beta_1 m_{t-1} + (1 - \beta_1) g_t")
    assert reading is not None
    assert reading.pretty == "mₜ = β₁⋅mₜ₋₁ + (1 - β₁)⋅gₜ"
    assert reading.symbols == ("beta_{1}", "g_{t}", "m_{t - 1}", "m_{t}")


def test_adam_update_is_fully_rendered_or_not_at_all():
    reading = sympy_reading(ADAM)
    if reading is not None:
        for symbol in ("θ", "α", "m", "v", "√", "ε"):
            assert symbol in reading.pretty
    assert render(ADAM) in (latex_to_unicode(ADAM), getattr(reading, "pretty", None))


@pytest.mark.parametrize(
    "latex",
    [
        ATTENTION,  # the parser rejects it outright
        r"\mathrm{softmax}(x)",  # read as s*o*f*t*m*a*x
        r"\text{ReLU}(x)",
        r"\operatorname{tr}(A)",
        r"VAL(d) = \frac{|TA(d)|}{|P_{same}|}",  # V*A*L(d), and the subscript sorted to "saem"
        r"lrate = 2",
        r"x^\top y",
        "x^T y",  # transpose read as a power
        r"x^{(t)}",  # an iteration index read as a power
        r"W^{-1}",  # drawn as 1/W
        r"\Sigma^{1/2}",
        r"\beta = 0.9",  # floats printed as 0.900000000000000
        r"\mathbb{E}[x]",
        "E[x]",  # brackets read as a product
        r"\max_i x_i",  # a symbol named max_i
        r"\hat{x}",
        r"\mathbf{x}",
        r"a \times b",
        r"\nabla f",  # commands read as symbols
        r"\frac{\partial L}{\partial w}",  # sympy would print d/dw, not ∂/∂w
        r"\phi + \varphi",  # two letters sympy prints alike
        r"x_{ij}",  # subscript products are sorted by sympy
        r"a = ",
        r"= b",
        "",
    ],
)
def test_sympy_refuses_what_it_would_misread(latex):
    assert sympy_reading(latex) is None


@pytest.mark.parametrize(
    "latex, expected",
    [
        ("a = a", "a = a"),  # never evaluated to True
        ("1 < 2", "1 < 2"),
        ("A B A", "A⋅B⋅A"),  # factors keep their order: matrices do not commute
        ("x W + b", "x⋅W + b"),
        (r"a \leq b = c", "a ≤ b = c"),
        (r"\ln(x)", "log(x)"),
        (r"\varepsilon_t", "εₜ"),
        (r"\left| x \right|", "│x│"),
        (r"\max(a, b)", "max(a, b)"),
        ("y = x,", "y = x"),
    ],
)
def test_sympy_one_line_readings(latex, expected):
    reading = sympy_reading(latex)
    assert reading is not None and reading.pretty == expected


@pytest.mark.parametrize("latex", ["a = (b", r"\frac{a}{", "a, b", r"p(y|x)", r"\sum_i x_i", "x^^2"])
def test_parse_failures_are_silent(latex, capfd):
    assert sympy_reading(latex) is None
    assert capfd.readouterr() == ("", "")


def test_rejected_latex_falls_back_readably():
    text = render(ATTENTION)
    assert text == latex_to_unicode(ATTENTION)
    assert "QKᵀ/√dₖ" in text and "\\" not in text


def test_inline_render_is_one_line():
    assert render(r"\frac{a}{b}", display=False) == "a/b"
    assert render(r"\frac{a}{b}", display=True) == "a\n─\nb"
    assert render(r"a \\ b", display=False) == "a b"
    assert render("x_t", display=False) == "xₜ"


@pytest.mark.parametrize(
    "text, expected",
    [
        ("Why divide by $\\sqrt{d_k}$?", "Why divide by √dₖ?"),
        ("plain text", "plain text"),
        ("costs \\$5 and \\$10", "costs \\$5 and \\$10"),
        ("escaped \\$x\\$ stays", "escaped \\$x\\$ stays"),
        ("code `$x$` stays", "code `$x$` stays"),
        ("```\n$x$\n```", "```\n$x$\n```"),
        ("$d_k = d_v =$ 64", "dₖ = dᵥ = 64"),
        ("Scaled:\n$$\n" + ATTENTION + "\n$$\nEnd", "Scaled:\nAttention(Q, K, V) = softmax(QKᵀ/√dₖ)V\nEnd"),
        ("see $$\\frac{a}{b}$$ here", "see \na\n─\nb\n here"),
    ],
)
def test_render_markdown(text, expected):
    assert render_markdown(text) == expected


def test_render_markdown_without_sympy():
    assert render_markdown("$$\\frac{a}{b}$$ and $\\sqrt{x+1}$", pretty=False) == "a/b\n and √(x+1)"


def test_sympy_work_is_memoised():
    sympy_reading.cache_clear()
    sympy_reading("a = b")
    sympy_reading("a = b")
    assert sympy_reading.cache_info().hits == 1


def test_import_does_not_import_sympy():
    probe = "import sys, studycards.mathtext.pretty; print('sympy' in sys.modules)"
    result = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "False"


def deck_blocks() -> list[str]:
    blocks = []
    for path in sorted(DECKS.glob("*.md")):
        blocks += [m[1] for m in re.finditer(r"\$\$(.+?)\$\$", path.read_text(encoding="utf-8"), re.S)]
    return blocks


def test_every_deck_equation_renders():
    blocks = deck_blocks()
    assert len(blocks) >= 15  # the sample decks' equation cards
    for latex in blocks:
        fallback = latex_to_unicode(latex)
        assert fallback and not re.search(r"\\[A-Za-z]", fallback), (latex, fallback)
        assert render(latex).strip()

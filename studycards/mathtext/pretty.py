"""LaTeX math -> text a terminal can show: sympy's pretty form where its reading is
trustworthy, otherwise a pure-string unicode rendering of the LaTeX itself."""

from __future__ import annotations

import contextlib
import functools
import io
import re
import warnings
from dataclasses import dataclass
from typing import TYPE_CHECKING

from studycards.mathtext.lines import line_form
from studycards.mathtext.symbols import GREEK, RELATIONS

if TYPE_CHECKING:  # sympy is imported lazily: studycards must start fast
    import sympy
    from sympy.printing.pretty.pretty import PrettyPrinter
    from sympy.printing.pretty.stringpict import prettyForm


@dataclass(frozen=True)
class SympyReading:
    """sympy's reading of an equation: its unicode pretty form and its free symbols, named as
    sympy names them (``theta_{t - 1}``), so that other code can match them across equations."""

    pretty: str
    symbols: tuple[str, ...]


# Commands whose sympy reading is faithful; any other command (\hat, \mathrm, \times, \top, ...)
# sympy either rejects or silently turns into a product of letters, so it is refused up front.
_SYMPY_COMMANDS = frozenset(GREEK) | frozenset(
    "frac dfrac tfrac sqrt cdot sum prod int lim to infty partial log ln exp sin cos tan sinh cosh"
    " tanh arcsin arccos arctan max min binom lfloor rfloor lceil rceil leq le geq ge neq ne approx"
    " propto equiv".split()
)
_SYMPY_GREEK = frozenset(n for n in GREEK if not n.startswith("var"))
_SYMPY_VARIANTS = {n: n[3:] for n in GREEK if n.startswith("var")}
_DIRECTIONS = ("+", "-", "+-")  # the side of a Limit, a Symbol that is not the user's
# Things sympy misreads rather than rejects: ^T and ^\top as powers, x^{(t)} as x^t, W^{-1} drawn
# as 1/W (wrong for matrices), E[x] as E*x, and floats printed as 0.900000000000000.
_MISREAD = re.compile(
    r"\^\s*\{?\s*(?:\(|-\s*\d|\{[^{}]*/|T(?![A-Za-z])|\\top|\\intercal)"
    r"|(?<!\\sqrt)\[|\.|&|\\[^A-Za-z]"
)
_RELATION = r"\\(leq|le|geq|ge|neq|ne|approx|propto|equiv)(?![A-Za-z])|[=<>]"


def _prepare(latex: str) -> str | None:
    """Drop what cannot change meaning (sizing, thin spaces, closing punctuation); None if suspicious."""
    text = re.sub(r"\\(?:left|right|[bB]igg?[lr]?)\s*(?=[()|])", "", latex)
    text = re.sub(r"\\[,:; ]|~", " ", text).replace("\\!", "").strip().rstrip(",;.").strip()
    if not text or len(text) > 300 or _MISREAD.search(text):  # antlr in pure Python: ~5 ms a character
        return None
    if any(name not in _SYMPY_COMMANDS for name in re.findall(r"\\([A-Za-z]+)", text)):
        return None
    letters = re.sub(r"\\[A-Za-z]+", " ", text)
    if re.search(r"[A-Za-z]{3,}|[A-Za-z]{2}\s*\(", letters):
        return None  # a word such as VAL(d) or lrate: sympy would draw V⋅A⋅L(d)
    if "\\int" in text and not re.search(r"d[A-Za-z\\]", letters.replace(" ", "")):
        return None  # sympy invents the missing dx
    return text


def _split_relations(text: str) -> tuple[list[str], list[str]]:
    """Split at top-level relations, so that sympy never evaluates Eq(x, x) to True."""
    sides, signs, depth, start = [], [], 0, 0
    for m in re.finditer(r"[{(]|[})]|" + _RELATION, text):
        if m[0] in ("{", "("):
            depth += 1
        elif m[0] in ("}", ")"):
            depth -= 1
        elif depth == 0:
            sides.append(text[start : m.start()])
            signs.append(RELATIONS.get(m[1] or "", m[0]))
            start = m.end()
    return sides + [text[start:]], signs


def _display_name(name: str) -> str | None:
    """sympy's 'beta_{t - 1}' -> 'beta_t-1' (printed β with subscripts); None for misread names."""
    m = re.fullmatch(r"([A-Za-z]+)('*)(?:_\{([^{}_^*]*)\})?", name)  # sympy sorts products: P_{same}
    if not m or (len(m[1]) > 1 and m[1] not in GREEK):
        return None
    base = _SYMPY_VARIANTS.get(m[1], m[1]) + m[2]
    if m[3] is None:
        return base
    sub = "".join(GREEK.get(part, part) for part in re.split(r"(\W)", m[3]))
    sub = re.sub(r"\s", "", sub)
    return base + "_" + sub if re.fullmatch(r"[\w+\-()']+", sub) else None


def _vetted(expr: sympy.Basic) -> bool:
    """Every name must be a letter or a greek letter: 'mathrm', 'hat' or 'max_{i}' mean a misread."""
    import sympy
    from sympy.core.function import AppliedUndef

    names = {s.name: _display_name(s.name) for s in expr.atoms(sympy.Symbol) if s.name not in _DIRECTIONS}
    if None in names.values() or len(set(names.values())) != len(names):
        return False
    calls = {call.func.__name__ for call in expr.atoms(AppliedUndef)}
    return all(re.fullmatch(r"[A-Za-z]'*", fn) or fn in _SYMPY_GREEK or fn in ("max", "min") for fn in calls)


@functools.cache
def _printer() -> PrettyPrinter:
    """sympy's pretty printer, keeping source order, with readable names and plain natural logs.

    Renaming happens while printing: rebuilding the expression would reorder or merge factors.
    """
    import sympy
    from sympy.printing.pretty.pretty import PrettyPrinter

    class Printer(PrettyPrinter):
        def _print_Symbol(self, e: sympy.Symbol, bold_name: bool = False) -> prettyForm:
            name = e.name if e.name in _DIRECTIONS else _display_name(e.name) or e.name
            return super()._print_Symbol(sympy.Symbol(name), bold_name)

        def _print_log(self, e: sympy.log) -> prettyForm:
            if len(e.args) == 2 and e.args[1] == sympy.E:
                return self._print(sympy.Function("log")(e.args[0]))
            return self._print_Function(e)

    return Printer({"use_unicode": True, "order": "none", "wrap_line": False})


@functools.lru_cache(maxsize=1024)
def sympy_reading(latex: str) -> SympyReading | None:
    """sympy's pretty form, or None unless the whole equation parses strictly and faithfully.

    A wrong rendering is worse than raw LaTeX: only a strict parse of a vetted input is trusted.
    """
    text = _prepare(latex)
    if text is None:
        return None
    sides, signs = _split_relations(text)
    if any(not side.strip() for side in sides):
        return None
    try:
        from sympy.parsing.latex import parse_latex
        from sympy.printing.pretty.stringpict import prettyForm, stringPict

        with warnings.catch_warnings(), contextlib.redirect_stderr(io.StringIO()):
            warnings.simplefilter("ignore")
            exprs = [parse_latex(side, strict=True, backend="antlr") for side in sides]
            if not all(_vetted(expr) for expr in exprs):
                return None
            printer = _printer()
            parts: list = [printer._print(exprs[0])]
            for sign, expr in zip(signs, exprs[1:]):
                parts += [f" {sign} ", printer._print(expr)]
            drawn = prettyForm(*stringPict.next(*parts)).render(wrap_line=False)
    except Exception:  # parse failures, antlr errors, sympy printer limits: the caller falls back
        return None
    pretty = "\n".join(line.rstrip() for line in drawn.splitlines()).strip("\n")
    if "{" in pretty or "}" in pretty or ("\\partial" in text and "∂" not in pretty):
        return None
    symbols = sorted({s.name for expr in exprs for s in expr.free_symbols})
    return SympyReading(pretty, tuple(symbols))


def render(latex: str, display: bool = True) -> str:
    """What the terminal shows for one math span: sympy's drawing if trusted, else the fallback."""
    reading = sympy_reading(latex)
    if reading is not None and (display or "\n" not in reading.pretty):
        return reading.pretty
    return line_form(latex, display)

"""What the user reads about papers: the reports of fetch, papers and equations; pure.

The paper and latex stages hand back results and equations; how they are worded and
laid out for a terminal, or shaped as JSON for a script, is decided here.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from studycards.models import Equation
from studycards.text import plural

if TYPE_CHECKING:
    from studycards.paper.fetch import FetchResult
    from studycards.paper.network import Wait
    from studycards.store.papers import PaperSummary


def fetch_text(results: list[FetchResult], home: Path, verbose: bool = False) -> str:
    """One line per paper, then where its source went and what became of it, so a failed extraction is seen."""
    lines = []
    for result in results:
        paper = result.paper
        version = f"v{paper.version}" if paper.version else ""
        state = "" if result.fetched else "  (already fetched; --refresh asks arXiv again)"
        lines.append(f"{paper.arxiv_id}{version}  {paper.title}{state}")
        if result.source_dir:
            where = _shown(result.source_dir, home)
            main = f", main file {result.main.relative_to(result.source_dir)}" if result.main else ""
            count = "" if result.equations is None else f", {plural(result.equations, 'equation')}"
            lines.append(f"  source: {where}{main}{count}")
        if result.problem:
            lines.append(f"  {result.problem}")
        lines += [f"  code: {link}" for link in paper.code_links]
        if verbose:
            lines += [f"  warning: {warning}" for warning in result.warnings]
    return "\n".join(lines)


def wait_text(wait: Wait) -> str:
    """What a fetch waits on: an answer, or (after an HTTP 429 or 5xx) the back-off before the next try."""
    if wait.seconds is None:
        again = f" (retry {wait.attempt} of {wait.retries})" if wait.attempt else ""
        return f"Waiting for {wait.what}{again}"
    if wait.status is None:
        return f"Waiting {wait.seconds:.3g} s before retry {wait.attempt} of {wait.retries} ({wait.what})"
    return f"{wait.what} answered HTTP {wait.status}; retry {wait.attempt} of {wait.retries} in {wait.seconds:.3g} s"


def download_text(ident: str, done: int, total: int | None) -> str:
    size = f"{done / 1e6:.1f} MB" + (f" of {total / 1e6:.1f} MB" if total else "")
    return f"Downloading the source of {ident}: {size}"


def guides_text(written: list[tuple[Path, bool]]) -> str:
    """Each reading guide and the next step, or why an existing one was left alone."""
    return "\n".join(
        f"Reading guide written: {path}  (edit it, then: studycards add {path})"
        if new
        else f"Reading guide kept: {path} already exists"
        for path, new in written
    )


def papers_text(rows: list[PaperSummary]) -> str:
    """The fetched papers as a table; an empty library says how to start one."""
    if not rows:
        return "No papers yet. Fetch one with: studycards fetch 1706.03762"
    width = max(len(r.id) + len(f"v{r.version}" if r.version else "") for r in rows)
    lines = [f"{'ID':<{width}}  SOURCE  EQUATIONS  CARDS  LEARNED  DUE  NEW  QUESTIONS  REVIEWED    TITLE"]
    for r in rows:
        ident = r.id + (f"v{r.version}" if r.version else "")
        source = "cached" if r.source_cached else "-"
        lines.append(
            f"{ident:<{width}}  {source:<6}  {r.equations:>9}  {r.cards:>5}  {r.learned:>7}  {r.due:>3}  {r.new:>3}"
            f"  {r.questions:>9}  {r.last_reviewed or '-':<10}  {r.title}"
        )
    return "\n".join(lines)


def _shown(path: Path, home: Path) -> str:
    """Inside the home, a path is shown relative to it: shorter, and the same on every machine."""
    try:
        return str(path.relative_to(home))
    except ValueError:
        return str(path)


def equations_json(target: str, equations: Sequence[Equation]) -> dict:
    """The equations as ``studycards equations --json`` prints them: an object with a named list, as every command.

    ``intro`` and ``where`` read as the text view shows them (their ``$…$`` drawn by the same
    rule, ``_rendered_math``); the paper's own LaTeX stays under ``intro_latex``/``where_latex``."""
    return {
        "target": target,
        "equations": [
            {
                "number": eq.number,
                "label": eq.label,
                "section": eq.section,
                "intro": _rendered_math(eq.intro),
                "intro_latex": eq.intro,
                "where": _rendered_math(eq.where),
                "where_latex": eq.where,
                "file": eq.file,
                "line": eq.line,
                "latex": eq.latex,
                "symbols": list(eq.symbols),
                "pretty": eq.pretty,
            }
            for eq in equations
        ],
    }


def equations_text(equations: Sequence[Equation]) -> str:
    """Each equation under its number as the PDF shows it, its section and introducing sentence,
    rendered for the terminal (sympy's stored drawing where trusted, else unicode from the LaTeX)."""
    from studycards.mathtext.unicode import latex_to_unicode

    blocks = []
    previous: Equation | None = None
    for eq in equations:
        intro = eq.intro
        if intro and previous is not None and (previous.intro, previous.section) == (intro, eq.section):
            intro = f"(continued) {intro}"
        head = " › ".join(_rendered_math(part) for part in (eq.section, intro) if part)
        previous = eq
        drawn = eq.pretty or latex_to_unicode(eq.latex)
        body = "\n".join("     " + line for line in drawn.splitlines())
        blocks.append(f"({eq.number or '–'})  {head}".rstrip() + "\n" + body + "\n")
    return "\n".join(blocks) if blocks else "No display equations found."


def equations_warnings_text(explained: Sequence[str], others: Sequence[str] = ()) -> str:
    """One line each, after the list: first why a number is missing (always shown, so "(–)" has its
    reason), then the reader's other warnings (only with -v)."""
    return "\n".join(f"warning: {warning}" for warning in (*explained, *others))


def _rendered_math(text: str) -> str:
    """A heading or sentence with its ``$…$`` drawn like the equation beside it."""
    from studycards.latex import math_spans
    from studycards.mathtext.unicode import latex_to_unicode

    pieces, pos = [], 0
    for start, end in math_spans(text):
        inner = text[start:end].strip("$")
        pieces += [text[pos:start], latex_to_unicode(inner)]
        pos = end
    pieces.append(text[pos:])
    return "".join(pieces)

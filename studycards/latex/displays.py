"""One display split into the equations the PDF numbers: rows, marks (``\\label``, ``\\tag``,
``\\nonumber``, a number stepped by hand) and the formula made self-contained."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import NamedTuple

from studycards.latex.arguments import match_end, match_group
from studycards.latex.conditionals import by_mode
from studycards.latex.numbering import Numbering
from studycards.models import Equation

ROW_ENVS = {"align", "flalign", "alignat", "gather", "eqnarray", "xalignat", "xxalignat"}
UNNUMBERED = {"displaymath", "$$", "math", "xxalignat"}
_ROW_TOKENS = re.compile(r"\\begin\s*\{[^{}]*\}|\\end\s*\{[^{}]*\}|\\\\|\\[\s\S]|[{}&]")
_ROW_OPTION = re.compile(r"\*?(?:\[\s*[-+]?[\d.]+\s*(?:pt|em|ex|mm|cm|in|bp|pc|sp|mu|dd)\s*\])?")
_MARK = re.compile(
    r"\\(nonumber|notag)(?![A-Za-z])|\\label\s*\{([^{}]*)\}|\\(tag)(\*?)\s*(?=\{)"
    r"|\\l?eqno(?![A-Za-z])"
)
_LEAD = re.compile(r"(?:\s|(?<!\\)%[^\n]*|\\label\s*\{[^{}]*\}|\\(?:nonumber|notag)(?![A-Za-z]))*")
_COMMENT_MARK = re.compile(r"%(?<!\\%)[^\n]*\n?[ \t]*")
_BY_HAND = re.compile(
    r"\\(?:ref)?stepcounter\s*\{equation\}\s*(?:~|\\[;,:]|\\q?quad)*\s*(?:\(\s*\\theequation\s*\)|\\theequation)?"
)
_TRAILING = ("\\\\", "\\,", "\\;", "\\:", "\\!", "\\ ", "\\quad", "\\qquad")


def _top_level(text: str, token: str) -> Iterator[re.Match]:
    """Each ``token`` (``\\\\`` or ``&``) outside braces and nested environments."""
    depth = 0
    for m in _ROW_TOKENS.finditer(text):
        tok = m.group()
        if tok == "{" or tok.startswith("\\begin"):
            depth += 1
        elif tok == "}" or tok.startswith("\\end"):
            depth -= 1
        elif tok == token and depth == 0:
            yield m


def split_rows(body: str) -> list[tuple[int, str]]:
    """The rows of an alignment, split at ``\\\\`` outside braces and nested environments."""
    rows: list[tuple[int, str]] = []
    start = 0
    for m in _top_level(body, "\\\\"):
        rows.append((start, body[start : m.start()]))
        start = match_end(_ROW_OPTION, body, m.end())
    rows.append((start, body[start:]))
    return rows


def _top_level_ampersands(row: str) -> list[int]:
    return [m.start() for m in _top_level(row, "&")]


def _marks(row: str) -> tuple[str, bool, str | None, str | None]:
    """A row without its ``\\label``/``\\tag``/``\\nonumber``: (latex, suppressed, tag, label)."""
    pieces, pos = [], 0
    suppressed, tag, label = False, None, None
    for m in _MARK.finditer(row):
        if m.start() < pos:
            continue
        pieces.append(row[pos : m.start()])
        pos = m.end()
        if m.group(1):
            suppressed = True
        elif m.group(2) is not None:
            label = label or m.group(2).strip()
        elif m.group(3):
            end = match_group(row, pos)
            if end > 0:
                tag, pos = by_mode(row[pos + 1 : end - 1], math=False).strip(), end
        else:
            tag, pos = row[pos:].strip().strip("()$ ") or None, len(row)
    pieces.append(row[pos:])
    return "".join(pieces), suppressed, tag, label


def _lead(row: str) -> int:
    """Where a row's formula starts: after blanks, comment marks, labels and number switches."""
    return match_end(_LEAD, row)


def tidy_latex(latex: str) -> str:
    """One display's LaTeX made self-contained: comment marks gone, whitespace collapsed,
    trailing punctuation dropped (the sentence's full stop is not part of the formula)."""
    latex = by_mode(_COMMENT_MARK.sub("", latex), math=True)
    latex = re.sub(r"\s+", " ", latex).strip()
    latex = _strip_spacing(latex)
    if latex.endswith((",", ".", ";")) and not latex.endswith(("\\,", "\\.", "\\;")):
        latex = _strip_spacing(latex[:-1])
    return latex.replace(" \\\\ ", " \\\\\n")


def _strip_spacing(latex: str) -> str:
    """Drop trailing spaces, spacing commands and line breaks; none of them is the formula."""
    while True:
        stripped = latex.rstrip(" ~")
        for tail in _TRAILING:
            if stripped.endswith(tail):
                stripped = stripped[: -len(tail)]
                break
        else:
            if (len(stripped) - len(stripped.rstrip("\\"))) % 2:
                stripped = stripped[:-1]
        if stripped == latex:
            return latex
        latex = stripped


def _join(rows: list[str], env: str) -> str:
    if env == "eqnarray":
        fixed = []
        for row in rows:
            amps = _top_level_ampersands(row)
            if len(amps) >= 2:
                row = row[: amps[1]] + row[amps[1] + 1 :]
            fixed.append(row)
        rows = fixed
    if len(rows) == 1:
        row = rows[0]
        for at in reversed(_top_level_ampersands(row)):
            row = row[:at] + row[at + 1 :]
        return tidy_latex(row)
    inner = " \\\\ ".join(tidy_latex(r) for r in rows)
    kind = "aligned" if env in ROW_ENVS else "gathered"
    return f"\\begin{{{kind}}} {inner} \\end{{{kind}}}".replace(" \\\\ ", " \\\\\n")


class _Group(NamedTuple):
    """Rows that the PDF shows under one number (or under none): ``(offset, latex)`` each."""

    rows: list[tuple[int, str]]
    tag: str | None
    label: str | None
    numbered: bool


def display_equations(doc: str, start: int, end: int, env: str, numbering: Numbering, section: str) -> list[Equation]:
    """The equations one display contributes, numbered; ``line`` holds the offset in ``doc``
    of each equation's first row until the caller maps it to a file and line."""
    base = env.rstrip("*")
    starred = env.endswith("*") or env in UNNUMBERED
    body = doc[start:end]
    by_hand = _BY_HAND.search(body)
    if by_hand:
        body = _BY_HAND.sub(lambda m: " " * len(m.group()), body)
    if base in ROW_ENVS:
        groups = _row_groups(split_rows(body), starred)
    else:
        groups = [_one_group(body, starred, base == "multline")]
    equations: list[Equation] = []
    for group in groups:
        number = numbering.number_for(group.tag, group.label) if group.numbered else None
        if group.tag is None:
            numbering.refer(group.label, number, base)
        elif number and "\\the" in number:
            number = numbering.tag_number(number)
        if by_hand and number is None:
            number = numbering.step_by_hand()
            if "theequation" not in by_hand.group():  # stepped, not shown: only a \ref reads it
                if group.label and number is not None:
                    numbering.ref_numbers[group.label] = number
                number = None
            by_hand = None
        texts = [text for _, text in group.rows if text.strip()]
        if texts:
            equation = Equation(
                latex=_join(texts, base),
                file="",
                line=start + group.rows[0][0],
                environment=env,
                number=number,
                label=group.label,
                section=section,
            )
            equations.append(equation)
    return equations


def _numbered(suppressed: bool, tag: str | None, starred: bool) -> bool:
    return tag is not None or (not starred and not suppressed)


def _one_group(body: str, starred: bool, multline: bool) -> _Group:
    """A display with one number for all of it: its marks may sit on any row."""
    _, suppressed, tag, label = _marks(body)
    rows = split_rows(body) if multline else [(0, body)]
    texts = [(offset + _lead(row), _marks(row)[0]) for offset, row in rows]
    kept = [(offset, text) for offset, text in texts if text.strip()] or [(0, "")]
    return _Group(kept, tag, label, _numbered(suppressed, tag, starred))


def _row_groups(rows: list[tuple[int, str]], starred: bool) -> list[_Group]:
    """An alignment's rows grouped by number: unnumbered rows join the next numbered one,
    and unnumbered rows at the end join the last."""
    groups: list[_Group] = []
    pending: list[tuple[int, str, str | None]] = []
    for offset, row in rows:
        text, suppressed, tag, label = _marks(row)
        if text.strip():
            pending.append((offset + _lead(row), text, label))
        if _numbered(suppressed, tag, starred):
            groups.append(_Group(_texts(pending), tag, label or _first_label(pending), True))
            pending = []
    if pending and groups and groups[-1].rows:
        groups[-1] = groups[-1]._replace(rows=groups[-1].rows + _texts(pending))
    elif pending:
        groups.append(_Group(_texts(pending), None, _first_label(pending), False))
    return groups


def _texts(pending: list[tuple[int, str, str | None]]) -> list[tuple[int, str]]:
    return [(offset, text) for offset, text, _ in pending]


def _first_label(pending: list[tuple[int, str, str | None]]) -> str | None:
    return next((label for _, _, label in pending if label), None)

"""Equation numbers as the PDF shows them, and one display split into its numbered equations.

LaTeX's rules, kept to what papers use: one global counter, reset per chapter in
book and report classes or per section under ``\\numberwithin{equation}{section}``
(letters after ``\\appendix``); every row of ``align``-like environments is
numbered unless ``\\nonumber``/``\\notag``; ``\\tag{x}`` shows ``x`` without
stepping the counter; ``subequations`` gives 3a, 3b…  A row the PDF leaves
empty (a trailing ``\\\\``) still takes its number, as in LaTeX.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from studycards.latex.macros import match_group
from studycards.models import Equation

BOOKISH = {"book", "report", "scrbook", "scrreprt", "memoir", "amsbook", "thesis"}
ROW_ENVS = {"align", "flalign", "alignat", "gather", "eqnarray", "xalignat", "xxalignat"}
UNNUMBERED = {"displaymath", "$$", "math"}

_ROW_TOKENS = re.compile(r"\\begin\s*\{[^{}]*\}|\\end\s*\{[^{}]*\}|\\\\|\\[\s\S]|[{}&]")
_ROW_OPTION = re.compile(r"\*?(?:\[\s*[-+]?[\d.]+\s*(?:pt|em|ex|mm|cm|in|bp|pc|sp|mu|dd)\s*\])?")
_MARK = re.compile(
    r"\\(nonumber|notag)(?![A-Za-z])|\\label\s*\{([^{}]*)\}|\\(tag)(\*?)\s*(?=\{)"
    r"|\\l?eqno(?![A-Za-z])"
)
_LEAD = re.compile(r"(?:\s|(?<!\\)%[^\n]*|\\label\s*\{[^{}]*\}|\\(?:nonumber|notag)(?![A-Za-z]))*")
_COMMENT_MARK = re.compile(r"%(?<!\\%)[^\n]*\n?[ \t]*")
_TRAILING = ("\\\\", "\\,", "\\;", "\\:", "\\!", "\\ ", "\\quad", "\\qquad")


def _letter(n: int) -> str:
    text = ""
    while n > 0:
        n, rem = divmod(n - 1, 26)
        text = chr(65 + rem) + text
    return text or "0"


class Numbering:
    """The counters LaTeX keeps while typesetting, advanced in document order."""

    def __init__(self) -> None:
        self.parent: str | None = None
        self.bookish = False
        self.counts = {
            "chapter": 0,
            "section": 0,
            "subsection": 0,
            "subsubsection": 0,
            "equation": 0,
            "figure": 0,
            "table": 0,
        }
        self.in_appendix = False
        self.custom: str | None = None
        self.sub: list | None = None

    def document_class(self, name: str) -> None:
        if name in BOOKISH:
            self.bookish = True
            self.parent = self.parent or "chapter"

    def within(self, parent: str | None) -> None:
        self.parent = parent if parent in ("chapter", "section", "subsection") else None

    def appendix(self) -> None:
        self.in_appendix = True
        self.counts["chapter" if self.bookish else "section"] = 0

    def heading(self, name: str) -> str:
        """Step the heading's counter, reset what hangs below it, and return its number."""
        if name not in self.counts:
            return ""
        order = ["chapter", "section", "subsection", "subsubsection"]
        self.counts[name] += 1
        for lower in order[order.index(name) + 1 :]:
            self.counts[lower] = 0
        if name == "chapter" and self.bookish:
            self.counts["figure"] = self.counts["table"] = 0
        if self.parent and order.index(self.parent) >= order.index(name):
            self.counts["equation"] = 0
        if name == "subsubsection":
            return f"{self.the_subsection()}.{self.counts['subsubsection']}"
        return {"chapter": self.the_chapter, "section": self.the_section, "subsection": self.the_subsection}.get(
            name, lambda: ""
        )()

    def the_chapter(self) -> str:
        n = self.counts["chapter"]
        return _letter(n) if self.in_appendix and self.bookish else str(n)

    def the_section(self) -> str:
        n = self.counts["section"]
        if self.bookish:
            return f"{self.the_chapter()}.{n}"
        return _letter(n) if self.in_appendix else str(n)

    def the_subsection(self) -> str:
        return f"{self.the_section()}.{self.counts['subsection']}"

    def next_float(self, kind: str) -> str:
        """The number of the next figure or table caption (per chapter in books)."""
        self.counts[kind] += 1
        n = self.counts[kind]
        return f"{self.the_chapter()}.{n}" if self.bookish else str(n)

    def set_counter(self, counter: str, value: str, add: bool) -> None:
        if counter not in self.counts:
            return
        try:
            number = int(value)
        except ValueError:
            return
        self.counts[counter] = self.counts[counter] + number if add else number

    def template(self, template: str) -> None:
        self.custom = template

    def current(self) -> str:
        n = self.counts["equation"]
        if self.custom:
            text = self.custom.replace("\\arabic{equation}", str(n))
            for name, value in (
                ("chapter", self.the_chapter),
                ("section", self.the_section),
                ("subsection", self.the_subsection),
            ):
                if f"\\the{name}" in text:
                    text = text.replace(f"\\the{name}", value())
            text = re.sub(r"\\Alph\{(\w+)\}", lambda m: _letter(self.counts.get(m.group(1), 0)), text)
            text = re.sub(r"\\arabic\{(\w+)\}", lambda m: str(self.counts.get(m.group(1), 0)), text)
            text = re.sub(r"\\[A-Za-z]+|[{}]", "", text).strip()
            if text:
                return text
        prefix = {"chapter": self.the_chapter, "section": self.the_section, "subsection": self.the_subsection}.get(
            self.parent or "", lambda: ""
        )()
        return f"{prefix}.{n}" if prefix else str(n)

    def next(self) -> str:
        if self.sub is not None:
            self.sub[1] += 1
            return f"{self.sub[0]}{chr(96 + self.sub[1]) if self.sub[1] <= 26 else self.sub[1]}"
        self.counts["equation"] += 1
        return self.current()

    def begin_subequations(self) -> None:
        self.counts["equation"] += 1
        self.sub = [self.current(), 0]

    def end_subequations(self) -> None:
        self.sub = None


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
        start = _ROW_OPTION.match(body, m.end()).end()
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
                tag, pos = row[pos + 1 : end - 1].strip(), end
        else:
            tag, pos = row[pos:].strip().strip("()$ ") or None, len(row)
    pieces.append(row[pos:])
    return "".join(pieces), suppressed, tag, label


def _lead(row: str) -> int:
    """Where a row's formula starts: after blanks, comment marks, labels and number switches."""
    return _LEAD.match(row).end()


def tidy_latex(latex: str) -> str:
    """One display's LaTeX made self-contained: comment marks gone, whitespace collapsed,
    trailing punctuation dropped (the sentence's full stop is not part of the formula)."""
    latex = _COMMENT_MARK.sub("", latex)
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


def display_equations(doc: str, start: int, end: int, env: str, numbering: Numbering, section: str) -> list[Equation]:
    """The equations one display contributes, numbered; ``line`` holds the offset in ``doc``
    of each equation's first row until the caller maps it to a file and line."""
    base = env.rstrip("*")
    starred = env.endswith("*") or env in UNNUMBERED
    body = doc[start:end]
    rows = split_rows(body) if base in ROW_ENVS or base == "multline" else [(0, body)]
    one_number = base not in ROW_ENVS
    if one_number:
        text, suppressed, tag, label = _marks(body)
        numbered = tag is not None or (not starred and not suppressed)
        rows = [(offset + _lead(row), _marks(row)[0]) for offset, row in rows]
        rows = [(o, r) for o, r in rows if r.strip()] or [(0, "")]
        groups = [(rows, tag, label, numbered)]
    else:
        groups, pending = [], []
        for offset, row in rows:
            text, suppressed, tag, label = _marks(row)
            numbered = tag is not None or (not starred and not suppressed)
            if text.strip():
                pending.append((offset + _lead(row), text, label))
            if numbered:
                groups.append(
                    (
                        [(o, t) for o, t, _ in pending],
                        tag,
                        label or next((lb for _, _, lb in pending if lb), None),
                        True,
                    )
                )
                pending = []
        if pending:
            if groups and groups[-1][0]:
                last = groups[-1]
                groups[-1] = (last[0] + [(o, t) for o, t, _ in pending], last[1], last[2], last[3])
            else:
                groups.append(
                    ([(o, t) for o, t, _ in pending], None, next((lb for _, _, lb in pending if lb), None), False)
                )
    equations: list[Equation] = []
    for group_rows, tag, label, numbered in groups:
        number = None
        if numbered:
            number = tag if tag is not None else numbering.next()
        texts = [t for _, t in group_rows if t.strip()]
        if not texts:
            continue
        equations.append(
            Equation(
                latex=_join(texts, base),
                file="",
                line=start + group_rows[0][0],
                environment=env,
                number=number,
                label=label,
                section=section,
            )
        )
    return equations

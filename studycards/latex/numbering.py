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
from typing import NamedTuple

from studycards.latex.arguments import match_end, match_group
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
_BY_HAND = re.compile(
    r"\\(?:ref)?stepcounter\s*\{equation\}\s*(?:~|\\[;,:]|\\q?quad)*\s*(?:\(\s*\\theequation\s*\)|\\theequation)?"
)
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
        self.only_refs: frozenset[str] | None = None
        self.manual_tags = False

    def show_only_refs(self, referenced: frozenset[str], manual_tags: bool) -> None:
        """mathtools' ``showonlyrefs``: only displays cited with ``\\eqref`` get a number."""
        self.only_refs, self.manual_tags = referenced, manual_tags

    def number_for(self, tag: str | None, label: str | None) -> str | None:
        """The number a numbered display shows; under ``showonlyrefs`` an uncited one shows none
        (and an uncited ``\\tag`` still steps the counter, as mathtools does without ``showmanualtags``)."""
        if self.only_refs is not None and (label is None or label not in self.only_refs):
            if tag is not None and self.manual_tags:
                return tag
            if tag is not None:
                self.counts["equation"] += 1
            return None
        return tag if tag is not None else self.next()

    def step_by_hand(self) -> str:
        """``\\refstepcounter{equation}`` written into a display: the counter steps, the display shows it."""
        self.counts["equation"] += 1
        return self.current()

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
                tag, pos = row[pos + 1 : end - 1].strip(), end
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
        if by_hand and number is None:
            number, by_hand = numbering.step_by_hand(), None
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

"""Equation numbers as the PDF shows them: the counters LaTeX keeps while typesetting.

LaTeX's rules, kept to what papers use: one global counter, reset per chapter in
book and report classes or per section under ``\\numberwithin{equation}{section}``
(letters after ``\\appendix``); every row of ``align``-like environments is
numbered unless ``\\nonumber``/``\\notag``; ``\\tag{x}`` shows ``x`` without
stepping the counter; ``subequations`` gives 3a, 3b…  A row the PDF leaves
empty (a trailing ``\\\\``) still takes its number, as in LaTeX.

A number that rests on a counter the source cannot tell (``\\arabic{page}``,
``\\thepage``, a package's own counter) is not claimed at all: an equation number
must never mismatch the PDF, so such equations show none and the scan says why.
``\\ifmmode`` in a ``\\theequation`` takes the text branch in the printed number
and, as LaTeX's ``\\refstepcounter`` runs there in math mode, the math branch in
``\\ref``s to an ``equation`` or ``eqnarray`` (and in a number written by hand in
a display); ``ref_numbers`` holds those references where they differ.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from studycards.latex.conditionals import by_mode

BOOKISH = {"book", "report", "scrbook", "scrreprt", "memoir", "amsbook", "thesis"}


def _letter(n: int) -> str:
    text = ""
    while n > 0:
        n, rem = divmod(n - 1, 26)
        text = chr(65 + rem) + text
    return text


def _roman(n: int) -> str:
    text = ""
    for value, letters in (
        (1000, "m"), (900, "cm"), (500, "d"), (400, "cd"), (100, "c"), (90, "xc"),
        (50, "l"), (40, "xl"), (10, "x"), (9, "ix"), (5, "v"), (4, "iv"), (1, "i"),
    ):  # fmt: skip
        while n >= value:
            text, n = text + letters, n - value
    return text


STYLES: dict[str, Callable[[int], str]] = {
    "arabic": str,
    "Alph": _letter,
    "alph": lambda n: _letter(n).lower(),
    "roman": _roman,
    "Roman": lambda n: _roman(n).upper(),
}
_STYLED = re.compile(r"\\(arabic|Alph|alph|roman|Roman)\s*\{\s*(\w+)\s*\}")
_THE = re.compile(r"\\the(chapter|section|subsection|subsubsection)(?![A-Za-z])")
_OTHER_THE = re.compile(r"\\the([A-Za-z]+)|\\(?:arabic|Alph|alph|roman|Roman|fnsymbol|value)\s*\{\s*(\w+)\s*\}")


class Numbering:
    """The counters LaTeX keeps while typesetting, advanced in document order."""

    def __init__(self) -> None:
        self.parent: str | None = None
        self.bookish = False
        self.chaptered_sections = False
        self.counts = {
            "chapter": 0,
            "section": 0,
            "subsection": 0,
            "subsubsection": 0,
            "equation": 0,
            "figure": 0,
            "table": 0,
            "secnumdepth": 3,  # headings deeper than this show no number and step nothing
        }
        self.in_appendix = False
        self.custom: str | None = None
        self.prefixed = True
        self.heading_templates: dict[str, str] = {}
        self.sub: list | None = None  # [the group's number (None if unknowable), rows so far]
        self.only_refs: frozenset[str] | None = None
        self.manual_tags = False
        self.unknowable = ""
        self.ref_numbers: dict[str, str] = {}

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

    def step_by_hand(self) -> str | None:
        """``\\refstepcounter{equation}`` written into a display: the counter steps, the display
        shows it (typeset in math mode, as its ``\\ref`` is)."""
        self.counts["equation"] += 1
        return self.current(math=True)

    def warnings(self) -> list[str]:
        """Why some numbers were left out, once: they rest on what only the typeset PDF knows."""
        if not self.unknowable:
            return []
        return [f"equation numbers rest on {self.unknowable}, which only the PDF knows: left out, not guessed"]

    def tag_number(self, tag: str) -> str | None:
        """A ``\\tag`` that prints counters (``\\tag{\\theequation$'$}``), typeset in text mode."""
        if "\\theequation" in tag:
            current = self.current()
            if current is None:
                return None
            tag = re.sub(r"\\theequation(?![A-Za-z])", lambda _: current, tag)
        return self.render(tag)

    def refer(self, label: str | None, number: str | None, env: str) -> None:
        """What ``\\ref{label}`` reads when it differs from the printed number: ``equation`` and
        ``eqnarray`` step their counter in math mode, so an ``\\ifmmode`` there takes the math branch."""
        if label and number is not None and self.sub is None and env in ("equation", "eqnarray"):
            math = self.current(math=True)
            if math is not None and math != number:
                self.ref_numbers[label] = math

    def document_class(self, name: str) -> None:
        if name in BOOKISH:
            self.bookish = True
            self.counts["secnumdepth"] = 3 if name == "amsbook" else 2
            self.chaptered_sections = name != "amsbook"  # amsbook's sections read 1, 2…
            if name != "amsbook":
                self.parent = self.parent or "chapter"

    def within(self, parent: str | None, prefixed: bool = True) -> None:
        """``\\numberwithin``/``\\counterwithin``: reset with ``parent``; the starred
        ``\\counterwithin*`` resets without putting the parent's number in front."""
        self.parent = parent if parent in ("chapter", "section", "subsection", "subsubsection") else None
        self.prefixed = prefixed

    def appendix(self) -> None:
        self.in_appendix = True
        self.counts["chapter" if self.bookish else "section"] = 0

    def heading(self, name: str) -> str:
        """Step the heading's counter, reset what hangs below it, and return its number."""
        if name not in self.counts:
            return ""
        order = ["chapter", "section", "subsection", "subsubsection"]
        if order.index(name) > self.counts["secnumdepth"]:
            return ""
        self.counts[name] += 1
        for lower in order[order.index(name) + 1 :]:
            self.counts[lower] = 0
        if name == "chapter" and self.bookish:
            self.counts["figure"] = self.counts["table"] = 0
        if self.parent and order.index(self.parent) >= order.index(name):
            self.counts["equation"] = 0
        return self.the(name)

    def the(self, name: str, depth: int = 0) -> str:
        """``\\the<name>`` for a heading counter, as the class or the paper's ``\\renewcommand`` prints it."""
        template = self.heading_templates.get(name)
        if template is not None and depth < 4:
            return self.render(template, depth + 1) or ""
        if name == "chapter":
            n = self.counts["chapter"]
            return _letter(n) if self.in_appendix and self.bookish else str(n)
        if name == "section":
            n = self.counts["section"]
            if self.chaptered_sections:
                return f"{self.the('chapter', depth)}.{n}"
            return _letter(n) if self.in_appendix else str(n)
        if name == "subsection":
            return f"{self.the('section', depth)}.{self.counts['subsection']}"
        if name == "subsubsection":
            return f"{self.the('subsection', depth)}.{self.counts['subsubsection']}"
        return ""

    def the_chapter(self) -> str:
        return self.the("chapter")

    def the_section(self) -> str:
        return self.the("section")

    def the_subsection(self) -> str:
        return self.the("subsection")

    def render(self, template: str, depth: int = 0, math: bool = False) -> str | None:
        """A ``\\the…`` template with its counters filled in (``\\roman{equation}``, ``\\thesection``…);
        None when it rests on a counter the source cannot tell, such as the page."""
        template = by_mode(template, math)
        for m in _OTHER_THE.finditer(template):
            name = m.group(1) or m.group(2)
            if name not in self.counts:
                self.unknowable = self.unknowable or (
                    m.group() if m.group(1) else f"the {name} counter"
                )  # only the PDF knows
                return None
        text = _THE.sub(lambda m: self.the(m.group(1), depth), template)
        text = _STYLED.sub(lambda m: STYLES[m.group(1)](self.counts.get(m.group(2), 0)), text)
        return re.sub(r"\\[A-Za-z]+|[{}]", "", text).strip()

    def next_float(self, kind: str) -> str:
        """The number of the next figure or table caption (per chapter in books)."""
        self.counts[kind] += 1
        n = self.counts[kind]
        return f"{self.the_chapter()}.{n}" if self.bookish else str(n)

    def set_counter(self, counter: str, value: str, add: bool) -> None:
        if counter not in self.counts:
            return
        other = re.fullmatch(r"\\value\s*\{\s*(\w+)\s*\}", value)
        try:
            number = self.counts.get(other.group(1), 0) if other else int(value)
        except ValueError:
            return
        self.counts[counter] = self.counts[counter] + number if add else number

    def template(self, counter: str, template: str) -> None:
        """The paper's ``\\renewcommand{\\the<counter>}``."""
        if counter == "equation":
            self.custom = template
        elif counter in ("chapter", "section", "subsection", "subsubsection"):
            self.heading_templates[counter] = template

    def current(self, math: bool = False) -> str | None:
        n = self.counts["equation"]
        if self.custom:
            text = self.render(self.custom, math=math)
            if text is None:
                return None
            if text:
                return text
        prefix = self.the(self.parent) if self.parent and self.prefixed else ""
        return f"{prefix}.{n}" if self.parent and self.prefixed else str(n)

    def next(self) -> str | None:
        if self.sub is not None:
            self.sub[1] += 1
            if self.sub[0] is None:
                return None
            return f"{self.sub[0]}{chr(96 + self.sub[1]) if self.sub[1] <= 26 else self.sub[1]}"
        self.counts["equation"] += 1
        return self.current()

    def begin_subequations(self) -> None:
        self.counts["equation"] += 1
        self.sub = [self.current(), 0]

    def end_subequations(self) -> None:
        self.sub = None

"""Equation numbers as the PDF shows them: the counters LaTeX keeps while typesetting.

LaTeX's rules, kept to what papers use: one global counter, reset per chapter in
book and report classes or per section under ``\\numberwithin{equation}{section}``
(letters after ``\\appendix``); every row of ``align``-like environments is
numbered unless ``\\nonumber``/``\\notag``; ``\\tag{x}`` shows ``x`` without
stepping the counter; ``subequations`` gives 3a, 3b…  A row the PDF leaves
empty (a trailing ``\\\\``) still takes its number, as in LaTeX.
"""

from __future__ import annotations

import re

BOOKISH = {"book", "report", "scrbook", "scrreprt", "memoir", "amsbook", "thesis"}


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

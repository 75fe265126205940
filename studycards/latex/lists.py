"""Numbered lists as LaTeX counts them, so that ``\\ref`` to an item reads as the PDF prints it.

``enumerate`` nests four deep with the counters enumi…enumiv (1, a, i, A); a label
names the item with its parents in front, as LaTeX's ``\\p@enum…`` do: 2, 2a, 2(b)i,
2(b)iA.  ``\\item[x]`` steps nothing, so a label after it names the previous item.
enumitem's ``label=``/``ref=`` (``\\alph*``…), ``start=`` and ``resume`` are read; a list
whose labels cannot be told (a short label such as ``[(a)]``, ``label*=``) names no
item, so a reference to one reads "?" rather than a number the PDF does not show.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from studycards.latex.numbering import STYLES

COUNTERS = ("enumi", "enumii", "enumiii", "enumiv")
DEFAULT_STYLES = ("arabic", "alph", "roman", "Alph")
LIST_ENVS = {"enumerate", "itemize", "description"}
_FLAGS = {"noitemsep", "nosep", "nolistsep", "wide", "inline", "resume", "resume*", "before", "after"}
_STARRED = re.compile(r"\\(arabic|alph|Alph|roman|Roman)\s*\*")
_STYLED = re.compile(r"\\(arabic|alph|Alph|roman|Roman)\s*\{\s*(enumi{1,3}|enumiv)\s*\}")


@dataclass
class _List:
    env: str
    level: int = 0  # 1…4 for an enumerate, 0 for itemize/description
    count: int = 0
    ref: str | None = None  # enumitem's format (``\\alph*``), None for LaTeX's own
    known: bool = True


def _options(option: str) -> list[str]:
    """The comma-separated entries of an optional argument, commas inside braces kept."""
    parts, depth, start = [], 0, 0
    for i, char in enumerate(option):
        depth += (char == "{") - (char == "}")
        if char == "," and depth == 0:
            parts.append(option[start:i].strip())
            start = i + 1
    parts.append(option[start:].strip())
    return [part for part in parts if part]


class Lists:
    """The lists open at a point of the document, and the item a ``\\label`` there names."""

    def __init__(self) -> None:
        self.open: list[_List] = []
        self.templates: dict[str, str] = {}
        self.ended: dict[int, int] = {}
        self.user: dict[str, int] = {}  # the paper's own counters, where their value is known

    def begin(self, env: str, option: str | None) -> None:
        if env != "enumerate":
            self.open.append(_List(env))
            return
        level = 1 + sum(1 for item in self.open if item.level)
        listed = _List(env, level, known=level <= 4)
        formats: dict[str, str] = {}
        for entry in _options(option or ""):
            key, _, value = (part.strip() for part in entry.partition("="))
            if key in ("label", "ref") and value:
                formats[key] = value
            elif key == "start" and value.lstrip("-").isdigit():
                listed.count = int(value) - 1
            elif key in ("resume", "resume*") and not value:
                listed.count = self.ended.get(level, 0)
            elif key not in _FLAGS and (not value or key.endswith("*")):
                listed.known = False  # a short label ``(a)`` or ``label*``: not modelled
        listed.ref = formats.get("ref", formats.get("label"))
        self.open.append(listed)

    def end(self, env: str) -> None:
        for i in range(len(self.open) - 1, -1, -1):
            if self.open[i].env == env:
                if self.open[i].level:
                    self.ended[self.open[i].level] = self.open[i].count
                del self.open[i:]
                return

    def item(self, bracketed: bool) -> str | None:
        """``\\item``: the innermost enumerate steps and its label names it (None: not a numbered
        item, or one whose number cannot be told); ``\\item[x]`` steps nothing."""
        if not self.open or not self.open[-1].level or bracketed:
            return None
        listed = self.open[-1]
        listed.count += 1
        return self.reference() if listed.known else ""

    def reference(self) -> str:
        listed = self.open[-1]
        if listed.ref is not None:
            text = _STARRED.sub(lambda m: STYLES[m.group(1)](listed.count), listed.ref)
            return re.sub(r"\\[A-Za-z]+|[{}]", "", text).replace("~", " ").strip()
        levels = [item for item in self.open if item.level]
        shown = [self._the(item) for item in levels]
        if len(shown) >= 3:
            shown[1] = f"({shown[1]})"
        return "".join(shown)

    def _the(self, listed: _List) -> str:
        counter = COUNTERS[listed.level - 1]
        template = self.templates.get(counter)
        if template is None:
            return STYLES[DEFAULT_STYLES[listed.level - 1]](listed.count)
        counts = {COUNTERS[item.level - 1]: item.count for item in self.open if item.level}
        text = _STYLED.sub(lambda m: STYLES[m.group(1)](counts.get(m.group(2), 0)), template)
        return re.sub(r"\\[A-Za-z]+|[{}]", "", text).strip()

    def set_counter(self, counter: str, value: str, add: bool) -> None:
        """``\\setcounter{enumi}{4}`` inside a list, or a paper's own counter that carries a list's
        count to the next list (``\\setcounter{keep}{\\value{enumi}}`` … ``{enumi}{\\value{keep}}``);
        a value that cannot be told makes the list's numbers unknown rather than wrong."""
        number = self._value(value)
        if counter not in COUNTERS:
            if number is None:
                self.user.pop(counter, None)
            else:
                self.user[counter] = (self.user.get(counter, 0) if add else 0) + number
            return
        level = COUNTERS.index(counter) + 1
        target = next((item for item in reversed(self.open) if item.level == level), None)
        if target is None:
            return
        if number is None:
            target.known = False
        else:
            target.count = target.count + number if add else number

    def _value(self, value: str) -> int | None:
        if value.lstrip("-").isdigit():
            return int(value)
        m = re.fullmatch(r"\\value\s*\{\s*([^{}]+?)\s*\}", value)
        if m is None:
            return None
        name = m.group(1)
        if name in COUNTERS:
            level = COUNTERS.index(name) + 1
            listed = next((item for item in reversed(self.open) if item.level == level), None)
            return listed.count if listed is not None else self.ended.get(level, 0)
        return self.user.get(name)

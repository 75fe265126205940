"""One pass over an expanded LaTeX document: headings, displays, numbering commands, prose.

The scan only stops at the places that matter (a ``\\begin``, a heading, a ``$``…)
and jumps over whole displays, so it is linear in the size of the document; a
closer that is missing is remembered as missing, so a thousand unclosed
``\\[`` cost one search, not a thousand.
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from collections.abc import Callable, Iterator

from studycards.latex.arguments import read_argument, read_optional
from studycards.latex.counters import COUNTER_COMMANDS
from studycards.latex.displays import display_equations
from studycards.latex.lists import LIST_ENVS, Lists
from studycards.latex.numbering import Numbering
from studycards.latex.prose import plain_text
from studycards.latex.sentences import all_sentences
from studycards.models import Equation

MAX_EQUATIONS = 20_000
MAX_HEADINGS = 10_000
WINDOW = 3000

DISPLAY_ENVS = {
    "equation",
    "multline",
    "displaymath",
    "align",
    "flalign",
    "alignat",
    "gather",
    "eqnarray",
    "xalignat",
    "xxalignat",
    "dmath",
}
FLOATS = {"figure": "figure", "table": "table", "wrapfigure": "figure", "wraptable": "table"}
SECTION_LEVELS = {"part": -1, "chapter": 0, "section": 1, "subsection": 2, "subsubsection": 3}

_SCAN = re.compile(
    r"(?=[\\$])(?:(?:\\[\\$%])+"
    r"|\\begin\s*\{(?P<begin>[A-Za-z]+\*?)\}"
    r"|\\end\s*\{(?P<end>[A-Za-z]+\*?)\}"
    r"|\\(?P<sec>part|chapter|section|subsection|subsubsection)(?![A-Za-z])[ \t]*(?P<star>\*)?"
    r"|\\(?P<cmd>appendix|numberwithin|counterwithin|counterwithout|setcounter|addtocounter"
    r"|title|icmltitle|documentclass|renewcommand|url|href|label|item)(?![A-Za-z])"
    r"|(?P<open>\\\[|\\\()"
    r"|(?P<dollar>\$\$?))"
)
_INLINE_END = re.compile(r"\\[\s\S]|\$|\n[ \t]*\n")
_CAPTION = re.compile(r"\\caption(?:of\s*\{(figure|table)\})?(?![A-Za-z])|\\label\s*\{([^{}]*)\}")
_URL = re.compile(r"https?://[^\s}{\\]+")
_WHERE = re.compile(r"where\b", re.IGNORECASE)
_ONLY_REFS = re.compile(r"\\mathtoolsset\s*\{([^{}]*\bshowonlyrefs\b[^{}]*)\}")
_THEOREMS = re.compile(
    r"\\newtheorem\s*\{\s*([A-Za-z]+)\s*\}\s*(?:\[\s*([A-Za-z]+)\s*\])?\s*\{[^{}]*\}\s*(?:\[\s*([A-Za-z]+)\s*\])?"
)
_COUNTED_ENVS = set("theorem lemma proposition corollary definition remark example assumption claim".split())
_COUNTED_ENVS |= {"conjecture", "algorithm", "problem", "exercise"}
MAX_GROUPS = 200
_CITED = re.compile(r"\\(?:eqref|refeq|noeqref)\s*\{([^{}]*)\}")


class Scan:
    """Everything one pass finds, in document order; equations carry doc offsets in ``line``."""

    def __init__(self, doc: str) -> None:
        self.doc = doc
        self.in_body = not re.search(r"\\begin\s*\{document\}", doc)
        self.numbering = Numbering()
        self.equations: list[tuple[tuple[int, int], Equation]] = []
        self.displays: list[tuple[int, int]] = []
        self.headings: list[tuple[str, int, str, int, int]] = []
        self.section_labels: dict[str, str] = {}
        self.warnings: list[str] = []
        self.urls: list[str] = []
        self.title = ""
        self.abstract = ""
        self.body_start = 0
        self.current = ["", "", "", "", ""]
        self.capped = False
        self.current_label = ""
        self.theorems = {name: (shared or name, parent) for name, shared, parent in _THEOREMS.findall(doc)}
        self.theorem_counts: dict[tuple[str, str], int] = {}
        self.saved_labels: list[tuple[str, str]] = []  # (environment, the label before it began)
        self.lists = Lists()
        self.counted = (_COUNTED_ENVS - set(self.theorems)) if "\\label" in doc else set()
        self._counted_env = re.compile(r"\\(begin|end)\s*\{(" + "|".join(sorted(self.counted)) + r")\*?\}")
        self._missing: dict[str, int] = {}

    def find(self, token: str, pos: int) -> int:
        """``doc.find(token, pos)``, remembering failures: none can be found further on either."""
        if self._missing.get(token, len(self.doc) + 1) <= pos:
            return -1
        found = self.doc.find(token, pos)
        if found < 0:
            self._missing[token] = pos
        return found

    def find_unescaped(self, token: str, pos: int) -> int:
        while True:
            close = self.find(token, pos)
            if close < 0:
                return -1
            before = self.doc[max(0, close - 8) : close]
            if (len(before) - len(before.rstrip("\\"))) % 2 == 0:
                return close
            pos = close + 1

    def innermost(self) -> str:
        return next((t for t in reversed(self.current) if t), "")

    def section_spans(self) -> Iterator[tuple[str, int, str, int, int]]:
        for i, (title, level, number, _, start) in enumerate(self.headings):
            end = self.headings[i + 1][3] if i + 1 < len(self.headings) else len(self.doc)
            yield title, level, number, start, end

    def prose(self, start: int, end: int) -> str:
        """The source between two offsets with its displays replaced by paragraph breaks."""
        starts = self._starts
        i = bisect_right(starts, start)
        pos = self.displays[i - 1][1] if i and self.displays[i - 1][1] > start else start
        pieces = []
        for d_start, d_end in self.displays[i:]:
            if d_start >= end:
                break
            pieces += [self.doc[pos:d_start], "\n\n"]
            pos = d_end
        pieces.append(self.doc[pos:end])
        return "".join(pieces)

    def finish(self) -> None:
        self._starts = [d[0] for d in self.displays]
        self._heading_starts = [h[3] for h in self.headings]
        self._heading_ends = [h[4] for h in self.headings]

    def context(self, span: tuple[int, int], refs: dict[str, str]) -> tuple[str, str]:
        """The sentence before a display and the "where …" sentence after it, if there is one."""
        start, end = span
        i = bisect_left(self._starts, start)
        h = bisect_right(self._heading_ends, start) - 1
        before_from = max(
            self.displays[i - 1][1] if i > 0 else 0,
            self._heading_ends[h] if h >= 0 else self.body_start,
            start - WINDOW,
        )
        after_to = min(
            self._starts[i + 1] if i + 1 < len(self._starts) else len(self.doc),
            self._heading_starts[bisect_left(self._heading_starts, end)]
            if bisect_left(self._heading_starts, end) < len(self._heading_starts)
            else len(self.doc),
            end + WINDOW,
        )
        before = all_sentences(plain_text(self.doc[before_from:start], refs))
        after = all_sentences(plain_text(self.doc[end : max(end, after_to)], refs))
        where = after[0].lstrip(" ,.;:") if after else ""
        return (before[-1] if before else ""), (where if _WHERE.match(where) else "")


def scan(doc: str) -> Scan:
    """Walk the expanded document once, numbering equations as LaTeX would."""
    state = Scan(doc)
    only_refs = _ONLY_REFS.search(doc)
    if only_refs:
        cited = frozenset(label.strip() for m in _CITED.finditer(doc) for label in m.group(1).split(","))
        state.numbering.show_only_refs(cited, "showmanualtags" in only_refs.group(1))
    pos = 0
    while (m := _SCAN.search(doc, pos)) is not None:
        kind = "sec" if m.lastgroup == "star" else m.lastgroup
        step = _STEPS.get(kind or "")
        pos = step(state, m) if step else m.end()
    state.warnings += state.numbering.warnings()
    state.finish()
    return state


def _begin(state: Scan, m: re.Match) -> int:
    """``\\begin{…}``: the body starts, the abstract, a subequations group, a list, a float or a
    display.  Every environment is a TeX group: what a ``\\label`` names inside it is restored at its end."""
    env, pos = m.group("begin"), m.end()
    if state.in_body and env.rstrip("*") not in DISPLAY_ENVS and len(state.saved_labels) < MAX_GROUPS:
        state.saved_labels.append((env, state.current_label))
    if env == "document":
        state.in_body, state.body_start = True, pos
    elif env == "abstract" and not state.abstract:
        close = state.find("\\end{abstract}", pos)
        state.abstract = state.doc[pos:close] if close > 0 else ""
    elif env == "subequations":
        state.numbering.begin_subequations()
        state.current_label = state.numbering.current() or ""
    elif env in state.theorems and state.in_body:
        counter, parent = state.theorems[env]
        counter, parent = state.theorems.get(counter, (counter, parent)) if counter != env else (counter, parent)
        within = state.numbering.the(parent) if parent else ""
        key = (counter, within)
        state.theorem_counts[key] = state.theorem_counts.get(key, 0) + 1
        state.current_label = f"{within}.{state.theorem_counts[key]}" if within else str(state.theorem_counts[key])
    elif env in LIST_ENVS and state.in_body:
        option, pos = read_optional(state.doc, pos) if env == "enumerate" else (None, pos)
        state.lists.begin(env, option)
    elif env.rstrip("*") in FLOATS and state.in_body:
        _float(state, env, pos)
    elif env.rstrip("*") in DISPLAY_ENVS and state.in_body:
        return _display(state, m, env, state.find("\\end{" + env + "}", pos))
    return pos


def _end(state: Scan, m: re.Match) -> int:
    env = m.group("end")
    if env == "subequations":
        state.numbering.end_subequations()
    state.lists.end(env)
    saved = state.saved_labels
    for i in range(len(saved) - 1, max(-1, len(saved) - 20), -1):
        if saved[i][0] == env:
            state.current_label = saved[i][1]
            del saved[i:]
            break
    return m.end()


def _bracket(state: Scan, m: re.Match) -> int:
    """``\\[…\\]`` is a display; ``\\(…\\)`` is inline math, skipped whole."""
    if not state.in_body:
        return m.end()
    closer = "\\]" if m.group() == "\\[" else "\\)"
    close = state.find_unescaped(closer, m.end())
    if close < 0:
        return _display(state, m, "displaymath", close) if closer == "\\]" else m.end()
    return _display(state, m, "displaymath", close, 2) if closer == "\\]" else close + 2


def _dollar(state: Scan, m: re.Match) -> int:
    """``$$…$$`` is a display; ``$…$`` is skipped whole (if it closes within its paragraph)."""
    if not state.in_body:
        return m.end()
    if m.group() == "$$":
        close = state.find_unescaped("$$", m.end())
        return _display(state, m, "$$", close, 2)
    for n in _INLINE_END.finditer(state.doc, m.end(), m.end() + WINDOW):
        if n.group() == "$":
            return n.end()
        if n.group().startswith("\n"):
            break
    return m.end()


def _display(state: Scan, m: re.Match, env: str, close: int, closer: int = 0) -> int:
    if close < 0:
        warning = f"unclosed {m.group()} ignored"
        if warning not in state.warnings:
            state.warnings.append(warning)
        return m.end()
    end = close + (closer or len(env) + 6)
    if env in ("$$", "displaymath") and not state.doc[m.end() : close].strip():
        return end  # shows nothing and takes no number; a line of `$` is millions of them
    if len(state.equations) >= MAX_EQUATIONS or len(state.displays) >= MAX_EQUATIONS:
        if not state.capped:
            state.capped = True
            state.warnings.append(f"more than {MAX_EQUATIONS} equations: the rest are skipped")
        return end
    body_start = m.end()
    if env.rstrip("*") in ("alignat", "xalignat", "xxalignat"):
        _, body_start = read_argument(state.doc, body_start)
    state.displays.append((m.start(), end))
    for eq in display_equations(state.doc, body_start, close, env, state.numbering, state.innermost()):
        state.equations.append(((m.start(), end), eq))  # a display is a group: its label is not kept after
    return end


def _float(state: Scan, env: str, pos: int) -> None:
    """Number a figure's or table's captions so that references to them read as the PDF does."""
    close = state.find("\\end{" + env + "}", pos)
    kind, number = FLOATS[env.rstrip("*")], ""
    for m in _CAPTION.finditer(state.doc, pos, close if close >= 0 else pos):
        if m.group(2) is None:
            number = state.numbering.next_float(m.group(1) or kind)
        elif number or state.current_label:
            state.section_labels[m.group(2).strip()] = number or state.current_label


def _heading(state: Scan, m: re.Match) -> int:
    """A heading in the body: its number, its place in the section path, and its label."""
    name = m.group("sec")
    _, pos = read_optional(state.doc, m.end())
    title, pos = read_argument(state.doc, pos)
    if not state.in_body or len(state.headings) >= MAX_HEADINGS:
        return pos
    level = SECTION_LEVELS[name]
    number = "" if m.group("star") else state.numbering.heading(name)
    clean = " ".join(plain_text(title).split())
    state.current[level + 1 if level >= 0 else 0] = clean
    for deeper in range(max(level + 2, 1), len(state.current)):
        state.current[deeper] = ""
    state.headings.append((clean, level, number, m.start(), pos))
    state.current_label = number or state.current_label
    label = re.match(r"\s*\\label\s*\{([^{}]*)\}", state.doc[pos : pos + 300])
    if label and state.current_label:
        state.section_labels[label.group(1)] = state.current_label
    return pos


def _command(state: Scan, m: re.Match) -> int:
    return _COMMANDS[m.group("cmd")](state, m)


def _label(state: Scan, m: re.Match) -> int:
    """A ``\\label`` in prose names what was last numbered (a section, an equation, a subequations group)."""
    name, pos = read_argument(state.doc, m.end())
    if (
        state.in_body
        and state.current_label
        and name.strip() not in state.section_labels
        and not _counted(state, m.start())
    ):
        state.section_labels[name.strip()] = state.current_label
    return pos


def _counted(state: Scan, pos: int) -> bool:
    """Inside a theorem or a numbered list a label names their own counter, which is not modelled."""
    depth = 0
    for m in state._counted_env.finditer(state.doc, max(0, pos - WINDOW), pos):
        depth = max(0, depth - 1) if m.group(1) == "end" else depth + 1
    return depth > 0


def _title(state: Scan, m: re.Match) -> int:
    _, pos = read_optional(state.doc, m.end())
    title, pos = read_argument(state.doc, pos)
    state.title = state.title or title
    return pos


def _link(state: Scan, m: re.Match) -> int:
    target, pos = read_argument(state.doc, m.end())
    target = target.replace("\\_", "_").replace("\\#", "#").replace("\\%", "%")
    state.urls.extend(_URL.findall(target))
    return pos


_Step = Callable[[Scan, re.Match], int]
_COMMANDS: dict[str, _Step] = {
    **COUNTER_COMMANDS,
    "title": _title,
    "icmltitle": _title,
    "url": _link,
    "href": _link,
    "label": _label,
}
_STEPS: dict[str, _Step] = {
    "begin": _begin,
    "end": _end,
    "sec": _heading,
    "cmd": _command,
    "open": _bracket,
    "dollar": _dollar,
}

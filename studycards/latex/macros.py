"""The paper's own macros: read their definitions and expand them, in one bounded pass.

Papers hide their notation behind ``\\newcommand``, ``\\def`` and
``\\DeclareMathOperator``; an equation card must show the notation itself.  The
expander reads the text once, left to right, registering definitions as it meets
them (so a macro defined mid-section counts from there on) and replacing uses of
the paper's macros by their bodies, expanded again.  Standard LaTeX commands are
never touched.  A budget bounds the work so that a hostile ``\\def\\a{\\a\\a}``
ends with a warning instead of a hang.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import dataclass, replace

from studycards.latex.arguments import (
    MAX_GROUP,
    TOKEN,
    match_group,
    read_argument,
    read_name,
    read_optional,
    skip_spaces,
    spend,
)

MAX_DEPTH = 40
EXPANSION_BUDGET = 100_000
OUTPUT_BUDGET = 4_000_000

_ENDS_WITH_WORD = re.compile(r"\\[A-Za-z]+$")
_PARAM = re.compile(r"#(#|[1-9])")
_VERBATIM_ENVS = ("verbatim", "Verbatim", "lstlisting", "minted", "alltt")

DEFINERS = {"newcommand", "renewcommand", "providecommand", "DeclareRobustCommand"}
DEFS = {"def", "gdef", "edef", "xdef"}
ENV_DEFINERS = {"newenvironment", "renewenvironment"}
DEFINING = DEFINERS | DEFS | ENV_DEFINERS | {"let", "DeclareMathOperator"}
PREFIXES = {"long", "global", "protected", "outer"}
PROTECTED = {
    "begin",
    "end",
    "part",
    "chapter",
    "section",
    "subsection",
    "subsubsection",
    "paragraph",
    "appendix",
    "label",
    "tag",
    "nonumber",
    "notag",
    "input",
    "include",
    "numberwithin",
    "title",
    "documentclass",
    "\\",
    "[",
    "]",
}


@dataclass(frozen=True)
class Macro:
    """One definition: ``nargs`` arguments, the first optional when ``default`` is set.

    ``delimiters`` holds the text that must follow each argument of a ``\\def``
    with delimited parameters (``\\def\\pair(#1,#2){…}``); empty strings mean
    ordinary undelimited arguments.
    """

    name: str
    nargs: int
    body: str
    default: str | None = None
    prefix: str = ""
    delimiters: tuple[str, ...] = ()


def _parse_params(params: str) -> tuple[str, tuple[str, ...]]:
    """Split ``\\def`` parameter text such as ``#1#2`` or ``(#1,#2)`` into a prefix and delimiters."""
    parts = re.split(r"#[1-9]", params)
    return parts[0], tuple(parts[1:])


class Expander:
    """Registers definitions and expands uses of them; ``warnings`` says what it gave up on."""

    def __init__(self, budget: int = EXPANSION_BUDGET) -> None:
        self.macros: dict[str, Macro] = {}
        self.warnings: list[str] = []
        self.budget = budget
        self.output_budget = OUTPUT_BUDGET
        self.exhausted = False
        self._memo: dict[str, str] = {}
        self.environments: dict[str, tuple[Macro, str]] = {}

    @property
    def names(self) -> frozenset[str]:
        return frozenset(self.macros)

    def expand(self, text: str) -> str:
        """``text`` with every macro of the paper expanded (definitions in it are registered)."""
        return "".join(self._expand(text, 0, None))

    def expand_document(self, text: str) -> tuple[str, PositionMap]:
        """Expand a whole flattened document, keeping where each output character came from."""
        segments: list[tuple[int, int, bool]] = []
        self.output_budget = max(self.output_budget, 8 * len(text))
        out = "".join(self._expand(text, 0, segments))
        return out, PositionMap(segments)

    # -- the single pass ----------------------------------------------------

    def _expand(self, text: str, depth: int, segments: list | None) -> list[str]:
        pieces: list[str] = []
        out_len = 0
        last = 0
        skip_to = 0

        def emit(start: int, end: int, replacement: str | None) -> None:
            nonlocal out_len, last
            if start > last:
                if segments is not None:
                    segments.append((out_len, last, True))
                pieces.append(text[last:start])
                out_len += start - last
            if replacement:
                if segments is not None:
                    segments.append((out_len, start, False))
                pieces.append(replacement)
                out_len += len(replacement)
            last = end

        for m in TOKEN.finditer(text):
            start = m.start()
            if start < skip_to:
                continue
            name = m.group(1) or m.group(2)
            end = m.end()
            if name in ("begin", "end") and self.environments:
                used = self._environment(name, text, end, depth)
                if used is not None:
                    emit(start, used[1], used[0])
                    skip_to = used[1]
                    continue
            if name == "begin" and segments is not None:
                skip_to = self._verbatim_end(text, end)
                continue
            if name == "verb" and m.group(1):
                if end < len(text):
                    close = text.find(text[end], end + 1)
                    skip_to = close + 1 if close > 0 else end
                continue
            if name in PREFIXES:
                emit(start, end, None)
                continue
            if name in DEFINING:
                new_end = self._define(name, text, end)
                if new_end is not None:
                    emit(start, new_end, None)
                    skip_to = new_end
                continue
            macro = self.macros.get(name)
            if macro is None:
                continue
            if self.exhausted or depth >= MAX_DEPTH:
                self._give_up(name)
                continue
            replaced = self._use(macro, text, end, depth)
            if replaced is None:
                continue
            replacement, new_end = replaced
            emit(start, new_end, replacement)
            skip_to = new_end
        emit(len(text), len(text), None)
        return pieces

    def _verbatim_end(self, text: str, pos: int) -> int:
        for env in _VERBATIM_ENVS:
            if text.startswith("{" + env + "}", pos):
                close = text.find("\\end{" + env + "}", pos)
                return len(text) if close < 0 else close
        return 0

    def _give_up(self, name: str) -> None:
        if not self.exhausted:
            self.exhausted = True
            self.warnings.append(
                f"macro expansion stopped at \\{name}: expansion budget exhausted "
                "(a macro that expands forever?); the rest is kept unexpanded"
            )

    def _use(self, macro: Macro, text: str, pos: int, depth: int) -> tuple[str, int] | None:
        """Expand one use of ``macro`` whose arguments start at ``pos``."""
        self.budget -= 1
        if self.budget < 0:
            self._give_up(macro.name)
            return None
        if macro.nargs == 0 and not macro.prefix:
            cached = self._memo.get(macro.name)
            if cached is None:
                cached = "".join(self._expand(macro.body, depth + 1, None))
                if not self.exhausted:
                    self._memo[macro.name] = cached
            if macro.name[:1].isalpha():
                after = skip_spaces(text, pos)
                if after > pos and not text.startswith("\n\n", after - 1):
                    pos = after
                    if _ENDS_WITH_WORD.search(cached):
                        cached += " "
            return self._charge(cached, macro.name), pos
        args, pos = self._arguments(macro, text, pos)
        if args is None:
            return None
        args += [""] * (9 - len(args))
        body = _PARAM.sub(lambda m: "#" if m.group(1) == "#" else args[int(m.group(1)) - 1], macro.body)
        return self._charge("".join(self._expand(body, depth + 1, None)), macro.name), pos

    def _charge(self, replacement: str, name: str) -> str:
        self.output_budget -= len(replacement)
        if self.output_budget < 0:
            self._give_up(name)
        return replacement

    def _arguments(self, macro: Macro, text: str, pos: int) -> tuple[list[str] | None, int]:
        start = pos
        if macro.prefix:
            if not text.startswith(macro.prefix, pos):
                return None, pos
            pos += len(macro.prefix)
        args: list[str] = []
        for i in range(macro.nargs):
            delimiter = macro.delimiters[i] if i < len(macro.delimiters) else ""
            if i == 0 and macro.default is not None:
                value, pos = read_optional(text, pos)
                args.append(macro.default if value is None else value)
            elif delimiter:
                close = text.find(delimiter, pos, pos + MAX_GROUP)
                if not spend(1 + (close - pos if close >= 0 else MAX_GROUP) // 64) or close < 0:
                    return None, start
                args.append(text[pos:close])
                pos = close + len(delimiter)
            else:
                value, pos = read_argument(text, pos)
                args.append(value)
        return args, pos

    # -- definitions ---------------------------------------------------------

    def _define(self, kind: str, text: str, pos: int) -> int | None:
        """Register the definition starting after ``\\kind``; return where it ends (None: not one)."""
        if kind == "let":
            return self._let(text, pos)
        star = skip_spaces(text, pos)
        starred = text.startswith("*", star)
        if starred:
            pos = star + 1
        if kind in ENV_DEFINERS:
            return self._skip_environment(text, pos, kind == "newenvironment")
        name, pos = read_name(text, pos)
        if name is None:
            return None
        if kind == "DeclareMathOperator":
            body, end = read_argument(text, pos)
            op = "\\operatorname*" if starred else "\\operatorname"
            return self._register(Macro(name, 0, f"{op}{{{body}}}"), end)
        if kind in DEFS:
            brace = text.find("{", pos, pos + 200)
            if brace < 0:
                return None
            prefix, delimiters = _parse_params(text[pos:brace])
            end = match_group(text, brace)
            if end < 0:
                return None
            macro = Macro(
                name,
                len(delimiters),
                text[brace + 1 : end - 1],
                prefix=prefix.strip() if delimiters or prefix.strip() else "",
                delimiters=delimiters,
            )
            return self._register(macro, end)
        count, pos = read_optional(text, pos)
        default, pos = read_optional(text, pos)
        body_start = skip_spaces(text, pos)
        if not text.startswith("{", body_start):
            body, end = read_argument(text, pos)
        else:
            end = match_group(text, body_start)
            if end < 0:
                return None
            body = text[body_start + 1 : end - 1]
        try:
            nargs = int(count) if count is not None else 0
        except ValueError:
            nargs = 0
        if kind == "providecommand" and name in self.macros:
            return end
        return self._register(Macro(name, max(0, min(nargs, 9)), body, default), end)

    def _register(self, macro: Macro, end: int) -> int | None:
        if macro.name in PROTECTED or (macro.name.startswith("the") and macro.name != "the"):
            return None
        self.macros[macro.name] = macro
        self._memo.clear()
        return end

    def _let(self, text: str, pos: int) -> int | None:
        name, pos = read_name(text, pos)
        if name is None:
            return None
        pos = skip_spaces(text, pos)
        if text.startswith("=", pos):
            pos += 1
        m = TOKEN.match(text, skip_spaces(text, pos))
        if not m:
            return None
        target = m.group(1) or m.group(2)
        if target in self.macros:
            self.macros[name] = replace(self.macros[target], name=name)
        else:
            self.macros.pop(name, None)
        self._memo.clear()
        return m.end()

    def _skip_environment(self, text: str, pos: int, new: bool) -> int | None:
        """A new environment is registered (a renewed one is the class's business; neither's code
        reaches the text as such):
        ``\\begin{name}`` and ``\\end{name}`` then expand to it, so ``\\newenvironment{eqn}
        {\\begin{equation}}{\\end{equation}}`` numbers its displays as LaTeX does."""
        name, pos = read_argument(text, pos)
        count, pos = read_optional(text, pos)
        default, pos = read_optional(text, pos)
        begin, pos = read_argument(text, pos)
        end, pos = read_argument(text, pos)
        name = name.strip()
        try:
            nargs = max(0, min(int(count), 9)) if count is not None else 0
        except ValueError:
            nargs = 0
        if new and name not in ("document", "abstract") and re.fullmatch(r"[A-Za-z]+\*?", name):
            self.environments[name] = (Macro("begin{" + name + "}", nargs, begin, default), end)
        return pos

    def _environment(self, word: str, text: str, pos: int, depth: int) -> tuple[str, int] | None:
        """A use of a paper's own environment: its begin or end code, expanded."""
        start = skip_spaces(text, pos)
        if not text.startswith("{", start):
            return None
        close = text.find("}", start, start + 100)
        environment = self.environments.get(text[start + 1 : close].strip()) if close > 0 else None
        if environment is None:
            return None
        if self.exhausted or depth >= MAX_DEPTH:
            self._give_up(word)
            return None
        macro, end_code = environment
        if word == "end":
            return self._charge("".join(self._expand(end_code, depth + 1, None)), word), close + 1
        if macro.nargs == 0:
            return self._charge("".join(self._expand(macro.body, depth + 1, None)), word), close + 1
        return self._use(macro, text, close + 1, depth)


class PositionMap:
    """Maps an offset in the expanded text back to the offset in the text that was expanded.

    Copied stretches map one to one; an expansion maps to the macro use it came from.
    """

    def __init__(self, segments: list[tuple[int, int, bool]]) -> None:
        self._out = [s[0] for s in segments] or [0]
        self._src = [s[1] for s in segments] or [0]
        self._verbatim = [s[2] for s in segments] or [True]

    def source(self, offset: int) -> int:
        i = max(0, bisect_right(self._out, offset) - 1)
        if self._verbatim[i]:
            return self._src[i] + offset - self._out[i]
        return self._src[i]

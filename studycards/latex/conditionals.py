"""TeX conditionals decided the way the paper's own settings decide them.

Papers keep one source for several venues: ``\\def\\icml{0}`` … ``\\if\\icml1``,
``\\newif\\ifarxiv \\arxivtrue`` … ``\\ifarxiv``, ``\\ifdefined\\x``, ``\\iftrue``.
A display in the branch the PDF leaves out must not be extracted, or every later
number shifts.  The test of a conditional is decided only when it rests on what
the source itself says (the paper's argument-less macros, its ``\\newif``
switches, literal characters); anything else (``\\ifmmode``, a package's switch)
is left in place with both branches, as before.  Removed text keeps its line
breaks, so lines still count.
"""

from __future__ import annotations

import re

from studycards.latex.arguments import match_group

_TOKENS = re.compile(
    r"\\\\"
    r"|\\newif\s*\\if(?P<newif>[A-Za-z]+)"
    r"|\\(?P<def>def|gdef|edef|xdef)\s*\\(?P<defname>[A-Za-z]+)\s*(?=\{)"
    r"|\\(?P<new>newcommand|renewcommand|providecommand)\*?\s*(?:\{\s*\\(?P<bname>[A-Za-z]+)\s*\}|\\(?P<name>[A-Za-z]+))"
    r"\s*(?P<nargs>\[)?"
    r"|\\(?P<if>if[A-Za-z]*)(?![A-Za-z])"
    r"|\\(?P<word>else|fi|[A-Za-z]+?(?:true|false))(?![A-Za-z])"
)
_NOT_CONDITIONALS = {"ifthenelse", "ifstrequal", "ifboolexpr", "ifblank", "ifpackageloaded", "ifclassloaded"}
_NUMBER = re.compile(r"\s*([-+]?\d+)")
_RELATION = re.compile(r"\s*([<=>])")
_CONTROL = re.compile(r"\\([A-Za-z]+|[\s\S])")


def _blank(text: str) -> str:
    return "\n" * text.count("\n")


class Conditions:
    """What the source has said so far (its simple macros and switches), carried from file to file."""

    def __init__(self) -> None:
        self.values: dict[str, str] = {}
        self.defined: set[str] = set()
        self.flags: dict[str, bool] = {}

    def apply(self, text: str) -> str:
        """``text`` with every decided conditional reduced to the branch TeX would take."""
        if "\\if" not in text:
            self._learn(text)
            return text
        out: list[str] = []
        pos = 0
        frames: list[bool | None] = []
        dropping_from: int | None = None
        drop_start = 0
        for m in _TOKENS.finditer(text):
            kind = m.lastgroup
            if dropping_from is not None:
                if kind == "if" and m.group("if") not in _NOT_CONDITIONALS:
                    frames.append(None)
                elif m.group("word") in ("else", "fi") and len(frames) - 1 == dropping_from:
                    out += [text[pos:drop_start], _blank(text[drop_start : m.end()])]
                    pos = m.end()
                    dropping_from = None
                    if m.group("word") == "fi":
                        frames.pop()
                    else:
                        frames[-1] = True
                elif m.group("word") == "fi" and frames:
                    frames.pop()
                continue
            if kind == "if":
                word = m.group("if")
                if word in _NOT_CONDITIONALS:
                    continue
                decided, end = self._test(word, text, m.end())
                frames.append(decided)
                if decided is None:
                    continue
                if decided:
                    out += [text[pos : m.start()], _blank(text[m.start() : end])]
                    pos = end
                else:
                    dropping_from, drop_start = len(frames) - 1, m.start()
            elif m.group("word") in ("else", "fi"):
                if not frames:
                    continue
                top = frames[-1] if m.group("word") == "else" else frames.pop()
                if top is None:
                    continue
                if m.group("word") == "else":
                    dropping_from, drop_start = len(frames) - 1, m.start()
                else:
                    out += [text[pos : m.start()], _blank(text[m.start() : m.end()])]
                    pos = m.end()
            else:
                self._note(m, text)
        if dropping_from is not None:
            out += [text[pos:drop_start], _blank(text[drop_start:])]
            pos = len(text)
        out.append(text[pos:])
        return "".join(out)

    def _learn(self, text: str) -> None:
        if "\\newif" in text or "def" in text or "command" in text or "true" in text or "false" in text:
            for m in _TOKENS.finditer(text):
                if m.lastgroup != "if":
                    self._note(m, text)

    def _note(self, m: re.Match, text: str) -> None:
        """Remember a definition or a switch being set."""
        if m.group("newif"):
            self.flags[m.group("newif")] = False
            self.defined.add("if" + m.group("newif"))
        elif m.group("defname") or m.group("new"):
            name = m.group("defname") or m.group("bname") or m.group("name")
            self.defined.add(name)
            if m.group("nargs"):
                self.values.pop(name, None)
                return
            if m.group("new") == "providecommand" and name in self.values:
                return
            end = match_group(text, m.end())
            if end > 0:
                self.values[name] = text[m.end() + 1 : end - 1]
        elif m.group("word"):
            word = m.group("word")
            for value in (True, False):
                suffix = "true" if value else "false"
                if word.endswith(suffix) and word[: -len(suffix)] in self.flags:
                    self.flags[word[: -len(suffix)]] = value

    def _test(self, word: str, text: str, pos: int) -> tuple[bool | None, int]:
        """Whether the conditional holds (None: not decidable from the source) and where its test ends."""
        if word == "iftrue":
            return True, pos
        if word == "iffalse":
            return False, pos
        if word[2:] in self.flags:
            return self.flags[word[2:]], pos
        if word == "ifdefined":
            control = _CONTROL.match(text, _skip_blanks(text, pos))
            if control is None:
                return None, pos
            return control.group(1) in self.defined, control.end()
        if word == "if":
            return self._compare(text, pos)
        if word == "ifnum":
            return self._numbers(text, pos)
        return None, pos

    def _characters(self, text: str, pos: int, count: int) -> tuple[list[str] | None, int]:
        """The next ``count`` characters TeX sees, expanding the paper's argument-less macros."""
        seen: list[str] = []
        pos = _skip_blanks(text, pos)
        while len(seen) < count:
            if pos >= len(text):
                return None, pos
            control = _CONTROL.match(text, pos)
            if control is None:
                seen.append(text[pos])
                pos += 1
                continue
            name = control.group(1)
            if name not in self.values or not name[:1].isalpha():
                return None, pos
            expansion = self.values[name].strip()
            if _CONTROL.search(expansion):
                return None, pos
            seen.extend(expansion)
            pos = _skip_blanks(text, control.end())
        return seen[:count] if len(seen) <= count else None, pos

    def _compare(self, text: str, pos: int) -> tuple[bool | None, int]:
        chars, end = self._characters(text, pos, 2)
        if chars is None:
            return None, pos
        return chars[0] == chars[1], end

    def _numbers(self, text: str, pos: int) -> tuple[bool | None, int]:
        left, pos2 = self._integer(text, pos)
        relation = _RELATION.match(text, pos2) if left is not None else None
        if relation is None:
            return None, pos
        right, end = self._integer(text, relation.end())
        if right is None or left is None:
            return None, pos
        op = relation.group(1)
        return (left < right if op == "<" else left > right if op == ">" else left == right), end

    def _integer(self, text: str, pos: int) -> tuple[int | None, int]:
        number = _NUMBER.match(text, pos)
        if number:
            return int(number.group(1)), number.end()
        control = _CONTROL.match(text, _skip_blanks(text, pos))
        if control and control.group(1) in self.values:
            value = self.values[control.group(1)].strip()
            if re.fullmatch(r"[-+]?\d+", value):
                return int(value), control.end()
        return None, pos


def _skip_blanks(text: str, pos: int) -> int:
    while pos < len(text) and text[pos] in " \t\n":
        pos += 1
    return pos


_MODE_TOKENS = re.compile(
    r"\\(?:text[a-z]*|mbox|hbox|fbox|intertext|shortintertext)\s*\{"
    r"|\\ifmmode(?![A-Za-z])|\\[()\[\]]|\\[A-Za-z]+|\\[\s\S]|\$\$?|[{}]"
)
_BRANCHES = re.compile(r"\\(if[A-Za-z]*|else|fi)(?![A-Za-z])")


def by_mode(text: str, math: bool) -> str:
    """``\\ifmmode A\\else B\\fi`` reduced to the branch TeX takes where it stands: A in math
    (a display, ``$…$``), B in text (prose, ``\\text{…}`` inside math, a ``\\tag``'s number).

    Papers write ``\\newcommand{\\vx}{\\ifmmode\\mathbf{x}\\else$\\mathbf{x}$\\fi}`` so that one
    macro works in both; left undecided, both branches would show.  One pass, in order: the
    chosen branch is read in the mode it stands in, and its own ``$`` changes the mode after it."""
    if "\\ifmmode" not in text:
        return text
    return _resolve(text, [math], 0)


def _resolve(text: str, modes: list[bool], depth: int) -> str:
    out: list[str] = []
    pos = last = 0
    while (m := _MODE_TOKENS.search(text, pos)) is not None:
        token, pos = m.group(), m.end()
        if token == "\\ifmmode":
            chosen, stop = _branch(text, pos, modes[-1])
            if stop < 0 or depth > 50:  # unclosed: TeX would swallow the rest; keep it as written
                break
            out += [text[last : m.start()], _resolve(chosen, modes, depth + 1)]
            pos = last = stop
        elif token.endswith("{") and token != "{":
            modes.append(False)
        elif token == "{":
            modes.append(modes[-1])
        elif token == "}":
            if len(modes) > 1:
                modes.pop()
        elif token in ("$", "$$"):
            modes[-1] = not modes[-1]
        elif token in ("\\(", "\\)", "\\[", "\\]"):
            modes[-1] = token in ("\\(", "\\[")
    out.append(text[last:])
    return "".join(out)


def _branch(text: str, pos: int, math: bool) -> tuple[str, int]:
    """The branch of the ``\\ifmmode`` whose test ends at ``pos`` that ``math`` selects, and
    where its ``\\fi`` ends; -1 if it never closes.  Spaces after
    ``\\ifmmode`` and ``\\else`` are not text: TeX skips them after a control word (those after
    ``\\fi`` stay: here they are the source's own, after a macro the expander replaced)."""
    chosen, stop = _branch_span(text, pos, math)
    return chosen.lstrip(" \t\n"), stop


def _branch_span(text: str, pos: int, math: bool) -> tuple[str, int]:
    depth, middle, else_end = 0, -1, pos
    for m in _BRANCHES.finditer(text, pos):
        word = m.group(1)
        if word.startswith("if") and word not in _NOT_CONDITIONALS:
            depth += 1
        elif word == "else" and depth == 0 and middle < 0:
            middle = m.start()
            else_end = m.end()
        elif word == "fi":
            if depth == 0:
                if middle < 0:
                    return (text[pos : m.start()] if math else ""), m.end()
                return (text[pos:middle] if math else text[else_end : m.start()]), m.end()
            depth -= 1
    return "", -1

"""The paper's own ``.sty`` files: the notation they define, without the style code around it.

A paper that keeps ``\\newcommand{\\R}{\\mathbb{R}}`` in ``macros.sty`` needs it expanded like
one in the main file.  A venue's style file, though, is internal TeX (``\\@``-names,
``\\ifdim`` tests, page layout) that the expander must not run: so only definitions of
letter-only names whose bodies are free of ``@`` are kept, each where it stood.
"""

from __future__ import annotations

import re

from studycards.latex.arguments import read_argument, read_optional

PACKAGE = re.compile(r"\\(?:usepackage|RequirePackage)\s*(?:\[[^\]]{0,500}\])?\s*\{([^{}]{1,500})\}")
_DEFINITION = re.compile(
    r"\\(?P<kind>(?:re|provide)?newcommand|DeclareMathOperator|DeclareRobustCommand|(?:re)?newenvironment)\*?"
    r"|\\(?P<def>g?def)\s*\\(?P<name>[A-Za-z]+)(?P<params>(?:#[1-9])*)\s*(?=\{)"
)


def own_definitions(text: str) -> str:
    """The user-level definitions of a style file, with every other line left blank."""
    out: list[str] = []
    pos = 0
    for m in _DEFINITION.finditer(text):
        if m.start() < pos:
            continue
        end = _definition_end(text, m)
        if end is None:
            continue
        statement = text[m.start() : end]
        if "@" not in statement:
            out += ["\n" * text.count("\n", pos, m.start()), statement]
            pos = end
    out.append("\n" * text.count("\n", pos))
    return "".join(out)


def _definition_end(text: str, m: re.Match) -> int | None:
    if m.group("def"):
        _, end = read_argument(text, m.end())
        return end if end > m.end() else None
    name, pos = read_argument(text, m.end())
    if not name.strip():
        return None
    _, pos = read_optional(text, pos)
    _, pos = read_optional(text, pos)
    _, after = read_argument(text, pos)
    if after == pos:
        return None
    if "environment" in (m.group("kind") or ""):
        _, end = read_argument(text, after)
        return end if end > after else None
    return after

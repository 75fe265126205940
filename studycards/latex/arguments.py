"""Reading TeX arguments: braced groups, optional ``[…]`` arguments and control-sequence names.

Every stage of the extractor reads arguments the way TeX does (a group, else one
token), and every group search is charged to one budget per document, so that a
source full of unclosed braces costs a bounded amount of work.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

MAX_GROUP = 200_000
WORK_BUDGET = 4_000_000

TOKEN = re.compile(r"\\(?:([A-Za-z]+)|([\s\S]))")
SPACES = re.compile(r"(?:[ \t]|%?\n(?![ \t]*\n))*")
_BRACES = re.compile(r"\\[\s\S]|[{}]")
_BRACKETS = re.compile(r"\\[\s\S]|[{}\[\]]")


def match_end(pattern: re.Pattern[str], text: str, pos: int = 0) -> int:
    """Where ``pattern``, which may match the empty string, stops matching at ``pos``."""
    found = pattern.match(text, pos)
    return found.end() if found else pos


_WORK: ContextVar[list[int] | None] = ContextVar("studycards_latex_work", default=None)


@contextmanager
def work_budget(limit: int = WORK_BUDGET) -> Iterator[list[int]]:
    """Bound the brace-matching work of one document, so hostile input stays linear.

    Every group search charges the tokens it looks at; once the budget is spent,
    unmatched groups are reported at once instead of being searched for.  The
    yielded box holds what is left (negative: the budget ran out).
    """
    box = [limit]
    token = _WORK.set(box)
    try:
        yield box
    finally:
        _WORK.reset(token)


def spend(amount: int) -> bool:
    """Charge ``amount`` to the current document's budget; False once it is spent."""
    box = _WORK.get()
    if box is None:
        return True
    box[0] -= amount
    return box[0] >= 0


def skip_spaces(text: str, pos: int) -> int:
    """Where the next argument may start: spaces and one line break are skipped, never a blank line."""
    return match_end(SPACES, text, pos)


def match_group(text: str, pos: int, close: str = "}") -> int:
    """The index just after the group opening at ``pos`` (``{`` or ``[``), or -1 if it never closes.

    Braces nest; inside ``[…]`` only brackets at brace depth zero count, as in LaTeX.
    The search is bounded so that an unclosed brace in a huge file stays cheap.
    """
    if not spend(1):
        return -1
    end = min(len(text), pos + MAX_GROUP)
    depth = 0
    seen = 0
    pattern = _BRACES if close == "}" else _BRACKETS
    found = -1
    for m in pattern.finditer(text, pos, end):
        seen += 1
        tok = m.group()
        if tok == "{":
            depth += 1
        elif tok == "}":
            depth -= 1
            if close == "}" and depth == 0:
                found = m.end()
                break
            if depth < 0:
                break
        elif tok == "[" and close == "]" and depth == 0 and m.start() == pos:
            continue
        elif tok == "]" and close == "]" and depth == 0:
            found = m.end()
            break
    spend(seen)
    return found


def read_argument(text: str, pos: int) -> tuple[str, int]:
    """One undelimited argument at ``pos``: a braced group, a control sequence or one character."""
    pos = skip_spaces(text, pos)
    if pos >= len(text) or text[pos] in "}]" or text.startswith("\n", pos):
        return "", pos
    if text[pos] == "{":
        end = match_group(text, pos)
        if end < 0:
            return "", pos
        return text[pos + 1 : end - 1], end
    m = TOKEN.match(text, pos)
    if m:
        return m.group(), m.end()
    return text[pos], pos + 1


def read_optional(text: str, pos: int) -> tuple[str | None, int]:
    """An optional ``[…]`` argument at ``pos``, or ``None`` when there is none."""
    start = skip_spaces(text, pos)
    if not text.startswith("[", start):
        return None, pos
    end = match_group(text, start, "]")
    if end < 0:
        return None, pos
    return text[start + 1 : end - 1], end


def read_name(text: str, pos: int) -> tuple[str | None, int]:
    """The control sequence being defined: ``\\name`` or ``{\\name}``."""
    pos = skip_spaces(text, pos)
    braced = text.startswith("{", pos)
    if braced:
        pos = skip_spaces(text, pos + 1)
    m = TOKEN.match(text, pos)
    if not m:
        return None, pos
    end = m.end()
    if braced:
        end = skip_spaces(text, end)
        if not text.startswith("}", end):
            return None, pos
        end += 1
    return m.group(1) or m.group(2), end

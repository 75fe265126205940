"""Words every stage that writes for a reader shares: the CLI's output and the files an export writes."""

from __future__ import annotations


def plural(count: int, word: str) -> str:
    """``1 card``, ``2 cards``: one rule, so the terminal and the exported files never disagree."""
    return f"{count} {word}{'' if count == 1 else 's'}"


CONTROLS = "[\x00-\x08\x0b-\x1f\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069]"


def terminal_safe(text: str) -> str:
    """Text from outside (arXiv, e-prints, LaTeX, notes) with its control characters shown instead of obeyed.

    An escape sequence in an archive member's name or a paper's title would
    otherwise retitle the terminal, move the cursor or hide what follows; bidi
    overrides would reorder what the reader sees.  Newlines and tabs stay.
    """
    import re

    def shown(found: re.Match[str]) -> str:
        code = ord(found.group())
        return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"

    return re.sub(CONTROLS, shown, text)


def columns(fallback: int = 80) -> int:
    """The terminal's width as ``shutil.get_terminal_size`` gives it: ``$COLUMNS``, else stdout's terminal, else
    ``fallback``.  Without importing shutil, which loads zlib, bz2 and lzma: 2 ms of a command's start-up."""
    import os
    import sys

    try:
        width = int(os.environ["COLUMNS"])
    except (KeyError, ValueError):
        width = 0
    if width <= 0:
        try:
            width = os.get_terminal_size(sys.__stdout__.fileno()).columns  # type: ignore[union-attr]
        except (AttributeError, ValueError, OSError):
            width = 0
    return width or fallback

"""Where a long notes file may be cut, so that markdown-it reads it one piece at a time.

markdown-it keeps five numbers per line of what it parses (about 180 bytes a line): a
300,000-card file cost 70 MB before a single card was read.  A cut goes before a ``#``
heading that follows a blank line, where every block has ended unless a fence, display
math or an HTML block runs on over it; the parser checks that none does, and reads on
over the cut when one does, so each piece reads exactly as it would within the whole file.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

LINES_PER_PIECE = 2000
RUNS_ON = ("fence", "math_block", "math_block_label", "html_block", "front_matter")

_HEADING = re.compile(r"^ {0,3}#{1,6}(?:[ \t]|$)", re.M)
_FRONT_MATTER_END = re.compile(r"^(?:---|\.\.\.)[ \t]*$", re.M)


def cuts(text: str) -> Iterator[tuple[int, int]]:
    """``(offset, line)`` of each place the text may be cut, a few thousand lines apart, in order."""
    if "\r" in text:  # markdown-it counts a lone CR as a line break; offsets here count only LF
        return
    pos = 0
    if text.startswith("---"):
        end = _FRONT_MATTER_END.search(text, 3)
        if end is None:
            return
        pos = end.end()
    line = last = text.count("\n", 0, pos)
    start = 0
    for match in _HEADING.finditer(text, pos):
        line += text.count("\n", pos, match.start())
        pos = match.start()
        if line - last >= LINES_PER_PIECE and text[pos - 2 : pos] == "\n\n":
            if text.count("$$", start, pos) % 2:
                return  # a $$ left open, which markdown-it may read as prose or as math to a later $$: no cut below
            yield pos, line
            last, start = line, pos


def runs_on(tokens: list, piece: str) -> bool:
    """True when a fence, display math or HTML block of ``piece`` reaches its end: the cut fell inside it.

    Only the last top-level block can: each one starts where the one before it ended, or below, and
    a piece ends with a line break, so none starts at its last line count.
    """
    lines = piece.count("\n")
    last = next((t for t in reversed(tokens) if t.level == 0 and t.map), None)
    return last is not None and last.type in RUNS_ON and last.map[1] >= lines

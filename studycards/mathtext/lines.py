"""A card side for the terminal, as it is shown: math in its unicode line form, or the drawings given.

Kept apart from sympy's code (``pretty``) so that showing a card imports only what the line form
needs: a review's first card must not wait for the modules behind sympy's readings.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping

from studycards.mathtext.unicode import latex_to_unicode
from studycards.notes.syntax import equation_key, spans


def line_form(latex: str, display: bool = True) -> str:
    """The unicode rendering of the LaTeX itself: microseconds, so any side can be drawn when it is shown."""
    text = latex_to_unicode(latex)
    return text if display else " ".join(text.splitlines())


@functools.lru_cache(maxsize=4096)
def _inline(latex: str) -> str:
    """An inline span, drawn once however often notes repeat it (``$d_k$`` may appear in every card)."""
    return line_form(latex, False)


def render_markdown(text: str, *, pretty: bool = True, drawings: Mapping[str, str] | None = None) -> str:
    """A card side for the terminal: math spans rendered, code spans and \\$ left alone.

    A display equation shows its drawing in ``drawings`` (sympy's, made by the background drawer and
    kept by the store) and otherwise its line form; without ``drawings``, ``pretty`` asks sympy here.
    Only display math is offered to sympy: an inline span must stay on its line, and parsing every
    inline span (about 20 ms each) would be slow.
    """

    pieces, pos = [], 0
    for span in spans(text):
        if span.kind == "code":
            continue
        pieces.append(text[pos : span.start])
        if span.kind == "display":  # a display block sits on lines of its own
            before = "" if span.start == 0 or text[span.start - 1] == "\n" else "\n"
            after = "" if span.end == len(text) or text[span.end] == "\n" else "\n"
            latex = text[span.body]
            if drawings is not None:
                drawn = drawings.get(equation_key(latex)) or line_form(latex)
            elif pretty:
                from studycards.mathtext.pretty import render

                drawn = render(latex)
            else:
                drawn = line_form(latex)
            pieces.append(before + drawn + after)
        else:
            pieces.append(_inline(text[span.body]))
        pos = span.end
    pieces.append(text[pos:])
    return "".join(pieces)

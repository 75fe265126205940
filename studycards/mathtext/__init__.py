"""LaTeX math -> text a terminal can show: sympy's drawing where it reads the LaTeX faithfully, else unicode.

Rendered once at ``add`` (``batch``), so review starts fast; sympy is imported only when math is drawn.
"""

from studycards.mathtext.pretty import render, render_markdown

__all__ = ["render", "render_markdown"]

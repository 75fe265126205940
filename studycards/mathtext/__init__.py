"""LaTeX math -> text a terminal can show: sympy's drawing where it reads the LaTeX faithfully, else unicode.

Card sides are rendered when shown (``lines.render_markdown``, microseconds with the unicode line form);
sympy draws display equations in the background after ``add`` (``drawer``), and is imported only there.
"""

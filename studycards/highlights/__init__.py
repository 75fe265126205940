"""A highlighted PDF -> the paper's notes: the three colours of the reading method become its sections.

Reading the annotations (``reading``, pdfannots loaded on first use), naming their colours
(``colours``), writing quotes and comments into notes text (``writing``), and the run that
ties them to the store and the notes file (``run``).
"""

from studycards.highlights.run import Found, HighlightsPlan, plan_highlights, write_highlights

__all__ = ["Found", "HighlightsPlan", "plan_highlights", "write_highlights"]

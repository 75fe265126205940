"""The LaTeX stage: a paper's source -> its display equations, numbered as the PDF shows them,
and its sections' prose as plain text, read without running TeX and without sympy (``with_sympy`` adds it)."""

from studycards.latex.document import Document, Section, read_document, with_sympy
from studycards.latex.prose import math_spans
from studycards.latex.sentences import all_sentences

__all__ = ["Document", "Section", "all_sentences", "math_spans", "read_document", "with_sympy"]

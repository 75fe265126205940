"""Notes files -> cards and open questions: the grammar (``syntax``), the parser, the importer into the store,
and answering a question in its file.  Nothing here reads the clock; ``add_notes`` is what ``studycards add`` runs.
"""

from studycards.notes.parser import ParsedNotes, parse_notes
from studycards.notes.syntax import CONTEXT_SEPARATOR, CardKind, QuestionStatus

__all__ = ["CONTEXT_SEPARATOR", "CardKind", "ParsedNotes", "QuestionStatus", "parse_notes"]

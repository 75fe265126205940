"""Notes files -> cards and open questions: the grammar (``syntax``), the parser, the importer into the store,
and answering a question in its file.  Nothing here reads the clock; ``add_notes`` is what ``studycards add`` runs.
"""

from typing import TYPE_CHECKING

from studycards.notes.syntax import CONTEXT_SEPARATOR, CardKind, QuestionStatus

if TYPE_CHECKING:
    from studycards.notes.parser import ParsedNotes, parse_notes

__all__ = ["CONTEXT_SEPARATOR", "CardKind", "ParsedNotes", "QuestionStatus", "parse_notes"]


def __getattr__(name: str) -> object:
    """The parser is imported when first asked for: ``review`` needs the grammar alone, and starts sooner."""
    if name in {"ParsedNotes", "parse_notes"}:
        from studycards.notes import parser

        return getattr(parser, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")

"""Cards -> an Anki package (stable note-type ids and GUIDs, field HTML for MathJax) and questions.md beside it.

genanki is imported only when a package is written.
"""

from studycards.anki.export import export_collection

__all__ = ["export_collection"]

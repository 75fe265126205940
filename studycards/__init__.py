"""studycards: notes and paper equations become spaced-repetition flashcards."""

__version__ = "0.1.0"

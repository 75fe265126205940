"""The only errors a user sees: core code raises these, ``cli`` prints them once."""

from __future__ import annotations


class StudycardsError(Exception):
    """A problem the user can fix; its message is one clear line."""


class BusyError(StudycardsError):
    """Another studycards held the collection longer than the busy timeout; trying again later works."""


class GradedElsewhere(StudycardsError):
    """An undo refused: another session graded the card since, and putting back an older state would lose that."""


class NotesError(StudycardsError):
    """A mistake at a place in a notes (or source) file, shown as ``FILE:LINE: message``."""

    def __init__(self, path: str, line: int, message: str) -> None:
        self.path = path
        self.line = line
        self.message = message
        super().__init__(f"{path}:{line}: {message}")


class NotesErrors(StudycardsError):
    """Every mistake found in a run, so the user can fix them all at once."""

    def __init__(self, errors: list[NotesError]) -> None:
        self.errors = errors
        super().__init__("\n".join(str(e) for e in errors))


class UnknownDeck(StudycardsError):
    """A ``--deck`` that holds no card: most often a typo, so the message names the decks it is closest to."""

    FEW = 6

    def __init__(self, deck: str, known: list[str]) -> None:
        import difflib

        self.deck = deck
        self.nearest = difflib.get_close_matches(deck, known, n=3, cutoff=0.75)
        message = f"no deck {deck!r}"
        if self.nearest:
            message += f"; nearest: {', '.join(self.nearest)}"
        if not known:
            message += " (there are no cards yet: studycards add NOTES.md)"
        elif len(known) <= self.FEW:
            message += f" (decks: {', '.join(known)})"
        super().__init__(message)


class WrittenThenInterrupted(KeyboardInterrupt):
    """A Ctrl-C as ``add``'s write ended, or after it: the cards are in, and what says so must not say otherwise."""

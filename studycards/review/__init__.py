"""The daily review: the session engine (queue, keys, grades saved as given) and the terminal that shows it.

The engine takes its keys, display and clock as arguments, so a terminal, a pipe and the tests drive the same code.
"""

from studycards.review.session import Frame, Session, Summary

__all__ = ["Frame", "Session", "Summary"]

"""The command line: parse options, call one core function, print the result.

No logic lives here; every command's docstring is its ``--help`` and ends with an
example.  Core code raises ``StudycardsError``; it is printed once, as one line.
"""

from studycards.cli import cards, collection, highlights, papers, review, settings, sync  # noqa: F401 (their commands join the group)
from studycards.cli.base import main

__all__ = ["main"]

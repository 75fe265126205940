"""The command line: parse options, call one core function, print the result.

No logic lives here; every command's docstring is its ``--help`` and ends with an example.  Core code raises
``StudycardsError``; it is printed once, as one line.  A command's module is imported when the command is
asked for (``base.COMMANDS`` says which module holds it), so ``--help`` and ``status`` load no other command.
"""

from studycards.cli.base import main

__all__ = ["main"]

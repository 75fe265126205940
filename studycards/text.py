"""Words every stage that writes for a reader shares: the CLI's output and the files an export writes."""

from __future__ import annotations


def plural(count: int, word: str) -> str:
    """``1 card``, ``2 cards``: one rule, so the terminal and the exported files never disagree."""
    return f"{count} {word}{'' if count == 1 else 's'}"

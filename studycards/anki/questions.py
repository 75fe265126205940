"""The open research questions of an export as one markdown document, beside the Anki package."""

from __future__ import annotations

from datetime import datetime
from itertools import groupby
from pathlib import Path

from studycards.notes.syntax import CONTEXT_SEPARATOR
from studycards.store.questions import StoredQuestion
from studycards.text import plural

ARXIV_ABS = "https://arxiv.org/abs/"


def group_key(question: StoredQuestion) -> str:
    """Questions are grouped by paper; those of notes without one, by deck."""
    return question.paper or f"deck:{question.deck}"


def group_title(question: StoredQuestion) -> str:
    """A group's title, the same in questions.md and the terminal: the paper's, else the notes' own, else the deck."""
    return question.paper_title or question.context.split(CONTEXT_SEPARATOR)[0] or question.deck


def questions_markdown(questions: list[StoredQuestion], folder: Path, now: datetime) -> str:
    """The open questions as a markdown document, grouped by paper, each with where it was noted."""
    lines = [
        "# Open research questions",
        "",
        f"{plural(len(questions), 'open question')} from your notes, exported by studycards on "
        f"{now.date().isoformat()}.",
        'Answer one with `studycards questions answer ID "TEXT"`: it becomes a card in its notes file.',
    ]
    ordered = sorted(questions, key=lambda q: (q.paper is None, q.paper or q.deck, q.source, q.line))
    for _, grouped in groupby(ordered, key=group_key):
        group = list(grouped)
        first = group[0]
        title = group_title(first)
        lines += ["", f"## {title}", ""]
        if first.paper:
            lines += [f"[arXiv:{first.paper}]({ARXIV_ABS}{first.paper}) · deck {first.deck}", ""]
        for question in group:
            where = f"`{_shown_path(question.source, folder)}:{question.line}`"
            context = question.context.removeprefix(title).removeprefix(CONTEXT_SEPARATOR)
            context = f"*{context}*, " if context else ""
            lines += [f"- {' '.join(question.text.split())}", f"  — {context}{where} (#{question.id})"]
    return "\n".join(lines) + "\n"


def _shown_path(source: str, folder: Path) -> str:
    """Relative to the questions file when the notes sit below it, so the file can move with them."""
    try:
        return Path(source).relative_to(folder.resolve()).as_posix()
    except ValueError:
        return source

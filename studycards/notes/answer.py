"""Answering an open question: the answer goes into the notes file, where the question becomes a card.

Notes stay the single road into cards: the question's lines are rewritten as a
``Q:``/``A:`` card, every other byte of the file is kept, and the file is
re-added.  File and store change together or not at all.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from studycards.errors import StudycardsError
from studycards.notes.importer import ImportPlan, apply_plan, content_hash, plan_import, read_notes
from studycards.notes.parser import block_parser
from studycards.notes.syntax import QUESTION_PREFIX, CardKind, QuestionStatus
from studycards.store.database import Store
from studycards.store.questions import StoredQuestion

BOM = b"\xef\xbb\xbf"
LINE = re.compile(r"[^\r\n]*(?:\r\n|\r|\n)|[^\r\n]+\Z")


@dataclass(frozen=True)
class Answered:
    """The answered question and where its card now is."""

    question: StoredQuestion
    path: Path
    line: int
    plan: ImportPlan


def answer_question(store: Store, question_id: int, answer: str, now: datetime) -> Answered:
    """Write ``answer`` under question ``question_id`` in its notes file, re-add the file, mark it answered.

    Refused, with nothing changed, when the file was edited since it was last
    added: the stored line numbers would point at the wrong lines.
    """
    question = store.questions.get(question_id)
    if question is None:
        raise StudycardsError(f"no question #{question_id}; list them with: studycards questions")
    if question.status != QuestionStatus.OPEN:
        state = "already answered" if question.status == QuestionStatus.ANSWERED else "no longer in its notes file"
        raise StudycardsError(f"question #{question_id} is {state}")
    answer = " ".join(answer.split())
    if not answer:
        raise StudycardsError("the answer is empty")
    path = Path(question.source)
    remembered = store.files.hash(question.source)
    if not path.is_file() or remembered is None or content_hash(read_notes(path)) != remembered.sha256:
        raise StudycardsError(f"{path} changed since it was added; run studycards add {path} first")
    original = path.read_bytes()
    rewritten, line = rewrite(original, question.line, answer)
    written = False
    try:
        with store.transaction():
            _replace_bytes(path, rewritten)
            written = True
            plan = plan_import(store, [str(path)], deck=remembered.deck_option or None)
            if not any(row.line == line and row.kind == CardKind.BASIC for row in plan.added + plan.restored):
                raise StudycardsError(f"{path}:{line}: the answered question did not become a card; nothing changed")
            apply_plan(store, plan, now)
            store.questions.answered(question.id, answer)
    except BaseException:
        if written:
            _replace_bytes(path, original)
        raise
    return Answered(question=question, path=path, line=line, plan=plan)


def rewrite(data: bytes, line: int, answer: str) -> tuple[bytes, int]:
    """The file with the question at ``line`` turned into a ``Q:``/``A:`` card, and the card's line.

    Line endings follow the file's, and a byte-order mark stays.
    """
    bom = BOM if data.startswith(BOM) else b""
    text = data[len(bom) :].decode("utf-8")
    lines = LINE.findall(text)
    tokens = block_parser().parse(text)
    found = next(
        (i for i, t in enumerate(tokens) if t.type == "paragraph_open" and t.map and t.map[0] == line - 1), None
    )
    if found is None:
        raise StudycardsError(f"no question at line {line}; run studycards add on the file first")
    start, end = tokens[found].map or (0, 0)
    eol = next((_ending(row) for row in [*lines[start:], *reversed(lines[:start])] if _ending(row)), "\n")
    in_list = found > 0 and tokens[found - 1].type == "list_item_open"
    if in_list and tokens[found + 3].type != "list_item_close":
        raise StudycardsError(_shared(line))
    paragraph = _Paragraph(lines, start, end, eol)
    new, card_line = paragraph.out_of_list(tokens[found + 1].content, answer) if in_list else paragraph.in_place(answer)
    result = "".join(lines[:start] + new + lines[end:])
    return bom + result.encode("utf-8"), card_line


def _shared(line: int) -> str:
    return f"line {line}: the question shares its list item with other text; answer it by editing the file"


@dataclass(frozen=True)
class _Paragraph:
    """The question's lines ``start``–``end`` of the file (each with its line ending) and the file's line ending."""

    lines: list[str]
    start: int
    end: int
    eol: str

    def out_of_list(self, content: str, answer: str) -> tuple[list[str], int]:
        """A list item under a Questions heading leaves its list, with blank lines around it.

        A paragraph inside that list would be read as a question again.
        """
        lines, start, end, eol = self.lines, self.start, self.end, self.eol
        rows = content.split("\n")
        card = [f"Q: {rows[0].removeprefix(QUESTION_PREFIX)}", *rows[1:], f"A: {answer}"]
        before = [eol] if start > 0 and lines[start - 1].strip() else []
        after = [eol] if end < len(lines) and lines[end].strip() else []
        last_eol = eol if end < len(lines) or _ending(lines[end - 1]) else ""
        new = before + [row + eol for row in card[:-1]] + [card[-1] + last_eol] + after
        return new, start + 1 + len(before)

    def in_place(self, answer: str) -> tuple[list[str], int]:
        """A ``? question`` paragraph keeps its place and its indentation."""
        lines, start, end = self.lines, self.start, self.end
        first = lines[start]
        at = first.find(QUESTION_PREFIX)
        if at < 0 or first[:at].strip():
            raise StudycardsError(_shared(start + 1))
        last_eol = _ending(lines[end - 1])
        new = [first[:at] + "Q: " + first[at + len(QUESTION_PREFIX) :]] + lines[start + 1 : end]
        if not last_eol:
            new[-1] += self.eol
        new.append(" " * at + f"A: {answer}" + last_eol)
        return new, start + 1


def _ending(line: str) -> str:
    return line[len(line.rstrip("\r\n")) :]


def _replace_bytes(path: Path, data: bytes) -> None:
    """Write the whole file or nothing, keeping its permissions."""
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        temporary.write_bytes(data)
        os.chmod(temporary, path.stat().st_mode & 0o7777)
        os.replace(temporary, path)
    except OSError as exc:
        temporary.unlink(missing_ok=True)
        raise StudycardsError(f"cannot write {path}: {exc.strerror}") from None

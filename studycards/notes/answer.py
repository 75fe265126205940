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
from studycards.store.database import Store, StoredQuestion

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
    question = store.question(question_id)
    if question is None:
        raise StudycardsError(f"no question #{question_id}; list them with: studycards questions")
    if question.status != "open":
        state = "already answered" if question.status == "answered" else "no longer in its notes file"
        raise StudycardsError(f"question #{question_id} is {state}")
    answer = " ".join(answer.split())
    if not answer:
        raise StudycardsError("the answer is empty")
    path = Path(question.source)
    remembered = store.file_hash(question.source)
    if not path.is_file() or remembered is None or content_hash(read_notes(path)) != remembered[0]:
        raise StudycardsError(f"{path} changed since it was added; run studycards add {path} first")
    original = path.read_bytes()
    rewritten, line = rewrite(original, question.line, answer)
    written = False
    try:
        with store.transaction():
            _replace_bytes(path, rewritten)
            written = True
            plan = plan_import(store, [str(path)], deck=remembered[1] or None)
            if not any(row.line == line and row.kind == "basic" for row in plan.added + plan.restored):
                raise StudycardsError(f"{path}:{line}: the answered question did not become a card; nothing changed")
            apply_plan(store, plan, now)
            store.set_question_status([question.id], "answered", answer)
    except BaseException:
        if written:
            _replace_bytes(path, original)
        raise
    return Answered(question=question, path=path, line=line, plan=plan)


def rewrite(data: bytes, line: int, answer: str) -> tuple[bytes, int]:
    """The file with the question at ``line`` turned into a ``Q:``/``A:`` card, and the card's line.

    A ``? question`` paragraph keeps its place.  A list item under a Questions
    heading leaves its list, with blank lines around it: a paragraph inside that
    list would be read as a question again.  Line endings follow the file's.
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
    start, end = tokens[found].map
    content = tokens[found + 1].content.split("\n")
    eol = next((_ending(row) for row in [*lines[start:], *reversed(lines[:start])] if _ending(row)), "\n")
    shared = f"line {line}: the question shares its list item with other text; answer it by editing the file"
    if found > 0 and tokens[found - 1].type == "list_item_open":
        if tokens[found + 3].type != "list_item_close":
            raise StudycardsError(shared)
        card = [f"Q: {content[0].removeprefix('? ')}", *content[1:], f"A: {answer}"]
        before = [eol] if start > 0 and lines[start - 1].strip() else []
        after = [eol] if end < len(lines) and lines[end].strip() else []
        last_eol = eol if end < len(lines) or _ending(lines[end - 1]) else ""
        new = before + [row + eol for row in card[:-1]] + [card[-1] + last_eol] + after
        card_line = start + 1 + len(before)
    else:
        first = lines[start]
        at = first.find("? ")
        if at < 0 or first[:at].strip():
            raise StudycardsError(shared)
        last = lines[end - 1]
        last_eol = _ending(last)
        new = [first[:at] + "Q: " + first[at + 2 :]] + lines[start + 1 : end]
        if not last_eol:
            new[-1] += eol
        new.append(" " * at + f"A: {answer}" + last_eol)
        card_line = start + 1
    result = "".join(lines[:start] + new + lines[end:])
    return bom + result.encode("utf-8"), card_line


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

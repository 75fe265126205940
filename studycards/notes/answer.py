"""Answering an open question: the answer goes into the notes file, where the question becomes a card.

Notes stay the single road into cards: the question's lines are rewritten as a
``Q:``/``A:`` card, every other byte of the file is kept, and the file is
re-added.  File and store change together or not at all.
"""

from __future__ import annotations

import errno
import os
import re
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from studycards.errors import StudycardsError
from studycards.notes.blocks import block_parser
from studycards.notes.importer import ImportPlan, apply_plan, content_hash, plan_import, read_notes
from studycards.notes.syntax import QUESTION_PREFIX, CardKind, QuestionStatus
from studycards.store import journal
from studycards.store.database import Store
from studycards.store.errors import no_space
from studycards.store.questions import StoredQuestion

BOM = b"\xef\xbb\xbf"
AT_FDCWD = -100
RENAME_EXCHANGE = 2
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
    added: the stored line numbers would point at the wrong lines.  The file is
    swapped only if it is still what was read (an editor saving it meanwhile
    wins, and the answer is refused); answers wait for each other on the home's
    lock, and a journal lets the next run settle an answer cut short.
    """
    home = store.path.parent
    with journal.exclusive(home):
        journal.settle_locked(store.conn, home)
        return _answer_locked(store, question_id, answer, now)


def _answer_locked(store: Store, question_id: int, answer: str, now: datetime) -> Answered:
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
    target = _target(path)
    remembered = store.files.hash(question.source)
    original = target.read_bytes() if target.is_file() else None
    if original is None or remembered is None or content_hash(read_notes(target)) != remembered.sha256:
        raise StudycardsError(f"{path} changed since it was added; run studycards add {path} first")
    rewritten, line = rewrite(original, question.line, answer)
    temporary = target.with_name(f".{target.name}.{os.getpid()}.answer")
    pending = journal.Pending(
        question.id, answer, str(target), journal.digest(original), journal.digest(rewritten), str(temporary)
    )
    home = store.path.parent
    journal.write(home, pending)
    try:
        _write_beside(temporary, rewritten, target)
        _swap(temporary, target, original)
        try:
            plan = _re_add(store, question, answer, remembered.deck_option, line, now)
        except BaseException:
            _swap(
                temporary, target, rewritten
            )  # the old bytes are at the temporary name: putting them back needs no space
            raise
    finally:
        temporary.unlink(missing_ok=True)
        journal.clear(home)
    return Answered(question=question, path=path, line=line, plan=plan)


def _re_add(store: Store, question: StoredQuestion, answer: str, deck: str, line: int, now: datetime) -> ImportPlan:
    """Add the answered file and mark the question answered, in one transaction."""
    with store.transaction():
        plan = plan_import(store, [question.source], deck=deck or None, force=True)
        apply_plan(store, plan, now)
        made = store.cards.from_sources([question.source])
        if not any(card.line == line and card.kind == CardKind.BASIC and not card.retired for card in made):
            raise StudycardsError(
                f"{question.source}:{line}: the answered question did not become a card; nothing changed"
            )
        store.questions.answered(question.id, answer)
    return plan


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

        A paragraph inside that list would be read as a question again; two blank
        lines below it, or the rest of the list would read as more of its answer.
        """
        lines, start, end, eol = self.lines, self.start, self.end, self.eol
        rows = content.split("\n")
        card = [f"Q: {rows[0].removeprefix(QUESTION_PREFIX)}", *rows[1:], f"A: {answer}"]
        before = [eol] if start > 0 and lines[start - 1].strip() else []
        following = next((i for i in range(end, len(lines)) if lines[i].strip()), None)
        after = [] if following is None else [eol] * max(0, 2 - (following - end))
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


def _target(path: Path) -> Path:
    """The file to replace: a symlink's target (the link stays); a file with other hard links is refused."""
    target = path.resolve() if path.is_symlink() else path
    try:
        links = target.stat().st_nlink
    except OSError:
        return target
    if links > 1:
        raise StudycardsError(
            f"{path} has {links} hard links, which answering would break (it writes a new file and swaps it in);"
            " answer by editing the file, or replace the hard links with symlinks"
        )
    return target


def _write_beside(temporary: Path, data: bytes, target: Path) -> None:
    """The new text, whole and synced, next to the file it will replace, with the file's permissions."""
    try:
        with open(temporary, "xb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(temporary, target.stat().st_mode & 0o7777)
    except OSError as exc:
        temporary.unlink(missing_ok=True)
        raise StudycardsError(_cannot_write(target, exc)) from None


def _swap(temporary: Path, target: Path, expected: bytes) -> None:
    """Swap ``temporary`` into ``target`` only if ``target`` still holds ``expected``: a compare-and-swap on the file.

    The swap is one atomic exchange, so what stood at ``target`` at that instant
    is at ``temporary`` afterwards and can be compared; if it was not what was
    read (an editor saved meanwhile), the exchange is undone.
    """
    try:
        _exchange(temporary, target)
        if temporary.read_bytes() != expected:
            _exchange(temporary, target)
            raise StudycardsError(
                f"{target} changed while the answer was being written (saved in an editor?); nothing changed:"
                f" run studycards add {target}, then answer again"
            )
    except OSError as exc:
        raise StudycardsError(_cannot_write(target, exc)) from None


def _exchange(a: Path, b: Path) -> None:
    """Swap two names at once (Linux ``renameat2(RENAME_EXCHANGE)``), else the closest a plain rename comes."""
    import ctypes

    libc = ctypes.CDLL(None, use_errno=True)
    renameat2 = getattr(libc, "renameat2", None)
    if renameat2 is not None:
        if renameat2(AT_FDCWD, os.fsencode(a), AT_FDCWD, os.fsencode(b), RENAME_EXCHANGE) == 0:
            return
        code = ctypes.get_errno()
        if code not in (errno.EINVAL, errno.ENOSYS, errno.EOPNOTSUPP):
            raise OSError(code, os.strerror(code), str(b))
    kept = a.with_name(a.name + ".old")
    os.link(b, kept)
    os.replace(a, b)
    os.replace(kept, a)


def _cannot_write(path: Path, exc: OSError) -> str:
    return no_space(path) if exc.errno == errno.ENOSPC else f"cannot write {path}: {exc.strerror}"

"""``studycards highlights``: a PDF's highlights into the paper's notes file, each one once.

The notes file is found (``--notes``, else the file whose cards or questions name the
paper, else a new one beside the PDF), the new highlights are inserted under their
sections, and the file is replaced whole while the store remembers what was written,
in one transaction: a failure leaves both as they were.
"""

from __future__ import annotations

import os
import tempfile
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from studycards.errors import StudycardsError
from studycards.highlights.colours import ColourRule, colour_name, read_rule, section_for
from studycards.highlights.reading import Highlight, read_pdf
from studycards.highlights.writing import Block, Entry, insert_entries, minimal_notes, with_paper
from studycards.home import CONFIG_NAME
from studycards.store import Store


@dataclass
class Found:
    """One highlight and where it goes; ``new`` is False when an earlier run already wrote it."""

    highlight: Highlight
    colour: str
    section: str
    new: bool
    comment_as: str | None = None


@dataclass
class HighlightsPlan:
    """What a run would do; ``text`` is the notes file's new content (None: nothing to write)."""

    pdf: Path
    paper: str | None
    notes: Path
    created: bool
    found: list[Found] = field(default_factory=list)
    text: str | None = None
    before: str | None = None

    @property
    def new(self) -> list[Found]:
        return [f for f in self.found if f.new]


def plan_highlights(
    store: Store, home: Path, pdf: Path, *, paper: str | None = None, notes: Path | None = None
) -> HighlightsPlan:
    """Read ``pdf`` and work out the notes file's new text; nothing is written."""
    rule: ColourRule = read_rule(home / CONFIG_NAME)
    if paper is not None:
        from studycards.paper import parse_id

        paper = parse_id(paper).id
    reading = read_pdf(pdf)
    if not reading.highlights:
        raise StudycardsError(f"no highlights in {pdf}")
    paper = paper or reading.arxiv_id
    path, before = _notes_file(store, pdf, paper, notes)
    plan = HighlightsPlan(pdf, paper, path, before is None, before=before)
    written = store.highlights.written(str(path)) if before is not None else set()  # a deleted file starts over
    for highlight in reading.highlights:
        section = "Notes" if highlight.text is None else section_for(highlight.colour, rule)
        plan.found.append(Found(highlight, colour_name(highlight.colour), section, highlight.key not in written))
    if not plan.new:
        return plan
    text = before if before is not None else _new_notes(store, paper, reading.title or pdf.stem)
    if paper and before is not None:
        text = with_paper(text, paper)
    from studycards.paper.guide import implementation_part  # a guide's sub-headings: quotes go in their part

    entries = [
        Entry(f.section, h.page, h.text, h.comment, implementation_part(h.text) if h.text else None)
        for f in plan.new
        for h in (f.highlight,)
    ]
    text, blocks = insert_entries(text, entries)
    for found, made in zip(plan.new, blocks):
        found.comment_as = made.comment_as
    _check_parses(text, path, before)
    plan.text = text
    return plan


def write_highlights(store: Store, plan: HighlightsPlan, now: datetime) -> None:
    """Replace the notes file whole and remember the highlights written, or neither."""
    if plan.text is None:
        return
    with store.transaction():
        store.highlights.remember(str(plan.notes), str(plan.pdf.resolve()), plan.paper, _keys(plan.new), now)
        _replace(plan.notes, plan.text, plan.before)


def _keys(found: list[Found]) -> list[str]:
    return [f.highlight.key for f in found]


def _notes_file(store: Store, pdf: Path, paper: str | None, notes: Path | None) -> tuple[Path, str | None]:
    """The notes file and its text (None: it is to be made)."""
    if notes is None and paper:
        known = [Path(p) for p in store.highlights.notes_of(paper)]
        notes = next((p for p in known if p.is_file()), None)
    if notes is None:
        notes = pdf.parent / f"{_slug(store, paper) or pdf.stem}.md"
    notes = notes.resolve() if notes.exists() else notes.absolute()
    if notes.is_dir():
        raise StudycardsError(f"{notes}: is a folder; give the notes file (--notes FILE.md)")
    if not notes.exists():
        return notes, None
    try:
        return notes, notes.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise StudycardsError(f"{notes}: is not UTF-8 text; it is left as it is") from None
    except OSError as exc:
        raise StudycardsError(f"{notes}: cannot read it: {exc.strerror or exc}") from None


def _slug(store: Store, paper: str | None) -> str | None:
    from studycards.paper.guide import slug

    stored = store.papers.get(paper) if paper else None
    return slug(stored) if stored else None


def _new_notes(store: Store, paper: str | None, title: str) -> str:
    """The reading guide ``fetch --notes`` writes when the paper was fetched, else a minimal file."""
    stored = store.papers.get(paper) if paper else None
    if stored is None:
        return minimal_notes(title, paper)
    from studycards.latex.document import read_document
    from studycards.paper.guide import guide_markdown

    folder = store.papers.source(stored.arxiv_id)
    document = None
    if folder and folder.is_dir():
        try:
            document = read_document(folder)
        except StudycardsError:
            document = None
    return guide_markdown(stored, document)


def _check_parses(text: str, path: Path, before: str | None) -> None:
    """The written file must read as notes at least as well as before: no new mistake is ever written."""
    from studycards.notes import parse_notes

    after = parse_notes(text, str(path)).errors
    if len(after) > (len(parse_notes(before, str(path)).errors) if before is not None else 0):
        raise StudycardsError(f"{after[0]}: the highlights would make this line a mistake; nothing was written")


def _replace(path: Path, text: str, before: str | None) -> None:
    """Write beside and rename over, after checking nobody saved the file since it was read."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        current = path.read_text(encoding="utf-8") if path.exists() else None
        if current != before:
            raise StudycardsError(f"{path}: changed while the highlights were read; run the command again")
        fd, temp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
        try:
            with os.fdopen(fd, "w", encoding="utf-8", newline="") as handle:
                handle.write(text)
                handle.flush()
                os.fsync(handle.fileno())
            if path.exists():
                os.chmod(temp, path.stat().st_mode & 0o7777)
            os.replace(temp, path)
        except BaseException:
            if os.path.exists(temp):
                os.unlink(temp)
            raise
    except OSError as exc:
        raise StudycardsError(f"{path}: cannot write it: {exc.strerror or exc}; nothing was written") from None


__all__ = ["Block", "Found", "HighlightsPlan", "plan_highlights", "write_highlights"]

"""What the user reads about cards: the reports of add, list, questions and export; pure (review: review_views).

The core hands back data (plans, statuses, summaries, reports); the wording lives here so it can change in
one place.  JSON documents for ``--json`` are built here too: they are what a script reads.
"""

from __future__ import annotations

import textwrap
from collections import Counter
from collections.abc import Iterable
from typing import TYPE_CHECKING

from studycards.models import Card
from studycards.text import plural

if TYPE_CHECKING:
    from studycards.anki.export import ExportReport
    from studycards.notes.importer import ImportPlan
    from studycards.store.questions import StoredQuestion


def short(text: str, width: int) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= width else flat[: width - 1] + "…"


def card_json(card: Card) -> dict:
    state = card.state
    return {
        "id": card.id,
        "deck": card.deck,
        "kind": card.kind,
        "ord": card.ord,
        "front": card.front,
        "back": card.back,
        "context": card.context,
        "tags": list(card.tags),
        "source": card.source,
        "line": card.line,
        "paper": card.paper,
        "paper_title": card.paper_title,
        "retired": card.retired,
        "ef": state.ef / 100,
        "repetitions": state.repetitions,
        "interval": state.interval,
        "due": state.due.isoformat() if state.due else None,
        "suspended": card.flags.suspended,
        "buried": card.flags.buried_until.isoformat() if card.flags.buried_until else None,
        "leech": card.flags.leech,
        "lapses": card.flags.lapses,
    }


def step_text(step: str, done: int, total: int, paths: Iterable[str]) -> str:
    """What ``add`` is busy with, for its progress line on a terminal."""
    if step == "read":
        return f"Reading notes: file {done + 1:,} of {total:,}" if total > 1 else f"Reading {', '.join(paths)}"
    if step == "draw":
        return f"Drawing equations: {done:,} of {total:,}"
    return f"Writing {plural(total, 'card')}"


def drawing_text(pending: int) -> str:
    """What ``add`` says when it leaves sympy's drawing to the background drawer (``draw_math``)."""
    return f"Drawing {plural(pending, 'equation')} in the background."


def plan_text(plan: ImportPlan, dry_run: bool) -> str:
    """The report of ``add``: counts first, then each retired card, since those lose their place in review."""
    lines = []
    if plan.skipped:
        lines += [f"skipped: {error}" for error in plan.skipped]
    verb = "Would add" if dry_run else "Added"
    if not plan.changes:
        if len(plan.empty_files) < len(plan.files):
            unchanged = plural(len(plan.files), "file")
            lines.append(f"No changes: {unchanged} checked, every card already up to date.")
        return "\n".join(lines + reading_notice(plan))
    parts = [f"{verb} {plural(len(plan.added), 'card')}"]
    if plan.updated:
        parts.append(f"{'would update' if dry_run else 'updated'} {len(plan.updated)} (history kept)")
    if plan.restored:
        parts.append(f"{'would restore' if dry_run else 'restored'} {len(plan.restored)} (history kept)")
    if plan.deck_moves:
        parts.append(f"{'would move' if dry_run else 'moved'} {len(plan.deck_moves)} to another deck (history kept)")
    if plan.retired:
        parts.append(f"{'would retire' if dry_run else 'retired'} {len(plan.retired)}")
    if plan.new_questions or plan.removed_questions or plan.moved_questions:
        moved = f", {len(plan.moved_questions)} moved to another deck" if plan.moved_questions else ""
        parts.append(f"questions: {plan.new_questions} new, {len(plan.removed_questions)} gone{moved}")
    lines.append(", ".join(parts) + f" ({plural(len(plan.files), 'file')}, {len(plan.unchanged_files)} unchanged).")
    if dry_run:
        changes = [("+", row) for row in plan.added] + [("~", row) for row in plan.updated]
        lines += (
            aligned(
                [
                    (
                        f"  {mark} {row.source}:{row.line}",
                        row.kind,
                        row.deck,
                        fitted(shown_front(row.kind, row.ord, row.front), FRONT_CELLS),
                    )
                    for mark, row in changes
                ]
            )
            if changes
            else []
        )
    if plan.retired:
        lines.append("Retired (kept with their history, no longer reviewed):")
        lines += aligned(
            [
                (f"  - {c.source}:{c.line}", fitted(shown_front(c.kind, c.ord, c.front), FRONT_CELLS))
                for c in plan.retired
            ]
        )
    return "\n".join(lines + reading_notice(plan))


def reading_notice(plan: ImportPlan) -> list[str]:
    """What else ``add`` found: cards moved between decks, files gone, files without cards, compact look-alikes."""
    lines = []
    moves = Counter((move.old_deck, move.row.deck) for move in plan.deck_moves)
    lines += [f"Moved from deck {old} to {new}: {plural(n, 'card')}." for (old, new), n in moves.items()]
    gone = Counter(card.source for card in plan.retired)
    lines += [f"Gone from its folder: {path} ({plural(gone[path], 'card')} retired)." for path in plan.gone_files]
    lines += [f"No cards found in {path}." for path in plan.empty_files]
    if plan.lookalikes:
        path, line = plan.lookalikes[0]
        lines.append(
            f"{plural(len(plan.lookalikes), 'line')} would be cards with compact separators (front::back, without"
            f' spaces), the first at {path}:{line}; to read them as cards, put separators = "compact" in'
            " config.toml (studycards config separators compact), or separators: compact in the file's front matter."
        )
    return lines


def warnings_text(plan: ImportPlan) -> str:
    """Doubts about the notes that did not stop the add, one ``FILE:LINE: warning: message`` each."""
    return "\n".join(f"{w.path}:{w.line}: warning: {w.message}" for w in plan.warnings)


def list_text(cards: Iterable[Card]) -> str:
    """One aligned row per card under a header; each cloze shows its own blank, so siblings differ."""
    rows = []
    for card in cards:
        due = card.state.due.isoformat() if card.state.due else "new"
        flag = " (retired)" if card.retired else " (suspended)" if card.flags.suspended else ""
        flag += " (leech)" if card.flags.leech else ""
        front = shown_front(card.kind, card.ord, card.front)
        rows.append(
            (str(card.id), due, f"{card.state.interval}d", f"{card.state.ef / 100:.2f}", card.kind, card.deck)
            + (fitted(front, FRONT_CELLS) + flag,)
        )
    if not rows:
        return "No cards match."
    return "\n".join(aligned([("id", "due", "interval", "EF", "kind", "deck", "front"), *rows], right={0, 2, 3}))


FRONT_CELLS = 60


def shown_front(kind: str, ord: int, front: str) -> str:
    """A card's front on one line as a list shows it: a cloze with its own deletion blanked, the others answered."""
    from studycards.notes.syntax import CardKind
    from studycards.review.sides import cloze_sides

    if kind == CardKind.CLOZE:
        front = cloze_sides(front, ord)[0]
    return " ".join(front.split())


def fitted(text: str, room: int) -> str:
    from studycards.review.layout import fit

    return fit(text, room)


def aligned(rows: list[tuple[str, ...]], right: set[int] | frozenset[int] = frozenset()) -> list[str]:
    """Rows as columns two spaces apart, widths counted in display cells (CJK takes two); the last is not padded."""
    from studycards.review.layout import cells

    widths = [max(cells(row[i]) for row in rows) for i in range(len(rows[0]) - 1)]
    lines = []
    for row in rows:
        padded = []
        for i, cell in enumerate(row[:-1]):
            gap = " " * (widths[i] - cells(cell))
            padded.append(gap + cell if i in right else cell + gap)
        lines.append("  ".join([*padded, row[-1]]).rstrip())
    return lines


def question_json(q: StoredQuestion) -> dict:
    return {
        "id": q.id,
        "deck": q.deck,
        "paper": q.paper,
        "paper_title": q.paper_title,
        "text": q.text,
        "context": q.context,
        "source": q.source,
        "line": q.line,
        "status": q.status,
        "answer": q.answer,
    }


def questions_text(questions: list[StoredQuestion], width: int = 80) -> str:
    """Open questions grouped by paper, each with where it was noted so it can be found again.

    A question is wrapped to ``width``, never cut: it is the reader's own words.
    """
    from studycards.anki.questions import group_key, group_title

    if not questions:
        return "No open questions."
    groups: dict[str, list[StoredQuestion]] = {}
    for q in questions:
        groups.setdefault(group_key(q), []).append(q)
    lines: list[str] = []
    for group in groups.values():
        first = group[0]
        paper = f"arXiv:{first.paper} · " if first.paper else ""
        lines.append(f"{group_title(first)} · {paper}deck {first.deck}")
        lines += [line for q in group for line in _question_lines(q, width)]
    return "\n".join(lines)


def _question_lines(q: StoredQuestion, width: int) -> list[str]:
    """One question, wrapped under its id, then where it was noted."""
    status = " [answered]" if q.status == "answered" else ""
    head = f"  #{q.id}  "
    body = textwrap.wrap(" ".join(q.text.split()) + status, max(20, width - len(head))) or [""]
    lines = [head + body[0]]
    lines += [" " * len(head) + more for more in body[1:]]
    lines.append(f"        {q.context} — {q.source}:{q.line}")
    return lines


def report_text(report: ExportReport) -> str:
    """What the user reads after an export: counts first, then the questions file."""
    changed = "none" if not report.changed else "all" if report.changed == report.notes else str(report.changed)
    return (
        f"Exported {plural(report.notes, 'note')} ({plural(report.cards, 'card')}) in "
        f"{plural(report.decks, 'deck')} to {report.path}; "
        + (
            f"{plural(report.questions, 'open question')} to {report.questions_path}\n"
            if report.questions
            else f"no open questions, so {report.questions_path} was not written\n"
        )
        + f"Notes new or changed since the last export: {changed} (Anki updates those, skips the rest)."
        + retired_notice(report.retired)
        + moved_notice(report.moved)
    )


def moved_notice(moved: tuple[tuple[str, str, int], ...]) -> str:
    """Anki's import never moves a card it has: after a deck rename the user moves them there (README: Anki)."""
    return "".join(
        f"\nMoved to deck {new} since the last export: {plural(count, 'note')}; Anki's import keeps their cards"
        f' in {old}: in its browser, search deck:"{old}" and use Change Deck (or rename {old} there before importing).'
        for old, new, count in moved
    )


def retired_notice(retired: int) -> str:
    """Retired notes go out tagged so Anki can mark them; the user deletes them there (README: Anki)."""
    if not retired:
        return ""
    return (
        f"\nRetired notes tagged studycards::retired: {retired} (in Anki's browser, search"
        " tag:studycards::retired to delete them)."
    )

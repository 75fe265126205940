"""What the user reads: plain-text tables and JSON documents built from store data; pure."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import TYPE_CHECKING

from studycards.models import Card

if TYPE_CHECKING:
    from studycards.notes.importer import ImportPlan
    from studycards.store.database import DeckStatus, StoredQuestion


def short(text: str, width: int) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= width else flat[: width - 1] + "…"


def plural(count: int, word: str) -> str:
    return f"{count} {word}{'' if count == 1 else 's'}"


def card_json(card: Card) -> dict:
    state = card.state
    return {
        "id": card.id,
        "deck": card.deck,
        "kind": card.kind,
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
    }


def plan_text(plan: ImportPlan, dry_run: bool) -> str:
    """The report of ``add``: counts first, then each retired card, since those lose their place in review."""
    lines = []
    if plan.skipped:
        lines += [f"skipped: {error}" for error in plan.skipped]
    verb = "Would add" if dry_run else "Added"
    if not plan.changes:
        unchanged = plural(len(plan.files), "file")
        lines.append(f"No changes: {unchanged} checked, every card already up to date.")
        return "\n".join(lines)
    parts = [f"{verb} {plural(len(plan.added), 'card')}"]
    if plan.updated:
        parts.append(f"{'would update' if dry_run else 'updated'} {len(plan.updated)} (history kept)")
    if plan.restored:
        parts.append(f"{'would restore' if dry_run else 'restored'} {len(plan.restored)} (history kept)")
    if plan.retired:
        parts.append(f"{'would retire' if dry_run else 'retired'} {len(plan.retired)}")
    if plan.new_questions or plan.removed_questions:
        parts.append(f"questions: {plan.new_questions} new, {len(plan.removed_questions)} gone")
    lines.append(", ".join(parts) + f" ({plural(len(plan.files), 'file')}, {len(plan.unchanged_files)} unchanged).")
    if dry_run:
        lines += [f"  + {row.source}:{row.line}  {row.kind:<8} {short(row.front, 60)}" for row in plan.added]
        lines += [f"  ~ {row.source}:{row.line}  {row.kind:<8} {short(row.front, 60)}" for row in plan.updated]
    if plan.retired:
        lines.append("Retired (kept with their history, no longer reviewed):")
        lines += [f"  - {card.source}:{card.line}  {short(card.front, 60)}" for card in plan.retired]
    return "\n".join(lines)


def status_text(day: date, statuses: list[DeckStatus], forecast: list[tuple[date, int]]) -> str:
    if not statuses:
        return "No cards yet. Add notes with: studycards add NOTES.md"
    width = max(len("deck"), *(len(s.deck) for s in statuses))
    head = f"{'deck':<{width}}  {'new':>5}  {'due':>5}  {'re-drill':>8}  {'learned':>7}  {'retired':>7}"
    rows = [
        f"{s.deck:<{width}}  {s.new:>5}  {s.due:>5}  {s.redrills:>8}  {s.learned:>7}  {s.retired:>7}" for s in statuses
    ]
    total = [sum(getattr(s, f) for s in statuses) for f in ("new", "due", "redrills", "learned", "retired")]
    rows.append(f"{'total':<{width}}  {total[0]:>5}  {total[1]:>5}  {total[2]:>8}  {total[3]:>7}  {total[4]:>7}")
    days = "  ".join(f"{d.strftime('%a %d')}: {n}" for d, n in forecast)
    return "\n".join([f"Study day {day.isoformat()}", head, *rows, f"Due next 7 days: {days}"])


def status_json(day: date, statuses: list[DeckStatus], forecast: list[tuple[date, int]]) -> dict:
    return {
        "day": day.isoformat(),
        "decks": [s._asdict() for s in statuses],
        "forecast": [{"day": d.isoformat(), "due": n} for d, n in forecast],
    }


def list_text(cards: Iterable[Card]) -> str:
    lines = []
    for card in cards:
        due = card.state.due.isoformat() if card.state.due else "new"
        flag = " (retired)" if card.retired else ""
        lines.append(
            f"{card.id:>6}  {due:<10}  {card.state.interval:>4}d  EF {card.state.ef / 100:.2f}  "
            f"{card.kind:<8}  {short(card.front, 50)}{flag}"
        )
    return "\n".join(lines) if lines else "No cards match."


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


def questions_text(questions: list[StoredQuestion]) -> str:
    """Open questions grouped by paper, each with where it was noted so it can be found again."""
    if not questions:
        return "No open questions."
    lines: list[str] = []
    current: object = object()
    for q in questions:
        group = q.paper or q.deck
        if group != current:
            current = group
            title = q.paper_title or q.deck
            lines.append(f"{title} (arXiv:{q.paper})" if q.paper else title)
        status = " [answered]" if q.status == "answered" else ""
        lines.append(f"  #{q.id}  {short(q.text, 70)}{status}")
        lines.append(f"        {q.context} — {q.source}:{q.line}")
    return "\n".join(lines)

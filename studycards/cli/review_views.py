"""What the user reads about the daily session: the status table, the idle message, the summary; pure.

Every line of the summary and of the idle message stays within 40 columns (an id or a count
of many digits aside), so a narrow terminal never wraps one mid-item.
"""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

from studycards.text import plural

if TYPE_CHECKING:
    from studycards.review.session import Idle, Summary
    from studycards.store.database import CollectionStatus

COLUMNS = ("new", "due", "re-drill", "young", "mature", "suspended", "retired")
FIELDS = ("new", "due", "redrills", "young", "mature", "suspended", "retired")


def status_text(day: date, status: CollectionStatus, deck: str | None = None, reviews_per_day: int = 200) -> str:
    """One row per deck; young and mature split the learned cards at a 21-day interval, due ones included."""
    if not status.decks:
        return "No cards yet. Add notes with: studycards add NOTES.md"
    width = max(len("deck"), *(len(s.deck) for s in status.decks))
    head = f"{'deck':<{width}}" + "".join(f"  {name:>{len(name)}}" for name in COLUMNS)

    def row(name: str, values: list[int]) -> str:
        return f"{name:<{width}}" + "".join(f"  {v:>{len(c)}}" for c, v in zip(COLUMNS, values))

    rows = [row(s.deck, [getattr(s, f) for f in FIELDS]) for s in status.decks]
    rows.append(row("total", [sum(getattr(s, f) for s in status.decks) for f in FIELDS]))
    days = "  ".join(
        f"{d.strftime('%a %d')}: {n}+{new}" if new else f"{d.strftime('%a %d')}: {n}" for d, n, new in status.forecast
    )
    lines = [f"Study day {day.isoformat()}", head, *rows, f"Next 7 days (reviews+new): {days}"]
    leeches = sum(s.leeches for s in status.decks)
    if leeches:
        lines.append(f"{plural(leeches, 'leech')} (failed again and again): studycards list --leeches")
    if status.new_waiting and status.new_per_day:
        lines += limit_lines(status.new_waiting, status.new_per_day)
    if status.drawing:
        lines.append(waiting_drawings_text(status.drawing))
    ready = ready_text(status, deck, reviews_per_day)
    return "\n".join([*lines, ready] if ready else lines)


def waiting_drawings_text(pending: int) -> str:
    """Display equations sympy has not drawn yet (a drawer works on them, or the next add or review starts one)."""
    verb = "waits" if pending == 1 else "wait"
    return f"{plural(pending, 'equation')} {verb} to be drawn (shown in line form until then)."


def ready_text(status: CollectionStatus, deck: str | None, reviews_per_day: int) -> str:
    """Today's work in one line, with the command that starts it; empty when there is none.

    The counts are the session's: due reviews up to the daily limit, today's pending re-drills,
    and the new cards today's limit still lets in (the ones beyond it are ``new_waiting``).
    """
    due = min(reviews_per_day, sum(s.due for s in status.decks))
    redrills = sum(s.redrills for s in status.decks)
    new = max(0, sum(s.new for s in status.decks) - status.new_waiting)
    total = due + redrills + new
    if not total:
        return ""
    parts = [f"{due} due" if due else "", plural(redrills, "re-drill") if redrills else "", f"{new} new" if new else ""]
    command = "studycards review" + (f" --deck {_quoted(deck)}" if deck else "")
    return f"Ready today: {plural(total, 'card')} ({', '.join(p for p in parts if p)}). Next: {command}"


def _quoted(word: str) -> str:
    import shlex

    return shlex.quote(word)


def limit_lines(waiting: int, limit: int) -> list[str]:
    """New cards held back by the daily limit, and how to study more today."""
    verb = "waits" if waiting == 1 else "wait"
    return [
        f"{plural(waiting, 'new card')} {verb} beyond today's {limit}.",
        f"More today: studycards review --new {limit + min(waiting, max(limit, 1))}",
    ]


def status_json(day: date, status: CollectionStatus) -> dict:
    return {
        "day": day.isoformat(),
        "decks": [s._asdict() for s in status.decks],
        "forecast": [{"day": d.isoformat(), "due": n, "new": new} for d, n, new in status.forecast],
        "new_waiting": status.new_waiting,
        "equations_waiting": status.drawing,
    }


def idle_text(day: date, idle: Idle) -> str:
    """What to say when the queue is empty from the start: when the next card is due, and what the limit holds back."""
    lines = ["Nothing due today."]
    if idle.new_beyond_limit and idle.new_limit:
        lines += limit_lines(idle.new_beyond_limit, idle.new_limit)
    if idle.next_due is not None:
        days = plural((idle.next_due - day).days, "day")
        lines.append(f"Next card due on {idle.next_due.isoformat()} (in {days}).")
    elif idle.new_waiting and not (idle.new_beyond_limit and idle.new_limit):
        lines += ["Today's new cards are done.", "More come tomorrow."]
    elif not idle.new_waiting:
        lines += ["No cards yet. Add notes with:", "studycards add NOTES.md"]
    return "\n".join(lines)


def summary_text(summary: Summary) -> str:
    """The end of a session: what was done, how it went, and what tomorrow holds; no line over 40 columns.

    Counts read as English (``1 re-drill``, ``2 re-drills``) and a count of zero is left out, not printed as 0.
    """
    minutes, seconds = divmod(summary.seconds, 60)
    spent = f"{minutes} min {seconds:02d} s" if minutes else f"{seconds} s"
    lines = ["Interrupted; every answer given is kept."] if summary.interrupted else []
    if summary.reviewed:
        new = f" ({summary.new} new)" if summary.new else ""
        lines.append(f"Reviewed {plural(summary.reviewed, 'card')}{new}.")
    if summary.redrills:
        lines.append(f"{plural(summary.redrills, 're-drill')}.")
    if summary.practice:
        lines.append(f"Practised {plural(summary.practice, 'card')}; schedules unchanged.")
    if not (summary.reviewed or summary.redrills or summary.practice):
        lines.append("Nothing graded.")
    lines.append(f"Time: {spent}.")
    if summary.reviewed:
        lines.append("Grades: " + " ".join(f"{g}:{n}" for g, n in enumerate(summary.grades) if n))
    if summary.pending_redrills:
        them = "it" if summary.pending_redrills == 1 else "them"
        lines += [f"{plural(summary.pending_redrills, 're-drill')} left today.", f"Run review again to finish {them}."]
    if summary.buried:
        lines.append(f"{plural(summary.buried, 'sibling')} buried till tomorrow.")
    if summary.suspended:
        lines.append(f"{plural(summary.suspended, 'card')} suspended.")
    for card_id in summary.leeches:
        done = "suspended" if summary.leech_action == "suspend" else "tagged"
        lines.append(f"Leech: card {card_id}, {done}.")
    if summary.due_tomorrow:
        lines.append(f"Due tomorrow: {plural(summary.due_tomorrow, 'card')}.")
    else:
        lines.append("Nothing due tomorrow.")
    if summary.new_waiting and summary.new_limit:
        lines += limit_lines(summary.new_waiting, summary.new_limit)
    return "\n".join(lines)

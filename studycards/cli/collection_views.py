"""What the user reads when looking at the collection: search hits, one card's history; pure."""

from __future__ import annotations

from typing import TYPE_CHECKING

from studycards.models import Card, CardState
from studycards.text import plural

if TYPE_CHECKING:
    from collections.abc import Mapping

    from studycards.store.history import LoggedGrade
    from studycards.store.search import SearchHit

BOLD, RESET = "\x1b[1m", "\x1b[0m"


def marked(snippet: str, bold: bool) -> str:
    """Matched words bold on a terminal, in [brackets] in a pipe, so they stand out either way."""
    from studycards.store.search import MARK_END, MARK_START

    start, end = (BOLD, RESET) if bold else ("[", "]")
    return snippet.replace(MARK_START, start).replace(MARK_END, end)


def search_text(query: str, hits: list[SearchHit], bold: bool = False) -> str:
    """One line per hit, best first: kind, id, where it belongs, the snippet with the matched words marked."""
    if not hits:
        return f"Nothing matches {query!r}."
    width = max(len(str(hit.id)) for hit in hits)
    lines = []
    for hit in hits:
        where = hit.deck or hit.paper or ""
        if hit.kind in ("equation", "question") and hit.paper and hit.deck:
            where = f"{hit.deck} · {hit.paper}"
        lines.append(f"{hit.kind:<8}  {hit.id!s:<{width}}  {where}  {marked(hit.snippet, bold)}")
    lines.append(plural(len(hits), "hit"))
    return "\n".join(lines)


def search_json(query: str, hits: list[SearchHit]) -> dict:
    return {
        "query": query,
        "results": [{**hit._asdict(), "snippet": marked(hit.snippet, False)} for hit in hits],
    }


def _ef(ef: int) -> str:
    return f"{ef / 100:.2f}"


def _days(interval: int) -> str:
    return plural(interval, "day")


def state_line(card: Card) -> str:
    """EF, repetitions, interval, due day, lapses and whatever sets the card aside, on one line."""
    state, flags = card.state, card.flags
    parts = [
        f"EF {_ef(state.ef)}",
        plural(state.repetitions, "repetition"),
        f"interval {_days(state.interval)}",
        f"due {state.due.isoformat()}" if state.due else "new",
        plural(flags.lapses, "lapse"),
    ]
    if flags.suspended:
        parts.append("suspended")
    if flags.buried_until:
        parts.append(f"buried until {flags.buried_until.isoformat()}")
    if flags.leech:
        parts.append("leech")
    if card.retired:
        parts.append("retired")
    return " · ".join(parts)


def grade_line(grade: LoggedGrade) -> str:
    """One logged grade: when, which, first of the day or re-drill, interval and EF before → after, time taken."""
    at = grade.at[:16].replace("T", " ")
    which = "re-drill" if grade.redrill else "first"
    before, after = grade.before, grade.after
    return (
        f"{at}  grade {grade.grade}  {which:<8}  interval {before.interval} → {after.interval}"
        f"  EF {_ef(before.ef)} → {_ef(after.ef)}  {grade.seconds:.1f} s"
    )


def show_text(card: Card, history: list[LoggedGrade], siblings: list[int], drawings: Mapping[str, str]) -> str:
    from studycards.review.sides import card_context, card_sides

    front, back = card_sides(card, drawings=drawings)
    lines = [
        f"Card {card.id} · {card.kind} · {card.deck}",
        card_context(card),
        f"Notes: {card.source}:{card.line}",
        "",
        "Front:",
        *("  " + line for line in front.splitlines()),
        "Back:",
        *("  " + line for line in back.splitlines()),
        "",
        f"State: {state_line(card)}",
    ]
    if siblings:
        lines.append("Siblings: " + ", ".join(str(i) for i in siblings))
    if history:
        lines += ["", f"{plural(len(history), 'grade')}:", *("  " + grade_line(g) for g in history)]
    else:
        lines += ["", "Never graded."]
    return "\n".join(lines)


def _state_json(state: CardState) -> dict:
    due = state.due.isoformat() if state.due else None
    return {"ef": state.ef / 100, "repetitions": state.repetitions, "interval": state.interval, "due": due}


def show_json(card: Card, history: list[LoggedGrade], siblings: list[int]) -> dict:
    from studycards.cli.card_views import card_json

    return {
        "card": {**card_json(card), "siblings": siblings},
        "reviews": [
            {
                "at": g.at,
                "grade": g.grade,
                "redrill": g.redrill,
                "before": _state_json(g.before),
                "after": _state_json(g.after),
                "seconds": g.seconds,
            }
            for g in history
        ],
    }

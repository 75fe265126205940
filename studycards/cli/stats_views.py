"""``stats`` drawn for a terminal: the heatmap of a year's reviews, the forecast bars, the figures; pure.

Plain code rather than rich or plotext: a grid of cells and a column of bars are a few lines each,
the output is exactly testable, and nothing heavy joins the start-up path.  Colour (ANSI 256) only
when asked for; the plain form uses shade characters that read in a pipe or a log.
"""

from __future__ import annotations

from datetime import date, timedelta

from studycards.store.stats import Stats, period_totals, streaks
from studycards.text import plural

PLAIN_SHADES = "·░▒▓█"
COLOUR_SHADES = (237, 22, 28, 34, 40)  # grey for none, then greens, darker to brighter
RESET = "\x1b[0m"
WEEKDAYS = ("Mon", "", "Wed", "", "Fri", "", "Sun")
LABEL = 4


def shade(count: int, most: int) -> int:
    """0 for no review, else 1-4 by quarters of the busiest day."""
    if count <= 0 or most <= 0:
        return 0
    return min(4, -(-4 * count // most))


def _cell(level: int, colour: bool) -> str:
    if colour:
        return f"\x1b[38;5;{COLOUR_SHADES[level]}m■{RESET}"
    return PLAIN_SHADES[level]


def heatmap_weeks(day: date, days: int, width: int) -> list[date]:
    """The Mondays of the columns: the last ``days`` days, fewer weeks when the terminal is narrow."""
    weeks = min(-(-days // 7) + 1, max(1, width - LABEL))
    monday = day - timedelta(days=day.weekday())
    return [monday - timedelta(weeks=weeks - 1 - i) for i in range(weeks)]


def heatmap_lines(per_day: dict[date, int], day: date, days: int, width: int, colour: bool) -> list[str]:
    """Rows Monday to Sunday, a column per week, month names above the week each month starts in."""
    mondays = heatmap_weeks(day, days, width)
    first = day - timedelta(days=days - 1)
    most = max((n for when, n in per_day.items() if first <= when <= day), default=0)
    months = [" "] * len(mondays)
    for i, monday in enumerate(mondays):
        start = next((monday + timedelta(d) for d in range(7) if (monday + timedelta(d)).day == 1), None)
        if (start or (monday if i == 0 else None)) and all(c == " " for c in months[i : i + 3]):
            name = (start or monday).strftime("%b")
            if i + len(name) <= len(months):
                months[i : i + len(name)] = name
    lines = [" " * LABEL + "".join(months).rstrip()]
    for weekday in range(7):
        cells = []
        for monday in mondays:
            when = monday + timedelta(days=weekday)
            cells.append(" " if when > day or when < first else _cell(shade(per_day.get(when, 0), most), colour))
        lines.append(f"{WEEKDAYS[weekday]:<{LABEL}}" + "".join(cells).rstrip())
    legend = "".join(_cell(level, colour) for level in range(5))
    lines.append(" " * LABEL + f"less {legend} more")
    lines.append(" " * LABEL + f"busiest day: {plural(most, 'review')}")
    return lines


def forecast_lines(stats: Stats, width: int, colour: bool) -> list[str]:
    """One bar a day: reviews falling due, then the new cards the daily limit brings."""
    most = max((f.due + f.new for f in stats.forecast), default=0)
    room = max(5, width - 30)
    due_mark, new_mark = ("\x1b[38;5;33m█" + RESET, "\x1b[38;5;214m█" + RESET) if colour else ("█", "░")
    lines = []
    for f in stats.forecast:
        total = f.due + f.new
        length = -(-total * room // most) if most and total else 0
        due_part = -(-f.due * length // total) if total else 0
        bar = due_mark * due_part + new_mark * (length - due_part)
        figure = f"{f.due}" + (f" + {f.new} new" if f.new else "")
        lines.append(f"{f.day.strftime('%a %m-%d')}  {bar} {figure}".rstrip())
    return lines


def _percent(passed: int, total: int) -> str:
    return f"{100 * passed / total:.1f}% of {total}" if total else "–"


def stats_text(stats: Stats, days: int, width: int, colour: bool) -> str:
    reviews, seconds = period_totals(stats.per_day, stats.day)
    counts = {day: n for day, (n, _) in stats.per_day.items()}
    current, longest = streaks({d for d, n in counts.items() if n}, stats.day)
    r = stats.retention
    average = seconds["all"] / reviews["all"] if reviews["all"] else 0.0
    lines = [f"Reviews, last {plural(days, 'day')}", *heatmap_lines(counts, stats.day, days, width, colour), ""]
    lines += [
        "Due in the next 30 days" + (" (░ new cards)" if not colour else ""),
        *forecast_lines(stats, width, colour),
    ]
    periods = ("today", "7 days", "30 days", "all")
    lines += [
        "",
        f"{'':<8}" + "".join(f"{k:>8}" for k in periods),
        f"{'reviews':<8}" + "".join(f"{reviews[k]:>8}" for k in periods),
        f"{'minutes':<8}" + "".join(f"{seconds[k] / 60:>8.1f}" for k in periods),
        f"Streak: {plural(current, 'day')} now, longest {plural(longest, 'day')}",
        "Retention (day's first grade ≥ 3):",
        f"  young  {_percent(r.young_passed, r.young_total)}",
        f"  mature {_percent(r.mature_passed, r.mature_total)}",
        f"Average answer: {average:.1f} s",
        "",
    ]
    lines += deck_lines(stats, width)
    return "\n".join(lines)


def deck_lines(stats: Stats, width: int) -> list[str]:
    """The cards of each deck by where they stand; on a narrow terminal each deck's name gets its own line."""
    name = min(24, width - 37)
    narrow = name < 12
    head = "" if narrow else f"{'DECK':<{name}}"
    lines = [head + f"{'NEW':>5}{'YOUNG':>6}{'MATURE':>7}{'SUSP':>5}{'LEECH':>6}{'RETIRED':>8}"]
    for d in stats.decks:
        counts = f"{d.new:>5}{d.young:>6}{d.mature:>7}{d.suspended:>5}{d.leech:>6}{d.retired:>8}"
        if narrow:
            lines += [d.deck, counts]
        else:
            lines.append(f"{d.deck if len(d.deck) <= name else d.deck[: name - 2] + '… ':<{name}}{counts}")
    return lines


def stats_json(stats: Stats, days: int) -> dict:
    reviews, seconds = period_totals(stats.per_day, stats.day)
    counts = {day: n for day, (n, _) in stats.per_day.items()}
    current, longest = streaks({d for d, n in counts.items() if n}, stats.day)
    r = stats.retention
    first = stats.day - timedelta(days=days - 1)
    totals = {field: sum(getattr(d, field) for d in stats.decks) for field in ("new", "young", "mature")}
    totals.update({f: sum(getattr(d, f) for d in stats.decks) for f in ("suspended", "leech", "retired")})
    return {
        "day": stats.day.isoformat(),
        "heatmap": [
            {"day": (first + timedelta(days=i)).isoformat(), "reviews": counts.get(first + timedelta(days=i), 0)}
            for i in range(days)
        ],
        "forecast": [{"day": f.day.isoformat(), "due": f.due, "new": f.new} for f in stats.forecast],
        "streak": {"current": current, "longest": longest},
        "retention": {
            "young": round(r.young_passed / r.young_total, 4) if r.young_total else None,
            "mature": round(r.mature_passed / r.mature_total, 4) if r.mature_total else None,
        },
        "reviews": reviews,
        "seconds": {**seconds, "average": round(seconds["all"] / reviews["all"], 2) if reviews["all"] else None},
        "cards": totals,
        "decks": [d._asdict() for d in stats.decks],
    }

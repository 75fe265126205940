"""stats: the figures, the heatmap and the forecast agree with the review log, read here independently."""

from __future__ import annotations

import json
import sqlite3
from collections import Counter
from contextlib import closing
from datetime import date, datetime, timedelta
from itertools import pairwise
from pathlib import Path

import pytest

from studycards.store.database import open_store

DAY = date(2026, 11, 23)  # the study day of the fixed clock
NOW = datetime(2026, 11, 23, 9, 0)
FIRST = "redrill = 0 AND repetitions_before > 0 AND interval_before"
LOG_BY_DAY = (  # the per-day sums stats reads, computed here from the log itself
    f"SELECT day, COUNT(*), SUM(answer_ms), SUM({FIRST} < 21 AND grade >= 3), SUM({FIRST} < 21),"
    f" SUM({FIRST} >= 21 AND grade >= 3), SUM({FIRST} >= 21) FROM reviews GROUP BY day ORDER BY day"
)
SUMS = "SELECT * FROM review_days ORDER BY day"  # the sums as folded: every grade up to the mark
MARK = "SELECT IFNULL((SELECT upto FROM review_days_upto), 0)"


def read_sums(home: Path) -> list[tuple]:
    """The per-day sums as ``stats`` reads them: those folded, and the grades logged since the last fold."""
    from studycards.store.review_days import day_sums

    with closing(sqlite3.connect(home / "studycards.db")) as conn:
        return day_sums(conn, "9999-12-31")


def stats(cli, *args):
    result = cli("stats", "--json", *args)
    assert result.exit_code == 0, result.output
    return json.loads(result.output)


def test_the_figures_are_the_review_logs(a_year, rows):
    log = rows("SELECT day, answer_ms, grade, redrill, repetitions_before, interval_before FROM reviews")
    per_day = Counter(date.fromisoformat(d) for d, *_ in log)
    document = stats(a_year)

    def within(days):
        return [r for r in log if DAY - timedelta(days=days - 1) <= date.fromisoformat(r[0]) <= DAY]

    assert document["reviews"] == {
        "today": 0,
        "7 days": len(within(7)),
        "30 days": len(within(30)),
        "all": len(log),
    }
    assert document["seconds"]["30 days"] == round(sum(r[1] for r in within(30)) / 1000, 1)
    assert document["seconds"]["all"] == round(sum(r[1] for r in log) / 1000, 1)
    assert document["seconds"]["average"] == round(sum(r[1] for r in log) / 1000 / len(log), 2)
    first = [r for r in within(365) if r[3] == 0 and r[4] > 0]
    young = [r for r in first if r[5] < 21]
    mature = [r for r in first if r[5] >= 21]
    assert document["retention"] == {
        "young": round(sum(r[2] >= 3 for r in young) / len(young), 4),
        "mature": round(sum(r[2] >= 3 for r in mature) / len(mature), 4),
    }
    studied = sorted(per_day)
    runs, run = [], 1
    for before, after in pairwise(studied):
        run = run + 1 if after - before == timedelta(days=1) else 1
        runs.append(run)
    current = 0
    while DAY - timedelta(days=current + 1) in per_day:  # today has no session yet: the streak ends yesterday
        current += 1
    assert document["streak"] == {"current": current, "longest": max(runs)}
    assert document["streak"]["longest"] > 2 and len(document["heatmap"]) == 365
    assert document["heatmap"] == [
        {"day": (DAY - timedelta(days=364 - i)).isoformat(), "reviews": per_day.get(DAY - timedelta(days=364 - i), 0)}
        for i in range(365)
    ]


def test_the_per_day_sums_follow_every_grade_and_undo(a_year, rows, home):
    assert read_sums(home) == rows(LOG_BY_DAY) and len(read_sums(home)) > 200  # a year of study days
    stats(a_year)  # stats sums the grades given since into their days before it reads them
    assert rows(SUMS) == rows(LOG_BY_DAY) and rows(MARK) == rows("SELECT MAX(id) FROM reviews")
    later = "2026-12-20T09:00"  # a month on, several cards are due
    session = a_year("review", input="\n5\n\n2\n\n4\nu\n\n3\nq\n", now=later)  # four grades, one undone
    assert session.exit_code == 0, session.output
    assert rows("SELECT COUNT(*) FROM reviews WHERE day = '2026-12-20'") == [(3,)]
    assert read_sums(home) == rows(LOG_BY_DAY) and rows(SUMS) != rows(LOG_BY_DAY)  # not summed as they are given
    assert json.loads(a_year("stats", "--json", now=later).output)["reviews"]["today"] == 3
    assert rows(SUMS) == rows(LOG_BY_DAY)


def test_stats_while_another_studycards_writes_reads_the_grades_not_summed_from_the_log(
    a_year, rows, home, monkeypatch
):
    from studycards.store import database

    monkeypatch.setattr(database, "BUSY_TIMEOUT_MS", 200)
    conn = sqlite3.connect(home / "studycards.db", isolation_level=None)
    conn.execute("BEGIN IMMEDIATE")  # a writer holding the collection: stats cannot sum the grades now
    try:
        while_held = stats(a_year)
    finally:
        conn.execute("ROLLBACK")
        conn.close()
    assert rows(MARK) == [(0,)] and rows(SUMS) == []  # nothing summed, nothing written
    assert stats(a_year) == while_held and rows(SUMS) == rows(LOG_BY_DAY)  # summed now: the same figures


@pytest.mark.parametrize("folded", [False, True], ids=["grades not summed yet", "grades summed"])
def test_a_grade_changed_or_removed_in_the_log_moves_the_sums(a_year, rows, home, folded):
    if folded:
        stats(a_year)
    with closing(sqlite3.connect(home / "studycards.db")) as conn, conn:
        conn.execute("UPDATE reviews SET day = '2026-11-20', grade = 0 WHERE id IN (SELECT id FROM reviews LIMIT 40)")
        conn.execute("DELETE FROM reviews WHERE id % 7 = 0 OR day = (SELECT MIN(day) FROM reviews)")
    assert read_sums(home) == rows(LOG_BY_DAY)
    assert (rows(SUMS) == rows(LOG_BY_DAY)) is folded
    assert stats(a_year)["reviews"]["all"] == rows("SELECT COUNT(*) FROM reviews")[0][0]


def test_a_grade_given_after_the_last_summed_one_was_undone_is_read_from_the_log_once(a_year, rows, home):
    """The new grade takes the undone one's id (SQLite's rowid): the mark moved below it, so it is not missed."""
    stats(a_year)
    with open_store(home) as store:
        last = store.reviews.log()[-1]
        store.reviews.undo(last.id)
        assert rows(MARK) == [(last.id - 1,)]
        again = store.reviews.record(last.card_id, 3, last.day, NOW, 777, last.before, last.after, redrill=False)
    assert again == last.id and read_sums(home) == rows(LOG_BY_DAY)
    stats(a_year)
    assert rows(SUMS) == rows(LOG_BY_DAY)


def test_card_counts_and_the_forecast_are_the_cards(a_year, rows):
    document = stats(a_year)
    cards = rows("SELECT retired, suspended, leech, due, interval FROM cards")
    live = [c for c in cards if not c[0] and not c[1]]
    assert document["cards"] == {
        "new": sum(c[3] is None for c in live),
        "young": sum(c[3] is not None and c[4] < 21 for c in live),
        "mature": sum(c[3] is not None and c[4] >= 21 for c in live),
        "suspended": sum(c[1] and not c[0] for c in cards),
        "leech": sum(c[2] and not c[0] for c in cards),
        "retired": sum(bool(c[0]) for c in cards),
    }
    due = Counter(c[3] for c in live if c[3])
    assert document["forecast"] == [
        {
            "day": (DAY + timedelta(days=i)).isoformat(),
            "due": due.get((DAY + timedelta(days=i)).isoformat(), 0),
            "new": 0,
        }
        for i in range(1, 31)
    ]
    assert sum(f["due"] for f in document["forecast"]) > 0
    status = json.loads(a_year("status", "--json").output)
    assert [f["day"] for f in document["forecast"][:7]] == [f["day"] for f in status["forecast"]]


def test_new_cards_the_limit_brings_are_in_the_forecast(home, cli, tmp_path):
    notes = tmp_path / "n.md"
    notes.write_text("# N\n\n" + "".join(f"Fact {i}? :: answer {i}\n" for i in range(45)), encoding="utf-8")
    cli("add", notes)
    document = stats(cli)
    assert [f["new"] for f in document["forecast"][:3]] == [20, 5, 0]  # today's 20 are still to come
    assert document["cards"]["new"] == 45 and document["reviews"]["all"] == 0


def test_a_deck_or_a_paper_narrows_every_figure(a_year, tmp_path, cli, rows):
    other = tmp_path / "other.md"
    other.write_text("# Other\n\nUnrelated? :: yes\n", encoding="utf-8")
    cli("add", other)
    assert [d["deck"] for d in stats(cli)["decks"]] == ["Other", "Papers::Inception"]
    narrowed = stats(cli, "--deck", "Papers::Inception")
    assert [d["deck"] for d in narrowed["decks"]] == ["Papers::Inception"]
    assert narrowed["reviews"]["all"] == rows("SELECT COUNT(*) FROM reviews")[0][0]
    by_paper = stats(cli, "--paper", "arXiv:1512.00567v3")
    assert by_paper["decks"] == narrowed["decks"]
    assert stats(cli, "--paper", "1706.03762")["reviews"]["all"] == 0
    result = cli("stats", "--deck", "Nope")
    assert result.exit_code == 1 and result.output.startswith("Error: ")


def cells(text: str) -> dict[date, str]:
    """The heatmap's cells by day: rows Monday to Sunday, the last column the week of DAY."""
    lines = text.splitlines()
    grid = lines[2:9]
    width = max(len(line) for line in grid) - 4
    monday = DAY - timedelta(days=DAY.weekday())
    found = {}
    for weekday, line in enumerate(grid):
        for column, char in enumerate(line[4:].ljust(width)):
            when = monday - timedelta(weeks=width - 1 - column) + timedelta(days=weekday)
            found[when] = char
    return found


@pytest.mark.parametrize("columns", [100, 40])
def test_the_heatmap_cells_match_the_reviews_of_each_day(a_year, rows, columns):
    text = a_year("stats", env={"COLUMNS": str(columns)}).output
    assert "\x1b" not in text  # a pipe gets no colour
    per_day = Counter(date.fromisoformat(d) for (d,) in rows("SELECT day FROM reviews"))
    first = DAY - timedelta(days=364)
    most = max(n for day, n in per_day.items() if day >= first)
    shown = cells(text)
    assert len({(d - timedelta(days=d.weekday())) for d in shown}) == (54 if columns == 100 else 36)
    assert max(len(line) for line in text.splitlines()) <= columns
    for day, char in shown.items():
        if day > DAY or day < first:
            assert char == " "
        else:
            count = per_day.get(day, 0)
            level = 0 if count == 0 else next(q for q in range(1, 5) if count * 4 <= most * q)
            assert char == "·░▒▓█"[level], (day, count, most)
    assert text.splitlines()[1].split()[-1] == "Nov"  # the month labels end with this month


def test_the_text_shows_the_figures(a_year):
    document = stats(a_year)
    text = a_year("stats").output
    assert f"reviews        0{document['reviews']['7 days']:>8}" in text
    assert f"longest {document['streak']['longest']} days" in text
    assert f"  young  {100 * document['retention']['young']:.1f}% of " in text
    assert "Papers::Inception" in text.splitlines()[-1]


def test_papers_counts_each_papers_cards_questions_and_last_review(a_year, rows):
    document = json.loads(a_year("papers", "--json").output)
    (paper,) = document["papers"]
    live = rows("SELECT due, suspended FROM cards WHERE paper = '1512.00567' AND retired = 0")
    assert (paper["cards"], paper["learned"], paper["new"]) == (
        len(live),
        sum(due is not None for due, _ in live),
        sum(due is None and not suspended for due, suspended in live),
    )
    assert paper["due"] == sum(due is not None and due <= DAY.isoformat() and not s for due, s in live) > 0
    assert paper["questions"] == 2 and paper["last_reviewed"] == rows("SELECT MAX(day) FROM reviews")[0][0]
    line = a_year("papers").output.splitlines()[1].split(None, 9)
    assert line[3:9] == [str(paper[k]) for k in ("cards", "learned", "due", "new", "questions", "last_reviewed")]


def test_the_grades_not_summed_yet_are_read_from_the_end_of_the_log_not_the_whole_of_it(a_year, home):
    """Summing or reading the grades after the mark reads them by id: the log's whole index, in day order, was
    read for a million grades at every ``stats``, however few were new."""
    from studycards.store.review_days import day_sums, fold

    statements: list[str] = []
    with closing(sqlite3.connect(home / "studycards.db", isolation_level=None)) as conn:
        conn.set_trace_callback(statements.append)
        day_sums(conn, DAY.isoformat())
        fold(conn)
        conn.set_trace_callback(None)
        later = [sql for sql in statements if "review_days_upto" in sql and "GROUP BY" in sql]
        plans = [" | ".join(row[-1] for row in conn.execute("EXPLAIN QUERY PLAN " + sql)) for sql in later]
    assert len(plans) == 2
    for plan in plans:
        assert "SEARCH r USING INTEGER PRIMARY KEY (rowid>?)" in plan and "reviews_day" not in plan, plan

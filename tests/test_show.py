"""show: one card with its place, state and siblings, and every grade it was given, newest last."""

from __future__ import annotations

import json


def busiest(rows) -> int:
    """The card with a re-drill among the most grades: the one a user would ask about."""
    return rows(
        "SELECT card_id FROM reviews GROUP BY card_id HAVING SUM(redrill) > 0 ORDER BY COUNT(*) DESC, card_id LIMIT 1"
    )[0][0]


def test_every_grade_is_printed_with_its_exact_states(a_year, rows):
    card_id = busiest(rows)
    log = rows(
        "SELECT reviewed_at, grade, redrill, interval_before, interval_after, ef_before, ef_after, answer_ms"
        " FROM reviews WHERE card_id = ? ORDER BY id",
        card_id,
    )
    result = a_year("show", str(card_id))
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    start = lines.index(f"{len(log)} grades:")
    expected = [
        f"  {at[:10]} {at[11:16]}  grade {grade}  {'re-drill' if redrill else 'first   '}"
        f"  interval {i0} → {i1}  EF {e0 / 100:.2f} → {e1 / 100:.2f}  {ms / 1000:.1f} s"
        for at, grade, redrill, i0, i1, e0, e1, ms in log
    ]
    assert lines[start + 1 :] == expected
    assert any("re-drill" in line for line in expected) and len(expected) > 10


def test_the_card_its_place_state_and_siblings(a_year, rows):
    cloze = rows("SELECT id, line, ef, repetitions, interval, due FROM cards WHERE kind = 'cloze' ORDER BY id")
    (first, line, ef, n, interval, due), (second, *_) = cloze
    text = a_year("show", str(first)).output.splitlines()
    assert text[0] == f"Card {first} · cloze · Papers::Inception"
    assert text[1] == "Rethinking the Inception Architecture for Computer Vision › Rethinking Inception › Understanding"
    assert text[2].startswith("Notes: ") and text[2].endswith(f"inception.md:{line}")
    assert text[4:8] == [  # drawn as in review: the deletion hidden on the front, shown on the back
        "Front:",
        "  The base network has […] layers and 2.5 times the cost of GoogLeNet.",
        "Back:",
        "  The base network has [42] layers and 2.5 times the cost of GoogLeNet.",
    ]
    state = f"State: EF {ef / 100:.2f} · {n} repetition{'s' * (n != 1)} · interval {interval} day"
    assert next(t for t in text if t.startswith("State: ")).startswith(state)
    assert f"due {due}" in next(t for t in text if t.startswith("State: "))
    assert f"Siblings: {second}" in text


def test_json_has_the_card_as_list_has_it_and_every_review(a_year, rows):
    card_id = busiest(rows)
    document = json.loads(a_year("show", str(card_id), "--json").output)
    listed = next(c for c in json.loads(a_year("list", "--json").output)["cards"] if c["id"] == card_id)
    assert {k: v for k, v in document["card"].items() if k != "siblings"} == listed
    log = rows(
        "SELECT reviewed_at, grade, redrill, ef_before, repetitions_before, interval_before, due_before,"
        " ef_after, repetitions_after, interval_after, due_after, answer_ms FROM reviews WHERE card_id = ? ORDER BY id",
        card_id,
    )
    assert document["reviews"] == [
        {
            "at": r[0],
            "grade": r[1],
            "redrill": bool(r[2]),
            "before": {"ef": r[3] / 100, "repetitions": r[4], "interval": r[5], "due": r[6]},
            "after": {"ef": r[7] / 100, "repetitions": r[8], "interval": r[9], "due": r[10]},
            "seconds": r[11] / 1000,
        }
        for r in log
    ]


def test_a_new_card_was_never_graded_and_a_missing_one_is_one_line(home, cli, tmp_path):
    notes = tmp_path / "n.md"
    notes.write_text("# N\n\nWhat is warmup? :: A ramp\n", encoding="utf-8")
    cli("add", notes)
    text = cli("show", "1").output
    assert "State: EF 2.50 · 0 repetitions · interval 0 days · new · 0 lapses" in text and "Never graded." in text
    missing = cli("show", "99")
    assert missing.exit_code == 1 and missing.output == "Error: no card 99 (studycards list shows every card's id)\n"
    assert cli("show", "x").exit_code == 2

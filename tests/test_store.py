"""The store's contract, through its public parts on a real database: what goes in comes back out, by key."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from studycards.errors import GradedElsewhere, StudycardsError
from studycards.models import CardFlags, CardState, Equation, Paper, Question
from studycards.store import Store, open_store
from studycards.store.cards import CardContent, CardPlace
from studycards.store.counts import DueOn
from studycards.store.exports import ExportDeck, ExportedNote
from studycards.store.files import FileHash
from studycards.store.reviews import Review
from studycards.store.sql import tags_of

DAY = date(2026, 11, 23)
NOW = datetime(2026, 11, 23, 9, 0)


def content(n: int, deck: str = "Papers::Adam", **changes: Any) -> CardContent:
    card = CardContent(
        key=f"k1:basic:{deck}:front {n}#0",
        note_key=f"k1:basic:{deck}:front {n}",
        deck=deck,
        kind="basic",
        ord=0,
        front=f"front {n}",
        back=f"back {n}",
        context=f"{deck} › Section",
        tags=("adam", "optim"),
        source="/notes/adam.md",
        line=10 + n,
        paper=None,
    )
    return card._replace(**changes)


@pytest.fixture
def store(tmp_path: Path):
    with open_store(tmp_path / "home") as opened:
        yield opened


def add(store: Store, *cards: CardContent) -> dict[str, int]:
    with store.transaction():
        store.cards.insert(cards, NOW)
    found = store.cards.by_keys(c.key for c in cards)
    return {c.front: found[c.key].id for c in cards}


def grade(store: Store, card_id: int, grade: int, after: CardState, day: date = DAY, redrill: bool = False) -> int:
    card = store.cards.get(card_id)
    assert card is not None
    return store.reviews.record(card_id, grade, day, NOW, 1500, card.state, after, redrill=redrill)


# -- cards ---------------------------------------------------------------------------------------


def test_a_card_comes_back_by_key_and_by_id_as_it_went_in(store):
    ids = add(store, content(1), content(2, deck="Papers::Adam::Proofs"))
    [one] = store.cards.by_keys([content(1).key]).values()
    assert one == store.cards.get(ids["front 1"])
    assert {name: getattr(one, name) for name in CardContent._fields} == content(1)._asdict()
    assert (one.paper, one.paper_title, one.retired, one.state) == (None, None, False, CardState())
    assert store.cards.by_keys(["k1:basic:Papers::Adam:nothing#0"]) == {}
    assert store.cards.get(max(ids.values()) + 1) is None


def test_many_keys_are_looked_up_at_once(store):
    cards = [content(n) for n in range(1200)]
    add(store, *cards)
    assert sorted(store.cards.by_keys(c.key for c in cards)) == sorted(c.key for c in cards)


def test_select_filters_by_deck_with_its_subdecks_and_leaves_out_retired_cards_when_asked(store):
    ids = add(store, content(1), content(2, deck="Papers::Adam::Proofs"), content(3, deck="Papers::Adamant"))
    with store.transaction():
        store.cards.retire([ids["front 1"]], NOW)
    assert [c.front for c in store.cards.select()] == ["front 1", "front 2", "front 3"]
    assert [c.front for c in store.cards.select(deck="Papers::Adam")] == ["front 1", "front 2"]
    assert [c.front for c in store.cards.select(deck="Papers::Adam", include_retired=False)] == ["front 2"]
    assert store.cards.get(ids["front 1"]).retired


def test_an_update_rewrites_content_keeps_the_schedule_and_brings_a_retired_card_back(store):
    ids = add(store, content(1))
    learned = CardState(260, 1, 1, DAY + timedelta(days=1))
    grade(store, ids["front 1"], 5, learned)
    with store.transaction():
        store.cards.retire([ids["front 1"]], NOW)
        store.cards.update({ids["front 1"]: content(1, back="a better back", tags=("adam",), line=40)}, NOW)
    card = store.cards.get(ids["front 1"])
    assert (card.back, card.tags, card.line) == ("a better back", ("adam",), 40)
    assert (card.retired, card.state) == (False, learned)


def test_a_move_changes_only_where_the_card_is(store):
    ids = add(store, content(1))
    before = store.cards.get(ids["front 1"])
    with store.transaction():
        store.cards.move([CardPlace(ids["front 1"], "/notes/elsewhere.md", 3)])
    after = store.cards.get(ids["front 1"])
    assert (after.source, after.line) == ("/notes/elsewhere.md", 3)
    assert after._replace(source=before.source, line=before.line) == before


def test_cards_from_sources_are_every_card_last_seen_in_those_files(store):
    add(store, content(1), content(2, source="/notes/other.md"), content(3))
    assert [c.front for c in store.cards.from_sources(["/notes/adam.md"])] == ["front 1", "front 3"]
    assert store.cards.from_sources(["/notes/none.md"]) == []


# -- the day's queues ----------------------------------------------------------------------------


def test_due_cards_come_most_overdue_first_and_new_cards_in_notes_order(store):
    ids = add(store, *(content(n) for n in range(1, 6)))
    for front, due in (("front 2", DAY), ("front 4", DAY - timedelta(days=3)), ("front 5", DAY + timedelta(days=2))):
        store.cards.set_state(ids[front], CardState(250, 2, 6, due))
    assert [c.front for c in store.cards.due(DAY, 10)] == ["front 4", "front 2"]
    assert [c.front for c in store.cards.due(DAY, 1)] == ["front 4"]
    assert [c.front for c in store.cards.new(10)] == ["front 1", "front 3"]
    assert store.cards.count_due(DAY) == 2 and store.cards.count_due(DAY + timedelta(days=2)) == 3
    assert store.cards.next_due(DAY) == DAY + timedelta(days=2)
    assert store.cards.next_due(DAY + timedelta(days=2)) is None
    assert [c.front for c in store.cards.select(due_on=DAY)] == ["front 2", "front 4"]


def test_retired_cards_are_in_no_queue(store):
    ids = add(store, content(1), content(2))
    store.cards.set_state(ids["front 2"], CardState(250, 2, 6, DAY))
    with store.transaction():
        store.cards.retire(ids.values(), NOW)
    assert (store.cards.due(DAY, 10), store.cards.new(10), store.cards.count_due(DAY)) == ([], [], 0)


# -- reviews -------------------------------------------------------------------------------------


def test_a_grade_is_logged_and_moves_the_card_and_undo_puts_both_back(store):
    ids = add(store, content(1))
    after = CardState(260, 1, 1, DAY + timedelta(days=1))
    review_id = grade(store, ids["front 1"], 5, after)
    [logged] = store.reviews.log(ids["front 1"])
    assert logged == Review(review_id, ids["front 1"], DAY, 5, False, CardState(), after)
    assert store.cards.get(ids["front 1"]).state == after
    assert store.reviews.graded_on(ids["front 1"], DAY)
    assert not store.reviews.graded_on(ids["front 1"], DAY + timedelta(days=1))
    assert store.reviews.undo(review_id) == logged
    assert store.reviews.log() == [] and store.cards.get(ids["front 1"]).state == CardState()
    with pytest.raises(StudycardsError, match=f"no review {review_id} to undo"):
        store.reviews.undo(review_id)


def test_a_card_looked_at_ahead_of_its_grade_is_found_so_until_the_store_changes(store, tmp_path):
    """``look`` reads the card outside a transaction; ``find`` takes that read only while nothing was written
    since, here or by another connection, and reads the card again otherwise."""
    ids = add(store, content(1), content(2))
    card_id = ids["front 1"]
    statements: list[str] = []
    store.conn.set_trace_callback(statements.append)
    looked = store.reviews.look(card_id, DAY)
    assert looked.found is not None and looked.found.state == CardState() and not looked.found.graded
    statements.clear()
    with store.transaction():
        assert store.reviews.find(card_id, DAY, looked) == looked.found
    assert not any("FROM cards" in sql for sql in statements)  # nothing changed: no second read
    assert store.reviews.find(ids["front 2"], DAY, looked).key != looked.found.key  # another card: read
    assert store.reviews.find(card_id, DAY + timedelta(days=1), looked).graded is False

    with open_store(tmp_path / "home") as other:  # another connection grades the card
        other.reviews.record(card_id, 5, DAY, NOW, 900, CardState(), CardState(260, 1, 1, DAY), redrill=False)
    with store.transaction():
        found = store.reviews.find(card_id, DAY, looked)
    assert found is not None and found.graded and found.state == CardState(260, 1, 1, DAY)

    looked = store.reviews.look(card_id, DAY)
    store.cards.set_flags(card_id, CardFlags(suspended=True))  # this connection writes
    with store.transaction():
        found = store.reviews.find(card_id, DAY, looked)
    assert found is not None and found.flags.suspended and not looked.found.flags.suspended
    store.conn.set_trace_callback(None)


def test_undo_is_refused_once_the_card_was_graded_again(store):
    ids = add(store, content(1))
    first = grade(store, ids["front 1"], 2, CardState(218, 0, 1, DAY + timedelta(days=1)))
    grade(store, ids["front 1"], 4, CardState(218, 0, 1, DAY + timedelta(days=1)), redrill=True)
    with pytest.raises(GradedElsewhere):
        store.reviews.undo(first)
    assert [r.grade for r in store.reviews.log()] == [2, 4]


def test_today_counts_and_redrills_follow_the_log(store):
    ids = add(store, content(1), content(2), content(3))
    store.cards.set_state(ids["front 3"], CardState(250, 2, 6, DAY))
    grade(store, ids["front 1"], 2, CardState(218, 0, 1, DAY + timedelta(days=1)))
    grade(store, ids["front 2"], 5, CardState(260, 1, 1, DAY + timedelta(days=1)))
    grade(store, ids["front 3"], 3, CardState(236, 3, 15, DAY + timedelta(days=15)))
    assert [c.front for c in store.today.redrills(DAY)] == ["front 1", "front 3"]
    assert (store.today.new_seen_on(DAY), store.today.reviewed_on(DAY)) == (2, 1)
    grade(store, ids["front 1"], 4, CardState(218, 0, 1, DAY + timedelta(days=1)), redrill=True)
    assert [c.front for c in store.today.redrills(DAY)] == ["front 3"]
    assert (store.today.new_seen_on(DAY), store.today.reviewed_on(DAY)) == (2, 1)
    assert store.today.redrills(DAY + timedelta(days=1)) == []


def test_status_and_forecast_count_per_deck_and_per_day(store):
    ids = add(store, content(1), content(2), content(3, deck="Other"))
    store.cards.set_state(ids["front 2"], CardState(250, 1, 1, DAY + timedelta(days=1)))
    [other, adam] = store.counts.status(DAY)  # by deck name
    assert (adam.deck, adam.new, adam.due, adam.redrills, adam.young, adam.mature, adam.retired) == (
        "Papers::Adam",
        1,
        0,
        0,
        1,
        0,
        0,
    )
    assert (other.deck, other.new) == ("Other", 1)
    assert store.counts.forecast(DAY, 2) == [DueOn(DAY + timedelta(days=1), 1), DueOn(DAY + timedelta(days=2), 0)]
    assert store.counts.forecast(DAY, 2, "Other") == [
        DueOn(DAY + timedelta(days=1), 0),
        DueOn(DAY + timedelta(days=2), 0),
    ]


# -- transactions --------------------------------------------------------------------------------


def test_a_transaction_lands_whole_or_not_at_all_and_nested_ones_join_it(store):
    with pytest.raises(RuntimeError), store.transaction():
        store.cards.insert([content(1)], NOW)
        with store.transaction():
            store.cards.insert([content(2)], NOW)
        raise RuntimeError("stopped halfway")
    assert store.cards.select() == []
    with store.transaction():
        store.cards.insert([content(1)], NOW)
        with store.transaction():
            store.cards.insert([content(2)], NOW)
    assert len(store.cards.select()) == 2


def test_looking_at_a_home_without_a_database_writes_nothing(tmp_path):
    home = tmp_path / "fresh"
    with open_store(home, create=False) as store:
        assert (store.cards.select(), store.questions.select(), store.papers.summaries(DAY)) == ([], [], [])
    assert not home.exists()


# -- questions -----------------------------------------------------------------------------------


def question(text: str, deck: str = "Papers::Adam", paper: str | None = "1412.6980", line: int = 30) -> Question:
    return Question(
        deck=deck, text=text, context=f"{deck} › Questions", source="/notes/adam.md", line=line, paper=paper
    )


def test_questions_are_kept_by_identity_answered_removed_and_reopened(store):
    with store.transaction():
        store.questions.upsert([question("Why bias correction?"), question("Is AMSGrad better?", line=31)], NOW)
    why, amsgrad = store.questions.select()
    assert (why.text, why.deck, why.paper) == ("Why bias correction?", "Papers::Adam", "1412.6980")
    assert (why.source, why.line) == ("/notes/adam.md", 30)
    assert (why.context, why.status, why.answer) == ("Papers::Adam › Questions", "open", None)
    assert why.key == question("Why bias correction?").key and store.questions.get(why.id) == why
    store.questions.answered(why.id, "The moments start at zero.")
    store.questions.remove([amsgrad.id])
    assert store.questions.select() == []
    assert [(q.text, q.status, q.answer) for q in store.questions.select(include_answered=True)] == [
        ("Why bias correction?", "answered", "The moments start at zero.")
    ]
    assert store.questions.get(amsgrad.id) is None
    assert [q.text for q in store.questions.from_sources(["/notes/adam.md"])] == ["Why bias correction?"]
    with store.transaction():
        store.questions.upsert([question("Is AMSGrad better?", line=50)], NOW)
    [back] = store.questions.select()
    assert (back.id, back.status, back.line) == (amsgrad.id, "open", 50)


def test_open_questions_are_chosen_by_deck_and_by_paper(store):
    with store.transaction():
        store.questions.upsert(
            [
                question("Adam?"),
                question("Proof?", deck="Papers::Adam::Proofs"),
                question("Other?", deck="Other", paper=None),
            ],
            NOW,
        )
    assert [q.text for q in store.questions.open(["Papers::Adam"])] == ["Adam?", "Proof?"]
    assert [q.text for q in store.questions.open(["Other", "Papers::Adam::Proofs"])] == ["Other?", "Proof?"]
    assert len(store.questions.open()) == 3
    assert [q.text for q in store.questions.select(paper="1412.6980")] == ["Adam?", "Proof?"]


# -- papers and equations ------------------------------------------------------------------------


ADAM = Paper(
    arxiv_id="1412.6980",
    version=9,
    title="Adam: A Method for Stochastic Optimization",
    authors=("Diederik P. Kingma", "Jimmy Ba"),
    abstract="We introduce Adam.",
    published="2014-12-22T13:54:29Z",
    updated="2017-01-30T01:27:54Z",
    categories=("cs.LG",),
    doi=None,
    journal_ref="ICLR 2015",
    comment="Published as a conference paper at ICLR 2015",
    pdf_url="https://arxiv.org/pdf/1412.6980v9",
    code_links=("https://github.com/example/adam",),
)
EQUATIONS = (
    Equation(r"m_t = \beta_1 m_{t-1}", "adam.tex", 12, "equation", "1", "eq:m", "Algorithm", "The first moment:"),
    Equation(
        r"\hat m_t = m_t / (1 - \beta_1^t)",
        "adam.tex",
        20,
        "align",
        None,
        None,
        "Algorithm",
        "",
        "where",
        ("m_t",),
        "m̂",
    ),
)


def test_a_paper_and_its_equations_come_back_as_they_went_in(store, tmp_path):
    source = tmp_path / "src"
    source.mkdir()
    with store.transaction():
        store.papers.save(ADAM, str(source), NOW)
        store.papers.save_equations(ADAM.arxiv_id, EQUATIONS)
    assert store.papers.get(ADAM.arxiv_id) == ADAM
    assert store.papers.source(ADAM.arxiv_id) == source
    assert tuple(store.papers.equations(ADAM.arxiv_id)) == EQUATIONS
    assert store.papers.titles() == {ADAM.arxiv_id: ADAM.title}
    unknown = "2401.00001"
    assert store.papers.get(unknown) is None and store.papers.source(unknown) is None
    assert store.papers.equations(unknown) == []
    with store.transaction():
        store.papers.save_equations(ADAM.arxiv_id, EQUATIONS[:1])
    assert tuple(store.papers.equations(ADAM.arxiv_id)) == EQUATIONS[:1]


def test_a_paper_summary_counts_its_equations_and_live_cards_and_sees_the_cache(store, tmp_path):
    source = tmp_path / "src"
    source.mkdir()
    with store.transaction():
        store.papers.save(ADAM, str(source), NOW)
        store.papers.save_equations(ADAM.arxiv_id, EQUATIONS)
        store.papers.save(ADAM._replace(arxiv_id="1706.03762", title="Attention"), None, NOW + timedelta(hours=1))
    ids = add(store, content(1, paper=ADAM.arxiv_id), content(2, paper=ADAM.arxiv_id))
    with store.transaction():
        store.cards.retire([ids["front 2"]], NOW)
    adam, attention = store.papers.summaries(DAY)
    assert adam[:9] == (ADAM.arxiv_id, 9, ADAM.title, ADAM.authors, True, ADAM.code_links, "2026-11-23T09:00:00", 2, 1)
    assert (attention.id, attention.source_cached, attention.equations, attention.cards) == ("1706.03762", False, 0, 0)
    assert store.cards.get(ids["front 1"]).paper_title == ADAM.title
    source.rmdir()
    assert not store.papers.summaries(DAY)[0].source_cached


# -- files and exports ---------------------------------------------------------------------------


def test_a_notes_files_hash_is_remembered_and_replaced(store):
    assert store.files.hash("/notes/adam.md") is None
    with store.transaction():
        store.files.remember("/notes/adam.md", FileHash("ab" * 32, ""), NOW)
        store.files.remember("/notes/adam.md", FileHash("cd" * 32, "Papers::Adam"), NOW)
    assert store.files.hash("/notes/adam.md") == FileHash("cd" * 32, "Papers::Adam")


def test_export_reads_live_notes_per_deck_and_remembers_what_it_wrote(store):
    cloze = dict(kind="cloze", note_key="k1:cloze:Papers::Adam:c", source="/notes/adam.md")
    ids = add(
        store,
        content(1),
        content(2, key="k1:cloze:Papers::Adam:c#2", ord=2, **cloze),
        content(3, key="k1:cloze:Papers::Adam:c#1", ord=1, **cloze),
        content(4, deck="Papers::Adam::Proofs"),
    )
    with store.transaction():
        store.cards.retire([ids["front 4"]], NOW)
    assert store.exports.decks() == [ExportDeck("Papers::Adam", 2, 3)]
    assert store.exports.decks(["Other"]) == []
    basic, note = store.exports.notes("Papers::Adam")
    assert (basic.note_key, basic.ords) == (content(1).note_key, "0")
    assert (basic.exported_hash, basic.exported_mod) == (None, None)
    assert (note.kind, note.front, sorted(note.ords.split(","))) == ("cloze", "front 3", ["1", "2"])
    store.exports.record([ExportedNote(basic.note_key, "h1", 1700000000)])
    store.exports.record([ExportedNote(basic.note_key, "h2", 1700000005)])
    again, _ = store.exports.notes("Papers::Adam")
    assert (again.exported_hash, again.exported_mod) == ("h2", 1700000005)


def test_schedules_by_keys_gives_what_by_keys_gives_a_sync(store):
    """The slim read a sync replays from agrees with the full rows, retired cards and flags included."""
    cards = [content(i) for i in range(3)]
    with store.transaction():
        store.cards.insert(cards, datetime(2026, 11, 1, 8))
    full = store.cards.by_keys(c.key for c in cards)
    first = full[cards[0].key]
    store.cards.set_schedules([(first.id, CardState(230, 2, 6, date(2026, 11, 9)), CardFlags(True, None, 1, False))])
    store.cards.retire([full[cards[1].key].id], datetime(2026, 11, 2, 8))
    full = store.cards.by_keys([*(c.key for c in cards), "k1:basic:Papers::Adam:nothing#0"])
    slim = store.cards.schedules_by_keys([*(c.key for c in cards), "k1:basic:Papers::Adam:nothing#0"])
    assert {k: (c.id, c.key, c.retired, c.state, c.flags) for k, c in full.items()} == {
        k: tuple(c) for k, c in slim.items()
    }
    assert slim[cards[0].key].state.due == date(2026, 11, 9) and slim[cards[0].key].flags.suspended
    assert slim[cards[1].key].retired


@pytest.mark.parametrize("count", [0, 1, 49, 50, 51, 101])
def test_rows_inserted_many_to_a_statement_all_land_in_their_order(tmp_path: Path, count: int):
    from studycards.store.sql import ROWS_PER_INSERT, insert_rows

    assert ROWS_PER_INSERT == 50  # the counts above sit on either side of a statement's rows
    with open_store(tmp_path) as store:
        store.conn.execute("CREATE TEMP TABLE t (n INTEGER, word TEXT, empty)")
        rows = [(n, f"word {n}", None) for n in range(count)]
        insert_rows(store.conn, "INSERT INTO t (n, word, empty)", 3, iter(rows))
        assert store.conn.execute("SELECT n, word, empty FROM t ORDER BY rowid").fetchall() == rows
        with pytest.raises(ValueError, match="rows of 3 values"):
            insert_rows(store.conn, "INSERT INTO t (n, word, empty)", 3, [(1, "a", None), (2, "b")])


def test_the_due_cards_are_read_in_queue_order_and_counted_per_deck_from_one_index(store):
    """A grade moves a card's due day in one index only; the queue reads it in order, and ``status`` counts the
    due cards of each deck from it, without a sort or a look at the table (the per-deck totals have their own)."""
    statements: list[str] = []
    add(store, *(content(n, deck="Papers::Adam" if n % 2 else "Papers::Attention") for n in range(6)))
    store.conn.set_trace_callback(statements.append)
    store.cards.due(DAY, 10, "Papers::Adam")
    store.counts.status(DAY)
    store.conn.set_trace_callback(None)
    plans = {
        sql: " | ".join(row[-1] for row in store.conn.execute("EXPLAIN QUERY PLAN " + sql))  # values in the text
        for sql in statements
        if sql.startswith("SELECT")
    }
    queue = next(plan for sql, plan in plans.items() if "ORDER BY c.due, c.id" in sql)
    assert "USING INDEX cards_due" in queue and "TEMP B-TREE FOR ORDER BY" not in queue
    due = next(plan for sql, plan in plans.items() if "'due', COUNT(*)" in sql)
    assert "COVERING INDEX cards_due" in due
    totals = next(plan for sql, plan in plans.items() if "'retired' ELSE 'live'" in sql)
    assert "COVERING INDEX cards_deck" in totals
    due_columns = [r[2] for r in store.conn.execute("SELECT * FROM pragma_index_info('cards_due')")]
    assert [
        name
        for (name,) in store.conn.execute(
            "SELECT name FROM pragma_index_list('cards') p WHERE EXISTS"
            " (SELECT 1 FROM pragma_index_info(p.name) WHERE name = 'due')"
        )
    ] == ["cards_due"] and due_columns == ["retired", "due", "id", "deck"]


# -- writing many cards at once ------------------------------------------------------------------

CARD_INDEXES = "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = 'cards' ORDER BY name"


def test_a_first_insert_builds_the_cards_indexes_after_them_and_the_schema_is_as_it_was(store):
    """Into an empty table the indexes are dropped and made again after: the same ones, and they answer."""
    before = store.conn.execute(CARD_INDEXES).fetchall()
    pair = [content(0, key="n#0", note_key="n"), content(1, key="n#1", note_key="n", ord=1)]
    add(store, *pair, *(content(n) for n in range(2, 1202)))  # more than one batch of cards
    assert store.conn.execute(CARD_INDEXES).fetchall() == before
    plan = store.conn.execute("EXPLAIN QUERY PLAN SELECT id FROM cards WHERE note_key = 'n'").fetchall()
    assert "USING COVERING INDEX cards_note" in plan[0][-1]
    assert store.conn.execute("SELECT anki_key FROM cards WHERE id IN (1, 2, 3)").fetchall() == [
        ("n",),
        ("n",),
        (content(2).note_key,),
    ]
    assert [card.front for card in store.cards.new(3)] == ["front 0", "front 1", "front 2"]


def test_a_first_insert_cut_short_leaves_no_card_and_every_index(store):
    before = store.conn.execute(CARD_INDEXES).fetchall()

    def cards():
        yield from (content(n) for n in range(700))
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt), store.transaction():
        store.cards.insert(cards(), NOW)
    assert store.cards.select() == []
    assert store.conn.execute(CARD_INDEXES).fetchall() == before
    add(store, content(1))
    assert store.cards.by_keys([content(1).key])[content(1).key].front == "front 1"


def test_the_anki_identity_rule_holds_across_the_batches_a_large_insert_is_written_in(store):
    """Into a table that has cards: a note's cards share one identity even when a batch ends between them,
    and a note key another note's identity took (a card whose deck moved) gets the new card's id."""
    add(store, content(0))
    store.conn.execute("UPDATE cards SET note_key = 'moved' WHERE id = 1")  # what a deck move leaves: the key taken
    singles = [content(n) for n in range(1, 500)]  # the pair below straddles the first batch's end
    pair = [content(0, key="n#0", note_key="n"), content(0, key="n#1", note_key="n", ord=1)]
    again = content(0, key="again#0", front="again")  # the moved card's old note key, now another note's
    ids = add(store, *singles, *pair, *(content(n) for n in range(500, 700)), again)
    found = dict(store.conn.execute("SELECT key, anki_key FROM cards WHERE key IN ('n#0', 'n#1', 'again#0')"))
    assert found == {"n#0": "n", "n#1": "n", "again#0": f"{content(0).note_key}@{ids['again']}"}


def test_anki_keys_are_given_card_by_card_and_only_the_unusual_ones_are_kept():
    """The rule, pure: a taken key gets the card's id, siblings share, and a plain key needs no record
    (a large add's memory stays flat); a key holding an ``@`` is kept, as a made identity may equal it."""
    from studycards.store.cards import AnkiKeys

    keys = AnkiKeys(5)
    keys.stored(({"moved": "old identity"}, {"m"}))  # what the store holds of these notes
    given = [keys("m"), keys("m"), keys("m@5"), keys("m@5"), keys("n"), keys("n"), keys("moved")]
    assert given == ["m@5", "m@5", "m@5@7", "m@5@7", "n", "n", "old identity"]
    assert keys.unusual == {"m": "m@5", "m@5": "m@5@7"}


def test_a_new_and_an_existing_database_are_both_written_in_wal_with_normal_sync(tmp_path):
    """Only a new database's switch to WAL, its first write, runs without fsync: every write after it syncs."""
    for _ in range(2):  # made, then opened again
        with open_store(tmp_path / "home") as store:
            assert store.conn.execute("PRAGMA journal_mode").fetchone() == ("wal",)
            assert store.conn.execute("PRAGMA synchronous").fetchone() == (1,)  # NORMAL


# -- tags as stored ------------------------------------------------------------------------------------


@given(st.lists(st.text(max_size=8), max_size=4), st.booleans())
def test_tags_read_without_json_are_those_json_writes_and_reads(tags, ascii_only):
    """The plain list is read without the json module; any list, as json wrote it, reads back as json reads it."""
    stored = json.dumps(tags, ensure_ascii=ascii_only)
    assert tags_of(stored) == tuple(tags) == tuple(json.loads(stored))


@given(st.text(alphabet='[]", \\ab', max_size=14))
def test_any_stored_text_of_tags_reads_as_json_reads_it_or_fails_as_json_does(text):
    try:
        expected: object = tuple(json.loads(text))
    except (ValueError, TypeError):
        expected = ValueError
    try:
        found: object = tags_of(text)
    except (ValueError, TypeError):
        found = ValueError
    if isinstance(expected, tuple) and not all(isinstance(tag, str) for tag in expected):
        return  # not a list of strings: never a card's tags
    assert found == expected


def test_a_review_of_cards_with_plain_tags_never_imports_json(tmp_path):
    """The plain tags of a queue's cards cost the start of a review no json import."""
    probe = (
        "import sys; from pathlib import Path; from datetime import date;"
        " from studycards.store.database import open_store; from studycards.review.queue import build_queue;"
        f" store = open_store(Path({str(tmp_path)!r}));"
        " items = build_queue(store, date(2026, 11, 23), None, 20, 200);"
        " print(len(items), [i.card.tags for i in items][:1], 'json' in sys.modules)"
    )
    with open_store(tmp_path) as store, store.transaction():
        store.cards.insert([content(1, tags=("adam", "optimiser")), content(2, tags=())], NOW)
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    assert done.stdout.split() == ["2", "[('adam',", "'optimiser')]", "False"]

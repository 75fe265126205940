"""search: one ranked line per hit over cards, questions, papers and equations, kept current by add and fetch."""

from __future__ import annotations

import json

import pytest


def hits(cli, *args):
    result = cli("search", *args, "--json")
    assert result.exit_code == 0, result.output
    return [(r["kind"], r["text"]) for r in json.loads(result.output)["results"]]


def test_every_kind_is_found_by_its_words_in_rank_order(a_year):
    assert hits(a_year, "distribution") == [
        ("card", "What does label smoothing replace the one-hot target with?")
    ]  # a word of the back
    assert hits(a_year, "distillation") == [("question", "Does label smoothing interact with knowledge distillation?")]
    assert hits(a_year, "aggressive regularization") == [
        ("paper", "Rethinking the Inception Architecture for Computer Vision")
    ]  # its abstract
    assert hits(a_year, "confident") == [
        ("equation", "We propose a mechanism for encouraging the model to be less confident:")
    ]
    # bm25: the short question first, then the card saying it in front and back, then the one saying it once
    assert hits(a_year, "smoothing") == [
        ("question", "Does label smoothing interact with knowledge distillation?"),
        ("card", "Smoothing of labels, once more: why does it help?"),
        ("card", "What does label smoothing replace the one-hot target with?"),
    ]


def test_phrases_prefixes_accents_and_cjk(a_year):
    assert [text for _, text in hits(a_year, '"label smoothing"', "--kind", "card")] == [
        "What does label smoothing replace the one-hot target with?",  # the phrase in its front weighs more
        "Smoothing of labels, once more: why does it help?",
    ]
    assert hits(a_year, '"smoothing label"') == []
    assert [kind for kind, _ in hits(a_year, "regulari*")] == ["card", "card", "paper"]
    resume = [("card", "Which résumé of Inception-v2 matters?")]
    assert hits(a_year, "resume") == resume and hits(a_year, "naive") == resume
    cjk = [("card", "What does 注意力机制 mean?")]
    assert hits(a_year, "注意力") == cjk and hits(a_year, "机制") == cjk and hits(a_year, "自注意") == cjk
    assert hits(a_year, "注意力 attention") == cjk and hits(a_year, "机器") == []


def test_cjk_cards_are_found_wherever_they_stand_in_a_large_add(cli, tmp_path):
    """A large add indexes its cards in batches; CJK text in any of them, however late, reaches the trigram index."""
    lines = [f"Plain question {n}? :: plain answer {n}" for n in range(1200)]
    lines.insert(700, "What does 注意力机制 mean? :: attention")  # in the second batch of cards
    (tmp_path / "many.md").write_text("# Many\n\n" + "\n".join(lines) + "\n", encoding="utf-8")
    assert cli("add", str(tmp_path / "many.md")).exit_code == 0
    assert hits(cli, "注意力") == [("card", "What does 注意力机制 mean?")]
    assert hits(cli, "plain question 1199") == [("card", "Plain question 1199?")]


def test_a_hit_is_one_line_with_its_words_marked(a_year):
    result = a_year("search", "distillation")
    assert result.output.splitlines() == [
        "question  1  Papers::Inception · 1512.00567  Does label smoothing interact with knowledge [distillation]?",
        "1 hit",
    ]
    document = json.loads(a_year("search", "distillation", "--json").output)
    assert document["query"] == "distillation"
    (only,) = document["results"]
    assert only["id"] == 1 and only["deck"] == "Papers::Inception" and only["paper"] == "1512.00567"
    assert only["snippet"] == "Does label smoothing interact with knowledge [distillation]?" and only["score"] > 0


def test_filters_by_deck_paper_and_kind(a_year):
    assert hits(a_year, "smoothing", "--paper", "arXiv:1512.00567v3", "--kind", "question") == [
        ("question", "Does label smoothing interact with knowledge distillation?")
    ]
    assert hits(a_year, "smoothing", "--paper", "1706.03762") == []
    assert len(hits(a_year, "smoothing", "--deck", "Papers")) == 3
    result = a_year("search", "smoothing", "--deck", "Nope")
    assert result.exit_code == 1 and "Nope" in result.output


@pytest.mark.parametrize("query", ["a AND", '"unclosed', "foo:bar", "NEAR(", "*", "   "])
def test_a_query_fts_cannot_read_is_one_clear_line(a_year, query):
    result = a_year("search", query, catch_exceptions=True)
    assert result.exit_code == 1 and isinstance(result.exception, SystemExit)
    (line,) = result.output.splitlines()
    assert line.startswith("Error: ") and "Traceback" not in result.output


def test_hyphenated_words_are_a_phrase_not_a_column(a_year):
    assert hits(a_year, "one-hot") == [("card", "What does label smoothing replace the one-hot target with?")]


def test_add_and_fetch_keep_the_index_current(home, cli, tmp_path, rows):
    notes = tmp_path / "n.md"
    notes.write_text("# N\n\nWhat is warmup? :: A linear ramp of the learning rate\n", encoding="utf-8")
    cli("add", notes)
    assert hits(cli, "ramp") == [("card", "What is warmup?")]
    notes.write_text("# N\n\nWhat is warmup? :: A short period of small steps\n", encoding="utf-8")
    cli("add", notes)
    assert hits(cli, "ramp") == [] and hits(cli, "period") == [("card", "What is warmup?")]
    notes.write_text("# N\n\nWhat is cooldown? :: A short period of small steps\n", encoding="utf-8")
    cli("add", notes)  # the old front is retired: no longer found
    assert hits(cli, "period") == [("card", "What is cooldown?")]
    assert rows("SELECT COUNT(*) FROM search_index")[0][0] == rows("SELECT COUNT(*) FROM cards WHERE retired = 0")[0][0]


def test_a_fetched_paper_and_its_equations_are_found(home, cli, arxiv_server):
    result = cli("fetch", "1706.03762")
    assert result.exit_code == 0, result.output
    kinds = {kind for kind, _ in hits(cli, "attention", "--limit", "100")}
    assert kinds == {"paper", "equation"}
    again = cli("fetch", "1706.03762", "--refresh")
    assert again.exit_code == 0, again.output
    assert {kind for kind, _ in hits(cli, "attention", "--limit", "100")} == kinds

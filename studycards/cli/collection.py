"""Commands that look at the collection: search, show (one card's history)."""

from __future__ import annotations

import sys

import click

from studycards.cli.base import Context, echo_json, handles_errors, main, pass_ctx, say


def _canonical_paper(paper: str | None) -> str | None:
    """Any form ``fetch`` takes (``arXiv:1706.03762``, ``1706.03762v7``, a URL) names the same paper."""
    if not paper:
        return None
    from studycards.paper.ids import parse_id

    return parse_id(paper).id


@main.command()
@click.argument("query")
@click.option("--deck", help="Only this deck (and its subdecks).")
@click.option("--paper", help="Only what belongs to this arXiv paper.")
@click.option("--kind", type=click.Choice(["card", "question", "paper", "equation"]), help="Only this kind.")
@click.option("--limit", default=20, show_default=True, type=click.IntRange(1, 10_000), help="At most this many.")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON document.")
@pass_ctx
@handles_errors
def search(
    ctx: Context, query: str, deck: str | None, paper: str | None, kind: str | None, limit: int, as_json: bool
) -> None:
    """Search cards, open questions, papers and equations, best match first.

    QUERY is words (all must appear), a "phrase in quotes", a prefix such as
    atten*, or OR / NOT between words.  Accents do not matter (naive finds
    naïve); Chinese, Japanese and Korean are found as written.

    \b
    Example:
        studycards search "label smoothing"
        studycards search 'atten*' --kind equation --paper 1706.03762
    """
    from studycards.cli.collection_views import search_json, search_text
    from studycards.store.database import check_deck
    from studycards.store.search import search as run_search

    with ctx.open_store(create=False) as store:
        check_deck(store, deck)
        hits = run_search(store, query, deck=deck, paper=_canonical_paper(paper), kind=kind, limit=limit)
    if as_json:
        echo_json(search_json(query, hits))
    else:
        click.echo(search_text(query, hits, bold=sys.stdout.isatty() and not _no_color()))


def _no_color() -> bool:
    import os

    return bool(os.environ.get("NO_COLOR"))


@main.command()
@click.argument("card_id", metavar="ID", type=click.IntRange(1, 2**63 - 1))
@click.option("--json", "as_json", is_flag=True, help="Print one JSON document.")
@pass_ctx
@handles_errors
def show(ctx: Context, card_id: int, as_json: bool) -> None:
    """Show one card: its sides, where it is in the notes, its state, and every grade it was given.

    Each grade shows when it was given, whether it was the day's first (which
    schedules) or a re-drill, the interval and EF before and after, and the
    seconds taken, newest last.

    \b
    Example:
        studycards show 12
    """
    from studycards.cli.collection_views import show_json, show_text
    from studycards.errors import StudycardsError
    from studycards.review.sides import shown_equations
    from studycards.store.history import card_history, sibling_ids

    with ctx.open_store(create=False) as store:
        card = store.cards.get(card_id)
        if card is None:
            raise StudycardsError(f"no card {card_id} (studycards list shows every card's id)")
        history = card_history(store.conn, card_id)
        siblings = sibling_ids(store.conn, card)
        drawings = {} if as_json else store.drawings.of(shown_equations(card))
    if as_json:
        echo_json(show_json(card, history, siblings))
    else:
        say(show_text(card, history, siblings, drawings))


@main.command()
@click.option("--deck", help="Only this deck (and its subdecks).")
@click.option("--paper", help="Only the cards of this arXiv paper.")
@click.option("--days", default=365, show_default=True, type=click.IntRange(1, 3660), help="Days the heatmap covers.")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON document.")
@pass_ctx
@handles_errors
def stats(ctx: Context, deck: str | None, paper: str | None, days: int, as_json: bool) -> None:
    """Statistics: a heatmap of reviews per day, the next 30 days' forecast, and the figures.

    Reviews and time spent today, over 7 and 30 days and all time; the
    current and longest streak; retention (the share of a day's first grades
    of 3 or more on learned cards) for young and mature cards over the
    heatmap's days; the cards of each deck by where they stand.

    \b
    Example:
        studycards stats --deck Papers::Transformer
        studycards stats --days 90 --json
    """
    import shutil

    from studycards.cli.base import clock
    from studycards.cli.stats_views import stats_json, stats_text
    from studycards.home import load_settings
    from studycards.store.database import check_deck
    from studycards.store.stats import collection_stats

    _, day = clock(ctx)
    per_day = load_settings(ctx.home).new_per_day
    with ctx.open_store(create=False) as store:
        check_deck(store, deck)
        found = collection_stats(store, day, deck=deck, paper=_canonical_paper(paper), days=days, new_per_day=per_day)
    if as_json:
        echo_json(stats_json(found, days))
    else:
        width = shutil.get_terminal_size().columns
        click.echo(stats_text(found, days, width, colour=sys.stdout.isatty() and not _no_color()))

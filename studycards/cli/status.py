"""The status command, in a module of its own: ``status`` is run often and starts with nothing else loaded."""

from __future__ import annotations

import click

from studycards.cli.base import Context, clock, echo_json, handles_errors, main, pass_ctx


@main.command()
@click.option("--deck", help="Only this deck (and its subdecks).")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON document.")
@pass_ctx
@handles_errors
def status(ctx: Context, deck: str | None, as_json: bool) -> None:
    """Per deck: new, due today, re-drills pending, young (interval < 21 days), mature, suspended, retired.

    Then the next 7 days: the reviews falling due plus the new cards the daily
    limit will bring, and the new cards waiting beyond today's limit.

    \b
    Example:
        studycards status --deck Papers::Transformer
    """
    from studycards.cli import review_views
    from studycards.home import load_settings
    from studycards.store import collection_status

    _, day = clock(ctx)
    settings = load_settings(ctx.home)
    found = collection_status(ctx.home, day, deck, new_per_day=settings.new_per_day)
    if as_json:
        echo_json(review_views.status_json(day, found))
    else:
        click.echo(review_views.status_text(day, found, deck, settings.reviews_per_day))

"""Commands of the daily session: review (and cram), and setting cards aside: suspend, unsuspend, bury."""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING

import click

from studycards.cli.base import Context, clock, handles_errors, main, pass_ctx
from studycards.home import MAX_PER_DAY

if TYPE_CHECKING:
    from studycards.home import Settings
    from studycards.store import Store

CRAM_ALL = 1_000_000  # --cram without --limit: every card of the deck


@main.command()
@click.option("--deck", help="Only this deck (and its subdecks).")
@click.option(
    "--new", "new", type=click.IntRange(0, MAX_PER_DAY), help="New cards today at most (default 20, or new_per_day)."
)
@click.option(
    "--limit", type=click.IntRange(0, MAX_PER_DAY), help="Due reviews today at most (default 200, or reviews_per_day)."
)
@click.option("--cram", is_flag=True, help="Practise every card, due or not; schedules stay as they are.")
@pass_ctx
@handles_errors
def review(ctx: Context, deck: str | None, new: int | None, limit: int | None, cram: bool) -> None:
    """Review today's cards: due reviews first, most overdue first, then new cards.

    Keys: space or Enter shows the answer, 0-5 grades it (SM-2: 5 perfect,
    3 correct with difficulty, below 3 wrong), u undoes the last step, s skips,
    ! suspends the card, b buries it until tomorrow, e opens the card's notes
    in $EDITOR, l shows the raw LaTeX, q quits. Cards graded below 4 come back
    later in the session until graded 4 or 5. Once a card of a note is graded,
    its siblings (the other direction, the other clozes) wait until tomorrow
    (bury_siblings = false in config.toml turns that off). A card failed 8
    times after being learned is a leech and is suspended (leech_lapses,
    leech_action = "tag"). Each grade is saved when given; q or Ctrl-C keeps
    every answer so far. From a pipe, each line is one key (an empty line
    shows the answer). With --cram, grades are logged as practice only.

    \b
    Example:
        studycards review --deck Papers::Transformer --new 10
        studycards review --cram --deck Papers::Adam
        printf '\\n5\\n\\n3\\n' | studycards review
    """
    from studycards.cli.review_views import idle_text, summary_text
    from studycards.home import load_settings, now
    from studycards.review.session import Habits, Session, idle
    from studycards.review.terminal import Keys, Screen
    from studycards.store.database import check_deck

    settings = load_settings(ctx.home)
    _, day = clock(ctx)
    new_limit = settings.new_per_day if new is None else new
    reviews = settings.reviews_per_day if limit is None else limit
    with ctx.open_store() as store:
        check_deck(store, deck)
        auto_sync(ctx, store, settings, "before")

        def drawer() -> None:  # after the first card: a killed drawer's equations are drawn meanwhile
            from studycards.mathtext.drawer import start_if_pending

            start_if_pending(store)

        with Keys(sys.stdin) as keys:
            session = Session(
                store,
                day,
                now,
                deck=deck,
                new=new_limit,
                limit=(CRAM_ALL if limit is None else limit) if cram else reviews,
                open_editor=keys.open_editor,
                habits=Habits(settings.bury_siblings, settings.leech_lapses, settings.leech_action),
                cram=cram,
                after_first_card=drawer,
            )
            if not session.queue:
                drawer()
                click.echo(idle_text(day, idle(store, day, deck, new_limit)))
                return
            with Screen(sys.stdout) as screen:
                summary = session.run(keys, screen)
        click.echo(summary_text(summary))
        auto_sync(ctx, store, settings, "after")


def auto_sync(ctx: Context, store: Store, settings: Settings, when: str) -> None:
    """``auto_sync = true`` syncs around a review; without it a review starts without importing the sync command."""
    if settings.auto_sync:
        from studycards.cli import sync

        sync.auto_sync(ctx, store, settings, when)


def _set_aside(ctx: Context, ids: tuple[int, ...], how: str) -> None:
    from studycards.cli.card_views import short
    from studycards.review.aside import set_aside

    moment, day = clock(ctx)
    with ctx.open_store(create=False) as store:
        cards = set_aside(store, ids, how, day, moment)
    done = {"suspend": "Suspended", "unsuspend": "Unsuspended", "bury": "Buried until tomorrow"}[how]
    for card in cards:
        click.echo(f"{done}: {card.id}  {short(card.front, 60)}")


@main.command()
@click.argument("ids", metavar="ID...", nargs=-1, required=True, type=int)
@pass_ctx
@handles_errors
def suspend(ctx: Context, ids: tuple[int, ...]) -> None:
    """Keep cards out of every session until unsuspended; their schedule and history stay.

    \b
    Example:
        studycards suspend 12 40
    """
    _set_aside(ctx, ids, "suspend")


@main.command()
@click.argument("ids", metavar="ID...", nargs=-1, required=True, type=int)
@pass_ctx
@handles_errors
def unsuspend(ctx: Context, ids: tuple[int, ...]) -> None:
    """Bring suspended cards back into the sessions (a leech keeps its tag and lapse count).

    \b
    Example:
        studycards unsuspend 12
    """
    _set_aside(ctx, ids, "unsuspend")


@main.command()
@click.argument("ids", metavar="ID...", nargs=-1, required=True, type=int)
@pass_ctx
@handles_errors
def bury(ctx: Context, ids: tuple[int, ...]) -> None:
    """Leave cards out of today's sessions; they come back on the next study day.

    \b
    Example:
        studycards bury 7
    """
    _set_aside(ctx, ids, "bury")

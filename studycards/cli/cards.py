"""Commands on cards: add, list, questions, export (the daily session is in ``review.py``, status in ``status.py``)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import click

from studycards.cli.base import Context, clock, echo_json, handles_errors, main, pass_ctx, say

if TYPE_CHECKING:
    from datetime import date

    from studycards.home import Settings
    from studycards.notes.importer import ImportPlan
    from studycards.store import Store


@main.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path())
@click.option("--deck", help="Put every card in this deck (overrides front matter).")
@click.option("--dry-run", is_flag=True, help="Show what would be added, updated and retired; write nothing.")
@click.option("--skip-bad", is_flag=True, help="Add the good cards even if some are malformed (they are listed).")
@pass_ctx
@handles_errors
def add(ctx: Context, paths: tuple[str, ...], deck: str | None, dry_run: bool, skip_bad: bool) -> None:
    """Add cards from markdown notes files or folders (all *.md inside).

    Re-adding is safe: unchanged cards keep their history, an edited back
    updates its card, an edited front retires the old card and adds a new one,
    and a renamed deck takes its cards along. Cards of a file deleted from a
    folder given again are retired. Nothing is written if any card is malformed.
    Display equations are drawn by sympy afterwards, in the background (until
    then they show in their line form); draw_math = "at add" in config.toml
    draws them before add returns.

    \b
    Example:
        studycards add decks/ --dry-run
        studycards add notes/attention.md
    """
    from studycards.cli.base import Interrupted
    from studycards.cli.card_views import step_text
    from studycards.cli.progress import Progress
    from studycards.errors import WrittenThenInterrupted
    from studycards.home import load_settings
    from studycards.notes.importer import add_notes

    moment, day = clock(ctx)
    settings = load_settings(ctx.home)
    added = "the notes were added before it (studycards status shows them)"
    with ctx.open_store() as store:
        try:
            with Progress() as progress:
                plan = add_notes(
                    store,
                    list(paths),
                    moment,
                    deck=deck,
                    skip_bad=skip_bad,
                    dry_run=dry_run,
                    compact=settings.separators == "compact",
                    draw_math=settings.draw_math,
                    progress=lambda step, done, total: progress.spin(step_text(step, done, total, paths)),
                )
        except WrittenThenInterrupted:  # the write had landed: every card of it is in
            raise Interrupted(added) from None
        except KeyboardInterrupt:  # add writes in one transaction at the end: a Ctrl-C before it keeps nothing
            raise Interrupted("nothing was added (run add again to add the notes)") from None
        try:
            _report_add(ctx, store, plan, dry_run, day, settings)
        except KeyboardInterrupt:  # while add says what it did: what it wrote is in
            if dry_run or not plan.changes:
                raise
            raise Interrupted(added) from None


def _report_add(ctx: Context, store: Store, plan: ImportPlan, dry_run: bool, day: date, settings: Settings) -> None:
    """What ``add`` did: its plan, the drawing left to the background, what a sync brought, and today's cards."""
    from studycards.cli.card_views import drawing_text, plan_text, warnings_text

    arrived = 0
    if not dry_run and (plan.added or plan.deck_moves):
        from studycards.cli.sync import apply_arrived

        arrived = apply_arrived(ctx, store)
    ready = None
    if plan.changes and not dry_run:  # an add that changed nothing has no news about today
        from studycards.store.database import status_of

        ready = status_of(store, day, new_per_day=settings.new_per_day)
    if plan.warnings:
        click.echo(warnings_text(plan), err=True)
    click.echo(plan_text(plan, dry_run))
    if plan.drawing:
        click.echo(drawing_text(plan.drawing))
    if arrived:
        from studycards.cli.sync import arrived_text

        click.echo(arrived_text(arrived))
    if ready is not None:
        from studycards.cli.review_views import ready_text

        if line := ready_text(ready, None, settings.reviews_per_day):
            click.echo(line)


@main.command(name="list")
@click.option("--deck", help="Only this deck (and its subdecks).")
@click.option("--due", is_flag=True, help="Only cards due today.")
@click.option("--retired", is_flag=True, help="Include retired cards.")
@click.option("--suspended", is_flag=True, help="Only suspended cards.")
@click.option("--leeches", is_flag=True, help="Only leeches: cards failed leech_lapses times (8) after being learned.")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON document.")
@pass_ctx
@handles_errors
def list_cards(
    ctx: Context, deck: str | None, due: bool, retired: bool, suspended: bool, leeches: bool, as_json: bool
) -> None:
    """List cards with their schedule: id, due day, interval, EF, kind, front.

    \b
    Example:
        studycards list --deck Papers::ResNet --due
    """
    from studycards.cli import card_views
    from studycards.store.database import check_deck

    _, day = clock(ctx)
    with ctx.open_store(create=False) as store:
        check_deck(store, deck)
        cards = store.cards.select(deck=deck, due_on=day if due else None, include_retired=retired)
    if suspended or leeches:
        cards = [c for c in cards if (c.flags.suspended or not suspended) and (c.flags.leech or not leeches)]
    if as_json:
        echo_json({"day": day.isoformat(), "cards": [card_views.card_json(c) for c in cards]})
    else:
        say(card_views.list_text(cards))


@main.group(invoke_without_command=True)
@click.option("--paper", help="Only questions about this arXiv id.")
@click.option("--all", "show_all", is_flag=True, help="Include answered questions.")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON document.")
@click.pass_context
@handles_errors
def questions(click_ctx: click.Context, paper: str | None, show_all: bool, as_json: bool) -> None:
    """Open research questions from your notes, grouped by paper.

    \b
    Example:
        studycards questions --paper 1706.03762
    """
    if click_ctx.invoked_subcommand:
        return
    from studycards.cli import card_views

    ctx: Context = click_ctx.obj
    if paper is not None:
        from studycards.paper import parse_id

        paper = parse_id(paper).id  # every form fetch takes: arXiv:1706.03762, 1706.03762v7, an abs URL
    with ctx.open_store(create=False) as store:
        found = store.questions.select(paper=paper, include_answered=show_all)
    if as_json:
        echo_json({"questions": [card_views.question_json(q) for q in found]})
    else:
        import shutil

        say(card_views.questions_text(found, shutil.get_terminal_size().columns))


@questions.command()
@click.argument("question_id", metavar="ID", type=click.IntRange(1, 2**63 - 1))
@click.argument("text")
@pass_ctx
@handles_errors
def answer(ctx: Context, question_id: int, text: str) -> None:
    """Answer question ID: it becomes a Q/A card in its notes file.

    The answer is written under the question, in the notes file where it was
    noted; the rest of the file is left exactly as it was, and the file is
    re-added. Refused if the file changed since it was last added.

    \b
    Example:
        studycards questions answer 4 "Not beyond about twice the training length."
    """
    from studycards.notes.answer import answer_question

    moment, _ = clock(ctx)
    with ctx.open_store() as store:
        done = answer_question(store, question_id, text, moment)
    click.echo(f"Answered #{question_id}: it is now a Q/A card at {done.path}:{done.line} (deck {done.question.deck}).")


def _with_apkg(name: str) -> str:
    """``-o papers`` writes ``papers.apkg``: Anki's import dialog only offers files it recognises."""
    return name if Path(name).suffix else name + ".apkg"


@main.command()
@click.option("--deck", "decks", multiple=True, help="Only this deck and its subdecks (repeat for several).")
@click.option(
    "-o",
    "--output",
    default="studycards.apkg",
    show_default=True,
    type=click.Path(dir_okay=False),
    callback=lambda ctx, param, value: _with_apkg(value),
    help="The Anki package to write (.apkg is added to a name without an extension).",
)
@click.option(
    "--questions",
    "questions_path",
    type=click.Path(dir_okay=False),
    help="Where to write the open questions (default: questions.md beside the package).",
)
@pass_ctx
@handles_errors
def export(ctx: Context, decks: tuple[str, ...], output: str, questions_path: str | None) -> None:
    """Export decks to one Anki package, and the open questions to markdown.

    Import the package in Anki (File > Import). Importing a later export
    updates the notes Anki already has (edited answers included) instead of
    adding duplicates; your Anki review history is kept. Retired cards are
    left out.

    \b
    Example:
        studycards export -o ~/papers.apkg
        studycards export --deck Papers::Transformer --questions todo.md
    """
    from studycards.anki.export import export_collection
    from studycards.cli.card_views import report_text
    from studycards.cli.progress import Progress

    moment, _ = clock(ctx)
    with ctx.open_store() as store, Progress() as progress:
        report = export_collection(
            store,
            Path(output),
            moment,
            decks=decks,
            questions_path=Path(questions_path) if questions_path else None,
            progress=lambda written, total: progress.count("Exporting notes", written, total),
        )
    click.echo(report_text(report))

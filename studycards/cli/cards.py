"""Commands on cards: add, status, list, questions, review, export."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from studycards.cli.base import Context, clock, echo_json, handles_errors, main, pass_ctx


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
    updates its card, an edited front retires the old card and adds a new one.
    Nothing is written if any card is malformed.

    \b
    Example:
        studycards add decks/ --dry-run
        studycards add notes/attention.md
    """
    from studycards.cli.card_views import plan_text, warnings_text
    from studycards.home import load_settings
    from studycards.notes.importer import add_notes

    moment, _ = clock(ctx)
    compact = load_settings(ctx.home).separators == "compact"
    with ctx.open_store() as store:
        plan = add_notes(store, list(paths), moment, deck=deck, skip_bad=skip_bad, dry_run=dry_run, compact=compact)
    if plan.warnings:
        click.echo(warnings_text(plan), err=True)
    click.echo(plan_text(plan, dry_run))


@main.command()
@click.option("--deck", help="Only this deck (and its subdecks).")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON document.")
@pass_ctx
@handles_errors
def status(ctx: Context, deck: str | None, as_json: bool) -> None:
    """Per deck: new cards, due today, re-drills pending, learned, retired; and the next 7 days.

    \b
    Example:
        studycards status --deck Papers::Transformer
    """
    from studycards.cli import card_views
    from studycards.store import collection_status

    _, day = clock(ctx)
    statuses, forecast = collection_status(ctx.home, day, deck)
    if as_json:
        echo_json(card_views.status_json(day, statuses, forecast))
    else:
        click.echo(card_views.status_text(day, statuses, forecast))


@main.command(name="list")
@click.option("--deck", help="Only this deck (and its subdecks).")
@click.option("--due", is_flag=True, help="Only cards due today.")
@click.option("--retired", is_flag=True, help="Include retired cards.")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON document.")
@pass_ctx
@handles_errors
def list_cards(ctx: Context, deck: str | None, due: bool, retired: bool, as_json: bool) -> None:
    """List cards with their schedule: id, due day, interval, EF, kind, front.

    \b
    Example:
        studycards list --deck Papers::ResNet --due
    """
    from studycards.cli import card_views

    _, day = clock(ctx)
    with ctx.open_store(create=False) as store:
        cards = store.cards.select(deck=deck, due_on=day if due else None, include_retired=retired)
    if as_json:
        echo_json({"day": day.isoformat(), "cards": [card_views.card_json(c) for c in cards]})
    else:
        click.echo(card_views.list_text(cards))


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
    with ctx.open_store(create=False) as store:
        found = store.questions.select(paper=paper, include_answered=show_all)
    if as_json:
        echo_json({"questions": [card_views.question_json(q) for q in found]})
    else:
        click.echo(card_views.questions_text(found))


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


@main.command()
@click.option("--deck", help="Only this deck (and its subdecks).")
@click.option("--new", "new", type=click.IntRange(min=0), help="New cards today at most (default 20, or new_per_day).")
@click.option(
    "--limit", type=click.IntRange(min=0), help="Due reviews today at most (default 200, or reviews_per_day)."
)
@pass_ctx
@handles_errors
def review(ctx: Context, deck: str | None, new: int | None, limit: int | None) -> None:
    """Review today's cards: due reviews first, most overdue first, then new cards.

    Keys: space or Enter shows the answer, 0-5 grades it (SM-2: 5 perfect,
    3 correct with difficulty, below 3 wrong), u undoes the last grade, s skips,
    e opens the card's notes in $EDITOR, l shows the raw LaTeX, q quits. Cards
    graded below 4 come back later in the session until graded 4 or 5. Each
    grade is saved when given; q or Ctrl-C keeps every answer so far. From a
    pipe, each line is one key (an empty line shows the answer).

    \b
    Example:
        studycards review --deck Papers::Transformer --new 10
        printf '\\n5\\n\\n3\\n' | studycards review
    """
    from studycards.cli.card_views import idle_text, summary_text
    from studycards.home import load_settings, now
    from studycards.review.session import Session, idle
    from studycards.review.terminal import Keys, Screen

    settings = load_settings(ctx.home)
    _, day = clock(ctx)
    with ctx.open_store() as store:
        with Keys(sys.stdin) as keys:
            session = Session(
                store,
                day,
                now,
                deck=deck,
                new=settings.new_per_day if new is None else new,
                limit=settings.reviews_per_day if limit is None else limit,
                open_editor=keys.open_editor,
            )
            if not session.queue:
                click.echo(idle_text(day, idle(store, day, deck)))
                return
            summary = session.run(keys, Screen(sys.stdout))
        click.echo(summary_text(summary))


@main.command()
@click.option("--deck", "decks", multiple=True, help="Only this deck and its subdecks (repeat for several).")
@click.option(
    "-o",
    "--output",
    default="studycards.apkg",
    show_default=True,
    type=click.Path(dir_okay=False),
    help="The Anki package to write.",
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
    from contextlib import nullcontext

    from studycards.anki.export import export_collection, export_size
    from studycards.cli.card_views import report_text

    moment, _ = clock(ctx)
    with ctx.open_store() as store:
        total = export_size(store, decks)
        bar = (
            click.progressbar(length=total, label="Exporting notes", file=sys.stderr) if total > 2000 else nullcontext()
        )
        with bar as progress:
            report = export_collection(
                store,
                Path(output),
                moment,
                decks=decks,
                questions_path=Path(questions_path) if questions_path else None,
                progress=progress.update if progress else None,
            )
    click.echo(report_text(report))

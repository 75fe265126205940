"""The command line: parse options, call one core function, print the result.

No logic lives here; every command's docstring is its ``--help`` and ends with an
example.  Core code raises ``StudycardsError``; it is printed once, as one line.
"""

from __future__ import annotations

import functools
import sys
from pathlib import Path
from typing import Any, Callable

import click

from studycards.errors import NotesErrors, StudycardsError


def _fail(message: str) -> None:
    click.echo(f"Error: {message}", err=True)
    sys.exit(1)


def handles_errors(func: Callable[..., Any]) -> Callable[..., Any]:
    """Turn our own errors into one clear line on stderr and exit status 1."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except NotesErrors as exc:
            for error in exc.errors:
                click.echo(str(error), err=True)
            _fail(f"{len(exc.errors)} error(s); nothing was written")
        except StudycardsError as exc:
            _fail(str(exc))
        except KeyboardInterrupt:
            click.echo("Interrupted; everything finished before it is kept.", err=True)
            sys.exit(130)
        except Exception as exc:
            import sqlite3

            ctx = click.get_current_context().find_object(Context)
            if ctx.verbose:
                raise
            if isinstance(exc, sqlite3.DatabaseError):  # busy or damaged in the middle of a command
                from studycards.store import database_error

                _fail(str(database_error(exc, ctx.home)))
            _fail(f"unexpected {type(exc).__name__}: {exc} (run with --verbose for details)")

    return wrapper


def echo_json(document: Any) -> None:
    import json

    click.echo(json.dumps(document, indent=2, ensure_ascii=False, default=str))


class Context:
    """What every command needs: where the home is, opened lazily."""

    def __init__(self, home: str | None, verbose: bool) -> None:
        self.home_option = home
        self.verbose = verbose

    @property
    def home(self) -> Path:
        from studycards.home import resolve_home

        return resolve_home(self.home_option)

    def open_store(self, create: bool = True):  # -> store.Store
        from studycards import store

        return store.open_store(self.home, create)


pass_ctx = click.make_pass_decorator(Context)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--home", type=click.Path(file_okay=False), help="Studycards home (default: $STUDYCARDS_HOME, else ~/.local/share/studycards).")
@click.option("--verbose", "-v", is_flag=True, help="Show more detail.")
@click.version_option(package_name="studycards")
@click.pass_context
def main(ctx: click.Context, home: str | None, verbose: bool) -> None:
    """Keep what you read in machine-learning papers.

    Fetch a paper from arXiv, write notes while reading, turn them into
    flashcards, review them every morning with SM-2, and export them to Anki.

    \b
    Example:
        studycards add decks/ && studycards status && studycards review
    """
    ctx.obj = Context(home, verbose)


# -- commands: add, status, list, questions (core loop) --


def _clock(ctx: Context):
    """The moment and study day every command works from (``$STUDYCARDS_NOW`` replaces the clock)."""
    from studycards.home import load_settings, now, study_day

    moment = now()
    return moment, study_day(moment, load_settings(ctx.home).day_start)


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
    from studycards.importer import add_notes
    from studycards.views import plan_text

    moment, _ = _clock(ctx)
    with ctx.open_store() as store:
        plan = add_notes(store, list(paths), moment, deck=deck, skip_bad=skip_bad, dry_run=dry_run)
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
    from studycards import views
    from studycards.store import collection_status

    _, day = _clock(ctx)
    statuses, forecast = collection_status(ctx.home, day, deck)
    if as_json:
        echo_json(views.status_json(day, statuses, forecast))
    else:
        click.echo(views.status_text(day, statuses, forecast))


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
    from studycards import views

    _, day = _clock(ctx)
    with ctx.open_store(create=False) as store:
        cards = store.cards(deck=deck, due_on=day if due else None, include_retired=retired)
    if as_json:
        echo_json({"day": day.isoformat(), "cards": [views.card_json(c) for c in cards]})
    else:
        click.echo(views.list_text(cards))


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
    from studycards import views

    ctx: Context = click_ctx.obj
    with ctx.open_store(create=False) as store:
        found = store.questions(paper=paper, include_answered=show_all)
    if as_json:
        echo_json({"questions": [views.question_json(q) for q in found]})
    else:
        click.echo(views.questions_text(found))


@questions.command()
@click.argument("question_id", metavar="ID", type=int)
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
    from studycards.answer import answer_question

    moment, _ = _clock(ctx)
    with ctx.open_store() as store:
        done = answer_question(store, question_id, text, moment)
    click.echo(f"Answered #{question_id}: it is now a Q/A card at {done.path}:{done.line} (deck {done.question.deck}).")


# -- commands: review --


@main.command()
@click.option("--deck", help="Only this deck (and its subdecks).")
@click.option("--new", "new", type=click.IntRange(min=0), help="New cards today at most (default 20, or new_per_day).")
@click.option("--limit", type=click.IntRange(min=0), help="Due reviews today at most (default 200, or reviews_per_day).")
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
    from studycards.home import load_settings, now
    from studycards.review import Session, idle_text
    from studycards.terminal import Keys, Screen, summary_text

    settings = load_settings(ctx.home)
    _, day = _clock(ctx)
    with ctx.open_store() as store:
        with Keys(sys.stdin) as keys:
            session = Session(store, day, now, deck=deck, new=settings.new_per_day if new is None else new,
                              limit=settings.reviews_per_day if limit is None else limit,
                              open_editor=keys.open_editor)
            if not session.queue:
                click.echo(idle_text(store, day, deck))
                return
            summary = session.run(keys, Screen(sys.stdout))
        click.echo(summary_text(summary))


# -- commands: fetch, papers --


def _check_ids(click_ctx: click.Context, param: click.Parameter, values: tuple[str, ...]) -> tuple[str, ...]:
    """Refuse anything that is not an arXiv id or URL before any network use (exit 2, like any bad argument)."""
    from studycards.arxiv_ids import parse_id

    for value in values:
        try:
            parse_id(value)
        except StudycardsError as exc:
            raise click.BadParameter(str(exc), click_ctx, param) from None
    return values


class _DownloadProgress:
    """Download progress on stderr: redrawn in place on a terminal, one line per download otherwise."""

    def __init__(self) -> None:
        self.current: str | None = None
        self.tty = sys.stderr.isatty()

    def __call__(self, ident: str, done: int, total: int | None) -> None:
        if ident != self.current:
            self.finish()
            self.current = ident
            if not self.tty:
                click.echo(f"Downloading the source of {ident} ...", err=True)
        if self.tty:
            size = f"{done / 1e6:.1f} MB" + (f" of {total / 1e6:.1f} MB" if total else "")
            click.echo(f"\rDownloading the source of {ident}: {size}", err=True, nl=False)

    def finish(self) -> None:
        if self.current and self.tty:
            click.echo("", err=True)
        self.current = None


@main.command()
@click.argument("ids", nargs=-1, required=True, metavar="ID_OR_URL...", callback=_check_ids)
@click.option("--no-source", is_flag=True, help="Store the metadata only; do not download the LaTeX source.")
@click.option("--refresh", is_flag=True, help="Ask arXiv again, even for papers already fetched.")
@click.option("--notes", type=click.Path(file_okay=False), help="Write a reading-guide notes file per paper here.")
@pass_ctx
@handles_errors
def fetch(ctx: Context, ids: tuple[str, ...], no_source: bool, refresh: bool, notes: str | None) -> None:
    """Fetch papers from arXiv: metadata, links to code, LaTeX source and its equations.

    ID_OR_URL is 1706.03762, 1706.03762v7, arXiv:1706.03762, an arxiv.org/abs
    or /pdf URL, or an old-style id such as hep-th/9901001.  All ids go to arXiv
    in one request; papers already fetched come from the store and the cache.

    With --notes DIR, each paper gets a reading-guide notes file in DIR (an
    existing file is never overwritten): abstract, conclusion, the numbered
    equations ready as cards, hyperparameters, datasets, compute, code links.

    \b
    Example:
        studycards fetch 1706.03762 https://arxiv.org/abs/2412.19437v1
        studycards fetch 1706.03762 --notes notes/
    """
    from studycards.fetch import fetch_papers, fetch_text, guides_text, write_guides

    moment, _ = _clock(ctx)
    progress = _DownloadProgress()
    with ctx.open_store() as store:
        try:
            results = fetch_papers(store, ctx.home, list(ids), now=moment, source=not no_source,
                                   refresh=refresh, progress=progress)
        finally:
            progress.finish()
    click.echo(fetch_text(results, ctx.home, ctx.verbose))
    if notes:
        click.echo(guides_text(write_guides(results, Path(notes))))


@main.command()
@click.option("--json", "as_json", is_flag=True, help="Print one JSON document.")
@pass_ctx
@handles_errors
def papers(ctx: Context, as_json: bool) -> None:
    """List fetched papers: whether the source is cached, equations extracted, cards made.

    \b
    Example:
        studycards papers --json
    """
    from studycards.fetch import papers_text

    with ctx.open_store(create=False) as store:
        rows = store.list_papers()
    if as_json:
        echo_json({"papers": rows})
    else:
        click.echo(papers_text(rows))

# -- commands: equations --


@main.command()
@click.argument("target", metavar="ID|FILE.tex|FOLDER")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON list.")
@click.option("--no-sympy", is_flag=True, help="Do not ask sympy (faster); render math from its LaTeX.")
@pass_ctx
@handles_errors
def equations(ctx: Context, target: str, as_json: bool, no_sympy: bool) -> None:
    """Show a paper's display equations, numbered as in its PDF.

    TARGET is a LaTeX file, a source folder, or the arXiv id of a fetched
    paper.  Each equation comes with its section and the sentence that
    introduces it; the paper's own macros are expanded.

    \b
    Example:
        studycards equations 1706.03762
        studycards equations paper/main.tex --json --no-sympy
    """
    from studycards import latex

    if Path(target).exists():
        source = Path(target)
    else:
        from studycards.fetch import cached_source

        with ctx.open_store(create=False) as store:
            source = cached_source(store, ctx.home, target)
    document = latex.read_document(source)
    found = document.equations if no_sympy else latex.with_sympy(document.equations)
    if ctx.verbose:
        for warning in document.warnings:
            click.echo(f"warning: {warning}", err=True)
    if as_json:
        echo_json(latex.equations_json(found))
    else:
        click.echo(latex.equations_text(found, sympy=not no_sympy))

# -- commands: export --


@main.command()
@click.option("--deck", "decks", multiple=True, help="Only this deck and its subdecks (repeat for several).")
@click.option("-o", "--output", default="studycards.apkg", show_default=True, type=click.Path(dir_okay=False),
              help="The Anki package to write.")
@click.option("--questions", "questions_path", type=click.Path(dir_okay=False),
              help="Where to write the open questions (default: questions.md beside the package).")
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

    from studycards.export import export_collection, export_size, report_text

    moment, _ = _clock(ctx)
    with ctx.open_store() as store:
        total = export_size(store, decks)
        bar = click.progressbar(length=total, label="Exporting notes", file=sys.stderr) if total > 2000 \
            else nullcontext()
        with bar as progress:
            report = export_collection(store, Path(output), moment, decks=decks,
                                       questions_path=Path(questions_path) if questions_path else None,
                                       progress=progress.update if progress else None)
    click.echo(report_text(report))

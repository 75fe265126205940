"""What every command shares: the ``studycards`` group, its options, the home, the clock, error printing."""

from __future__ import annotations

import functools
import sys
from collections.abc import Callable
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from studycards.errors import NotesErrors, StudycardsError

if TYPE_CHECKING:
    from studycards.store import Store


def say(text: str, *, err: bool = False, nl: bool = True) -> None:
    """``click.echo`` for text that holds anything from outside: its control characters are shown, not obeyed."""
    from studycards.text import terminal_safe

    click.echo(terminal_safe(text), err=err, nl=nl)


def _fail(message: str) -> None:
    say(f"Error: {message}", err=True)
    sys.exit(1)


class Interrupted(KeyboardInterrupt):
    """A Ctrl-C caught by a command that knows what it kept: its message says so instead of the general line."""


def handles_errors(func: Callable[..., Any]) -> Callable[..., Any]:
    """Turn our own errors into one clear line on stderr and exit status 1."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except NotesErrors as exc:
            for error in exc.errors:
                say(str(error), err=True)
            from studycards.text import plural

            _fail(f"{plural(len(exc.errors), 'error')}; nothing was written")
        except StudycardsError as exc:
            _fail(str(exc))
        except KeyboardInterrupt as exc:
            kept = str(exc) if isinstance(exc, Interrupted) else "everything finished before it is kept"
            click.echo(f"Interrupted; {kept}.", err=True)
            sys.exit(130)
        except Exception as exc:
            from studycards.home import DB_NAME
            from studycards.store.errors import user_error

            ctx = click.get_current_context().find_object(Context)
            if ctx is None or ctx.verbose:
                raise
            failure = user_error(exc, ctx.home / DB_NAME)  # the database or its disk failed mid-command
            if failure is not None:
                _fail(str(failure))
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

    def open_store(self, create: bool = True) -> Store:
        from studycards.store import database as store

        return store.open_store(self.home, create)


pass_ctx = click.make_pass_decorator(Context)

# The order of the road a paper travels (README: A day with studycards); a command not named here
# (one added later) follows, alphabetically, and a name here with no command yet is simply skipped.
ROAD = (
    "fetch",
    "highlights",
    "add",
    "review",
    "status",
    "search",
    "show",
    "stats",
    "questions",
    "export",
    "papers",
    "equations",
    "sync",
    "config",
    "list",
    "suspend",
    "unsuspend",
    "bury",
)


class RoadGroup(click.Group):
    """``studycards --help`` lists the commands in the order they are used, each summary whole (never cut by ...)."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        names = super().list_commands(ctx)
        return [name for name in ROAD if name in names] + sorted(set(names) - set(ROAD))

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        rows = []
        for name in self.list_commands(ctx):
            command = self.get_command(ctx, name)
            if command is not None and not command.hidden:
                rows.append((name, command.short_help or _first_sentence(command.help or "")))
        if rows:
            with formatter.section("Commands"):
                formatter.write_dl(rows)


def _first_sentence(text: str) -> str:
    """A command's summary when it gives no ``short_help``: its help up to the first full stop, whole."""
    flat = " ".join(text.split("\n\n")[0].split())
    head, dot, _ = flat.partition(". ")
    return head + "." if dot else flat


@click.group(cls=RoadGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.option(
    "--home",
    type=click.Path(file_okay=False),
    help="Studycards home (default: $STUDYCARDS_HOME, else ~/.local/share/studycards).",
)
@click.option("--verbose", "-v", is_flag=True, help="Show more detail.")
@click.version_option(package_name="studycards")
@click.pass_context
def main(ctx: click.Context, home: str | None, verbose: bool) -> None:
    """Keep what you read in machine-learning papers.

    Fetch a paper from arXiv, write notes while reading, turn them into
    flashcards, review them every morning with SM-2, and export them to Anki.

    \b
    Example:
        studycards fetch 1706.03762 --notes notes/
        $EDITOR notes/attention-is-all-you-need.md
        studycards add notes/ && studycards review
        studycards export -o papers.apkg
    """
    ctx.obj = Context(home, verbose)


def clock(ctx: Context) -> tuple[datetime, date]:
    """The moment and study day every command works from (``$STUDYCARDS_NOW`` replaces the clock)."""
    from studycards.home import load_settings, now, study_day

    moment = now()
    return moment, study_day(moment, load_settings(ctx.home).day_start)

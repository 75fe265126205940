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


def handles_errors(func: Callable[..., Any]) -> Callable[..., Any]:
    """Turn our own errors into one clear line on stderr and exit status 1."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except NotesErrors as exc:
            for error in exc.errors:
                say(str(error), err=True)
            _fail(f"{len(exc.errors)} error(s); nothing was written")
        except StudycardsError as exc:
            _fail(str(exc))
        except KeyboardInterrupt:
            click.echo("Interrupted; everything finished before it is kept.", err=True)
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


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
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
        studycards add decks/ && studycards status && studycards review
    """
    ctx.obj = Context(home, verbose)


def clock(ctx: Context) -> tuple[datetime, date]:
    """The moment and study day every command works from (``$STUDYCARDS_NOW`` replaces the clock)."""
    from studycards.home import load_settings, now, study_day

    moment = now()
    return moment, study_day(moment, load_settings(ctx.home).day_start)

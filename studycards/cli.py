"""The command line: parse options, call one core function, print the result.

No logic lives here; every command's docstring is its ``--help`` and ends with an
example.  Core code raises ``StudycardsError``; it is printed once, as one line.
"""

from __future__ import annotations

import functools
import json
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

    return wrapper


def echo_json(document: Any) -> None:
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

    def open_store(self):  # -> store.Store
        from studycards import store

        return store.open_store(self.home)


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

# -- commands: review --

# -- commands: fetch, papers --

# -- commands: equations --

# -- commands: export --

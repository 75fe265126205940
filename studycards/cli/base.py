"""What every command shares: the ``studycards`` group, its options, the home, the clock, error printing."""

from __future__ import annotations

import functools
import importlib
import os
import sys
from collections.abc import Callable, Mapping
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from studycards.errors import NotesErrors, StudycardsError
from studycards.text import columns

if TYPE_CHECKING:
    from click.shell_completion import CompletionItem

    from studycards.store import Store


def say(text: str, *, err: bool = False, nl: bool = True) -> None:
    """``click.echo`` for text that holds anything from outside: its control characters are shown, not obeyed."""
    from studycards.text import terminal_safe

    click.echo(terminal_safe(text), err=err, nl=nl)


def _fail(message: str) -> None:
    say(f"Error: {message}", err=True)
    sys.exit(1)


def _reader_gone() -> None:
    """Whoever read our output stopped (``studycards review | head``): what they took was all they wanted, and
    what is done is kept, so there is nothing to say and no one to say it to.  Exit as a command that SIGPIPE
    ends does (141), with the output pointed at /dev/null so Python's last flush at exit finds no pipe."""
    os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
    sys.exit(141)


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
        except BrokenPipeError:
            _reader_gone()
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

# Every command in the order of the road a paper travels (README: A day with studycards), with the module of
# studycards/cli/ that defines it and the one line ``studycards --help`` gives it.  This is each command's only
# short help, so --help lists every command (and completion completes it) without importing a command module.
COMMANDS: dict[str, tuple[str, str]] = {
    "fetch": ("papers", "Fetch papers from arXiv: metadata, source, equations."),
    "highlights": ("highlights", "Turn a highlighted PDF into the paper's notes file."),
    "add": ("cards", "Turn notes files or folders into cards (safe to re-run)."),
    "review": ("review", "Review today's cards in the terminal (SM-2)."),
    "status": ("status", "Cards per deck, ready today, and the next 7 days."),
    "search": ("collection", "Search cards, questions, papers and equations."),
    "show": ("collection", "Show one card with every grade it was given."),
    "stats": ("collection", "Heatmap, forecast, streaks and retention."),
    "questions": ("cards", "Open research questions from your notes, by paper."),
    "export": ("cards", "Write an Anki package (and questions.md beside it)."),
    "papers": ("papers", "List fetched papers with their cards and questions."),
    "equations": ("papers", "Show a paper's display equations, numbered as in its PDF."),
    "sync": ("sync", "Share reviews with your other machines: a synced folder or git."),
    "config": ("settings", "Show every setting, or set one in config.toml."),
    "list": ("cards", "List cards with their schedule."),
    "suspend": ("review", "Keep cards out of every session until unsuspended."),
    "unsuspend": ("review", "Bring suspended cards back into the sessions."),
    "bury": ("review", "Leave cards out of today's sessions."),
}
ROAD = tuple(COMMANDS)


class HelpContext(click.Context):
    """click's context, its help laid out as click lays it out, at the width click would choose."""

    def make_formatter(self) -> click.HelpFormatter:
        """The terminal measured by ``columns``: click's own measure imports shutil, 2 ms of ``--help``'s start."""
        from click import formatting

        if self.terminal_width is not None or formatting.FORCED_WIDTH is not None:
            return super().make_formatter()
        width = max(min(columns(), self.max_content_width or 80) - 2, 50)  # click's rule (HelpFormatter)
        return self.formatter_class(width=width, max_width=self.max_content_width)


class RoadGroup(click.Group):
    """``studycards --help`` lists the commands in the order they are used, each summary whole (never cut by ...).

    A command named in ``lazy`` (name: its module, its one line) is imported when it runs or is asked for, not
    when the group is: ``--help`` and completion read the table, and ``status`` loads its own module alone.  A
    command not on the road (one added later) follows, alphabetically.
    """

    context_class = HelpContext

    def __init__(self, *args: Any, lazy: Mapping[str, tuple[str, str]] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.lazy = dict(lazy or {})

    def add_command(self, cmd: click.Command, name: str | None = None) -> None:
        """A command in the table takes its one line from there, so it is written once."""
        super().add_command(cmd, name)
        if entry := self.lazy.get(name or cmd.name or ""):
            cmd.short_help = entry[1]

    def get_command(self, ctx: click.Context, name: str) -> click.Command | None:
        if name not in self.commands and name in self.lazy:
            importlib.import_module(f"studycards.cli.{self.lazy[name][0]}")  # its decorators add its commands
        return self.commands.get(name)

    def list_commands(self, ctx: click.Context) -> list[str]:
        names = set(self.commands) | set(self.lazy)
        return [name for name in ROAD if name in names] + sorted(names - set(ROAD))

    def resolve_command(
        self, ctx: click.Context, args: list[str]
    ) -> tuple[str | None, click.Command | None, list[str]]:
        """A mistyped name gets click's nearest commands ("Did you mean"): it compares the loaded ones, so load all."""
        if args and self.get_command(ctx, args[0]) is None:
            for name in self.lazy:
                self.get_command(ctx, name)
        return super().resolve_command(ctx, args)

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        rows = [(name, summary) for name in self.list_commands(ctx) if (summary := self._summary(name)) is not None]
        if rows:
            with formatter.section("Commands"):
                formatter.write_dl(rows)

    def shell_complete(self, ctx: click.Context, incomplete: str) -> list[CompletionItem]:
        """Command names complete from the table, as ``--help`` lists them; options as click completes them."""
        from click.shell_completion import CompletionItem

        names = [name for name in self.list_commands(ctx) if name.startswith(incomplete)]
        found = [CompletionItem(name, help=summary) for name in names if (summary := self._summary(name)) is not None]
        return found + click.Command.shell_complete(self, ctx, incomplete)

    def _summary(self, name: str) -> str | None:
        """The one line a command is listed with (None: hidden), read from the table until it is loaded."""
        command = self.commands.get(name)
        if command is None:
            return self.lazy[name][1]
        if command.hidden:
            return None
        return command.short_help or _first_sentence(command.help or "")


def _first_sentence(text: str) -> str:
    """A command's summary when it gives no ``short_help``: its help up to the first full stop, whole."""
    flat = " ".join(text.split("\n\n")[0].split())
    head, dot, _ = flat.partition(". ")
    return head + "." if dot else flat


@click.group(cls=RoadGroup, lazy=COMMANDS, context_settings={"help_option_names": ["-h", "--help"]})
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

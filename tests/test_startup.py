"""The cheap guard for start-up time: help and status must not import the heavy libraries."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from studycards.cli.base import COMMANDS

HEAVY = ("sympy", "genanki", "arxiv", "requests", "markdown_it", "anki", "yaml")
PROBE = """
import json, sys
from studycards.cli import main
try:
    main(sys.argv[1:], standalone_mode=False)
finally:
    sys.stdout.flush()
    print(json.dumps(sorted(m for m in sys.modules if m.split('.')[0] in {heavy!r})), file=sys.stderr)
"""


@pytest.mark.parametrize("args", [["--help"], ["status"], ["status", "--json"], ["list"], ["questions"]])
def test_light_commands_import_no_heavy_library(args, home):
    result = subprocess.run(
        [sys.executable, "-c", PROBE.format(heavy=set(HEAVY)), *args], capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stderr.strip().splitlines()[-1]) == []


@pytest.mark.parametrize("args", [["--help"], ["status"]])
def test_help_and_status_do_without_dataclasses(args, home):
    """dataclasses (with inspect and copy behind it) was the dearest import left; records are NamedTuples."""
    result = subprocess.run(
        [sys.executable, "-c", PROBE.format(heavy={"dataclasses"}), *args], capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stderr.strip().splitlines()[-1]) == []


EVERY_MODULE = """
import json, sys
from studycards.cli import main
try:
    main(sys.argv[1:], standalone_mode=False)
finally:
    sys.stdout.flush()
    print(json.dumps(sorted(sys.modules)), file=sys.stderr)
"""
COMMAND_MODULES = {f"studycards.cli.{module}" for module, _ in COMMANDS.values()}


@pytest.mark.parametrize(
    ("args", "loaded"),
    [(["--help"], set()), (["status"], {"studycards.cli.status"}), (["status", "--json"], {"studycards.cli.status"})],
)
def test_help_and_status_import_no_other_commands_module_nor_shutil(args, loaded, home):
    """A command's module is imported when it runs; --help lists them all from one table (and measures the
    terminal without shutil, which brings zlib, bz2 and lzma)."""
    result = subprocess.run([sys.executable, "-c", EVERY_MODULE, *args], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert set(json.loads(result.stderr.strip().splitlines()[-1])) & (COMMAND_MODULES | {"shutil"}) == loaded


def test_every_command_is_in_the_table_in_the_module_it_names_with_the_line_help_lists(commands):
    """The table is where --help reads a command's one line and where a command is looked for: it names each
    command that exists, in the module that defines it, and each command takes its short help from it."""
    assert set(commands) == set(COMMANDS)
    for name, (module, summary) in COMMANDS.items():
        assert commands[name].callback.__module__.startswith(f"studycards.cli.{module}"), name
        assert commands[name].get_short_help_str(limit=200) == summary, name
    listed = subprocess.run(
        [sys.executable, "-m", "studycards", "--help"],
        capture_output=True,
        text=True,
        env={**os.environ, "COLUMNS": "200"},
    ).stdout.split("Commands:\n", 1)[1]
    assert [line.split(None, 1) for line in listed.splitlines()] == [[n, s] for n, (_, s) in COMMANDS.items()]


@pytest.mark.parametrize("width", ["40", "60", "79", "100", "250", ""])
def test_help_is_laid_out_as_click_lays_it_out_at_every_width(width, home):
    """--help measures the terminal itself (no shutil): what it prints is what click's own measure gives."""
    environ = {**os.environ, "COLUMNS": width}
    ours, clicks = (
        subprocess.run(
            [sys.executable, "-c", HELP.format(measure=measure)], capture_output=True, text=True, env=environ
        )
        for measure in ("pass", "main.context_class = click.Context")
    )
    assert ours.returncode == clicks.returncode == 0, ours.stderr + clicks.stderr
    assert ours.stdout == clicks.stdout
    assert "Commands:" in ours.stdout


AS_STUDYCARDS = "from studycards.cli import main; main(prog_name='studycards')"
HELP = """
import click
from studycards.cli import main
{measure}
main(["--help"], prog_name="studycards")
"""


@pytest.mark.parametrize("value", ["123", "0", "-5", "wide", None])
def test_columns_is_what_shutil_gives(value, monkeypatch):
    import shutil

    from studycards.text import columns

    if value is None:
        monkeypatch.delenv("COLUMNS", raising=False)
    else:
        monkeypatch.setenv("COLUMNS", value)
    assert columns() == shutil.get_terminal_size().columns
    assert columns(57) == shutil.get_terminal_size((57, 24)).columns


def test_a_mistyped_command_is_told_the_nearest_ones(cli):
    result = cli("stauts")
    assert result.exit_code == 2
    assert "No such command 'stauts'." in result.stderr
    assert "'status'" in result.stderr and "'stats'" in result.stderr


def test_completion_lists_every_command_with_its_line_from_the_table():
    environ = {**os.environ, "_STUDYCARDS_COMPLETE": "zsh_complete", "COMP_WORDS": "studycards s", "COMP_CWORD": "1"}
    result = subprocess.run([sys.executable, "-c", AS_STUDYCARDS], capture_output=True, text=True, env=environ)
    assert result.returncode == 0, result.stderr
    triples = result.stdout.splitlines()
    got = [(triples[i + 1], triples[i + 2]) for i in range(0, len(triples), 3)]
    assert got == [(n, s) for n, (_, s) in COMMANDS.items() if n.startswith("s")]


REVIEW_PROBE = """
import json, sys
from studycards.cli import main
from studycards.review.terminal import Screen
shown = Screen.show
def show(self, frame):
    if not hasattr(Screen, "first"):
        Screen.first = sorted(sys.modules)
    shown(self, frame)
Screen.show = show
main(["review"], standalone_mode=False)
sys.stdout.flush()
print(json.dumps([Screen.first, sorted(sys.modules)]), file=sys.stderr)
"""


def review_modules(cli, tmp_path, notes_text: str) -> tuple[set[str], set[str], str]:
    """A piped review of these notes, quit at once: the modules loaded when its first card showed, those loaded
    by its end, and what it printed."""
    notes = tmp_path / "n.md"
    notes.write_text(notes_text, encoding="utf-8")
    assert cli("add", notes).exit_code == 0
    result = subprocess.run(
        [sys.executable, "-c", REVIEW_PROBE], input="q\n", capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr
    first, last = (set(names) for names in json.loads(result.stderr.strip().splitlines()[-1]))
    return first, last, result.stdout


def test_review_shows_its_first_card_without_the_parser_wcwidth_or_the_editors_modules(cli, tmp_path):
    """What a review needs before its first card: not the notes parser, not wcwidth for Greek and subscripts."""
    text = "# N\n\nWhat is $x_0$ in $\\alpha$-space? :: It is $\\beta_1 \\to \\infty$\n"
    _, loaded, printed = review_modules(cli, tmp_path, text)
    assert "x₀ in α-space?" in printed
    assert loaded & {"wcwidth", "studycards.notes.parser", "subprocess", "shlex", *HEAVY} == set()
    # nor what a pipe does without: shutil (zlib, bz2, lzma), dataclasses, signal's enums, the other commands
    assert loaded & {"shutil", "dataclasses", "signal", "select"} == set()
    assert loaded & COMMAND_MODULES == {"studycards.cli.review"}


def test_review_loads_the_grades_modules_only_once_its_first_card_is_on_screen(cli, tmp_path):
    """The review log's writer and the sync events it logs load while the first card is read, not before; so
    does the look for a drawer to start (for equations a killed one left)."""
    first, last, _ = review_modules(cli, tmp_path, "# N\n\nOne? :: Yes\n\nTwo? :: No\n")
    grading = {"studycards.store.reviews", "studycards.store.events", "studycards.store.review_days"}
    later = {*grading, "studycards.mathtext.drawer", "studycards.store.search_backlog"}
    assert first & later == set()
    assert later <= last


EVALUATED = [
    "studycards.models",
    "studycards.home",
    "studycards.review.records",
    "studycards.review.queue",
    "studycards.review.session",
    "studycards.review.layout",
    "studycards.store.counts",
    "studycards.notes.syntax",
    "studycards.store.cards",
    "studycards.mathtext.unicode",
    "studycards.review.prepared",
]


@pytest.mark.parametrize("module", EVALUATED)
def test_the_records_status_and_review_define_first_have_evaluated_annotations(module):
    """typing.NamedTuple compiles each annotation left as a string by ``from __future__ import annotations``
    into a ForwardRef: about twice the time to define a record, over the dozens status and review define."""
    import __future__

    import importlib

    loaded = importlib.import_module(module)
    assert getattr(loaded, "annotations", None) is not __future__.annotations
    assert any(isinstance(v, type) and issubclass(v, tuple) and v.__module__ == module for v in vars(loaded).values())


COMPILED_PROBE = """
import sys
from studycards.cli import main
main(sys.argv[1:], standalone_mode=False)
print("HOLDS_CJK" in vars(sys.modules["studycards.store.search_schema"]), file=sys.stderr)
layout = sys.modules.get("studycards.review.layout")
print(bool(layout and layout._kept_lines.cache_info().currsize), file=sys.stderr)
"""


@pytest.mark.parametrize("args", [["status"], ["review"]])
def test_opening_the_store_leaves_the_search_pattern_uncompiled(args, cli, tmp_path):
    """Every opened store imports the search schema (through the migrations); its CJK pattern takes 1.5 ms to
    compile, so it is compiled when a search or an insert first needs it.  Nor does a card of one-line sides
    compile the layout's patterns for lists and drawings."""
    notes = tmp_path / "n.md"
    notes.write_text("# N\n\nOne :: 1\n", encoding="utf-8")
    assert cli("add", notes).exit_code == 0
    result = subprocess.run(
        [sys.executable, "-c", COMPILED_PROBE, *args], input="q\n", capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr
    assert result.stderr.strip().splitlines()[-2:] == ["False", "False"]

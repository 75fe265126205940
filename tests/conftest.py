"""Shared fixtures: every test gets its own studycards home; the corpus is found beside the clone.

``cli`` runs ``studycards`` in-process at a fixed clock, as a user would type it; ``rows`` reads the
collection's tables with plain SQL, so a test checks what was written without going through the store.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import closing
from pathlib import Path

import click
import pytest
from click.testing import CliRunner, Result

from studycards.cli import main
from studycards.home import SETTINGS
from tests.arxiv_server import ArxivServer
from tests.paths import CORPUS

NOW = "2026-11-23T09:00:00"
DRAW_MATH = SETTINGS["draw_math"]  # as studycards ships it, before any test chooses

# Tests that take seconds: killed and interrupted processes, pseudo-terminals, racing writers, hostile
# inputs, large files, long property runs.  ``python -m pytest -m "not slow"`` leaves them out for a quick
# edit loop.  A whole file or one test (optionally one parameter set); test_layout checks every name exists.
SLOW = (
    "tests/test_crash.py",
    "tests/test_interrupt.py",
    "tests/test_review_pty.py",
    "tests/test_review_pty_habits.py",
    "tests/test_stats_pty.py",
    "tests/test_sync_property.py",
    "tests/test_concurrency.py::test_the_same_notes_added_twice_at_once",
    "tests/test_concurrency.py::test_two_adds_on_a_fresh_home_at_once",
    "tests/test_concurrency.py::test_review_while_add_writes_a_large_file",
    "tests/test_hostile_latex.py::test_huge_single_lines_are_read_in_bounded_memory",
    "tests/test_hostile_latex.py::test_a_macro_that_expands_forever_stops_with_a_warning[nested arguments]",
    "tests/test_drawer.py::test_a_drawer_killed_halfway_leaves_the_rest_pending_and_the_next_add_starts_another",
    "tests/test_drawer.py::test_two_adds_racing_start_one_drawer",
    "tests/test_drawer.py::test_the_drawer_waits_for_a_busy_collection_and_then_finishes",
    "tests/test_add.py::test_adding_a_100000_card_file_peaks_under_150_mb",
    "tests/test_export.py::test_the_shortcut_for_simple_paragraphs_renders_as_markdown_it_does",
    "tests/test_anki_fields.py::test_hard_cases_and_the_sample_decks_render_in_anki_as_written",
    "tests/test_fuzz.py::test_mutated_notes_parse_the_same_twice_and_raise_nothing",
    "tests/test_fuzz.py::test_mutated_latex_extracts_the_same_twice_and_raises_only_our_error",
    "tests/test_answer_safety.py::test_two_answers_on_one_file_at_the_same_moment_both_land",
    "tests/test_answer_safety.py::test_answer_killed_at_any_moment_leaves_file_and_store_agreeing",
    "tests/test_downloads.py::test_an_eprint_sent_a_byte_at_a_time_stops_at_the_deadline",
    "tests/test_export_safety.py::test_an_export_of_many_decks_writes_the_deck_list_once",
    "tests/test_export_safety.py::test_a_killed_export_leaves_nothing_in_tmpdir_and_the_next_export_cleans_up",
    "tests/test_highlights.py::test_every_annotation_of_the_corpus_pdfs_is_read_as_its_reader_made_it[hotos17.pdf]",
    "tests/test_highlights.py::test_a_corpus_pdf_goes_into_a_new_notes_file_by_colour",
    "tests/test_progress.py::test_a_large_add_shows_its_steps_and_ctrl_c_says_nothing_was_added",
    "tests/test_progress.py::test_ctrl_c_while_add_draws_its_equations_keeps_the_cards_and_leaves_the_rest_to_the_background",
    "tests/test_progress.py::test_export_on_a_terminal_counts_the_notes_and_a_pipe_sees_only_the_report",
    "tests/test_highlights.py::test_the_round_trip_quotes_by_colour_comments_as_cards_and_each_highlight_once",
)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Mark the tests named in ``SLOW``: one list, so the files that hold them need no edit to join it."""
    for item in items:
        path, _, name = item.nodeid.partition("::")
        if {path, f"{path}::{name}", f"{path}::{name.partition('[')[0]}"} & set(SLOW):
            item.add_marker(pytest.mark.slow)


@pytest.fixture(autouse=True)
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A fresh home per test, so no test touches the user's data.

    In-process commands draw display equations before ``add`` returns (``draw_math = "at add"``), so the
    many tests that look at drawings right after ``add`` see them and no test leaves a drawer running;
    the default, a drawer in the background, is tested end to end with the ``background`` fixture.
    """
    path = tmp_path / "home"
    monkeypatch.setenv("STUDYCARDS_HOME", str(path))
    monkeypatch.delenv("STUDYCARDS_NOW", raising=False)
    monkeypatch.setitem(SETTINGS, "draw_math", DRAW_MATH._replace(default="at add"))
    return path


@pytest.fixture
def background(home: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The home with studycards' own default: display equations drawn by a drawer process after ``add``."""
    monkeypatch.setitem(SETTINGS, "draw_math", DRAW_MATH)
    return home


@pytest.fixture
def corpus() -> Path:
    """The shared corpus of real papers and arXiv answers; CI has it beside the clone."""
    if not CORPUS.is_dir():
        pytest.skip(f"shared corpus not found at {CORPUS}: set STUDYCARDS_CORPUS (CI has it beside the clone)")
    return CORPUS


@pytest.fixture
def arxiv_server(corpus: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[ArxivServer]:
    """A running local arXiv; ``STUDYCARDS_ARXIV_*`` point at it, with no delay and quick back-off."""
    with ArxivServer(corpus) as server:
        monkeypatch.setenv("STUDYCARDS_ARXIV_API_URL", server.api_url)
        monkeypatch.setenv("STUDYCARDS_ARXIV_SRC_URL", server.src_url)
        monkeypatch.setenv("STUDYCARDS_ARXIV_DELAY", "0")
        monkeypatch.setenv("STUDYCARDS_ARXIV_BACKOFF", "0.05")
        monkeypatch.setenv("STUDYCARDS_ARXIV_TIMEOUT", "2")
        yield server


@pytest.fixture
def anki(tmp_path: Path) -> Iterator:
    """A fresh Anki collection; ``anki.load(path)`` imports a package and returns Anki's import log."""
    from anki.collection import Collection, ImportAnkiPackageOptions, ImportAnkiPackageRequest

    col = Collection(str(tmp_path / "collection.anki2"))

    def load(package: Path):
        request = ImportAnkiPackageRequest(package_path=str(package), options=ImportAnkiPackageOptions())
        return col.import_anki_package(request).log

    col.load = load
    yield col
    col.close()


class Cli:
    """``studycards ARGS`` run in-process; ``now`` is the clock (``$STUDYCARDS_NOW``), None for the real one."""

    def __init__(self, now: str | None = NOW) -> None:
        self.now = now

    def __call__(
        self,
        *args: str | Path,
        input: str | None = None,
        now: str | None = None,
        env: dict[str, str] | None = None,
        catch_exceptions: bool = False,
    ) -> Result:
        clock = now or self.now
        full_env = {"STUDYCARDS_NOW": clock} if clock else {}
        return CliRunner().invoke(
            main,
            [str(arg) for arg in args],
            input=input,
            env={**full_env, **(env or {})},
            catch_exceptions=catch_exceptions,
        )


@pytest.fixture
def cli(home: Path) -> Cli:
    """Run a command: ``cli("add", path)``; set ``cli.now`` to move the clock for the calls that follow."""
    return Cli()


@pytest.fixture
def commands() -> dict[str, click.Command]:
    """Every command of ``studycards``, by name, reached as a user's command line reaches it (each module is
    imported when its command is first asked for, so ``main.commands`` alone holds only those used so far)."""
    ctx = click.Context(main)
    found = {name: main.get_command(ctx, name) for name in main.list_commands(ctx)}
    return {name: command for name, command in found.items() if command is not None}


class Rows:
    """Rows of the collection in ``home``, read by a fresh connection each time so they are what a reader sees."""

    def __init__(self, home: Path) -> None:
        self.db = home / "studycards.db"

    def __call__(self, sql: str, *params: object) -> list[tuple]:
        if not self.db.exists():
            raise AssertionError(f"no collection at {self.db}")
        with closing(sqlite3.connect(self.db)) as conn:
            return conn.execute(sql, params).fetchall()

    def tables(self, *names: str) -> list[list[tuple]]:
        """Each table whole, in id order ([] for a home with no collection yet): the state a test compares."""
        if not self.db.exists():
            return []
        return [self(f"SELECT * FROM {name} ORDER BY 1") for name in names]


@pytest.fixture
def rows(home: Path) -> Rows:
    """``rows("SELECT front FROM cards WHERE retired = ?", 1)`` on the test's own collection."""
    return Rows(home)


@pytest.fixture(scope="session")
def year_source(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A home with a year of simulated reviews, built once per run (it takes a second or two)."""
    from tests import year

    return year.built_once(tmp_path_factory)


@pytest.fixture
def a_year(year_source: Path, home: Path, cli: Cli) -> Cli:
    """The test's own copy of the year-long collection; returns the ``cli`` that runs on it."""
    from tests import year

    year.install(year_source, home)
    return cli

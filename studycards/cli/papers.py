"""Commands on papers: fetch, papers, equations."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import click

from studycards.cli.base import Context, clock, echo_json, handles_errors, main, pass_ctx, say
from studycards.errors import StudycardsError

if TYPE_CHECKING:
    from studycards.models import Equation
    from studycards.paper.network import Wait


def _check_ids(click_ctx: click.Context, param: click.Parameter, values: tuple[str, ...]) -> tuple[str, ...]:
    """Refuse anything that is not an arXiv id or URL before any network use (exit 2, like any bad argument)."""
    from studycards.paper.ids import parse_id

    for value in values:
        try:
            parse_id(value)
        except StudycardsError as exc:
            raise click.BadParameter(str(exc), click_ctx, param) from None
    return values


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
    from dataclasses import replace

    from studycards.cli.paper_views import download_text, fetch_text, guides_text, wait_text
    from studycards.cli.progress import Progress
    from studycards.paper.fetch import fetch_papers, write_guides

    moment, _ = clock(ctx)
    with ctx.open_store() as store, Progress() as progress:

        def waiting(wait: Wait) -> None:
            if wait.seconds is not None:
                progress.note(wait_text(wait))
            progress.spin(wait_text(replace(wait, status=None)))

        def downloading(ident: str, done: int, total: int | None) -> None:
            progress.show(download_text(ident, done, total), force=total is not None and done >= total)

        results = fetch_papers(
            store,
            ctx.home,
            list(ids),
            now=moment,
            source=not no_source,
            refresh=refresh,
            progress=downloading,
            on_wait=waiting,
        )
    say(fetch_text(results, ctx.home, ctx.verbose))
    if notes:
        say(guides_text(write_guides(results, Path(notes))))


@main.command()
@click.option("--json", "as_json", is_flag=True, help="Print one JSON document.")
@pass_ctx
@handles_errors
def papers(ctx: Context, as_json: bool) -> None:
    """List fetched papers: source cached, equations, cards (learned, due today, new), open questions, last review.

    \b
    Example:
        studycards papers --json
    """
    from studycards.cli.paper_views import papers_text

    _, day = clock(ctx)
    with ctx.open_store(create=False) as store:
        rows = store.papers.summaries(day)
    if as_json:
        echo_json({"papers": [row._asdict() for row in rows]})
    else:
        say(papers_text(rows))


@main.command()
@click.argument("target", metavar="ID|FILE.tex|FOLDER")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON document.")
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
    from studycards.cli.paper_views import equations_json, equations_text, equations_warnings_text
    from studycards.latex import document as latex

    found: Sequence[Equation]
    others: Sequence[str] = ()
    if Path(target).exists():
        document = latex.read_document(Path(target))
        found = document.equations if no_sympy else latex.with_sympy(document.equations)
        explained = document.number_warnings
        others = [warning for warning in document.warnings if warning not in explained]
    else:
        from studycards.paper.fetch import paper_equations

        with ctx.open_store(create=False) as store:
            found, explained = paper_equations(store, ctx.home, target)
        if no_sympy:
            found = [eq._replace(pretty=None, symbols=()) for eq in found]
    if as_json:
        echo_json(equations_json(target, found))
    else:
        say(equations_text(found))
    warnings = equations_warnings_text(explained, others if ctx.verbose else ())
    if warnings:
        say(warnings, err=True)

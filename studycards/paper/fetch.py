"""Fetching papers: ids -> metadata, e-print, source and its equations -> the store, in one transaction.

Every id is read before the network is touched; papers already stored are
taken from the store (and their e-prints from the cache) unless ``refresh``.
The raw e-print is kept as ``cache/arxiv/ID/eprint`` and unpacked into
``cache/arxiv/ID/src/``.  Nothing is written to the store until everything
was fetched, so a failure leaves it as it was.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from studycards.errors import StudycardsError
from studycards.models import Equation, Paper
from studycards.paper.ids import ArxivId, find_code_links, parse_id

if TYPE_CHECKING:
    from studycards.paper.arxiv import ArxivClient
    from studycards.store.database import Store

ProgressFn = Callable[[str, int, "int | None"], None]


@dataclass(frozen=True)
class FetchResult:
    """What ``fetch`` did for one paper."""

    paper: Paper
    fetched: bool  # False: it was already stored and nothing was asked of arXiv
    source: str | None = None  # "tar", "tex", "pdf" (arXiv has no LaTeX), "cached", or None (not asked)
    source_dir: Path | None = None
    main: Path | None = None
    equations: int | None = None  # None: not extracted this time
    problem: str | None = None  # why there are no equations, in one line
    warnings: tuple[str, ...] = ()  # what the LaTeX reader could not follow


@dataclass
class _Plan:
    ident: ArxivId
    stored: Paper | None
    stored_source: Path | None
    paper: Paper | None = None
    result: FetchResult | None = None
    equations: tuple[Equation, ...] | None = None


def cache_dir(home: Path, ident: ArxivId) -> Path:
    return home / "cache" / "arxiv" / ident.folder


def fetch_papers(
    store: Store,
    home: Path,
    texts: Iterable[str],
    *,
    now: datetime,
    source: bool = True,
    refresh: bool = False,
    progress: ProgressFn | None = None,
) -> list[FetchResult]:
    """Fetch the papers named by ``texts`` (ids or URLs) and store them; one API request for all that are new."""
    from studycards.paper.arxiv import ArxivClient

    plans: dict[str, _Plan] = {}
    for ident in (parse_id(text) for text in texts):
        if ident.id not in plans:
            plans[ident.id] = _Plan(ident, store.get_paper(ident.id), store.paper_source(ident.id))
    wanted = [p.ident for p in plans.values() if refresh or not _is_current(p)]
    with ArxivClient() as client:
        metadata = client.fetch_metadata(wanted)
        for plan in plans.values():
            plan.paper = metadata.get(plan.ident.id)
            if plan.paper is None and plan.stored is not None:
                cached = plan.stored_source if plan.stored_source and plan.stored_source.is_dir() else None
                if not source or cached:
                    plan.result = FetchResult(plan.stored, False, "cached" if cached else None, cached)
                    continue
                plan.paper = plan.stored
            assert plan.paper is not None
            plan.result = (
                _with_source(plan, client, home, refresh, progress)
                if source
                else FetchResult(plan.paper, True, None, plan.stored_source)
            )
    with store.transaction():
        for plan in plans.values():
            result = plan.result
            assert result is not None
            if result.fetched or result.source not in (None, "cached"):
                store.save_paper(result.paper, str(result.source_dir) if result.source_dir else None, now)
            if plan.equations is not None:
                store.save_equations(result.paper.arxiv_id, plan.equations)
    return [p.result for p in plans.values() if p.result is not None]


def _is_current(plan: _Plan) -> bool:
    return plan.stored is not None and plan.ident.version in (None, plan.stored.version)


def _with_source(
    plan: _Plan, client: ArxivClient, home: Path, refresh: bool, progress: ProgressFn | None
) -> FetchResult:
    """Download (or reuse) the e-print, unpack it, and read its equations and links to code."""
    from studycards.paper.archive import unpack

    paper = plan.paper
    assert paper is not None
    versioned = f"{paper.arxiv_id}v{paper.version}" if paper.version else paper.arxiv_id
    folder = cache_dir(home, plan.ident)
    eprint, stamp = folder / "eprint", folder / "eprint.id"
    reuse = not refresh and eprint.is_file() and stamp.is_file() and stamp.read_text().strip() == versioned
    if not reuse:
        report = (lambda done, total: progress(versioned, done, total)) if progress else None
        client.download_source(versioned, folder, report)
        stamp.write_text(versioned + "\n")
    try:
        kind = unpack(eprint, folder / "src")
    except StudycardsError as exc:
        raise StudycardsError(f"{versioned}: {exc}") from None
    if kind == "pdf":
        plan.equations = ()
        return FetchResult(
            paper, True, kind, None, equations=0, problem=f"arXiv has only a PDF of {versioned}, no LaTeX source"
        )
    src = folder / "src"
    from studycards.latex.document import read_document, with_sympy

    try:
        document = read_document(src)
    except StudycardsError as exc:
        plan.equations = ()
        return FetchResult(paper, True, kind, src, equations=0, problem=str(exc))
    plan.equations = tuple(with_sympy(document.equations))  # sympy's reading: computed once, stored
    links = find_code_links("\n".join(document.urls))
    paper = paper._replace(code_links=tuple(dict.fromkeys(paper.code_links + links)))
    return FetchResult(paper, True, kind, src, document.main, len(plan.equations), None, tuple(document.warnings))


def paper_equations(store: Store, home: Path, target: str) -> list[Equation]:
    """A fetched paper's equations as ``fetch`` stored them (sympy's reading included), else read from its cache."""
    try:
        ident = parse_id(target)
    except StudycardsError:
        raise StudycardsError(f"{target}: no such file or folder, and not an arXiv id") from None
    stored = store.equations(ident.id)
    if stored:
        return stored
    folder = store.paper_source(ident.id)
    if not (folder and folder.is_dir()):
        folder = cache_dir(home, ident) / "src"
    if not folder.is_dir():
        raise StudycardsError(f"paper {ident.id} has no cached source; run: studycards fetch {ident.id}")
    from studycards.latex.document import read_document, with_sympy

    return list(with_sympy(read_document(folder).equations))


def write_guides(results: list[FetchResult], folder: Path) -> list[tuple[Path, bool]]:
    """Write each paper's reading-guide notes file into ``folder``; an existing file is never overwritten."""
    from studycards.latex.document import read_document
    from studycards.paper.guide import guide_markdown, slug

    written = []
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise StudycardsError(f"cannot create the notes folder {folder}: {exc.strerror}") from None
    for result in results:
        path = folder / f"{slug(result.paper)}.md"
        if path.exists():
            written.append((path, False))
            continue
        document = None
        if result.source_dir and result.source_dir.is_dir():
            try:
                document = read_document(result.source_dir)
            except StudycardsError:
                document = None
        with open(path, "x", encoding="utf-8") as handle:
            handle.write(guide_markdown(result.paper, document))
        written.append((path, True))
    return written

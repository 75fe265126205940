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
    from studycards.paper.network import WaitFn
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


@dataclass(frozen=True)
class _Plan:
    """One paper asked for, and what the store already holds of it."""

    ident: ArxivId
    stored: Paper | None
    stored_source: Path | None

    def is_current(self) -> bool:
        """Stored at the version asked for (any version, when none was asked): arXiv need not be asked."""
        return self.stored is not None and self.ident.version in (None, self.stored.version)

    def cached_source(self) -> Path | None:
        return self.stored_source if self.stored_source and self.stored_source.is_dir() else None


@dataclass(frozen=True)
class _Fetched:
    """One paper's result, and its equations when they were read this time (``None``: the stored ones stand)."""

    result: FetchResult
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
    on_wait: WaitFn | None = None,
) -> list[FetchResult]:
    """Fetch the papers named by ``texts`` (ids or URLs) and store them; one API request for all that are new.

    ``progress`` hears how much of each e-print has come; ``on_wait`` of each request and back-off.
    """
    from studycards.paper.arxiv import ArxivClient

    plans = _plans(store, texts)
    with ArxivClient(on_wait=on_wait) as client:
        metadata = client.fetch_metadata([plan.ident for plan in plans if refresh or not plan.is_current()])
        fetched = [
            _fetch_one(
                plan, metadata.get(plan.ident.id), client, home, source=source, refresh=refresh, progress=progress
            )
            for plan in plans
        ]
    _store(store, fetched, now)
    return [item.result for item in fetched]


def _plans(store: Store, texts: Iterable[str]) -> list[_Plan]:
    """Each paper once, in the order first named, with what the store holds of it; a bad id stops everything."""
    plans: dict[str, _Plan] = {}
    for ident in (parse_id(text) for text in texts):
        if ident.id not in plans:
            plans[ident.id] = _Plan(ident, store.papers.get(ident.id), store.papers.source(ident.id))
    return list(plans.values())


def _fetch_one(
    plan: _Plan,
    fresh: Paper | None,
    client: ArxivClient,
    home: Path,
    *,
    source: bool,
    refresh: bool,
    progress: ProgressFn | None,
) -> _Fetched:
    """One paper: as stored (when arXiv was not asked and nothing is missing), with its source, or metadata only."""
    if fresh is None and plan.stored is not None:
        cached = plan.cached_source()
        if not source or cached:
            return _Fetched(FetchResult(plan.stored, False, "cached" if cached else None, cached))
    paper = fresh if fresh is not None else plan.stored
    assert paper is not None  # fetch_metadata fails on any id arXiv did not return
    if not source:
        return _Fetched(FetchResult(paper, True, None, plan.stored_source))
    return _with_source(paper, cache_dir(home, plan.ident), client, refresh, progress)


def _with_source(
    paper: Paper, folder: Path, client: ArxivClient, refresh: bool, progress: ProgressFn | None
) -> _Fetched:
    """Download (or reuse) the e-print, unpack it, and read its equations and links to code."""
    from studycards.paper.archive import unpack

    versioned = ArxivId(paper.arxiv_id, paper.version).versioned
    stamp = folder / "eprint.id"
    for attempt in range(2):
        eprint, downloaded = _eprint(versioned, folder, client, refresh or attempt > 0, progress)
        try:
            kind = unpack(eprint, folder / "src")
            break
        except StudycardsError as exc:
            damaged = "damaged" in str(exc)
            if not damaged:  # whole but refused: kept, so the next fetch refuses it without asking arXiv again
                _write_stamp(stamp, versioned)
            elif downloaded:  # cut or corrupted on the way: the cache must not keep it
                eprint.unlink(missing_ok=True)
            if downloaded or not damaged:
                raise StudycardsError(f"{versioned}: {exc}{'; try again' if damaged else ''}") from None
            stamp.unlink(missing_ok=True)  # a cached e-print found damaged: fetched again, once
    _write_stamp(stamp, versioned)
    if kind == "pdf":
        problem = f"arXiv has only a PDF of {versioned}, no LaTeX source"
        return _Fetched(FetchResult(paper, True, kind, None, equations=0, problem=problem), ())
    return _read_source(paper, kind, folder / "src")


def _eprint(
    versioned: str, folder: Path, client: ArxivClient, refresh: bool, progress: ProgressFn | None
) -> tuple[Path, bool]:
    """``folder/eprint`` and whether it was downloaded now: the cached one when its stamp says this version.

    The stamp is written only once the e-print was read whole, so a damaged or
    cut download is never taken for a good one; a cached one found damaged is fetched again.
    """
    eprint, stamp = folder / "eprint", folder / "eprint.id"
    reuse = not refresh and eprint.is_file() and stamp.is_file() and stamp.read_text().strip() == versioned
    if reuse:
        return eprint, False
    stamp.unlink(missing_ok=True)
    report = (lambda done, total: progress(versioned, done, total)) if progress else None
    client.download_source(versioned, folder, report)
    return eprint, True


def _write_stamp(stamp: Path, versioned: str) -> None:
    try:
        stamp.write_text(versioned + "\n")
    except OSError as exc:
        raise StudycardsError(f"cannot write {stamp}: {exc.strerror}") from None


def _read_source(paper: Paper, kind: str, src: Path) -> _Fetched:
    """The unpacked source's equations (with sympy's reading, computed once and stored) and links to code."""
    from studycards.latex.document import read_document, with_sympy

    try:
        document = read_document(src)
    except StudycardsError as exc:
        return _Fetched(FetchResult(paper, True, kind, src, equations=0, problem=str(exc)), ())
    equations = tuple(with_sympy(document.equations))
    links = find_code_links("\n".join(document.urls))
    paper = paper._replace(code_links=tuple(dict.fromkeys(paper.code_links + links)))
    result = FetchResult(paper, True, kind, src, document.main, len(equations), None, tuple(document.warnings))
    return _Fetched(result, equations)


def _store(store: Store, fetched: list[_Fetched], now: datetime) -> None:
    """Write every paper asked of arXiv, and every set of equations read, in one transaction."""
    with store.transaction():
        for item in fetched:
            result = item.result
            if result.fetched:
                store.papers.save(result.paper, str(result.source_dir) if result.source_dir else None, now)
            if item.equations is not None:
                store.papers.save_equations(result.paper.arxiv_id, item.equations)


def paper_equations(store: Store, home: Path, target: str) -> tuple[list[Equation], tuple[str, ...]]:
    """A fetched paper's equations as ``fetch`` stored them (sympy's reading included), else read from its
    cache; with the reader's warnings that explain an equation left without a number (re-read from the
    cached source only when one is), so "(–)" never comes without its reason."""
    try:
        ident = parse_id(target)
    except StudycardsError:
        raise StudycardsError(f"{target}: no such file or folder, and not an arXiv id") from None
    stored = store.papers.equations(ident.id)
    folder = store.papers.source(ident.id)
    if not (folder and folder.is_dir()):
        folder = cache_dir(home, ident) / "src"
    from studycards.latex.document import read_document, with_sympy

    if stored:
        if all(eq.number for eq in stored) or not folder.is_dir():
            return stored, ()
        return stored, read_document(folder).number_warnings
    if not folder.is_dir():
        raise StudycardsError(f"paper {ident.id} has no cached source; run: studycards fetch {ident.id}")
    document = read_document(folder)
    return list(with_sympy(document.equations)), document.number_warnings


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

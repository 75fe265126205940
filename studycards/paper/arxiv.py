"""arXiv metadata through the ``arxiv`` package, and e-print downloads: all of studycards' requests.

The ``arxiv`` package (v4) sets no request timeout, retries at once with no
back-off and reads an empty first page as "no results".  An :class:`ArxivClient`
gives its ``arxiv`` client a timeout and a base URL, retries 429 and 5xx answers
itself (see :mod:`studycards.paper.network`), and names the ids arXiv did not
return.  One client serves one run, so its spacing between requests holds.
"""

from __future__ import annotations

import errno
import os
import tempfile
import time
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from studycards.errors import StudycardsError
from studycards.models import Paper
from studycards.paper.ids import ArxivId, find_code_links, parse_id
from studycards.paper.network import (
    CutOff,
    HttpStatus,
    Network,
    Overdue,
    TooLarge,
    WaitFn,
    import_keeping_ctrl_c,
    read_chunks,
    timeout_session,
    with_retries,
)

__all__ = ["ArxivClient", "Network"]

ProgressFn = Callable[[int, "int | None"], None]

# -- one client per run ----------------------------------------------------------------


class ArxivClient:
    """One run's conversation with arXiv: the ``arxiv`` library client, the download session, the pacing clock.

    The caller makes one (``fetch_papers`` makes one per run), passes it down and
    closes it.  Reusing it is what keeps the spacing: the ``arxiv`` client waits
    ``delay`` between API requests, and this object waits ``delay`` between e-print
    downloads.  ``sleep`` does every wait, back-off included.  Settings are read
    from the environment on first use, so a run that needs no network reads none.
    """

    def __init__(
        self, net: Network | None = None, *, sleep: Callable[[float], None] = time.sleep, on_wait: WaitFn | None = None
    ) -> None:
        self._net = net
        self.sleep = sleep
        self.on_wait = on_wait  # told of every request and back-off, so a terminal can show what is awaited
        self._api: Any = None
        self._downloads: Any = None
        self._last_download: float | None = None

    @property
    def net(self) -> Network:
        if self._net is None:
            self._net = Network.from_env()
        return self._net

    def __enter__(self) -> ArxivClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        if self._api is not None:
            self._api._session.close()
        if self._downloads is not None:
            self._downloads.close()
        self._api = self._downloads = None

    def fetch_metadata(self, ids: Sequence[ArxivId]) -> dict[str, Paper]:
        """One API request for all ``ids``: a paper per id (keyed without version), or an error naming the unknown."""
        if not ids:
            return {}
        net = self.net
        what = f"the arXiv API ({net.api_url})"
        results = with_retries(lambda: self._query(ids, what), net, what, self.sleep, self.on_wait)
        return _papers(results, ids, what)

    def download_source(self, arxiv_id: str, dest: Path, progress: ProgressFn | None = None) -> Path:
        """Download the e-print ``{src}/{arxiv_id}`` to ``dest/eprint``: streamed to a temporary file, then renamed."""
        url = f"{self.net.src_url}/{arxiv_id}"
        dest.mkdir(parents=True, exist_ok=True)
        call = lambda: self._download_once(url, dest, progress)  # noqa: E731
        return with_retries(call, self.net, f"arXiv ({url})", self.sleep, self.on_wait)

    def _api_client(self) -> Any:
        import logging

        arxiv = import_keeping_ctrl_c("arxiv")
        logging.getLogger("arxiv").addHandler(logging.NullHandler())  # its warnings would be a second stderr line
        logging.getLogger("arxiv").propagate = False
        if self._api is None:
            client = arxiv.Client(page_size=100, delay_seconds=self.net.delay, num_retries=0)
            client.query_url_format = self.net.api_url + "?{}"
            client._session = timeout_session(self.net.timeout)
            self._api = client
        return self._api

    def _query(self, ids: Sequence[ArxivId], what: str) -> list[Any]:
        """One attempt at the API; an HTTP error becomes a :class:`HttpStatus` for :func:`with_retries` to judge."""
        arxiv = import_keeping_ctrl_c("arxiv")  # the first use: a Ctrl-C during it must not be lost
        client = self._api_client()
        search = arxiv.Search(id_list=[i.versioned for i in ids], max_results=len(ids))
        results: list[Any] = []
        try:
            for result in client.results(search):
                results.append(result)
        except arxiv.HTTPError as exc:
            response = client._session.last_response
            headers = response.headers if response is not None else {}
            body = response.content if response is not None else b""
            raise HttpStatus(exc.status, headers.get("Retry-After"), body) from exc
        except arxiv.UnexpectedEmptyPageError:
            pass  # a later page came back empty: what the first page gave is the answer
        response = client._session.last_response
        if response is not None and b"<feed" not in response.content[:4096]:
            raise StudycardsError(f"{what} answered with something that is not an Atom feed")
        return results

    def _wait_for_turn(self) -> None:
        """Keep ``delay`` between the starts of two downloads."""
        if self._last_download is not None:
            pause = self._last_download + self.net.delay - time.monotonic()
            if pause > 0:
                self.sleep(pause)
        self._last_download = time.monotonic()

    def _download_once(self, url: str, dest: Path, progress: ProgressFn | None) -> Path:
        net = self.net
        if self._downloads is None:
            self._downloads = timeout_session(net.timeout)
        self._wait_for_turn()
        response = self._downloads.get(url, stream=True, timeout=net.timeout)
        with response:
            if response.status_code != 200:
                raise HttpStatus(response.status_code, response.headers.get("Retry-After"), response.raw.read(4096))
            length = response.headers.get("Content-Length", "")
            total = int(length) if length.isdigit() else None
            if total is not None and total > net.max_download:
                raise StudycardsError(f"the e-print at {url} is {total} bytes, over the limit of {net.max_download}")
            return _save_stream(response, url, dest, total, progress, net)


# -- metadata ---------------------------------------------------------------------


def _papers(results: list[Any], ids: Sequence[ArxivId], what: str) -> dict[str, Paper]:
    """Match the feed's entries to the ids asked for; an error entry or an id arXiv did not return is an error."""
    papers: dict[str, Paper] = {}
    for result in results:
        if "/api/errors" in result.entry_id:
            raise StudycardsError(f"{what} reported an error: {' '.join(result.summary.split())}")
        try:
            got = parse_id(result.entry_id)
        except StudycardsError:
            continue
        wanted = next((i for i in ids if i.id == got.id and i.version in (None, got.version)), None)
        if wanted and wanted.id not in papers:
            papers[wanted.id] = _paper(result, got)
    unknown = [str(i) for i in ids if i.id not in papers]
    if unknown:
        raise StudycardsError(f"arXiv does not know {_and(unknown)}; check the id")
    return papers


def _paper(result: Any, got: ArxivId) -> Paper:
    abstract = " ".join(result.summary.split())
    comment = " ".join(result.comment.split()) if result.comment else None
    categories = [c for c in result.categories if c]
    if result.primary_category in categories:
        categories.remove(result.primary_category)
        categories.insert(0, result.primary_category)
    return Paper(
        arxiv_id=got.id,
        version=got.version,
        title=" ".join(result.title.split()),
        authors=tuple(a.name for a in result.authors),
        abstract=abstract,
        published=_stamp(result.published),
        updated=_stamp(result.updated),
        categories=tuple(categories),
        doi=result.doi or None,
        journal_ref=" ".join(result.journal_ref.split()) if result.journal_ref else None,
        comment=comment,
        pdf_url=result.pdf_url,
        code_links=find_code_links(f"{abstract}\n{comment or ''}"),
    )


def _stamp(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _and(items: list[str]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


# -- e-prints -------------------------------------------------------------------------


def _save_stream(
    response: Any, url: str, dest: Path, total: int | None, progress: ProgressFn | None, net: Network
) -> Path:
    """Stream the body to a temporary file beside ``dest/eprint``, bounded in size and time, then rename it.

    The deadline is for the whole download and is checked at every read, so a
    server sending a byte at a time cannot hold ``fetch`` past it.  A body
    shorter than its Content-Length is refused before the cache keeps it.
    """
    limit = 10 * net.timeout
    deadline = time.monotonic() + limit
    _remove_stale_parts(dest)
    part: Path | None = None
    try:
        with tempfile.NamedTemporaryFile(dir=dest, prefix=f".eprint-{os.getpid()}-", suffix=".part", delete=False) as f:
            part = Path(f.name)
            done = 0
            try:
                for chunk in read_chunks(response.raw, deadline, net.max_download, decode=False):
                    done += len(chunk)
                    f.write(chunk)
                    if progress:
                        progress(done, total)
            except TooLarge:
                raise StudycardsError(f"the e-print at {url} is over the limit of {net.max_download} bytes") from None
            except Overdue:
                raise StudycardsError(f"the e-print at {url} took longer than {limit:g} s; try again later") from None
            except CutOff:
                raise StudycardsError(_cut(url, done, total)) from None
        if total is not None and done != total:
            raise StudycardsError(_cut(url, done, total))
        target = dest / "eprint"
        os.replace(part, target)
        return target
    except OSError as exc:
        if exc.errno is None:  # requests' errors are OSErrors too; they are with_retries' to word
            raise
        raise StudycardsError(_cannot_save(dest, exc)) from None
    finally:
        if part is not None:
            part.unlink(missing_ok=True)


def _cut(url: str, done: int, total: int | None) -> str:
    of = f" of {total}" if total is not None else ""
    return f"the download of the e-print at {url} was cut off after {done}{of} bytes; try again"


def _cannot_save(dest: Path, exc: OSError) -> str:
    from studycards.store.errors import no_space

    return no_space(dest / "eprint") if exc.errno == errno.ENOSPC else f"cannot write {dest / 'eprint'}: {exc.strerror}"


def _remove_stale_parts(dest: Path) -> None:
    """A download killed midway leaves its ``.part``; the next one removes those whose process is gone."""
    for stale in dest.glob(".eprint-*.part"):
        pid = stale.name.split("-")[1]
        if pid.isdigit() and _alive(int(pid)) and int(pid) != os.getpid():
            continue
        stale.unlink(missing_ok=True)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True

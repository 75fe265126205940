"""arXiv metadata through the ``arxiv`` package, and e-print downloads: the only network code.

The ``arxiv`` package (v4) sets no request timeout, retries at once with no
back-off and reads an empty first page as "no results".  This module gives its
one reused client a timeout and a base URL, retries 429 and 5xx answers itself
(honouring ``Retry-After``, within a bounded total wait), and names the ids
arXiv did not return.  Settings come from the environment:

    STUDYCARDS_ARXIV_API_URL   API endpoint (default https://export.arxiv.org/api/query)
    STUDYCARDS_ARXIV_SRC_URL   e-print base; ``{base}/{id}`` is fetched (default https://arxiv.org/src)
    STUDYCARDS_ARXIV_TIMEOUT   seconds to wait for an answer (default 30)
    STUDYCARDS_ARXIV_RETRIES   retries after a 429 or 5xx answer (default 3)
    STUDYCARDS_ARXIV_BACKOFF   first back-off in seconds, doubled each retry (default 3)
    STUDYCARDS_ARXIV_MAX_WAIT  most seconds spent backing off per request (default 120)
    STUDYCARDS_ARXIV_DELAY     seconds between requests; never below 3 against arXiv itself
"""

from __future__ import annotations

import os
import re
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from pathlib import Path
from typing import Any, TypeVar

from studycards import __version__
from studycards.errors import StudycardsError
from studycards.models import Paper
from studycards.paper.ids import ArxivId, find_code_links, parse_id

DEFAULT_API_URL = "https://export.arxiv.org/api/query"
DEFAULT_SRC_URL = "https://arxiv.org/src"
ARXIV_DELAY = 3.0
MAX_DOWNLOAD_BYTES = 100 * 1024 * 1024
RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})
USER_AGENT = f"studycards/{__version__}"

__all__ = ["ArxivId", "Network", "download_source", "fetch_metadata", "find_code_links", "parse_id"]

ProgressFn = Callable[[int, "int | None"], None]
T = TypeVar("T")

# -- settings --------------------------------------------------------------------


@dataclass(frozen=True)
class Network:
    """Where arXiv is and how patiently to talk to it; :meth:`from_env` reads the environment."""

    api_url: str = DEFAULT_API_URL
    src_url: str = DEFAULT_SRC_URL
    timeout: float = 30.0
    retries: int = 3
    backoff: float = 3.0
    max_wait: float = 120.0
    delay: float = ARXIV_DELAY
    max_download: int = MAX_DOWNLOAD_BYTES

    @classmethod
    def from_env(cls) -> Network:
        env = os.environ
        net = cls(
            api_url=env.get("STUDYCARDS_ARXIV_API_URL") or DEFAULT_API_URL,
            src_url=(env.get("STUDYCARDS_ARXIV_SRC_URL") or DEFAULT_SRC_URL).rstrip("/"),
            timeout=_number("STUDYCARDS_ARXIV_TIMEOUT", 30.0),
            retries=int(_number("STUDYCARDS_ARXIV_RETRIES", 3)),
            backoff=_number("STUDYCARDS_ARXIV_BACKOFF", 3.0),
            max_wait=_number("STUDYCARDS_ARXIV_MAX_WAIT", 120.0),
            delay=_number("STUDYCARDS_ARXIV_DELAY", ARXIV_DELAY),
        )
        if net.api_url == DEFAULT_API_URL and net.delay < ARXIV_DELAY:
            net = replace(net, delay=ARXIV_DELAY)  # arXiv's terms of use: one request every three seconds
        return net


def _number(name: str, default: float) -> float:
    raw = os.environ.get(name)
    if not raw:
        return default
    try:
        value = float(raw)
    except ValueError:
        value = -1.0
    if value < 0:
        raise StudycardsError(f"{name} must be a number of seconds (or a count) of 0 or more, not {raw!r}")
    return value


# -- HTTP: one client, retries, clear messages --------------------------------------

_client: Any = None
_client_key: tuple | None = None
_source_session: Any = None
_source_timeout: float | None = None
_last_source_request: float | None = None


class _Status(Exception):
    """A non-200 answer, with what is needed to decide whether (and when) to retry."""

    def __init__(self, status: int, retry_after: str | None, body: bytes = b"") -> None:
        super().__init__(status)
        self.status = status
        self.retry_after = retry_after
        self.body = body


def _session(timeout: float) -> Any:
    import requests

    class TimeoutSession(requests.Session):
        """The ``arxiv`` client calls ``get`` without a timeout; this one always has one."""

        last_response: Any = None

        def request(self, *args: Any, **kwargs: Any) -> Any:
            if kwargs.get("timeout") is None:
                kwargs["timeout"] = timeout
            return super().request(*args, **kwargs)

    session = TimeoutSession()
    session.headers["User-Agent"] = USER_AGENT

    def remember(response: Any, *args: Any, **kwargs: Any) -> None:
        session.last_response = response

    session.hooks["response"].append(remember)
    return session


def _api_client(net: Network) -> Any:
    """The one ``arxiv.Client``, reused so its delay between requests holds across calls."""
    global _client, _client_key
    import arxiv

    key = (net.api_url, net.delay, net.timeout)
    if _client is None or _client_key != key:
        if _client is not None:
            _client._session.close()
        client = arxiv.Client(page_size=100, delay_seconds=net.delay, num_retries=0)
        client.query_url_format = net.api_url + "?{}"
        client._session = _session(net.timeout)
        _client, _client_key = client, key
    return _client


def _with_retries(call: Callable[[], T], net: Network, what: str, sleep: Callable[[float], None]) -> T:
    import requests

    waited = 0.0
    attempt = 0
    while True:
        try:
            return call()
        except _Status as exc:
            if exc.status not in RETRY_STATUSES or attempt >= net.retries:
                raise StudycardsError(_status_message(what, exc, attempt)) from None
            wait = _retry_after(exc.retry_after)
            wait = net.backoff * 2**attempt if wait is None else wait
            if waited + wait > net.max_wait:
                raise StudycardsError(
                    f"{what} answered HTTP {exc.status} and asks to wait {wait:.0f} s, longer than studycards "
                    f"waits ({net.max_wait:.0f} s); try again later"
                ) from None
            sleep(wait)
            waited += wait
            attempt += 1
        except requests.exceptions.Timeout:
            raise StudycardsError(f"{what} did not answer within {net.timeout:g} s; try again later") from None
        except requests.exceptions.RequestException as exc:
            if "timed out" in str(exc):
                raise StudycardsError(f"{what} did not answer within {net.timeout:g} s; try again later") from None
            raise StudycardsError(f"cannot reach {what}: {_reason(exc)}") from None


def _status_message(what: str, exc: _Status, retries: int) -> str:
    after = f" after {retries} retries" if retries else ""
    if exc.status == 429:
        return f"{what} is limiting requests (HTTP 429){after}; wait a few minutes and try again"
    if exc.status >= 500:
        return f"{what} is unavailable (HTTP {exc.status}){after}; try again later"
    detail = re.search(rb"<summary>(.*?)</summary>", exc.body, re.DOTALL)
    if detail:
        return f"{what} refused the request (HTTP {exc.status}): {detail.group(1).decode('utf-8', 'replace').strip()}"
    return f"{what} answered HTTP {exc.status}"


def _retry_after(value: str | None) -> float | None:
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - datetime.now(UTC)).total_seconds())


def _reason(exc: Exception) -> str:
    text = str(exc)
    found = re.search(r"\[Errno -?\d+\] ([^'\")\]]+)", text) or re.search(r"(Failed to resolve [^(]+?)\s*\(", text)
    if found:
        return found.group(1).strip()
    return text.splitlines()[0][:200] if text else exc.__class__.__name__


# -- metadata ---------------------------------------------------------------------


def fetch_metadata(
    ids: Sequence[ArxivId], *, net: Network | None = None, sleep: Callable[[float], None] = time.sleep
) -> dict[str, Paper]:
    """One API request for all ``ids``; a paper per id (keyed by id without version), or an error naming the unknown."""
    if not ids:
        return {}
    import arxiv

    net = net or Network.from_env()
    client = _api_client(net)
    search = arxiv.Search(id_list=[i.versioned for i in ids], max_results=len(ids))
    what = f"the arXiv API ({net.api_url})"

    def run() -> list[Any]:
        results: list[Any] = []
        try:
            for result in client.results(search):
                results.append(result)
        except arxiv.HTTPError as exc:
            response = client._session.last_response
            headers = response.headers if response is not None else {}
            raise _Status(exc.status, headers.get("Retry-After"), response.content if response is not None else b"")
        except arxiv.UnexpectedEmptyPageError:
            pass  # a later page came back empty: what the first page gave is the answer
        response = client._session.last_response
        if response is not None and b"<feed" not in response.content[:4096]:
            raise StudycardsError(f"{what} answered with something that is not an Atom feed")
        return results

    results = _with_retries(run, net, what, sleep)
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


def download_source(
    arxiv_id: str,
    dest: Path,
    progress: ProgressFn | None = None,
    *,
    net: Network | None = None,
    sleep: Callable[[float], None] = time.sleep,
) -> Path:
    """Download the e-print ``{src}/{arxiv_id}`` to ``dest/eprint``: streamed to a temporary file, bounded, renamed."""
    net = net or Network.from_env()
    url = f"{net.src_url}/{arxiv_id}"
    dest.mkdir(parents=True, exist_ok=True)
    return _with_retries(lambda: _download_once(url, dest, progress, net, sleep), net, f"arXiv ({url})", sleep)


def _download_once(
    url: str, dest: Path, progress: ProgressFn | None, net: Network, sleep: Callable[[float], None]
) -> Path:
    global _source_session, _source_timeout, _last_source_request
    import urllib3

    if _source_session is None or _source_timeout != net.timeout:
        if _source_session is not None:
            _source_session.close()
        _source_session, _source_timeout = _session(net.timeout), net.timeout
    if _last_source_request is not None:
        pause = _last_source_request + net.delay - time.monotonic()
        if pause > 0:
            sleep(pause)
    _last_source_request = time.monotonic()
    response = _source_session.get(url, stream=True, timeout=net.timeout)
    with response:
        if response.status_code != 200:
            raise _Status(response.status_code, response.headers.get("Retry-After"), response.raw.read(4096))
        length = response.headers.get("Content-Length", "")
        total = int(length) if length.isdigit() else None
        if total is not None and total > net.max_download:
            raise StudycardsError(f"the e-print at {url} is {total} bytes, over the limit of {net.max_download}")
        deadline = time.monotonic() + 10 * net.timeout
        handle = tempfile.NamedTemporaryFile(dir=dest, prefix=".eprint-", suffix=".part", delete=False)
        part = Path(handle.name)
        try:
            with handle:
                done = 0
                for chunk in _raw_chunks(response, urllib3):
                    done += len(chunk)
                    if done > net.max_download:
                        raise StudycardsError(f"the e-print at {url} is over the limit of {net.max_download} bytes")
                    if time.monotonic() > deadline:
                        raise StudycardsError(f"the e-print at {url} took longer than {10 * net.timeout:g} s")
                    handle.write(chunk)
                    if progress:
                        progress(done, total)
            if total is not None and done < total:
                raise StudycardsError(f"the e-print at {url} was cut off after {done} of {total} bytes")
            target = dest / "eprint"
            os.replace(part, target)
            return target
        finally:
            part.unlink(missing_ok=True)


def _raw_chunks(response: Any, urllib3: Any) -> Any:
    """The bytes exactly as served (no Content-Encoding decoding), with urllib3's errors made requests' errors."""
    import requests

    try:
        yield from response.raw.stream(64 * 1024, decode_content=False)
    except urllib3.exceptions.ReadTimeoutError as exc:
        raise requests.exceptions.Timeout(str(exc)) from None
    except urllib3.exceptions.HTTPError as exc:
        raise requests.exceptions.ConnectionError(str(exc)) from None
